"""The scheduled push (定时推送): outbox events after a target's cursor, as signed batches.

One run of a target (docs/sync.md, "The push protocol"):

1. take the target's lock (`sync.locks`); if another runner holds it, stop at once;
2. resend the batch in flight, or take the next events after the cursor, and record the range
   as in flight, committed **before** the POST, so a run killed after sending and before the
   receipt resends exactly the same batch under the same idempotency key;
3. POST it; retry 5xx, timeouts and dropped connections with exponential backoff and jitter;
4. on a 2xx receipt, move the cursor and clear the in-flight range in one transaction (and only
   if the cursor is still where this run found it); on a 4xx naming records, count their
   rejections and dead-letter those at the target's `reject_limit`;
5. repeat until no event is left, or stop at the first error (the next run starts again there).

The cursor never moves without a 2xx receipt, so nothing is lost; a receiver that honours the
idempotency key applies nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from registry.database import utcnow, write_intent
from registry.models import ChangeEvent, SyncDeadLetter, SyncState
from sync.feed import DataSource
from sync.locks import Clock, Lease, LeaseLost, ensure_state, hold
from sync.national import OUTBOX_COLUMNS, PLATFORM_OPERATIONS, OutboxRow, render_rows, to_chinese
from sync.receiver import signature
from sync.targets import Target

_ERROR_TEXT = 2000  # how much of a receiver's answer is kept with an error
# The outbox events the platform receives (sync.national.kind_of), as a WHERE clause.
_PLATFORM_EVENTS = sa.or_(*(
    ChangeEvent.record_type == record_type if operations is None
    else sa.and_(ChangeEvent.record_type == record_type, ChangeEvent.operation.in_(operations))
    for record_type, operations in PLATFORM_OPERATIONS.items()
))


class TransientFailure(Exception):
    """A failure worth retrying within the run: 5xx, 429, a timeout, a dropped connection."""


class Rejected(Exception):
    """A 4xx answer: `seqs` the records it named (empty when it named none)."""

    def __init__(self, status: int, text: str, seqs: dict[int, str]) -> None:
        super().__init__(f"HTTP {status}: {text}")
        self.status, self.text, self.seqs = status, text, seqs


@dataclass
class Batch:
    first: int
    last: int
    key: str
    excluded: tuple[int, ...]
    resent: bool  # the batch was in flight when the run began


@dataclass
class RunReport:
    """What one run of one target did."""

    target: str
    cursor: int = 0
    batches: int = 0
    events: int = 0
    records: int = 0
    busy: bool = False  # another runner held the target; nothing was done
    error: str | None = None
    dead_lettered: list[int] = field(default_factory=list)

    def line(self) -> str:
        if self.busy:
            return f"{self.target}: another runner is pushing to this target; nothing done"
        text = (f"{self.target}: {self.batches} batch(es), {self.events} event(s), {self.records} record(s) sent; "
                f"cursor {self.cursor}")
        if self.dead_lettered:
            text += f"; dead-lettered seq {', '.join(map(str, self.dead_lettered))}"
        return text + (f"; stopped: {self.error}" if self.error else "")


def idempotency_key(target: str, first: int, last: int, excluded: tuple[int, ...]) -> str:
    """`{target}:{first}-{last}`, with `~` and a digest of the left-out sequences if any."""
    key = f"{target}:{first}-{last}"
    if excluded:
        key += "~" + hashlib.sha256(",".join(map(str, excluded)).encode()).hexdigest()[:12]
    return key


def push_target(
    engine: sa.Engine,
    target: Target,
    *,
    include_not_public: bool,
    operator: DataSource,
    client: httpx.Client | None = None,
    clock: Clock = utcnow,
    sleep: Callable[[float], None] = time.sleep,
    max_batches: int | None = None,
    owner: str | None = None,
) -> RunReport:
    """Push every event after the target's cursor, batch by batch, until done or an error."""
    report = RunReport(target.name)
    ensure_state(engine, target.name)
    own_client = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(target.timeout_seconds,
                                                       connect=min(10.0, target.timeout_seconds)))
    try:
        with hold(engine, target.name, seconds=target.lease_seconds, clock=clock, owner=owner) as lease:
            if lease is None:
                report.busy = True
                return report
            try:
                _run(engine, target, lease, http, report, include_not_public=include_not_public,
                     operator=operator, clock=clock, sleep=sleep, max_batches=max_batches)
            except LeaseLost as exc:
                report.error = str(exc)
    finally:
        if own_client:
            http.close()
        with Session(engine) as session:
            report.cursor = session.scalar(sa.select(SyncState.cursor).where(SyncState.target == target.name)) or 0
    return report


