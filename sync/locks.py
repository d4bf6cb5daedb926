"""One runner per target (单实例推送): a lock, and a fencing epoch that every write must carry.

Two schedulers, or a scheduler and a manual `sync push`, must never send batches to the same
target at the same time: the second would read the same cursor and send the same events again.

- PostgreSQL: `pg_try_advisory_lock` on a connection held for the whole run. The lock dies with
  the connection, so a worker killed with SIGKILL frees it as soon as the server notices.
- SQLite: a lease on the target's `sync_states` row, taken by one UPDATE that only succeeds
  when the row is free or its lease has run out, and renewed before every POST. A killed
  worker's lease runs out after `Target.lease_seconds`.

A lock alone is not enough: the server can close the connection that holds the advisory lock
(`idle_session_timeout`, `pg_terminate_backend`, a network cut) while the run goes on writing
through other pooled connections, and a SQLite runner can stall past its lease. So whoever takes
the target also adds one to `sync_states.lease_epoch` and keeps the number (the fencing token).
Every write of the run requires the row to carry that number still (`Lease.check` inside the
writing transaction, or `Lease.fence()` in the UPDATE's WHERE clause); once another runner has
taken the target, the number has moved and the old run's writes change nothing: it raises
`LeaseLost` and stops. Before every POST, `Lease.renew` checks the same, and on PostgreSQL that
the lock's connection is alive (docs/sync.md, "The lease").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from registry.database import write_intent
from registry.models import SyncState

Clock = Callable[[], dt.datetime]


class LeaseLost(RuntimeError):
    """This run no longer holds the target (another runner took it over): stop without writing."""


def runner_id() -> str:
    """Who holds a lease: host, process and a random part (two runs in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def advisory_key(target: str) -> int:
    """A stable signed 64-bit lock number for a target name."""
    return int.from_bytes(hashlib.sha256(f"registry-sync:{target}".encode()).digest()[:8], "big", signed=True)


def advisory_held(connection: sa.Connection, target: str) -> bool:
    """PostgreSQL: whether some connection holds the target's advisory lock now (pg_locks shows a
    bigint key as classid = its high 32 bits, objid = its low 32 bits, objsubid = 1)."""
    key = advisory_key(target)
    high, low = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
    return bool(
        connection.scalar(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1)"
            ),
            {"high": high, "low": low},
        )
    )


def ensure_state(engine: sa.Engine, target: str) -> None:
    """Create the target's state row if it is missing (two workers may race: neither fails)."""
    insert = postgresql.insert(SyncState) if engine.dialect.name == "postgresql" else sqlite.insert(SyncState)
    statement = insert.values(
        target=target, cursor=0, batches_sent=0, records_sent=0, lease_epoch=0, updated_at=dt.datetime.now(dt.UTC)
    ).on_conflict_do_nothing()
    with engine.begin() as conn:
        conn.execute(statement)


def _lost(target: str, mine: int, found: int | None) -> LeaseLost:
    return LeaseLost(
        f"target {target}: this run lost its lease (its epoch is {mine}, the target's is now "
        f"{found}): another runner took the target over; this run stopped without writing"
    )


