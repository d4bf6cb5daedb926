"""One runner per target (单实例推送): a PostgreSQL advisory lock, or a lease row on SQLite.

Two schedulers, or a scheduler and a manual `sync push`, must never send batches to the same
target at the same time: the second would read the same cursor and send the same events again.

- PostgreSQL: `pg_try_advisory_lock` on a connection held for the whole run. The lock dies with
  the connection, so a worker killed with SIGKILL frees it as soon as the server notices.
- SQLite: a lease on the target's `sync_states` row, taken by one UPDATE that only succeeds
  when the row is free or its lease has run out, and renewed before every POST. A killed
  worker's lease runs out after `Target.lease_seconds`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from registry.models import SyncState

Clock = Callable[[], dt.datetime]


class LeaseLost(RuntimeError):
    """Another runner took the target over (this one's lease ran out): stop without writing."""


def runner_id() -> str:
    """Who holds a lease: host, process and a random part (two runs in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def advisory_key(target: str) -> int:
    """A stable signed 64-bit lock number for a target name."""
    return int.from_bytes(hashlib.sha256(f"registry-sync:{target}".encode()).digest()[:8], "big", signed=True)


def ensure_state(engine: sa.Engine, target: str) -> None:
    """Create the target's state row if it is missing (two workers may race: neither fails)."""
    insert = postgresql.insert(SyncState) if engine.dialect.name == "postgresql" else sqlite.insert(SyncState)
    statement = insert.values(target=target, cursor=0, batches_sent=0, records_sent=0,
                              updated_at=dt.datetime.now(dt.UTC)).on_conflict_do_nothing()
    with engine.begin() as conn:
        conn.execute(statement)


class Lease:
    """The right to push to one target, for as long as the `hold` block runs."""

    def __init__(self, engine: sa.Engine, target: str, owner: str, seconds: float, clock: Clock) -> None:
        self.engine, self.target, self.owner, self.seconds, self.clock = engine, target, owner, seconds, clock

    def renew(self) -> None:
        """Extend the lease (SQLite); raises LeaseLost if someone else holds it now."""
        now = self.clock()
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(SyncState).where(SyncState.target == self.target, SyncState.lease_owner == self.owner)
                .values(lease_until=now + dt.timedelta(seconds=self.seconds))
            ).rowcount
        if done != 1:
            raise LeaseLost(f"target {self.target}: the lease passed to another runner")

    def check(self, conn: sa.Connection) -> None:
        """Inside a writing transaction: fail unless this runner still holds the lease."""
        owner = conn.scalar(sa.select(SyncState.lease_owner).where(SyncState.target == self.target))
        if owner != self.owner:
            raise LeaseLost(f"target {self.target}: the lease passed to another runner")


class AdvisoryLease(Lease):
    """PostgreSQL: the advisory lock is held by a connection, so there is nothing to renew."""

    def renew(self) -> None:
        return None

    def check(self, conn: sa.Connection) -> None:
        return None


@contextmanager
def hold(engine: sa.Engine, target: str, *, seconds: float, clock: Clock, owner: str | None = None
         ) -> Iterator[Lease | None]:
    """Yield a Lease if this runner may push to `target` now, or None if another runner is at it."""
    owner = owner or runner_id()
    if engine.dialect.name == "postgresql":
        with _advisory(engine, target) as held:
            yield AdvisoryLease(engine, target, owner, seconds, clock) if held else None
        return
    now = clock()
    with engine.begin() as conn:
        taken = conn.execute(
            sa.update(SyncState)
            .where(SyncState.target == target,
                   sa.or_(SyncState.lease_owner.is_(None), SyncState.lease_until < now,
                          SyncState.lease_owner == owner))
            .values(lease_owner=owner, lease_until=now + dt.timedelta(seconds=seconds))
        ).rowcount
    if taken != 1:
        yield None
        return
    try:
        yield Lease(engine, target, owner, seconds, clock)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.update(SyncState)
                         .where(SyncState.target == target, SyncState.lease_owner == owner)
                         .values(lease_owner=None, lease_until=None))


@contextmanager
def _advisory(engine: sa.Engine, target: str) -> Iterator[bool]:
    key = advisory_key(target)
    conn = engine.connect()
    try:
        held = bool(conn.scalar(sa.select(sa.func.pg_try_advisory_lock(key))))
        conn.commit()  # a session-level lock outlives the transaction; no transaction stays open
        try:
            yield held
        finally:
            if held:
                try:
                    conn.scalar(sa.select(sa.func.pg_advisory_unlock(key)))
                    conn.commit()
                except sa.exc.DBAPIError:
                    # The connection is broken: make sure it is not pooled with the lock on it.
                    conn.invalidate()
    finally:
        conn.close()
