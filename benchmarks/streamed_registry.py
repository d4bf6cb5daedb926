"""The screening benchmark's registry past a million listed entities, generated in chunks.

The generator keeps what it has taken (every name's key, each 字号's places and sectors, every
组织机构代码) so that no name or code is listed twice, and a generated entity is about 1.2 KB of
Python objects with what it takes: ten million of them, their `Candidate` rows and an index
build do not fit together on a 24 GiB machine. So `generate`:

1. makes the first `base` entities (1,000,000, or the size if smaller) and the labelled queries
   exactly as `dataset.generate(base, queries, seed)` does: a `--sizes 1000000` run's registry
   and queries, so recall and precision at 10M are measured on the very queries of 1M;
2. goes on from the generator's state (the same random stream) with entities base+1 … size, in
   the same shares (6 % 个体工商户, confusers, former names …; the last 2 % of them companies in
   autonomous areas or registered as （中国）, as `distinction_families.add_entities` makes them),
   under the same rules, and in addition never where a labelled query needs no listed entity
   (`reservations`): no listed name a query writes, no 字号 of a "no match" query in its places,
   no 字号 and sector of a positive variant near its entity, no 字号 and sector of a
   `region_dropped` query anywhere;
3. keeps every `chunk` entities as UTF-8 text (id, code, names: about 100 bytes an entity) and
   drops their objects; the generator's state is dropped once the registry is complete.

The labels are then checked (`dataset.check_labels`) on the first entities and every later one
that carries a 字号 the labelled set names (`Streamed.checked`): the check's rules are per
字号 and per name, so that is the check on the whole registry. The entities do not depend on the
chunk size: a chunk is only where the text is cut.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from benchmarks import distinction_families, names
from benchmarks.dataset import labelled
from benchmarks.dataset_types import Dataset, ListedEntity, NameParts
from benchmarks.label_check import check_labels
from benchmarks.name_rules import Entry, overlap, same_line_nearby, scopes, sector_of
from benchmarks.synthetic_registry import SyntheticRegistry, generate_entities
from matching.types import Candidate, NameRecord

BASE = 1_000_000  # the first entities and the labelled queries are those of a registry of this size
CHUNK = 500_000  # entities per chunk of text (and per index part)
SHOP_SHARE = 0.06  # 个体工商户 among the listed: `synthetic_registry`'s share (private there)


@dataclass
class Reserved:
    """What entities after the base may not take with one 字号, for the labels to hold."""

    keys: set[tuple[str, str, str, str]] = field(default_factory=set)  # names a query writes
    places: list[tuple[str, ...]] = field(default_factory=list)  # scopes of "no match" queries: any sector
    lines: list[Entry] = field(default_factory=list)  # (scopes, sector, -1) of positive variants
    anywhere: set[str] = field(default_factory=set)  # sectors of `region_dropped` entities, in any place

    def refuses(self, parts: NameParts, where: tuple[str, ...]) -> bool:
        sector = sector_of(parts.industry)
        return (
            parts.key in self.keys
            or sector in self.anywhere
            or same_line_nearby(self.lines, where, sector)
            or any(overlap(place, where) for place in self.places)
        )


class _Unkept(set[str]):
    """A set that keeps nothing: the generator adds every code to `codes` and never reads it."""

    def add(self, element: str, /) -> None:
        return None


@dataclass
class StreamedRegistry(SyntheticRegistry):
    """The generator's state, claiming no name a reservation refuses (`reserved`, by 字号)."""

    reserved: dict[str, Reserved] = field(default_factory=dict)

    def claim(self, parts: NameParts, region: names.Region, entity_id: int) -> bool:
        held = self.reserved.get(parts.trade)
        if held is not None and held.refuses(parts, scopes(region, parts.region)):
            return False
        return super().claim(parts, region, entity_id)


def reservations(data: Dataset) -> dict[str, Reserved]:
    """What the labelled queries need no later entity to take (the rules of `check_labels`)."""
    by_id = {e.entity_id: e for e in data.entities}
    regions = {r.code: r for r in names.regions()}
    regions.update((e.region.code, e.region) for e in data.entities)  # autonomous areas too
    held: dict[str, Reserved] = defaultdict(Reserved)
    for q in data.queries:
        entity = by_id.get(q.expected) if q.expected is not None else None
        if q.family == "region_dropped" and entity is not None:
            held[entity.parts.trade].anywhere.add(sector_of(entity.parts.industry))
        p = q.parts
        if p is None:
            continue
        held[p.trade].keys.add(p.key)
        if q.expected is None and q.region in regions:
            held[p.trade].places.append(scopes(regions[q.region], p.region))
        elif entity is not None and p.region:
            held[p.trade].lines.append((entity.scopes, sector_of(p.industry), -1))
    return dict(held)


