from tests.conftest import auth


def test_health(client):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json["status"] == "ok"


def test_world_builds(client, world):
    r = client.get("/api/v1/authorities", headers=auth(world.admin_key))
    assert r.status_code == 200
    assert r.json["total"] == 2
