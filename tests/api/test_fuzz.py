"""The API against its own OpenAPI document: schemathesis generates requests for every operation,
with the key of every role, valid and invalid data, made-up ids and ids of real records.

Every answer must be documented: no 5xx, a status code the operation lists, the content type
it lists, and a body that matches the documented schema (errors included).

On PostgreSQL when the suite is given one (the stricter database), else on SQLite. Bounded for CI: `REGISTRY_FUZZ_EXAMPLES` examples per operation, role, data mode and id source
(default 3). A longer run is the same test with a larger number, e.g.
`REGISTRY_FUZZ_EXAMPLES=200 pytest tests/api/test_fuzz.py` (docs/reliability.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import PG_URL, auth

EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ("public", "admin", "supervisor", "other_supervisor", "screener", "platform")


def _keys(world: factories.World) -> dict[str, str | None]:
    return {
        "public": None,
        "admin": world.admin_key,
        "supervisor": world.finance_key,
        "other_supervisor": world.housing_key,
        "screener": world.screener_key,
        "platform": world.platform_key,
    }


def _real_ids(app: Flask, session: Session, world: factories.World) -> dict[str, dict[str, Any]]:
    """Path parameters naming records that exist, by path template (ids of the finance authority's
    records, so a supervisor of finance owns them and the other supervisor does not)."""
    entity = factories.make_entity(session, "杭州合晟建设工程有限公司")
    penalty = factories.make_penalty(session, world.finance, entity)
    entry = factories.make_list_entry(session, world.finance, entity)
    session.commit()
    screened = app.test_client().post(
        "/api/v1/screenings",
        headers=auth(world.screener_key),
        json={"domain": "procurement", "project_code": "ZJCG-2026-001", "subjects": [{"name": entity.name}]},
    )
    assert screened.status_code == 201, screened.get_json()
    return {
        "authority_id": {"authority_id": world.finance.id},
        "entity_id": {"entity_id": entity.id},
        "penalty_id": {"penalty_id": penalty.id},
        "entry_id": {"entry_id": entry.id},
        "year": {"year": 2026},
        "name": {"name": "penalties.csv"},
        "screening_id": {"screening_id": screened.get_json()["id"]},
        "_history": {
            "authorities": world.finance.id,
            "entities": entity.id,
            "penalties": penalty.id,
            "list-entries": entry.id,
        },
    }


def _path_parameters(path: str, names: list[str], real: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if not names:
        return None
    found: dict[str, Any] = {}
    for name in names:
        if name == "record_id":
            area = path.split("/")[3]
            if area not in real["_history"]:
                return None
            found[name] = real["_history"][area]
        elif name in real:
            found.update(real[name])
        else:
            return None
    return found


def _fuzz(
    operation: Any, mode: schemathesis.GenerationMode, headers: dict[str, str], path_parameters: dict[str, Any] | None
) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, headers=headers or None, path_parameters=path_parameters))
    def run(case: schemathesis.Case) -> None:
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    return run


@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(
    app: Flask,
    session: Session,
    runtime: Any,
    world: factories.World,
    role: str,
    mode: schemathesis.GenerationMode,
) -> None:
    if PG_URL and app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("fuzzed on PostgreSQL, the stricter database (NUL bytes, integer widths), when it is given")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    key = _keys(world)[role]
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    real = _real_ids(app, session, world)
    failures: list[str] = []
    operations = 0
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = [p.name for p in operation.path_parameters]
        sources: list[dict[str, Any] | None] = [None]
        real_path = _path_parameters(operation.path, names, real)
        if real_path is not None:
            sources.append(real_path)
        for path_parameters in sources:
            try:
                _fuzz(operation, mode, headers, path_parameters)()
                tried += 1
            except Unsatisfiable:
                # Invalid mode with nothing to make invalid (no body, fixed real ids): no case exists.
                pass
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001  (every operation is tried; all are listed)
                which = "real ids" if path_parameters else "generated ids"
                failures.append(f"{operation.method.upper()} {operation.path} ({which}): {str(exc)[:1500]}")
            session.rollback()
    assert operations >= 50  # the document lists every operation (a broken spec would list none)
    # Valid data exists for every operation; invalid data for all but a few (fixed ids, no body).
    assert tried >= (operations if mode == schemathesis.GenerationMode.POSITIVE else operations // 2)
    assert not failures, "\n\n".join(failures)
