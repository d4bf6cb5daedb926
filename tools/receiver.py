"""The reference receiver (参考接收端): a small stand-in for the credit platform's endpoint
(信用中国 / 全国信用信息共享平台) that takes the registry's signed push batches (docs/sync.md).

It does a receiver's duties by the protocol: it verifies the HMAC signature and the timestamp,
remembers each idempotency key with its answer and answers a repeated key again without applying
anything twice, and applies a batch (its `batches` row and all its `records`) in one SQLite
transaction. Integration tests run it as an HTTP server (`python -m tools.receiver`) and inject
faults through `/_control`; a person trying the product can watch batches arrive at `/`.

The `records` table is deliberately not unique on (target, seq): a batch delivered twice under
two keys shows up as two rows, which is what the tests look for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import html
import json
import os
import random
import re
import signal
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import asdict, dataclass, replace
from types import FrameType
from typing import Any, NoReturn, TypeGuard
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Flask, Response, request
from werkzeug.serving import make_server

from sync.protocol import (
    BODY_FIELDS,
    FORMATS,
    HEARTBEAT_FIELDS,
    IDEMPOTENCY_HEADER,
    KEY_PATTERN,
    SEQ_KEYS,
    SIGNATURE_HEADER,
    SIGNATURE_PATTERN,
    TIMESTAMP_HEADER,
    heartbeat_key,
    signature_matches,
)

Clock = Callable[[], float]

MAX_BODY_BYTES = 64 * 1024 * 1024  # 5,000 records of a few kB each fit with room to spare
RECENT_RECORDS = 50  # shown on the page at `/`

# Set on the WSGI environ by a view that wants the connection dropped instead of answered.
_DROP = "tools.receiver.drop"

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    idempotency_key TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    batch_key TEXT NOT NULL REFERENCES batches (idempotency_key),
    record_json TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_target ON records (target, id);
CREATE TABLE IF NOT EXISTS heads (
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (target, seq)
);
"""


class DropUnsupported(RuntimeError):
    """A drop fault was asked for, but the server gives the app no client socket to close."""


class ConnectionDropped(ConnectionAbortedError):
    """Raised to the WSGI server after the receiver closed the client's socket on purpose.

    werkzeug's server treats any ConnectionError as a client gone and writes nothing; gunicorn
    logs ENOTCONN at debug level only. Either way no response is written to the closed socket.
    """


@dataclass(frozen=True)
class FaultSettings:
    """Faults injected into `/receive`, for tests; every one is off by default."""

    fail_rate: float = 0.0  # fraction of requests answered `fail_status` without applying
    fail_status: int = 503
    delay_seconds: float = 0.0  # slept before each request is handled
    drop_rate: float = 0.0  # fraction of requests whose connection is closed before applying
    drop_after_apply_rate: float = 0.0  # fraction of newly applied batches whose answer is lost
    reject_seqs: tuple[int, ...] = ()  # a batch holding any of these is answered 422
    down: bool = False  # 503 to everything but /_control
    seed: int | None = None  # seeds the draws so a test's faults repeat


@dataclass(frozen=True)
class Draw:
    """What the faults hold for one request."""

    fail: bool
    drop: bool
    drop_after_apply: bool


