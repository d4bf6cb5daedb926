"""Hostile input refused at the door, before a view, a schema or the database sees it.

The schemas (api/schemas) check the fields they declare; this module checks the parts of a request
no schema reads, and the shape of a body before a parser walks it:

- the path and the query string must be UTF-8 (werkzeug would silently replace a bad byte with
  U+FFFD and search for that);
- no NUL character in the path, a query parameter, a header (Idempotency-Key, Authorization …), a
  form field or an uploaded file's name: PostgreSQL cannot store or compare one, so a NUL that
  reached the database was a 500 there (and a different answer on SQLite);
- a body of unknown length (chunked) is held to MAX_CONTENT_LENGTH as a declared one is (werkzeug
  truncated it at the limit silently, and the parser then called it invalid JSON);
- an API operation that reads a JSON body gets JSON (415 otherwise, naming the type sent), one that
  reads an upload gets multipart/form-data; the JSON must be UTF-8, parse, nest at most
  MAX_JSON_DEPTH levels (100,000 nested arrays raised RecursionError: a 500) and hold at most
  MAX_JSON_ITEMS items in any one array or object (a million-element array made marshmallow
  validate, and the error body list, a million items: a minute and many megabytes);
- no lone surrogate in a JSON string or key: the escape "\\ud800" is valid JSON, and Python's json
  module decodes it to a str holding half a surrogate pair, which is no Unicode character and has no
  UTF-8 form, so the database (or the response echoing it) failed with a 500. The decoded document
  is walked once here; the 422 names the JSON path (subjects.0.name) in English and Chinese. The
  other channels cannot carry one: the path and the query string are bytes that must decode as
  strict UTF-8 above (%ED%A0%80, a surrogate's UTF-8-like form, is refused there with a 400),
  headers are latin-1, and werkzeug's form parser keeps a bad percent-escape as literal text and
  turns a bad byte into U+FFFD.

Every refusal names the part of the request at fault: JSON in the API's error shape, an HTML error
page elsewhere. The 413 of a body over the limit names the limit.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnprocessableEntity,
)
from werkzeug.exceptions import UnsupportedMediaType as _UnsupportedMediaType

from api.errors import error_response

MAX_JSON_DEPTH = 32  # the deepest request the API reads is 3 levels (screening subjects)
MAX_JSON_ITEMS = 10_000  # the longest list the API reads is 1,000 screening subjects
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
NUL = "\x00"
_JSON_LOCATIONS = {"json"}
_UPLOAD_LOCATIONS = {"form_and_files", "files", "form"}


class Refused(Exception):
    """A request refused here: status, the part of the request at fault, why."""

    def __init__(self, status: int, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.status = status
        self.field = field
        self.reason = reason


def limit_text(limit: int) -> str:
    """A byte limit as a person reads it: '16 MB (16777216 bytes)'."""
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB ({limit} bytes)"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KB ({limit} bytes)"
    return f"{limit} bytes"


def _too_large_message() -> str:
    limit = request.max_content_length
    length = request.content_length
    if limit is not None and length is not None and length <= limit:
        # The body is within the limit: the form parser's own limits refused it.
        field_limit, parts = request.max_form_memory_size, request.max_form_parts
        return (
            f"a form field is too large or the form has too many parts: the limits are "
            f"{limit_text(field_limit) if field_limit else 'none'} per field and {parts} parts"
        )
    if limit is None:
        return "the request body is too large"
    return f"the request body is too large: the limit is {limit_text(limit)}"


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _page(status: int, description: str) -> Any:
    from api.pages import error_page

    error: HTTPException
    if status == 413:
        error = RequestEntityTooLarge(description)
    elif status == 415:
        error = _UnsupportedMediaType(description)
    elif status == 422:
        error = UnprocessableEntity(description)
    else:
        error = BadRequest(description)
    return error_page(error)


def _refusal(exc: Refused) -> Any:
    if _is_api():
        return error_response(exc.status, f"invalid input: {exc.field}: {exc.reason}", {exc.field: [exc.reason]})
    return _page(exc.status, f"{exc.field}: {exc.reason}")


def too_large(error: RequestEntityTooLarge) -> Any:
    """413 naming the configured limit: the API's error shape, or an error page."""
    message = _too_large_message()
    if _is_api():
        return error_response(413, message, {"body": [message]})
    return _page(413, message)


# ---------------------------------------------------------------------------------------------
# Path, query string, headers


def _utf8(raw: bytes, field: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, field, f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at {exc.start})") from None


def _check_path(environ: dict[str, Any]) -> None:
    # WSGI hands the path over as latin-1 text of the raw (percent-decoded) bytes.
    raw = str(environ.get("PATH_INFO", "")).encode("latin-1", "replace")
    if NUL in _utf8(raw, "path"):
        raise Refused(400, "path", "must not contain NUL characters")


def _check_query(environ: dict[str, Any]) -> None:
    # As the path: latin-1 text of the raw bytes, some of them percent-escaped.
    query = str(environ.get("QUERY_STRING", "")).encode("latin-1", "replace")
    for part in query.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        name_bytes = unquote_to_bytes(raw_name.replace(b"+", b" "))
        label = name_bytes.decode("utf-8", "replace").replace(NUL, "\\u0000") or "query"
        name = _utf8(name_bytes, label)
        value = _utf8(unquote_to_bytes(raw_value.replace(b"+", b" ")), label)
        if NUL in name or NUL in value:
            raise Refused(422, label, "must not contain NUL characters")


