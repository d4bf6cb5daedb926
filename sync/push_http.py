"""A claimed batch on the wire: its body in the national format, signed and keyed by the protocol
(`sync.protocol`), posted with retries for what may pass (tenacity), and the records a receiver names
in a refusal.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from registry.ledger.check import chain_head
from registry.models import ChangeEvent
from sync.alert_stream import alert_records, sent_events
from sync.feed import DataSource
from sync.locks import Clock, Lease
from sync.national import to_chinese
from sync.outbox_rendering import OUTBOX_COLUMNS, OutboxRow, render_rows
from sync.protocol import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from sync.push_batches import ERROR_TEXT, Batch, Rejected, TransientFailure
from sync.targets import Target


def batch_body(
    engine: sa.Engine, target: Target, batch: Batch, *, include_not_public: bool, operator: DataSource, clock: Clock
) -> tuple[bytes, int]:
    with Session(engine) as session:
        # Plain columns, and only the platform's events: internal ones (half of a busy outbox are
        # entity creations) would be read and decoded for nothing.
        query = sa.select(*OUTBOX_COLUMNS).where(
            ChangeEvent.seq.between(batch.first, batch.last),
            sent_events(target),
        )
        if batch.excluded:
            query = query.where(ChangeEvent.seq.not_in(batch.excluded))
        rows = [OutboxRow(*row) for row in session.execute(query.order_by(ChangeEvent.seq))]
        if target.stream == "alerts":
            records = alert_records(session, {row.seq: row.record_id for row in rows})
        else:
            records = render_rows(session, rows, include_not_public=include_not_public, operator=operator)
        # 全程留痕 outside the registry: the platform keeps every head it is sent, so a truncated
        # or rewritten audit chain shows (flask registry verify-audit --against).
        head = chain_head(session).as_json()
    if target.format == "json-zh":
        records = [to_chinese(record) for record in records]
    document = {
        "target": target.name,
        "first_seq": batch.first,
        "last_seq": batch.last,
        "format": target.format,
        "sent_at": clock().isoformat(),
        "chain_head": head,
        "records": records,
    }
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return body, len(records)


def send_batch(
    http: httpx.Client,
    target: Target,
    lease: Lease,
    batch: Batch,
    body: bytes,
    *,
    clock: Clock,
    sleep: Callable[[float], None],
) -> None:
    retrying = Retrying(
        stop=stop_after_attempt(target.attempts),
        wait=wait_random_exponential(multiplier=target.backoff_initial_seconds, max=target.backoff_max_seconds),
        retry=retry_if_exception_type(TransientFailure),
        sleep=sleep,
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            lease.renew()
            _post_once(http, target, batch, body, clock)


def _post_once(http: httpx.Client, target: Target, batch: Batch, body: bytes, clock: Clock) -> None:
    timestamp = str(int(clock().timestamp()))
    headers = {
        "Content-Type": "application/json",
        IDEMPOTENCY_HEADER: batch.key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(target.secret, timestamp, body),
    }
    try:
        answer = http.post(target.url, content=body, headers=headers)
    except httpx.TransportError as exc:  # refused, reset, dropped, timed out
        raise TransientFailure(f"{type(exc).__name__}: {exc}") from exc
    if answer.is_success:
        return
    text = answer.text[:ERROR_TEXT]
    if answer.status_code >= 500 or answer.status_code in (408, 429):
        raise TransientFailure(f"HTTP {answer.status_code}: {text}")
    raise Rejected(answer.status_code, text, _named_records(answer))


def _named_records(answer: httpx.Response) -> dict[int, str]:
    try:
        rejected = answer.json().get("rejected")
    except (ValueError, AttributeError):
        return {}
    named: dict[int, str] = {}
    if isinstance(rejected, list):
        for item in rejected:
            if isinstance(item, dict) and isinstance(item.get("seq"), int):
                named[item["seq"]] = str(item.get("reason") or "")[:ERROR_TEXT]
    return named
