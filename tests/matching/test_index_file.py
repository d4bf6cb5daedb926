"""Index files: a mapped index plus this process's changes answers exactly as an index built in
memory given the same operations; the file is whole or refused; the mapped arrays stay shared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import Candidate, NamePartsMatcher, NameRecord, Query
from matching.codes import check_character, organisation_check
from matching.index_file import BuildLock, IndexFileError, open_base, read_manifest, signature
from matching.index_rows import key_hash

REGIONS = ["杭州", "宁波", "上海", "温州", "杭州市西湖区", ""]
TRADES = ["合晟", "合胜", "合盛", "华宇", "华予", "恒通", "恒同", "瑞丰", "金源", "金圆", "新世纪", "博远"]
INDUSTRIES = ["建设工程", "建筑", "科技", "物流", "贸易", "医药", ""]
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
BRANCHES = ["", "", "", "宁波分公司", "瑞安分公司"]
KINDS = ["current", "former", "alias"]


def code(n: int) -> str:
    organisation = f"MA{n:06d}"[-8:]
    first17 = "91330106" + organisation + organisation_check(organisation)
    return first17 + check_character(first17)


names = st.builds(
    lambda r, t, i, f, b: f"{r}{t}{i}{f}{b}",
    st.sampled_from(REGIONS),
    st.sampled_from(TRADES),
    st.sampled_from(INDUSTRIES),
    st.sampled_from(FORMS),
    st.sampled_from(BRANCHES),
)
records = st.lists(st.tuples(names, st.sampled_from(KINDS)), min_size=1, max_size=3)
candidates = st.builds(
    lambda entity_id, recs, coded: Candidate(
        entity_id, tuple(NameRecord(n, k) for n, k in recs), code(entity_id) if coded else None
    ),
    st.integers(1, 60),
    records,
    st.booleans(),
)
operations = st.lists(st.one_of(candidates, st.integers(1, 70)), max_size=25)  # an int: remove it


def queries(known: list[Candidate]) -> list[Query]:
    found = [
        Query(name=f"{r}{t}{i}{f}") for r in REGIONS[:3] for t in TRADES for i in INDUSTRIES[:3] for f in FORMS[:1]
    ]
    found += [Query(name=n.name) for c in known for n in c.names]
    found += [Query(code=code(i)) for i in range(1, 71, 7)]
    found += [Query(name="合晟建设工程有限公司宁波分公司"), Query(name="杭州合胜建设工程有限公司", code=code(3))]
    return found


def answers(matcher: NamePartsMatcher, asked: list[Query]) -> list[object]:
    return [matcher.search(q, limit=20) for q in asked]


def apply(matcher: NamePartsMatcher, ops: list[Candidate | int]) -> None:
    for op in ops:
        if isinstance(op, int):
            matcher.remove(op)
        else:
            matcher.upsert(op)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(candidates, max_size=40), operations, operations)
def test_a_mapped_index_with_changes_answers_as_one_in_memory(built, changes, more):
    with tempfile.TemporaryDirectory() as tmp:
        memory = NamePartsMatcher()
        memory.build(built)
        writer = NamePartsMatcher()
        writer.build(built)
        mapped = NamePartsMatcher.from_file(writer.write_file(Path(tmp), {}))
        asked = queries([*built, *(c for c in changes + more if isinstance(c, Candidate))])
        assert answers(mapped, asked) == answers(memory, asked)
        apply(memory, changes)
        apply(mapped, changes)
        assert answers(mapped, asked) == answers(memory, asked)
        assert mapped.stats() == memory.stats()
        # a compaction: in memory the arrays are merged; over a file a new file is written and mapped
        memory.compact()
        mapped = NamePartsMatcher.from_file(mapped.write_file(Path(tmp), {}))
        assert answers(mapped, asked) == answers(memory, asked)
        apply(memory, more)
        apply(mapped, more)
        assert answers(mapped, asked) == answers(memory, asked)
        assert len(mapped) == len(memory)


def sample() -> list[Candidate]:
    return [
        Candidate(i, (NameRecord(f"{r}{t}{ind}有限公司"),), code(i))
        for i, (r, t, ind) in enumerate(((r, t, ind) for r in REGIONS[:4] for t in TRADES for ind in INDUSTRIES[:4]), 1)
    ]


@pytest.fixture
def written(tmp_path):
    matcher = NamePartsMatcher()
    matcher.build(sample())
    return matcher, matcher.write_file(tmp_path, {"outbox": {"seq": 7}})


def test_the_manifest_describes_the_file(written, tmp_path):
    matcher, manifest = written
    raw = json.loads((tmp_path / "manifest.json").read_text())
    assert raw["format"] == 1
    assert raw["matcher"]["name"] == matcher.name
    assert raw["matcher"]["version"] == matcher.version
    assert len(raw["matcher"]["fingerprint"]) == 32
    assert raw["counts"] == {"entities": len(sample()), "rows": len(sample()), "parts": manifest.counts["parts"]}
    assert raw["size"] == (tmp_path / raw["data"]).stat().st_size
    assert raw["extra"] == {"outbox": {"seq": 7}}
    assert read_manifest(tmp_path) == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["manifest.json", raw["data"]])


def test_mapped_arrays_are_shared_and_never_copied_by_changes(written):
    _, manifest = written
    mapped = NamePartsMatcher.from_file(manifest)
    store = mapped._index
    bases = {name: getattr(store, name)._base for name in ("_entity", "_trade", "_region", "_code")}
    grams = store._grams.rows
    for array in (*bases.values(), grams, store._names._buffer):
        assert not array.flags.writeable
        assert not array.flags.owndata  # a view of the mapping, not a copy
    mapped.upsert(Candidate(999, (NameRecord("嘉兴恒通物流有限公司"),), None))
    mapped.remove(1)
    mapped.remove(2)
    for name, base in bases.items():
        assert getattr(store, name)._base is base
    assert store._grams.rows is grams
    assert [h.entity_id for h in mapped.search(Query(name="嘉兴恒通物流有限公司"))] == [999]
    assert not store.auto_compact


def test_a_damaged_or_truncated_file_is_refused(written):
    _, manifest = written
    data = bytearray(manifest.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    manifest.path.write_bytes(bytes(data))
    with pytest.raises(IndexFileError, match="checksum"):
        open_base(manifest)
    manifest.path.write_bytes(bytes(data[:-10]))
    with pytest.raises(IndexFileError, match="bytes"):
        open_base(manifest)


def test_a_file_of_another_matcher_version_is_refused(written, tmp_path):
    _, manifest = written
    raw = json.loads((tmp_path / "manifest.json").read_text())
    raw["matcher"]["fingerprint"] = "0" * 32
    (tmp_path / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(IndexFileError, match="fingerprint"):
        NamePartsMatcher.from_file(read_manifest(tmp_path))


def test_a_new_file_is_swapped_in_and_the_old_one_keeps_serving_its_mapper(written, tmp_path):
    matcher, first = written
    mapped = NamePartsMatcher.from_file(first)
    before = signature(tmp_path)
    matcher.upsert(Candidate(999, (NameRecord("嘉兴恒通物流有限公司"),), None))
    second = matcher.write_file(tmp_path, {})
    assert signature(tmp_path) != before
    assert not first.path.exists()
    assert second.path.exists()
    # the old file is gone from the directory, not from the process that maps it
    assert mapped.search(Query(name="杭州合晟建设工程有限公司"))[0].match == "exact"
    assert [h.entity_id for h in NamePartsMatcher.from_file(second).search(Query(name="嘉兴恒通物流有限公司"))] == [999]


def test_the_lock_admits_one_writer(tmp_path):
    first, second = BuildLock(tmp_path), BuildLock(tmp_path)
    assert first.acquire(wait=0)
    with second.held(0.1) as locked:
        assert not locked
    first.release()
    with second.held(0) as locked:
        assert locked


def test_keys_hash_the_same_in_every_process(tmp_path):
    """A file written by a process with another hash seed answers as an index built here."""
    script = (
        "import sys; from pathlib import Path\n"
        "from matching.index_rows import key_hash\n"
        "from matching import NamePartsMatcher\n"
        "from tests.matching.test_index_file import sample\n"
        "m = NamePartsMatcher(); m.build(sample()); m.write_file(Path(sys.argv[1]), {})\n"
        "print(key_hash('合\\x00sheng\\x00'))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == key_hash("合\x00sheng\x00")
    mapped = NamePartsMatcher.from_file(read_manifest(tmp_path))
    here = NamePartsMatcher()
    here.build(sample())
    asked = queries(sample())
    assert answers(mapped, asked) == answers(here, asked)
    assert np.array_equal(mapped._index._grams.keys, here._index._grams.keys)
