"""Publication periods (公示期限) by the dated rule sets, and the catalogue that holds them.

Each test's docstring names the rule it pins and its source; the dates sit on both sides of
every change of rules.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from registry.catalogue import CatalogueError, load_catalogue
from registry.publication import Decider, add_months, default_severity, publication_window

CATALOGUE = load_catalogue()
SHIPPED = Path(__file__).resolve().parents[2] / "registry" / "catalogue"
ZHEJIANG = Decider("finance", "330000")
SAMR_HANGZHOU = Decider("market_supervision", "330100")
SHENZHEN = Decider("housing_construction", "440300")
SHENZHEN_DISTRICT = Decider("market_supervision", "440304")
HEILONGJIANG = Decider("housing_construction", "230000")


def window(
    decided_on: dt.date,
    severity: str,
    categories: list[str],
    violation_type: str = "提供虚假材料",
    decider: Decider = ZHEJIANG,
    procedure: str | None = None,
    catalogue=CATALOGUE,
):
    return publication_window(
        catalogue,
        decided_on=decided_on,
        severity=severity,
        categories=categories,
        violation_type=violation_type,
        decider=decider,
        procedure=procedure,
    )


@pytest.mark.parametrize(
    ("decided_on", "severity", "rule_set", "repair_from", "ends_on"),
    [
        # 发改办财金〔2017〕1171号: 1 year, 3 years for 严重失信, no tiers and no early end
        (dt.date(2018, 3, 10), "general", "ndrc-2017", dt.date(2019, 3, 10), dt.date(2019, 3, 10)),
        (dt.date(2018, 3, 10), "serious", "ndrc-2017", dt.date(2021, 3, 10), dt.date(2021, 3, 10)),
        # 发改办财金〔2019〕527号: general 3 months–1 year, serious 6 months–3 years
        (dt.date(2020, 3, 10), "general", "ndrc-2019", dt.date(2020, 6, 10), dt.date(2021, 3, 10)),
        (dt.date(2020, 3, 10), "serious", "ndrc-2019", dt.date(2020, 9, 10), dt.date(2023, 3, 10)),
        # Order 58 (2023-05-01) up to the day before Order 36
        (dt.date(2026, 3, 31), "serious", "ndrc-order-58", dt.date(2027, 3, 31), dt.date(2029, 3, 31)),
        # Order 36 (2026-04-01): general 3 months–1 year, serious 1–3 years
        (dt.date(2026, 4, 1), "general", "ndrc-order-36", dt.date(2026, 7, 1), dt.date(2027, 4, 1)),
        (dt.date(2026, 5, 1), "serious", "ndrc-order-36", dt.date(2027, 5, 1), dt.date(2029, 5, 1)),
    ],
)
def test_period_follows_the_national_rule_set_in_force_on_the_decision_date(
    decided_on, severity, rule_set, repair_from, ends_on
):
    """The rule set in force on the decision date applies (发改办财金〔2017〕1171号, 〔2019〕527号,
    国家发展改革委令第58号, 第36号); old records keep the rules they were decided under."""
    got = window(decided_on, severity, ["罚款"])
    assert (got.rule_set, got.repair_from, got.ends_on) == (rule_set, repair_from, ends_on)
    assert got.starts_on == decided_on
    assert got.publishable


def test_longest_period_of_several_categories_applies():
    """One decision with several 处罚类别: the longest period applies (国办发〔2025〕22号)."""
    got = window(dt.date(2026, 5, 1), "general", ["罚款", "吊销许可证件"])
    assert got.tier == "serious"
    assert got.ends_on == dt.date(2029, 5, 1)


class TestOrder36Minor:
    """国家发展改革委令第36号 (from 2026-04-01): 轻微 — 简易程序, 警告, 通报批评 — is in principle not
    published; a sector rule may publish it for at most 3 months; 仅警告 is never published."""

    def test_simple_procedure_warning_and_circular_are_minor_unless_recorded_otherwise(self):
        """Order 36: a 简易程序 decision, a 警告 or a 通报批评 is 轻微 when the authority records no severity."""
        day = dt.date(2026, 6, 1)
        assert (
            default_severity(CATALOGUE, decided_on=day, procedure="simple", categories=["罚款"], decider=ZHEJIANG)
            == "minor"
        )
        assert (
            default_severity(CATALOGUE, decided_on=day, procedure=None, categories=["通报批评"], decider=ZHEJIANG)
            == "minor"
        )
        assert (
            default_severity(CATALOGUE, decided_on=day, procedure="ordinary", categories=["罚款"], decider=ZHEJIANG)
            is None
        )

    def test_a_minor_fine_of_2026_is_not_published(self):
        """Order 36: 轻微 not published by default (before it, Order 58 published a minor fine for 3 months)."""
        now = window(dt.date(2026, 6, 1), "minor", ["罚款"], procedure="simple")
        assert not now.publishable
        assert "原则上不予公示" in (now.note or "")
        before = window(dt.date(2026, 3, 31), "minor", ["罚款"])
        assert before.rule_set == "ndrc-order-58"
        assert before.publishable
        assert before.ends_on == dt.date(2026, 6, 30)

    def test_warning_only_is_never_published_whatever_the_severity(self):
        """Order 36: a decision whose only 处罚类别 is 警告 is not published, even typed as 严重."""
        for severity in ("minor", "general", "serious"):
            assert not window(dt.date(2026, 6, 1), severity, ["警告"]).publishable
        assert window(dt.date(2026, 6, 1), "general", ["警告", "罚款"]).publishable

    def test_a_sector_rule_publishes_minor_records_for_at_most_three_months(self, tmp_path):
        """Order 36: a sector may publish 轻微 records, for at most 3 months; only where its rule reaches."""
        folder = _copy(tmp_path)
        rules = json.loads((folder / "publication_rules.json").read_text(encoding="utf-8"))
        rules["minor_publication"] = [
            {
                "sectors": ["housing_construction"],
                "region": "330000",
                "max_months": 2,
                "source": "某省住建厅文件（测试）",
                "certainty": "likely",
            }
        ]
        (folder / "publication_rules.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
        edited = load_catalogue(folder)
        builder = Decider("housing_construction", "330100")
        got = window(dt.date(2026, 6, 1), "minor", ["罚款"], decider=builder, catalogue=edited)
        assert got.publishable
        assert got.ends_on == dt.date(2026, 8, 1)
        assert not window(dt.date(2026, 6, 1), "minor", ["罚款"], decider=HEILONGJIANG, catalogue=edited).publishable
        assert not window(dt.date(2026, 6, 1), "minor", ["警告"], decider=builder, catalogue=edited).publishable
        rules["minor_publication"][0]["max_months"] = 4
        (folder / "publication_rules.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(CatalogueError, match="at most 3 months"):
            load_catalogue(folder)


class TestMarketSupervision:
    """市场监督管理 authorities follow SAMR's own rules: 总局令第45号 (from 2021-09-01) and 第107号
    (from 2025-12-25): only 普通程序 decisions are published, 仅警告 never; 通报批评 or a low fine
    for 3 months, others 3 years; no early end for 责令停产停业, 限制开展生产经营活动, 降低资质等级,
    吊销许可证件."""

    def test_rule_sets_by_date(self):
        """Order 45 from 2021-09-01, Order 107 from 2025-12-25; before Order 45 the national rules."""
        assert window(dt.date(2021, 8, 31), "general", ["罚款"], decider=SAMR_HANGZHOU).rule_set == "ndrc-2019"
        assert window(dt.date(2021, 9, 1), "general", ["罚款"], decider=SAMR_HANGZHOU).rule_set == "samr-order-45"
        assert window(dt.date(2025, 12, 24), "general", ["罚款"], decider=SAMR_HANGZHOU).rule_set == "samr-order-45"
        assert window(dt.date(2025, 12, 25), "general", ["罚款"], decider=SAMR_HANGZHOU).rule_set == "samr-order-107"
        assert window(dt.date(2026, 6, 1), "general", ["罚款"], decider=ZHEJIANG).rule_set == "ndrc-order-36"

    def test_only_ordinary_procedure_is_published(self):
        """SAMR: decisions of 简易程序 are not published; a record without its procedure counts as 普通程序."""
        assert not window(
            dt.date(2026, 6, 1), "general", ["罚款"], decider=SAMR_HANGZHOU, procedure="simple"
        ).publishable
        assert window(dt.date(2026, 6, 1), "general", ["罚款"], decider=SAMR_HANGZHOU, procedure="ordinary").publishable
        assert window(dt.date(2026, 6, 1), "general", ["罚款"], decider=SAMR_HANGZHOU).publishable

    def test_warning_only_is_not_published_and_a_circular_runs_three_months(self):
        """SAMR: 仅警告 not published; 通报批评 or a low fine (recorded 轻微) 3 months; others 3 years."""
        assert not window(dt.date(2026, 6, 1), "minor", ["警告"], decider=SAMR_HANGZHOU).publishable
        circular = window(dt.date(2026, 6, 1), "minor", ["通报批评"], decider=SAMR_HANGZHOU)
        assert circular.publishable
        assert circular.ends_on == dt.date(2026, 9, 1)
        other = window(dt.date(2026, 6, 1), "general", ["罚款"], decider=SAMR_HANGZHOU)
        assert other.ends_on == dt.date(2029, 6, 1)

    def test_no_early_end_for_suspension_and_revocation(self):
        """SAMR: 责令停产停业, 限制开展生产经营活动, 降低资质等级, 吊销许可证件 run to the maximum."""
        got = window(dt.date(2026, 6, 1), "serious", ["罚款", "吊销许可证件"], decider=SAMR_HANGZHOU)
        assert got.repair_from == got.ends_on == dt.date(2029, 6, 1)
        national = window(dt.date(2026, 6, 1), "serious", ["罚款", "吊销许可证件"], decider=ZHEJIANG)
        assert national.repair_from < national.ends_on


class TestLocalMinimum:
    """One city's practice (深圳市, 440300): 1 year minimum for 特种设备, 安全生产, 消防 penalties.
    Local: binds only that city's authorities; never raises a 轻微 record; never lifts a minimum
    above its maximum."""

    def test_applies_in_the_city_and_its_districts_only(self):
        """A safety penalty in Shenzhen: minimum 1 year; the same penalty in Heilongjiang: 3 months."""
        city = window(dt.date(2026, 6, 1), "serious", ["罚款"], violation_type="违反安全生产管理规定", decider=SHENZHEN)
        assert city.repair_from == dt.date(2027, 6, 1)
        district = window(
            dt.date(2026, 6, 1), "serious", ["罚款"], violation_type="违反消防安全管理规定", decider=SHENZHEN_DISTRICT
        )
        assert district.repair_from == dt.date(2027, 6, 1)
        north = window(
            dt.date(2026, 6, 1), "general", ["罚款"], violation_type="违反安全生产管理规定", decider=HEILONGJIANG
        )
        assert north.repair_from == dt.date(2026, 9, 1)
        assert north.ends_on == dt.date(2027, 6, 1)

    def test_never_lifts_a_minor_record_or_a_minimum_above_its_maximum(self):
        """The local minimum stays within the tier: 一般 (max 1 year) gets min 1 year, max 1 year; 轻微
        keeps its cap (Order 58: 3 months)."""
        general = window(dt.date(2026, 6, 1), "general", ["罚款"], violation_type="特种设备违法", decider=SHENZHEN)
        assert general.repair_from == general.ends_on == dt.date(2027, 6, 1)
        minor = window(dt.date(2026, 3, 1), "minor", ["罚款"], violation_type="特种设备违法", decider=SHENZHEN)
        assert minor.ends_on == dt.date(2026, 6, 1)
        assert minor.repair_from == dt.date(2026, 3, 1)


def test_month_ends_are_clamped():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_records_before_any_rule_set_use_the_earliest():
    assert window(dt.date(2016, 6, 1), "general", ["罚款"]).rule_set == "ndrc-2017"


def test_every_rule_set_names_its_document_and_certainty():
    """Rules stay data with their source: each set names its document; an uncertain start date says so."""
    for rule_set in CATALOGUE.rule_sets:
        assert rule_set.document.strip()
        assert rule_set.certainty in ("firm", "likely")
    for rule in (*CATALOGUE.sector_minimums, *CATALOGUE.minor_publication):
        assert rule.source
        assert rule.scope.region or rule.scope.sectors


def _copy(tmp_path: Path) -> Path:
    for name in ("publication_rules.json", "deadlines.json", "lists.json"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def test_an_edited_copy_overrides_the_shipped_file(tmp_path):
    folder = _copy(tmp_path)
    rules = json.loads((folder / "publication_rules.json").read_text(encoding="utf-8"))
    national = next(r for r in rules["rule_sets"] if r["code"] == "ndrc-order-36")
    national["tiers"]["general"]["max_months"] = 18
    (folder / "publication_rules.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    got = window(dt.date(2026, 5, 1), "general", ["罚款"], catalogue=load_catalogue(folder))
    assert got.ends_on == dt.date(2027, 11, 1)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["rule_sets"][0]["tiers"].pop("serious"), "tiers must name serious"),
        (lambda r: r["rule_sets"][0]["category_tiers"].pop("警告"), "every 处罚类别"),
        (lambda r: r["rule_sets"][0]["tiers"]["general"].update(min_months=24), "min_months exceeds"),
        (lambda r: r["rule_sets"][1].update(category_tiers="nope"), "unknown rule set"),
        (lambda r: r["rule_sets"][2].update(effective_from="2018-01-01"), "in order of effective_from"),
        (lambda r: r["rule_sets"][2].update(region="440300"), "local rules belong"),
        (lambda r: r["sector_minimums"][0].pop("region"), "names its sectors or its region"),
        (lambda r: r["sector_minimums"][0].update(source=""), "names its source"),
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
