"""/api/v1/screenings through the HTTP client: screening, evidence, verification, dispositions, access."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from registry import access
from registry.models import AuditLog, Screening
from registry.screening.name_index import NameIndex, default_matcher
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import ledger_size

URL = "/api/v1/screenings"


@pytest.fixture(autouse=True)
def index(runtime) -> Iterator[NameIndex]:
    """A fresh index over the real matcher per test (the index would rebuild by itself when it
    finds the outbox rolled back; a fresh one keeps each test's count of rebuilds its own)."""
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


@pytest.fixture
def listed(session, world, entity):
    """The shared entity, on the procurement blacklist."""
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    return entity


def body(*subjects: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "domain": "procurement",
        "project_code": "ZJCG-2026-0042",
        "stage": "资格审查",
        "subjects": list(subjects),
        **fields,
    }


def screened(client, key: str, *subjects: dict[str, Any], **fields: Any) -> dict[str, Any]:
    r = client.post(URL, json=body(*subjects, **fields), headers=auth(key))
    assert r.status_code == 201, r.json
    return r.json


def test_screening_blocks_a_blacklisted_bidder_and_is_stored_with_its_digest(client, session, world, listed):
    r = client.post(
        URL,
        json=body({"name": "随便写的名字", "uscc": listed.uscc, "role": "投标人"}),
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    out = r.json
    assert out["decision"] == "block"
    assert out["subject_count"] == 1
    assert r.headers["Location"].endswith(f"{URL}/{out['id']}")
    assert len(out["digest"]) == 64
    assert out["document"]["id"] == out["id"]
    assert out["scorer"].startswith("cn-name-parts ")
    assert out["document"]["scorer"]["name"] == "cn-name-parts"
    subject = out["document"]["subjects"][0]
    assert subject["hits"][0]["entity_id"] == listed.id
    assert subject["decision"] == "block"
    assert out["dispositions"] == []
    again = client.get(f"{URL}/{out['id']}", headers=auth(world.screener_key))
    assert again.status_code == 200
    assert again.json["document"] == out["document"]
    # No audit row of its own (it would serialise every screening on the chain's head): the
    # screening waits, unanchored, for the next anchor of the evidence tree.
    assert session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "screening")).all() == []
    assert session.get(Screening, out["id"]).leaf_index is None


