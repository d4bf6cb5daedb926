"""The push lease under fire: the connection holding a target's lock is killed again and again.

Four `flask sync run` schedulers (the warm standby of docs/deployment.md, twice over) push one
target to the reference receiver (`python -m tools.receiver`) while the test writes 2,500 changes,
one transaction each. Every 100–400 ms a killer thread finds the PostgreSQL backend that holds the
target's advisory lock (`pg_locks`) and ends it with `pg_terminate_backend`; the workers' sessions
also close after 1 s idle (`idle_session_timeout`). A run whose lock connection dies must stop, or
take the lock again only if nobody took the target in between (its epoch is unchanged); no stale
run may overwrite a newer run's batch or cursor (docs/sync.md, "The lease").

At the end, with the killing over: the cursor reaches the head, nothing is left in flight, the
status is healthy, the receiver holds every platform event exactly once and in order, and the
batches the workers logged add up to the batches the receiver applied (a batch sent by a run that
lost its lease and sent again by the next is one key, applied once, acknowledged once).

The suite's run kills for `REGISTRY_LEASE_SECONDS` (default 15) seconds; set it to 60 for the
long run recorded in docs/reliability.md. PostgreSQL only, like the other integration proofs.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.database import db, utcnow
from registry.ledger import OPERATOR
from registry.models import SyncState
from registry.records import list_entries, penalties
from sync.locks import advisory_key
from sync.status import target_statuses
from sync.targets import load_targets
from tests import factories
from tests.integration.test_concurrency import Committed, committed  # noqa: F401
from tests.integration.test_push_faults import Receiver, Workers, World, free_port, targets_file

SCHEDULERS = 4
CHANGES = 2500
ENTITIES = 40  # made before the clock starts; the changes are their penalties and list entries
WRITERS = 8  # threads writing the changes, each its own session and transactions
KILL_SECONDS = float(os.environ.get("REGISTRY_LEASE_SECONDS", "15"))
IDLE_SESSION_TIMEOUT_MS = 1000
BATCH_LINE = re.compile(r"t1: (\d+) batch\(es\), (\d+) event\(s\), \d+ record\(s\) sent")


@dataclass
class IdleWorkers(Workers):
    """Schedulers whose PostgreSQL sessions the server closes after 1 s idle."""

    def env(self) -> dict[str, str]:
        return {**super().env(), "PGOPTIONS": f"-c idle_session_timeout={IDLE_SESSION_TIMEOUT_MS}"}


class LockKiller(threading.Thread):
    """Every 100–400 ms, terminate whichever backend holds the target's advisory lock."""

    def __init__(self, url: str, target: str) -> None:
        super().__init__(daemon=True)
        key = advisory_key(target) & 0xFFFFFFFFFFFFFFFF
        self.hi, self.lo = key >> 32, key & 0xFFFFFFFF
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.stop = threading.Event()
        self.kills = 0
        self.rounds = 0
        self.error: BaseException | None = None
        self.random = random.Random(20261204)  # noqa: S311 - fault timing, not security

    def run(self) -> None:
        try:
            with self.engine.connect() as conn:
                while not self.stop.wait(self.random.uniform(0.1, 0.4)):
                    killed = conn.execute(
                        sa.text(
                            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_locks"
                            " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                            " AND classid::bigint = :hi AND objid::bigint = :lo"
                        ),
                        {"hi": self.hi, "lo": self.lo},
                    ).scalar()
                    conn.commit()
                    self.rounds += 1
                    self.kills += int(killed or 0)
        except BaseException as exc:  # surfaced by the test
            self.error = exc
        finally:
            self.engine.dispose()


@pytest.fixture
def arena(committed: Committed, tmp_path: Path) -> Iterator[tuple[World, IdleWorkers, list[int]]]:  # noqa: F811
    app = committed.app
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the lease proof runs on PostgreSQL only (REGISTRY_TEST_DATABASE_URL); this is the SQLite run")
        url = db.engine.url.render_as_string(hide_password=False)
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        entities = [factories.make_entity(db.session, f"杭州租约{i:02d}号建设工程有限公司") for i in range(ENTITIES)]
        db.session.commit()
        ids = [finance.id] + [e.id for e in entities]
        db.session.remove()
    port = free_port()
    receiver = Receiver(port, tmp_path / "receiver.db", tmp_path / "receiver.log")
    targets = targets_file(tmp_path, port, batch_size=25)
    workers = IdleWorkers(url, targets, tmp_path)
    try:
        yield World(committed, receiver, workers), workers, ids
    finally:
        workers.stop_all()
        receiver.stop()


