"""What happens around every API request: who is calling, idempotent replays, and the one commit.

The request is the transaction boundary: services flush, and the commit happens here,
once, after the view; any error response rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from api.errors import database_error_response, registry_error_response
from registry import access
from registry.database import db, write_intent
from registry.errors import InvalidInput, NotAuthenticated, StaleVersion, VersionRequired
from registry.idempotency import keep_answer, stored_answer
from registry.ledger import Actor
from registry.messages import msg
from registry.models import IdempotencyRecord
from registry.runtime import current_runtime

log = logging.getLogger(__name__)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location")


def actor() -> Actor:
    """The caller of this request (anonymous callers are the public)."""
    found: Actor = g.get("actor", access.PUBLIC)
    return found


def today() -> dt.date:
    """Today in China by the registry's clock (fixed in tests)."""
    return current_runtime().clock.today()


def now() -> dt.datetime:
    """The registry clock's current time."""
    return current_runtime().clock.now()


def expected_version() -> int:
    """The version named by If-Match. Updates without it are refused (no blind overwrites)."""
    raw = request.headers.get("If-Match")
    if not raw:
        raise VersionRequired('send If-Match with the ETag you read (e.g. If-Match: "v3")')
    tags = request.if_match
    if tags.star_tag:
        raise VersionRequired('If-Match: * would overwrite blindly; send the ETag you read (e.g. "v3")')
    values = list(tags.as_set())
    if len(values) != 1 or not values[0].startswith("v") or not values[0][1:].isdigit():
        raise StaleVersion(msg('If-Match {value} is not an ETag this API issued (they look like "v3")', value=raw))
    return int(values[0][1:])


def etag_headers(record: object) -> dict[str, str]:
    return {"ETag": f'"v{record.version}"'}  # type: ignore[attr-defined]


F = TypeVar("F", bound=Callable[..., Any])


def reads_first(view: F) -> F:
    """Mark a view that reads at length before it writes a little (a screening): its request
    starts in a reading transaction, and the view calls `begin_writing` before it writes.

    On SQLite a writing request holds the database's one write lock from its first statement
    (BEGIN IMMEDIATE, see registry.database); a screening holding it while it searches and reads
    would make every other worker wait. The commit stays here, in `_after`.
    """
    view._reads_first = True  # type: ignore[attr-defined]
    return view


