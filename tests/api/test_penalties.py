"""/api/v1/penalties through the HTTP client: recording, correcting, revoking, reading, finding."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import sqlalchemy as sa

from registry.models import Penalty
from registry.records import penalties as penalty_service
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import audits_of as _audits_of
from tests.ledger_queries import events_of as _events_of
from tests.ledger_queries import ids, ledger_size

URL = "/api/v1/penalties"
TODAY = dt.date(2026, 11, 23)
DROP = object()  # a field to leave out of the request body
_numbers = itertools.count(1)


def penalty_body(subject: int, /, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entity_id": subject,
        "decision_number": f"浙财采罚〔2026〕{next(_numbers)}号",
        "violation_type": "提供虚假材料谋取中标",
        "facts": "在某政府采购项目中提供虚假业绩证明材料",
        "basis": "《中华人民共和国政府采购法》第七十七条",
        "categories": ["罚款"],
        "content": "罚款人民币二千元",
        "fine_amount": "0.2",
        "decided_on": "2026-11-02",
        "severity": "general",
        "domain": "procurement",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not DROP}


def events_of(session, record_id: int):
    return _events_of(session, "penalty", record_id)


def audits_of(session, record_id: int):
    return _audits_of(session, "penalty", record_id)


def create(client, key: str | None, subject: int, /, **fields: Any):
    headers = auth(key) if key else {}
    return client.post(URL, json=penalty_body(subject, **fields), headers=headers)


def created(client, key: str, subject: int, /, **fields: Any) -> dict[str, Any]:
    r = create(client, key, subject, **fields)
    assert r.status_code == 201, r.json
    return r.json


def penalty_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Penalty))


# --- recording ------------------------------------------------------------------------------


def test_supervisor_records_a_penalty_of_its_own_authority(client, session, world, entity):
    r = create(client, world.finance_key, entity.id, fine_amount="0.2")

    assert r.status_code == 201, r.json
    body = r.json
    assert r.headers["ETag"] == '"v1"'
    assert r.headers["Location"].endswith(f"{URL}/{body['id']}")
    assert body["authority_id"] == world.finance.id
    assert body["data_source_authority_id"] == world.finance.id
    assert body["subject_name"] == "杭州合晟建设工程有限公司"
    assert body["subject_uscc"] == entity.uscc
    assert body["fine_amount"] == "0.2"
    assert body["confiscation_amount"] is None
    assert body["status"] == "effective"
    assert body["version"] == 1
    assert body["is_public"] is True
    assert body["not_public_reason"] is None
    assert body["first_published_at"] is not None

    session.expire_all()  # read what was stored, not the object still in memory
    again = client.get(r.headers["Location"])
    assert again.status_code == 200
    assert again.headers["ETag"] == '"v1"'
    assert again.json["fine_amount"] == "0.2"
    assert again.json["subject_name"] == "杭州合晟建设工程有限公司"


@pytest.mark.parametrize(
    ("fine", "shown"),
    [("0.2", "0.2"), ("20", "20"), ("0.000001", "0.000001"), ("1234.5678", "1234.5678"), ("200.00", "200")],
)
def test_amounts_in_wan_yuan_survive_storage_as_strings(client, session, world, entity, fine, shown):
    made = created(
        client,
        world.finance_key,
        entity.id,
        categories=["罚款", "没收违法所得"],
        fine_amount=fine,
        confiscation_amount="3.50",
    )
    assert (made["fine_amount"], made["confiscation_amount"]) == (shown, "3.5")

    session.expire_all()
    stored = client.get(f"{URL}/{made['id']}").json
    assert stored["fine_amount"] == shown
    assert stored["confiscation_amount"] == "3.5"


def test_largest_storable_amount_is_accepted_and_a_larger_one_refused(client, session, world, entity):
    made = created(client, world.finance_key, entity.id, fine_amount="9223372036854.775807")
    session.expire_all()
    assert client.get(f"{URL}/{made['id']}").json["fine_amount"] == "9223372036854.775807"

    for too_large in ("9223372036854.775808", "1E+13"):
        r = create(client, world.finance_key, entity.id, fine_amount=too_large)
        assert r.status_code == 422, too_large
        assert "fine_amount" in r.json["errors"]


def test_data_source_authority_may_differ_from_the_deciding_one(client, world, entity):
    made = created(client, world.finance_key, entity.id, data_source_authority_id=world.housing.id)
    assert made["authority_id"] == world.finance.id
    assert made["data_source_authority_id"] == world.housing.id

    r = create(client, world.finance_key, entity.id, data_source_authority_id=999_999)
    assert r.status_code == 422
    assert "data_source_authority_id" in r.json["errors"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"colour": "red"}, "colour", id="unknown-field"),
        pytest.param({"categories": ["罚金"]}, "categories", id="unknown-category"),
        pytest.param({"categories": []}, "categories", id="no-category"),
        pytest.param({"fine_amount": None}, "fine_amount", id="fine-without-amount"),
        pytest.param({"fine_amount": DROP}, "fine_amount", id="fine-amount-missing"),
        pytest.param({"categories": ["警告"]}, "fine_amount", id="amount-without-fine"),
        pytest.param({"fine_amount": "0.1234567"}, "fine_amount", id="finer-than-a-fen"),
        pytest.param({"fine_amount": "-0.5"}, "fine_amount", id="negative-fine"),
        pytest.param({"fine_amount": "NaN"}, "fine_amount", id="nan-fine"),
        pytest.param({"fine_amount": "1E+20"}, "fine_amount", id="fine-beyond-storage"),
        pytest.param({"confiscation_amount": "1"}, "confiscation_amount", id="confiscation-without-category"),
        pytest.param(
            {"categories": ["罚款", "没收违法所得"]}, "confiscation_amount", id="confiscation-category-without-amount"
        ),
        pytest.param(
            {"categories": ["罚款", "没收非法财物"], "confiscation_amount": "-1"},
            "confiscation_amount",
            id="negative-confiscation",
        ),
        pytest.param(
            {"categories": ["吊销许可证件"], "fine_amount": None}, "licence_affected", id="revocation-without-licence"
        ),
        pytest.param(
            {"categories": ["暂扣许可证件"], "fine_amount": None, "licence_affected": "  "},
            "licence_affected",
            id="suspension-with-blank-licence",
        ),
        pytest.param({"decided_on": "2026-11-24"}, "decided_on", id="decided-tomorrow"),
        pytest.param({"valid_until": "2026-11-01"}, "valid_until", id="valid-until-before-decision"),
        pytest.param(
            {"publication_ends_on": "2026-11-01"}, "publication_ends_on", id="publication-ends-before-decision"
        ),
        pytest.param({"is_public": False}, "not_public_reason", id="not-public-without-reason"),
        pytest.param(
            {"is_public": False, "not_public_reason": "   "}, "not_public_reason", id="not-public-with-blank-reason"
        ),
        pytest.param({"not_public_reason": "涉及商业秘密"}, "not_public_reason", id="public-with-reason"),
        pytest.param({"domain": "fishing"}, "domain", id="unknown-domain"),
        pytest.param({"severity": "huge"}, "severity", id="unknown-severity"),
        pytest.param({"entity_id": DROP}, "entity_id", id="entity-missing"),
        pytest.param({"entity_id": 999_999}, "entity_id", id="entity-unknown"),
        pytest.param({"facts": "   "}, "facts", id="blank-facts"),
        pytest.param({"decision_number": DROP}, "decision_number", id="decision-number-missing"),
        pytest.param({"decided_on": "2026-02-30"}, "decided_on", id="impossible-date"),
    ],
)
def test_invalid_penalty_is_refused_naming_the_field(client, session, world, entity, fields, field):
    before = (penalty_count(session), ledger_size(session))

    r = create(client, world.finance_key, entity.id, **fields)

    assert r.status_code == 422, r.json
    assert r.json["code"] == 422
    assert any(name == field or name.startswith(f"{field}.") for name in r.json["errors"]), r.json
    assert field in r.json["message"]
    assert (penalty_count(session), ledger_size(session)) == before


def test_decision_on_today_and_zero_decimals_are_accepted(client, world, entity):
    made = created(client, world.finance_key, entity.id, decided_on=TODAY.isoformat(), valid_until=TODAY.isoformat())
    assert made["decided_on"] == "2026-11-23"


def test_text_fields_are_trimmed_and_blank_optional_ones_become_null(client, world, entity):
    made = created(
        client, world.finance_key, entity.id, facts="  事实  ", remarks="   ", project_code="  ZJCG-2026-001 "
    )
    assert made["facts"] == "事实"
    assert made["remarks"] is None
    assert made["project_code"] == "ZJCG-2026-001"


def test_repeated_categories_are_kept_once_in_order(client, world, entity):
    made = created(client, world.finance_key, entity.id, categories=["警告", "罚款", "警告"])
    assert made["categories"] == ["警告", "罚款"]


def test_duplicate_decision_number_of_the_same_authority_is_a_conflict(client, session, world, entity):
    number = "浙财采罚〔2026〕88号"
    created(client, world.finance_key, entity.id, decision_number=number)
    before = (penalty_count(session), ledger_size(session))

    again = create(client, world.finance_key, entity.id, decision_number=number)
    assert again.status_code == 409
    assert "decision_number" in again.json["errors"]
    assert (penalty_count(session), ledger_size(session)) == before

    elsewhere = create(client, world.housing_key, entity.id, decision_number=number)
    assert elsewhere.status_code == 201
    assert elsewhere.json["authority_id"] == world.housing.id


def test_correcting_to_another_penaltys_number_is_a_conflict(client, world, entity):
    first = created(client, world.finance_key, entity.id)
    second = created(client, world.finance_key, entity.id)
    r = client.patch(
        f"{URL}/{second['id']}",
        json={"decision_number": first["decision_number"], "reason": "更正"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 409
    assert client.get(f"{URL}/{second['id']}").json["decision_number"] == second["decision_number"]


# --- who may record and change ----------------------------------------------------------------


def test_supervisor_cannot_record_for_another_authority(client, session, world, entity):
    before = (penalty_count(session), ledger_size(session))
    r = create(client, world.housing_key, entity.id, authority_id=world.finance.id)
    assert r.status_code == 403
    assert (penalty_count(session), ledger_size(session)) == before


def test_supervisor_may_name_its_own_authority(client, world, entity):
    made = created(client, world.housing_key, entity.id, authority_id=world.housing.id)
    assert made["authority_id"] == world.housing.id


@pytest.mark.parametrize("role", ["screener", "platform", "anonymous"])
@pytest.mark.parametrize("names_authority", [False, True], ids=["own-default", "names-authority"])
def test_readers_cannot_record_penalties(client, session, world, entity, role, names_authority):
    key = None if role == "anonymous" else getattr(world, f"{role}_key")
    extra = {"authority_id": world.finance.id} if names_authority else {}
    before = (penalty_count(session), ledger_size(session))

    r = create(client, key, entity.id, **extra)

    assert r.status_code == (401 if key is None else 403), r.json
    assert (penalty_count(session), ledger_size(session)) == before


def test_unknown_or_malformed_key_is_401(client, world, entity):
    assert create(client, "crk_not-a-real-key", entity.id).status_code == 401
    r = client.post(URL, json=penalty_body(entity.id), headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_admin_must_name_the_authority_and_may_name_any(client, world, entity):
    r = create(client, world.admin_key, entity.id)
    assert r.status_code == 422
    assert "authority_id" in r.json["errors"]

    r = create(client, world.admin_key, entity.id, authority_id=999_999)
    assert r.status_code == 422
    assert "authority_id" in r.json["errors"]

    made = created(client, world.admin_key, entity.id, authority_id=world.housing.id)
    assert made["authority_id"] == world.housing.id
    assert made["data_source_authority_id"] == world.housing.id


def test_supervisor_cannot_correct_or_revoke_another_authoritys_penalty(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    before = ledger_size(session)

    patch = client.patch(
        f"{URL}/{made['id']}",
        json={"content": "改", "reason": "越权"},
        headers=auth(world.housing_key, If_Match='"v1"'),
    )
    revoke = client.post(
        f"{URL}/{made['id']}/revoke", json={"reason": "越权"}, headers=auth(world.housing_key, If_Match='"v1"')
    )

    assert patch.status_code == 403
    assert revoke.status_code == 403
    after = client.get(f"{URL}/{made['id']}", headers=auth(world.finance_key))
    assert after.json["version"] == 1
    assert after.json["content"] == made["content"]
    assert after.json["status"] == "effective"
    assert ledger_size(session) == before


@pytest.mark.parametrize("role", ["screener", "platform", "anonymous"])
def test_readers_cannot_correct_or_revoke(client, world, entity, role):
    made = created(client, world.finance_key, entity.id)
    key = None if role == "anonymous" else getattr(world, f"{role}_key")
    headers = auth(key, If_Match='"v1"') if key else {"If-Match": '"v1"'}

    refused = 401 if key is None else 403  # no credentials: authenticate first
    assert (
        client.patch(f"{URL}/{made['id']}", json={"content": "改", "reason": "x"}, headers=headers).status_code
        == refused
    )
    assert client.post(f"{URL}/{made['id']}/revoke", json={"reason": "x"}, headers=headers).status_code == refused


def test_admin_may_correct_any_authoritys_penalty(client, world, entity):
    made = created(client, world.finance_key, entity.id)
    r = client.patch(
        f"{URL}/{made['id']}",
        json={"content": "罚款人民币二千元整", "reason": "笔误"},
        headers=auth(world.admin_key, If_Match='"v1"'),
    )
    assert r.status_code == 200
    assert r.json["content"] == "罚款人民币二千元整"


# --- correcting (更正) ---------------------------------------------------------------------------


def test_correction_bumps_version_and_etag(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"

    r = client.patch(
        url,
        json={"content": "罚款人民币二千元整", "fine_amount": "0.25", "reason": "金额笔误"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.headers["ETag"] == '"v2"'
    assert r.json["version"] == 2
    assert r.json["content"] == "罚款人民币二千元整"
    assert r.json["fine_amount"] == "0.25"
    session.expire_all()
    read = client.get(url)
    assert read.headers["ETag"] == '"v2"'
    assert read.json["fine_amount"] == "0.25"

    r = client.patch(
        url, json={"remarks": "补充备注", "reason": "补充"}, headers=auth(world.finance_key, If_Match='"v2"')
    )
    assert r.status_code == 200
    assert r.headers["ETag"] == '"v3"'


def test_stale_if_match_is_412_and_changes_nothing(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"
    assert (
        client.patch(
            url, json={"content": "第二版", "reason": "更正"}, headers=auth(world.finance_key, If_Match='"v1"')
        ).status_code
        == 200
    )
    before = ledger_size(session)

    stale = client.patch(
        url, json={"content": "第三版", "reason": "更正"}, headers=auth(world.finance_key, If_Match='"v1"')
    )
    stale_revoke = client.post(
        f"{url}/revoke", json={"reason": "撤销"}, headers=auth(world.finance_key, If_Match='"v1"')
    )

    assert stale.status_code == 412
    assert stale_revoke.status_code == 412
    session.expire_all()
    read = client.get(url)
    assert read.json["content"] == "第二版"
    assert read.json["status"] == "effective"
    assert read.json["version"] == 2
    assert ledger_size(session) == before


@pytest.mark.parametrize(
    ("if_match", "status"),
    [(None, 428), ("*", 428), ('"abc"', 412), ('"v1", "v2"', 412)],
)
def test_if_match_must_name_one_issued_version(client, world, entity, if_match, status):
    made = created(client, world.finance_key, entity.id)
    headers = auth(world.finance_key) if if_match is None else auth(world.finance_key, If_Match=if_match)

    patch = client.patch(f"{URL}/{made['id']}", json={"content": "改", "reason": "更正"}, headers=headers)
    revoke = client.post(f"{URL}/{made['id']}/revoke", json={"reason": "撤销"}, headers=headers)

    assert patch.status_code == status
    assert revoke.status_code == status
    assert client.get(f"{URL}/{made['id']}").json["version"] == 1


def test_weak_etag_never_matches(client, world, entity):
    # If-Match compares strongly (RFC 9110 13.1.1): W/"v1" is not "v1".
    made = created(client, world.finance_key, entity.id)
    r = client.patch(
        f"{URL}/{made['id']}",
        json={"content": "改", "reason": "更正"},
        headers=auth(world.finance_key, If_Match='W/"v1"'),
    )
    assert r.status_code == 412


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"content": "改"}, "reason"),
        ({"content": "改", "reason": ""}, "reason"),
        ({"content": "改", "reason": "   "}, "reason"),
        ({"authority_id": 1, "reason": "换机关"}, "authority_id"),
        ({"categories": ["警告"], "reason": "更正类别"}, "fine_amount"),
        ({"decided_on": "2026-12-01", "reason": "更正日期"}, "decided_on"),
        ({"is_public": False, "reason": "保密审查"}, "not_public_reason"),
        ({"entity_id": 999_999, "reason": "更正相对人"}, "entity_id"),
        ({"categories": [], "reason": "清空"}, "categories"),
    ],
)
def test_invalid_correction_is_422_and_changes_nothing(client, session, world, entity, payload, field):
    made = created(client, world.finance_key, entity.id)
    before = ledger_size(session)

    r = client.patch(f"{URL}/{made['id']}", json=payload, headers=auth(world.finance_key, If_Match='"v1"'))

    assert r.status_code == 422, r.json
    assert field in r.json["errors"] or any(k.startswith(f"{field}.") for k in r.json["errors"])
    session.expire_all()
    read = client.get(f"{URL}/{made['id']}").json
    assert read["version"] == 1
    assert read["categories"] == ["罚款"]
    assert ledger_size(session) == before


def test_correction_may_drop_the_fine_together_with_its_category(client, world, entity):
    made = created(client, world.finance_key, entity.id)
    r = client.patch(
        f"{URL}/{made['id']}",
        json={"categories": ["警告"], "fine_amount": None, "reason": "改为警告"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 200, r.json
    assert r.json["categories"] == ["警告"]
    assert r.json["fine_amount"] is None


def test_patch_without_is_public_keeps_a_not_public_record_not_public(client, session, world, entity):
    made = created(client, world.finance_key, entity.id, is_public=False, not_public_reason="涉及商业秘密")
    assert made["first_published_at"] is None

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"remarks": "补充备注", "reason": "补充"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.json["is_public"] is False
    assert r.json["not_public_reason"] == "涉及商业秘密"
    assert r.json["first_published_at"] is None
    assert client.get(f"{URL}/{made['id']}").status_code == 404
    assert made["id"] not in ids(client.get(URL))


def test_publishing_a_not_public_record_by_patch(client, world, entity):
    made = created(client, world.finance_key, entity.id, is_public=False, not_public_reason="涉及商业秘密")

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"is_public": True, "reason": "保密审查结束"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.json["is_public"] is True
    assert r.json["not_public_reason"] is None
    assert r.json["first_published_at"] is not None
    assert client.get(f"{URL}/{made['id']}").status_code == 200


def test_correcting_the_entity_updates_the_subject_snapshot(client, session, world, entity):
    other = factories.make_entity(session, "宁波远景工程咨询有限公司")
    session.commit()
    made = created(client, world.finance_key, entity.id)

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"entity_id": other.id, "reason": "相对人录错"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.json["entity_id"] == other.id
    assert r.json["subject_name"] == "宁波远景工程咨询有限公司"
    assert r.json["subject_uscc"] == other.uscc


def test_correction_that_changes_nothing_keeps_the_version_and_writes_no_event(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    before = ledger_size(session)

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"content": made["content"], "reason": "核对"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200
    assert r.headers["ETag"] == '"v1"'
    assert ledger_size(session) == before


def test_the_same_amount_written_differently_is_no_change(client, session, world, entity):
    made = created(client, world.finance_key, entity.id, fine_amount="0.5")
    before = ledger_size(session)

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"fine_amount": "0.500", "reason": "核对"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200
    assert r.headers["ETag"] == '"v1"'
    assert r.json["fine_amount"] == "0.5"
    assert ledger_size(session) == before


def test_outbox_payload_writes_whole_amounts_plainly(client, session, world, entity):
    made = created(client, world.finance_key, entity.id, fine_amount="20")
    session.expire_all()  # the next request reads the penalty from the database, as a new request would
    assert (
        client.patch(
            f"{URL}/{made['id']}",
            json={"remarks": "补充", "reason": "补充备注"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        ).status_code
        == 200
    )

    payloads = [e.payload["fine_amount"] for e in events_of(session, made["id"])]
    assert payloads == ["20", "20"]


def test_patch_of_a_missing_penalty_is_404(client, world):
    r = client.patch(
        f"{URL}/999999", json={"content": "改", "reason": "x"}, headers=auth(world.finance_key, If_Match='"v1"')
    )
    assert r.status_code == 404


# --- revoking (撤销) -------------------------------------------------------------------------------


def test_revoke_then_no_further_change(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"

    r = client.post(
        f"{url}/revoke",
        json={"reason": "行政复议撤销", "revoked_on": "2026-11-20"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.headers["ETag"] == '"v2"'
    assert r.json["status"] == "revoked"
    assert r.json["revoked_on"] == "2026-11-20"
    assert r.json["revocation_reason"] == "行政复议撤销"
    before = ledger_size(session)

    again = client.post(f"{url}/revoke", json={"reason": "再撤"}, headers=auth(world.finance_key, If_Match='"v2"'))
    patch = client.patch(
        url, json={"content": "改", "reason": "更正"}, headers=auth(world.finance_key, If_Match='"v2"')
    )
    assert again.status_code == 409
    assert patch.status_code == 409
    assert ledger_size(session) == before
    read = client.get(url, headers=auth(world.finance_key))
    assert read.json["status"] == "revoked"
    assert read.json["content"] == made["content"]


def test_revocation_date_defaults_to_today(client, world, entity):
    made = created(client, world.finance_key, entity.id)
    r = client.post(
        f"{URL}/{made['id']}/revoke", json={"reason": "  自行撤销  "}, headers=auth(world.finance_key, If_Match='"v1"')
    )
    assert r.status_code == 200
    assert r.json["revoked_on"] == "2026-11-23"
    assert r.json["revocation_reason"] == "自行撤销"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "撤销", "revoked_on": "2026-11-24"}, "revoked_on"),
        ({"reason": "撤销", "revoked_on": "2026-11-01"}, "revoked_on"),
        ({"reason": "撤销", "when": "2026-11-20"}, "when"),
    ],
)
def test_invalid_revocation_is_422_and_changes_nothing(client, session, world, entity, payload, field):
    made = created(client, world.finance_key, entity.id)
    before = ledger_size(session)

    r = client.post(f"{URL}/{made['id']}/revoke", json=payload, headers=auth(world.finance_key, If_Match='"v1"'))

    assert r.status_code == 422
    assert field in r.json["errors"]
    assert client.get(f"{URL}/{made['id']}").json["status"] == "effective"
    assert ledger_size(session) == before


# --- who sees what ---------------------------------------------------------------------------


@pytest.fixture
def shelf(session, world, entity):
    """Penalties in every state of publication, as of 2026-11-23."""
    finance, housing = world.finance, world.housing
    made = {
        "published": factories.make_penalty(session, finance, entity),
        "not_public": factories.make_penalty(
            session, finance, entity, is_public=False, not_public_reason="涉及商业秘密"
        ),
        "revoked": factories.make_penalty(session, finance, entity),
        # general tier: published for at most 12 months from the decision
        "ended_yesterday": factories.make_penalty(session, finance, entity, decided_on=dt.date(2025, 11, 22)),
        "ends_today": factories.make_penalty(session, finance, entity, decided_on=dt.date(2025, 11, 23)),
        "housing_published": factories.make_penalty(session, housing, entity),
        "housing_not_public": factories.make_penalty(
            session, housing, entity, is_public=False, not_public_reason="涉及国家秘密"
        ),
    }
    penalty_service.revoke_penalty(
        session, made["revoked"].id, "复议撤销", None, factories.supervisor_of(finance), 1, TODAY
    )
    session.commit()
    return {name: p.id for name, p in made.items()}


PUBLISHED = {"published", "ends_today", "housing_published"}
EVERYTHING = {
    "published",
    "not_public",
    "revoked",
    "ended_yesterday",
    "ends_today",
    "housing_published",
    "housing_not_public",
}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", PUBLISHED),
        ("screener", PUBLISHED),
        ("finance", PUBLISHED | {"not_public", "revoked", "ended_yesterday"}),
        ("housing", PUBLISHED | {"housing_not_public"}),
        ("admin", EVERYTHING),
        ("platform", EVERYTHING),
    ],
)
def test_each_caller_sees_what_it_may(client, world, shelf, who, sees):
    headers = {} if who == "anonymous" else auth(getattr(world, f"{who}_key"))

    listed = client.get(URL, headers=headers)

    assert ids(listed) == {shelf[name] for name in sees}
    assert listed.json["total"] == len(sees)
    for name, penalty_id in shelf.items():
        one = client.get(f"{URL}/{penalty_id}", headers=headers)
        assert one.status_code == (200 if name in sees else 404), name
        if name in sees:
            assert one.headers["ETag"] == f'"v{one.json["version"]}"'


def test_publication_ends_at_the_end_of_its_last_day(client, runtime, shelf):
    assert client.get(f"{URL}/{shelf['ends_today']}").status_code == 200
    runtime.clock.fixed = dt.datetime(2026, 11, 23, 15, 59, tzinfo=dt.UTC)  # 23:59 in China
    assert client.get(f"{URL}/{shelf['ends_today']}").status_code == 200
    runtime.clock.fixed = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # midnight in China
    assert client.get(f"{URL}/{shelf['ends_today']}").status_code == 404
    assert shelf["ends_today"] not in ids(client.get(URL))


def test_missing_penalty_is_404_for_everyone(client, world):
    assert client.get(f"{URL}/999999", headers=auth(world.admin_key)).status_code == 404
    assert client.get(f"{URL}/999999").status_code == 404


# --- finding -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(session, world):
    """Penalties to find, decided on different days by different authorities ("a", a minor one,
    has ended its at most 3 months of publication; "d" is revoked)."""
    hesheng = factories.make_entity(session, "杭州合晟建设工程有限公司")
    yuanjing = factories.make_entity(session, "宁波远景工程咨询有限公司")
    session.commit()
    f, h = world.finance, world.housing
    made = {
        "a": factories.make_penalty(
            session, f, hesheng, decided_on=dt.date(2026, 1, 10), severity="minor", project_code="ZJCG-2026-001"
        ),
        "b": factories.make_penalty(
            session, f, yuanjing, decided_on=dt.date(2026, 5, 20), severity="serious", domain="land"
        ),
        "c": factories.make_penalty(
            session,
            h,
            hesheng,
            decided_on=dt.date(2026, 8, 1),
            domain="construction_bidding",
            project_code="JS-2026-07",
        ),
        "d": factories.make_penalty(session, h, yuanjing, decided_on=dt.date(2026, 11, 2)),
    }
    penalty_service.revoke_penalty(session, made["d"].id, "撤销", None, factories.supervisor_of(h), 1, TODAY)
    session.commit()
    found = {name: p.id for name, p in made.items()}
    found["hesheng"], found["yuanjing"] = hesheng, yuanjing
    return found


def _find(client, world, catalogue, **query: Any) -> set[str]:
    r = client.get(URL, query_string=query, headers=auth(world.admin_key))
    got = ids(r)
    return {name for name in "abcd" if catalogue[name] in got}


def test_filters(client, world, catalogue):
    f, h = world.finance.id, world.housing.id
    hesheng = catalogue["hesheng"]
    assert _find(client, world, catalogue) == {"a", "b", "c", "d"}
    assert _find(client, world, catalogue, uscc=hesheng.uscc) == {"a", "c"}
    assert _find(client, world, catalogue, uscc=f" {hesheng.uscc.lower()} ") == {"a", "c"}
    assert _find(client, world, catalogue, uscc="91330106MA2XXXXXX0") == set()
    assert _find(client, world, catalogue, name="远景") == {"b", "d"}
    assert _find(client, world, catalogue, name="合晟建设") == {"a", "c"}
    assert _find(client, world, catalogue, name="不存在") == set()
    assert _find(client, world, catalogue, entity_id=hesheng.id) == {"a", "c"}
    assert _find(client, world, catalogue, authority_id=f) == {"a", "b"}
    assert _find(client, world, catalogue, authority_id=h) == {"c", "d"}
    assert _find(client, world, catalogue, domain="land") == {"b"}
    assert _find(client, world, catalogue, domain="procurement") == {"a", "d"}
    assert _find(client, world, catalogue, severity="serious") == {"b"}
    assert _find(client, world, catalogue, severity="general") == {"c", "d"}
    assert _find(client, world, catalogue, status="revoked") == {"d"}
    assert _find(client, world, catalogue, status="effective") == {"a", "b", "c"}
    assert _find(client, world, catalogue, decided_from="2026-05-20") == {"b", "c", "d"}
    assert _find(client, world, catalogue, decided_to="2026-05-20") == {"a", "b"}
    assert _find(client, world, catalogue, decided_from="2026-05-21", decided_to="2026-08-01") == {"c"}
    assert _find(client, world, catalogue, project_code="JS-2026-07") == {"c"}
    assert _find(client, world, catalogue, authority_id=f, severity="minor", uscc=hesheng.uscc) == {"a"}


def test_filters_apply_within_what_the_public_may_see(client, catalogue):
    got = ids(client.get(URL, query_string={"name": "远景"}))
    assert got == {catalogue["b"]}


def test_name_filter_finds_a_former_name_after_renaming(client, session, world, catalogue):
    hesheng = catalogue["hesheng"]
    entity_url = f"/api/v1/entities/{hesheng.id}"
    etag = client.get(entity_url).headers["ETag"]

    # the entity carries several authorities' records: its rename is an administrator's (issue 14.3)
    r = client.patch(
        entity_url, json={"name": "浙江合晟建设集团有限公司"}, headers=auth(world.admin_key, If_Match=etag)
    )
    assert r.status_code == 200, r.json

    assert _find(client, world, catalogue, name="杭州合晟建设工程有限公司") == {"a", "c"}
    assert _find(client, world, catalogue, name="浙江合晟建设集团") == {"a", "c"}
    # the penalty keeps the name the decision was made against
    read = client.get(f"{URL}/{catalogue['a']}", headers=auth(world.admin_key)).json
    assert read["subject_name"] == "杭州合晟建设工程有限公司"


def test_uscc_filter_finds_the_code_on_the_decision_and_the_current_one(client, world, catalogue):
    hesheng = catalogue["hesheng"]
    old_code = hesheng.uscc
    new_code = factories.code()
    entity_url = f"/api/v1/entities/{hesheng.id}"
    etag = client.get(entity_url).headers["ETag"]
    r = client.patch(entity_url, json={"uscc": new_code}, headers=auth(world.admin_key, If_Match=etag))
    assert r.status_code == 200, r.json

    assert _find(client, world, catalogue, uscc=old_code) == {"a", "c"}
    assert _find(client, world, catalogue, uscc=new_code) == {"a", "c"}


def test_pagination(client, world, catalogue):
    r = client.get(URL, query_string={"per_page": 3}, headers=auth(world.admin_key))
    assert r.status_code == 200
    assert r.json["total"] == 4
    assert r.json["page"] == 1
    assert r.json["per_page"] == 3
    # newest decision first
    assert [p["id"] for p in r.json["items"]] == [catalogue["d"], catalogue["c"], catalogue["b"]]

    r = client.get(URL, query_string={"per_page": 3, "page": 2}, headers=auth(world.admin_key))
    assert [p["id"] for p in r.json["items"]] == [catalogue["a"]]
    assert r.json["total"] == 4

    r = client.get(URL, query_string={"per_page": 3, "page": 5}, headers=auth(world.admin_key))
    assert r.json["items"] == []
    assert r.json["total"] == 4

    r = client.get(URL, query_string={"per_page": 200}, headers=auth(world.admin_key))
    assert r.status_code == 200
    assert r.json["per_page"] == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"per_page": 201}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"colour": "red"}, "colour"),
        ({"severity": "huge"}, "severity"),
        ({"status": "expired"}, "status"),
        ({"domain": "fishing"}, "domain"),
        ({"decided_from": "2026-13-01"}, "decided_from"),
    ],
)
def test_bad_query_is_422_naming_the_parameter(client, world, query, field):
    r = client.get(URL, query_string=query, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert field in r.json["errors"]


# --- audit log and outbox ----------------------------------------------------------------------


def test_each_change_writes_one_event_and_one_audit_row(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    pid = made["id"]
    url = f"{URL}/{pid}"
    assert (
        client.patch(
            url,
            json={"content": "罚款人民币二千元整", "reason": "笔误"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{url}/revoke", json={"reason": "行政复议撤销"}, headers=auth(world.finance_key, If_Match='"v2"')
        ).status_code
        == 200
    )

    events = events_of(session, pid)
    audits = audits_of(session, pid)

    assert [(e.operation, e.record_version) for e in events] == [("create", 1), ("correct", 2), ("revoke", 3)]
    assert all(e.authority_id == world.finance.id for e in events)
    assert events[0].payload["decision_number"] == made["decision_number"]
    assert events[1].payload["content"] == "罚款人民币二千元整"
    assert events[2].payload["status"] == "revoked"
    assert events[0].seq < events[1].seq < events[2].seq

    assert [a.action for a in audits] == ["create", "correct", "revoke"]
    assert [a.reason for a in audits] == [None, "笔误", "行政复议撤销"]
    assert audits[0].before is None
    assert audits[0].after["version"] == 1
    assert audits[1].before["content"] == made["content"]
    assert audits[1].after["content"] == "罚款人民币二千元整"
    assert (audits[1].before["version"], audits[1].after["version"]) == (1, 2)
    assert audits[2].after["revocation_reason"] == "行政复议撤销"
    for a in audits:
        assert a.actor_role == "supervisor"
        assert a.actor_authority_id == world.finance.id
        assert a.actor_key_id is not None
        assert a.actor_name == "财政厅"


def test_failed_writes_leave_no_event_or_audit_row(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"
    before = ledger_size(session)

    responses = [
        create(client, world.finance_key, entity.id, severity="huge"),  # 422 schema
        create(client, world.finance_key, entity.id, decided_on="2026-12-01"),  # 422 service
        create(client, world.finance_key, entity.id, decision_number=made["decision_number"]),  # 409
        client.patch(
            url, json={"content": "改", "reason": "x"}, headers=auth(world.finance_key, If_Match='"v9"')
        ),  # 412
        client.patch(url, json={"content": "改", "reason": "x"}, headers=auth(world.finance_key)),  # 428
        client.patch(
            url, json={"content": "改", "reason": "x"}, headers=auth(world.housing_key, If_Match='"v1"')
        ),  # 403
    ]

    assert [r.status_code for r in responses] == [422, 422, 409, 412, 428, 403]
    assert ledger_size(session) == before
    assert len(events_of(session, made["id"])) == 1


def test_admin_writes_are_attributed_to_the_admin(client, session, world, entity):
    made = created(client, world.admin_key, entity.id, authority_id=world.housing.id)
    (audit,) = audits_of(session, made["id"])
    (event,) = events_of(session, made["id"])
    assert audit.actor_role == "admin"
    assert audit.actor_authority_id is None
    assert event.authority_id == world.housing.id


def test_idempotent_create_is_replayed_not_repeated(client, session, world, entity):
    body = penalty_body(entity.id)
    headers = auth(world.finance_key, Idempotency_Key="penalty-create-1")

    first = client.post(URL, json=body, headers=headers)
    second = client.post(URL, json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json["id"] == first.json["id"]
    assert second.headers["Location"] == first.headers["Location"]
    assert len(events_of(session, first.json["id"])) == 1

    different = client.post(URL, json={**body, "content": "另一份"}, headers=headers)
    assert different.status_code == 422
    assert "Idempotency-Key" in different.json["errors"]
