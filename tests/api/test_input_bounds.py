"""Dates and amounts outside what the registry documents are a 422 naming the field, never stored:
an outside test found 0026-11-02 and 1e3 accepted."""

from __future__ import annotations

import pytest

from tests.conftest import auth

PENALTY = {
    "decision_number": "浙财采罚〔2026〕801号",
    "violation_type": "提供虚假材料",
    "facts": "事实",
    "basis": "依据",
    "categories": ["罚款"],
    "content": "罚款",
    "fine_amount": "0.5",
    "decided_on": "2026-06-01",
    "severity": "general",
    "domain": "procurement",
}


@pytest.mark.parametrize("day", ["0026-11-02", "1948-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_1949_to_2100_is_refused(client, world, entity, day):
    r = client.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={**PENALTY, "entity_id": entity.id, "decided_on": day},
    )
    assert r.status_code == 422, r.json
    assert "decided_on" in r.json["errors"]
    r = client.post(
        "/api/v1/list-entries",
        headers=auth(world.finance_key),
        json={
            "entity_id": entity.id,
            "list_type": "black",
            "list_name": "某市名单",
            "domains": ["procurement"],
            "decision_number": "决〔2026〕1号",
            "reason_category": "r",
            "facts": "f",
            "legal_basis": "b",
            "listed_on": day,
        },
    )
    assert r.status_code == 422
    assert "listed_on" in r.json["errors"]


def test_the_first_and_last_documented_days_are_taken(client, world, entity):
    r = client.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={**PENALTY, "entity_id": entity.id, "decided_on": "1949-01-01", "severity": "general"},
    )
    assert r.status_code == 201, r.json


@pytest.mark.parametrize("amount", ["1e3", "+5", " 5", "5.", "0.1234567", "0x10", True, "-1", "1,000"])
def test_an_amount_outside_the_documented_pattern_is_refused(client, world, entity, amount):
    """罚款金额（万元）: digits, then at most six decimals (the pattern the OpenAPI document shows)."""
    r = client.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={**PENALTY, "entity_id": entity.id, "fine_amount": amount},
    )
    assert r.status_code == 422, r.json
    assert "fine_amount" in r.json["errors"]


@pytest.mark.parametrize("amount", ["0.5", "20", 0.2, 3])
def test_amounts_in_the_pattern_are_taken(client, world, entity, amount):
    r = client.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={**PENALTY, "entity_id": entity.id, "fine_amount": amount},
    )
    assert r.status_code == 201, r.json
