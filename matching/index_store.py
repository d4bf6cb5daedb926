"""The candidate index's storage: its columns, texts and lookup tables (`IndexStore`), built in
bulk (`build`, with `index_build`) or adopted from an index file (`adopt`, with `index_file`),
kept fresh one entity at a time (`upsert`, `remove`), merged by `compact` and measured (`stats`).
`index.CandidateIndex` adds the lookups.

The store keeps a base (`index_base.Base`) it never writes, and beside it what changed since:
rows appended, rows killed, keys added. `compact` makes a new base of the live rows (renumbered,
in order) and adopts it; `export` makes that base without adopting it, for a file. A store whose
base is mapped from a file does not compact itself (`auto_compact` False): its owner writes a new
file instead (`needs_compaction`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from matching import characters, index_base
from matching.index_arrays import Column, IntArray, Liveness, RowArray, Table, Texts
from matching.index_base import Base
from matching.index_build import build_in_processes, build_part, worker_count
from matching.index_rows import Row, candidate_rows
from matching.parse import ParsedName, parse_name
from matching.types import Candidate

COMPACT_AT = 0.05  # merge the additions once they exceed this share of the base (and 10,000)


class IndexStore:
    """The rows of listed names, in columns and tables, and their upkeep; see `index` for what a
    row keeps and `CandidateIndex` for how it is looked up."""

    def __init__(self) -> None:
        self.auto_compact = True
        self.adopt(index_base.empty())

    def adopt(self, base: Base) -> None:
        """Make `base` the index, forgetting everything else (its arrays are not copied)."""
        a = base.arrays
        self._base = base
        self._entity = Column.of(a["entity"])
        self._kind = Column.of(a["kind"])
        self._code = Column.of(a["code"])
        self._trade = Column.of(a["trade"])  # hash of the 字号
        self._industry = Column.of(a["industry"])  # small ids of the parts, for ranking
        self._region = Column.of(a["region"])
        self._form = Column.of(a["form"])
        self._trade_skip = Column.of(a["skip"])
        self._live = Liveness(base.rows)
        self._names = Texts(a["names"], a["names_ends"])
        self._trades = Texts(a["trades"], a["trades_ends"])  # StoredName.trade_ext, for the pre-test
        self._exact = self._table(a, "exact")
        self._grams = self._table(a, "grams")
        self._slips = self._table(a, "slips")
        self._by_entity = self._table(a, "by_entity")
        self._slip_sole: IntArray = a[index_base.SLIP_SOLE]  # see `index_base.sole_trades`
        # Small ids for the parts used in ranking (行业 words, 行政区划 codes, 组织形式); 0 = none.
        self._parts: list[object] = list(base.parts)
        self._part_ids: dict[object, int] = {"": 0, frozenset(): 0, (): 0}
        for i, value in enumerate(self._parts[1:], start=1):
            self._part_ids[value] = i
        self._entities = base.entities

    @staticmethod
    def _table(arrays: index_base.Arrays, name: str) -> Table:
        return Table(arrays[f"{name}_keys"], arrays[f"{name}_starts"], arrays[f"{name}_rows"])

    # --- building and keeping fresh ---------------------------------------------------------

    def build(self, candidates: Iterable[Candidate], workers: int | None = None) -> None:
        """Index these entities, replacing everything indexed before (a later row for the same
        entity id replaces an earlier one).

        A large build is shared among `workers` forked processes (None: as many as there are
        CPUs, up to 4, for 200,000 entities and more, when the process has a single thread and
        can fork; 1: never). Each builds the rows of its share; this process merges them."""
        items = list({c.entity_id: c for c in candidates}.values())
        self.adopt(index_base.empty())
        characters.load()  # once here, rather than in each worker
        count = worker_count(len(items), workers)
        parts = build_in_processes(items, count) if count > 1 else None
        self.adopt(index_base.from_parts(parts or [build_part(items)]))

    def upsert(self, candidate: Candidate) -> None:
        """Index an entity's current names and code, replacing what was indexed for it."""
        self._drop(candidate.entity_id)
        added = False
        parsed = [parse_name(record.name) for record in candidate.names]
        for r in self._rows(candidate, parsed):
            row = len(self._entity)
            self._entity.append(r.entity)
            self._kind.append(r.kind)
            self._live.append()
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
        if self.auto_compact and self.needs_compaction():
            self.compact()

    def _rows(self, candidate: Candidate, names: list[ParsedName]) -> Iterator[Row]:
        """What the index keeps of each usable name of a candidate (`names`: its names parsed)."""
        return candidate_rows(candidate, names, self._part_id)

    def remove(self, entity_id: int) -> bool:
        """Forget an entity; False if it was not indexed."""
        return self._drop(entity_id)

    def _drop(self, entity_id: int) -> bool:
        rows = self._by_entity.get(entity_id)
        if len(rows) == 0 or not self._live.kill(rows):
            return False
        self._entities -= 1
        return True

    def needs_compaction(self) -> bool:
        """Whether the additions exceed `COMPACT_AT` of the base (and 10,000)."""
        return self._grams.added_count > max(10_000, COMPACT_AT * len(self._grams.rows)) or (
            self._slips.added_count > max(10_000, COMPACT_AT * len(self._slips.rows))
        )

    def compact(self) -> None:
        """Merge the additions into the sorted arrays and drop the dead rows (the live ones are
        numbered again, in order)."""
        self.adopt(self.export())

    def export(self) -> Base:
        """The live rows as a base, numbered again in order: the base itself when nothing
        changed since it was adopted."""
        if not self._changed():
            return self._base
        live = self._live.mask()
        keep: IntArray = np.flatnonzero(live)
        renumber = np.zeros(len(live), dtype=np.uint32)
        renumber[keep] = np.arange(len(keep), dtype=np.uint32)
        columns = {
            name: column.values()[keep]
            for name, column in (
                ("entity", self._entity),
                ("kind", self._kind),
                ("code", self._code),
                ("trade", self._trade),
                ("industry", self._industry),
                ("region", self._region),
                ("form", self._form),
                ("skip", self._trade_skip),
            )
        }
        texts = {"names": self._names.select(keep), "trades": self._trades.select(keep)}
        pairs: dict[str, tuple[IntArray, RowArray]] = {}
        for name, table in (("exact", self._exact), ("grams", self._grams), ("slips", self._slips)):
            keys, rows = table.pairs()
            alive = live[rows]
            pairs[name] = (keys[alive], renumber[rows[alive]])
        return index_base.assemble(columns, texts, pairs, list(self._parts))

    def _changed(self) -> bool:
        return bool(
            len(self._entity) != self._base.rows
            or self._live.dead
            or len(self._parts) != len(self._base.parts)
            or any(t.added_count for t in (self._exact, self._grams, self._slips, self._by_entity))
        )

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
        """Sizes and an estimate of the memory held, in bytes (a mapped base counted in full)."""
        columns: tuple[Column, ...] = (
            self._entity,
            self._kind,
            self._code,
            self._trade,
            self._industry,
            self._region,
            self._form,
            self._trade_skip,
        )
        column_bytes = sum(c.nbytes for c in columns) + self._live.nbytes
        table_bytes = sum(t.nbytes for t in (self._exact, self._grams, self._slips, self._by_entity))
        text_bytes = self._names.nbytes + self._trades.nbytes
        return {
            "entities": self._entities,
            "names": len(self._live),
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