def _write_changes(world: World, ids: list[int], seconds: float) -> float:
    """CHANGES penalties and list entries, one commit each, from WRITERS threads, spread over
    `seconds` (or as fast as they go); returns the time taken."""
    from registry.models import Authority, Entity

    app = world.committed.app
    start = time.monotonic()
    errors: list[BaseException] = []

    def write(part: int) -> None:
        with app.app_context():
            try:
                finance = db.session.get(Authority, ids[0])
                assert finance is not None
                supervisor, rules = factories.supervisor_of(finance), factories.rules(db.session)
                for n in range(part, CHANGES, WRITERS):
                    entity = db.session.get(Entity, ids[1 + n % (len(ids) - 1)])
                    assert entity is not None
                    if (n // WRITERS) % 2:
                        list_entries.create_list_entry(
                            db.session, factories.list_entry_data(entity), supervisor, factories.TODAY, rules=rules
                        )
                    else:
                        data = factories.penalty_data(entity, fine_amount=Decimal("0.5"))
                        penalties.record_penalty(db.session, data, supervisor, factories.TODAY, rules=rules)
                    db.session.commit()
                    ahead = start + seconds * (n + 1) / CHANGES - time.monotonic()
                    if ahead > 0:
                        time.sleep(ahead)
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(part,)) for part in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.monotonic() - start


def _receiver_batches(receiver: Receiver) -> int:
    with sqlite3.connect(receiver.db_path) as conn:
        return int(conn.execute("SELECT count(*) FROM batches WHERE target = 't1'").fetchone()[0])


def test_killing_the_lock_holders_connection_loses_and_repeats_nothing(
    arena: tuple[World, IdleWorkers, list[int]],
) -> None:
    world, workers, ids = arena
    world.receiver.start()
    for _ in range(SCHEDULERS):
        workers.start()
    killer = LockKiller(workers.database_url, "t1")
    killer.start()
    began = time.monotonic()
    try:
        wrote = _write_changes(world, ids, KILL_SECONDS)
        time.sleep(max(0.0, KILL_SECONDS - (time.monotonic() - began)))
    finally:
        killer.stop.set()
        killer.join(timeout=10)
    killing = time.monotonic() - began
    assert killer.error is None, killer.error
    cursor_when_killing_stopped = world.cursor()
    world.wait_until(lambda: world.cursor() == world.head(), 120, "caught up after the killing stopped")
    caught_up = time.monotonic() - began

    world.assert_exactly_once_in_order()
    with world.committed.app.app_context():
        try:
            state = db.session.get(SyncState, "t1")
            assert state is not None
            assert (state.inflight_first, state.inflight_key) == (None, None)
            [status] = target_statuses(db.session(), OPERATOR, load_targets(workers.targets_file), utcnow())
        finally:
            db.session.remove()
    assert status.healthy, status.problem

    logs = workers.logs()
    assert "the cursor moved under this run" not in logs
    assert "does not start right after the cursor" not in logs
    lost = logs.count("lost its lease") + logs.count("another runner holds the target now")
    retaken = sum(int(n) for n in re.findall(r"the lock taken again (\d+)×", logs))
    assert killer.kills >= KILL_SECONDS, f"only {killer.kills} lock connection(s) killed: the fault did not happen"
    assert lost + retaken + logs.count("was closed as the run began") > 0, "no run ever noticed a killed lock"
    logged = [tuple(map(int, m.groups())) for m in BATCH_LINE.finditer(logs)]
    batches = sum(b for b, _ in logged)
    assert batches == _receiver_batches(world.receiver)  # each applied key acknowledged once
    events = world.head()
    runs, busy = len(logged), logs.count("another runner is pushing to this target")
    posts = logs.count("HTTP Request: POST")
    print(
        f"\n{SCHEDULERS} schedulers, {KILL_SECONDS:.0f} s of killing ({killing:.1f} s with the writes), "
        f"{CHANGES} changes written in {wrote:.1f} s; {killer.kills} lock connections killed in "
        f"{killer.rounds} rounds; runs stopped on a lost lease: {lost}; lock taken again: {retaken}; "
        f"{runs} runs pushed, {busy} found the target busy; cursor {cursor_when_killing_stopped} of {events} "
        f"when the killing stopped, caught up {caught_up - killing:.1f} s later; {posts} POSTs for "
        f"{batches} batches ({posts - batches} resent under the same key or retried); "
        f"{len(world.receiver.received())} records, each once, in order"
    )