def checked_trades(data: Dataset) -> set[str]:
    """The 字号 the label check looks at: the queries' (and theirs less one character, for
    `neg_trade_extra_char`) and those of the entities the positives name."""
    by_id = {e.entity_id: e for e in data.entities}
    trades: set[str] = set()
    for q in data.queries:
        if q.parts is not None:
            trades.add(q.parts.trade)
            trades.update(q.parts.trade[:i] + q.parts.trade[i + 1 :] for i in range(len(q.parts.trade)))
        if q.expected is not None:
            trades.add(by_id[q.expected].parts.trade)
    return trades


def encode(entity: ListedEntity) -> str:
    """One entity as a line of a chunk: id, code, current name, former names, tab-separated."""
    return "\t".join((str(entity.entity_id), entity.code, entity.name, *entity.former_names))


def candidates(chunk: bytes) -> list[Candidate]:
    """The `Candidate` rows of a chunk's entities (as `ListedEntity.candidate` makes them). The
    cyclic garbage collector is paused meanwhile, as `index_build.build_part` pauses it: these
    objects make no cycles, and collections over the process's other objects would cost more
    than making them."""
    found: list[Candidate] = []
    collecting = gc.isenabled()
    gc.disable()
    try:
        for line in chunk.decode().split("\n"):
            entity_id, code, name, *former = line.split("\t")
            records = (NameRecord(name, "current"), *(NameRecord(n, "former") for n in former))
            found.append(Candidate(entity_id=int(entity_id), names=records, code=code))
    finally:
        if collecting:
            gc.enable()
    return found


@dataclass
class Streamed:
    """A registry generated in chunks (see the module's doc)."""

    data: Dataset  # the first `base` entities and the labelled queries
    size: int
    base: int
    chunk: int
    chunks: list[bytes]  # every entity in id order, `chunk` to a chunk
    checked: list[ListedEntity]  # entities after the base that carry a 字号 the label check looks at
    seconds: dict[str, float]  # "base" (its entities), "queries", "rest" (the entities after the base)

    def check_labels(self) -> list[str]:
        """`dataset.check_labels` on the base and `checked`: the labels against the whole registry."""
        return check_labels(dataclasses.replace(self.data, entities=[*self.data.entities, *self.checked]))

    def all_candidates(self) -> Iterator[Candidate]:
        for chunk in self.chunks:
            yield from candidates(chunk)


class _Chunker:
    """Entities as lines of text, `size` lines to a chunk."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lines: list[str] = []
        self.chunks: list[bytes] = []

    def add(self, entities: Iterable[ListedEntity]) -> None:
        for entity in entities:
            self.lines.append(encode(entity))
            if len(self.lines) == self.size:
                self.flush()

    def flush(self) -> None:
        if self.lines:
            self.chunks.append("\n".join(self.lines).encode())
            self.lines.clear()


def generate(
    size: int,
    queries: int,
    *,
    seed: int = 2026,
    base: int = BASE,
    chunk: int = CHUNK,
    trades: tuple[str, ...] | None = None,
    check_all: bool = False,
    log: Callable[[str], None] = print,
) -> Streamed:
    """`size` listed entities in chunks of `chunk`, the first `base` and the labelled queries as
    `dataset.generate(base, queries, seed=seed)` makes them (see the module's doc); `check_all`:
    keep every entity after the base in `checked`, not only those the label check looks at."""
    base = min(base, size)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    first = generate_entities(base, seed=seed, trades=trades)
    seconds["base"] = time.perf_counter() - started
    started = time.perf_counter()
    data = labelled(first, queries, seed=seed, trades=trades)
    seconds["queries"] = time.perf_counter() - started
    started = time.perf_counter()
    chunker = _Chunker(chunk)
    chunker.add(data.entities)
    # From here the state is the streamed registry's; the dataset keeps its own lists.
    values = {f.name: getattr(first, f.name) for f in dataclasses.fields(first)}
    values.update(entities=[], areas={}, national=[], codes=_Unkept())
    state = StreamedRegistry(**values, reserved=reservations(data))
    del first, values
    wanted = checked_trades(data)
    checked: list[ListedEntity] = []

    def keep(entities: list[ListedEntity]) -> None:
        checked.extend(e for e in entities if check_all or any(p.trade in wanted for p in (e.parts, *e.former)))
        chunker.add(entities)

    extra = distinction_families.extras(size - base)
    batch: list[ListedEntity] = []
    for entity_id in range(base + 1, size - extra + 1):
        make = state.shop if state.rng.random() < SHOP_SHARE else state.company
        batch.append(make(entity_id))
        if len(batch) == 10_000:
            keep(batch)
            batch = []
        if entity_id % 1_000_000 == 0:
            log(f"  generated {entity_id:,} entities ({time.perf_counter() - started:.0f} s after the first {base:,})")
    keep(batch)
    if extra:
        distinction_families.add_entities(state, size - extra + 1, extra)
        keep(state.entities)
    chunker.flush()
    seconds["rest"] = time.perf_counter() - started
    return Streamed(data, size, base, chunk, chunker.chunks, checked, seconds)
