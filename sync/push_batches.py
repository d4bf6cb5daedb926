"""A push batch and what the push writes back about it, fenced by its lease (a worker that lost the
lease writes nothing): acknowledged, refused with the records the receiver named, or failed with the
error kept; the events that go to the platform; the push's errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from registry.models import ChangeEvent, SyncDeadLetter, SyncState
from registry.national_columns import PLATFORM_OPERATIONS
from sync.locks import Clock, Lease, LeaseLost, engine_writing
from sync.targets import Target

ERROR_TEXT = 2000  # how much of a receiver's answer is kept with an error
# The outbox events the platform receives (sync.national.kind_of), as a WHERE clause.
PLATFORM_EVENTS = sa.or_(
    *(
        ChangeEvent.record_type == record_type
        if operations is None
        else sa.and_(ChangeEvent.record_type == record_type, ChangeEvent.operation.in_(operations))
        for record_type, operations in PLATFORM_OPERATIONS.items()
    )
)


class TransientFailure(Exception):
    """A failure worth retrying within the run: 5xx, 429, a timeout, a dropped connection."""


class InflightConflict(RuntimeError):
    """The recorded batch in flight does not follow the cursor: resending it or sending a new
    batch could both apply events twice. Needs an operator (docs/sync.md, "The lease")."""


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


def fenced(conn: sa.Connection, lease: Lease, **values: Any) -> None:
    """Update the target's state row only if it still carries this run's epoch."""
    if conn.execute(sa.update(SyncState).where(lease.fence()).values(**values)).rowcount != 1:
        lease.check(conn)  # raises LeaseLost, naming the epoch found
        raise LeaseLost(f"target {lease.target}: this run lost its lease")


def acknowledge(engine: sa.Engine, target: Target, lease: Lease, batch: Batch, records: int, clock: Clock) -> None:
    with engine_writing(engine) as conn:
        lease.check(conn)
        moved = conn.execute(
            sa.update(SyncState)
            .where(lease.fence(), SyncState.inflight_key == batch.key, SyncState.cursor < batch.last)
            .values(
                cursor=batch.last,
                inflight_first=None,
                inflight_last=None,
                inflight_key=None,
                last_success_at=clock(),
                batches_sent=SyncState.batches_sent + 1,
                records_sent=SyncState.records_sent + records,
            )
        ).rowcount
        if moved != 1:
            # This run holds the lease (checked above, row locked), so nobody else changed it.
            raise InflightConflict(
                f"target {target.name}: the batch in flight is no longer {batch.key} although this run holds the lease"
            )


def note_rejection(
    engine: sa.Engine, target: Target, lease: Lease, rejected: Rejected, named: dict[int, str], clock: Clock
) -> list[int]:
    """Count each named record's rejection; return those that reached the limit now."""
    died: list[int] = []
    now = clock()
    with engine_writing(engine) as conn:
        lease.check(conn)
        for seq, reason in sorted(named.items()):
            row = conn.execute(
                sa.select(SyncDeadLetter.id, SyncDeadLetter.rejections).where(
                    SyncDeadLetter.target == target.name, SyncDeadLetter.seq == seq
                )
            ).one_or_none()
            count = (row.rejections if row else 0) + 1
            dead = count >= target.reject_limit
            values = {
                "rejections": count,
                "status_code": rejected.status,
                "reason": reason or rejected.text,
                "last_rejected_at": now,
                "dead": dead,
                "dead_at": now if dead else None,
            }
            if row is None:
                conn.execute(
                    sa.insert(SyncDeadLetter).values(target=target.name, seq=seq, first_rejected_at=now, **values)
                )
            else:
                conn.execute(sa.update(SyncDeadLetter).where(SyncDeadLetter.id == row.id).values(**values))
            if dead:
                died.append(seq)
    return died


def note_error(engine: sa.Engine, lease: Lease, message: str, clock: Clock) -> None:
    """Record the run's error for status; a run that lost its lease records nothing."""
    with engine_writing(engine) as conn:
        conn.execute(
            sa.update(SyncState).where(lease.fence()).values(last_error=message[:ERROR_TEXT], last_error_at=clock())
        )
