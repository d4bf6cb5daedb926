"""The candidate index: listed names by exact key and by trade-name bigrams, in numpy arrays.

Every name of every listed entity is a row with an integer id. A row keeps only what candidate
generation needs, in fixed-width columns (about 70 bytes a name, text included as UTF-8):
the entity id, the kind of name, whether it is live, the entity's code, hashes and small ids
of its parts (字号, 行业, 行政区划, 组织形式) for ranking, and its text for re-parsing when
it is scored.

Lookups are by 64-bit hashes (Python's `hash`, stable within a process; a collision only adds
a candidate that then scores low):

- exact keys: the entity's valid code, each name's exact key, and for a branch its head's key;
- postings: the bigrams of each name's 字号 (a one-character 字号 is its own gram).

After `build` both live in sorted arrays (CSR: sorted keys, offsets, row ids). Later changes
go to small dicts beside them and dead rows are masked, so an upsert costs microseconds; when
the additions grow past a fraction of the base they are merged in (`compact`).

Candidate generation never scans the names: it reads the postings of the query's grams
(rarest first, at most `MAX_POSTINGS` rows in all), counts the grams each row shares, ranks
rows by that count and by agreement on 字号, 行业, 行政区划 and 组织形式 (vectorised), and
returns the top `k`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.codes import valid_code
from matching.parse import ParsedName, parse_name, trade_with_region
from matching.types import Candidate, NameKind

MAX_POSTINGS = 20_000  # rows read from postings per query, at most
COMPACT_AT = 0.05  # merge the additions once they exceed this share of the base (and 10,000)

_KINDS: tuple[NameKind, ...] = ("current", "former", "alias")
_KIND_ID = {kind: i for i, kind in enumerate(_KINDS)}

IntArray = npt.NDArray[np.int64]
RowArray = npt.NDArray[np.uint32]


class _Column:
    """A typed numpy column that grows by doubling."""

    def __init__(self, dtype: Any, capacity: int = 1024) -> None:
        self._data: np.ndarray[Any, Any] = np.zeros(max(capacity, 16), dtype=dtype)
        self._size = 0

    @classmethod
    def of(cls, values: np.ndarray[Any, Any]) -> _Column:
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


class _Table:
    """A multimap from int64 keys to row ids: a sorted base plus a dict of additions."""

    def __init__(self) -> None:
        self.keys: IntArray = np.zeros(0, dtype=np.int64)  # sorted, unique
        self.starts: IntArray = np.zeros(1, dtype=np.int64)  # rows of keys[i]: rows[starts[i]:starts[i+1]]
        self.rows: RowArray = np.zeros(0, dtype=np.uint32)
        self.added: dict[int, list[int]] = {}
        self.added_count = 0

    @classmethod
    def from_pairs(cls, keys: IntArray, rows: RowArray) -> _Table:
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
        base = (
            int(self.starts[i + 1] - self.starts[i])
            if i < len(self.keys) and self.keys[i] == key
            else 0
        )
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

    def pairs(self) -> tuple[IntArray, RowArray]:
        """Every (key, row), base and additions."""
        counts = np.diff(self.starts)
        keys = [np.repeat(self.keys, counts)]
        rows = [self.rows]
        if self.added:
            keys.append(
                np.fromiter(
                    (k for k, rs in self.added.items() for _ in rs), dtype=np.int64, count=self.added_count
                )
            )
            rows.append(
                np.fromiter(
                    (r for rs in self.added.values() for r in rs), dtype=np.uint32, count=self.added_count
                )
            )
        return np.concatenate(keys), np.concatenate(rows)

    @property
    def nbytes(self) -> int:
        # the additions: about 100 bytes per entry in dicts and lists of ints
        return int(self.keys.nbytes + self.starts.nbytes + self.rows.nbytes) + 100 * self.added_count


class _Texts:
    """Strings kept as one UTF-8 buffer and their end offsets (about 3 bytes a character)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._ends = _Column(np.int64)

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


@dataclass(frozen=True, slots=True)
class StoredName:
    """One indexed name of a listed entity."""

    row: int
    entity_id: int
    text: str  # as the registry gave it
    kind: NameKind
    code: str | None  # the entity's code, when valid
    trade_ext: str  # the 字号 with the region written just before it (for a branch: the head's)
    trade_skip: int  # how many characters of trade_ext are that region

    @property
    def trade_name(self) -> str:
        return self.trade_ext[self.trade_skip :]


def grams(name: ParsedName) -> set[str]:
    """The postings a name is filed under: the bigrams of its 字号 (for a branch, the head's)."""
    trade = name.trade_name or name.core
    if len(trade) < 2:
        return {trade} if trade else set()
    return {trade[i : i + 2] for i in range(len(trade) - 1)}


