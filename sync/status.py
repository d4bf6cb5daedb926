"""Push status per target (推送状态): cursor, lag, the batch in flight, last success and error, dead letters.

Read by `flask sync status`, `GET /api/v1/sync/targets` and `GET /metrics`. Targets come from the
configuration file and from the database: a target with state but no longer configured is shown
too (its cursor still says how far it got).

A target is unhealthy (`problem` says why) when a run recorded an error after the last
acknowledged batch, or when it **stopped moving**: events are waiting and no batch has been
acknowledged for longer than `STALL_RUNS` scheduled runs plus the longest one batch may take with
its retries (`attempts × (timeout_seconds + backoff_max_seconds)`), counted from the later of the
last acknowledged batch and the oldest waiting event. The second catches what records no error:
every scheduler stopped, or every run losing its lease before it gets anywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.ledger import Actor
from registry.models import ChangeEvent, SyncDeadLetter, SyncState
from sync.alert_stream import target_events
from sync.locks import advisory_held
from sync.targets import Target, parse_schedule

STALL_RUNS = 5  # scheduled runs without an acknowledged batch, events waiting, before a target is stuck


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    rejections: int
    dead: bool
    status_code: int | None
    reason: str | None
    last_rejected_at: dt.datetime


@dataclass(frozen=True)
class TargetStatus:
    name: str
    configured: bool
    url: str | None
    schedule: str | None
    cursor: int
    head: int  # the newest outbox sequence
    lag_events: int  # outbox events after the cursor (dead-lettered ones included)
    lag_seconds: float | None  # age of the oldest event after the cursor; None when caught up
    inflight_first: int | None
    inflight_last: int | None
    inflight_key: str | None
    running: bool  # a run holds the target now (PostgreSQL: its advisory lock; SQLite: its lease)
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error: str | None
    batches_sent: int
    records_sent: int
    dead_letters: int
    # How long events have waited with no batch acknowledged: from the later of the last success
    # and the oldest waiting event; None when caught up.
    stalled_seconds: float | None
    stall_limit_seconds: float | None  # stuck beyond this; None when not configured (no schedule)
    problem: str | None  # why the target is unhealthy; None when it is healthy
    rejected: list[DeadLetter]  # dead letters and records rejected below the limit, newest first

    @property
    def healthy(self) -> bool:
        """No error since the last success, and not stuck (events waiting, nothing acknowledged)."""
        return self.problem is None


def schedule_interval(schedule: str, now: dt.datetime) -> float | None:
    """Seconds between two runs: an "every N" schedule's N, or a crontab line's longest gap
    among its next few runs (a weekday-only line's weekend); None for a schedule that is wrong."""
    try:
        trigger = parse_schedule(schedule)
    except ValueError:
        return None
    length = getattr(trigger, "interval_length", None)
    if length is not None:
        return float(length)
    times: list[dt.datetime] = []
    previous, moment = None, now
    for _ in range(8):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        times.append(fire)
        previous, moment = fire, fire + dt.timedelta(microseconds=1)
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
    return max(gaps) if gaps else None


def stall_limit(target: Target, now: dt.datetime) -> float | None:
    """How long events may wait without an acknowledged batch before the target counts as stuck."""
    interval = schedule_interval(target.schedule, now)
    if interval is None:
        return None
    return STALL_RUNS * interval + target.attempts * (target.timeout_seconds + target.backoff_max_seconds)


def _problem(state: SyncState | None, lag_events: int, stalled: float | None, limit: float | None) -> str | None:
    problems = []
    if (
        state is not None
        and state.last_error_at is not None
        and (state.last_success_at is None or state.last_success_at < state.last_error_at)
    ):
        problems.append(f"error since the last success: {state.last_error}")
    if stalled is not None and limit is not None and stalled > limit:
        problems.append(
            f"stuck: {lag_events} event(s) waiting and no batch acknowledged for {stalled:.0f} s "
            f"(more than {STALL_RUNS} scheduled runs and one batch's retries, {limit:.0f} s)"
        )
    return "; ".join(problems) or None


def _running(session: Session, name: str, state: SyncState | None, now: dt.datetime) -> bool:
    """Whether a run holds the target now: on PostgreSQL its advisory lock (the lease row alone
    says nothing there), on SQLite an unexpired lease."""
    if session.get_bind().dialect.name == "postgresql":
        return advisory_held(session.connection(), name)
    return bool(state and state.lease_owner and state.lease_until and state.lease_until > now)


def target_statuses(
    session: Session, actor: Actor, targets: list[Target], now: dt.datetime, rejected_limit: int = 50
) -> list[TargetStatus]:
    """Every configured target and every target with stored state, in name order (platform, admin)."""
    require_role(actor, "platform")
    configured = {t.name: t for t in targets}
    states = {s.target: s for s in session.scalars(sa.select(SyncState))}
    head = int(session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)
    dead_counts: dict[str, int] = {
        name: count
        for name, count in session.execute(
            sa.select(SyncDeadLetter.target, sa.func.count()).where(SyncDeadLetter.dead).group_by(SyncDeadLetter.target)
        )
    }
    result = []
    for name in sorted(set(configured) | set(states)):
        target, state = configured.get(name), states.get(name)
        cursor = state.cursor if state else 0
        # An alerts target waits only on its agency's alert events; the platform on every event.
        events = target_events(target) if target is not None else sa.true()
        oldest = session.scalar(
            sa.select(ChangeEvent.occurred_at)
            .where(ChangeEvent.seq > cursor, events)
            .order_by(ChangeEvent.seq)
            .limit(1)
        )
        rejected = [
            DeadLetter(d.seq, d.rejections, d.dead, d.status_code, d.reason, d.last_rejected_at)
            for d in session.scalars(
                sa.select(SyncDeadLetter)
                .where(SyncDeadLetter.target == name)
                .order_by(SyncDeadLetter.last_rejected_at.desc(), SyncDeadLetter.seq.desc())
                .limit(rejected_limit)
            )
        ]
        if target is not None and target.stream == "alerts":
            lag_events = int(session.scalar(sa.select(sa.func.count()).where(ChangeEvent.seq > cursor, events)) or 0)
        else:
            lag_events = max(0, head - cursor)  # the sequence has no gaps
        stalled = None
        if oldest is not None:
            since = max(oldest, state.last_success_at) if state and state.last_success_at else oldest
            stalled = max(0.0, (now - since).total_seconds())
        limit = stall_limit(target, now) if target else None
        result.append(
            TargetStatus(
                name=name,
                configured=target is not None,
                url=target.url if target else None,
                schedule=target.schedule if target else None,
                cursor=cursor,
                head=head,
                lag_events=lag_events,
                lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else None,
                inflight_first=state.inflight_first if state else None,
                inflight_last=state.inflight_last if state else None,
                inflight_key=state.inflight_key if state else None,
                running=_running(session, name, state, now),
                last_attempt_at=state.last_attempt_at if state else None,
                last_success_at=state.last_success_at if state else None,
                last_error_at=state.last_error_at if state else None,
                last_error=state.last_error if state else None,
                batches_sent=state.batches_sent if state else 0,
                records_sent=state.records_sent if state else 0,
                dead_letters=int(dead_counts.get(name, 0)),
                stalled_seconds=stalled,
                stall_limit_seconds=limit,
                problem=_problem(state, lag_events, stalled, limit),
                rejected=rejected,
            )
        )
    return result
