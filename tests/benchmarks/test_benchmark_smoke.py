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
        assert (
            (q.expected in ids)
            if q.expected is not None
            else q.family in (*dataset.NEGATIVE_FAMILIES, *dataset.BAD_FAMILIES)
        )


def test_the_label_check_catches_a_listed_name_labelled_no_match(data: dataset.Dataset) -> None:
    negative = next(q for q in data.queries if q.kind == "negative")
    listed = data.entities[0]
    wrong = dataclasses.replace(negative, parts=listed.parts, region=listed.region.code)
    broken = dataclasses.replace(data, queries=[wrong])
    assert any("is a listed name" in p for p in dataset.check_labels(broken))


def _matchers() -> list[object]:
    factory, source = find_matcher()
    real = (
        pytest.param((factory, source), id="matching")
        if factory
        else pytest.param((None, source), id="matching", marks=pytest.mark.skip(reason=source))
    )
    return [pytest.param((BruteForceMatcher, "benchmarks.baseline:BruteForceMatcher"), id="baseline"), real]


@pytest.mark.parametrize("matcher", _matchers())
def test_in_process_report_has_every_figure(data: dataset.Dataset, matcher: tuple[MatcherFactory, str]) -> None:
    factory, source = matcher
    report, _ = screening.run_in_process(
        ENTITIES, QUERIES, matcher=factory, matcher_source=source, log=lambda _: None, data=data
    )
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
    report, _ = screening.run_in_process(
        ENTITIES, QUERIES, matcher=None, matcher_source="no matcher here", log=lambda _: None, data=data
    )
    report["http"] = {"measured": False, "reason": "not in the smoke test"}
    report["targets"] = screening.evaluate_targets(report)

    assert screening.missing_figures(report) == []
    assert report["matcher"] == {"available": False, "source": None, "missing": "no matcher here"}
    assert report["ratios"]["throughput"] is None
    assert {t["verdict"] for t in report["targets"]} == {"n/a"}
    assert "MISSING (no matcher here)" in screening.format_report(report)


def test_the_registry_loader_writes_valid_rows(tmp_path: Path, data: dataset.Dataset) -> None:
    small = dataclasses.replace(data, entities=data.entities[:40])
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'bench.db'}", "DATA_KEY": "benchmark-smoke-test-secret"})
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


# --- the harder families ----------------------------------------------------------------------

NEW_FAMILIES = (
    "industry_synonym",
    "homophone_trade",
    "region_dropped_shared",
    "organisation_code",
    "registration_number_with_name",
    "neg_one_char_off_trade",
    "bad_placeholder",
)


@pytest.fixture(scope="module")
def larger() -> dataset.Dataset:
    return dataset.generate(3000, 400, seed=5)


def test_every_family_is_generated_and_labelled_consistently(larger: dataset.Dataset) -> None:
    counts = larger.family_counts()
    assert all(counts[f] > 0 for f in NEW_FAMILIES), counts
    assert dataset.check_labels(larger) == []
    for q in larger.queries:
        assert q.found_at == ("possible" if q.family in dataset.REVIEW_FAMILIES else "strong")


def test_a_homophone_query_differs_by_one_mistakable_character(larger: dataset.Dataset) -> None:
    by_id = {e.entity_id: e for e in larger.entities}
    for q in (q for q in larger.queries if q.family == "homophone_trade"):
        assert q.parts is not None
        assert q.expected is not None
        off = dataset.one_character_off(by_id[q.expected].parts.trade, q.parts.trade)
        assert off is not None
        assert dataset.mistakable(*off)
    for q in (q for q in larger.queries if q.family == "neg_one_char_off_trade"):
        assert q.parts is not None
        assert q.expected is None


def test_organisation_codes_are_those_inside_the_codes_and_unique(larger: dataset.Dataset) -> None:
    organisations = [e.code[8:17] for e in larger.entities]
    assert len(set(organisations)) == len(organisations)
    by_id = {e.entity_id: e for e in larger.entities}
    for q in (q for q in larger.queries if q.family == "organisation_code"):
        assert q.expected is not None
        assert q.query.name is None
        assert (q.query.code or "").replace("-", "").upper() == by_id[q.expected].code[8:17]


