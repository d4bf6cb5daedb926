"""The streamed registry (`benchmarks.streamed_registry`, `benchmarks.screening_streamed`) at a
tiny size: its first entities and its queries are a smaller run's, the chunk size changes
nothing, the labels hold against the whole registry, and an index built chunk by chunk into parts
is the index a one-shot build makes, answering every labelled query alike once written and
mapped. It asserts nothing about timings (performance is the benchmark's business)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from benchmarks import dataset, distinction_families, screening_streamed, streamed_registry
from matching import index_base, index_file
from matching.index_build import build_part, worker_count
from matching.matcher import NamePartsMatcher
from matching.types import Hit, Matcher, Query

SIZE, BASE, CHUNK, QUERIES, SEED = 2_000, 1_000, 500, 120, 7


@pytest.fixture(scope="module")
def streamed() -> streamed_registry.Streamed:
    return streamed_registry.generate(
        SIZE, QUERIES, seed=SEED, base=BASE, chunk=CHUNK, check_all=True, log=lambda _: None
    )


def test_the_first_entities_and_the_queries_are_a_smaller_runs(streamed: streamed_registry.Streamed) -> None:
    smaller = dataset.generate(BASE, QUERIES, seed=SEED)
    assert streamed.data.queries == smaller.queries
    candidates = list(streamed.all_candidates())
    assert [c.entity_id for c in candidates] == list(range(1, SIZE + 1))
    assert candidates[:BASE] == [e.candidate() for e in smaller.entities]
    assert candidates[BASE:] == [e.candidate() for e in streamed.checked]
    assert len(streamed.chunks) == SIZE // CHUNK


def test_the_chunk_size_changes_no_entity(streamed: streamed_registry.Streamed) -> None:
    whole = streamed_registry.generate(SIZE, QUERIES, seed=SEED, base=BASE, chunk=SIZE, log=lambda _: None)
    assert len(whole.chunks) == 1
    assert list(whole.all_candidates()) == list(streamed.all_candidates())
    # without check_all, only the entities that carry a 字号 the label check looks at are kept
    assert 0 < len(whole.checked) < SIZE - BASE
    assert whole.check_labels() == []


def test_the_labels_hold_against_the_whole_registry(streamed: streamed_registry.Streamed) -> None:
    assert len(streamed.checked) == SIZE - BASE  # check_all: every entity after the base
    assert streamed.check_labels() == []
    # the last 2 % are the distinction families' companies, in autonomous areas or （中国）
    extra = streamed.checked[-distinction_families.extras(SIZE - BASE) :]
    assert {e.parts.region for e in extra} & {"中国"}
    assert all(e.parts.trade not in {f.parts.trade for f in streamed.data.entities} for e in extra)


def _answers(matcher: Matcher, queries: list[Query]) -> Iterator[list[Hit] | str]:
    for query in queries:
        try:
            yield matcher.search(query)
        except ValueError as exc:  # a subject with neither name nor code
            yield str(exc)


def test_an_index_built_in_parts_is_the_one_shot_index(streamed: streamed_registry.Streamed, tmp_path: Path) -> None:
    workers = worker_count(SIZE, 2)  # forked workers where this process may fork
    parts, cpu = screening_streamed.build_parts(streamed.chunks, workers, log=lambda _: None)
    assert cpu["build_cpu_seconds"] > 0
    chunked = index_base.from_parts(parts)
    candidates = list(streamed.all_candidates())
    whole = index_base.from_parts([build_part(candidates)])
    assert chunked.parts == whole.parts
    for name in index_base.array_names():
        np.testing.assert_array_equal(chunked.arrays[name], whole.arrays[name], err_msg=name)

    manifest = index_file.write(tmp_path, chunked, NamePartsMatcher.identity(), {})
    mapped = NamePartsMatcher.from_file(manifest)
    built = NamePartsMatcher(build_workers=1)
    built.build(candidates)
    assert len(mapped) == len(built) == SIZE
    queries = [q.query for q in streamed.data.queries]
    assert list(_answers(mapped, queries)) == list(_answers(built, queries))
