"""Every error leaves the API in one shape: {code, status, message, errors}.

`errors` maps each offending field to its reasons; `message` repeats them in one line
so a person reading a log or a CLI sees the field and the reason without parsing JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from registry.errors import Conflict, RegistryError, StaleVersion

HTTP_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    428: "Precondition Required",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests errors by location and field ({"json": {"uscc": [...]}}); make paths."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in ("json", "query", "querystring") and not prefix:
                path = ""
            flat.update(flatten(value, path))
    elif isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        flat[prefix or "_schema"] = list(errors)
    elif isinstance(errors, list):
        for i, value in enumerate(errors):
            flat.update(flatten(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        flat[prefix or "_schema"] = [str(errors)]
    return flat


def summarise(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{field}: {' '.join(reasons)}" for field, reasons in errors.items())


def error_response(
    status: int,
    message: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": status, "status": HTTP_TITLES.get(status, "Error"), "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def database_error_response(exc: Exception) -> Response:
    """What a failed flush or commit means to the client."""
    if isinstance(exc, StaleDataError):
        return registry_error_response(StaleVersion("the record changed while this request ran; read it again"))
    if isinstance(exc, IntegrityError):
        return registry_error_response(Conflict("the change conflicts with a record saved at the same time"))
    return error_response(503, "the database is busy or unreachable; retry shortly", headers={"Retry-After": "2"})


# RFC 9110 §11.6.1: a 401 names the scheme the client should authenticate with.
CHALLENGE = 'Bearer realm="credit-registry"'


def registry_error_response(exc: RegistryError) -> Response:
    headers = {"WWW-Authenticate": CHALLENGE} if exc.status == 401 else None
    return error_response(exc.status, exc.message, exc.errors or None, headers=headers)


def init_app(app: Flask) -> None:
    app.register_error_handler(RegistryError, registry_error_response)
    app.register_error_handler(StaleDataError, database_error_response)
    app.register_error_handler(IntegrityError, database_error_response)
    app.register_error_handler(OperationalError, database_error_response)