def _run(engine: sa.Engine, target: Target, lease: Lease, http: httpx.Client, report: RunReport, *,
         include_not_public: bool, operator: DataSource, clock: Clock, sleep: Callable[[float], None],
         max_batches: int | None) -> None:
    while max_batches is None or report.batches < max_batches:
        batch = _claim_batch(engine, target, lease, clock)
        if batch is None:
            return
        body, record_count = _body(engine, target, batch, include_not_public=include_not_public,
                                   operator=operator, clock=clock)
        try:
            _send(http, target, lease, batch, body, clock=clock, sleep=sleep)
        except Rejected as rejected:
            named = {seq: reason for seq, reason in rejected.seqs.items() if batch.first <= seq <= batch.last}
            died = _note_rejection(engine, target, lease, rejected, named, clock)
            report.dead_lettered.extend(died)
            _note_error(engine, target.name, f"batch {batch.key}: {rejected}", clock)
            if died:
                continue  # the batch goes again without the dead records: they block nothing
            report.error = f"batch {batch.key} rejected: {rejected}"
            return
        except TransientFailure as exc:
            report.error = f"batch {batch.key}: {exc} (after {target.attempts} attempt(s))"
            _note_error(engine, target.name, report.error, clock)
            return
        _acknowledge(engine, target, lease, batch, record_count, clock)
        report.batches += 1
        report.events += batch.last - batch.first + 1 - len(batch.excluded)
        report.records += record_count


