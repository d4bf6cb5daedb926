"""The screening benchmark at a tiny size: the generator, the labels, the in-process harness and
the registry loader. It checks that every figure is reported and that the labels hold together;
it asserts nothing about timings (performance is the benchmark's business, not the suite's)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from api.app import create_app
from benchmarks import dataset, screening
from benchmarks.baseline import BruteForceMatcher
from benchmarks.inprocess import MatcherFactory, find_matcher
from benchmarks.registry_load import load_registry
from registry import access
from registry.codes import uscc
from registry.database import db
from registry.ledger import verify_audit_chain
from registry.models import Entity, ListEntry

ENTITIES, QUERIES = 300, 50


@pytest.fixture(scope="module")
def data() -> dataset.Dataset:
    return dataset.generate(ENTITIES, QUERIES, seed=11)


def test_generation_is_deterministic(data: dataset.Dataset) -> None:
    again = dataset.generate(ENTITIES, QUERIES, seed=11)
    assert [e.candidate() for e in again.entities] == [e.candidate() for e in data.entities]
    assert again.queries == data.queries


def test_entities_are_well_formed(data: dataset.Dataset) -> None:
    assert [e.entity_id for e in data.entities] == list(range(1, ENTITIES + 1))
    assert all(uscc.is_valid(e.code) for e in data.entities)
    names = [n for e in data.entities for n in (e.name, *e.former_names)]
    assert len(set(names)) == len(names)
    assert any(e.former for e in data.entities)
    assert any(e.parts.bracketed for e in data.entities)


def test_labels_are_consistent(data: dataset.Dataset) -> None:
    assert len(data.queries) == QUERIES
    assert dataset.check_labels(data) == []
    kinds = {q.kind for q in data.queries}
    assert kinds == {"positive", "negative", "bad"}
    ids = {e.entity_id for e in data.entities}
    for q in data.queries:
        assert (q.expected in ids) if q.expected is not None else q.family in (
            *dataset.NEGATIVE_FAMILIES, *dataset.BAD_FAMILIES)


def test_the_label_check_catches_a_listed_name_labelled_no_match(data: dataset.Dataset) -> None:
    negative = next(q for q in data.queries if q.kind == "negative")
    listed = data.entities[0]
    wrong = dataclasses.replace(negative, parts=listed.parts, region=listed.region.code)
    broken = dataclasses.replace(data, queries=[wrong])
    assert any("is a listed name" in p for p in dataset.check_labels(broken))


def _matchers() -> list[object]:
    factory, source = find_matcher()
    real = (pytest.param((factory, source), id="matching")
            if factory else pytest.param((None, source), id="matching", marks=pytest.mark.skip(reason=source)))
    return [pytest.param((BruteForceMatcher, "benchmarks.baseline:BruteForceMatcher"), id="baseline"), real]


@pytest.mark.parametrize("matcher", _matchers())
def test_in_process_report_has_every_figure(data: dataset.Dataset, matcher: tuple[MatcherFactory, str]) -> None:
    factory, source = matcher
    report, _ = screening.run_in_process(ENTITIES, QUERIES, matcher=factory, matcher_source=source,
                                         log=lambda _: None, data=data)
    report["http"] = {"measured": False, "reason": "not in the smoke test"}
    report["targets"] = screening.evaluate_targets(report)

    assert screening.missing_figures(report) == []
    quality = report["matcher"]["quality"]
    assert quality["positives"] + quality["negatives"] == QUERIES
    assert report["baseline"]["sample"]["queries"] == QUERIES
    assert sum(report["dataset"]["families"].values()) == QUERIES
    assert [t["verdict"] for t in report["targets"]][-1] == "n/a"  # HTTP not measured, and said so
    assert all(t["verdict"] in ("PASS", "FAIL") for t in report["targets"][:-1])
    text = screening.format_report(report)
    assert "HTTP: not measured" in text
    assert "throughput vs brute force" in text


def test_a_missing_matcher_is_reported_not_faked(data: dataset.Dataset) -> None:
    report, _ = screening.run_in_process(ENTITIES, QUERIES, matcher=None, matcher_source="no matcher here",
                                         log=lambda _: None, data=data)
    report["http"] = {"measured": False, "reason": "not in the smoke test"}
    report["targets"] = screening.evaluate_targets(report)

    assert screening.missing_figures(report) == []
    assert report["matcher"] == {"available": False, "source": None, "missing": "no matcher here"}
    assert report["ratios"]["throughput"] is None
    assert {t["verdict"] for t in report["targets"]} == {"n/a"}
    assert "MISSING (no matcher here)" in screening.format_report(report)


def test_the_registry_loader_writes_valid_rows(tmp_path: Path, data: dataset.Dataset) -> None:
    small = dataclasses.replace(data, entities=data.entities[:40])
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'bench.db'}",
                      "DATA_KEY": "benchmark-smoke-test-secret"})
    with app.app_context():
        upgrade()
    loaded = load_registry(app, small, batch=15)

    with app.app_context():
        session = db.session
        assert verify_audit_chain(session).ok
        assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) == 40
        today = app.extensions["registry"].clock.today()
        entries = session.scalars(sa.select(ListEntry)).all()
        assert len(entries) == 40
        assert all(entry.in_force_on(today) for entry in entries)
        renamed = next(e for e in small.entities if e.former)
        stored = session.get(Entity, renamed.entity_id)
        assert stored is not None
        assert stored.snapshot()["names"][1]["name"] == renamed.former_names[0]
        assert stored.uscc == renamed.code
        assert access.authenticate(session, loaded.screener_key) is not None
        db.engine.dispose()