def _numpy(values: array[int], dtype: Any) -> np.ndarray[Any, Any]:
    """A numpy copy of an array.array (same item size: the buffer is reinterpreted)."""
    return np.frombuffer(values, dtype=dtype).copy() if len(values) else np.zeros(0, dtype=dtype)


def _exact_name_key(key: str) -> int:
    return hash("n\x00" + key)


def _exact_head_key(key: str) -> int:
    return hash("h\x00" + key)


def _exact_code_key(code: str) -> int:
    return hash("c\x00" + code)


class CandidateIndex:
    """Listed names, found by code, by exact name, as a branch's head, or by shared bigrams."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._entity = _Column(np.int64)
        self._kind = _Column(np.uint8)
        self._live = _Column(np.bool_)
        self._code = _Column("S18")
        self._trade = _Column(np.int64)  # hash of the 字号
        self._industry = _Column(np.uint32)  # small ids of the parts, for ranking
        self._region = _Column(np.uint32)
        self._form = _Column(np.uint16)
        self._trade_skip = _Column(np.uint8)
        self._names = _Texts()
        self._trades = _Texts()  # StoredName.trade_ext, for rejecting candidates before parsing
        self._part_ids: dict[object, int] = {"": 0, frozenset(): 0}
        self._exact = _Table()
        self._grams = _Table()
        self._by_entity = _Table()
        self._entities = 0

    # --- building and keeping fresh ---------------------------------------------------------

    def build(self, candidates: Iterable[Candidate]) -> None:
        """Index these entities, replacing everything indexed before (a later row for the same
        entity id replaces an earlier one)."""
        latest: dict[int, Candidate] = {c.entity_id: c for c in candidates}
        self._reset()
        # array.array, not lists: 8 bytes an entry, no int objects (millions of entries)
        exact_keys, exact_rows = array("q"), array("I")
        gram_keys, gram_rows = array("q"), array("I")

        def exact(key: int, row: int) -> None:
            exact_keys.append(key)
            exact_rows.append(row)

        def gram(key: int, row: int) -> None:
            gram_keys.append(key)
            gram_rows.append(row)

        for candidate in latest.values():
            self._append(candidate, exact, gram)
        rows = len(self._entity)
        self._exact = _Table.from_pairs(_numpy(exact_keys, np.int64), _numpy(exact_rows, np.uint32))
        self._grams = _Table.from_pairs(_numpy(gram_keys, np.int64), _numpy(gram_rows, np.uint32))
        self._by_entity = _Table.from_pairs(self._entity.values.copy(), np.arange(rows, dtype=np.uint32))
        self._entities = len(self._by_entity.keys)

    def upsert(self, candidate: Candidate) -> None:
        """Index an entity's current names and code, replacing what was indexed for it."""
        self._drop(candidate.entity_id)
        if self._append(candidate, self._exact.add, self._grams.add):
            self._entities += 1
        if self._grams.added_count > max(10_000, COMPACT_AT * len(self._grams.rows)):
            self.compact()

    def _append(
        self,
        candidate: Candidate,
        exact: Callable[[int, int], None],
        gram: Callable[[int, int], None],
    ) -> bool:
        """Add rows for a candidate's names; False if none of them was usable."""
        entity_code = valid_code(candidate.code)
        code = entity_code.encode() if entity_code else b""
        added = False
        for record in candidate.names:
            parsed = parse_name(record.name)
            if parsed.is_empty:
                continue
            row = len(self._entity)
            self._entity.append(candidate.entity_id)
            self._kind.append(_KIND_ID[record.kind])
            self._live.append(True)
            self._code.append(code)
            self._trade.append(hash(parsed.trade_name))
            self._industry.append(self._part_id(parsed.industry_text))
            self._region.append(self._part_id(parsed.region_codes))
            self._form.append(self._part_id(parsed.legal_form))
            self._names.append(record.name)
            trade_ext, skip = trade_with_region(parsed)
            self._trades.append(trade_ext)
            self._trade_skip.append(skip)
            exact(_exact_name_key(parsed.key), row)
            if parsed.branch is not None:
                exact(_exact_head_key(parsed.branch.head.key), row)
            if entity_code:
                exact(_exact_code_key(entity_code), row)
            for text in grams(parsed):
                gram(hash(text), row)
            added = True
        return added

    def remove(self, entity_id: int) -> bool:
        """Forget an entity; False if it was not indexed."""
        return self._drop(entity_id)

    def _drop(self, entity_id: int) -> bool:
        rows = self._by_entity.get(entity_id)
        if len(rows) == 0:
            return False
        live = self._live.values
        if not live[rows].any():
            return False
        live[rows] = False
        self._entities -= 1
        return True

    def compact(self) -> None:
        """Merge the additions into the sorted arrays and drop dead rows from them."""
        live = self._live.values
        for name in ("_exact", "_grams", "_by_entity"):
            table: _Table = getattr(self, name)
            keys, rows = table.pairs()
            keep = live[rows]
            setattr(self, name, _Table.from_pairs(keys[keep], rows[keep]))

    def _part_id(self, part: object) -> int:
        found = self._part_ids.get(part)
        if found is None:
            found = self._part_ids[part] = len(self._part_ids)
        return found

    # --- looking up -------------------------------------------------------------------------

    def _live_rows(self, rows: RowArray) -> RowArray:
        return rows[self._live.values[rows]] if len(rows) else rows

    def by_code(self, code: str) -> RowArray:
        """Rows of the names of the entity with this (valid, normalised) code."""
        return self._live_rows(self._exact.get(_exact_code_key(code)))

    def by_key(self, key: str) -> RowArray:
        """Rows whose exact key is `key`."""
        return self._live_rows(self._exact.get(_exact_name_key(key)))

    def branches_of(self, key: str) -> RowArray:
        """Rows of listed branches whose head company's exact key is `key`."""
        return self._live_rows(self._exact.get(_exact_head_key(key)))

    def rows_of(self, entity_id: int) -> RowArray:
        """Live rows of an entity's names."""
        return self._live_rows(self._by_entity.get(entity_id))

    def by_grams(self, name: ParsedName, k: int) -> RowArray:
        """The `k` live rows that best share the query's 字号 bigrams, ranked (vectorised) by the
        number of grams shared, then agreement on 字号, 行业, 行政区划 and 组织形式."""
        keys = sorted((hash(g) for g in grams(name)), key=self._grams.size)
        parts: list[RowArray] = []
        total = 0
        for key in keys:
            posting = self._grams.get(key)
            if total and total + len(posting) > MAX_POSTINGS:
                break
            parts.append(posting[:MAX_POSTINGS])
            total += len(parts[-1])
        if not total:
            return np.zeros(0, dtype=np.uint32)
        rows: RowArray
        shared: IntArray
        if len(parts) > 1:
            rows, shared = np.unique(np.concatenate(parts), return_counts=True)
        else:
            rows, shared = parts[0], np.ones(len(parts[0]), dtype=np.int64)
        live = self._live.values[rows]
        rows, shared = rows[live], shared[live]
        if len(rows) <= k:
            return np.asarray(rows, dtype=np.uint32)
        rank = shared.astype(np.int32) * 16
        rank += (self._trade.values[rows] == hash(name.trade_name)) * 8
        ids = self._part_ids
        industry = ids.get(name.industry_text, -1)
        region = ids.get(name.region_codes, -1)
        form = ids.get(name.legal_form, -1)
        if industry > 0:
            rank += (self._industry.values[rows] == industry) * 4
        if region > 0:
            rank += (self._region.values[rows] == region) * 2
        if form > 0:
            rank += self._form.values[rows] == form
        top = np.argpartition(-rank, k - 1)[:k]
        return np.asarray(rows[top], dtype=np.uint32)

    def stored(self, rows: RowArray) -> list[StoredName]:
        """The names at `rows`."""
        if not len(rows):
            return []
        return [
            StoredName(row, entity, text, _KINDS[kind], code.decode() or None, trade, skip)
            for row, entity, text, kind, code, trade, skip in zip(
                rows.tolist(),
                self._entity.values[rows].tolist(),
                self._names.get_many(rows),
                self._kind.values[rows].tolist(),
                self._code.values[rows].tolist(),
                self._trades.get_many(rows),
                self._trade_skip.values[rows].tolist(),
                strict=True,
            )
        ]

    def __len__(self) -> int:
        """The number of entities indexed."""
        return self._entities

    def stats(self) -> dict[str, int]:
        """Sizes and an estimate of the memory held, in bytes."""
        columns = (
            self._entity,
            self._kind,
            self._live,
            self._code,
            self._trade,
            self._industry,
            self._region,
            self._form,
            self._trade_skip,
        )
        column_bytes = sum(c.nbytes for c in columns)
        table_bytes = sum(t.nbytes for t in (self._exact, self._grams, self._by_entity))
        text_bytes = self._names.nbytes + self._trades.nbytes
        return {
            "entities": self._entities,
            "names": int(self._live.values.sum()),
            "rows": len(self._entity),
            "grams": len(self._grams.keys),
            "postings": len(self._grams.rows) + self._grams.added_count,
            "pending_additions": self._grams.added_count,
            "column_bytes": column_bytes,
            "table_bytes": table_bytes,
            "text_bytes": text_bytes,
            "approx_bytes": column_bytes + table_bytes + text_bytes + 200 * len(self._part_ids),
        }
