"""flask-smorest, set up the registry's way: strict argument parsing, errors that name fields."""

from __future__ import annotations

from typing import Any

import flask_smorest
import marshmallow as ma
from flask import request
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from api.errors import HTTP_TITLES, flatten, summarise


class StrictParser(FlaskParser):
    """Refuse unknown query parameters and body fields: a misspelt filter must not match everything."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {
        "json": ma.RAISE, "query": ma.RAISE, "querystring": ma.RAISE,
        "form": ma.RAISE, "json_or_form": ma.RAISE, "headers": ma.EXCLUDE,
        "cookies": ma.EXCLUDE, "files": ma.RAISE,
    }


IF_MATCH = {
    "in": "header", "name": "If-Match", "required": True,
    "schema": {"type": "string", "pattern": '^"v[0-9]+"$'},
    "description": 'the ETag read with the record, e.g. "v3": the change applies to that version only',
}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def versioned(self, func: Any) -> Any:
        """Document a change that needs If-Match (`api.lifecycle.expected_version`): the header,
        428 when it is missing and 412 when the record has moved on."""
        func = self.alt_response(412, response="DEFAULT_ERROR",
                                 description="the record changed since that ETag: read it again")(func)
        func = self.alt_response(428, response="DEFAULT_ERROR", description="If-Match is missing")(func)
        # After alt_response, which copies the view's _apidoc: the parameter must survive it.
        return self.doc(parameters=[IF_MATCH])(func)

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, with one schema instance per view: given a class, webargs makes a
        new instance on every request, and marshmallow deep-copies every field to make it."""
        if isinstance(schema, type) and issubclass(schema, ma.Schema):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


class Api(flask_smorest.Api):
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
            flat = flatten(errors)
            payload["errors"] = flat
            payload["message"] = "invalid input: " + summarise(flat)
        elif "message" not in payload:
            payload["message"] = error.description or HTTP_TITLES.get(code, "")
        return payload, code, headers
