"""Publication periods (公示期限) by the dated rule sets, and the catalogue that holds them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from registry.catalogue import CatalogueError, load_catalogue
from registry.publication import add_months, publication_window

CATALOGUE = load_catalogue()
SHIPPED = Path(__file__).resolve().parents[2] / "registry" / "catalogue"


def window(decided_on: dt.date, severity: str, categories: list[str], violation_type: str = "提供虚假材料"):
    return publication_window(CATALOGUE, decided_on=decided_on, severity=severity, categories=categories,
                              violation_type=violation_type, authority_region="330000")


@pytest.mark.parametrize(
    ("decided_on", "severity", "rule_set", "repair_from", "ends_on"),
    [
        # 2019 rules: general 3 months–1 year, serious 6 months–3 years
        (dt.date(2020, 3, 10), "general", "ndrc-2019", dt.date(2020, 6, 10), dt.date(2021, 3, 10)),
        (dt.date(2020, 3, 10), "serious", "ndrc-2019", dt.date(2020, 9, 10), dt.date(2023, 3, 10)),
        # current tiers: general 3 months–1 year, serious 1–3 years
        (dt.date(2026, 5, 1), "general", "ndrc-order-36", dt.date(2026, 8, 1), dt.date(2027, 5, 1)),
        (dt.date(2026, 5, 1), "serious", "ndrc-order-36", dt.date(2027, 5, 1), dt.date(2029, 5, 1)),
        (dt.date(2026, 5, 1), "minor", "ndrc-order-36", dt.date(2026, 5, 1), dt.date(2026, 8, 1)),
        # Order 58 (2023-05-01) to Order 36 (2026-04-01): the rule set in force on the decision date
        (dt.date(2026, 3, 31), "serious", "ndrc-order-58", dt.date(2027, 3, 31), dt.date(2029, 3, 31)),
    ],
)
def test_period_follows_the_rule_set_in_force_on_the_decision_date(decided_on, severity, rule_set, repair_from, ends_on):
    got = window(decided_on, severity, ["罚款"])
    assert (got.rule_set, got.repair_from, got.ends_on) == (rule_set, repair_from, ends_on)
    assert got.starts_on == decided_on
    assert got.publishable


def test_longest_period_of_several_categories_applies():
    got = window(dt.date(2026, 5, 1), "general", ["罚款", "吊销许可证件"])
    assert got.tier == "serious"
    assert got.ends_on == dt.date(2029, 5, 1)


def test_minor_warning_only_is_not_published_but_a_minor_fine_is():
    assert not window(dt.date(2026, 5, 1), "minor", ["警告"]).publishable
    assert not window(dt.date(2026, 5, 1), "minor", ["警告", "通报批评"]).publishable
    assert window(dt.date(2026, 5, 1), "minor", ["警告", "罚款"]).publishable


def test_sector_minimum_raises_the_minimum():
    got = window(dt.date(2026, 5, 1), "general", ["罚款"], violation_type="违反消防安全管理规定")
    assert got.repair_from == dt.date(2027, 5, 1)
    assert got.ends_on == dt.date(2027, 5, 1)


def test_month_ends_are_clamped():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_records_before_any_rule_set_use_the_earliest():
    assert window(dt.date(2017, 6, 1), "general", ["罚款"]).rule_set == "ndrc-2019"


def _copy(tmp_path: Path) -> Path:
    for name in ("publication_rules.json", "deadlines.json", "lists.json"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def test_an_edited_copy_overrides_the_shipped_file(tmp_path):
    folder = _copy(tmp_path)
    rules = json.loads((folder / "publication_rules.json").read_text(encoding="utf-8"))
    rules["rule_sets"][-1]["tiers"]["general"]["max_months"] = 18
    (folder / "publication_rules.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    edited = load_catalogue(folder)
    got = publication_window(edited, decided_on=dt.date(2026, 5, 1), severity="general", categories=["罚款"],
                             violation_type="x", authority_region="330000")
    assert got.ends_on == dt.date(2027, 11, 1)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["rule_sets"][0]["tiers"].pop("serious"), "tiers must be exactly"),
        (lambda r: r["rule_sets"][0]["category_tiers"].pop("警告"), "every 处罚类别"),
        (lambda r: r["rule_sets"][0]["tiers"]["general"].update(min_months=24), "min_months exceeds"),
        (lambda r: r["rule_sets"][1].update(category_tiers="nope"), "unknown rule set"),
        (lambda r: r["rule_sets"][2].update(effective_from="2018-01-01"), "in order of effective_from"),
    ],
)
def test_a_broken_catalogue_is_refused_naming_the_entry(tmp_path, edit, message):
    folder = _copy(tmp_path)
    rules = json.loads((folder / "publication_rules.json").read_text(encoding="utf-8"))
    edit(rules)
    (folder / "publication_rules.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(folder)


def test_unreadable_file_is_named(tmp_path):
    folder = _copy(tmp_path)
    (folder / "lists.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogueError, match="lists.json"):
        load_catalogue(folder)