class InvalidSetting(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _is_int(value: object) -> TypeGuard[int]:
    # bool is an int to Python, but `true` is not a sequence number
    return isinstance(value, int) and not isinstance(value, bool)


def _rate(field: str, value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise InvalidSetting(field, "must be a number from 0 to 1")
    return float(value)


def _checked_setting(field: str, value: object) -> object:
    if field in ("fail_rate", "drop_rate", "drop_after_apply_rate"):
        return _rate(field, value)
    if field == "fail_status":
        if not _is_int(value) or not 400 <= value <= 599:
            raise InvalidSetting(field, "must be an HTTP status from 400 to 599")
        return value
    if field == "delay_seconds":
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise InvalidSetting(field, "must be a number of seconds, 0 or more")
        return float(value)
    if field == "reject_seqs":
        if not isinstance(value, list) or not all(_is_int(seq) for seq in value):
            raise InvalidSetting(field, "must be a list of sequence numbers")
        return tuple(sorted(set(value)))
    if field == "down":
        if not isinstance(value, bool):
            raise InvalidSetting(field, "must be true or false")
        return value
    if field == "seed":
        if value is not None and not _is_int(value):
            raise InvalidSetting(field, "must be an integer or null")
        return value
    raise InvalidSetting(field, "is not a setting; known: " + ", ".join(FaultSettings.__dataclass_fields__))


class Faults:
    """The current fault settings and the seeded draws, shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.settings = FaultSettings()
        self._random = self._new_random(None)

    @staticmethod
    def _new_random(seed: int | None) -> random.Random:
        # Fault injection needs repeatable draws, not unpredictable ones: not a security use.
        return random.Random(seed)  # noqa: S311

    def update(self, changes: Mapping[str, object]) -> FaultSettings:
        """Apply the named settings (all checked first, so a bad one changes nothing).

        `reset: true` first restores every default. Naming `seed` (even to the same value)
        restarts the draws, so the same seed gives the same faults again.
        """
        changes = dict(changes)
        reset = changes.pop("reset", False)
        if not isinstance(reset, bool):
            raise InvalidSetting("reset", "must be true or false")
        checked = {field: _checked_setting(field, value) for field, value in changes.items()}
        with self._lock:
            base = FaultSettings() if reset else self.settings
            # Each value was checked against its field above; mypy cannot follow that per key.
            self.settings = replace(base, **checked)  # type: ignore[arg-type]
            if reset or "seed" in checked:
                self._random = self._new_random(self.settings.seed)
            return self.settings

    def draw(self) -> tuple[FaultSettings, Draw]:
        """The settings now and one request's outcome.

        Three numbers are drawn for every request whatever the rates, so with a given seed the
        n-th request meets the same fate however the rates are combined.
        """
        with self._lock:
            settings = self.settings
            fail, drop, after = (self._random.random() for _ in range(3))
        return settings, Draw(
            fail=fail < settings.fail_rate,
            drop=drop < settings.drop_rate,
            drop_after_apply=after < settings.drop_after_apply_rate,
        )


@dataclass(frozen=True)
class Batch:
    target: str
    first_seq: int
    last_seq: int
    records: list[dict[str, Any]]
    seqs: list[int]  # each record's sequence, whichever key its format keeps it under
    chain_head: tuple[int, str] | None = None  # the registry's audit chain head (seq, hash), kept


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    applied: bool = False  # true only for the request that stored the batch


class BadBatch(ValueError):
    """A malformed request: answered 400 with the field's name (never in the `rejected` shape,
    which names records the platform refused)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def parse_batch(document: object, path_target: str | None = None) -> Batch:
    """Check a batch body's fields (docs/sync.md, "Request"); raises BadBatch naming the field."""
    if not isinstance(document, dict):
        raise BadBatch("body", "must be a JSON object")
    unknown = sorted(set(document) - set(BODY_FIELDS))
    if unknown:
        raise BadBatch(unknown[0], "is not a field of a batch; known: " + ", ".join(BODY_FIELDS))
    target = document.get("target")
    if not isinstance(target, str) or not target:
        raise BadBatch("target", "must be the target's name")
    if path_target is not None and path_target != target:
        raise BadBatch("target", f"is {target!r} but the URL names {path_target!r}")
    first, last = document.get("first_seq"), document.get("last_seq")
    if not _is_int(first) or first < 1:
        raise BadBatch("first_seq", "must be a sequence number (an integer from 1)")
    if not _is_int(last) or last < first:
        raise BadBatch("last_seq", "must be an integer no less than first_seq")
    format_ = document.get("format")
    if format_ not in SEQ_KEYS:
        raise BadBatch("format", "must be one of " + ", ".join(FORMATS))
    seq_key = SEQ_KEYS[format_]
    if "sent_at" in document and not isinstance(document["sent_at"], str):
        raise BadBatch("sent_at", "must be a date-time string")
    records = document.get("records")
    if not isinstance(records, list):
        raise BadBatch("records", "must be a list (empty when the range holds no platform record)")
    previous, seqs = first - 1, []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise BadBatch(f"records[{index}]", "must be a JSON object")
        seq, field = record.get(seq_key), f"records[{index}].{seq_key}"
        if not _is_int(seq):
            raise BadBatch(field, "must be the record's sequence number")
        if not first <= seq <= last:
            raise BadBatch(field, f"{seq} is outside {first}-{last}")
        if seq <= previous:
            raise BadBatch(field, f"{seq} does not follow {previous}: not increasing")
        seqs.append(seq)
        previous = seq
    head = document.get("chain_head")
    if head is not None and not (isinstance(head, dict) and _is_int(head.get("seq")) and head["seq"] >= 0
                                 and isinstance(head.get("hash"), str)
                                 and re.fullmatch(r"[0-9a-f]{64}", head["hash"])):
        raise BadBatch("chain_head", "must be {seq, hash}: the audit chain's newest row and its SHA-256 hash")
    return Batch(target, first, last, records, seqs, (head["seq"], head["hash"]) if head else None)




def _check_heartbeat(document: dict[str, Any], key: str, path_target: str | None) -> Response | tuple[str, Batch]:
    """A heartbeat: the registry's audit chain head alone, sent while there is nothing to push; its
    key is `{target}:head-{seq}`. It is kept like a batch's head and applies no record."""
    unknown = sorted(set(document) - set(HEARTBEAT_FIELDS))
    if unknown:
        return _error(400, f"{unknown[0]}: is not a field of a heartbeat", unknown[0])
    target = str(document["target"])
    if path_target is not None and path_target != target:
        return _error(400, f"target: is {target!r} but the URL names {path_target!r}", "target")
    head = document.get("chain_head")
    if not (isinstance(head, dict) and _is_int(head.get("seq")) and head["seq"] >= 0
            and isinstance(head.get("hash"), str) and re.fullmatch(r"[0-9a-f]{64}", head["hash"])):
        return _error(400, "chain_head: must be {seq, hash}", "chain_head")
    if key != heartbeat_key(target, head["seq"]):
        return _error(400, f"Idempotency-Key: {key!r} is not {target}:head-{head['seq']}", "Idempotency-Key")
    return key, Batch(target, 0, 0, [], [], (head["seq"], head["hash"]))


def _now_text(clock: Clock) -> str:
    return dt.datetime.fromtimestamp(clock(), dt.UTC).isoformat(timespec="milliseconds")


class Store:
    """The receiver's SQLite file: one connection per use, so the server's threads share nothing."""

    def __init__(self, path: str, clock: Clock) -> None:
        self.path, self.clock = path, clock
        with closing(self.connect()) as conn:
            # WAL lets /_received and the page read while a batch is being written.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    def connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are begun explicitly, so their bounds are plain to see.
        return sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)

    def apply(self, key: str, batch: Batch, rejected: Sequence[int]) -> Answer:
        """Store a batch once: a key seen before gets its stored answer; otherwise, unless some
        record is to be rejected, the batch row and every record are written in one transaction."""
        with closing(self.connect()) as conn:
            # IMMEDIATE takes the write lock before the key is looked up, so two deliveries of
            # one key at the same moment cannot both find it new.
            conn.execute("BEGIN IMMEDIATE")
            try:
                answer = self._apply(conn, key, batch, rejected)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT" if answer.applied else "ROLLBACK")
            return answer

    def _apply(self, conn: sqlite3.Connection, key: str, batch: Batch, rejected: Sequence[int]) -> Answer:
        seen = conn.execute(
            "SELECT status_code, response_body FROM batches"
            " WHERE idempotency_key = ?", (key,),
        ).fetchone()
        if seen is not None:
            # The key names the batch's target and range (checked before), so it is this batch.
            status, body = seen
            return Answer(status, {**json.loads(body), "duplicate": True})
        if rejected:
            reason = "rejected by the reference receiver's fault injection (reject_seqs)"
            return Answer(422, {"rejected": [{"seq": seq, "reason": reason} for seq in rejected]})
        answer = Answer(200, {"accepted": len(batch.records), "idempotency_key": key}, applied=True)
        now = _now_text(self.clock)
        conn.execute(
            "INSERT INTO batches (idempotency_key, target, first_seq, last_seq, status_code,"
            " response_body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, batch.target, batch.first_seq, batch.last_seq, answer.status,
             json.dumps(answer.body, ensure_ascii=False), now),
        )
        if batch.chain_head is not None:
            conn.execute("INSERT OR IGNORE INTO heads (target, seq, hash, received_at) VALUES (?, ?, ?, ?)",
                         (batch.target, *batch.chain_head, now))
        conn.executemany(
            "INSERT INTO records (target, seq, batch_key, record_json, received_at) VALUES (?, ?, ?, ?, ?)",
            [(batch.target, seq, key, json.dumps(record, ensure_ascii=False), now)
             for seq, record in zip(batch.seqs, batch.records, strict=True)],
        )
        return answer

    def keep_head(self, target: str, head: tuple[int, str]) -> None:
        """Keep a chain head sent alone (a heartbeat); the same head twice is kept once."""
        with closing(self.connect()) as conn:
            conn.execute("INSERT OR IGNORE INTO heads (target, seq, hash, received_at) VALUES (?, ?, ?, ?)",
                         (target, *head, _now_text(self.clock)))
            conn.commit()

    def heads(self, target: str | None) -> list[dict[str, Any]]:
        """The audit chain heads received, oldest first: the file `verify-audit --against` reads."""
        query = "SELECT target, seq, hash, received_at FROM heads"
        params: tuple[str, ...] = ()
        if target is not None:
            query, params = query + " WHERE target = ?", (target,)
        with closing(self.connect()) as conn:
            rows = conn.execute(query + " ORDER BY seq", params).fetchall()
        return [{"target": t, "seq": seq, "hash": h, "received_at": at} for t, seq, h, at in rows]

    def received(self, target: str | None) -> list[dict[str, Any]]:
        """Stored records in arrival order, of one target or of all."""
        query = "SELECT target, seq, batch_key, record_json, received_at FROM records"
        params: tuple[str, ...] = ()
        if target is not None:
            query += " WHERE target = ?"
            params = (target,)
        with closing(self.connect()) as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [{"target": t, "seq": seq, "batch_key": key, "record": json.loads(record), "received_at": at}
                for t, seq, key, record, at in rows]

    def summary(self) -> tuple[dict[str, tuple[int, int]], list[tuple[Any, ...]]]:
        """Batches and records per target, and the latest records (newest first)."""
        with closing(self.connect()) as conn:
            batches = dict(conn.execute("SELECT target, count(*) FROM batches GROUP BY target").fetchall())
            records = dict(conn.execute("SELECT target, count(*) FROM records GROUP BY target").fetchall())
            recent = conn.execute(
                "SELECT id, target, seq, batch_key, received_at, record_json FROM records"
                " ORDER BY id DESC LIMIT ?", (RECENT_RECORDS,),
            ).fetchall()
        counts = {t: (batches.get(t, 0), records.get(t, 0)) for t in sorted(set(batches) | set(records))}
        return counts, recent


