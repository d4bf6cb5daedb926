"""The scheduled push (定时推送): outbox events after a target's cursor, as signed batches.

One run of a target (docs/sync.md, "The push protocol"):

1. take the target's lock and a new lease epoch (`sync.locks`); if another runner holds the
   lock, stop at once;
2. resend the batch in flight, or take the next events after the cursor, and record the range
   as in flight, committed **before** the POST, so a run killed after sending and before the
   receipt resends exactly the same batch under the same idempotency key;
3. POST it; retry 5xx, timeouts and dropped connections with exponential backoff and jitter;
4. on a 2xx receipt, move the cursor and clear the in-flight range in one transaction; on a 4xx
   naming records, count their rejections and dead-letter those at the target's `reject_limit`;
5. repeat until no event is left, or stop at the first error (the next run starts again there).

Every write of steps 2 and 4 requires the state row to carry the run's epoch, and the lease is
checked again before every POST: a run that lost its lease (the lock's connection closed under it
and another runner took over) raises `LeaseLost` and stops without writing or sending anything more.
So the batch recorded in flight is only ever replaced by its own receipt (or by its own range
less newly dead-lettered records, after a rejection that applied nothing); whoever holds the
target next resends exactly that batch under exactly that key.

An in-flight batch left entirely at or behind the cursor (its events were acknowledged: the state
the unfenced code of before 2026-12 could leave) is cleared without being resent. One that
overlaps the cursor cannot be resolved without asking the receiver, so the run stops with
`InflightConflict`, noted as the target's error (status says unhealthy), for an operator.

The cursor never moves without a 2xx receipt, so nothing is lost; a receiver that honours the
idempotency key applies nothing twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.database import utcnow
from registry.ledger.check import chain_head
from registry.models import ChangeEvent, SyncDeadLetter, SyncState
from sync.alert_stream import target_events
from sync.feed import DataSource
from sync.locks import Clock, Lease, LeaseLost, engine_writing, hold
from sync.protocol import (
    heartbeat_key,
    idempotency_key,
)
from sync.push_batches import (
    Batch,
    InflightConflict,
    Rejected,
    TransientFailure,
    acknowledge,
    fenced,
    note_error,
    note_rejection,
)
from sync.push_http import batch_body, send_batch
from sync.targets import Target


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
    lease_lost: bool = False  # the run stopped because another runner took the target over
    lock_retaken: int = 0  # times the lock's connection was closed and the lock taken again (PostgreSQL)
    dead_lettered: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the run repaired on its way

    def line(self) -> str:
        if self.busy:
            return f"{self.target}: another runner is pushing to this target; nothing done"
        text = (
            f"{self.target}: {self.batches} batch(es), {self.events} event(s), {self.records} record(s) sent; "
            f"cursor {self.cursor}"
        )
        if self.dead_lettered:
            text += f"; dead-lettered seq {', '.join(map(str, self.dead_lettered))}"
        for note in self.notes:
            text += f"; {note}"
        if self.lock_retaken:
            text += f"; lock's connection lost and the lock taken again {self.lock_retaken}×"
        return text + (f"; stopped: {self.error}" if self.error else "")


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
    own_client = client is None
    http = client or httpx.Client(
        timeout=httpx.Timeout(target.timeout_seconds, connect=min(10.0, target.timeout_seconds))
    )
    try:
        with hold(engine, target.name, seconds=target.lease_seconds, clock=clock, owner=owner) as lease:
            if lease is None:
                report.busy = True
                return report
            try:
                _run(
                    engine,
                    target,
                    lease,
                    http,
                    report,
                    include_not_public=include_not_public,
                    operator=operator,
                    clock=clock,
                    sleep=sleep,
                    max_batches=max_batches,
                )
            except InflightConflict as exc:
                report.error = str(exc)
                note_error(engine, lease, report.error, clock)
            finally:
                report.lock_retaken = getattr(lease, "retaken", 0)
    except LeaseLost as exc:
        # Nothing is written: the target is someone else's now, and what this run did stands.
        report.error, report.lease_lost = str(exc), True
    finally:
        if own_client:
            http.close()
        with Session(engine) as session:
            report.cursor = session.scalar(sa.select(SyncState.cursor).where(SyncState.target == target.name)) or 0
    return report


def _run(
    engine: sa.Engine,
    target: Target,
    lease: Lease,
    http: httpx.Client,
    report: RunReport,
    *,
    include_not_public: bool,
    operator: DataSource,
    clock: Clock,
    sleep: Callable[[float], None],
    max_batches: int | None,
) -> None:
    while max_batches is None or report.batches < max_batches:
        batch = _claim_batch(engine, target, lease, clock, report)
        if batch is None:
            _heartbeat_if_due(engine, target, lease, http, report, clock=clock, sleep=sleep)
            return
        body, record_count = batch_body(
            engine, target, batch, include_not_public=include_not_public, operator=operator, clock=clock
        )
        try:
            send_batch(http, target, lease, batch, body, clock=clock, sleep=sleep)
        except Rejected as rejected:
            named = {seq: reason for seq, reason in rejected.seqs.items() if batch.first <= seq <= batch.last}
            died = note_rejection(engine, target, lease, rejected, named, clock)
            report.dead_lettered.extend(died)
            note_error(engine, lease, f"batch {batch.key}: {rejected}", clock)
            if died:
                continue  # the batch goes again without the dead records: they block nothing
            report.error = f"batch {batch.key} rejected: {rejected}"
            return
        except TransientFailure as exc:
            report.error = f"batch {batch.key}: {exc} (after {target.attempts} attempt(s))"
            note_error(engine, lease, report.error, clock)
            return
        acknowledge(engine, target, lease, batch, record_count, clock)
        report.batches += 1
        report.events += batch.last - batch.first + 1 - len(batch.excluded)
        report.records += record_count


def _claim_batch(engine: sa.Engine, target: Target, lease: Lease, clock: Clock, report: RunReport) -> Batch | None:
    with engine_writing(engine) as conn:
        lease.check(conn)  # the row is locked until this transaction ends: no takeover in between
        state = conn.execute(
            sa.select(
                SyncState.cursor, SyncState.inflight_first, SyncState.inflight_last, SyncState.inflight_key
            ).where(SyncState.target == target.name)
        ).one()
        cursor = int(state.cursor)
        resent = state.inflight_first is not None
        if resent:
            first, last = int(state.inflight_first), int(state.inflight_last)
            if last <= cursor:
                # Every event of it was acknowledged (the cursor moves only on a receipt): resending
                # it could apply them again under a key the receiver never saw. Drop the record.
                report.notes.append(
                    f"cleared the stale in-flight batch {state.inflight_key} (at or behind "
                    f"cursor {cursor}) without resending it"
                )
                resent = False
            elif first != cursor + 1:
                raise InflightConflict(
                    f"target {target.name}: the batch in flight {state.inflight_key} ({first}-{last}) does not "
                    f"start right after the cursor {cursor}. The receiver may have applied it or not: resending "
                    f"it or sending a new batch could apply events twice. Ask the platform whether key "
                    f"{state.inflight_key} was applied, then set the cursor to {last} (applied) or clear the "
                    f'in-flight columns (not applied); see docs/sync.md, "The lease"'
                )
        if not resent:
            seqs = conn.scalars(
                sa.select(ChangeEvent.seq)
                .where(ChangeEvent.seq > cursor, target_events(target))
                .order_by(ChangeEvent.seq)
                .limit(target.batch_size)
            ).all()
            if not seqs:
                if state.inflight_first is not None:
                    fenced(conn, lease, inflight_first=None, inflight_last=None, inflight_key=None)
                return None
            # From right after the cursor: an alerts target's range covers the events it skips, so
            # each batch follows the last one and a resent batch is exactly the one in flight.
            first, last = cursor + 1, int(seqs[-1])
        excluded = tuple(
            int(s)
            for s in conn.scalars(
                sa.select(SyncDeadLetter.seq)
                .where(
                    SyncDeadLetter.target == target.name, SyncDeadLetter.dead, SyncDeadLetter.seq.between(first, last)
                )
                .order_by(SyncDeadLetter.seq)
            )
        )
        key = idempotency_key(target.name, first, last, excluded)
        fenced(conn, lease, inflight_first=first, inflight_last=last, inflight_key=key, last_attempt_at=clock())
    return Batch(first, last, key, excluded, resent)


def _heartbeat_if_due(
    engine: sa.Engine,
    target: Target,
    lease: Lease,
    http: httpx.Client,
    report: RunReport,
    *,
    clock: Clock,
    sleep: Callable[[float], None],
) -> None:
    """With nothing to push: send the audit chain head alone (a heartbeat) once `heartbeat_seconds`
    have passed since the last acknowledged POST, so the platform holds a head at least that often
    even while no record changes (screenings and key changes still extend the chain)."""
    if not target.heartbeat_seconds:
        return
    now = clock()
    with Session(engine) as session:
        last = session.scalar(sa.select(SyncState.last_success_at).where(SyncState.target == target.name))
        head = chain_head(session)
    if last is not None and (now - last).total_seconds() < target.heartbeat_seconds:
        return
    document = {
        "target": target.name,
        "format": target.format,
        "sent_at": now.isoformat(),
        "heartbeat": True,
        "chain_head": head.as_json(),
    }
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    beat = Batch(0, 0, heartbeat_key(target.name, head.seq), (), False)
    try:
        send_batch(http, target, lease, beat, body, clock=clock, sleep=sleep)
    except (Rejected, TransientFailure) as exc:
        report.error = f"heartbeat {beat.key}: {exc} (set heartbeat_seconds = 0 for a platform that takes none)"
        note_error(engine, lease, report.error, clock)
        return
    with engine_writing(engine) as conn:
        lease.check(conn)
        fenced(conn, lease, last_success_at=clock(), last_attempt_at=now)
    report.notes.append(f"heartbeat: chain head {head.seq} sent")
