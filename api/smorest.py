"""flask-smorest, set up the registry's way: strict argument parsing, errors that name fields."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import flask_smorest
import flask_smorest.error_handler
import marshmallow as ma
from flask import request
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from api.errors import HTTP_TITLES, error_body, validation_errors
from registry.messages import summary


class StrictParser(FlaskParser):
    """Refuse unknown query parameters and body fields: a misspelt filter must not match everything."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {
        "json": ma.RAISE,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
        "form": ma.RAISE,
        "json_or_form": ma.RAISE,
        "headers": ma.EXCLUDE,
        "cookies": ma.EXCLUDE,
        "files": ma.RAISE,
    }


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string", "pattern": '^"v[0-9]+"$'},
    "description": 'the ETag read with the record, e.g. "v3": the change applies to that version only',
}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def versioned(self, func: Any) -> Any:
        """Document a change that needs If-Match (`api.lifecycle.expected_version`): the header,
        428 when it is missing and 412 when the record has moved on."""
        func = self.alt_response(
            412, response="PRECONDITION_FAILED", description="the record changed since that ETag: read it again"
        )(func)
        func = self.alt_response(428, response="PRECONDITION_REQUIRED", description="If-Match is missing")(func)
        # After alt_response, which copies the view's _apidoc: the parameter must survive it.
        return self.doc(parameters=[IF_MATCH])(func)

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, with one schema instance per view: given a class, webargs makes a
        new instance on every request, and marshmallow deep-copies every field to make it."""
        if isinstance(schema, type) and issubclass(schema, ma.Schema):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


# What any API operation can answer besides its own responses, and why (docs/reliability.md):
# a malformed path or query (api/hostile.py), a bad or expired key, a role or authority that may
# not (谁批准、谁公开), invalid input (a NUL in a header is one, for every operation), the database
# unreachable (with Retry-After).
ANY_OPERATION = (400, 401, 403, 422, 503)
WITH_PATH_ID = (404,)
WITH_BODY = (409, 413, 415)


class ErrorSchema(flask_smorest.error_handler.ErrorSchema):
    """The error shape (api/errors.py): `message` and `errors` in the language the request prefers,
    `message_en` and `errors_en` in English."""

    message_en = ma.fields.String(metadata={"description": "The message in English"})
    errors_en = ma.fields.Dict(metadata={"description": "The field errors in English"})


class Api(flask_smorest.Api):
    # No catch-all "default" error: each operation lists the statuses it can answer
    # (`document_errors`), so a client, and the fuzzer, can hold it to them.
    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = ErrorSchema

    def document_errors(self) -> None:
        """Give every registered operation its error statuses (call after registering blueprints)."""
        for path, operations in self.spec._paths.items():
            for method, operation in operations.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                codes = list(ANY_OPERATION)
                if "{" in path:
                    codes += WITH_PATH_ID
                if method != "get":
                    codes += WITH_BODY
                responses = operation.setdefault("responses", {})
                for code in sorted(codes):
                    responses.setdefault(str(code), self.spec.components.get_ref("response", HTTPStatus(code).name))

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Render HTTP errors (webargs validation included) as {code, status, message, errors};
        a page (any path outside /api/) gets an HTML error page instead."""
        if not request.path.startswith("/api/"):
            from api.pages import error_page

            return error_page(error)
        payload, code, headers = super().handle_http_exception(error)
        # flask-smorest drops the exception's own headers: a 405 must still say Allow (RFC 9110).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                headers.setdefault(name, value)
        errors = payload.get("errors")
        if errors:
            flat = validation_errors(errors)
            payload.update(error_body(code, summary(flat), flat))
        else:
            payload.update(error_body(code, payload.get("message") or error.description or HTTP_TITLES.get(code, "")))
        return payload, code, headers