def _json(status: int, body: object) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def _error(status: int, message: str, field: str | None = None) -> Response:
    return _json(status, {"error": message} if field is None else {"error": message, "field": field})


def client_socket(environ: WSGIEnvironment) -> socket.socket:
    """The client's socket, as werkzeug's server (`werkzeug.socket`) or gunicorn
    (`gunicorn.socket`) hands it to the app; DropUnsupported under any other server."""
    found = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    if not isinstance(found, socket.socket):
        raise DropUnsupported(
            "cannot drop the connection: the WSGI server gives no client socket (werkzeug.socket "
            "or gunicorn.socket); run the receiver with `python -m tools.receiver` or gunicorn "
            "to use drop_rate or drop_after_apply_rate"
        )
    return found


def _drop_connection(environ: WSGIEnvironment) -> NoReturn:
    sock = client_socket(environ)
    with suppress(OSError):  # the client is gone already: dropped all the same
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    # ENOTCONN: gunicorn ignores it quietly, and as a ConnectionError werkzeug writes nothing.
    raise ConnectionDropped(errno.ENOTCONN, "connection dropped by the receiver's fault injection")


class ReceiverApp(Flask):
    """Flask, plus dropping a connection when a view asked for it.

    The drop happens here, outside Flask's request handling, because Flask would turn an
    exception raised in a view into a 500 answer, and the point is that no answer goes out.
    """

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = super().wsgi_app(environ, start_response)
        if not environ.get(_DROP):
            return answer
        # start_response has been called, but both servers send nothing before the first write.
        close = getattr(answer, "close", None)
        if close is not None:
            close()
        _drop_connection(environ)


