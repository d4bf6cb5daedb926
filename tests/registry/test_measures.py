"""Joint-punishment measures (联合惩戒/激励措施): the catalogue's checks, and which measures apply."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from registry.catalogue import CatalogueError
from registry.errors import InvalidInput
from registry.messages import render
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.screening.measures import (
    Duration,
    Measure,
    Trigger,
    applicable_measures,
    load_measures,
    measures_by_entity,
    select_measures,
)
from registry.vocab import DOMAINS
from tests import factories

MEASURES = load_measures()
SHIPPED = Path(__file__).resolve().parents[2] / "registry" / "catalogue" / "measures.json"
TODAY = dt.date(2026, 11, 23)


def codes(hits) -> list[str]:
    return [hit.measure.code for hit in hits]


# --- the catalogue ---------------------------------------------------------------------------


def test_every_national_domain_has_a_block_measure_and_red_lists_give_incentives():
    """The domains of 国办发〔2017〕97号 each have a cited block measure; drug procurement and emission
    rights, which provinces add, have none until a provincial document can be cited for them."""
    for domain in DOMAINS:
        blocks = select_measures(MEASURES, domain=domain, effect="block")
        if domain in ("drug_procurement", "emission_rights"):
            assert not blocks, domain
        else:
            assert blocks, domain
        assert select_measures(MEASURES, domain=domain, effect="incentive"), domain
    incentives = {m.code for m in select_measures(MEASURES, effect="incentive")}
    assert {"trading.green_channel", "trading.fast_acceptance"} <= incentives
    for measure in select_measures(MEASURES, effect="incentive"):
        assert all(t.list_types == ("red",) for t in measure.triggers), measure.code
    for measure in MEASURES:
        if measure.effect != "incentive":
            assert all("red" not in t.list_types for t in measure.triggers), measure.code
        if measure.certainty == "likely":
            assert measure.about, f"{measure.code}: a likely measure says why in about"


def test_procurement_major_violation_rule_is_a_three_year_lookback():
    by_code = {m.code: m for m in MEASURES}
    revocation = by_code["procurement.major_violation.suspension_or_revocation"]
    fine = by_code["procurement.major_violation.large_fine"]
    for measure in (revocation, fine):
        assert measure.duration == Duration("lookback_years", 3)
        assert measure.effect == "block"
        assert "政府采购法实施条例第十九条" in measure.legal_basis
    assert fine.triggers[0].penalty is not None
    assert fine.triggers[0].penalty.min_fine_wan == Decimal(200)
    assert revocation.certainty == "firm"
    assert fine.certainty == "firm"  # 200万元: 财库〔2022〕3号
    assert "财库〔2022〕3号" in fine.legal_basis


def _broken(tmp_path: Path, change: Callable[[dict[str, Any]], None], name: str = "measures.json") -> Path:
    source = SHIPPED if name == "measures.json" else SHIPPED.with_name(name)
    data = json.loads(source.read_text(encoding="utf-8"))
    change(data)
    (tmp_path / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def _measure(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(m for m in data["measures"] if m["code"] == code)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _measure(d, "land.black_list")["domains"].append("landx"),
            r"\(land.black_list\): unknown domain 'landx'",
        ),
        (
            lambda d: _measure(d, "land.black_list").update(effect="forbid"),
            r"\(land.black_list\): effect must be one of block, review, incentive",
        ),
        (
            lambda d: _measure(d, "land.black_list")["triggers"][0].update(list_types=["grey"]),
            r"\(land.black_list\): triggers\[0\]: unknown list type 'grey'",
        ),
        (
            lambda d: _measure(d, "procurement.major_violation.suspension_or_revocation")["triggers"][0][
                "penalty"
            ].update(categories_any=["吊销执照"]),
            r"\(procurement.major_violation.suspension_or_revocation\): triggers\[0\]: unknown 处罚类别 \(category\) '吊销执照'",
        ),
        (
            lambda d: _measure(d, "procurement.major_violation.large_fine")["triggers"][0]["penalty"].update(
                severities=["grave"]
            ),
            r"\(procurement.major_violation.large_fine\).*unknown severity 'grave'",
        ),
        (
            lambda d: _measure(d, "procurement.debarment")["triggers"][0].update(list_names=["政府采购黑名单"]),
            r"\(procurement.debarment\).*unknown list .*'政府采购黑名单'",
        ),
        (
            lambda d: _measure(d, "land.black_list")["triggers"][0].update(list_types=["black", "red"]),
            r"\(land.black_list\): red lists give incentives only",
        ),
        (
            lambda d: _measure(d, "procurement.debarment")["triggers"][0].update(list_names=["守信激励对象名单"]),
            r"\(procurement.debarment\): red lists give incentives only",
        ),
        (
            lambda d: _measure(d, "trading.green_channel")["triggers"][1].update(list_types=["black"]),
            r"\(trading.green_channel\): an incentive is given by red lists only",
        ),
        (
            lambda d: _measure(d, "procurement.major_violation.large_fine")["duration"].pop("years"),
            r"\(procurement.major_violation.large_fine\): lookback_years needs years",
        ),
        (
            lambda d: _measure(d, "procurement.major_violation.large_fine").update(duration={"kind": "while_listed"}),
            r"\(procurement.major_violation.large_fine\): a while_listed measure is triggered by list triggers only",
        ),
        (
            lambda d: _measure(d, "procurement.major_violation.large_fine")["triggers"][0]["penalty"].update(
                min_fine_wan="much"
            ),
            r"min_fine_wan must be a number",
        ),
        (
            lambda d: _measure(d, "procurement.debarment")["triggers"][0].update(penalty={"min_fine_wan": 1}),
            r"\(procurement.debarment\).*not both",
        ),
        (
            lambda d: _measure(d, "procurement.debarment")["triggers"][0].update(record_domains=["moon"]),
            r"\(procurement.debarment\).*unknown domain 'moon'",
        ),
        (
            lambda d: _measure(d, "procurement.debarment").update(triger=[]),
            r"\(procurement.debarment\): unknown field\(s\) triger",
        ),
        (
            lambda d: _measure(d, "procurement.debarment").update(certainty="maybe"),
            r"\(procurement.debarment\): certainty must be one of firm, likely",
        ),
        (
            lambda d: _measure(d, "land.black_list").update(code="procurement.debarment"),
            r"\(procurement.debarment\): code used twice",
        ),
        (lambda d: d.update(measures=[]), r"measures must be a non-empty list"),
    ],
)
def test_a_broken_copy_stops_the_load_naming_the_measure(tmp_path, change, message):
    with pytest.raises(CatalogueError, match=message):
        load_measures(_broken(tmp_path, change))


def test_an_edited_copy_takes_precedence_and_a_missing_one_falls_back(tmp_path):
    assert load_measures(tmp_path) == MEASURES  # nothing there: the shipped file

    def lower_threshold(data: dict[str, Any]) -> None:
        _measure(data, "procurement.major_violation.large_fine")["triggers"][0]["penalty"]["min_fine_wan"] = 100

    edited = {m.code: m for m in load_measures(_broken(tmp_path, lower_threshold))}
    condition = edited["procurement.major_violation.large_fine"].triggers[0].penalty
    assert condition is not None
    assert condition.min_fine_wan == Decimal(100)


def test_a_new_list_named_in_the_edited_lists_file_is_accepted(tmp_path):
    def add_list(data: dict[str, Any]) -> None:
        data["lists"].append({"name": "某省土地市场失信名单", "list_type": "black", "repair_after_months": None})

    def name_it(data: dict[str, Any]) -> None:
        _measure(data, "land.black_list")["triggers"][0] = {"list_names": ["某省土地市场失信名单"]}

    with pytest.raises(CatalogueError, match="某省土地市场失信名单"):
        load_measures(_broken(tmp_path, name_it))
    _broken(tmp_path, add_list, "lists.json")
    land = {m.code: m for m in load_measures(tmp_path)}["land.black_list"]
    assert land.triggers[0].list_names == ("某省土地市场失信名单",)


# --- which measures apply --------------------------------------------------------------------


@pytest.fixture
def court(session):
    return factories.make_authority(session, "杭州市中级人民法院", ("procurement",))


def entry(session, authority, entity, **fields):
    return factories.make_list_entry(session, authority, entity, **fields)


def penalty(session, authority, entity, **fields):
    return factories.make_penalty(session, authority, entity, **fields)


def fine(amount: str, decided_on: dt.date, **fields: Any) -> dict[str, Any]:
    return {
        "categories": ["罚款"],
        "fine_amount": amount,
        "content": f"罚款{amount}万元",
        "decided_on": decided_on,
        **fields,
    }


def test_one_entity_meets_different_measures_in_procurement_land_and_construction_bidding(session, world, court):
    company = factories.make_entity(session)
    debarment = entry(session, world.finance, company)  # 政府采购严重违法失信行为记录名单, until 2027-03-01
    bidding_ban = entry(
        session,
        world.housing,
        company,
        list_name="招标投标违法行为记录名单",
        domains=["construction_bidding"],
        reason_category="串通投标",
        legal_basis="《中华人民共和国招标投标法》第五十三条",
        listed_on=dt.date(2026, 1, 10),
        expires_on=dt.date(2028, 1, 9),  # two years, the most for 串通投标
    )
    defaulter = entry(
        session,
        court,
        company,
        list_name="失信被执行人名单",
        domains=["procurement"],
        reason_category="有履行能力而拒不履行生效法律文书确定义务",
        legal_basis="民事诉讼法",
        listed_on=dt.date(2026, 6, 1),
        expires_on=None,
    )

    procurement = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
    assert codes(procurement) == [
        "procurement.debarment",
        "procurement.credit_record_exclusion",
        "procurement.works_bidding_ban",
    ]
    assert [h.effect for h in procurement] == ["block", "block", "review"]
    assert [(r.record_type, r.id) for r in procurement[0].records] == [("list_entry", debarment.id)]
    assert "政府采购严重违法失信行为记录名单" in render(procurement[0].records[0].reason, "zh")
    assert procurement[0].records[0].ends_on == dt.date(2027, 3, 2)  # the day after its last day, 2027-03-01

    land = applicable_measures(session, company.id, "land", TODAY, MEASURES)
    # review: 发改财金〔2016〕141号's measures not read; 发改财金〔2018〕1614号（三）依法限制取得政府供应土地
    assert codes(land) == ["trading.court_defaulters", "procurement_mou.land_supply"]
    assert [r.id for r in land[0].records] == [defaulter.id]  # a cross-domain list, recorded for procurement
    assert [r.id for r in land[1].records] == [debarment.id]  # the procurement listing reaches land

    bidding = applicable_measures(session, company.id, "construction_bidding", TODAY, MEASURES)
    # 法〔2016〕285号; and the procurement listing, for review (发改财金〔2018〕1614号（二）)
    assert codes(bidding) == ["bidding.disqualification", "bidding.court_defaulters", "procurement_mou.works_bidding"]
    assert bidding[0].records[0].id == bidding_ban.id
    assert "失信被执行人名单" in render(bidding[1].records[0].reason, "zh")


@pytest.mark.parametrize(
    ("record", "on_date", "applies"),
    [
        # 较大数额罚款 (≥ 200万元) decided 2024-01-01: 2.9 years before 2026-11-23
        (fine("250", dt.date(2024, 1, 1)), TODAY, True),
        (fine("250", dt.date(2024, 1, 1)), dt.date(2026, 12, 31), True),
        (fine("250", dt.date(2024, 1, 1)), dt.date(2027, 1, 1), False),  # the third anniversary
        (fine("200", dt.date(2024, 1, 1)), TODAY, True),
        (fine("250", dt.date(2023, 11, 1)), TODAY, False),  # more than 3 years before
        (fine("150", dt.date(2024, 1, 1)), TODAY, False),  # below the threshold
        (fine("250", dt.date(2024, 1, 1)), dt.date(2023, 12, 31), False),  # asked about the day before the decision
    ],
)
def test_procurement_large_fine_counts_for_three_years_from_the_decision(session, world, record, on_date, applies):
    company = factories.make_entity(session)
    made = penalty(session, world.finance, company, **record)
    hits = {h.measure.code: h for h in applicable_measures(session, company.id, "procurement", on_date, MEASURES)}
    assert ("procurement.major_violation.large_fine" in hits) is applies
    if applies:
        [found] = hits["procurement.major_violation.large_fine"].records
        assert (found.record_type, found.id) == ("penalty", made.id)
        assert f"罚款 {made.fine_amount}万元 ≥ 200万元" in render(found.reason, "zh")
        assert found.ends_on == dt.date(2027, 1, 1)


def test_the_lookback_counts_after_the_publication_period_ends(session, world):
    # A 一般 fine's publication ends after a year, but the 重大违法记录 rule counts three years.
    company = factories.make_entity(session)
    made = penalty(session, world.finance, company, **fine("250", dt.date(2024, 1, 1), severity="general"))
    assert not made.in_force_on(TODAY)
    hits = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
    assert codes(hits) == ["procurement.major_violation.large_fine"]


def test_revocation_of_a_licence_blocks_procurement_whatever_the_domain_of_the_penalty(session, world, court):
    company = factories.make_entity(session)
    made = penalty(
        session,
        world.housing,
        company,
        categories=["吊销许可证件"],
        fine_amount=None,
        content="吊销安全生产许可证",
        licence_affected="（浙）JZ安许证字〔2020〕010101",
        decided_on=dt.date(2025, 6, 1),
        severity="serious",
        domain="construction_bidding",
    )
    procurement = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
    assert codes(procurement) == ["procurement.major_violation.suspension_or_revocation"]
    assert "吊销许可证件" in render(procurement[0].records[0].reason, "zh")
    assert procurement[0].records[0].ends_on == dt.date(2028, 6, 1)
    bidding = applicable_measures(session, company.id, "construction_bidding", TODAY, MEASURES)
    # nothing in tendering or land: no text restricts them for a revoked licence (行政处罚法 Art. 9
    # only lists the kinds of penalty), so the registry adds no measure of its own
    assert bidding == []
    assert made.in_force_on(TODAY)
    assert codes(applicable_measures(session, company.id, "land", TODAY, MEASURES)) == []


def test_revoked_penalties_never_trigger_and_repaired_ones_only_review(session, world):
    company = factories.make_entity(session)
    revoked = penalty(session, world.finance, company, **fine("300", dt.date(2025, 1, 1), severity="serious"))
    repaired = penalty(session, world.finance, company, **fine("300", dt.date(2025, 2, 1), severity="serious"))
    [before] = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
    assert (before.effect, {r.id for r in before.records}) == ("block", {revoked.id, repaired.id})
    penalty_service.revoke_penalty(
        session, revoked.id, "复议撤销", None, factories.supervisor_of(world.finance), revoked.version, TODAY
    )
    repaired.repaired_on = dt.date(2026, 3, 1)  # what the repair workflow records
    session.flush()
    after = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
    assert [(h.measure.code, h.effect) for h in after] == [("procurement.major_violation.large_fine", "review")]
    assert [r.id for r in after[0].records] == [repaired.id]


def test_a_black_list_entry_applies_on_its_last_day_and_not_after(session, world):
    """expires_on is the entry's last day in force (有效期截止日期): a one-year ban listed 2025-11-23
    runs through 2026-11-22 (政府采购法 Art. 77) and no longer counts on 2026-11-23."""
    company = factories.make_entity(session)
    entry(session, world.finance, company, listed_on=dt.date(2025, 11, 23), expires_on=TODAY - dt.timedelta(days=1))
    last_day = applicable_measures(session, company.id, "procurement", TODAY - dt.timedelta(days=1), MEASURES)
    assert codes(last_day) == ["procurement.debarment"]
    assert last_day[0].records[0].ends_on == TODAY  # the first day it no longer counts
    assert applicable_measures(session, company.id, "procurement", TODAY, MEASURES) == []
    # nor before it was listed
    assert applicable_measures(session, company.id, "procurement", dt.date(2025, 11, 22), MEASURES) == []


@pytest.mark.parametrize("transition", ["remove_list_entry", "repair_list_entry", "revoke_list_entry"])
def test_a_removed_repaired_or_revoked_entry_does_not_trigger(session, world, transition):
    company = factories.make_entity(session)
    # a list whose entries may be repaired once obligations are met (lists.json)
    made = entry(
        session,
        world.finance,
        company,
        list_name="重大税收违法失信主体名单",
        listed_on=dt.date(2025, 6, 1),
        expires_on=None,
        reason_category="偷税",
        legal_basis="税收征收管理法",
    )
    assert codes(applicable_measures(session, company.id, "procurement", TODAY, MEASURES)) == [
        "procurement.credit_record_exclusion",
    ]
    getattr(entry_service, transition)(
        session, made.id, "依申请", None, factories.supervisor_of(world.finance), made.version, TODAY
    )
    assert applicable_measures(session, company.id, "procurement", TODAY, MEASURES) == []


def test_a_red_list_entry_gives_incentives_only(session, world):
    company = factories.make_entity(session)
    red = entry(
        session,
        world.finance,
        company,
        list_type="red",
        list_name="守信激励对象名单",
        domains=["land"],
        reason_category="连续三年守信",
        facts="连续三年无失信记录",
        legal_basis="国办发〔2017〕97号",
        expires_on=dt.date(2028, 3, 1),
    )
    procurement = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
    assert codes(procurement) == [
        "trading.green_channel",
        "trading.fast_acceptance",
        "trading.credit_commitment",
        "bidding.deposit_relief",
    ]
    assert {h.effect for h in procurement} == {"incentive"}
    assert all(r.id == red.id for h in procurement for r in h.records)
    # A catalogue that names a red list for a block is refused at load; the matcher holds anyway.
    rogue = Measure(
        code="rogue",
        name="误把红名单当黑名单",
        effect="block",
        triggers=(Trigger(list_names=("守信激励对象名单",), record_scope="any"),),
        domains=("procurement",),
        duration=Duration("while_listed"),
        implementing_authority="无",
        legal_basis=("无",),
        certainty="likely",
    )
    assert applicable_measures(session, company.id, "procurement", TODAY, (rogue,)) == []


def test_a_black_list_entry_of_a_domain_blocks_that_domain_only(session, world):
    company = factories.make_entity(session)
    land_authority = factories.make_authority(session, "浙江省自然资源厅", ("land",))
    entry(
        session,
        land_authority,
        company,
        list_name="某省土地市场失信名单",
        domains=["land"],
        reason_category="竞得后拒不签订出让合同",
        legal_basis="国办发〔2017〕97号",
    )
    assert codes(applicable_measures(session, company.id, "land", TODAY, MEASURES)) == ["land.black_list"]
    assert applicable_measures(session, company.id, "mining", TODAY, MEASURES) == []


def test_watch_list_and_hits_come_block_review_incentive(session, world):
    company = factories.make_entity(session)
    entry(
        session,
        world.finance,
        company,
        list_type="red",
        list_name="守信激励对象名单",
        domains=["procurement"],
        reason_category="守信",
        facts="守信",
        legal_basis="国办发〔2017〕97号",
    )
    entry(
        session,
        world.housing,
        company,
        list_name="招标投标违法行为记录名单",
        domains=["construction_bidding"],
        reason_category="串通投标",
        legal_basis="《中华人民共和国招标投标法》第五十三条",
        listed_on=dt.date(2026, 1, 10),
        expires_on=dt.date(2027, 1, 9),
    )
    entry(session, world.finance, company)
    hits = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
    effects = [h.effect for h in hits]
    assert effects == sorted(effects, key=["block", "review", "incentive"].index)
    assert effects[0] == "block"
    assert "procurement.works_bidding_ban" in codes(hits)  # review: 政府采购工程 tendered by 招标 only
    assert "incentive" in effects


def test_records_are_loaded_with_two_queries_whatever_the_number_of_measures_and_entities(session, world, court):
    companies = [factories.make_entity(session, f"杭州合晟{i}号建设工程有限公司") for i in range(3)]
    for company in companies:
        entry(session, world.finance, company)
        entry(
            session,
            court,
            company,
            list_name="失信被执行人名单",
            domains=["land", "mining"],
            reason_category="拒不履行",
            legal_basis="民事诉讼法",
            expires_on=None,
        )
        penalty(session, world.finance, company, **fine("250", dt.date(2025, 1, 1), severity="serious"))
    session.commit()
    ids = [c.id for c in companies]
    session.expire_all()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", count)

    def selects() -> int:
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    try:
        result = measures_by_entity(session, ids, "procurement", TODAY, MEASURES)
        for_three = selects()
        applicable_measures(session, ids[0], "land", TODAY, MEASURES)
        for_one = selects() - for_three
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert (for_three, for_one) == (2, 2), statements
    for entity_id in ids:
        assert codes(result[entity_id])[:3] == [
            "procurement.debarment",
            "procurement.credit_record_exclusion",
            "procurement.major_violation.large_fine",
        ]


def test_an_unknown_domain_is_refused(session, world):
    company = factories.make_entity(session)
    with pytest.raises(InvalidInput, match="domain"):
        applicable_measures(session, company.id, "lottery", TODAY, MEASURES)


class TestRepairedMajorViolation:
    """政府采购法 Art. 22, 实施条例 Art. 19: no 重大违法记录 (责令停产停业, 吊销, a fine of 200万元 or more,
    财库〔2022〕3号) in the 3 years before. Credit repair ends a penalty's publication; no official
    text we found says it erases the record for this test, so within the 3 years a repaired one
    makes the screening review (never clear), with the reason."""

    def _repaired_fine(self, session, world, repaired_on: dt.date):
        company = factories.make_entity(session)
        fine = factories.make_penalty(
            session,
            world.finance,
            company,
            categories=["罚款"],
            fine_amount="250",
            content="罚款250万元",
            decided_on=dt.date(2025, 1, 10),
            severity="serious",
        )
        fine.repaired_on = repaired_on
        session.flush()
        return company, fine

    def test_within_three_years_a_repaired_large_fine_is_review_with_the_reason(self, session, world):
        company, fine = self._repaired_fine(session, world, dt.date(2026, 2, 1))
        hits = applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
        major = [h for h in hits if h.measure.code == "procurement.major_violation.large_fine"]
        assert [h.effect for h in major] == ["review"]
        assert major[0].records[0].repaired
        assert "信用修复" in render(major[0].records[0].reason, "zh")

    def test_as_of_a_day_before_the_repair_it_blocks(self, session, world):
        """A look-up as of a day before the repair sees the penalty as it stood that day."""
        company, _ = self._repaired_fine(session, world, dt.date(2026, 2, 1))
        before = applicable_measures(session, company.id, "procurement", dt.date(2026, 1, 31), MEASURES)
        assert "procurement.major_violation.large_fine" in codes(before)
        assert next(h for h in before if h.measure.code == "procurement.major_violation.large_fine").effect == "block"

    def test_after_three_years_it_no_longer_counts(self, session, world):
        company, _ = self._repaired_fine(session, world, dt.date(2026, 2, 1))
        later = applicable_measures(session, company.id, "procurement", dt.date(2028, 1, 10), MEASURES)
        assert "procurement.major_violation.large_fine" not in codes(later)

    def test_a_revoked_decision_never_counts_but_did_before_its_revocation(self, session, world):
        company = factories.make_entity(session)
        fine = factories.make_penalty(
            session,
            world.finance,
            company,
            categories=["罚款"],
            fine_amount="250",
            content="罚款250万元",
            decided_on=dt.date(2025, 1, 10),
            severity="serious",
        )
        penalty_service.revoke_penalty(
            session,
            fine.id,
            "复议撤销",
            dt.date(2026, 2, 1),
            factories.supervisor_of(world.finance),
            fine.version,
            TODAY,
        )
        assert "procurement.major_violation.large_fine" not in codes(
            applicable_measures(session, company.id, "procurement", TODAY, MEASURES)
        )
        assert "procurement.major_violation.large_fine" in codes(
            applicable_measures(session, company.id, "procurement", dt.date(2026, 1, 31), MEASURES)
        )


# A document number (文号 〔2016〕125号, 令第45号) or a law's article (第七十七条).
_DOCUMENT_NUMBER = re.compile(r"〔\d{4}〕\d+号|令第\d+号|第[一二三四五六七八九十百零]+条")


def test_every_measure_names_a_document_number_for_each_basis():
    """Every measure's legal basis is real and precise: each entry names a document number or a law's
    article (a bare 失信惩戒措施基础清单, a law's name alone, is not a citation)."""
    for measure in MEASURES:
        assert measure.legal_basis, measure.code
        for basis in measure.legal_basis:
            assert _DOCUMENT_NUMBER.search(basis), f"{measure.code}: {basis!r} names no document number"


def test_no_measure_rests_on_a_text_that_does_not_say_it():
    """国办发〔2017〕97号 (a disclosure opinion naming 保障性住房, 土地, 矿业权, 政府采购, 国有产权,
    工程招投标) covers neither drug procurement nor emission rights and restricts nothing; 行政处罚法
    第九条 lists the kinds of penalty and is no basis for a trading restriction."""
    for measure in MEASURES:
        assert not any("97号" in b for b in measure.legal_basis), measure.code
        assert not any("行政处罚法第九条" in b for b in measure.legal_basis), measure.code
        assert not any("基础清单" in b and "项" not in b for b in measure.legal_basis), measure.code


def test_a_court_defaulter_is_blocked_in_construction_bidding_and_reviewed_in_land():
    """法〔2016〕285号: 限制失信被执行人的投标活动 in tendering; elsewhere 发改财金〔2016〕141号, whose
    measures were not read, so a person decides."""
    bidding = {m.code: m for m in select_measures(MEASURES, domain="construction_bidding")}
    assert bidding["bidding.court_defaulters"].effect == "block"
    assert "法〔2016〕285号" in bidding["bidding.court_defaulters"].legal_basis
    land = {m.code: m for m in select_measures(MEASURES, domain="land")}
    assert land["trading.court_defaulters"].effect == "review"
