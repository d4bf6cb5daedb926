"""Push state per sync target (推送状态): cursor, the batch in flight, lease, and dead letters."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, UTCDateTime, utcnow


class SyncState(Base):
    """Where the push to one target stands.

    `cursor` is the last outbox sequence the target acknowledged. A batch is recorded as in
    flight (`inflight_first`..`inflight_last`, with its idempotency key) and committed before it
    is sent, so a worker killed before the receipt resends exactly the same batch under the same
    key. The lease columns are the one-runner guarantee on SQLite (PostgreSQL uses an advisory
    lock and leaves them empty).

    `lease_epoch` is the fencing token (docs/sync.md, "The lease"): each run that takes the target,
    on either database, adds one to it and keeps the number; every write of the run requires the
    row to carry that number still, so a run that lost its lock can change nothing.
    """

    __tablename__ = "sync_states"

    target: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    cursor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    inflight_first: Mapped[int | None] = mapped_column(sa.BigInteger)
    inflight_last: Mapped[int | None] = mapped_column(sa.BigInteger)
    inflight_key: Mapped[str | None] = mapped_column(sa.String(200))
    lease_owner: Mapped[str | None] = mapped_column(sa.String(120))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lease_epoch: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    batches_sent: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    records_sent: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SyncDeadLetter(Base):
    """A record a target rejected (4xx naming it): counted, and dead once `reject_limit` is reached.

    A dead record is left out of later batches to that target, so it blocks nothing. An operator
    reads the reason (`flask sync dead-letters`) and corrects the record; the correction is a new
    outbox event and goes out in order like any other.
    """

    __tablename__ = "sync_dead_letters"
    __table_args__ = (sa.UniqueConstraint("target", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(sa.String(64), index=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    rejections: Mapped[int] = mapped_column(default=0)
    dead: Mapped[bool] = mapped_column(default=False, index=True)
    status_code: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)
    first_rejected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_rejected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dead_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
