"""The receiver's HTTP application: the push endpoint (signature, timestamp, idempotency, the batch, its
evidence anchors), the anchors kept and the consistency check between two of them, the fault
control endpoint and the page at `/` listing what arrived.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Flask, Response, request

from sync.protocol import (
    IDEMPOTENCY_HEADER,
    KEY_PATTERN,
    SIGNATURE_HEADER,
    SIGNATURE_PATTERN,
    TIMESTAMP_HEADER,
    signature_matches,
)
from tools.receiver.anchors import CheckRefused, anchors_of, pinned_key
from tools.receiver.batches import (
    BadBatch,
    Batch,
    check_heartbeat,
    error_answer,
    json_answer,
    parse_batch,
)
from tools.receiver.faults import (
    DROP,
    Clock,
    Faults,
    InvalidSetting,
    client_socket,
    drop_connection,
)
from tools.receiver.store import RECENT_RECORDS, Store

MAX_BODY_BYTES = 64 * 1024 * 1024  # 5,000 records of a few kB each fit with room to spare


class ReceiverApp(Flask):
    """Flask, plus dropping a connection when a view asked for it.

    The drop happens here, outside Flask's request handling, because Flask would turn an
    exception raised in a view into a 500 answer, and the point is that no answer goes out.
    """

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = super().wsgi_app(environ, start_response)
        if not environ.get(DROP):
            return answer
        # start_response has been called, but both servers send nothing before the first write.
        close = getattr(answer, "close", None)
        if close is not None:
            close()
        drop_connection(environ)


def create_receiver(
    db_path: str,
    secrets: Mapping[str, str],
    *,
    max_skew_seconds: int = 300,
    clock: Clock = time.time,
    control: bool = False,
    anchor_key: str | None = None,
) -> Flask:
    """The reference receiver as a WSGI app, storing into the SQLite file at `db_path`.

    `secrets` maps each target's name to its HMAC secret. `/_control` (fault injection) exists
    only with `control=True`. `anchor_key` (hex) pins the registry's evidence signing key: an
    anchor signed by any other key is refused (ValueError here if it is not a key).
    """
    pinned = None if anchor_key is None else pinned_key(anchor_key)
    app = ReceiverApp(__name__)
    # A fault in the receiver itself must surface in the test that hit it, not as a bare 500.
    app.config.update(PROPAGATE_EXCEPTIONS=True, MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    store = Store(db_path, clock)
    faults = Faults()
    secrets = dict(secrets)

    @app.before_request
    def down() -> Response | None:
        if faults.settings.down and request.endpoint != "control":
            return error_answer(503, "the receiver is down (fault injection: down)")
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
            return error_answer(settings.fail_status, f"injected failure (fail_rate), status {settings.fail_status}")
        if draw.drop:
            client_socket(request.environ)  # unsupported servers fail here, before anything else
            # A dropped request leaves no access-log line, so a person watching is told here.
            app.logger.warning("dropping the connection before applying (fault injection: drop_rate)")
            request.environ[DROP] = True
            return error_answer(500, "dropped")  # never sent: ReceiverApp closes the connection
        checked = _check_request(body, path_target, secrets, max_skew_seconds, clock)
        if isinstance(checked, Response):
            return checked
        key, batch = checked
        if batch.first_seq == 0 and batch.chain_head is not None:  # a heartbeat: keep the head
            store.keep_head(batch.target, batch.chain_head)
            return json_answer(200, {"heartbeat": True, "chain_head_seq": batch.chain_head[0]})
        if draw.drop_after_apply:
            client_socket(request.environ)  # unsupported servers fail before the batch is applied
        refused = set(settings.reject_seqs)
        rejected = [seq for seq in batch.seqs if seq in refused]
        answer, bad_anchors = store.apply(key, batch, rejected, anchors_of(batch, pinned))
        for anchor in bad_anchors:
            app.logger.error("REFUSED evidence anchor (%s seq %d): %s", batch.target, anchor.seq, anchor.problem)
        if answer.applied and draw.drop_after_apply:
            app.logger.warning("applied %s, dropping the connection (fault injection: drop_after_apply_rate)", key)
            request.environ[DROP] = True
        return json_answer(answer.status, answer.body)

    @app.get("/_heads")
    def heads() -> Response:
        """The registry's audit chain heads received (`?target=T`): save them as a file for
        `flask registry verify-audit --against FILE`."""
        return json_answer(200, store.heads(request.args.get("target")))

    @app.get("/_anchors")
    def anchors() -> Response:
        """The evidence anchors kept (`?target=T`), those refused, the consistency checks made, and
        every problem among them."""
        return json_answer(200, store.anchors(request.args.get("target")))

    @app.post("/_anchors/consistency")
    def consistency() -> Response:
        """Check an RFC 9162 consistency proof ({"from", "to", "proof", "target"?}) against the roots
        this receiver kept for the two tree sizes."""
        asked = request.get_json(silent=True)
        if not isinstance(asked, dict):
            return error_answer(400, 'body: must be a JSON object {"from", "to", "proof"}', "body")
        try:
            found = store.check_consistency(asked)
        except CheckRefused as exc:
            return error_answer(exc.status, str(exc), exc.field)
        if not found.consistent:
            app.logger.error("%s", found.problem)
        return json_answer(200, found.as_json())

    @app.get("/_received")
    def received() -> Response:
        """Stored records in arrival order: `?target=T` for one target's."""
        return json_answer(200, store.received(request.args.get("target")))

    @app.get("/")
    def page() -> Response:
        """A plain page to watch batches arrive."""
        counts, recent = store.summary()
        kept = store.anchors(None)
        text = _render_page(sorted(secrets), counts, recent, len(kept["anchors"]), kept["problems"])
        return Response(text, mimetype="text/html")

    if control:

        @app.route("/_control", methods=["GET", "POST"], endpoint="control")
        def control_faults() -> Response:
            """Read (GET) or change (POST, a JSON object of settings) the injected faults."""
            if request.method == "POST":
                changes = request.get_json(silent=True)
                if not isinstance(changes, dict):
                    return error_answer(400, "body: must be a JSON object of settings", "body")
                try:
                    faults.update(changes)
                except InvalidSetting as exc:
                    return error_answer(400, str(exc), exc.field)
            return json_answer(200, asdict(faults.settings))

    return app


