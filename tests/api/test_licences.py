"""/api/v1/licences: 行政许可 with the same rules as penalties — the authority's own records, If-Match,
audit and outbox — its 7-working-day disclosure deadline, its revocation and expiry reflected, and
the national format in the feed. A licence never changes a screening."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from registry.models import AuditLog, Licence
from tests.conftest import auth

URL = "/api/v1/licences"


def body(entity_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "decision_document_name": "建筑业企业资质证书核准决定书",
        "decision_number": "浙建许〔2026〕88号",
        "licence_category": "核准",
        "licence_name": "建筑业企业资质证书",
        "licence_number": "D233012345",
        "content": "建筑工程施工总承包贰级",
        "decided_on": "2026-11-02",
        "valid_from": "2026-11-02",
        "valid_to": "2031-11-01",
        **fields,
    }


def test_a_supervisor_records_corrects_and_revokes_a_licence(client, session, world, entity):
    r = client.post(URL, json=body(entity.id), headers=auth(world.finance_key))
    assert r.status_code == 201, r.json
    made = r.json
    assert (made["status"], made["subject_name"], made["authority_id"]) == ("effective", entity.name, world.finance.id)
    assert made["publication_due_on"] == "2026-11-11"  # 7 working days from Monday 2 November
    assert r.headers["ETag"] == '"v1"'

    stale = client.patch(
        f"{URL}/{made['id']}",
        json={"content": "建筑工程施工总承包壹级", "reason": "录入有误"},
        headers=auth(world.finance_key, If_Match='"v0"'),
    )
    assert stale.status_code == 412
    fixed = client.patch(
        f"{URL}/{made['id']}",
        json={"content": "建筑工程施工总承包壹级", "reason": "录入有误"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert fixed.status_code == 200, fixed.json
    ended = client.post(
        f"{URL}/{made['id']}/end",
        json={"status": "revoked", "reason": "以欺骗手段取得许可", "status_changed_on": "2026-11-20"},
        headers=auth(world.finance_key, If_Match='"v2"'),
    )
    assert ended.status_code == 200, ended.json
    assert ended.json["status"] == "revoked"
    public = client.get(f"{URL}/{made['id']}").json
    assert (public["status"], public["status_changed_on"]) == ("revoked", "2026-11-20")  # shown with its state
    actions = session.scalars(
        sa.select(AuditLog.action).where(AuditLog.record_type == "licence").order_by(AuditLog.seq)
    )
    assert list(actions) == ["create", "correct", "revoked"]


def test_another_authority_may_not_change_it_and_expiry_is_read_from_valid_to(client, session, world, entity):
    made = client.post(URL, json=body(entity.id, valid_to="2026-11-10"), headers=auth(world.finance_key)).json
    assert made["status"] == "expired"  # 有效期至 2026-11-10, today 2026-11-23: no job needed
    refused = client.patch(
        f"{URL}/{made['id']}", json={"remarks": "x", "reason": "y"}, headers=auth(world.housing_key, If_Match='"v1"')
    )
    assert refused.status_code == 403
    assert session.get_one(Licence, made["id"]).version == 1


def test_the_feed_carries_it_in_the_national_format(client, world, entity):
    made = client.post(URL, json=body(entity.id), headers=auth(world.finance_key)).json
    events = client.get("/api/v1/feed?after=0&limit=1000", headers=auth(world.platform_key)).json["events"]
    (event,) = [e for e in events if e["record_type"] == "licence"]
    record = event["record"]
    assert (record["decision_number"], record["licence_category"], record["status"]) == (
        "浙建许〔2026〕88号",
        "核准",
        "有效",
    )
    assert (record["subject_name"], record["authority_name"]) == (entity.name, "浙江省财政厅")
    assert record["record_id"] == made["id"]


def test_a_licence_never_changes_a_screening(client, world, entity):
    before = client.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": "P-1", "subjects": [{"name": entity.name}]},
        headers=auth(world.screener_key),
    ).json["decision"]
    client.post(URL, json=body(entity.id), headers=auth(world.finance_key))
    after = client.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": "P-1", "subjects": [{"name": entity.name}]},
        headers=auth(world.screener_key),
    ).json["decision"]
    assert before == after == "clear"


def test_bad_input_names_the_field(client, world, entity):
    for fields, field in (
        ({"licence_category": "特别"}, "licence_category"),
        ({"valid_to": "2026-01-01"}, "valid_to"),
        ({"decided_on": "2027-01-01", "valid_from": "2027-01-01"}, "decided_on"),
    ):
        r = client.post(URL, json=body(entity.id, **fields), headers=auth(world.finance_key))
        assert r.status_code == 422, (fields, r.json)
        assert field in r.json["errors"], r.json
    assert client.post(URL, json=body(entity.id), headers=auth(world.screener_key)).status_code == 403


def test_a_licence_published_after_its_seven_working_days_is_late_in_the_timeliness_report(client, world, entity):
    made = client.post(URL, json=body(entity.id), headers=auth(world.finance_key)).json  # decided 2026-11-02
    r = client.get(
        "/api/v1/reports/timeliness",
        query_string={"from": "2026-11-01", "to": "2026-11-30", "record_type": "licence"},
        headers=auth(world.admin_key),
    )
    assert r.status_code == 200, r.json
    assert r.json["record_types"] == ["licence"]
    (finance,) = r.json["authorities"]
    assert (finance["records"], finance["late"]) == (1, 1)  # due 2026-11-11, published 2026-11-23
    assert made["publication_due_on"] == "2026-11-11"


def test_dates_out_of_order_are_refused_naming_the_earlier_date_in_chinese(client, world, entity):
    r = client.post(URL, json=body(entity.id, valid_to="2026-11-01"), headers=auth(world.finance_key))
    assert r.status_code == 422
    assert r.json["errors"]["valid_to"] == ["日期 2026-11-01 早于有效期自（2026-11-02）。"]
    assert r.json["errors_en"]["valid_to"] == ["2026-11-01 is before valid_from 2026-11-02"]
