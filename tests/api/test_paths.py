"""Ids in paths: a number wider than an INTEGER id is no such record (404), never a 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import auth

HUGE = "419556626089795753841159831552"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/repairs/{HUGE}",
        f"/api/v1/repairs/{HUGE}/history",
        f"/api/v1/screenings/{HUGE}",
        f"/api/v1/entities/{HUGE}",
        f"/api/v1/penalties/{HUGE}",
        f"/api/v1/calendar/years/{HUGE}",
    ],
)
def test_a_huge_id_is_not_found_as_json(client: FlaskClient, world: factories.World, path: str) -> None:
    r = client.get(path, headers=auth(world.admin_key))
    assert r.status_code == 404
    assert r.is_json


def test_a_huge_id_on_a_page_is_a_404_page(client: FlaskClient) -> None:
    r = client.get(f"/entities/{HUGE}")
    assert r.status_code == 404
    assert r.mimetype == "text/html"


@pytest.mark.parametrize("path", [f"/api/v1/entities/{2**31}", f"/api/v1/penalties/{2**31}"])
def test_one_past_the_integer_range_is_unrouted(client: FlaskClient, world: factories.World, path: str) -> None:
    r = client.get(path, headers=auth(world.admin_key))
    assert r.status_code == 404
    assert r.json["message"].startswith("The requested URL was not found")


def test_the_largest_integer_id_still_routes(client: FlaskClient, world: factories.World) -> None:
    r = client.get(f"/api/v1/entities/{2**31 - 1}", headers=auth(world.admin_key))
    assert r.status_code == 404
    assert r.json["message_en"] == f"entity {2**31 - 1} does not exist"  # routed and looked up, not unrouted
    assert r.json["message"] == f"编号为 {2**31 - 1} 的主体不存在。"


def test_the_openapi_document_states_the_bound(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    [param] = [p for p in spec["paths"]["/api/v1/entities/{entity_id}"]["parameters"] if p["name"] == "entity_id"]
    assert param["schema"] == {"type": "integer", "maximum": 2**31 - 1, "minimum": 0}
