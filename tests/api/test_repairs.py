"""/api/v1/repairs through the HTTP client: applying, deciding, deadlines and their effect."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests import factories
from tests.conftest import auth
from tests.ledger_queries import events_of, ids, ledger_size

URL = "/api/v1/repairs"
TODAY = dt.date(2026, 11, 23)


def at(day: dt.date) -> dt.datetime:
    """10:00 China time on `day`, for runtime.clock.fixed."""
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def penalty(session, world, entity):
    """一般 penalty decided 2026-05-01: minimum 3 months, repair from 2026-08-01."""
    made = factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 5, 1), severity="general")
    session.commit()
    return made


def body(record_id: int, record_type: str = "penalty", **fields: Any) -> dict[str, Any]:
    return {
        "record_type": record_type,
        "record_id": record_id,
        "statement": "已全额缴纳罚款，并完成整改",
        "commitment": "本单位承诺今后依法诚信参与公共资源交易活动",
        "attachments": [{"name": "罚款缴纳凭证", "ref": "https://example.gov.cn/receipts/118"}],
        **fields,
    }


def apply(client, key: str, record_id: int, record_type: str = "penalty", **fields: Any):
    return client.post(URL, json=body(record_id, record_type, **fields), headers=auth(key))


def applied(client, key: str, record_id: int, record_type: str = "penalty", **fields: Any) -> dict[str, Any]:
    r = apply(client, key, record_id, record_type, **fields)
    assert r.status_code == 201, r.json
    return r.json


def act(client, key: str, application_id: int, action: str, version: int | None, **payload: Any):
    headers = auth(key) if version is None else auth(key, If_Match=f'"v{version}"')
    if action != "accept":
        payload.setdefault("reason", "已履行义务并作出信用承诺")
    return client.post(f"{URL}/{application_id}/{action}", json=payload or None, headers=headers)


# --- applying ----------------------------------------------------------------------------------------


def test_platform_submits_an_application(client, session, world, entity, penalty):
    r = apply(client, world.platform_key, penalty.id)

    assert r.status_code == 201, r.json
    made = r.json
    assert r.headers["ETag"] == '"v1"'
    assert r.headers["Location"].endswith(f"{URL}/{made['id']}")
    assert made["status"] == "submitted"
    assert (made["record_type"], made["record_id"]) == ("penalty", penalty.id)
    assert (made["entity_id"], made["authority_id"]) == (entity.id, world.finance.id)
    assert made["submitted_on"] == "2026-11-23"
    # 国办发〔2025〕22号: the deciding authority decides within 3 working days of receipt; the
    # platform's own 10 working days are its own.
    assert made["accept_by"] == made["decide_by"] == "2026-11-26"
    assert made["platform_answer_by"] == "2026-12-07"
    assert made["due_provisional"] is False
    assert made["overdue"] is False
    assert made["attachments"] == [{"name": "罚款缴纳凭证", "ref": "https://example.gov.cn/receipts/118"}]
    assert [e.operation for e in events_of(session, "repair_application", made["id"])] == ["submit"]


def test_an_application_before_the_minimum_period_names_the_earliest_date(client, session, world, penalty, runtime):
    runtime.clock.fixed = at(dt.date(2026, 7, 31))
    before = ledger_size(session)

    r = apply(client, world.platform_key, penalty.id)

    assert r.status_code == 409
    assert "2026-08-01" in r.json["message"]
    assert "2026-08-01" in r.json["errors"]["record_id"][0]
    assert ledger_size(session) == before

    runtime.clock.fixed = at(dt.date(2026, 8, 1))
    assert apply(client, world.platform_key, penalty.id).status_code == 201


def test_a_serious_penalty_cannot_be_repaired_until_a_year_has_passed(client, session, world, entity, runtime):
    serious = factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 5, 1), severity="serious")
    session.commit()

    r = apply(client, world.platform_key, serious.id)
    assert r.status_code == 409
    assert "2027-05-01" in r.json["message"]

    runtime.clock.fixed = at(dt.date(2027, 5, 1))
    assert apply(client, world.platform_key, serious.id).status_code == 201


def test_list_entries_follow_their_list(client, session, world, entity):
    procurement = factories.make_list_entry(
        session, world.finance, entity, listed_on=dt.date(2025, 3, 1), expires_on=dt.date(2027, 2, 28)
    )
    market = factories.make_list_entry(
        session, world.finance, entity, list_name="严重违法失信名单", listed_on=dt.date(2025, 11, 1)
    )
    recent = factories.make_list_entry(
        session, world.finance, entity, list_name="严重违法失信名单", listed_on=dt.date(2026, 3, 1)
    )
    session.commit()

    refused = apply(client, world.platform_key, procurement.id, "list_entry")
    assert refused.status_code == 409
    assert "在有效期内不能信用修复" in refused.json["message"]
    assert "cannot be repaired while the entry runs" in refused.json["message_en"]
    too_early = apply(client, world.platform_key, recent.id, "list_entry")
    assert too_early.status_code == 409
    assert "2027-03-01" in too_early.json["message"]
    assert apply(client, world.platform_key, market.id, "list_entry").status_code == 201


def test_a_second_open_application_is_a_conflict(client, session, world, penalty):
    first = applied(client, world.platform_key, penalty.id)
    before = ledger_size(session)

    r = apply(client, world.finance_key, penalty.id)

    assert r.status_code == 409
    assert f"信用修复申请 {first['id']} 仍为“已提交”状态" in r.json["message"]
    assert f"repair application {first['id']}" in r.json["message_en"]
    assert ledger_size(session) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"record_type": "licence"}, "record_type"),
        ({"record_id": 999_999}, "record_id"),
        ({"statement": ""}, "statement"),
        ({"commitment": None}, "commitment"),
        ({"attachments": [{"name": "凭证"}]}, "attachments.0.ref"),
        ({"attachments": [{"name": "凭证", "ref": "x", "file": "base64…"}]}, "attachments.0.file"),
        ({"entity_id": 1}, "entity_id"),
    ],
)
def test_invalid_applications_are_422(client, world, penalty, change, field):
    r = client.post(URL, json={**body(penalty.id), **change}, headers=auth(world.platform_key))

    assert r.status_code == 422, r.json
    assert field in r.json["errors"]


def test_who_may_submit(client, session, world, entity, penalty):
    assert apply(client, world.housing_key, penalty.id).status_code == 403
    assert apply(client, world.screener_key, penalty.id).status_code == 403
    assert client.post(URL, json=body(penalty.id)).status_code == 401
    assert apply(client, world.finance_key, penalty.id).status_code == 201


# --- deciding ---------------------------------------------------------------------------------------


def test_full_path_ends_publication_and_keeps_the_penalty(client, session, world, penalty):
    public_url = f"/api/v1/penalties/{penalty.id}"
    assert client.get(public_url).status_code == 200
    made = applied(client, world.platform_key, penalty.id)

    accepted = act(client, world.finance_key, made["id"], "accept", 1)
    assert accepted.status_code == 200, accepted.json
    assert accepted.headers["ETag"] == '"v2"'
    assert (accepted.json["status"], accepted.json["accepted_on"]) == ("accepted", "2026-11-23")

    done = act(client, world.finance_key, made["id"], "complete", 2, reason="已缴清罚款，整改到位")
    assert done.status_code == 200, done.json
    assert done.headers["ETag"] == '"v3"'
    assert done.json["status"] == "repaired"
    assert done.json["decision_reason"] == "已缴清罚款，整改到位"
    assert done.json["decided_on"] == "2026-11-23"

    assert client.get(public_url).status_code == 404
    assert penalty.id not in ids(client.get("/api/v1/penalties"))
    assert penalty.id not in ids(client.get("/api/v1/penalties", headers=auth(world.screener_key)))
    kept = client.get(public_url, headers=auth(world.admin_key))
    assert kept.status_code == 200
    assert (kept.json["status"], kept.json["repaired_on"]) == ("effective", "2026-11-23")
    history = client.get(f"{public_url}/history", headers=auth(world.finance_key))
    assert [row["action"] for row in history.json["items"]] == ["create", "repair"]
    assert [e.operation for e in events_of(session, "repair_application", made["id"])] == [
        "submit",
        "accept",
        "complete",
    ]
    events = events_of(session, "penalty", penalty.id)
    assert [e.operation for e in events] == ["create", "repair"]
    assert events[-1].seq > events_of(session, "repair_application", made["id"])[-1].seq


def test_full_path_repairs_a_list_entry(client, session, world, entity):
    entry = factories.make_list_entry(
        session, world.finance, entity, list_name="严重违法失信名单", listed_on=dt.date(2025, 11, 1)
    )
    session.commit()
    made = applied(client, world.finance_key, entry.id, "list_entry")
    act(client, world.finance_key, made["id"], "accept", 1)

    assert act(client, world.finance_key, made["id"], "complete", 2).status_code == 200

    assert client.get(f"/api/v1/list-entries/{entry.id}").status_code == 404
    kept = client.get(f"/api/v1/list-entries/{entry.id}", headers=auth(world.platform_key)).json
    assert kept["status"] == "repaired"
    assert kept["transitions"][-1]["to_status"] == "repaired"


def test_rejection(client, session, world, penalty):
    made = applied(client, world.platform_key, penalty.id)

    missing = act(client, world.finance_key, made["id"], "reject", 1, reason="")
    assert missing.status_code == 422
    assert "reason" in missing.json["errors"]
    no_body = client.post(f"{URL}/{made['id']}/reject", json={}, headers=auth(world.finance_key, If_Match='"v1"'))
    assert no_body.status_code == 422

    r = act(client, world.finance_key, made["id"], "reject", 1, reason="尚未缴纳罚款")
    assert r.status_code == 200, r.json
    assert (r.json["status"], r.json["decision_reason"]) == ("rejected", "尚未缴纳罚款")
    assert client.get(f"/api/v1/penalties/{penalty.id}").status_code == 200  # still published
    assert act(client, world.finance_key, made["id"], "accept", 2).status_code == 409


def test_only_the_records_authority_decides(client, session, world, penalty):
    made = applied(client, world.platform_key, penalty.id)
    before = ledger_size(session)

    for key in (world.housing_key, world.platform_key, world.screener_key):
        assert act(client, key, made["id"], "accept", 1).status_code == 403
        assert act(client, key, made["id"], "reject", 1).status_code == 403
    # 谁认定、谁修复: not even an administrator decides in the authority's place (国办发〔2025〕22号).
    refused = act(client, world.admin_key, made["id"], "accept", 1)
    assert refused.status_code == 403
    assert "谁认定、谁修复" in refused.json["message"]
    assert ledger_size(session) == before
    assert act(client, world.finance_key, made["id"], "accept", 1).status_code == 200


def test_if_match_is_required_and_checked(client, session, world, penalty):
    made = applied(client, world.platform_key, penalty.id)
    assert act(client, world.finance_key, made["id"], "accept", 1).status_code == 200
    before = ledger_size(session)

    stale = act(client, world.finance_key, made["id"], "complete", 1)
    assert stale.status_code == 412
    assert "当前为第 2 版" in stale.json["message"]
    assert "version 2" in stale.json["message_en"]
    assert act(client, world.finance_key, made["id"], "complete", None).status_code == 428
    assert ledger_size(session) == before
    read = client.get(f"{URL}/{made['id']}", headers=auth(world.finance_key))
    assert read.headers["ETag"] == '"v2"'
    assert read.json["status"] == "accepted"


# --- reading ----------------------------------------------------------------------------------------


def test_who_may_read(client, session, world, entity, penalty):
    made = applied(client, world.platform_key, penalty.id)
    url = f"{URL}/{made['id']}"

    for key in (world.admin_key, world.platform_key, world.finance_key):
        r = client.get(url, headers=auth(key))
        assert r.status_code == 200
        assert r.headers["ETag"] == '"v1"'
        assert ids(client.get(URL, headers=auth(key))) == {made["id"]}
    assert client.get(url, headers=auth(world.housing_key)).status_code == 404
    assert ids(client.get(URL, headers=auth(world.housing_key))) == set()
    assert client.get(url, headers=auth(world.screener_key)).status_code == 403
    assert client.get(URL, headers=auth(world.screener_key)).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}?colour=red", headers=auth(world.admin_key)).status_code == 422


def test_deadlines_across_national_day_and_the_overdue_filter(client, session, world, penalty, runtime):
    runtime.clock.fixed = at(dt.date(2026, 9, 25))  # Friday, 中秋节
    made = applied(client, world.platform_key, penalty.id)
    assert (made["accept_by"], made["decide_by"], made["platform_answer_by"]) == (
        "2026-09-30",
        "2026-09-30",
        "2026-10-15",
    )
    headers = auth(world.finance_key)

    runtime.clock.fixed = at(dt.date(2026, 9, 30))
    assert ids(client.get(f"{URL}?overdue=true", headers=headers)) == set()
    assert ids(client.get(f"{URL}?overdue=false", headers=headers)) == {made["id"]}

    runtime.clock.fixed = at(dt.date(2026, 10, 8))
    assert ids(client.get(f"{URL}?overdue=true", headers=headers)) == {made["id"]}
    assert client.get(f"{URL}/{made['id']}", headers=headers).json["overdue"] is True

    accepted = act(client, world.finance_key, made["id"], "accept", 1)
    assert accepted.json["overdue"] is True  # taken up, but the 3 working days to decide ran out on 9/30
    assert ids(client.get(f"{URL}?overdue=true&status=accepted", headers=headers)) == {made["id"]}


def test_filters(client, session, world, entity, penalty):
    other = factories.make_entity(session, "宁波甬兴贸易有限公司")
    theirs = factories.make_penalty(session, world.housing, other, decided_on=dt.date(2026, 5, 1), domain="housing")
    session.commit()
    mine = applied(client, world.platform_key, penalty.id)
    their_app = applied(client, world.platform_key, theirs.id)
    headers = auth(world.admin_key)

    assert ids(client.get(f"{URL}?authority_id={world.housing.id}", headers=headers)) == {their_app["id"]}
    assert ids(client.get(f"{URL}?entity_id={entity.id}", headers=headers)) == {mine["id"]}
    assert ids(client.get(f"{URL}?record_type=list_entry", headers=headers)) == set()
    assert ids(client.get(f"{URL}?status=submitted", headers=headers)) == {mine["id"], their_app["id"]}
    assert client.get(f"{URL}?status=open", headers=headers).status_code == 422


def test_idempotent_submission(client, session, world, penalty):
    headers = auth(world.platform_key, Idempotency_Key="repair-118")
    first = client.post(URL, json=body(penalty.id), headers=headers)
    again = client.post(URL, json=body(penalty.id), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
