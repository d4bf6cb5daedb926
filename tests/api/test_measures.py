"""/api/v1/measures and /api/v1/entities/{id}/measures through the HTTP client."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.conftest import auth

URL = "/api/v1/measures"


def entity_url(entity_id: int) -> str:
    return f"/api/v1/entities/{entity_id}/measures"


def test_anyone_reads_the_catalogue(client, world):
    r = client.get(URL)
    assert r.status_code == 200, r.json
    assert r.json["total"] == len(r.json["items"]) > 0
    debarment = next(m for m in r.json["items"] if m["code"] == "procurement.debarment")
    assert debarment["effect"] == "block"
    assert debarment["domains"] == ["procurement"]
    assert debarment["duration"] == {"kind": "while_listed", "years": None}
    assert "政府采购法第七十七条" in debarment["legal_basis"]
    assert debarment["triggers"][0]["list_names"] == ["政府采购严重违法失信行为记录名单"]
    fine = next(m for m in r.json["items"] if m["code"] == "procurement.major_violation.large_fine")
    assert fine["triggers"][0]["penalty"]["min_fine_wan"] == "200"
    assert fine["triggers"][0]["record_scope"] == "any"
    assert fine["duration"] == {"kind": "lookback_years", "years": 3}


def test_the_catalogue_filters_by_domain_and_effect(client, world):
    r = client.get(URL, query_string={"domain": "land", "effect": "block"})
    assert r.status_code == 200, r.json
    assert {m["code"] for m in r.json["items"]} == {"land.black_list"}
    incentives = client.get(URL, query_string={"effect": "incentive"}).json["items"]
    assert incentives
    assert {m["effect"] for m in incentives} == {"incentive"}


@pytest.mark.parametrize("query", [{"domain": "lottery"}, {"effect": "forbid"}, {"domian": "land"}])
def test_bad_catalogue_filters_are_422(client, world, query):
    assert client.get(URL, query_string=query).status_code == 422


@pytest.fixture
def listed(session, world, entity):
    """The entity on the procurement black list through today (a one-year ban), with a 250万元 fine of
    2024 (not public)."""
    factories.make_list_entry(
        session, world.finance, entity, listed_on=dt.date(2025, 11, 24), expires_on=dt.date(2026, 11, 23)
    )
    factories.make_penalty(
        session,
        world.finance,
        entity,
        categories=["罚款"],
        fine_amount="250",
        content="罚款250万元",
        decided_on=dt.date(2024, 1, 1),
        severity="serious",
        is_public=False,
        not_public_reason="涉及商业秘密",
    )
    session.commit()
    return entity


@pytest.mark.parametrize("role", ["screener_key", "platform_key", "admin_key", "housing_key"])
def test_officials_screeners_and_the_platform_see_an_entitys_measures(client, world, listed, role):
    r = client.get(entity_url(listed.id), query_string={"domain": "procurement"}, headers=auth(getattr(world, role)))
    assert r.status_code == 200, r.json
    body = r.json
    assert (body["entity_id"], body["domain"], body["on"], body["effect"]) == (
        listed.id,
        "procurement",
        "2026-11-23",
        "block",
    )
    assert [h["measure"]["code"] for h in body["hits"]] == [
        "procurement.debarment",
        "procurement.major_violation.large_fine",
    ]
    [record] = body["hits"][1]["records"]
    assert record["record_type"] == "penalty"
    assert record["ends_on"] == "2027-01-01"
    assert "250" in record["reason"]


def test_the_public_may_not_see_an_entitys_measures(client, world, listed):
    r = client.get(entity_url(listed.id), query_string={"domain": "procurement"})
    assert r.status_code == 401
    assert "screener" in r.json["message_en"]
    assert "交易中心 / 招标代理" in r.json["message"]


def test_the_day_asked_about_defaults_to_today_and_can_be_given(client, world, listed):
    headers = auth(world.screener_key)
    later = client.get(
        entity_url(listed.id), query_string={"domain": "procurement", "on": "2026-11-24"}, headers=headers
    )
    assert later.status_code == 200, later.json
    # the black-list entry's last day was 2026-11-23; the fine still counts until 2027-01-01
    assert [h["measure"]["code"] for h in later.json["hits"]] == ["procurement.major_violation.large_fine"]
    after = client.get(
        entity_url(listed.id), query_string={"domain": "procurement", "on": "2027-01-01"}, headers=headers
    )
    assert after.json["hits"] == []  # three years after the fine's decision
    assert after.json["effect"] is None


def test_an_entity_with_nothing_in_a_domain_gets_no_hits(client, world, listed):
    r = client.get(entity_url(listed.id), query_string={"domain": "state_assets"}, headers=auth(world.screener_key))
    assert r.status_code == 200, r.json
    assert (r.json["hits"], r.json["effect"]) == ([], None)


def test_unknown_entity_is_404_and_an_unknown_domain_422(client, world):
    headers = auth(world.screener_key)
    assert client.get(entity_url(999999), query_string={"domain": "land"}, headers=headers).status_code == 404
    r = client.get(entity_url(1), query_string={"domain": "moon"}, headers=headers)
    assert r.status_code == 422
    assert "domain" in r.json["errors"]


def test_the_measure_endpoints_are_in_the_openapi_document(client, world):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/measures" in paths
    assert "/api/v1/entities/{entity_id}/measures" in paths


def test_without_a_domain_every_domain_says_what_a_screening_would_decide_and_why(client, world, listed):
    """Item 6 of issue 15: the reach of a listing across the eight domains, for the supervisor who made it."""
    r = client.get(entity_url(listed.id), headers=auth(world.finance_key))
    assert r.status_code == 200, r.json
    assert r.json["domain"] is None
    by_domain = {d["domain"]: d for d in r.json["domains"]}
    assert set(by_domain) == {
        "housing",
        "land",
        "mining",
        "procurement",
        "state_assets",
        "construction_bidding",
        "drug_procurement",
        "emission_rights",
    }
    procurement = by_domain["procurement"]
    assert procurement["decision"] == "block"
    assert procurement["decision_label"] == "不得参加"
    assert any(
        "procurement.debarment" in reason and "政府采购法第七十七条" in reason for reason in procurement["reasons"]
    )
    assert r.json["effect"] == "block"
    for domain in by_domain.values():
        assert domain["reasons"]  # every domain says why, also when nothing applies
        assert domain["decision"] in ("block", "review", "clear")


def test_with_a_domain_the_answer_has_that_domain_only(client, world, listed):
    r = client.get(entity_url(listed.id), query_string={"domain": "procurement"}, headers=auth(world.screener_key))
    assert [d["domain"] for d in r.json["domains"]] == ["procurement"]
    assert r.json["effect"] == "block"


def test_the_public_may_not_ask(client, world, listed):
    assert client.get(entity_url(listed.id)).status_code == 401
