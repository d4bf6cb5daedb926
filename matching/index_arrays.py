"""The candidate index's storage, in numpy arrays: a typed column, a multimap from int64 keys to
row ids (a sorted base in CSR form plus a dict of additions), strings kept as one UTF-8 buffer,
and which rows are live.

Each keeps a *base* it never writes (built in this process, or mapped from a file that every
worker process shares: `index_file`) and a small private part for what changed since: a column's
appended values, a table's added keys, a text's appended strings, the rows marked dead. So
keeping the index fresh never copies a mapped array into the process's own memory. See `index`
for what the index keeps in them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
RowArray = npt.NDArray[np.uint32]


def csr(keys: IntArray, rows: RowArray) -> tuple[IntArray, IntArray, RowArray]:
    """Pairs (key, row) as sorted unique keys, offsets and rows (those of `keys[i]`:
    `rows[starts[i]:starts[i+1]]`, in the order given)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    unique, starts = np.unique(sorted_keys, return_index=True)
    return (
        unique.astype(np.int64),
        np.append(starts, len(sorted_keys)).astype(np.int64),
        rows[order].astype(np.uint32),
    )


class Column:
    """A typed column: a base that is never written, and the values appended since in a private
    tail that grows by doubling."""

    def __init__(self, dtype: Any, base: np.ndarray[Any, Any] | None = None) -> None:
        self._base: np.ndarray[Any, Any] = np.zeros(0, dtype=dtype) if base is None else base
        self._tail: np.ndarray[Any, Any] = np.zeros(16, dtype=self._base.dtype)
        self._size = 0  # values in the tail

    @classmethod
    def of(cls, values: np.ndarray[Any, Any]) -> Column:
        """A column whose base is `values` (not copied: the caller no longer writes them)."""
        return cls(values.dtype, values)

    def append(self, value: Any) -> None:
        if self._size == len(self._tail):
            grown = np.zeros(len(self._tail) * 2, dtype=self._tail.dtype)
            grown[: self._size] = self._tail
            self._tail = grown
        self._tail[self._size] = value
        self._size += 1

    def take(self, rows: RowArray) -> np.ndarray[Any, Any]:
        """The values at `rows` (a new array)."""
        base = self._base
        if not self._size:
            return base[rows]
        in_tail = rows >= len(base)
        if not in_tail.any():
            return base[rows]
        out = np.empty(len(rows), dtype=base.dtype)
        out[~in_tail] = base[rows[~in_tail]]
        out[in_tail] = self._tail[rows[in_tail] - len(base)]
        return out

    def values(self) -> np.ndarray[Any, Any]:
        """Every value: the base itself when nothing was appended, else a copy of both."""
        if not self._size:
            return self._base
        return np.concatenate([self._base, self._tail[: self._size]])

    def __len__(self) -> int:
        return len(self._base) + self._size

    @property
    def nbytes(self) -> int:
        return int(self._base.nbytes + self._tail.nbytes)


