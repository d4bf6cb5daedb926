"""Push status per target (推送状态): cursor, lag, the batch in flight, last success and error, dead letters.

Read by `flask sync status`, `GET /api/v1/sync/targets` and `GET /metrics`. Targets come from the
configuration file and from the database: a target with state but no longer configured is shown
too (its cursor still says how far it got).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.ledger import Actor
from registry.models import ChangeEvent, SyncDeadLetter, SyncState
from sync.targets import Target


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
    running: bool  # a SQLite lease is held now (PostgreSQL locks are not visible here)
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error: str | None
    batches_sent: int
    records_sent: int
    dead_letters: int
    rejected: list[DeadLetter]  # dead letters and records rejected below the limit, newest first

    @property
    def healthy(self) -> bool:
        """No error since the last success."""
        if self.last_error_at is None:
            return True
        return self.last_success_at is not None and self.last_success_at >= self.last_error_at


def target_statuses(session: Session, actor: Actor, targets: list[Target], now: dt.datetime,
                    rejected_limit: int = 50) -> list[TargetStatus]:
    """Every configured target and every target with stored state, in name order (platform, admin)."""
    require_role(actor, "platform")
    configured = {t.name: t for t in targets}
    states = {s.target: s for s in session.scalars(sa.select(SyncState))}
    head = int(session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)
    dead_counts: dict[str, int] = {
        name: count for name, count in session.execute(
            sa.select(SyncDeadLetter.target, sa.func.count()).where(SyncDeadLetter.dead)
            .group_by(SyncDeadLetter.target))
    }
    result = []
    for name in sorted(set(configured) | set(states)):
        target, state = configured.get(name), states.get(name)
        cursor = state.cursor if state else 0
        oldest = session.scalar(sa.select(ChangeEvent.occurred_at).where(ChangeEvent.seq > cursor)
                                .order_by(ChangeEvent.seq).limit(1))
        rejected = [
            DeadLetter(d.seq, d.rejections, d.dead, d.status_code, d.reason, d.last_rejected_at)
            for d in session.scalars(sa.select(SyncDeadLetter).where(SyncDeadLetter.target == name)
                                     .order_by(SyncDeadLetter.last_rejected_at.desc(), SyncDeadLetter.seq.desc())
                                     .limit(rejected_limit))
        ]
        result.append(TargetStatus(
            name=name, configured=target is not None, url=target.url if target else None,
            schedule=target.schedule if target else None, cursor=cursor, head=head,
            lag_events=max(0, head - cursor),  # the sequence has no gaps
            lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else None,
            inflight_first=state.inflight_first if state else None,
            inflight_last=state.inflight_last if state else None,
            inflight_key=state.inflight_key if state else None,
            running=bool(state and state.lease_owner and state.lease_until and state.lease_until > now),
            last_attempt_at=state.last_attempt_at if state else None,
            last_success_at=state.last_success_at if state else None,
            last_error_at=state.last_error_at if state else None,
            last_error=state.last_error if state else None,
            batches_sent=state.batches_sent if state else 0,
            records_sent=state.records_sent if state else 0,
            dead_letters=int(dead_counts.get(name, 0)),
            rejected=rejected,
        ))
    return result
