"""The candidate index's storage: its columns, texts and lookup tables (`IndexStore`), built in
bulk (`build`, with `index_build`), kept fresh one entity at a time (`upsert`, `remove`, merged by
`compact`) and measured (`stats`). `index.CandidateIndex` adds the lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from matching import characters
from matching.index_arrays import Column, IntArray, Table, Texts
from matching.index_build import Part, build_in_processes, build_part, worker_count
from matching.index_rows import Row, candidate_rows
from matching.parse import ParsedName, parse_name
from matching.types import Candidate

COMPACT_AT = 0.05  # merge the additions once they exceed this share of the base (and 10,000)


class IndexStore:
    """The rows of listed names, in columns and tables, and their upkeep; see `index` for what a
    row keeps and `CandidateIndex` for how it is looked up."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._entity = Column(np.int64)
        self._kind = Column(np.uint8)
        self._live = Column(np.bool_)
        self._code = Column("S18")
        self._trade = Column(np.int64)  # hash of the 字号
        self._industry = Column(np.uint32)  # small ids of the parts, for ranking
        self._region = Column(np.uint32)
        self._form = Column(np.uint16)
        self._trade_skip = Column(np.uint8)
        self._names = Texts()
        self._trades = Texts()  # StoredName.trade_ext, for rejecting candidates before parsing
        # Small ids for the parts used in ranking (行业 words, 行政区划 codes, 组织形式); 0 = none.
        self._part_ids: dict[object, int] = {"": 0, frozenset(): 0, (): 0}
        self._parts: list[object] = [frozenset()]
        self._exact = Table()
        self._grams = Table()
        self._slips = Table()
        self._slip_sole: IntArray = np.zeros(0, dtype=np.int64)  # see `_sole_trades`
        self._by_entity = Table()
        self._entities = 0

    # --- building and keeping fresh ---------------------------------------------------------

    def build(self, candidates: Iterable[Candidate], workers: int | None = None) -> None:
        """Index these entities, replacing everything indexed before (a later row for the same
        entity id replaces an earlier one).

        A large build is shared among `workers` forked processes (None: as many as there are
        CPUs, up to 4, for 200,000 entities and more, when the process has a single thread and
        can fork; 1: never). Each builds the rows of its share; this process merges them."""
        items = list({c.entity_id: c for c in candidates}.values())
        self._reset()
        characters.load()  # once here, rather than in each worker
        count = worker_count(len(items), workers)
        parts = build_in_processes(items, count) if count > 1 else None
        self._merge(parts or [build_part(items)])

    def _merge(self, parts: list[Part]) -> None:
        """Adopt the rows built in `parts`, in order, as the base of the index."""
        rows = 0
        exact_keys, exact_rows, gram_keys, gram_rows, slip_keys, slip_rows = [], [], [], [], [], []
        for part in parts:
            ids = np.fromiter((self._part_id(v) for v in part.parts), dtype=np.uint32, count=len(part.parts))
            part.industry, part.region = ids[part.industry], ids[part.region]
            part.form = ids[part.form].astype(np.uint16)
            exact_keys.append(part.exact_keys)
            exact_rows.append(part.exact_rows + np.uint32(rows))
            gram_keys.append(part.gram_keys)
            gram_rows.append(part.gram_rows + np.uint32(rows))
            slip_keys.append(part.slip_keys)
            slip_rows.append(part.slip_rows + np.uint32(rows))
            rows += len(part.entity)

        def joined(name: str) -> np.ndarray[Any, Any]:
            return np.concatenate([getattr(part, name) for part in parts])

        self._entity = Column.of(joined("entity"))
        self._kind = Column.of(joined("kind"))
        self._live = Column.of(np.ones(rows, dtype=np.bool_))
        self._code = Column.of(joined("code"))
        self._trade = Column.of(joined("trade"))
        self._industry = Column.of(joined("industry"))
        self._region = Column.of(joined("region"))
        self._form = Column.of(joined("form"))
        self._trade_skip = Column.of(joined("skip"))
        self._names = Texts.joined([(part.names, part.name_ends) for part in parts])
        self._trades = Texts.joined([(part.trades, part.trade_ends) for part in parts])
        self._exact = Table.from_pairs(np.concatenate(exact_keys), np.concatenate(exact_rows))
        self._grams = Table.from_pairs(np.concatenate(gram_keys), np.concatenate(gram_rows))
        self._slips = Table.from_pairs(np.concatenate(slip_keys), np.concatenate(slip_rows))
        self._slip_sole = self._sole_trades()
        self._by_entity = Table.from_pairs(self._entity.values.copy(), np.arange(rows, dtype=np.uint32))
        self._entities = len(self._by_entity.keys)

    def upsert(self, candidate: Candidate) -> None:
        """Index an entity's current names and code, replacing what was indexed for it."""
        self._drop(candidate.entity_id)
        added = False
        parsed = [parse_name(record.name) for record in candidate.names]
        for r in self._rows(candidate, parsed):
            row = len(self._entity)
            self._entity.append(r.entity)
            self._kind.append(r.kind)
            self._live.append(True)
            self._code.append(r.code)
            self._trade.append(r.trade)
            self._industry.append(r.industry)
            self._region.append(r.region)
            self._form.append(r.form)
            self._trade_skip.append(r.trade_skip)
            self._names.append(r.text)
            self._trades.append(r.trade_ext)
            for key in r.exact:
                self._exact.add(key, row)
            for key in r.grams:
                self._grams.add(key, row)
            for key in r.slips:
                self._slips.add(key, row)
            self._by_entity.add(r.entity, row)
            added = True
        if added:
            self._entities += 1
        if self._grams.added_count > max(10_000, COMPACT_AT * len(self._grams.rows)) or (
            self._slips.added_count > max(10_000, COMPACT_AT * len(self._slips.rows))
        ):
            self.compact()

    def _rows(self, candidate: Candidate, names: list[ParsedName]) -> Iterator[Row]:
        """What the index keeps of each usable name of a candidate (`names`: its names parsed)."""
        return candidate_rows(candidate, names, self._part_id)

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
        for name in ("_exact", "_grams", "_slips", "_by_entity"):
            table: Table = getattr(self, name)
            keys, rows = table.pairs()
            keep = live[rows]
            setattr(self, name, Table.from_pairs(keys[keep], rows[keep]))
        self._slip_sole = self._sole_trades()

    def _sole_trades(self) -> IntArray:
        """For each slip key of the base, the hash of the one 字号 filed under it, or 0 when there
        are several: most keys hold one 字号 only, and a search for that 字号 need not read them
        (a slip is another 字号)."""
        table = self._slips
        if not len(table.keys):
            return np.zeros(0, dtype=np.int64)
        trades = self._trade.values[table.rows]
        starts = table.starts[:-1]
        low, high = np.minimum.reduceat(trades, starts), np.maximum.reduceat(trades, starts)
        return np.where(low == high, low, 0).astype(np.int64)

    def _part_id(self, part: object) -> int:
        found = self._part_ids.get(part)
        if found is None:
            found = self._part_ids[part] = len(self._parts)
            self._parts.append(part)
        return found

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
        table_bytes = sum(t.nbytes for t in (self._exact, self._grams, self._slips, self._by_entity))
        text_bytes = self._names.nbytes + self._trades.nbytes
        return {
            "entities": self._entities,
            "names": int(self._live.values.sum()),
            "rows": len(self._entity),
            "grams": len(self._grams.keys),
            "postings": len(self._grams.rows) + self._grams.added_count,
            "slip_postings": len(self._slips.rows) + self._slips.added_count,
            "pending_additions": self._grams.added_count,
            "column_bytes": column_bytes,
            "table_bytes": table_bytes,
            "text_bytes": text_bytes,
            "approx_bytes": column_bytes + table_bytes + text_bytes + 200 * len(self._part_ids),
        }