def _check_request(
    body: bytes,
    path_target: str | None,
    secrets: Mapping[str, str],
    max_skew_seconds: int,
    clock: Clock,
) -> Response | tuple[str, Batch]:
    """The key and the batch of a signed, well-formed request, or the answer refusing it."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if not key:
        return error_answer(400, "Idempotency-Key: header missing", "Idempotency-Key")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    if not timestamp.isascii() or not timestamp.isdigit():
        return error_answer(401, "X-Registry-Timestamp: missing, or not whole seconds since 1970")
    skew = abs(clock() - int(timestamp))
    if skew > max_skew_seconds:
        return error_answer(
            401, f"X-Registry-Timestamp: {skew:.0f} s from the receiver's clock (at most {max_skew_seconds} s)"
        )
    signed = SIGNATURE_PATTERN.fullmatch(request.headers.get(SIGNATURE_HEADER, ""))
    if signed is None:
        return error_answer(401, "X-Registry-Signature: missing, or not sha256=<64 hex digits>")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        return error_answer(400, f"body: not JSON ({exc})", "body")
    if not isinstance(document, dict):
        return error_answer(400, "body: must be a JSON object", "body")
    target = document.get("target")
    if not isinstance(target, str) or not target:
        return error_answer(400, "target: must be the target's name", "target")
    secret = secrets.get(target)
    if secret is None:
        return error_answer(404, f"unknown target {target!r}: this receiver has no secret for it")
    # The digest is compared before any other field is trusted.
    if not signature_matches(secret, timestamp, body, request.headers.get(SIGNATURE_HEADER, "")):
        return error_answer(401, f"X-Registry-Signature: does not match the body signed with {target!r}'s secret")
    if document.get("heartbeat") is True:
        return check_heartbeat(document, key, path_target)
    try:
        batch = parse_batch(document, path_target)
    except BadBatch as exc:
        return error_answer(400, str(exc), exc.field)
    named = KEY_PATTERN.fullmatch(key)
    if named is None or (named["target"], int(named["first"]), int(named["last"])) != (
        batch.target,
        batch.first_seq,
        batch.last_seq,
    ):
        return error_answer(
            400,
            f"Idempotency-Key: {key!r} is not {batch.target}:{batch.first_seq}-{batch.last_seq}[~<12 hex digits>]",
            "Idempotency-Key",
        )
    return key, batch


def _render_page(
    targets: list[str],
    counts: dict[str, tuple[int, int]],
    recent: list[tuple[Any, ...]],
    anchors: int,
    problems: list[str],
) -> str:
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
    # Refused anchors and failed consistency checks: shown in red until someone looks into them.
    flagged = "".join(f'<p style="color:#b00"><strong>{e(problem)}</strong></p>\n' for problem in problems)
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="5">'
        "<title>Reference receiver 参考接收端</title></head><body>\n"
        "<h1>Reference receiver 参考接收端</h1>\n"
        '<h2>Targets</h2>\n<table border="1"><tr><th>target</th><th>batches</th><th>records</th></tr>'
        f"{rows}</table>\n"
        f"<h2>Evidence anchors 存证锚点</h2>\n<p>{anchors} kept (<code>GET /_anchors</code>)</p>\n{flagged}"
        f"<h2>Last {RECENT_RECORDS} records, newest first</h2>\n"
        '<table border="1"><tr><th>#</th><th>target</th><th>seq</th><th>batch</th><th>received</th>'
        f"<th>record</th></tr>{records}</table>\n</body></html>\n"
    )
