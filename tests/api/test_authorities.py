"""Authorities (机关)."""

from __future__ import annotations

from registry.models import ChangeEvent
from tests.conftest import auth
from tests.factories import code


def test_admin_registers_and_reads_an_authority(client, world):
    body = {
        "name": "宁波市财政局",
        "uscc": code("11330200"),
        "region_code": "330200",
        "domains": ["procurement", "procurement"],
        "parent_id": world.finance.id,
    }
    r = client.post("/api/v1/authorities", json=body, headers=auth(world.admin_key))
    assert r.status_code == 201
    assert r.headers["ETag"] == '"v1"'
    assert r.json["domains"] == ["procurement"]
    got = client.get(r.headers["Location"])
    assert got.json["parent_id"] == world.finance.id


def test_authority_code_must_be_a_government_code(client, world):
    body = {"name": "某公司", "uscc": code("91330200"), "region_code": "330200"}
    r = client.post("/api/v1/authorities", json=body, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert "以 1 开头" in r.json["errors"]["uscc"][0]
    assert "starts with 1" in r.json["errors_en"]["uscc"][0]


def test_bad_region_and_domain_are_named(client, world):
    body = {"name": "某局", "uscc": code("11330200"), "region_code": "999999"}
    r = client.post("/api/v1/authorities", json=body, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert "region_code" in r.json["errors"]
    body.update(region_code="330200", domains=["fishing"])
    r = client.post("/api/v1/authorities", json=body, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert "domains.0" in r.json["errors"]


def test_patch_domains_bumps_version_and_emits_one_event(client, session, world):
    before = session.query(ChangeEvent).count()
    r = client.patch(
        f"/api/v1/authorities/{world.housing.id}",
        json={"domains": ["housing"]},
        headers=auth(world.admin_key, If_Match='"v1"'),
    )
    assert r.status_code == 200, r.json
    assert r.json["domains"] == ["housing"]
    assert r.headers["ETag"] == '"v2"'
    assert session.query(ChangeEvent).count() == before + 1


def test_patch_without_change_keeps_the_version(client, world):
    r = client.patch(
        f"/api/v1/authorities/{world.finance.id}",
        json={"name": "浙江省财政厅"},
        headers=auth(world.admin_key, If_Match='"v1"'),
    )
    assert r.status_code == 200
    assert r.headers["ETag"] == '"v1"'


def test_authority_cannot_become_its_own_ancestor(client, world):
    client.patch(
        f"/api/v1/authorities/{world.housing.id}",
        json={"parent_id": world.finance.id},
        headers=auth(world.admin_key, If_Match='"v1"'),
    )
    r = client.patch(
        f"/api/v1/authorities/{world.finance.id}",
        json={"parent_id": world.housing.id},
        headers=auth(world.admin_key, If_Match='"v1"'),
    )
    assert r.status_code == 422
    assert "上级机关" in r.json["errors"]["parent_id"][0]
    assert "ancestor" in r.json["errors_en"]["parent_id"][0]


def test_filter_authorities_by_domain(client, world):
    r = client.get("/api/v1/authorities?domain=housing")
    assert [a["id"] for a in r.json["items"]] == [world.housing.id]
