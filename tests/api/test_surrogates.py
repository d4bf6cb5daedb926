"""A lone surrogate anywhere in a JSON body is a 422 naming its JSON path, never a 500.

The JSON text "\\ud800" is valid JSON; Python's json module decodes it to a str holding half a
surrogate pair, which has no UTF-8 form: the database (or a response echoing it) failed with a
500. api/hostile.py walks the decoded document once, before a key, a schema or the database sees
it. Every JSON operation in the OpenAPI document gets a body schemathesis makes from the document
(its examples first), pointed at real records, with a lone surrogate put in each documented string
field in turn (and in the first item of each list of strings or of objects), sent with an admin
key; the answer must be a 422 in the house error shape naming the field, in English and Chinese.
Without the check, 42 of these requests, in 12 operations, were 500s (UnicodeEncodeError from the
database driver): creating and correcting entities, penalties and list entries, their revocation
and removal, a name, an authority, a screening's subjects and a disposition.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings

from registry.models import Alert, Entity, Screening
from tests import factories
from tests.conftest import auth

LONE = "\ud800"
CHINESE = "孤立的代理项"
METHODS = ("post", "put", "patch", "delete")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _alternatives(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(spec, schema)
    found = [schema]
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in schema.get(key, []):
            found.extend(_alternatives(spec, alternative))
    return found


def _types(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    types: set[str] = set()
    for alternative in _alternatives(spec, schema):
        kind = alternative.get("type")
        types.update(kind if isinstance(kind, list) else [kind] if kind else [])
    return types


def _string_paths(spec: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, Any]]:
    """(JSON path, body) for each place a string goes: every top-level string property, the first
    item of a list of strings, and the string properties of the first object in a list of objects."""
    found: list[tuple[str, Any]] = []
    for name, prop in _resolve(spec, schema).get("properties", {}).items():
        types = _types(spec, prop)
        if "string" in types:
            found.append((name, {name: LONE}))
        if "array" in types:
            items = next((a["items"] for a in _alternatives(spec, prop) if "items" in a), {})
            if "string" in _types(spec, items):
                found.append((f"{name}.0", {name: [LONE]}))
            for inner, body in _string_paths(spec, items):
                found.append((f"{name}.0.{inner}", {name: [body]}))
    return found


def _real_ids(client: FlaskClient, session: Any, world: factories.World) -> dict[str, int]:
    entity = factories.make_entity(session, "杭州合晟建设工程有限公司")
    penalty = factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 5, 1), severity="general")
    entry = factories.make_list_entry(session, world.finance, entity)
    session.commit()
    names = client.get(f"/api/v1/entities/{entity.id}", headers=auth(world.admin_key)).get_json()["names"]
    screened = client.post(
        "/api/v1/screenings",
        headers=auth(world.screener_key),
        json={"domain": "procurement", "project_code": "ZJCG-2026-001", "subjects": [{"name": entity.name}]},
    )
    assert screened.status_code == 201, screened.get_json()
    applied = client.post(
        "/api/v1/repairs",
        headers=auth(world.platform_key),
        json={
            "record_type": "penalty",
            "record_id": penalty.id,
            "statement": "已全额缴纳罚款，并完成整改",
            "commitment": "本单位承诺今后依法诚信参与公共资源交易活动",
        },
    )
    assert applied.status_code == 201, applied.get_json()
    watched = client.post(
        "/api/v1/watches",
        headers=auth(world.screener_key),
        json={"screening_id": screened.get_json()["id"], "watch_until": "2027-01-31"},
    )
    assert watched.status_code == 201, watched.get_json()
    alert = Alert(
        watch_id=watched.get_json()[0]["id"],
        screening_id=screened.get_json()["id"],
        subject_index=0,
        api_key_id=session.get_one(Screening, screened.get_json()["id"]).api_key_id,
        decision_then="clear",
        decision_now="block",
        change_seq=1,
        entity_id=entity.id,
        details={},
    )
    session.add(alert)
    session.commit()
    licence = client.post(
        "/api/v1/licences",
        headers=auth(world.finance_key),
        json={
            "entity_id": entity.id,
            "decision_document_name": "准予行政许可决定书",
            "decision_number": "浙许〔2026〕7号",
            "licence_category": "普通",
            "content": "经营许可",
            "decided_on": "2026-11-02",
            "valid_from": "2026-11-02",
        },
    )
    assert licence.status_code == 201, licence.get_json()
    return {
        "authority_id": world.finance.id,
        "entity_id": entity.id,
        "name_id": names[0]["id"],
        "penalty_id": penalty.id,
        "entry_id": entry.id,
        "screening_id": screened.get_json()["id"],
        "application_id": applied.get_json()["id"],
        "watch_id": watched.get_json()[0]["id"],
        "alert_id": alert.id,
        "licence_id": licence.get_json()["id"],
        "year": 2026,
    }


def _base_bodies(
    app: Flask, ids: dict[str, int], wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """A body for each JSON operation: schemathesis's first valid example (the document's own
    examples come first), its references pointed at the real records."""
    references = {
        "entity_id": ids["entity_id"],
        "record_id": ids["penalty_id"],
        "authority_id": ids["authority_id"],
        "subject_index": 0,
    }
    bodies: dict[tuple[str, str], dict[str, Any]] = {}
    for result in schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).get_all_operations():
        operation = result.ok()
        if (operation.method.lower(), operation.path) not in wanted:
            continue
        made = _first_valid_body(operation, {p.name: ids[p.name] for p in operation.path_parameters})
        if isinstance(made, dict):
            body = {key: references.get(key, value) for key, value in made.items()}
            if _documents_authority(operation):
                body.setdefault("authority_id", ids["authority_id"])  # an administrator names the authority
            bodies[(operation.method.lower(), operation.path)] = body
    return bodies


def _first_valid_body(operation: Any, path_parameters: dict[str, int]) -> Any:
    made: list[Any] = []

    @settings(
        max_examples=1,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(schemathesis.GenerationMode.POSITIVE, path_parameters=path_parameters or None))
    def first(case: schemathesis.Case) -> None:
        made.append(case.body)

    first()
    return made[0] if made else None


def _documents_authority(operation: Any) -> bool:
    spec = operation.schema.raw_schema
    schema = _resolve(spec, operation.definition.raw["requestBody"]["content"]["application/json"]["schema"])
    return "authority_id" in schema.get("properties", {})


def _if_match(client: FlaskClient, url: str, key: str) -> dict[str, str]:
    """The ETag of the record the URL acts on (the URL, or the record it is an action of)."""
    parts = url.split("/")
    while len(parts) > 4:
        read = client.get("/".join(parts), headers=auth(key))
        if read.status_code == 200 and read.headers.get("ETag"):
            return {"If-Match": read.headers["ETag"]}
        parts.pop()
    return {}


def _json_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op["requestBody"]["content"]["application/json"]["schema"])
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in METHODS and "application/json" in op.get("requestBody", {}).get("content", {})
    ]


def _post(client: FlaskClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    # json.dumps writes the surrogate as the escape \ud800 (ensure_ascii), as a client would.
    return client.open(
        url, method=method.upper(), data=json.dumps(body), content_type="application/json", headers=headers
    )


def assert_refused(response: Any, field: str) -> dict[str, Any]:
    text = response.get_data().decode("utf-8")  # the answer itself is UTF-8 (no surrogate echoed)
    assert response.status_code == 422, text[:1000]
    body = json.loads(text)
    assert body["code"] == 422
    assert body["status"] == "Unprocessable Entity"
    assert list(body["errors"]) == [field], body
    [reason] = body["errors"][field]
    assert "lone surrogate" in reason, reason
    assert CHINESE in reason, reason
    assert field in body["message"], body["message"]
    assert "\\ud800" in body["message"], body["message"]
    return body


def test_every_json_operation_refuses_a_lone_surrogate_in_each_string_field(app, client, session, world) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    ids = _real_ids(client, session, world)
    operations = _json_operations(spec)
    bases = _base_bodies(app, ids, {(method, path) for method, path, _ in operations})
    assert len(operations) >= 20  # the walk found the operations (an empty walk would prove nothing)
    failures: list[str] = []
    sent = 0
    for method, path, schema in operations:
        url = path.format(**ids)
        cases = _string_paths(spec, schema)
        assert cases, f"{method.upper()} {path}: no string field in its body"
        # The record's ETag, so a change would reach its view if the surrogate got past the door.
        headers = {
            **auth(world.admin_key),
            **(_if_match(client, url, world.admin_key) if method != "post" or path.count("{") else {}),
        }
        for field, body in cases:
            sent += 1
            try:
                assert_refused(_post(client, method, url, {**bases.get((method, path), {}), **body}, headers), field)
            except Exception as exc:  # noqa: BLE001  (every operation is tried; all are listed)
                failures.append(f"{method.upper()} {path} {field}: {type(exc).__name__}: {str(exc)[:300]}")
                session.rollback()
    print(f"\n{len(operations)} JSON operations, {sent} requests")
    assert sent >= 60
    assert len(bases) >= len(operations) - 2
    assert not failures, "\n".join(failures)


def test_the_refusal_comes_before_the_key_is_read(client, world) -> None:
    """No key, an unknown key, a key of the wrong role: still the 422 (nothing was looked up)."""
    body = {"kind": "legal_entity", "name": LONE, "uscc": factories.code()}
    for headers in ({}, auth("not-a-key"), auth(world.screener_key)):
        assert_refused(_post(client, "post", "/api/v1/entities", body, headers), "name")


def test_nothing_is_stored(client, session, world) -> None:
    before = session.scalar(sa.select(sa.func.count()).select_from(Entity))
    body = {"kind": "legal_entity", "name": f"杭州{LONE}公司", "uscc": factories.code()}
    assert_refused(_post(client, "post", "/api/v1/entities", body, auth(world.finance_key)), "name")
    assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) == before


@pytest.mark.parametrize(
    "text",
    ["\udfff", "a\udc00", "\udc00\ud800", "杭州\ud83d公司"],
    ids=["low", "low-after-text", "reversed-pair", "high-between-han"],
)
def test_every_kind_of_lone_surrogate_is_refused(client, world, text) -> None:
    r = _post(
        client,
        "post",
        "/api/v1/screenings",
        {"domain": "procurement", "project_code": "ZJCG-3", "subjects": [{"name": "甲公司"}, {"name": text}]},
        auth(world.screener_key),
    )
    assert r.status_code == 422, r.get_data(as_text=True)
    body = r.get_json()
    assert list(body["errors"]) == ["subjects.1.name"]
    assert CHINESE in body["errors"]["subjects.1.name"][0]


def test_a_surrogate_pair_is_a_character_and_is_stored(client, world) -> None:
    # "\ud83d\ude00" in JSON is one character, 😀: not refused.
    body = {"kind": "legal_entity", "name": "杭州\ud83d\ude00科技有限公司", "uscc": factories.code()}
    r = _post(client, "post", "/api/v1/entities", body, auth(world.finance_key))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["name"] == "杭州😀科技有限公司"


def test_a_surrogate_in_a_field_name_is_refused_naming_it_escaped(client, world) -> None:
    r = _post(
        client,
        "post",
        "/api/v1/screenings",
        {"domain": "procurement", "project_code": "ZJCG-3", "subjects": [{f"na{LONE}me": "甲公司"}]},
        auth(world.screener_key),
    )
    assert r.status_code == 422, r.get_data(as_text=True)
    assert list(r.get_json()["errors"]) == ["subjects.0.na\\ud800me"]
    assert "field name" in r.get_json()["message"]
    assert "字段名" in r.get_json()["message"]


def test_a_body_that_is_a_lone_surrogate_is_refused_naming_the_body(client, world) -> None:
    assert_refused(_post(client, "post", "/api/v1/entities", LONE, auth(world.finance_key)), "body")


def test_a_surrogate_in_the_query_string_is_invalid_utf8_and_a_400(client, world) -> None:
    # %ED%A0%80 is U+D800 written as if UTF-8 could hold it; it cannot, and the strict decoder says so.
    r = client.get("/api/v1/entities?name=%ED%A0%80", headers=auth(world.finance_key))
    assert r.status_code == 400, r.get_data(as_text=True)
    assert list(r.get_json()["errors"]) == ["name"]
    assert "UTF-8" in r.get_json()["message"]


@pytest.mark.parametrize("data", [b"key=%ED%A0%80", b"key=\xed\xa0\x80"], ids=["escaped", "raw"])
def test_a_surrogate_in_a_form_field_never_reaches_a_view_as_one(client, data) -> None:
    """werkzeug keeps a bad percent-escape as text and refuses undecodable bytes: no 500."""
    r = client.post("/login", data=data, content_type="application/x-www-form-urlencoded")
    assert r.status_code < 500, r.get_data(as_text=True)[:1000]