def test_the_label_check_catches_a_review_family_labelled_strong(larger: dataset.Dataset) -> None:
    review = next(q for q in larger.queries if q.family == "homophone_trade")
    broken = dataclasses.replace(larger, queries=[dataclasses.replace(review, found_at="strong")])
    assert any("found at strong" in p for p in dataset.check_labels(broken))
    other = next(q for q in larger.queries if q.family == "neg_one_char_off_trade")
    assert other.parts is not None
    same = dataclasses.replace(
        other,
        parts=dataclasses.replace(
            other.parts, trade=next(e for e in larger.entities if e.region.code == other.region).parts.trade
        ),
    )
    assert dataset.check_labels(dataclasses.replace(larger, queries=[same]))


def test_a_review_family_is_found_by_a_possible_hit_and_a_wrong_strong_hit_counts_against() -> None:
    from benchmarks.inprocess import evaluate
    from matching.types import Hit, Query

    review = dataset.LabelledQuery(Query(name="合胜建设工程有限公司"), "homophone_trade", 1, found_at="possible")
    plain = dataset.LabelledQuery(Query(name="杭州合晟建设工程有限公司"), "exact", 1)
    possible = [Hit(1, 80.0, "possible", "self", "杭州合晟建设工程有限公司")]
    wrong = [Hit(2, 90.0, "strong", "self", "上海合晟建设工程有限公司"), *possible]
    figures = evaluate([review, plain, review], [possible, possible, wrong])
    assert figures.per_family["homophone_trade"]["found"] == 2
    assert figures.per_family["homophone_trade"]["wrong_strong"] == 1
    assert figures.per_family["exact"]["found"] == 0  # the listed name itself must be found strong
    assert figures.recall == pytest.approx(2 / 3)
    assert figures.precision == 0.0


def test_the_distinction_families_are_generated_and_labelled() -> None:
    """The families for names that are two registered names (negatives: not blocked) and for
    autonomous-area regions and role notes (positives) are made, and their labels hold."""
    from benchmarks import distinction_families

    data = dataset.generate(2000, 600, seed=5)
    counts = data.family_counts()
    for family in (*distinction_families.POSITIVES, *distinction_families.NEGATIVES):
        assert counts[family] > 0, family
    assert dataset.check_labels(data) == []
    assert data.areas  # listed companies in autonomous areas
    broken = next(q for q in data.queries if q.family == "neg_trade_extra_char")
    assert broken.parts is not None
    wrong = dataclasses.replace(broken, parts=dataclasses.replace(broken.parts, trade=broken.parts.trade[::-1] + "某"))
    assert dataset.check_labels(dataclasses.replace(data, queries=[wrong])) != []


def test_fresh_trade_names_go_on_after_the_list_deterministically() -> None:
    """The list's names first, in its order and without the taken ones; then composed 字号 of 2 to 4
    Han characters that pass the list's rules, each once, never a list name, the same for one seed."""
    from benchmarks import names

    listed = ("合晟", "恒信达", "金源", "天宇通达")
    taken = {"金源"}
    stream = names.fresh_trade_names(7, taken=taken, trades=listed)
    assert [next(stream) for _ in range(3)] == ["合晟", "恒信达", "天宇通达"]
    taken.add("合达")  # read as the stream goes on
    composed = [next(stream) for _ in range(20)]
    assert len(set(composed)) == len(composed)
    assert not set(composed) & (set(listed) | taken)
    assert all(2 <= len(w) <= 4 and names.usable_trade(w) and not w.isascii() for w in composed)
    again = names.fresh_trade_names(7, taken=taken, trades=listed)
    assert [next(again) for _ in range(23)][3:] == composed
    with pytest.raises(ValueError, match="no 字号"):
        next(names.fresh_trade_names(1, trades=()))


def test_the_sample_is_enough_for_a_registry_larger_than_it() -> None:
    """With the demo's 3,000-name sample, the fresh 字号 the distinction families need past it are
    composed (10,000 entities used to run out of them)."""
    from benchmarks import names

    sample = names.trade_names(Path(__file__).resolve().parents[2] / names.DEMO_TRADE_NAMES)
    state = dataset.generate_entities(10_000, seed=3, trades=sample)
    assert len(state.entities) == 10_000
    composed = {e.parts.trade for e in state.entities} - set(sample)
    assert any(not w.isascii() for w in composed)