class Liveness:
    """Which rows are live: every row of the base, and each appended one, until it is killed.
    The dead are flagged in a private array (a byte a row), made at the first kill."""

    def __init__(self, rows: int = 0) -> None:
        self._rows = rows
        self._dead: npt.NDArray[np.bool_] | None = None
        self.dead = 0

    def append(self) -> None:
        self._rows += 1
        if self._dead is not None and len(self._dead) < self._rows:
            self._dead = np.concatenate([self._dead, np.zeros(len(self._dead), dtype=np.bool_)])

    def alive(self, rows: RowArray) -> npt.NDArray[np.bool_]:
        """Whether each of `rows` is live (a new array)."""
        if self._dead is None:
            return np.ones(len(rows), dtype=np.bool_)
        return ~self._dead[rows]

    def kill(self, rows: RowArray) -> bool:
        """Mark `rows` dead; False if none of them was live."""
        alive = self.alive(rows)
        if not alive.any():
            return False
        if self._dead is None:
            self._dead = np.zeros(max(self._rows + self._rows // 8, 1024), dtype=np.bool_)
        newly = np.unique(rows[alive])
        self._dead[newly] = True
        self.dead += len(newly)
        return True

    def mask(self) -> npt.NDArray[np.bool_]:
        """Whether each row is live, for every row."""
        if self._dead is None:
            return np.ones(self._rows, dtype=np.bool_)
        return ~self._dead[: self._rows]

    def __len__(self) -> int:
        """The number of live rows."""
        return self._rows - self.dead

    @property
    def nbytes(self) -> int:
        return 0 if self._dead is None else int(self._dead.nbytes)


class Table:
    """A multimap from int64 keys to row ids: a sorted base (CSR) plus a dict of additions."""

    def __init__(
        self, keys: IntArray | None = None, starts: IntArray | None = None, rows: RowArray | None = None
    ) -> None:
        self.keys: IntArray = np.zeros(0, dtype=np.int64) if keys is None else keys  # sorted, unique
        # the rows of keys[i]: rows[starts[i]:starts[i+1]]
        self.starts: IntArray = np.zeros(1, dtype=np.int64) if starts is None else starts
        self.rows: RowArray = np.zeros(0, dtype=np.uint32) if rows is None else rows
        self.added: dict[int, list[int]] = {}
        self.added_count = 0

    @classmethod
    def from_pairs(cls, keys: IntArray, rows: RowArray) -> Table:
        return cls(*csr(keys, rows))

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
    """Strings kept as one UTF-8 buffer (a uint8 array) and their end offsets (about 3 bytes a
    character); those appended later in a private buffer beside it."""

    def __init__(self, buffer: npt.NDArray[np.uint8] | None = None, ends: IntArray | None = None) -> None:
        self._buffer: npt.NDArray[np.uint8] = np.zeros(0, dtype=np.uint8) if buffer is None else buffer
        self._view = self._buffer.data
        self._ends: IntArray = np.zeros(0, dtype=np.int64) if ends is None else ends
        self._tail = bytearray()
        self._tail_ends = Column(np.int64)

    def append(self, text: str) -> None:
        self._tail.extend(text.encode())
        self._tail_ends.append(len(self._tail))

    def get_many(self, rows: RowArray) -> list[str]:
        index = rows.astype(np.int64)
        count = len(self._ends)
        if not len(self._tail_ends) or not len(index) or int(index.max()) < count:
            return _slices(self._view, self._ends, index)
        in_tail = index >= count
        found = [""] * len(index)
        for where, texts in (
            (np.flatnonzero(~in_tail), _slices(self._view, self._ends, index[~in_tail])),
            (
                np.flatnonzero(in_tail),
                # the tail itself, not a memoryview of it: an export would stop it from growing
                _slices(self._tail, self._tail_ends.values(), index[in_tail] - count),
            ),
        ):
            for i, text in zip(where.tolist(), texts, strict=True):
                found[i] = text
        return found

    def select(self, rows: IntArray) -> tuple[npt.NDArray[np.uint8], IntArray]:
        """The buffer and end offsets of the strings at `rows` (ascending), as a new base."""
        count = len(self._ends)
        if not len(self._tail_ends) and len(rows) == count:
            return self._buffer, self._ends
        buffer = np.concatenate([self._buffer, np.frombuffer(bytes(self._tail), dtype=np.uint8)])
        ends = np.concatenate([self._ends, self._tail_ends.values() + len(self._buffer)])
        starts = np.concatenate([np.zeros(1, dtype=np.int64), ends[:-1]])
        if not len(rows):
            return buffer[:0].copy(), np.zeros(0, dtype=np.int64)
        # runs of consecutive rows are consecutive bytes: copy each run at once
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        firsts, lasts = rows[np.r_[0, breaks]], rows[np.r_[breaks - 1, len(rows) - 1]]
        pieces = [buffer[a:b] for a, b in zip(starts[firsts].tolist(), ends[lasts].tolist(), strict=True)]
        return np.concatenate(pieces), np.cumsum(ends[rows] - starts[rows])

    @property
    def nbytes(self) -> int:
        return int(self._buffer.nbytes + self._ends.nbytes) + len(self._tail) + self._tail_ends.nbytes


def _slices(buffer: memoryview | bytearray, ends: IntArray, index: IntArray) -> list[str]:
    stops = ends[index].tolist()
    starts = np.where(index > 0, ends[np.maximum(index - 1, 0)], 0).tolist()
    return [str(buffer[a:b], "utf-8") for a, b in zip(starts, stops, strict=True)]