def test_idempotency_key_replays_the_first_screening(client, session, world, listed):
    headers = auth(world.screener_key, Idempotency_Key="screen-42")
    first = client.post(URL, json=body({"uscc": listed.uscc}), headers=headers)
    second = client.post(URL, json=body({"uscc": listed.uscc}), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json == first.json
    assert session.scalar(sa.select(sa.func.count()).select_from(Screening)) == 1


def test_a_new_list_entry_is_seen_by_the_next_request(client, session, world, entity):
    assert screened(client, world.screener_key, {"uscc": entity.uscc})["decision"] == "clear"
    r = client.post(
        "/api/v1/list-entries",
        headers=auth(world.finance_key),
        json={
            "entity_id": entity.id,
            "list_type": "black",
            "list_name": "政府采购严重违法失信行为记录名单",
            "domains": ["procurement"],
            "decision_number": "浙财采决〔2026〕99号",
            "reason_category": "串通投标",
            "facts": "串通投标",
            "legal_basis": "《中华人民共和国政府采购法》第七十七条",
            "listed_on": "2026-11-20",
            "expires_on": "2027-11-19",
        },
    )
    assert r.status_code == 201, r.json
    assert screened(client, world.screener_key, {"uscc": entity.uscc})["decision"] == "block"


def test_verify_holds_after_a_record_changes_and_fails_after_tampering(client, session, world, listed):
    out = screened(client, world.screener_key, {"uscc": listed.uscc})
    r = client.get(f"{URL}/{out['id']}/verify", headers=auth(world.screener_key))
    assert r.status_code == 200
    assert r.json["valid"] is True
    assert r.json["computed_digest"] == r.json["stored_digest"] == out["digest"]
    assert r.json["audit_seq"] is None
    assert r.json["anchored"] is False

    record = out["document"]["entities"][str(listed.id)]["records"][0]
    patched = client.patch(
        f"/api/v1/list-entries/{record['id']}",
        json={"facts": "更正后的事实", "reason": "更正"},
        headers=auth(world.finance_key, If_Match=f'"v{record["snapshot"]["version"]}"'),
    )
    assert patched.status_code == 200, patched.json
    assert client.get(f"{URL}/{out['id']}/verify", headers=auth(world.platform_key)).json["valid"] is True

    tampered = dict(out["document"], decision="clear")
    session.execute(sa.update(Screening).where(Screening.id == out["id"]).values(document=tampered))
    session.commit()
    r = client.get(f"{URL}/{out['id']}/verify", headers=auth(world.admin_key))
    assert r.json["valid"] is False
    assert r.json["computed_digest"] != r.json["stored_digest"]
    assert r.json["problems"]


def test_a_disposition_is_shown_beside_the_hit_next_time(client, session, world, listed):
    first = screened(client, world.screener_key, {"name": "杭州合晟建设工程有限公司"})
    url = f"{URL}/{first['id']}/dispositions"
    r = client.post(
        url,
        json={"subject_index": 0, "entity_id": listed.id, "disposition": "false_positive", "reason": "同名不同主体"},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    assert r.json["disposition"] == "false_positive"
    assert r.json["screening_id"] == first["id"]
    second = screened(client, world.screener_key, {"name": "杭州合晟建设工程有限公司"})
    hit = second["document"]["subjects"][0]["hits"][0]
    assert second["decision"] == "block"
    assert hit["dispositions"][0]["reason"] == "同名不同主体"
    assert (
        client.get(f"{URL}/{first['id']}", headers=auth(world.screener_key)).json["dispositions"][0]["id"]
        == r.json["id"]
    )
    bad = client.post(
        url,
        json={"subject_index": 5, "entity_id": listed.id, "disposition": "confirmed", "reason": "x"},
        headers=auth(world.screener_key),
    )
    assert bad.status_code == 422
    assert "subject_index" in bad.json["errors"]


def test_another_agency_never_sees_an_agencys_dispositions(client, session, world, listed):
    """An outside test found one screener seeing another's dispositions (its organisation name and
    reason) beside the hit. Each agency sees its own; another key of the same agency sees them too."""
    first = screened(client, world.screener_key, {"name": "杭州合晟建设工程有限公司"})
    r = client.post(
        f"{URL}/{first['id']}/dispositions",
        headers=auth(world.screener_key),
        json={"subject_index": 0, "entity_id": listed.id, "disposition": "false_positive", "reason": "同名不同主体"},
    )
    assert r.status_code == 201, r.json
    other = access.create_key(session, role="screener", name="宁波市公共资源交易中心")[1]
    same_agency = access.create_key(session, role="screener", name="交易中心")[1]  # the fixture's holder
    session.commit()
    theirs = screened(client, other, {"name": "杭州合晟建设工程有限公司"})
    body = json.dumps(theirs, ensure_ascii=False)
    assert theirs["document"]["subjects"][0]["hits"][0]["dispositions"] == []
    assert "同名不同主体" not in body
    assert '"交易中心 (screener' not in body  # the other agency's name as the decider
    ours = screened(client, same_agency, {"name": "杭州合晟建设工程有限公司"})
    assert ours["document"]["subjects"][0]["hits"][0]["dispositions"][0]["reason"] == "同名不同主体"


def test_an_organisation_code_alone_is_screened_and_blocks(client, session, world):
    """GB 11714-1997 组织机构代码 given alone: GB 32100-2015 puts it at characters 9–17 of the USCC,
    so the request finds the blacklisted entity and blocks, with an accurate note."""
    from matching.codes import organisation_check
    from registry.codes.uscc import complete

    organisation = "72631281" + organisation_check("72631281")
    entity = factories.make_entity(session, "杭州旧码建设工程有限公司", uscc=complete("91330106" + organisation))
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    out = screened(client, world.screener_key, {"uscc": f"{organisation[:8]}-{organisation[8]}", "role": "投标人"})
    assert out["decision"] == "block"
    subject = out["document"]["subjects"][0]
    assert subject["uscc"] == organisation
    assert subject["subject_key"] == f"uscc:{organisation}"
    assert [(h["entity_id"], h["match"]) for h in subject["hits"]] == [(entity.id, "exact")]
    assert not any("can match no listed entity" in r or "could not be screened" in r for r in subject["reasons_en"])
    assert any("组织机构代码" in r and "characters 9–17" in r for r in subject["reasons_en"])


def test_1001_subjects_are_refused(client, session, world):
    before = ledger_size(session)
    r = client.post(URL, json=body(*({"name": f"公司{i}"} for i in range(1001))), headers=auth(world.screener_key))
    assert r.status_code == 422
    assert "subjects" in r.json["errors"]
    assert ledger_size(session) == before


def test_a_subject_without_name_or_code_is_refused_by_its_index(client, world):
    subjects = [{"name": "甲公司"}, {"name": "乙公司"}, {"uscc": "91330106MA2B00001X"}, {"role": "投标人", "name": ""}]
    r = client.post(URL, json=body(*subjects), headers=auth(world.screener_key))
    assert r.status_code == 422
    assert list(r.json["errors"]) == ["subjects.3"]
    assert "subjects.3" in r.json["message"]
    r = client.post(URL, json=body({"name": "甲公司", "nickname": "甲"}), headers=auth(world.screener_key))
    assert r.status_code == 422
    assert "subjects.0.nickname" in r.json["errors"]


def test_who_may_screen_and_read(client, session, world):
    assert client.post(URL, json=body({"name": "甲公司"}), headers=auth(world.finance_key)).status_code == 403
    assert client.post(URL, json=body({"name": "甲公司"})).status_code == 401
    out = screened(client, world.screener_key, {"name": "甲公司"})
    _, other_key = access.create_key(session, role="screener", name="另一家代理机构")
    session.commit()
    assert client.get(f"{URL}/{out['id']}", headers=auth(other_key)).status_code == 404
    assert client.get(f"{URL}/{out['id']}/verify", headers=auth(other_key)).status_code == 404
    assert client.get(f"{URL}/{out['id']}", headers=auth(world.finance_key)).status_code == 403
    assert client.get(f"{URL}/{out['id']}", headers=auth(world.platform_key)).status_code == 200
    assert client.get(URL, headers=auth(other_key)).json["total"] == 0
    r = client.post(
        f"{URL}/{out['id']}/dispositions",
        headers=auth(other_key),
        json={"subject_index": 0, "entity_id": 1, "disposition": "confirmed", "reason": "x"},
    )
    assert r.status_code == 404


def test_listing_by_project_code(client, session, world):
    ids = [
        screened(client, world.screener_key, {"name": "甲公司"}, project_code=code)["id"]
        for code in ("ZJCG-1", "ZJCG-2", "ZJCG-1")
    ]
    r = client.get(URL, query_string={"project_code": "ZJCG-1"}, headers=auth(world.platform_key))
    assert r.status_code == 200
    assert [s["id"] for s in r.json["items"]] == [ids[0], ids[2]]
    assert r.json["total"] == 2
    assert "document" not in r.json["items"][0]
    assert client.get(URL, query_string={"project": "ZJCG-1"}, headers=auth(world.platform_key)).status_code == 422
