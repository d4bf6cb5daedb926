"""Publication periods, disclosure due dates and revocation, as the API shows them."""

from __future__ import annotations

import pytest

from tests.conftest import auth

PENALTIES = "/api/v1/penalties"
ENTRIES = "/api/v1/list-entries"


def penalty(entity_id: int, **fields):
    body = {
        "entity_id": entity_id,
        "decision_number": fields.pop("decision_number", "浙土罚〔2026〕8号"),
        "violation_type": "未按合同约定开发利用土地",
        "facts": "逾期开工",
        "basis": "《土地管理法》",
        "categories": ["罚款"],
        "content": "罚款",
        "fine_amount": "12",
        "decided_on": "2026-09-25",
        "severity": "general",
        "domain": "land",
    }
    body.update(fields)
    return body


def test_a_recorded_penalty_carries_its_period_and_due_date(client, world, entity):
    r = client.post(PENALTIES, json=penalty(entity.id), headers=auth(world.finance_key))
    assert r.status_code == 201, r.json
    got = r.json
    assert got["rule_set"] == "ndrc-order-36"
    assert got["publication_tier"] == "general"
    assert got["publishable"] is True
    assert got["publication_starts_on"] == "2026-09-25"
    assert got["repair_from"] == "2026-12-25"
    assert got["publication_ends_on"] == "2027-09-25"
    # 7 working days from Friday 2026-09-25 across the National Day week
    assert got["publication_due_on"] == "2026-10-12"
    assert got["due_provisional"] is False


def test_a_given_publication_end_must_fit_the_period(client, world, entity):
    inside = client.post(
        PENALTIES, json=penalty(entity.id, publication_ends_on="2027-03-01"), headers=auth(world.finance_key)
    )
    assert inside.status_code == 201
    assert inside.json["publication_ends_on"] == "2027-03-01"
    outside = client.post(
        PENALTIES,
        json=penalty(entity.id, decision_number="浙土罚〔2026〕9号", publication_ends_on="2028-01-01"),
        headers=auth(world.finance_key),
    )
    assert outside.status_code == 422
    assert "公示截止期应在 2026-12-25 至 2027-09-25 之间" in outside.json["errors"]["publication_ends_on"][0]
    assert "2026-12-25 to 2027-09-25" in outside.json["errors_en"]["publication_ends_on"][0]


def test_correcting_the_severity_moves_the_period(client, world, entity):
    made = client.post(PENALTIES, json=penalty(entity.id), headers=auth(world.finance_key)).json
    r = client.patch(
        f"{PENALTIES}/{made['id']}",
        json={"severity": "serious", "reason": "情节认定更正"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 200, r.json
    assert r.json["publication_tier"] == "serious"
    assert r.json["repair_from"] == "2027-09-25"
    assert r.json["publication_ends_on"] == "2029-09-25"


def test_minor_warning_only_penalty_never_appears_publicly(client, world, entity):
    made = client.post(
        PENALTIES,
        json=penalty(entity.id, severity="minor", categories=["警告"], fine_amount=None, content="警告"),
        headers=auth(world.finance_key),
    ).json
    assert made["publishable"] is False
    assert client.get(f"{PENALTIES}/{made['id']}").status_code == 404
    assert made["id"] not in {p["id"] for p in client.get(PENALTIES).json["items"]}
    assert client.get(f"{PENALTIES}/{made['id']}", headers=auth(world.finance_key)).status_code == 200


def test_a_penalty_decided_under_the_2019_rules_has_ended_publication(client, world, entity):
    made = client.post(
        PENALTIES, json=penalty(entity.id, decided_on="2020-03-10", severity="serious"), headers=auth(world.finance_key)
    ).json
    assert made["rule_set"] == "ndrc-2019"
    assert made["publication_ends_on"] == "2023-03-10"
    assert client.get(f"{PENALTIES}/{made['id']}").status_code == 404
    assert client.get(f"{PENALTIES}/{made['id']}", headers=auth(world.admin_key)).json["status"] == "effective"


def entry(entity_id: int, **fields):
    body = {
        "entity_id": entity_id,
        "list_type": "black",
        "list_name": "严重违法失信名单",
        "domains": ["procurement"],
        "decision_number": fields.pop("decision_number", "浙市监信〔2026〕3号"),
        "reason_category": "提供虚假材料",
        "facts": "提供虚假材料",
        "legal_basis": "《严重违法失信名单管理办法》",
        "listed_on": "2026-09-25",
        "expires_on": "2029-09-24",
    }
    body.update(fields)
    return body


@pytest.mark.parametrize(
    ("list_name", "repair_from"),
    [("严重违法失信名单", "2027-09-25"), ("政府采购严重违法失信行为记录名单", None), ("某地方名单", "2027-09-25")],
)
def test_list_entries_get_their_repair_date_from_the_list_catalogue(client, world, entity, list_name, repair_from):
    r = client.post(ENTRIES, json=entry(entity.id, list_name=list_name), headers=auth(world.finance_key))
    assert r.status_code == 201, r.json
    assert r.json["repair_from"] == repair_from
    # A list decision is other information: 20 working days, 国庆 and the make-up 10-10 counted
    # (政府信息公开条例 Art. 26); one province's 1-working-day rule binds no Zhejiang authority.
    assert r.json["publication_due_on"] == "2026-10-29"


class TestRevocation:
    def test_revoked_entry_stops_counting_and_is_kept(self, client, world, entity):
        made = client.post(ENTRIES, json=entry(entity.id), headers=auth(world.finance_key)).json
        r = client.post(
            f"{ENTRIES}/{made['id']}/revoke",
            json={"reason": "行政复议撤销"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        )
        assert r.status_code == 200, r.json
        assert r.json["status"] == "revoked"
        assert r.json["transitions"][-1]["to_status"] == "revoked"
        assert client.get(f"{ENTRIES}/{made['id']}").status_code == 404
        again = client.post(
            f"{ENTRIES}/{made['id']}/revoke", json={"reason": "重复"}, headers=auth(world.finance_key, If_Match='"v2"')
        )
        assert again.status_code == 409

    def test_an_expired_entry_can_still_be_revoked_but_not_removed(self, client, world, entity):
        made = client.post(
            ENTRIES,
            json=entry(entity.id, listed_on="2024-01-01", expires_on="2025-01-01"),
            headers=auth(world.finance_key),
        ).json
        assert made["status"] == "expired"
        removed = client.post(
            f"{ENTRIES}/{made['id']}/remove", json={"reason": "x"}, headers=auth(world.finance_key, If_Match='"v1"')
        )
        assert removed.status_code == 409
        revoked = client.post(
            f"{ENTRIES}/{made['id']}/revoke",
            json={"reason": "判决撤销"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        )
        assert revoked.status_code == 200
        assert revoked.json["status"] == "revoked"

    def test_only_the_deciding_authority_revokes(self, client, world, entity):
        made = client.post(ENTRIES, json=entry(entity.id), headers=auth(world.finance_key)).json
        r = client.post(
            f"{ENTRIES}/{made['id']}/revoke", json={"reason": "x"}, headers=auth(world.housing_key, If_Match='"v1"')
        )
        assert r.status_code == 403