class Lease:
    """The right to push to one target, for as long as the `hold` block runs: epoch `epoch`."""

    def __init__(self, engine: sa.Engine, target: str, owner: str, epoch: int, seconds: float, clock: Clock) -> None:
        self.engine, self.target, self.owner, self.epoch = engine, target, owner, epoch
        self.seconds, self.clock = seconds, clock

    def fence(self) -> sa.ColumnElement[bool]:
        """WHERE clause for every UPDATE of the target's state row: this target at this run's epoch."""
        return sa.and_(SyncState.target == self.target, SyncState.lease_epoch == self.epoch)

    def check(self, conn: sa.Connection) -> None:
        """Inside a writing transaction: lock the state row and fail unless it still carries this
        run's epoch. A newer runner's epoch bump waits for this transaction, so whatever this
        transaction writes comes before the takeover and is seen by the new runner."""
        row = conn.execute(
            sa.select(SyncState.lease_epoch, SyncState.lease_owner)
            .where(SyncState.target == self.target)
            .with_for_update()
        ).one_or_none()
        self._verify(row)

    def _verify(self, row: sa.Row[int, str | None] | None) -> None:
        if row is None or row.lease_epoch != self.epoch:
            raise _lost(self.target, self.epoch, row.lease_epoch if row else None)
        if row.lease_owner != self.owner:
            raise LeaseLost(f"target {self.target}: the lease passed to another runner ({row.lease_owner})")

    def renew(self) -> None:
        """Before each POST: extend the lease; raises LeaseLost if another runner has the target."""
        now = self.clock()
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(SyncState)
                .where(self.fence(), SyncState.lease_owner == self.owner)
                .values(lease_until=now + dt.timedelta(seconds=self.seconds))
            ).rowcount
            if done != 1:
                self._verify(
                    conn.execute(
                        sa.select(SyncState.lease_epoch, SyncState.lease_owner).where(SyncState.target == self.target)
                    ).one_or_none()
                )
                raise LeaseLost(f"target {self.target}: the lease passed to another runner")

    def release(self) -> None:
        with engine_writing(self.engine) as conn:
            conn.execute(
                sa.update(SyncState)
                .where(self.fence(), SyncState.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )


class AdvisoryLease(Lease):
    """PostgreSQL: the advisory lock, held by `conn` for the run, plus the epoch.

    The lease is this run's as long as the row carries its epoch. If the lock's connection was
    closed under the run, the run takes the lock again on a new connection, and goes on only if
    it gets the lock *and* the epoch is still its own: then no other runner took the target in
    between (any that did would have moved the epoch before doing anything). Otherwise it stops.
    """

    def __init__(
        self, engine: sa.Engine, target: str, owner: str, epoch: int, seconds: float, clock: Clock, conn: sa.Connection
    ) -> None:
        super().__init__(engine, target, owner, epoch, seconds, clock)
        self.conn: sa.Connection | None = conn
        self.retaken = 0  # how many times the lock's connection was lost and the lock taken again

    def _verify(self, row: sa.Row[int, str | None] | None) -> None:
        if row is None or row.lease_epoch != self.epoch:
            raise _lost(self.target, self.epoch, row.lease_epoch if row else None)

    def renew(self) -> None:
        """Before each POST: the lock's connection answers and the row still carries this run's epoch."""
        if self.conn is not None:
            try:
                found = self.conn.scalar(sa.select(SyncState.lease_epoch).where(SyncState.target == self.target))
                self.conn.rollback()  # never left idle in a transaction
            except sa.exc.DBAPIError:
                self._drop_connection()
            else:
                if found != self.epoch:
                    raise _lost(self.target, self.epoch, found)
                return
        self._retake()

    def _drop_connection(self) -> None:
        if self.conn is not None:
            with suppress(sa.exc.DBAPIError):
                self.conn.invalidate()  # never pooled again: the lock may still be on it
            with suppress(sa.exc.DBAPIError):
                self.conn.close()
        self.conn = None

    def _retake(self) -> None:
        key = advisory_key(self.target)
        try:
            conn = self.engine.connect()
        except sa.exc.DBAPIError as exc:
            raise LeaseLost(
                f"target {self.target}: the connection holding the lock was closed and no new one "
                f"could be opened ({type(exc.orig).__name__}); this run stopped"
            ) from exc
        try:
            held = bool(conn.scalar(sa.select(sa.func.pg_try_advisory_lock(key))))
            found = conn.scalar(sa.select(SyncState.lease_epoch).where(SyncState.target == self.target))
            conn.commit()
        except sa.exc.DBAPIError as exc:
            with suppress(sa.exc.DBAPIError):
                conn.invalidate()
            conn.close()
            raise LeaseLost(
                f"target {self.target}: the connection holding the lock was closed and the lock "
                f"could not be taken again ({type(exc.orig).__name__}); this run stopped"
            ) from exc
        if held and found == self.epoch:
            self.conn = conn
            self.retaken += 1
            return
        if held:
            _unlock(conn, key)
        conn.close()
        if not held:
            raise LeaseLost(
                f"target {self.target}: the connection holding the lock was closed and another "
                f"runner holds the target now; this run stopped"
            )
        raise _lost(self.target, self.epoch, found)

    def release(self) -> None:
        if self.conn is not None:
            _unlock(self.conn, advisory_key(self.target))
            self.conn.close()
            self.conn = None


def _unlock(conn: sa.Connection, key: int) -> None:
    try:
        conn.scalar(sa.select(sa.func.pg_advisory_unlock(key)))
        conn.commit()
    except sa.exc.DBAPIError:
        # The connection is broken: make sure it is not pooled with the lock on it.
        with suppress(sa.exc.DBAPIError):
            conn.invalidate()


@contextmanager
def engine_writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A writing transaction (SQLite takes its write lock at BEGIN, see registry.database)."""
    token = write_intent.set(True)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        write_intent.reset(token)


@contextmanager
def hold(
    engine: sa.Engine, target: str, *, seconds: float, clock: Clock, owner: str | None = None
) -> Iterator[Lease | None]:
    """Yield a Lease if this runner may push to `target` now, or None if another runner is at it."""
    owner = owner or runner_id()
    ensure_state(engine, target)
    if engine.dialect.name == "postgresql":
        lease = _take_advisory(engine, target, owner, seconds, clock)
        try:
            yield lease
        finally:
            if lease is not None:
                lease.release()
        return
    now = clock()
    with engine_writing(engine) as conn:
        taken = conn.execute(
            sa.update(SyncState)
            .where(
                SyncState.target == target,
                sa.or_(SyncState.lease_owner.is_(None), SyncState.lease_until < now, SyncState.lease_owner == owner),
            )
            .values(
                lease_owner=owner,
                lease_until=now + dt.timedelta(seconds=seconds),
                lease_epoch=SyncState.lease_epoch + 1,
            )
        ).rowcount
        epoch = conn.scalar(sa.select(SyncState.lease_epoch).where(SyncState.target == target)) if taken else None
    if taken != 1 or epoch is None:
        yield None
        return
    sqlite_lease = Lease(engine, target, owner, int(epoch), seconds, clock)
    try:
        yield sqlite_lease
    finally:
        sqlite_lease.release()


def _take_advisory(engine: sa.Engine, target: str, owner: str, seconds: float, clock: Clock) -> AdvisoryLease | None:
    key = advisory_key(target)
    conn = engine.connect()
    try:
        held = bool(conn.scalar(sa.select(sa.func.pg_try_advisory_lock(key))))
        conn.commit()  # a session-level lock outlives the transaction; no transaction stays open
        if not held:
            conn.close()
            return None
        # The epoch moves on the lock's own connection: if that connection is already gone, so
        # is the lock, and this fails instead of fencing out a runner that holds it now.
        epoch = conn.scalar(
            sa.update(SyncState)
            .where(SyncState.target == target)
            .values(lease_epoch=SyncState.lease_epoch + 1)
            .returning(SyncState.lease_epoch)
        )
        conn.commit()
    except sa.exc.DBAPIError as exc:
        _unlock(conn, key)
        conn.close()
        raise LeaseLost(
            f"target {target}: the connection holding the lock was closed as the run began "
            f"({type(exc.orig).__name__}); nothing done"
        ) from exc
    except BaseException:
        _unlock(conn, key)
        conn.close()
        raise
    if epoch is None:  # hold() made the row; someone deleted it since
        _unlock(conn, key)
        conn.close()
        raise LeaseLost(f"target {target}: its state row is gone")
    return AdvisoryLease(engine, target, owner, int(epoch), seconds, clock, conn)
