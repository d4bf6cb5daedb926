"""The candidate index's storage, in numpy arrays: a typed column that grows by doubling, a
multimap from int64 keys to row ids (a sorted base in CSR form plus a dict of additions), and
strings kept as one UTF-8 buffer. See `index` for what the index keeps in them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
RowArray = npt.NDArray[np.uint32]


class Column:
    """A typed numpy column that grows by doubling."""

    def __init__(self, dtype: Any, capacity: int = 1024) -> None:
        self._data: np.ndarray[Any, Any] = np.zeros(max(capacity, 16), dtype=dtype)
        self._size = 0

    @classmethod
    def of(cls, values: np.ndarray[Any, Any]) -> Column:
        column = cls(values.dtype, capacity=len(values) + 1024)
        column._data[: len(values)] = values
        column._size = len(values)
        return column

    def append(self, value: Any) -> None:
        if self._size == len(self._data):
            grown = np.zeros(len(self._data) * 2, dtype=self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = value
        self._size += 1

    @property
    def values(self) -> np.ndarray[Any, Any]:
        """The filled part (a view: valid until the next append)."""
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


class Table:
    """A multimap from int64 keys to row ids: a sorted base plus a dict of additions."""

    def __init__(self) -> None:
        self.keys: IntArray = np.zeros(0, dtype=np.int64)  # sorted, unique
        self.starts: IntArray = np.zeros(1, dtype=np.int64)  # rows of keys[i]: rows[starts[i]:starts[i+1]]
        self.rows: RowArray = np.zeros(0, dtype=np.uint32)
        self.added: dict[int, list[int]] = {}
        self.added_count = 0

    @classmethod
    def from_pairs(cls, keys: IntArray, rows: RowArray) -> Table:
        table = cls()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        table.rows = rows[order].astype(np.uint32)
        unique, starts = np.unique(sorted_keys, return_index=True)
        table.keys = unique.astype(np.int64)
        table.starts = np.append(starts, len(sorted_keys)).astype(np.int64)
        return table

    def add(self, key: int, row: int) -> None:
        self.added.setdefault(key, []).append(row)
        self.added_count += 1

    def size(self, key: int) -> int:
        i = int(np.searchsorted(self.keys, key))
        base = int(self.starts[i + 1] - self.starts[i]) if i < len(self.keys) and self.keys[i] == key else 0
        return base + len(self.added.get(key, ()))

    def get(self, key: int) -> RowArray:
        i = int(np.searchsorted(self.keys, key))
        if i < len(self.keys) and self.keys[i] == key:
            base = self.rows[self.starts[i] : self.starts[i + 1]]
        else:
            base = self.rows[:0]
        extra = self.added.get(key)
        if extra:
            return np.concatenate([base, np.asarray(extra, dtype=np.uint32)])
        return base

    def get_many(self, keys: Sequence[int], limit: int, skip: Callable[[int], bool] | None = None) -> RowArray:
        """The rows of several keys, in the order of the keys, `limit` rows at most (one
        vectorised search of the base, then the additions). `skip(i)`: leave out the base's
        `i`th key (its index in `keys`, the sorted array)."""
        found: list[RowArray] = []
        total = 0
        if len(self.keys) and keys:
            wanted = np.asarray(keys, dtype=np.int64)
            at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
            at = at[self.keys[at] == wanted]
            for i in at.tolist():
                if skip is not None and skip(i):
                    continue
                start, stop = int(self.starts[i]), int(self.starts[i + 1])
                found.append(self.rows[start : min(stop, start + limit - total)])
                total += len(found[-1])
                if total >= limit:
                    break
        if self.added and total < limit:
            for key in keys:
                extra = self.added.get(key)
                if extra:
                    found.append(np.asarray(extra[: limit - total], dtype=np.uint32))
                    total += len(found[-1])
                    if total >= limit:
                        break
        return np.concatenate(found) if found else self.rows[:0]

    def pairs(self) -> tuple[IntArray, RowArray]:
        """Every (key, row), base and additions."""
        counts = np.diff(self.starts)
        keys = [np.repeat(self.keys, counts)]
        rows = [self.rows]
        if self.added:
            keys.append(
                np.fromiter((k for k, rs in self.added.items() for _ in rs), dtype=np.int64, count=self.added_count)
            )
            rows.append(
                np.fromiter((r for rs in self.added.values() for r in rs), dtype=np.uint32, count=self.added_count)
            )
        return np.concatenate(keys), np.concatenate(rows)

    @property
    def nbytes(self) -> int:
        # the additions: about 100 bytes per entry in dicts and lists of ints
        return int(self.keys.nbytes + self.starts.nbytes + self.rows.nbytes) + 100 * self.added_count


class Texts:
    """Strings kept as one UTF-8 buffer and their end offsets (about 3 bytes a character)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._ends = Column(np.int64)

    @classmethod
    def joined(cls, pieces: list[tuple[bytearray, IntArray]]) -> Texts:
        """One buffer from several (buffer, ends), in order."""
        texts = cls()
        ends: list[IntArray] = []
        for buffer, piece_ends in pieces:
            ends.append(piece_ends + len(texts._buffer))
            texts._buffer += buffer
        texts._ends = Column.of(np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64))
        return texts

    def append(self, text: str) -> None:
        self._buffer.extend(text.encode())
        self._ends.append(len(self._buffer))

    def get_many(self, rows: RowArray) -> list[str]:
        ends = self._ends.values
        index = rows.astype(np.int64)
        stops = ends[index].tolist()
        starts = np.where(index > 0, ends[np.maximum(index - 1, 0)], 0).tolist()
        buffer = self._buffer
        return [buffer[a:b].decode() for a, b in zip(starts, stops, strict=True)]

    @property
    def nbytes(self) -> int:
        return len(self._buffer) + self._ends.nbytes
