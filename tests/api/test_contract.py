"""The API keeps its documented contract.

Numbers the database cannot hold are refused at the door, naming the field (first found by fuzzing
as 500s: a 20-digit feed cursor, a page number past any OFFSET, an amount of 1.79e308 万元); changes
that need If-Match say so; a 405 says Allow.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from marshmallow import fields, validate

import api.schemas
from api.schemas.common import ID_MAX, StrictSchema
from tests.conftest import auth


def _input_schemas() -> list[type[StrictSchema]]:
    found: set[type[StrictSchema]] = set()
    for module in pkgutil.iter_modules(api.schemas.__path__):
        for value in vars(importlib.import_module(f"api.schemas.{module.name}")).values():
            if isinstance(value, type) and issubclass(value, StrictSchema):
                found.add(value)
    return sorted(found, key=lambda s: s.__name__)


def test_every_number_a_client_sends_has_an_upper_bound() -> None:
    unbounded = []
    for schema in _input_schemas():
        for name, field in schema._declared_fields.items():
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, fields.Number):
                ranges = [v for v in inner.validators if isinstance(v, validate.Range) and v.max is not None]
                if not ranges or ranges[0].max > 2**63 - 1:
                    unbounded.append(f"{schema.__name__}.{name}")
    assert unbounded == []
    assert len(_input_schemas()) > 20  # the walk found the schemas (an empty walk would prove nothing)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/feed?after=16069671804547698688", "after"),
        ("/api/v1/repairs?page=548436217635056", "page"),
        (f"/api/v1/penalties?entity_id={ID_MAX + 1}", "entity_id"),
        ("/api/v1/penalties?authority_id=99999999999999999999999", "authority_id"),
    ],
)
def test_a_number_too_wide_for_the_database_is_a_422(client, world, path, field) -> None:
    response = client.get(path, headers=auth(world.admin_key))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("amount", [1.79e308, "1e400", "99999999999999.5", "-1", "NaN", "Infinity"])
def test_an_amount_the_column_cannot_hold_is_a_422(client, world, entity, amount) -> None:
    from tests import factories

    body = factories.penalty_data(entity, fine_amount=amount, decided_on="2026-11-02")
    response = client.post("/api/v1/penalties", headers=auth(world.finance_key), json=body)
    assert response.status_code == 422, response.get_json()
    assert "fine_amount" in response.get_json()["errors"]


def test_amounts_are_decimal_strings_in_the_document_and_in_answers(client, world, entity) -> None:
    from tests import factories

    spec = client.get("/api/v1/openapi.json").get_json()
    fine = spec["components"]["schemas"]["PenaltyIn"]["properties"]["fine_amount"]
    assert {"type": "string", "format": "decimal"}.items() <= (fine.get("anyOf", [fine])[0]).items()
    body = factories.penalty_data(entity, fine_amount=0.5, decided_on="2026-11-02")  # a JSON number is accepted
    created = client.post("/api/v1/penalties", headers=auth(world.finance_key), json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["fine_amount"] == "0.5"


def test_every_change_that_needs_if_match_documents_it(app) -> None:
    """The views that call expected_version() are exactly the operations documented with a
    required If-Match header (and its 412 and 428)."""
    import inspect

    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
        and any(p.get("name") == "If-Match" and p.get("required") for p in op.get("parameters", []))
        and {"412", "428"} <= set(op["responses"])
    }
    needing = set()
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in rule.methods - {"HEAD", "OPTIONS"} if view_class else ():
            handler = getattr(view_class, method.lower(), None)
            if handler is not None and "expected_version()" in inspect.getsource(handler):
                path = rule.rule.replace("<int:", "{").replace(">", "}").replace("<", "{")
                needing.add((method, path))
    assert len(needing) >= 13
    assert needing == documented


def test_a_method_the_path_does_not_have_is_a_405_that_says_allow(client, world) -> None:
    response = client.open("/api/v1/penalties", method="TRACE", headers=auth(world.admin_key))
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert response.get_json()["code"] == 405


def test_every_operation_lists_its_error_statuses_and_no_catch_all(client) -> None:
    """No `default` response: the statuses an operation can answer are listed, so the fuzzer's
    status check (tests/api/test_fuzz.py) holds each operation to them."""
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= 50
    for method, path, op in operations:
        codes = set(op["responses"])
        assert "default" not in codes, (method, path)
        assert {"400", "401", "403", "422", "503"} <= codes, (method, path)
        assert ("404" in codes) == ("{" in path), (method, path)
        assert ({"409", "413", "415"} <= codes) == (method != "get"), (method, path)