class _Writing:
    """A writing transaction (SQLite takes its write lock at BEGIN, see registry.database)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def __enter__(self) -> sa.Connection:
        self.token = write_intent.set(True)
        self.context = self.engine.begin()
        return self.context.__enter__()

    def __exit__(self, *exc: Any) -> None:
        try:
            self.context.__exit__(*exc)
        finally:
            write_intent.reset(self.token)


def _claim_batch(engine: sa.Engine, target: Target, lease: Lease, clock: Clock) -> Batch | None:
    with _Writing(engine) as conn:
        lease.check(conn)
        state = conn.execute(sa.select(SyncState.cursor, SyncState.inflight_first, SyncState.inflight_last)
                             .where(SyncState.target == target.name)).one()
        resent = state.inflight_first is not None
        if resent:
            first, last = int(state.inflight_first), int(state.inflight_last)
        else:
            seqs = conn.scalars(sa.select(ChangeEvent.seq).where(ChangeEvent.seq > state.cursor)
                                .order_by(ChangeEvent.seq).limit(target.batch_size)).all()
            if not seqs:
                return None
            first, last = int(seqs[0]), int(seqs[-1])
        excluded = tuple(int(s) for s in conn.scalars(
            sa.select(SyncDeadLetter.seq).where(SyncDeadLetter.target == target.name, SyncDeadLetter.dead,
                                                SyncDeadLetter.seq.between(first, last))
            .order_by(SyncDeadLetter.seq)))
        key = idempotency_key(target.name, first, last, excluded)
        conn.execute(sa.update(SyncState).where(SyncState.target == target.name).values(
            inflight_first=first, inflight_last=last, inflight_key=key, last_attempt_at=clock()))
    return Batch(first, last, key, excluded, resent)


def _body(engine: sa.Engine, target: Target, batch: Batch, *, include_not_public: bool, operator: DataSource,
          clock: Clock) -> tuple[bytes, int]:
    with Session(engine) as session:
        # Plain columns, and only the platform's events: internal ones (half of a busy outbox are
        # entity creations) would be read and decoded for nothing.
        query = sa.select(*OUTBOX_COLUMNS).where(
            ChangeEvent.seq.between(batch.first, batch.last),
            _PLATFORM_EVENTS,
        )
        if batch.excluded:
            query = query.where(ChangeEvent.seq.not_in(batch.excluded))
        rows = [OutboxRow(*row) for row in session.execute(query.order_by(ChangeEvent.seq))]
        records = render_rows(session, rows, include_not_public=include_not_public, operator=operator)
    if target.format == "json-zh":
        records = [to_chinese(record) for record in records]
    document = {
        "target": target.name, "first_seq": batch.first, "last_seq": batch.last, "format": target.format,
        "sent_at": clock().isoformat(), "records": records,
    }
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return body, len(records)


def _send(http: httpx.Client, target: Target, lease: Lease, batch: Batch, body: bytes, *, clock: Clock,
          sleep: Callable[[float], None]) -> None:
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
        "Idempotency-Key": batch.key,
        "X-Registry-Timestamp": timestamp,
        "X-Registry-Signature": signature(target.secret, timestamp, body),
    }
    try:
        answer = http.post(target.url, content=body, headers=headers)
    except httpx.TransportError as exc:  # refused, reset, dropped, timed out
        raise TransientFailure(f"{type(exc).__name__}: {exc}") from exc
    if answer.is_success:
        return
    text = answer.text[:_ERROR_TEXT]
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
                named[item["seq"]] = str(item.get("reason") or "")[:_ERROR_TEXT]
    return named


def _acknowledge(engine: sa.Engine, target: Target, lease: Lease, batch: Batch, records: int, clock: Clock) -> None:
    with _Writing(engine) as conn:
        lease.check(conn)
        moved = conn.execute(
            sa.update(SyncState)
            .where(SyncState.target == target.name, SyncState.inflight_key == batch.key,
                   SyncState.cursor < batch.last)
            .values(cursor=batch.last, inflight_first=None, inflight_last=None, inflight_key=None,
                    last_success_at=clock(), batches_sent=SyncState.batches_sent + 1,
                    records_sent=SyncState.records_sent + records)
        ).rowcount
        if moved != 1:
            raise LeaseLost(f"target {target.name}: the cursor moved under this run (batch {batch.key})")


def _note_rejection(engine: sa.Engine, target: Target, lease: Lease, rejected: Rejected,
                    named: dict[int, str], clock: Clock) -> list[int]:
    """Count each named record's rejection; return those that reached the limit now."""
    died: list[int] = []
    now = clock()
    with _Writing(engine) as conn:
        lease.check(conn)
        for seq, reason in sorted(named.items()):
            row = conn.execute(sa.select(SyncDeadLetter.id, SyncDeadLetter.rejections).where(
                SyncDeadLetter.target == target.name, SyncDeadLetter.seq == seq)).one_or_none()
            count = (row.rejections if row else 0) + 1
            dead = count >= target.reject_limit
            values = {"rejections": count, "status_code": rejected.status, "reason": reason or rejected.text,
                      "last_rejected_at": now, "dead": dead, "dead_at": now if dead else None}
            if row is None:
                conn.execute(sa.insert(SyncDeadLetter).values(target=target.name, seq=seq, first_rejected_at=now,
                                                              **values))
            else:
                conn.execute(sa.update(SyncDeadLetter).where(SyncDeadLetter.id == row.id).values(**values))
            if dead:
                died.append(seq)
    return died


def _note_error(engine: sa.Engine, target: str, message: str, clock: Clock) -> None:
    with _Writing(engine) as conn:
        conn.execute(sa.update(SyncState).where(SyncState.target == target)
                     .values(last_error=message[:_ERROR_TEXT], last_error_at=clock()))
