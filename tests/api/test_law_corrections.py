"""The rules corrected against the law, tried through the API as a new user would, on dates on
both sides of each change. Every test names its source."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from tests import factories
from tests.conftest import auth

PENALTIES = "/api/v1/penalties"
ENTRIES = "/api/v1/list-entries"
_numbers = itertools.count(1)


def penalty(subject: int, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entity_id": subject,
        "decision_number": f"测罚〔2026〕{next(_numbers)}号",
        "violation_type": "未按规定履行义务",
        "facts": "事实",
        "basis": "依据",
        "categories": ["罚款"],
        "content": "罚款人民币二千元",
        "fine_amount": "0.2",
        "decided_on": "2026-06-01",
        "domain": "procurement",
    }
    body.update(fields)
    return body


def entry(subject: int, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entity_id": subject,
        "list_type": "black",
        "list_name": "政府采购严重违法失信行为记录名单",
        "domains": ["procurement"],
        "decision_number": f"测决〔2026〕{next(_numbers)}号",
        "reason_category": "提供虚假材料谋取中标、成交",
        "facts": "事实",
        "legal_basis": "政府采购法第七十七条",
        "listed_on": "2026-03-01",
        "expires_on": "2027-02-28",
    }
    body.update(fields)
    return body


@pytest.fixture
def market(session, world):
    """A 市场监管 authority: its 系统 is read from its name."""
    authority = factories.make_authority(session, "杭州市市场监督管理局", ("procurement",), region_code="330100")
    key = factories.access.create_key(session, role="supervisor", name="市监局", authority_id=authority.id)[1]
    session.commit()
    assert authority.sector == "market_supervision"
    return key


class TestMinorUnderOrder36:
    def test_a_simple_procedure_decision_without_severity_is_minor_and_not_published(self, client, world, entity):
        """国家发展改革委令第36号 (from 2026-04-01): a 简易程序 decision is 轻微 unless recorded otherwise,
        and a 轻微 record is in principle not published."""
        r = client.post(PENALTIES, json=penalty(entity.id, procedure="simple"), headers=auth(world.finance_key))
        assert r.status_code == 201, r.json
        assert (r.json["severity"], r.json["publishable"], r.json["procedure"]) == ("minor", False, "simple")
        assert "原则上不予公示" in r.json["publication_note"]
        assert client.get(f"{PENALTIES}/{r.json['id']}").status_code == 404  # the public does not see it

    def test_the_same_decision_before_order_36_is_published(self, client, world, entity):
        """Order 58 governs a decision of 2026-03-31: a 轻微 fine is published for 3 months."""
        r = client.post(
            PENALTIES,
            json=penalty(entity.id, procedure="simple", severity="minor", decided_on="2026-03-31"),
            headers=auth(world.finance_key),
        )
        assert r.status_code == 201, r.json
        assert (r.json["rule_set"], r.json["publishable"], r.json["publication_ends_on"]) == (
            "ndrc-order-58",
            True,
            "2026-06-30",
        )

    def test_warning_only_is_never_published_whatever_severity_was_typed(self, client, world, entity):
        """Order 36: a decision whose only 处罚类别 is 警告 is not published."""
        r = client.post(
            PENALTIES,
            json=penalty(entity.id, categories=["警告"], content="警告", fine_amount=None, severity="serious"),
            headers=auth(world.finance_key),
        )
        assert r.status_code == 201, r.json
        assert (r.json["severity"], r.json["publishable"]) == ("serious", False)

    def test_an_ordinary_decision_without_severity_is_refused_naming_the_field(self, client, world, entity):
        """Only 简易程序, 警告 and 通报批评 imply 轻微; an 一般 or 严重 decision must say which."""
        r = client.post(PENALTIES, json=penalty(entity.id, procedure="ordinary"), headers=auth(world.finance_key))
        assert r.status_code == 422
        assert "severity" in r.json["errors"]

    def test_an_unknown_procedure_is_refused(self, client, world, entity):
        r = client.post(
            PENALTIES, json=penalty(entity.id, procedure="fast", severity="general"), headers=auth(world.finance_key)
        )
        assert r.status_code == 422
        assert "procedure" in r.json["errors"]


class TestMarketSupervision:
    def test_only_ordinary_procedure_is_published(self, client, entity, market):
        """总局令第45号/第107号: 市场监管 publish only 普通程序 decisions."""
        simple = client.post(
            PENALTIES, json=penalty(entity.id, procedure="simple", severity="general"), headers=auth(market)
        )
        assert simple.status_code == 201, simple.json
        assert (simple.json["rule_set"], simple.json["publishable"]) == ("samr-order-107", False)
        ordinary = client.post(
            PENALTIES, json=penalty(entity.id, procedure="ordinary", severity="general"), headers=auth(market)
        )
        assert (ordinary.json["publishable"], ordinary.json["publication_ends_on"]) == (True, "2029-06-01")
        # 20 working days to publish (总局令第45号), not the 7 of other authorities
        assert ordinary.json["publication_due_on"] == "2026-06-30"

    def test_a_circular_is_published_three_months_and_warning_only_never(self, client, entity, market):
        """SAMR: 通报批评 stops after 3 months; 仅警告 is not published."""
        circular = client.post(
            PENALTIES,
            json=penalty(entity.id, categories=["通报批评"], content="通报批评", fine_amount=None, severity="minor"),
            headers=auth(market),
        )
        assert (circular.json["publishable"], circular.json["publication_ends_on"]) == (True, "2026-09-01")
        warning = client.post(
            PENALTIES,
            json=penalty(entity.id, categories=["警告"], content="警告", fine_amount=None, severity="minor"),
            headers=auth(market),
        )
        assert warning.json["publishable"] is False


def test_a_procurement_penalty_is_due_in_seven_working_days_nationally(client, world, entity):
    """行政处罚 decisions are published within 7 working days (national default): 2026-09-30 is due
    2026-10-15 (国庆 10-01…07 off, 10-10 a make-up workday). One province's 1-working-day rule for
    procurement decisions binds no other authority."""
    r = client.post(
        PENALTIES, json=penalty(entity.id, decided_on="2026-09-30", severity="general"), headers=auth(world.finance_key)
    )
    assert r.status_code == 201, r.json
    assert r.json["publication_due_on"] == "2026-10-15"


class TestListPeriods:
    def test_a_four_year_procurement_ban_is_refused_naming_list_range_and_source(self, client, world, entity):
        """政府采购法 Art. 77, 实施条例 Art. 73: 一至三年内禁止参加政府采购活动."""
        r = client.post(ENTRIES, json=entry(entity.id, expires_on="2030-02-28"), headers=auth(world.finance_key))
        assert r.status_code == 422
        reason = r.json["errors"]["expires_on"][0]
        assert "政府采购严重违法失信行为记录名单" in reason
        assert "2027-02-28 至 2029-02-28" in reason
        assert "第七十七条" in reason

    def test_a_procurement_entry_needs_an_end_date(self, client, world, entity):
        r = client.post(ENTRIES, json=entry(entity.id, expires_on=None), headers=auth(world.finance_key))
        assert r.status_code == 422
        assert "须填写有效期截止日期" in r.json["errors"]["expires_on"][0]

    def test_three_full_years_end_the_day_before_the_third_anniversary(self, client, world, entity):
        """A ban of exactly three years listed 2026-03-01 is in force through 2029-02-28."""
        r = client.post(ENTRIES, json=entry(entity.id, expires_on="2029-02-28"), headers=auth(world.finance_key))
        assert r.status_code == 201, r.json

    @pytest.mark.parametrize(
        ("reason", "expires_on", "status"),
        [
            ("串通投标", "2028-02-29", 201),  # 招标投标法 Art. 53: 1–2 years
            ("串通投标", "2028-03-01", 422),
            ("弄虚作假骗取中标", "2029-02-28", 201),  # Art. 54: 1–3 years
            ("中标人不履行与招标人订立的合同", "2031-02-28", 201),  # Art. 60: 2–5 years
            ("中标人不履行与招标人订立的合同", "2027-02-28", 422),
            ("其他原因", "2027-02-28", 422),  # the law's bans are by what was done
        ],
    )
    def test_bidding_bans_follow_the_reason(self, client, world, entity, reason, expires_on, status):
        """招标投标法 Art. 53, 54, 60 (实施条例 Art. 67, 68): the ban's length depends on what was done."""
        r = client.post(
            ENTRIES,
            json=entry(
                entity.id,
                list_name="招标投标违法行为记录名单",
                domains=["construction_bidding"],
                reason_category=reason,
                expires_on=expires_on,
            ),
            headers=auth(world.housing_key),
        )
        assert r.status_code == status, r.json


