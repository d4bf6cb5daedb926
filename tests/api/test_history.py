"""A record's history (全程留痕) through the API."""

from __future__ import annotations

from tests.conftest import auth
from tests.factories import make_entity, make_penalty


def test_penalty_history_shows_each_change_with_reason(client, session, world):
    penalty = make_penalty(session, world.finance, make_entity(session))
    session.commit()
    r = client.patch(
        f"/api/v1/penalties/{penalty.id}",
        json={"reason": "金额笔误", "fine_amount": "0.3"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 200, r.json
    history = client.get(f"/api/v1/penalties/{penalty.id}/history", headers=auth(world.finance_key))
    assert history.status_code == 200
    items = history.json["items"]
    assert [i["action"] for i in items] == ["create", "correct"]
    assert items[1]["reason"] == "金额笔误"
    assert items[1]["before"]["fine_amount"] == "0.5"
    assert items[1]["after"]["fine_amount"] == "0.3"
    assert items[0]["seq"] < items[1]["seq"]


def test_history_is_closed_to_other_authorities_and_the_public(client, session, world):
    penalty = make_penalty(session, world.finance, make_entity(session))
    session.commit()
    path = f"/api/v1/penalties/{penalty.id}/history"
    assert client.get(path, headers=auth(world.housing_key)).status_code == 403
    assert client.get(path, headers=auth(world.screener_key)).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get(path, headers=auth(world.platform_key)).status_code == 200
    assert client.get(path, headers=auth(world.admin_key)).status_code == 200


def test_entity_history_is_open_to_any_supervisor(client, session, world):
    entity = make_entity(session)
    session.commit()
    r = client.get(f"/api/v1/entities/{entity.id}/history", headers=auth(world.housing_key))
    assert r.status_code == 200
    assert [i["action"] for i in r.json["items"]] == ["create"]
    assert client.get("/api/v1/entities/999999/history", headers=auth(world.admin_key)).status_code == 404


def test_repair_application_history(client, session, world):
    import datetime as dt

    from tests.factories import make_entity, make_penalty

    penalty = make_penalty(session, world.finance, make_entity(session), decided_on=dt.date(2026, 5, 1))
    session.commit()
    made = client.post(
        "/api/v1/repairs",
        json={
            "record_type": "penalty",
            "record_id": penalty.id,
            "statement": "已整改",
            "commitment": "信用承诺书",
            "attachments": [],
        },
        headers=auth(world.finance_key),
    )
    assert made.status_code == 201, made.json
    r = client.get(f"/api/v1/repairs/{made.json['id']}/history", headers=auth(world.finance_key))
    assert r.status_code == 200
    assert [i["action"] for i in r.json["items"]] == ["submit"]
    assert client.get(f"/api/v1/repairs/{made.json['id']}/history", headers=auth(world.housing_key)).status_code == 403


def test_history_since_a_version_gives_what_changed_after_it(client, session, world):
    penalty = make_penalty(session, world.finance, make_entity(session))
    session.commit()
    for version, amount in ((1, "0.3"), (2, "0.2")):
        r = client.patch(
            f"/api/v1/penalties/{penalty.id}",
            json={"reason": f"第{version}次更正", "fine_amount": amount},
            headers=auth(world.finance_key, If_Match=f'"v{version}"'),
        )
        assert r.status_code == 200, r.json
    path = f"/api/v1/penalties/{penalty.id}/history"
    since = client.get(f"{path}?since_version=1", headers=auth(world.finance_key)).json["items"]
    assert [(i["reason"], i["after"]["version"]) for i in since] == [("第1次更正", 2), ("第2次更正", 3)]
    assert client.get(f"{path}?since_version=3", headers=auth(world.finance_key)).json["items"] == []
    assert len(client.get(path, headers=auth(world.finance_key)).json["items"]) == 3
    assert client.get(f"{path}?since_version=-1", headers=auth(world.finance_key)).status_code == 422
    assert client.get(f"{path}?since_version=1", headers=auth(world.housing_key)).status_code == 403