def _check_headers() -> None:
    for name, value in request.headers.items():
        if NUL in value:
            raise Refused(422, name, "must not contain NUL characters")


# ---------------------------------------------------------------------------------------------
# Bodies


def _body_locations() -> set[str]:
    """Where the operation reads its arguments (flask-smorest's record of @blp.arguments)."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class is not None else view
    docs = getattr(handler, "_apidoc", {}) or {}
    parameters = (docs.get("arguments") or {}).get("parameters") or []
    return {str(p.get("in")) for p in parameters}


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _hold_unknown_length_body(environ: dict[str, Any]) -> None:
    """Read a body sent without Content-Length (chunked) up to the limit; over it is a 413."""
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return  # werkzeug reads a declared length itself, and no body at all otherwise
    limit = request.max_content_length
    if limit is None:
        return
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    held = 0
    while held <= limit:
        block = stream.read(min(64 * 1024, limit + 1 - held))
        if not block:
            break
        chunks.append(block)
        held += len(block)
    if held > limit:
        raise RequestEntityTooLarge()
    if held:
        # The body is read; werkzeug now reads it back from here (its stream is made on first use).
        environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
        environ["CONTENT_LENGTH"] = str(held)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        request.__dict__.pop("stream", None)


def _media_type_named() -> str:
    return f"got {request.mimetype!r}" if request.mimetype else "no Content-Type was sent"


def _check_json_body() -> None:
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise Refused(
            415,
            "Content-Type",
            f"this operation reads a JSON body: send Content-Type: application/json ({_media_type_named()})",
        )
    text = _utf8(request.get_data(cache=True), "body")
    try:
        document = json.loads(text)
    except RecursionError:
        raise Refused(400, "body", f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:
        raise Refused(400, "body", f"is not valid JSON: {exc}") from None
    _check_shape(document)


def _printable(text: str) -> str:
    """`text` with every surrogate written as its escape (\\ud800): safe to log and to send."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _lone_surrogate(text: str, *, key: bool = False) -> str | None:
    """Why `text` (a value, or a field name when `key`) cannot be stored, if it holds a lone
    surrogate; None for any other str."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        where = exc.start + 1
        code = f"\\u{ord(text[exc.start]):04x}"
        english, chinese = ("the field name ", "字段名") if key else ("", "")
        return (
            f"{english}contains a lone surrogate {code} (character {where}), which is not a Unicode "
            f"character and cannot be stored: send the character itself, or both halves of a surrogate "
            f"pair / {chinese}含有孤立的代理项 {code}（第 {where} 个字符），不是有效的 Unicode 字符，"
            f"无法保存：请直接发送该字符，或发送完整的代理对"
        )
    return None


def _check_shape(document: Any) -> None:
    """Depth and size of a parsed JSON document, and no lone surrogate in any of its strings or
    keys, without recursion (it may be deep)."""
    if isinstance(document, str) and (reason := _lone_surrogate(document)):
        raise Refused(422, "body", reason)
    pending: list[tuple[Any, str, int]] = [(document, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise Refused(400, "body", f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        if len(value) > MAX_JSON_ITEMS:
            what = "items" if isinstance(value, list) else "fields"
            raise Refused(422, path or "body", f"more than {MAX_JSON_ITEMS} {what}; no request needs that many")
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            child_path = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (reason := _lone_surrogate(key, key=True)):
                raise Refused(422, _printable(child_path), reason)
            if isinstance(child, str) and (reason := _lone_surrogate(child)):
                raise Refused(422, child_path, reason)
            if isinstance(child, dict | list):
                pending.append((child, child_path, depth + 1))


def _check_upload() -> None:
    if request.mimetype != "multipart/form-data":
        raise Refused(
            415, "Content-Type", f"this operation reads an upload: send multipart/form-data ({_media_type_named()})"
        )


def _check_form() -> None:
    """NUL in a form field or an uploaded file's name (the pages read forms without a schema)."""
    if request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return
    if request.headers.get("Idempotency-Key"):
        # Keep the raw body before the form parser consumes it: an idempotent replay is matched by
        # a hash of the body (api.lifecycle), which must read the same when the request ends.
        request.get_data(cache=True)
    for name, value in request.form.items(multi=True):
        if NUL in name or NUL in value:
            raise Refused(422, name.replace(NUL, "\\u0000"), "must not contain NUL characters")
    for name, file in request.files.items(multi=True):
        if NUL in name or NUL in (file.filename or ""):
            raise Refused(422, name.replace(NUL, "\\u0000"), "the file name must not contain NUL characters")


def refuse_hostile() -> Any:
    """before_request: refuse what no schema checks (see the module docstring)."""
    environ = request.environ
    try:
        _check_path(environ)
        _check_query(environ)
        _check_headers()
        if request.method not in BODY_METHODS:
            return None
        _hold_unknown_length_body(environ)
        if _is_api() and _has_body():
            locations = _body_locations()
            if locations & _JSON_LOCATIONS:
                _check_json_body()
            elif locations & _UPLOAD_LOCATIONS:
                _check_upload()
        _check_form()
    except Refused as exc:
        return _refusal(exc)
    return None


def init_app(app: Flask) -> None:
    """Register the checks before every other request hook (they must run before a key or an
    Idempotency-Key is looked up in the database), and the 413 that names the limit."""
    app.before_request(refuse_hostile)
    app.register_error_handler(RequestEntityTooLarge, too_large)


__all__ = ["MAX_JSON_DEPTH", "MAX_JSON_ITEMS", "Refused", "init_app", "limit_text", "refuse_hostile", "too_large"]
