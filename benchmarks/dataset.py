"""A seeded registry of listed entities with realistic names, and a labelled set of queries.

Entities: 行政区划 + 字号 + 行业 + 组织形式 (杭州合晟建设工程有限公司, sometimes
合晟建设工程（杭州）有限公司), a valid 统一社会信用代码 each, some with a former name (曾用名),
some sharing a 字号 with another listed entity elsewhere (the confusers a matcher must keep
apart), a few 个体工商户 (西湖区合晟五金经营部).

Queries: for sampled listed entities, the name as bidders write it (every variant family in
`POSITIVE_FAMILIES`), each labelled with the entity it must find and the lowest match level at
which finding it is right (`found_at`: "strong", or "possible" for the `REVIEW_FAMILIES`, whose
names cannot tell the entity from another company: no region, or a 字号 one homophone off);
companies that are *not* listed but share a 字号, a region or an industry with one that is, or
whose 字号 is one (not homophone) character off a listed one, labelled "no match"; and bad
inputs (empty names, malformed codes).

The same seed gives the same data on every machine (nothing depends on set order or hashing).

The parts: the query families (`benchmarks.query_families`), the rules for when two names could
be one company (`benchmarks.name_rules`), the records (`benchmarks.dataset_types`), the registry
of listed entities (`benchmarks.synthetic_registry`), the queries made from it
(`benchmarks.query_maker`) and the check of the labels (`benchmarks.label_check`). This module
puts them together (`generate`) and re-exports their public names, which the benchmarks and
their tests use as `dataset.…`.
"""

from __future__ import annotations

import random

from benchmarks import names
from benchmarks.dataset_types import Dataset, FoundAt, LabelledQuery, ListedEntity, NameParts
from benchmarks.label_check import check_labels
from benchmarks.name_rules import (
    Entry,
    canonical_form,
    mistakable,
    one_character_off,
    overlap,
    same_line_nearby,
    scopes,
    sector_of,
)
from benchmarks.query_families import (
    BAD_FAMILIES,
    FAMILY_WEIGHTS,
    NEGATIVE_FAMILIES,
    POSITIVE_FAMILIES,
    REVIEW_FAMILIES,
)
from benchmarks.query_maker import PLACEHOLDERS, QueryMaker, extra_word
from benchmarks.synthetic_registry import (
    SyntheticRegistry,
    generate_entities,
    is_organisation_code,
    registration_number,
    weighted,
)

__all__ = [
    "BAD_FAMILIES",
    "FAMILY_WEIGHTS",
    "NEGATIVE_FAMILIES",
    "PLACEHOLDERS",
    "POSITIVE_FAMILIES",
    "REVIEW_FAMILIES",
    "Dataset",
    "Entry",
    "FoundAt",
    "LabelledQuery",
    "ListedEntity",
    "NameParts",
    "QueryMaker",
    "SyntheticRegistry",
    "canonical_form",
    "check_labels",
    "extra_word",
    "generate",
    "generate_entities",
    "is_organisation_code",
    "mistakable",
    "one_character_off",
    "overlap",
    "registration_number",
    "same_line_nearby",
    "scopes",
    "sector_of",
    "weighted",
]


def _allocate(total: int) -> dict[str, int]:
    """Split `total` queries over the families by weight (largest remainder, deterministic)."""
    weight_sum = sum(FAMILY_WEIGHTS.values())
    exact = {f: total * w / weight_sum for f, w in FAMILY_WEIGHTS.items()}
    counts = {f: int(v) for f, v in exact.items()}
    for f in sorted(exact, key=lambda f: (counts[f] - exact[f], f))[: total - sum(counts.values())]:
        counts[f] += 1
    return counts


def generate(entities: int, queries: int, *, seed: int = 2026, trades: tuple[str, ...] | None = None) -> Dataset:
    """The registry of `entities` listed entities and `queries` labelled queries, from `seed`."""
    return labelled(generate_entities(entities, seed=seed, trades=trades), queries, seed=seed, trades=trades)


def labelled(state: SyntheticRegistry, queries: int, *, seed: int, trades: tuple[str, ...] | None) -> Dataset:
    """The registry of `state` and `queries` labelled queries made from it (the streamed 10M
    benchmark makes its first million with `generate_entities` and its queries here, as
    `generate` does)."""
    s2t, how = names.converter("s2t")
    maker = QueryMaker(state, random.Random(seed + 1), s2t)  # noqa: S311 (test data, not secrets)
    made: list[LabelledQuery] = []
    for family, count in _allocate(queries).items():
        done = 0
        for _ in range(count * 50):
            if done == count:
                break
            query = maker.make(family)
            if query is not None:
                made.append(query)
                done += 1
    maker.rng.shuffle(made)
    return Dataset(
        seed=seed,
        entities=state.entities,
        queries=made,
        trade_name_source=names.trade_name_source() if trades is None else "given",
        trade_name_count=len(state.trades),
        traditional=how,
        areas=state.areas,
    )
