"""最终处理意见 through the API: after a hit is marked a false positive, the agency records its final
decision on the bidder (who, when, why), kept beside the screening and never inside its digested
document; refused before the false positive, for a cleared bidder, and for another agency."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from registry import access
from registry.ledger import canonical_json
from registry.models import AuditLog, FinalDecision
from registry.screening.name_index import NameIndex, default_matcher
from tests import factories
from tests.conftest import auth

URL = "/api/v1/screenings"
FIRM_NAME = "杭州合晟建设工程有限公司"


@pytest.fixture(autouse=True)
def index(runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


@pytest.fixture
def screening(client, session, world, entity) -> dict[str, Any]:
    """A blocked bidder (a hit on the listed entity) and a cleared one."""
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    r = client.post(
        URL,
        json={
            "domain": "procurement",
            "project_code": "ZJCG-2026-0042",
            "subjects": [{"name": FIRM_NAME}, {"name": "温州清白科技有限公司"}],
        },
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    assert [s["decision"] for s in r.json["document"]["subjects"]] == ["block", "clear"]
    return {**r.json, "entity_id": entity.id}


def _decide(client, key: str, screening_id: int, **fields: Any):
    payload = {"subject_index": 0, "decision": "admitted", "reason": "经核对营业执照，统一社会信用代码不同，非名单主体"}
    return client.post(f"{URL}/{screening_id}/final-decisions", json={**payload, **fields}, headers=auth(key))


def _false_positive(client, key: str, screening: dict[str, Any]) -> None:
    r = client.post(
        f"{URL}/{screening['id']}/dispositions",
        json={
            "subject_index": 0,
            "entity_id": screening["entity_id"],
            "disposition": "false_positive",
            "reason": "同名",
        },
        headers=auth(key),
    )
    assert r.status_code == 201, r.json


def test_a_final_decision_needs_a_false_positive_first(client, world, screening):
    r = _decide(client, world.screener_key, screening["id"])
    assert r.status_code == 422
    assert r.json["errors"] == {"subject_index": ["请先将第 1 个投标人的命中标记为误报，再记录最终处理意见。"]}
    assert r.json["errors_en"] == {
        "subject_index": ["mark a hit of bidder 1 a false positive first: a final decision follows it"]
    }


def test_recorded_beside_the_document_which_stays_as_it_was(client, session, world, screening):
    _false_positive(client, world.screener_key, screening)
    r = _decide(client, world.screener_key, screening["id"])
    assert r.status_code == 201, r.json
    assert (r.json["subject_index"], r.json["decision"], r.json["decided_by"]) == (0, "admitted", "交易中心")
    read = client.get(f"{URL}/{screening['id']}", headers=auth(world.screener_key)).json
    assert [d["id"] for d in read["final_decisions"]] == [r.json["id"]]
    assert read["document"] == screening["document"]  # never inside the digested document
    assert hashlib.sha256(canonical_json(read["document"])).hexdigest() == screening["digest"]
    verified = client.get(f"{URL}/{screening['id']}/verify", headers=auth(world.screener_key)).json
    assert verified["valid"] is True
    audit = session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "final_decision")).one()
    assert (audit.action, audit.record_id, audit.reason) == ("final_decision", r.json["id"], r.json["reason"])


def test_a_later_decision_supersedes_and_both_stay_on_record(client, session, world, screening):
    _false_positive(client, world.screener_key, screening)
    first = _decide(client, world.screener_key, screening["id"]).json
    second = _decide(client, world.screener_key, screening["id"], decision="rejected", reason="另有确认命中，依法限制")
    assert second.status_code == 201
    read = client.get(f"{URL}/{screening['id']}", headers=auth(world.screener_key)).json
    assert [(d["id"], d["decision"]) for d in read["final_decisions"]] == [
        (first["id"], "admitted"),
        (second.json["id"], "rejected"),
    ]
    assert session.scalar(sa.select(sa.func.count()).select_from(FinalDecision)) == 2


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"subject_index": 1}, "subject_index", "第 2 个投标人的核查结论为“通过”，无需记录最终处理意见。"),
        ({"subject_index": 7}, "subject_index", "核查 {id} 的投标人序号为 0 至 1。"),
        ({"decision": "maybe"}, "decision", None),
        ({"reason": "   "}, "reason", None),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, session, world, screening, fields, field, reason):
    _false_positive(client, world.screener_key, screening)
    r = _decide(client, world.screener_key, screening["id"], **fields)
    assert r.status_code == 422, r.json
    assert list(r.json["errors"]) == [field]
    if reason is not None:
        assert r.json["errors"][field] == [reason.format(id=screening["id"])]
    assert session.scalar(sa.select(sa.func.count()).select_from(FinalDecision)) == 0


def test_another_agency_cannot_decide_on_a_screening_it_did_not_make(client, session, world, screening):
    _false_positive(client, world.screener_key, screening)
    _, other = access.create_key(session, role="screener", name="另一家代理机构")
    session.commit()
    r = _decide(client, other, screening["id"])
    assert r.status_code == 404
    assert session.scalar(sa.select(sa.func.count()).select_from(FinalDecision)) == 0
