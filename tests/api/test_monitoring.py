"""/api/v1/watches and /api/v1/alerts through the HTTP client: an agency watches a project's
bidders, one is listed, the checker raises an alert the agency reads and acknowledges; another
agency sees none of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from registry import access
from registry.monitoring.detect import check_watches
from registry.monitoring.watch_index import WatchIndex
from registry.screening.name_index import NameIndex, default_matcher
from tests import factories
from tests.conftest import auth

BIDDERS = ["杭州合晟建设工程有限公司", "温州清白科技有限公司"]


@pytest.fixture(autouse=True)
def index(runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


@pytest.fixture
def screening_id(client, world) -> int:
    r = client.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": "ZJCG-2026-0099", "subjects": [{"name": n} for n in BIDDERS]},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    return int(r.json["id"])


def watch(client, key: str, screening_id: int, until: str = "2027-01-31") -> Any:
    return client.post("/api/v1/watches", json={"screening_id": screening_id, "watch_until": until}, headers=auth(key))


def test_an_agency_watches_is_alerted_and_acknowledges(client, session, runtime, world, screening_id):
    r = watch(client, world.screener_key, screening_id)
    assert r.status_code == 201, r.json
    assert [(w["subject_name"], w["decision_then"], w["watch_until"]) for w in r.json] == [
        (BIDDERS[0], "clear", "2027-01-31"),
        (BIDDERS[1], "clear", "2027-01-31"),
    ]
    listed = factories.make_entity(session, BIDDERS[1])
    factories.make_list_entry(session, world.finance, listed)
    session.commit()
    check_watches(session, WatchIndex(), runtime.name_index, runtime.measures, dt.date(2026, 11, 23))
    session.commit()

    open_alerts = client.get("/api/v1/alerts?acknowledged=false", headers=auth(world.screener_key)).json
    (alert,) = open_alerts["items"]
    assert (alert["screening_id"], alert["subject_index"], alert["decision_then"], alert["decision_now"]) == (
        screening_id,
        1,
        "clear",
        "block",
    )
    assert alert["details"]["hits"][0]["entity_id"] == listed.id
    ack = client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge",
        json={"reason": "已取消其中标候选人资格"},
        headers=auth(world.screener_key),
    )
    assert ack.status_code == 200, ack.json
    assert ack.json["ack_reason"] == "已取消其中标候选人资格"
    assert client.get("/api/v1/alerts?acknowledged=false", headers=auth(world.screener_key)).json["items"] == []
    again = client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", json={"reason": "再次确认"}, headers=auth(world.screener_key)
    )
    assert again.status_code == 409

    watches = client.get("/api/v1/watches?active=true", headers=auth(world.screener_key)).json["items"]
    assert [w["alerted_decision"] for w in watches] == ["block", None]  # newest first
    ended = client.post(
        f"/api/v1/watches/{watches[0]['id']}/end", json={"reason": "合同已签订"}, headers=auth(world.screener_key)
    )
    assert ended.status_code == 200
    assert ended.json["ended_at"] is not None
    assert len(client.get("/api/v1/watches?active=true", headers=auth(world.screener_key)).json["items"]) == 1


def test_another_agency_sees_and_changes_nothing(client, session, world, screening_id):
    assert watch(client, world.screener_key, screening_id).status_code == 201
    _, other = access.create_key(session, role="screener", name="另一家代理机构")
    session.commit()
    refused = watch(client, other, screening_id)
    assert refused.status_code == 422
    assert refused.json["errors_en"] == {"screening_id": [f"screening {screening_id} does not exist"]}
    assert client.get("/api/v1/watches", headers=auth(other)).json["items"] == []
    assert client.get("/api/v1/watches/1", headers=auth(other)).status_code == 404
    assert client.post("/api/v1/watches/1/end", json={"reason": "x"}, headers=auth(other)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"watch_until": "2026-11-22"}, "watch_until"),
        ({"watch_until": "2027-11-24"}, "watch_until"),
        ({"watch_until": "明年"}, "watch_until"),
        ({"screening_id": None}, "screening_id"),
    ],
)
def test_a_bad_watch_is_refused_naming_the_field(client, world, screening_id, body, field):
    r = client.post(
        "/api/v1/watches",
        json={"screening_id": screening_id, "watch_until": "2027-01-31", **body},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 422, r.json
    assert list(r.json["errors"]) == [field]


def test_a_screening_may_ask_to_be_watched_and_a_bad_day_stores_nothing(client, session, world):
    from registry.models import Screening, Watch

    body = {"domain": "procurement", "project_code": "ZJCG-2026-0100", "subjects": [{"name": n} for n in BIDDERS]}
    refused = client.post(
        "/api/v1/screenings", json={**body, "watch_until": "2028-01-01"}, headers=auth(world.screener_key)
    )
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["watch_until"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Screening)) == 0  # refused before storing

    r = client.post("/api/v1/screenings", json={**body, "watch_until": "2027-01-15"}, headers=auth(world.screener_key))
    assert r.status_code == 201, r.json
    assert "watch_until" not in r.json["document"]["request"]  # beside the screening, not in its document
    watched = client.get(f"/api/v1/watches?screening_id={r.json['id']}", headers=auth(world.screener_key)).json
    assert sorted((w["subject_index"], w["watch_until"]) for w in watched["items"]) == [
        (0, "2027-01-15"),
        (1, "2027-01-15"),
    ]
    assert session.scalar(sa.select(sa.func.count()).select_from(Watch)) == 2