def begin_writing() -> None:
    """From here a reads-first request writes. On SQLite its reading transaction ends and the next
    statement begins the writing one (BEGIN IMMEDIATE); nothing was written in it (checked), so
    ending it loses nothing.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_writing: the reading transaction has unwritten changes")
    write_intent.set(True)
    # Only SQLite needs a new transaction to take its write lock; on PostgreSQL the reading one
    # (which holds no lock) goes on writing, which saves a ROLLBACK and a BEGIN per screening.
    if session.get_bind().dialect.name == "sqlite":
        session.rollback()


def idempotent() -> bool:
    """Whether this request carries an Idempotency-Key: its answer is kept in the request's own
    transaction, so whatever it writes must be written there too."""
    return g.get("idempotency_key") is not None


def _reads_first_view() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class is not None else view
    return bool(getattr(handler, "_reads_first", False))


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Authorization must be 'Bearer <API key>'")
        return token.strip()
    return request.headers.get("X-API-Key") or None


def _request_fingerprint() -> str:
    body = request.get_data(cache=True)
    return hashlib.sha256(request.method.encode() + b" " + request.full_path.encode() + b"\n" + body).hexdigest()


def _stored(key: str) -> IdempotencyRecord | None:
    return stored_answer(db.session(), actor().key_id, key)


def _key_reused() -> InvalidInput:
    return InvalidInput.field(
        "Idempotency-Key", "was already used for a different request; use a new key for a new request"
    )


def _replay(record: IdempotencyRecord) -> Response:
    if record.request_hash != _request_fingerprint():
        raise _key_reused()
    response = Response(record.response_body, status=record.status_code)
    for name, value in record.response_headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _before() -> Response | None:
    # g lives as long as the app context, which may outlive one request (a CLI or test
    # context around several requests): who is calling is decided afresh every time.
    g.actor = access.PUBLIC
    g.idempotency_key = None
    if request.method in UNSAFE and not _reads_first_view():
        write_intent.set(True)  # SQLite: take the write lock at BEGIN, not half-way through
    if not request.path.startswith("/api/"):
        return None
    secret = _presented_key()
    if secret is not None:
        found = access.authenticate_cached(db.session(), secret, current_runtime().keys)
        if found is None:
            raise NotAuthenticated("the API key is unknown or revoked")
        g.actor = found
    key = request.headers.get("Idempotency-Key")
    if key is not None and request.method == "POST":
        if not 1 <= len(key) <= 200:
            raise InvalidInput.field("Idempotency-Key", "must be 1 to 200 characters")
        if actor().key_id is None:
            raise NotAuthenticated("an Idempotency-Key is kept per API key; send one")
        stored = _stored(key)
        if stored is not None:
            return _replay(stored)
        g.idempotency_key = key
    return None


def start_reading() -> None:
    """Called by a reads-first view just before it searches the name index (a screening).

    On SQLite a transaction reads one snapshot, taken at its first read; the screening must read
    the registry at least as new as the name index, which other threads move on. So whatever was
    read before (the key, the page session) ends here, and the view's next read takes the
    snapshot. PostgreSQL reads each statement afresh: nothing to do there.
    """
    session = db.session()
    if (
        session.in_transaction()
        and not (session.new or session.dirty or session.deleted)
        and session.get_bind().dialect.name == "sqlite"
    ):
        session.rollback()


def _after(response: Response) -> Response:
    # A GET writes only when it began writing (a page noting that its session was seen).
    if request.method not in UNSAFE and not write_intent.get():
        return response
    key = g.get("idempotency_key")
    if response.status_code >= 400:
        _roll_back()
        # A failure caused by a concurrent request with the same key (its unique USCC, its
        # version) is no failure for the client: answer as the retry it is.
        twin = _answer_of_concurrent_twin(key)
        return response if twin is None else twin
    if key is not None:
        keep_answer(
            db.session(),
            api_key_id=actor().key_id,
            key=key,
            method=request.method,
            path=request.full_path,
            request_hash=_request_fingerprint(),
            status_code=response.status_code,
            body=response.get_data(as_text=True),
            headers={h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers},
        )
    try:
        db.session.commit()
    except Exception as exc:  # noqa: BLE001  (any failed commit must roll back and say so)
        _roll_back()
        twin = _answer_of_concurrent_twin(key)
        return database_error_response(exc) if twin is None else twin
    return response


def _answer_of_concurrent_twin(key: str | None) -> Response | None:
    """If a request with this Idempotency-Key committed while this one ran, what a retry gets.

    The twin's stored response when this is the same request; the 422 of a reused key when
    it is not; None when no twin committed (or the lookup itself fails).
    """
    if key is None:
        return None
    try:
        stored = _stored(key)
    except SQLAlchemyError:
        _roll_back()
        return None
    if stored is None:
        return None
    if stored.request_hash != _request_fingerprint():
        return registry_error_response(_key_reused())
    return _replay(stored)


def _roll_back() -> None:
    """Roll the request's transaction back; if its connection is gone, discard the connection.

    A connection the database dropped (a restart, a cut link) cannot even say ROLLBACK: the
    error would turn the request's clean answer (a 503, a 409) into a 500. The server rolls
    back a transaction whose connection died, so nothing is lost by invalidating it instead.
    """
    try:
        db.session.rollback()
    except DBAPIError as exc:
        log.warning("the database connection was lost; discarding it: %s", exc.orig)
        db.session().invalidate()


def _teardown(exc: BaseException | None) -> None:
    write_intent.set(False)
    # Flask-SQLAlchemy removes the session after this, and a read-only request's open
    # transaction is rolled back then: on a dead connection that raised after the answer was
    # made, and a 200 became a 500. Closing it here first, without failing, avoids that.
    try:
        db.session.remove()
    except DBAPIError as exc:
        log.warning("the database connection was lost at the end of a request; discarding it: %s", exc.orig)
        try:
            db.session().invalidate()
        finally:
            db.session.registry.clear()


def init_app(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)
    app.teardown_request(_teardown)
    # Chinese names stay readable in responses (and in the replayed bodies stored above).
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
