"""Keys, roles, error shape, idempotency and the OpenAPI document."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.models import ApiKey, Entity
from tests.conftest import auth
from tests.factories import code


def entity_body(**fields):
    return {"kind": "legal_entity", "name": "宁波恒泰建设工程有限公司", "uscc": code("91330200"), **fields}


def test_unknown_key_is_401_even_on_public_reads(client, world):
    r = client.get("/api/v1/authorities", headers=auth("crk_not-a-real-key"))
    assert r.status_code == 401
    assert r.json["message"] == "API 密钥无效或已被吊销。"
    assert r.json["message_en"] == "the API key is unknown or revoked"


def test_malformed_authorization_header_is_401(client, world):
    r = client.get("/api/v1/authorities", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    assert "Bearer" in r.json["message"]


def test_x_api_key_header_is_accepted(client, world):
    r = client.post("/api/v1/entities", json=entity_body(), headers={"X-API-Key": world.finance_key})
    assert r.status_code == 201


def test_only_a_hash_of_the_key_is_stored(session, world):
    stored = [k.secret_hash for k in session.query(ApiKey)]
    assert world.admin_key not in stored
    assert all(len(h) == 64 for h in stored)


@pytest.mark.parametrize("role", ["screener", "platform"])
def test_roles_without_write_rights_get_403(client, world, role):
    key = world.screener_key if role == "screener" else world.platform_key
    r = client.post("/api/v1/entities", json=entity_body(), headers=auth(key))
    assert r.status_code == 403
    assert role in r.json["message_en"]
    assert {"screener": "交易中心 / 招标代理", "platform": "信用平台"}[role] in r.json["message"]


def test_anonymous_write_is_refused(client, world):
    r = client.post("/api/v1/entities", json=entity_body())
    # No credentials: 401 with the scheme to use (RFC 9110), not 403
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "API key" in r.json["message_en"]
    assert "API 密钥" in r.json["message"]


def test_supervisor_cannot_register_authorities(client, world):
    body = {"name": "某某局", "uscc": code("11330000"), "region_code": "330000"}
    assert client.post("/api/v1/authorities", json=body, headers=auth(world.finance_key)).status_code == 403
    assert client.post("/api/v1/authorities", json=body, headers=auth(world.admin_key)).status_code == 201


def test_unknown_body_field_and_query_parameter_are_named(client, world):
    r = client.post("/api/v1/entities", json=entity_body(nmae="x"), headers=auth(world.finance_key))
    assert r.status_code == 422
    assert r.json["errors"] == {"nmae": ["未知字段。"]}
    assert r.json["errors_en"] == {"nmae": ["Unknown field."]}
    assert "nmae" in r.json["message"]
    r = client.get("/api/v1/entities?staus=active")
    assert r.status_code == 422
    assert "staus" in r.json["errors"]


def test_non_json_body_is_refused_naming_the_content_type(client, world):
    r = client.post("/api/v1/entities", data="kind=legal_entity", headers=auth(world.finance_key))
    assert r.status_code == 415
    assert "Content-Type" in r.json["errors"]
    assert "application/json" in r.json["message"]


class TestIdempotency:
    def test_retry_returns_first_response_and_creates_nothing_more(self, client, session, world):
        body = entity_body()
        headers = auth(world.finance_key, Idempotency_Key="req-001")
        first = client.post("/api/v1/entities", json=body, headers=headers)
        second = client.post("/api/v1/entities", json=body, headers=headers)
        assert first.status_code == second.status_code == 201
        assert second.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert second.json == first.json
        assert second.headers["ETag"] == first.headers["ETag"]
        assert second.headers["Location"] == first.headers["Location"]
        assert session.query(Entity).filter_by(uscc=body["uscc"]).count() == 1

    def test_same_key_different_body_is_422(self, client, world):
        headers = auth(world.finance_key, Idempotency_Key="req-002")
        assert client.post("/api/v1/entities", json=entity_body(), headers=headers).status_code == 201
        r = client.post("/api/v1/entities", json=entity_body(), headers=headers)
        assert r.status_code == 422
        assert "Idempotency-Key" in r.json["errors"]

    def test_keys_are_per_api_key(self, client, world):
        a = client.post(
            "/api/v1/entities", json=entity_body(), headers=auth(world.finance_key, Idempotency_Key="shared")
        )
        b = client.post(
            "/api/v1/entities", json=entity_body(), headers=auth(world.housing_key, Idempotency_Key="shared")
        )
        assert a.status_code == b.status_code == 201
        assert a.json["id"] != b.json["id"]

    def test_a_failed_request_is_not_remembered(self, client, session, world):
        headers = auth(world.finance_key, Idempotency_Key="req-003")
        bad = client.post("/api/v1/entities", json=entity_body(uscc="91110000600037341M"), headers=headers)
        assert bad.status_code == 422
        good = client.post("/api/v1/entities", json=entity_body(), headers=headers)
        assert good.status_code == 201
        assert "Idempotent-Replayed" not in good.headers


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/entities", "/api/v1/penalties/{penalty_id}/revoke", "/api/v1/list-entries/{entry_id}/repair"):
        assert path in spec["paths"]
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200


def test_health_endpoints(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz").json
    assert ready["status"] == "ok"
    assert ready["database"] in ("sqlite", "postgresql")


def test_readyz_warns_from_1_november_that_next_years_notice_is_not_loaded(client, runtime):
    """《国务院办公厅关于2027年部分节假日安排的通知》 is not loaded on 2026-11-01 (China time): /readyz
    says so in `calendar.warning`, and stays ready (200, "ok") — a warning, not an outage."""
    runtime.clock.fixed = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)  # 2026-11-01 00:30 in China
    r = client.get("/readyz")
    assert (r.status_code, r.json["status"]) == (200, "ok")
    calendar = r.json["calendar"]
    assert {k: calendar[k] for k in ("year", "source", "next_year", "next_year_source")} == {
        "year": 2026,
        "source": "package",
        "next_year": 2027,
        "next_year_source": "provisional",
    }
    assert "国务院办公厅关于2027年部分节假日安排的通知" in calendar["warning"]
    assert "deadlines after 2026-12-31 are provisional" in calendar["warning"]


def test_readyz_has_no_calendar_warning_on_31_october(client, runtime):
    """Before 1 November the 2027 notice (国务院办公厅关于2027年部分节假日安排的通知) is not yet due."""
    runtime.clock.fixed = dt.datetime(2026, 10, 31, 15, 59, tzinfo=dt.UTC)  # 2026-10-31 23:59 in China
    r = client.get("/readyz")
    assert (r.status_code, r.json["status"]) == (200, "ok")
    assert r.json["calendar"]["warning"] is None


@pytest.mark.parametrize("path", ["/api/v1/entities", "/api/v1/penalties", "/api/v1/list-entries"])
def test_nul_in_a_text_filter_is_422_not_a_server_error(client, path):
    r = client.get(path, query_string={"name": "合晟\x00建设"})
    assert r.status_code == 422
    assert r.json["errors"] == {"name": ["must not contain NUL characters"]}


def test_nul_in_a_body_field_is_422(client, world):
    r = client.post("/api/v1/entities", json=entity_body(name="甲\x00公司"), headers=auth(world.finance_key))
    assert r.status_code == 422
    assert "name" in r.json["errors"]
