"""/api/v1/list-entries through the HTTP client: listing, correcting, removing, repairing, expiry."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import sqlalchemy as sa

from registry.models import ListEntry
from registry.records import list_entries as entry_service
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import audits_of as _audits_of
from tests.ledger_queries import events_of as _events_of
from tests.ledger_queries import ids, ledger_size

URL = "/api/v1/list-entries"
TODAY = dt.date(2026, 11, 23)
YESTERDAY = TODAY - dt.timedelta(days=1)
DROP = object()  # a field to leave out of the request body
# A list the catalogue gives no legal period (a place's own list): any end date, or none, is taken.
LOCAL = {"list_name": "某市公共资源交易失信行为名单"}
_numbers = itertools.count(1)


def entry_body(subject: int, /, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entity_id": subject,
        "list_type": "black",
        "list_name": "政府采购严重违法失信行为记录名单",
        "domains": ["procurement"],
        "decision_number": f"浙财采决〔2026〕{next(_numbers)}号",
        "reason_category": "提供虚假材料谋取中标、成交",
        "facts": "提供虚假业绩证明材料",
        "legal_basis": "《中华人民共和国政府采购法》第七十七条",
        "listed_on": "2026-03-01",
        "expires_on": "2027-03-01",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not DROP}


def events_of(session, record_id: int):
    return _events_of(session, "list_entry", record_id)


def audits_of(session, record_id: int):
    return _audits_of(session, "list_entry", record_id)


def create(client, key: str | None, subject: int, /, **fields: Any):
    headers = auth(key) if key else {}
    return client.post(URL, json=entry_body(subject, **fields), headers=headers)


def created(client, key: str, subject: int, /, **fields: Any) -> dict[str, Any]:
    r = create(client, key, subject, **fields)
    assert r.status_code == 201, r.json
    return r.json


def entry_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ListEntry))


def remove(client, key: str, entry_id: int, version: int = 1, **payload: Any):
    payload.setdefault("reason", "提前移出")
    return client.post(f"{URL}/{entry_id}/remove", json=payload, headers=auth(key, If_Match=f'"v{version}"'))


def repair(client, key: str, entry_id: int, version: int = 1, **payload: Any):
    payload.setdefault("reason", "完成信用修复")
    return client.post(f"{URL}/{entry_id}/repair", json=payload, headers=auth(key, If_Match=f'"v{version}"'))


# --- listing (列入) --------------------------------------------------------------------------------


def test_supervisor_lists_an_entity(client, session, world, entity):
    r = create(
        client,
        world.finance_key,
        entity.id,
        domains=["procurement", "land", "procurement"],
        project_code="ZJCG-2026-001",
    )

    assert r.status_code == 201, r.json
    body = r.json
    assert r.headers["ETag"] == '"v1"'
    assert r.headers["Location"].endswith(f"{URL}/{body['id']}")
    assert body["authority_id"] == world.finance.id
    assert body["entity_id"] == entity.id
    assert body["status"] == "active"
    assert body["status_changed_on"] is None
    assert body["domains"] == ["land", "procurement"]
    assert body["version"] == 1
    assert body["is_public"] is True
    assert body["first_published_at"] is not None
    assert body["project_code"] == "ZJCG-2026-001"
    (listing,) = body["transitions"]
    assert listing["from_status"] is None
    assert listing["to_status"] == "active"
    assert listing["effective_on"] == "2026-03-01"
    assert listing["reason"] == f"列入: {body['decision_number']}"
    assert listing["actor"].startswith("财政厅 (supervisor key ")

    session.expire_all()
    again = client.get(r.headers["Location"], headers=auth(world.finance_key))
    assert again.status_code == 200
    assert again.headers["ETag"] == '"v1"'
    assert again.json["domains"] == ["land", "procurement"]
    assert again.json["transitions"] == body["transitions"]
    # the company's name and code beside the entry, in the entry and in the list
    assert (body["entity_name"], body["entity_uscc"]) == (entity.name, entity.uscc)
    listed = client.get(URL, headers=auth(world.finance_key)).json["items"]
    assert [(e["entity_name"], e["entity_uscc"]) for e in listed] == [(entity.name, entity.uscc)]


def test_entry_without_expiry_and_listed_today_is_accepted(client, world, entity):
    made = created(client, world.finance_key, entity.id, listed_on="2026-11-23", expires_on=None, **LOCAL)
    assert made["status"] == "active"
    assert made["expires_on"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"expires_on": "2026-03-01"}, "expires_on", id="expires-on-listing-day"),
        pytest.param({"expires_on": "2026-02-28"}, "expires_on", id="expires-before-listing"),
        pytest.param({"domains": []}, "domains", id="no-domain"),
        pytest.param({"domains": DROP}, "domains", id="domains-missing"),
        pytest.param({"domains": ["fishing"]}, "domains", id="unknown-domain"),
        pytest.param({"list_type": "grey"}, "list_type", id="unknown-list-type"),
        pytest.param({"listed_on": "2026-11-24"}, "listed_on", id="listed-tomorrow"),
        pytest.param({"colour": "black"}, "colour", id="unknown-field"),
        pytest.param({"is_public": False}, "not_public_reason", id="not-public-without-reason"),
        pytest.param({"not_public_reason": "涉及商业秘密"}, "not_public_reason", id="public-with-reason"),
        pytest.param({"entity_id": DROP}, "entity_id", id="entity-missing"),
        pytest.param({"entity_id": 999_999}, "entity_id", id="entity-unknown"),
        pytest.param({"facts": "   "}, "facts", id="blank-facts"),
        pytest.param({"list_name": DROP}, "list_name", id="list-name-missing"),
        pytest.param({"listed_on": "2026-02-30"}, "listed_on", id="impossible-date"),
    ],
)
def test_invalid_entry_is_refused_naming_the_field(client, session, world, entity, fields, field):
    before = (entry_count(session), ledger_size(session))

    r = create(client, world.finance_key, entity.id, **fields)

    assert r.status_code == 422, r.json
    assert any(name == field or name.startswith(f"{field}.") for name in r.json["errors"]), r.json
    assert field in r.json["message"]
    assert (entry_count(session), ledger_size(session)) == before


def test_duplicate_decision_on_the_same_list_is_a_conflict(client, session, world, entity):
    number, list_name = "浙财采决〔2026〕7号", "政府采购严重违法失信行为记录名单"
    created(client, world.finance_key, entity.id, decision_number=number, list_name=list_name)
    before = (entry_count(session), ledger_size(session))

    again = create(client, world.finance_key, entity.id, decision_number=number, list_name=list_name)
    assert again.status_code == 409
    assert "decision_number" in again.json["errors"]
    assert (entry_count(session), ledger_size(session)) == before

    # the same decision may put the entity on another list, and another authority has its own numbers
    assert (
        create(client, world.finance_key, entity.id, decision_number=number, list_name="重点关注名单").status_code
        == 201
    )
    assert create(client, world.housing_key, entity.id, decision_number=number, list_name=list_name).status_code == 201


# --- who may write ---------------------------------------------------------------------------


def test_supervisor_cannot_list_for_another_authority(client, session, world, entity):
    before = (entry_count(session), ledger_size(session))
    r = create(client, world.housing_key, entity.id, authority_id=world.finance.id)
    assert r.status_code == 403
    assert (entry_count(session), ledger_size(session)) == before


@pytest.mark.parametrize("role", ["screener", "platform", "anonymous"])
@pytest.mark.parametrize("names_authority", [False, True], ids=["own-default", "names-authority"])
def test_readers_cannot_list(client, session, world, entity, role, names_authority):
    key = None if role == "anonymous" else getattr(world, f"{role}_key")
    extra = {"authority_id": world.finance.id} if names_authority else {}
    before = (entry_count(session), ledger_size(session))

    r = create(client, key, entity.id, **extra)

    assert r.status_code == (401 if key is None else 403), r.json
    assert (entry_count(session), ledger_size(session)) == before


def test_admin_must_name_the_authority(client, world, entity):
    r = create(client, world.admin_key, entity.id)
    assert r.status_code == 422
    assert "authority_id" in r.json["errors"]
    made = created(client, world.admin_key, entity.id, authority_id=world.housing.id)
    assert made["authority_id"] == world.housing.id
    assert made["transitions"][0]["actor"].startswith("ops (admin key ")


def test_another_authoritys_supervisor_cannot_change_an_entry(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"
    before = ledger_size(session)

    responses = [
        client.patch(url, json={"facts": "改", "reason": "越权"}, headers=auth(world.housing_key, If_Match='"v1"')),
        remove(client, world.housing_key, made["id"]),
        repair(client, world.housing_key, made["id"]),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    read = client.get(url, headers=auth(world.finance_key)).json
    assert (read["version"], read["status"], read["facts"]) == (1, "active", made["facts"])
    assert ledger_size(session) == before


@pytest.mark.parametrize("role", ["screener", "platform", "anonymous"])
def test_readers_cannot_change_an_entry(client, world, entity, role):
    made = created(client, world.finance_key, entity.id)
    key = None if role == "anonymous" else getattr(world, f"{role}_key")
    headers = auth(key, If_Match='"v1"') if key else {"If-Match": '"v1"'}
    url = f"{URL}/{made['id']}"

    refused = 401 if key is None else 403  # no credentials: authenticate first
    assert client.patch(url, json={"facts": "改", "reason": "x"}, headers=headers).status_code == refused
    assert client.post(f"{url}/remove", json={"reason": "x"}, headers=headers).status_code == refused
    assert client.post(f"{url}/repair", json={"reason": "x"}, headers=headers).status_code == refused


# --- status by date ----------------------------------------------------------------------------


def test_status_is_read_from_the_expiry_date(client, runtime, world, entity):
    """expires_on is the last day in force (有效期截止日期): on it the entry still counts, the next day not."""
    tomorrow = created(client, world.finance_key, entity.id, expires_on="2026-11-23", **LOCAL)  # last day today
    today = created(client, world.finance_key, entity.id, expires_on="2026-11-22", **LOCAL)  # ended yesterday
    never = created(client, world.finance_key, entity.id, expires_on=None, **LOCAL)
    assert tomorrow["status"] == "active"
    assert today["status"] == "expired"
    assert never["status"] == "active"

    def status_ids(status: str) -> set[int]:
        return ids(client.get(URL, query_string={"status": status}, headers=auth(world.admin_key)))

    assert status_ids("active") == {tomorrow["id"], never["id"]}
    assert status_ids("expired") == {today["id"]}
    assert client.get(f"{URL}/{today['id']}", headers=auth(world.admin_key)).json["status"] == "expired"
    assert ids(client.get(URL)) == {tomorrow["id"], never["id"]}

    # late on the 23rd in China the entry whose last day is the 23rd still counts; at midnight it expires
    runtime.clock.fixed = dt.datetime(2026, 11, 23, 15, 59, tzinfo=dt.UTC)
    assert client.get(f"{URL}/{tomorrow['id']}").json["status"] == "active"
    runtime.clock.fixed = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)
    assert client.get(f"{URL}/{tomorrow['id']}", headers=auth(world.admin_key)).json["status"] == "expired"
    assert client.get(f"{URL}/{tomorrow['id']}").status_code == 404
    assert status_ids("expired") == {today["id"], tomorrow["id"]}
    assert status_ids("active") == {never["id"]}


# --- removing (移出) and repairing (信用修复) ------------------------------------------------------


def test_remove_records_a_transition_and_ends_the_entry(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)

    r = remove(client, world.finance_key, made["id"], reason="  决定被撤销  ", effective_on="2026-11-20")

    assert r.status_code == 200, r.json
    assert r.headers["ETag"] == '"v2"'
    body = r.json
    assert body["status"] == "removed"
    assert body["status_changed_on"] == "2026-11-20"
    assert body["status_reason"] == "决定被撤销"
    listing, removal = body["transitions"]
    assert listing["to_status"] == "active"
    assert (removal["from_status"], removal["to_status"]) == ("active", "removed")
    assert removal["effective_on"] == "2026-11-20"
    assert removal["reason"] == "决定被撤销"
    assert removal["actor"].startswith("财政厅 (supervisor key ")

    session.expire_all()
    read = client.get(f"{URL}/{made['id']}", headers=auth(world.finance_key))
    assert read.json["status"] == "removed"
    assert len(read.json["transitions"]) == 2
    assert client.get(f"{URL}/{made['id']}").status_code == 404


# A black list whose entries may be repaired at any time (lists.json): the default list of these
# tests, 政府采购严重违法失信行为记录名单, cannot be repaired while a ban runs.
REPAIRABLE = {"list_name": "重大税收违法失信主体名单"}


def test_repair_follows_the_list_catalogue(client, session, world, entity):
    banned = created(client, world.finance_key, entity.id)
    r = repair(client, world.finance_key, banned["id"])
    assert r.status_code == 409
    assert "在有效期内不能信用修复" in r.json["message"]
    assert "cannot be repaired while they run" in r.json["message_en"]
    early = created(client, world.finance_key, entity.id, list_name="严重违法失信名单")  # 12 months
    assert early["repair_from"] == "2027-03-01"
    r = repair(client, world.finance_key, early["id"])
    assert r.status_code == 409
    assert "自 2027-03-01 起方可信用修复" in r.json["message"]
    assert "from 2027-03-01" in r.json["message_en"]


def test_effective_date_defaults_to_today(client, world, entity):
    made = created(client, world.finance_key, entity.id, **REPAIRABLE)
    r = repair(client, world.finance_key, made["id"])
    assert r.status_code == 200
    assert r.json["status_changed_on"] == "2026-11-23"
    assert r.json["transitions"][-1]["effective_on"] == "2026-11-23"


@pytest.mark.parametrize("list_type", ["black", "watch"])
def test_black_and_watch_entries_can_be_repaired(client, world, entity, list_type):
    list_name = {"black": "重大税收违法失信主体名单", "watch": "重点关注名单"}[list_type]  # repairable by 2026-11-23
    made = created(client, world.finance_key, entity.id, list_type=list_type, list_name=list_name)

    r = repair(client, world.finance_key, made["id"], reason="已履行义务并作出信用承诺")

    assert r.status_code == 200, r.json
    assert r.json["status"] == "repaired"
    assert r.json["transitions"][-1]["to_status"] == "repaired"
    assert r.json["transitions"][-1]["reason"] == "已履行义务并作出信用承诺"


def test_red_list_entry_is_not_repaired_but_can_be_removed(client, session, world, entity):
    made = created(client, world.finance_key, entity.id, list_type="red", list_name="守信激励名单")
    before = ledger_size(session)

    r = repair(client, world.finance_key, made["id"])
    assert r.status_code == 409
    assert ledger_size(session) == before
    assert client.get(f"{URL}/{made['id']}").json["status"] == "active"

    assert remove(client, world.finance_key, made["id"]).json["status"] == "removed"


@pytest.mark.parametrize(
    ("first", "then"),
    [("remove", "remove"), ("remove", "repair"), ("repair", "remove"), ("repair", "repair")],
)
def test_an_ended_entry_cannot_change_state_again(client, session, world, entity, first, then):
    made = created(client, world.finance_key, entity.id, **REPAIRABLE)
    action = {"remove": remove, "repair": repair}
    assert action[first](client, world.finance_key, made["id"]).status_code == 200
    before = ledger_size(session)

    r = action[then](client, world.finance_key, made["id"], version=2)

    assert r.status_code == 409
    assert ledger_size(session) == before
    read = client.get(f"{URL}/{made['id']}", headers=auth(world.finance_key)).json
    assert read["version"] == 2
    assert len(read["transitions"]) == 2


@pytest.mark.parametrize("action", ["remove", "repair"])
def test_an_expired_entry_cannot_be_removed_or_repaired(client, session, world, entity, action):
    made = created(client, world.finance_key, entity.id, expires_on="2026-11-22", **LOCAL)
    before = ledger_size(session)

    r = (remove if action == "remove" else repair)(client, world.finance_key, made["id"])

    assert r.status_code == 409
    assert "的状态为“已到期”" in r.json["message"]
    assert "expired" in r.json["message_en"]
    assert ledger_size(session) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "移出", "effective_on": "2026-02-28"}, "effective_on"),  # before listed_on
        ({"reason": "移出", "effective_on": "2026-11-24"}, "effective_on"),  # tomorrow
        ({"reason": "   "}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "移出", "when": "2026-11-20"}, "when"),
    ],
)
@pytest.mark.parametrize("action", ["remove", "repair"])
def test_invalid_transition_is_422_and_changes_nothing(client, session, world, entity, payload, field, action):
    made = created(client, world.finance_key, entity.id, **REPAIRABLE)
    before = ledger_size(session)

    r = client.post(f"{URL}/{made['id']}/{action}", json=payload, headers=auth(world.finance_key, If_Match='"v1"'))

    assert r.status_code == 422, r.json
    assert field in r.json["errors"]
    read = client.get(f"{URL}/{made['id']}").json
    assert (read["status"], read["version"], len(read["transitions"])) == ("active", 1, 1)
    assert ledger_size(session) == before


def test_transition_without_reason_is_422(client, world, entity):
    made = created(client, world.finance_key, entity.id)
    r = client.post(f"{URL}/{made['id']}/remove", json={}, headers=auth(world.finance_key, If_Match='"v1"'))
    assert r.status_code == 422
    assert "reason" in r.json["errors"]


def test_effective_on_the_listing_day_is_accepted(client, world, entity):
    made = created(client, world.finance_key, entity.id)
    r = remove(client, world.finance_key, made["id"], effective_on="2026-03-01")
    assert r.status_code == 200
    assert r.json["status_changed_on"] == "2026-03-01"


@pytest.mark.parametrize(
    ("if_match", "status"),
    [(None, 428), ("*", 428), ('"v2"', 412), ('"v0"', 412), ('"one"', 412)],
)
@pytest.mark.parametrize("action", ["remove", "repair"])
def test_transitions_need_the_current_etag(client, session, world, entity, if_match, status, action):
    made = created(client, world.finance_key, entity.id)
    headers = auth(world.finance_key) if if_match is None else auth(world.finance_key, If_Match=if_match)
    before = ledger_size(session)

    r = client.post(f"{URL}/{made['id']}/{action}", json={"reason": "x"}, headers=headers)

    assert r.status_code == status
    read = client.get(f"{URL}/{made['id']}").json
    assert (read["status"], read["version"]) == ("active", 1)
    assert ledger_size(session) == before


def test_transition_of_a_missing_entry_is_404(client, world):
    assert remove(client, world.finance_key, 999_999).status_code == 404


# --- correcting (更正) -------------------------------------------------------------------------


def test_correction_changes_fields_and_bumps_the_version(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"

    r = client.patch(
        url,
        json={"facts": "提供虚假业绩和资质证明材料", "expires_on": "2028-03-01", "reason": "事实表述不全"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.headers["ETag"] == '"v2"'
    assert r.json["facts"] == "提供虚假业绩和资质证明材料"
    assert r.json["expires_on"] == "2028-03-01"
    assert r.json["status"] == "active"
    assert len(r.json["transitions"]) == 1  # a correction is not a change of state
    session.expire_all()
    read = client.get(url)
    assert read.headers["ETag"] == '"v2"'
    assert read.json["facts"] == "提供虚假业绩和资质证明材料"


def test_changing_only_the_domains_is_a_new_version(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"domains": ["land", "procurement"], "reason": "补充领域"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.headers["ETag"] == '"v2"'
    assert r.json["domains"] == ["land", "procurement"]
    session.expire_all()
    assert client.get(f"{URL}/{made['id']}").json["domains"] == ["land", "procurement"]
    assert [e.record_version for e in events_of(session, made["id"])] == [1, 2]


def test_stale_correction_is_412_and_changes_nothing(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"
    assert (
        client.patch(
            url, json={"facts": "第二版", "reason": "更正"}, headers=auth(world.finance_key, If_Match='"v1"')
        ).status_code
        == 200
    )
    before = ledger_size(session)

    stale = client.patch(
        url, json={"facts": "第三版", "reason": "更正"}, headers=auth(world.finance_key, If_Match='"v1"')
    )
    missing = client.patch(url, json={"facts": "第三版", "reason": "更正"}, headers=auth(world.finance_key))
    star = client.patch(url, json={"facts": "第三版", "reason": "更正"}, headers=auth(world.finance_key, If_Match="*"))

    assert (stale.status_code, missing.status_code, star.status_code) == (412, 428, 428)
    session.expire_all()
    read = client.get(url).json
    assert (read["facts"], read["version"]) == ("第二版", 2)
    assert ledger_size(session) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"facts": "改"}, "reason"),
        ({"facts": "改", "reason": "   "}, "reason"),
        ({"list_type": "red", "reason": "改类型"}, "list_type"),
        ({"authority_id": 2, "reason": "换机关"}, "authority_id"),
        ({"expires_on": "2026-03-01", "reason": "改期"}, "expires_on"),
        ({"listed_on": "2026-12-01", "reason": "改期"}, "listed_on"),
        ({"domains": [], "reason": "清空"}, "domains"),
        ({"is_public": False, "reason": "保密审查"}, "not_public_reason"),
        ({"entity_id": 999_999, "reason": "更正主体"}, "entity_id"),
    ],
)
def test_invalid_correction_is_422_and_changes_nothing(client, session, world, entity, payload, field):
    made = created(client, world.finance_key, entity.id)
    before = ledger_size(session)

    r = client.patch(f"{URL}/{made['id']}", json=payload, headers=auth(world.finance_key, If_Match='"v1"'))

    assert r.status_code == 422, r.json
    assert field in r.json["errors"]
    session.expire_all()
    read = client.get(f"{URL}/{made['id']}").json
    assert read["version"] == 1
    assert read["facts"] == made["facts"]
    assert ledger_size(session) == before


def test_correction_into_a_duplicate_is_a_conflict(client, world, entity):
    first = created(client, world.finance_key, entity.id)
    second = created(client, world.finance_key, entity.id)
    r = client.patch(
        f"{URL}/{second['id']}",
        json={"decision_number": first["decision_number"], "reason": "更正"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 409
    assert client.get(f"{URL}/{second['id']}").json["decision_number"] == second["decision_number"]


def test_patch_without_is_public_keeps_a_not_public_entry_not_public(client, world, entity):
    made = created(client, world.finance_key, entity.id, is_public=False, not_public_reason="涉及商业秘密")
    assert made["first_published_at"] is None

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"facts": "补充事实", "reason": "补充"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert r.json["is_public"] is False
    assert r.json["not_public_reason"] == "涉及商业秘密"
    assert r.json["first_published_at"] is None
    assert client.get(f"{URL}/{made['id']}").status_code == 404


def test_publishing_a_not_public_entry_by_patch(client, world, entity):
    made = created(client, world.finance_key, entity.id, is_public=False, not_public_reason="涉及商业秘密")

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"is_public": True, "reason": "保密审查结束"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200, r.json
    assert (r.json["is_public"], r.json["not_public_reason"]) == (True, None)
    assert r.json["first_published_at"] is not None
    assert client.get(f"{URL}/{made['id']}").status_code == 200


def test_correction_that_changes_nothing_keeps_the_version(client, session, world, entity):
    made = created(client, world.finance_key, entity.id, domains=["land", "procurement"])
    before = ledger_size(session)

    r = client.patch(
        f"{URL}/{made['id']}",
        json={"facts": made["facts"], "domains": ["procurement", "land"], "reason": "核对"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )

    assert r.status_code == 200
    assert r.headers["ETag"] == '"v1"'
    assert ledger_size(session) == before


# --- who sees what ---------------------------------------------------------------------------


@pytest.fixture
def shelf(session, world, entity):
    """Entries in every state of publication, as of 2026-11-23."""
    finance, housing = world.finance, world.housing
    made = {
        "published": factories.make_list_entry(session, finance, entity),
        "no_expiry": factories.make_list_entry(session, finance, entity, expires_on=None, **LOCAL),
        "not_public": factories.make_list_entry(
            session, finance, entity, is_public=False, not_public_reason="涉及商业秘密"
        ),
        "removed": factories.make_list_entry(session, finance, entity),
        "repaired": factories.make_list_entry(session, finance, entity, **REPAIRABLE),
        "expired": factories.make_list_entry(session, finance, entity, expires_on=YESTERDAY, **LOCAL),
        "removed_before_expiry": factories.make_list_entry(session, finance, entity, expires_on=YESTERDAY, **LOCAL),
        "housing_published": factories.make_list_entry(session, housing, entity),
        "housing_not_public": factories.make_list_entry(
            session, housing, entity, is_public=False, not_public_reason="涉及国家秘密"
        ),
    }
    supervisor = factories.supervisor_of(finance)
    entry_service.remove_list_entry(session, made["removed"].id, "撤销", None, supervisor, 1, TODAY)
    entry_service.repair_list_entry(session, made["repaired"].id, "修复", None, supervisor, 1, TODAY)
    # removed on the 20th; its expiry date has passed since, but it stays removed, not expired
    entry_service.remove_list_entry(
        session, made["removed_before_expiry"].id, "撤销", None, supervisor, 1, dt.date(2026, 11, 20)
    )
    session.commit()
    return {name: e.id for name, e in made.items()}


PUBLISHED = {"published", "no_expiry", "housing_published"}
FINANCE_OWN = {"not_public", "removed", "repaired", "expired", "removed_before_expiry"}
EVERYTHING = PUBLISHED | FINANCE_OWN | {"housing_not_public"}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", PUBLISHED),
        ("screener", PUBLISHED),
        ("finance", PUBLISHED | FINANCE_OWN),
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
    for name, entry_id in shelf.items():
        one = client.get(f"{URL}/{entry_id}", headers=headers)
        assert one.status_code == (200 if name in sees else 404), name
    if who == "admin":
        read = client.get(f"{URL}/{shelf['removed_before_expiry']}", headers=headers).json
        assert (read["status"], read["status_changed_on"]) == ("removed", "2026-11-20")


def test_status_filter_over_every_state(client, world, shelf):
    def status_ids(status: str) -> set[int]:
        return ids(client.get(URL, query_string={"status": status}, headers=auth(world.admin_key)))

    assert status_ids("active") == {
        shelf[n] for n in ("published", "no_expiry", "not_public", "housing_published", "housing_not_public")
    }
    assert status_ids("expired") == {shelf["expired"]}
    assert status_ids("removed") == {shelf["removed"], shelf["removed_before_expiry"]}
    assert status_ids("repaired") == {shelf["repaired"]}
    # the public asking for expired entries gets none: they are no longer published
    assert ids(client.get(URL, query_string={"status": "expired"})) == set()


# --- finding -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(session, world):
    """Published entries to find, listed on different days by different authorities."""
    hesheng = factories.make_entity(session, "杭州合晟建设工程有限公司")
    yuanjing = factories.make_entity(session, "宁波远景工程咨询有限公司")
    session.commit()
    f, h = world.finance, world.housing
    made = {
        "a": factories.make_list_entry(
            session,
            f,
            hesheng,
            listed_on=dt.date(2026, 1, 10),
            expires_on=dt.date(2027, 1, 10),
            project_code="ZJCG-2026-001",
        ),
        "b": factories.make_list_entry(
            session,
            f,
            yuanjing,
            listed_on=dt.date(2026, 5, 20),
            expires_on=dt.date(2029, 5, 20),
            list_type="watch",
            list_name="重点关注名单",
            domains=["land", "procurement"],
        ),
        "c": factories.make_list_entry(
            session,
            h,
            hesheng,
            listed_on=dt.date(2026, 8, 1),
            expires_on=None,
            list_type="red",
            list_name="守信激励名单",
            domains=["housing"],
        ),
        "d": factories.make_list_entry(
            session,
            h,
            yuanjing,
            listed_on=dt.date(2026, 11, 2),
            expires_on=dt.date(2027, 11, 2),
            domains=["construction_bidding"],
        ),
    }
    session.commit()
    found: dict[str, Any] = {name: e.id for name, e in made.items()}
    found["hesheng"], found["yuanjing"] = hesheng, yuanjing
    return found


def _find(client, catalogue, **query: Any) -> set[str]:
    got = ids(client.get(URL, query_string=query))
    return {name for name in "abcd" if catalogue[name] in got}


def test_filters(client, world, catalogue):
    hesheng = catalogue["hesheng"]
    assert _find(client, catalogue) == {"a", "b", "c", "d"}
    assert _find(client, catalogue, uscc=hesheng.uscc) == {"a", "c"}
    assert _find(client, catalogue, uscc=hesheng.uscc.lower()) == {"a", "c"}
    assert _find(client, catalogue, name="远景") == {"b", "d"}
    assert _find(client, catalogue, name="没有这家") == set()
    assert _find(client, catalogue, entity_id=hesheng.id) == {"a", "c"}
    assert _find(client, catalogue, authority_id=world.finance.id) == {"a", "b"}
    assert _find(client, catalogue, domain="procurement") == {"a", "b"}
    assert _find(client, catalogue, domain="land") == {"b"}
    assert _find(client, catalogue, domain="housing") == {"c"}
    assert _find(client, catalogue, list_type="black") == {"a", "d"}
    assert _find(client, catalogue, list_type="red") == {"c"}
    assert _find(client, catalogue, list_name="重点关注名单") == {"b"}
    assert _find(client, catalogue, project_code="ZJCG-2026-001") == {"a"}
    assert _find(client, catalogue, listed_from="2026-05-20") == {"b", "c", "d"}
    assert _find(client, catalogue, listed_to="2026-05-20") == {"a", "b"}
    assert _find(client, catalogue, listed_from="2026-05-21", listed_to="2026-08-01") == {"c"}
    # an entry without expiry has no expiry date to fall in a range
    assert _find(client, catalogue, expires_from="2027-11-02") == {"b", "d"}
    assert _find(client, catalogue, expires_to="2027-11-02") == {"a", "d"}
    assert _find(client, catalogue, expires_from="2027-01-11", expires_to="2029-05-19") == {"d"}
    assert _find(client, catalogue, list_type="black", uscc=hesheng.uscc, domain="procurement") == {"a"}


def test_name_filter_finds_a_former_name_after_renaming(client, world, catalogue):
    hesheng = catalogue["hesheng"]
    entity_url = f"/api/v1/entities/{hesheng.id}"
    etag = client.get(entity_url).headers["ETag"]

    # the entity carries several authorities' records: its rename is an administrator's (issue 14.3)
    r = client.patch(
        entity_url, json={"name": "浙江合晟建设集团有限公司"}, headers=auth(world.admin_key, If_Match=etag)
    )
    assert r.status_code == 200, r.json

    assert _find(client, catalogue, name="杭州合晟建设工程有限公司") == {"a", "c"}
    assert _find(client, catalogue, name="合晟建设集团") == {"a", "c"}


def test_pagination(client, world, catalogue):
    r = client.get(URL, query_string={"per_page": 3})
    assert r.status_code == 200
    assert (r.json["total"], r.json["page"], r.json["per_page"]) == (4, 1, 3)
    # newest listing first
    assert [e["id"] for e in r.json["items"]] == [catalogue["d"], catalogue["c"], catalogue["b"]]
    r = client.get(URL, query_string={"per_page": 3, "page": 2})
    assert [e["id"] for e in r.json["items"]] == [catalogue["a"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"per_page": 201}, "per_page"),
        ({"page": 0}, "page"),
        ({"colour": "black"}, "colour"),
        ({"status": "deleted"}, "status"),
        ({"list_type": "grey"}, "list_type"),
        ({"domain": "fishing"}, "domain"),
        ({"expires_to": "soon"}, "expires_to"),
    ],
)
def test_bad_query_is_422_naming_the_parameter(client, query, field):
    r = client.get(URL, query_string=query)
    assert r.status_code == 422
    assert field in r.json["errors"]


# --- audit log and outbox ----------------------------------------------------------------------


def test_each_change_writes_one_event_and_one_audit_row(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    eid = made["id"]
    assert (
        client.patch(
            f"{URL}/{eid}",
            json={"facts": "补充事实", "reason": "事实不全"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        ).status_code
        == 200
    )
    assert remove(client, world.finance_key, eid, version=2, reason="  决定被撤销 ").status_code == 200

    events = events_of(session, eid)
    audits = audits_of(session, eid)

    assert [(e.operation, e.record_version) for e in events] == [("create", 1), ("correct", 2), ("remove", 3)]
    assert all(e.authority_id == world.finance.id for e in events)
    assert events[0].payload["decision_number"] == made["decision_number"]
    assert events[1].payload["facts"] == "补充事实"
    assert events[2].payload["status"] == "removed"

    assert [a.action for a in audits] == ["create", "correct", "remove"]
    assert [a.reason for a in audits] == [None, "事实不全", "决定被撤销"]
    assert audits[0].before is None
    assert (audits[1].before["facts"], audits[1].after["facts"]) == (made["facts"], "补充事实")
    assert (audits[2].before["status"], audits[2].after["status"]) == ("active", "removed")
    assert audits[2].after["version"] == 3
    for a in audits:
        assert (a.actor_role, a.actor_authority_id, a.actor_name) == ("supervisor", world.finance.id, "财政厅")


def test_repair_is_audited_with_its_reason(client, session, world, entity):
    made = created(client, world.finance_key, entity.id, **REPAIRABLE)
    assert repair(client, world.finance_key, made["id"], reason="完成信用修复").status_code == 200

    event = events_of(session, made["id"])[-1]
    audit = audits_of(session, made["id"])[-1]
    assert (event.operation, event.record_version) == ("repair", 2)
    assert (audit.action, audit.reason) == ("repair", "完成信用修复")


def test_failed_writes_leave_no_event_or_audit_row(client, session, world, entity):
    made = created(client, world.finance_key, entity.id)
    url = f"{URL}/{made['id']}"
    red = created(client, world.finance_key, entity.id, list_type="red", list_name="守信激励名单")
    before = ledger_size(session)

    responses = [
        create(client, world.finance_key, entity.id, list_type="grey"),  # 422 schema
        create(client, world.finance_key, entity.id, listed_on="2026-12-01"),  # 422 service
        create(client, world.finance_key, entity.id, decision_number=made["decision_number"]),  # 409
        client.patch(url, json={"facts": "改", "reason": "x"}, headers=auth(world.finance_key, If_Match='"v7"')),  # 412
        remove(client, world.finance_key, made["id"], effective_on="2026-01-01"),  # 422
        repair(client, world.finance_key, red["id"]),  # 409
    ]

    assert [r.status_code for r in responses] == [422, 422, 409, 412, 422, 409]
    assert ledger_size(session) == before


def test_transition_actor_is_shown_to_officials_only(client, world, entity):
    made = create(client, world.finance_key, entity.id)
    assert made.status_code == 201
    path = f"{URL}/{made.json['id']}"
    official = client.get(path, headers=auth(world.finance_key)).json["transitions"][0]["actor"]
    assert "财政厅" in official
    assert client.get(path).json["transitions"][0]["actor"] is None
    assert client.get(path, headers=auth(world.screener_key)).json["transitions"][0]["actor"] is None
