"""One runner per target: a second runner is turned away while the first holds the target."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from registry.database import db
from registry.models import SyncState
from sync.locks import LeaseLost, ensure_state, hold
from tests.integration.test_concurrency import Committed, committed  # noqa: F401

T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def test_a_second_runner_is_turned_away_until_the_first_is_done(committed: Committed) -> None:  # noqa: F811
    with committed.app.app_context():
        engine = db.engine
        ensure_state(engine, "t1")
        ensure_state(engine, "t1")  # a second call (another worker starting) is harmless
        with hold(engine, "t1", seconds=60, clock=lambda: T0, owner="a") as first:
            assert first is not None
            with hold(engine, "t1", seconds=60, clock=lambda: T0, owner="b") as second:
                assert second is None
            ensure_state(engine, "t2")
            with hold(engine, "t2", seconds=60, clock=lambda: T0, owner="b") as other:
                assert other is not None  # another target is not blocked by t1's runner
        with hold(engine, "t1", seconds=60, clock=lambda: T0, owner="b") as again:
            assert again is not None


def test_a_killed_runners_lease_runs_out_on_sqlite(committed: Committed) -> None:  # noqa: F811
    with committed.app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL frees an advisory lock when the holder's connection dies")
        ensure_state(engine, "t1")
        with engine.begin() as conn:  # what a runner killed mid-batch leaves behind
            conn.execute(sa.update(SyncState).values(lease_owner="dead", lease_until=T0 + dt.timedelta(seconds=60)))
        with hold(engine, "t1", seconds=60, clock=lambda: T0 + dt.timedelta(seconds=59), owner="b") as early:
            assert early is None
        with hold(engine, "t1", seconds=60, clock=lambda: T0 + dt.timedelta(seconds=61), owner="b") as late:
            assert late is not None
            late.renew()
            with engine.begin() as conn:  # someone took it over (this runner stalled past its lease)
                conn.execute(sa.update(SyncState).values(lease_owner="c"))
            with pytest.raises(LeaseLost):
                late.renew()
        assert committed.scalar(sa.select(SyncState.lease_owner)) == "c"  # the loser's exit frees nothing of c's


def test_status_says_running_while_a_run_holds_the_target(committed: Committed) -> None:  # noqa: F811
    """An outside test found `running` false on PostgreSQL while a scheduler pushed: the lease row
    says nothing there. Status reads the advisory lock itself (on SQLite, the lease)."""
    from registry.ledger import Actor
    from sync.status import target_statuses

    admin = Actor(key_id=None, name="ops", role="admin")
    with committed.app.app_context():
        engine = db.engine
        ensure_state(engine, "t1")
        now = dt.datetime.now(dt.UTC)
        with hold(engine, "t1", seconds=60, clock=lambda: now, owner="a") as lease:
            assert lease is not None
            [status] = target_statuses(db.session, admin, [], now)
            assert (status.name, status.running) == ("t1", True)
            db.session.remove()
        [status] = target_statuses(db.session, admin, [], now)
        assert status.running is False
        db.session.remove()