def test_a_list_entry_counts_on_its_last_day(client, world, entity, runtime):
    """有效期截止日期 is the last day in force: on it the public still sees the entry, the next day not."""
    made = client.post(
        ENTRIES, json=entry(entity.id, listed_on="2025-11-23", expires_on="2026-11-22"), headers=auth(world.finance_key)
    ).json
    runtime.clock.fixed = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    assert client.get(f"{ENTRIES}/{made['id']}").json["status"] == "active"
    runtime.clock.fixed = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
    assert client.get(f"{ENTRIES}/{made['id']}").status_code == 404


def test_a_1970_born_hangzhou_residents_id_is_accepted(client, world):
    """GB 11643-1999: the region part is the code in force when the number was issued. 330106 (杭州
    西湖区) is newer than a 1970 birth date, and the number is valid; the response shows it masked."""
    r = client.post(
        "/api/v1/entities",
        headers=auth(world.admin_key),
        json={"kind": "natural_person", "name": "王某某", "id_type": "resident_id", "id_number": "330106197003152010"},
    )
    assert r.status_code == 201, r.json
    assert "330106197003152010" not in r.get_data(as_text=True)
    wrong = client.post(
        "/api/v1/entities",
        headers=auth(world.admin_key),
        json={"kind": "natural_person", "name": "李某某", "id_type": "resident_id", "id_number": "330106197003152011"},
    )
    assert wrong.status_code == 422
    assert "id_number" in wrong.json["errors"]


def test_seven_working_days_from_new_years_eve_with_2027_not_loaded(client):
    """The 放假办法 fixes 元旦 (2027-01-01, off) for any year; without the 2027 notice the answer is
    provisional: 1-04 … 1-08, 1-11, 1-12 — the seventh working day is 2027-01-12."""
    r = client.get("/api/v1/calendar/working-days", query_string={"from": "2026-12-31", "add": 7})
    assert r.status_code == 200, r.json
    assert (r.json["date"], r.json["provisional"]) == ("2027-01-12", True)