def create_receiver(
    db_path: str, secrets: Mapping[str, str], *, max_skew_seconds: int = 300,
    clock: Clock = time.time, control: bool = False,
) -> Flask:
    """The reference receiver as a WSGI app, storing into the SQLite file at `db_path`.

    `secrets` maps each target's name to its HMAC secret. `/_control` (fault injection) exists
    only with `control=True`.
    """
    app = ReceiverApp(__name__)
    # A fault in the receiver itself must surface in the test that hit it, not as a bare 500.
    app.config.update(PROPAGATE_EXCEPTIONS=True, MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    store = Store(db_path, clock)
    faults = Faults()
    secrets = dict(secrets)

    @app.before_request
    def down() -> Response | None:
        if faults.settings.down and request.endpoint != "control":
            return _error(503, "the receiver is down (fault injection: down)")
        return None

    @app.post("/receive", defaults={"path_target": None})
    @app.post("/receive/<path_target>")
    def receive(path_target: str | None) -> Response:
        """Take one signed batch: apply it once, answer a repeated key with its stored answer."""
        settings, draw = faults.draw()
        if settings.delay_seconds:
            # The batch is still handled after the delay, as by a slow real endpoint: a client
            # that timed out meanwhile must resend under the same key.
            time.sleep(settings.delay_seconds)
        body = request.get_data(cache=False)  # read all before a drop, so the close is a clean FIN
        if draw.fail:
            return _error(settings.fail_status, f"injected failure (fail_rate), status {settings.fail_status}")
        if draw.drop:
            client_socket(request.environ)  # unsupported servers fail here, before anything else
            # A dropped request leaves no access-log line, so a person watching is told here.
            app.logger.warning("dropping the connection before applying (fault injection: drop_rate)")
            request.environ[_DROP] = True
            return _error(500, "dropped")  # never sent: ReceiverApp closes the connection
        checked = _check_request(body, path_target, secrets, max_skew_seconds, clock)
        if isinstance(checked, Response):
            return checked
        key, batch = checked
        if batch.first_seq == 0 and batch.chain_head is not None:  # a heartbeat: keep the head
            store.keep_head(batch.target, batch.chain_head)
            return _json(200, {"heartbeat": True, "chain_head_seq": batch.chain_head[0]})
        if draw.drop_after_apply:
            client_socket(request.environ)  # unsupported servers fail before the batch is applied
        refused = set(settings.reject_seqs)
        rejected = [seq for seq in batch.seqs if seq in refused]
        answer = store.apply(key, batch, rejected)
        if answer.applied and draw.drop_after_apply:
            app.logger.warning("applied %s, dropping the connection (fault injection: "
                               "drop_after_apply_rate)", key)
            request.environ[_DROP] = True
        return _json(answer.status, answer.body)

    @app.get("/_heads")
    def heads() -> Response:
        """The registry's audit chain heads received (`?target=T`): save them as a file for
        `flask registry verify-audit --against FILE`."""
        return _json(200, store.heads(request.args.get("target")))

    @app.get("/_received")
    def received() -> Response:
        """Stored records in arrival order: `?target=T` for one target's."""
        return _json(200, store.received(request.args.get("target")))

    @app.get("/")
    def page() -> Response:
        """A plain page to watch batches arrive."""
        counts, recent = store.summary()
        return Response(_render_page(sorted(secrets), counts, recent), mimetype="text/html")

    if control:
        @app.route("/_control", methods=["GET", "POST"], endpoint="control")
        def control_faults() -> Response:
            """Read (GET) or change (POST, a JSON object of settings) the injected faults."""
            if request.method == "POST":
                changes = request.get_json(silent=True)
                if not isinstance(changes, dict):
                    return _error(400, "body: must be a JSON object of settings", "body")
                try:
                    faults.update(changes)
                except InvalidSetting as exc:
                    return _error(400, str(exc), exc.field)
            return _json(200, asdict(faults.settings))

    return app


def _check_request(
    body: bytes, path_target: str | None, secrets: Mapping[str, str], max_skew_seconds: int, clock: Clock,
) -> Response | tuple[str, Batch]:
    """The key and the batch of a signed, well-formed request, or the answer refusing it."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if not key:
        return _error(400, "Idempotency-Key: header missing", "Idempotency-Key")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    if not timestamp.isascii() or not timestamp.isdigit():
        return _error(401, "X-Registry-Timestamp: missing, or not whole seconds since 1970")
    skew = abs(clock() - int(timestamp))
    if skew > max_skew_seconds:
        return _error(401, f"X-Registry-Timestamp: {skew:.0f} s from the receiver's clock "
                           f"(at most {max_skew_seconds} s)")
    signed = SIGNATURE_PATTERN.fullmatch(request.headers.get(SIGNATURE_HEADER, ""))
    if signed is None:
        return _error(401, "X-Registry-Signature: missing, or not sha256=<64 hex digits>")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        return _error(400, f"body: not JSON ({exc})", "body")
    if not isinstance(document, dict):
        return _error(400, "body: must be a JSON object", "body")
    target = document.get("target")
    if not isinstance(target, str) or not target:
        return _error(400, "target: must be the target's name", "target")
    secret = secrets.get(target)
    if secret is None:
        return _error(404, f"unknown target {target!r}: this receiver has no secret for it")
    # The digest is compared before any other field is trusted.
    if not signature_matches(secret, timestamp, body, request.headers.get(SIGNATURE_HEADER, "")):
        return _error(401, f"X-Registry-Signature: does not match the body signed with {target!r}'s secret")
    if document.get("heartbeat") is True:
        return _check_heartbeat(document, key, path_target)
    try:
        batch = parse_batch(document, path_target)
    except BadBatch as exc:
        return _error(400, str(exc), exc.field)
    named = KEY_PATTERN.fullmatch(key)
    if named is None or (named["target"], int(named["first"]), int(named["last"])) != (
        batch.target, batch.first_seq, batch.last_seq
    ):
        return _error(400, f"Idempotency-Key: {key!r} is not {batch.target}:{batch.first_seq}-"
                           f"{batch.last_seq}[~<12 hex digits>]", "Idempotency-Key")
    return key, batch


def _render_page(targets: list[str], counts: dict[str, tuple[int, int]], recent: list[tuple[Any, ...]]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(t)}</td><td>{counts.get(t, (0, 0))[0]}</td><td>{counts.get(t, (0, 0))[1]}</td></tr>"
        for t in sorted(set(targets) | set(counts))
    )
    records = "".join(
        f"<tr><td>{row_id}</td><td>{e(target)}</td><td>{seq}</td><td>{e(key)}</td><td>{e(at)}</td>"
        f"<td><code>{e(record[:300])}</code></td></tr>"
        for row_id, target, seq, key, at, record in recent
    )
    return (
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"refresh\" content=\"5\">"
        "<title>Reference receiver 参考接收端</title></head><body>\n"
        "<h1>Reference receiver 参考接收端</h1>\n"
        "<h2>Targets</h2>\n<table border=\"1\"><tr><th>target</th><th>batches</th><th>records</th></tr>"
        f"{rows}</table>\n"
        f"<h2>Last {RECENT_RECORDS} records, newest first</h2>\n"
        "<table border=\"1\"><tr><th>#</th><th>target</th><th>seq</th><th>batch</th><th>received</th>"
        f"<th>record</th></tr>{records}</table>\n</body></html>\n"
    )


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise ValueError(f"{option} takes TARGET=VALUE, got {text!r}")
    return name, value


def _secrets(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    named = [(text, "--secret") for text in args.secret] + [(text, "--secret-env") for text in args.secret_env]
    for text, option in named:
        target, value = _pair(text, option)
        if option == "--secret-env":
            if not environ.get(value):
                raise ValueError(f"--secret-env {text}: environment variable {value} is not set")
            value = environ[value]
        if target in found:
            raise ValueError(f"target {target!r} is given a secret twice")
        found[target] = value
    if not found:
        raise ValueError("give each target's secret with --secret TARGET=SECRET or --secret-env TARGET=ENVVAR")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m tools.receiver`: serve the reference receiver until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.receiver", description="The reference receiver for the registry's push (docs/receiver.md).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--db", required=True, help="the SQLite file to store batches in")
    parser.add_argument("--secret", action="append", default=[], metavar="TARGET=SECRET")
    parser.add_argument("--secret-env", action="append", default=[], metavar="TARGET=ENVVAR")
    parser.add_argument("--max-skew", type=int, default=300, help="seconds a timestamp may be off")
    parser.add_argument("--control", action="store_true", help="enable /_control (fault injection)")
    args = parser.parse_args(argv)
    try:
        secrets = _secrets(args, os.environ)
    except ValueError as exc:
        parser.error(str(exc))
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: must be 0 to 65535")
    try:
        app = create_receiver(args.db, secrets, max_skew_seconds=args.max_skew, control=args.control)
        server = make_server(args.host, args.port, app, threaded=True)
    except (OSError, sqlite3.Error) as exc:
        print(f"error: cannot start the receiver: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # serve_forever runs in a thread because server.shutdown() waits for it to return and so
    # cannot be called from a signal handler on the thread that runs it.
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    print(f"listening on http://{args.host}:{server.port}", flush=True)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    serving.join(timeout=10)
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
