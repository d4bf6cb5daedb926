"""Every error leaves the API in one shape: {code, status, message, errors, message_en, errors_en}.

`errors` maps each offending field to its reasons; `message` repeats them in one line
so a person reading a log or a CLI sees the field and the reason without parsing JSON.
`message` and `errors` are in the language the request prefers (`Accept-Language`: Chinese
unless it asks for English before Chinese), `message_en` and `errors_en` always in English for
developers; the Chinese comes from the one message catalogue (registry/messages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, has_request_context, jsonify, request
from marshmallow import validate
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from registry.errors import Conflict, RegistryError, StaleVersion
from registry.messages import DEFAULT_LOCALE, LOCALES, Text, msg, render, render_errors

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
    429: "Too Many Requests",
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


# marshmallow's validators put their values into their own templates before the API sees the text
# ("Length must be between 1 and 1000."): read back into the template and its values, each is a message
# of the catalogue (registry/messages/schemas.po) like the library's fixed ones ("Unknown field.").
_RANGE = validate.Range
_FILLED_IN = tuple(
    (template, re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(template))))
    for template in (
        validate.Length.message_min,
        validate.Length.message_max,
        validate.Length.message_all,
        validate.Length.message_equal,
        validate.OneOf.default_message,
        _RANGE.message_all.format(min_op=_RANGE.message_gte, max_op=_RANGE.message_lte),
        _RANGE.message_min.format(min_op=_RANGE.message_gte),
        _RANGE.message_max.format(max_op=_RANGE.message_lte),
    )
)


@dataclass(frozen=True)
class _Verbatim:
    """A value read back from marshmallow's text (a bound, the choices), said as it was written in
    every language: a choice that happens to be a message id ("block") is a code, not that message."""

    text: str

    def render(self, locale: str) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def library_message(text: str) -> Text:
    """A validation message of marshmallow as the catalogue knows it: a filled-in template as the
    template and its values, any other text as it is."""
    for template, pattern in _FILLED_IN:
        found = pattern.fullmatch(text)
        if found is not None:
            return msg(template, **{name: _Verbatim(value) for name, value in found.groupdict().items()})
    return text


def validation_errors(errors: Any) -> dict[str, list[Text]]:
    """webargs' errors by path (`flatten`), each reason a catalogue message."""
    return {path: [library_message(reason) for reason in reasons] for path, reasons in flatten(errors).items()}


def preferred_locale() -> str:
    """The language the request prefers of those the catalogue has (Chinese when it names neither)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE) or DEFAULT_LOCALE


def error_body(status: int, message: Text, errors: Mapping[str, Sequence[Text]] | None = None) -> dict[str, Any]:
    """The error shape, rendered in the request's language and in English."""
    locale = preferred_locale()
    body: dict[str, Any] = {
        "code": status,
        "status": HTTP_TITLES.get(status, "Error"),
        "message": render(message, locale),
    }
    if errors:
        body["errors"] = render_errors(errors, locale)
    body["message_en"] = render(message, "en")
    if errors:
        body["errors_en"] = render_errors(errors, "en")
    return body


def error_response(
    status: int,
    message: Text,
    errors: Mapping[str, Sequence[Text]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = jsonify(error_body(status, message, errors))
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
    return error_response(exc.status, exc.text, exc.reasons or None, headers=headers)


def init_app(app: Flask) -> None:
    app.register_error_handler(RegistryError, registry_error_response)
    app.register_error_handler(StaleDataError, database_error_response)
    app.register_error_handler(IntegrityError, database_error_response)
    app.register_error_handler(OperationalError, database_error_response)
