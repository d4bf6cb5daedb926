"""Proof that an agency's alerts are delivered once and in order through real faults: the scheduler
(`flask sync run`, a real process) raises the alerts and pushes them to the stand-in receiver (a
real HTTP server) on an alerts target; the worker is killed with SIGKILL in the middle of a batch
and started again, and the receiver is down for many runs and then back. PostgreSQL only, as the
platform's proof (tests/integration/test_push_faults.py), whose receiver and workers this reuses.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import access
from registry.database import db
from registry.ledger import Actor
from registry.models import Alert, ChangeEvent
from registry.monitoring.watches import watch_screening
from registry.runtime import current_runtime
from registry.screening.service import screen_subjects
from tests import factories
from tests.integration.test_concurrency import Committed, committed  # noqa: F401
from tests.integration.test_push_faults import SECRET, Receiver, Workers, free_port

AGENCY = "杭州市公共资源交易中心"
BIDDERS = [f"杭州预警{i:02d}号建设工程有限公司" for i in range(10)]
TODAY = dt.date(2026, 11, 23)


class AlertWorld:
    def __init__(self, site: Committed, receiver: Receiver, workers: Workers) -> None:
        self.site, self.receiver, self.workers = site, receiver, workers

    def alert_seqs(self) -> list[int]:
        return self.site.scalars(
            sa.select(ChangeEvent.seq).where(ChangeEvent.record_type == "alert").order_by(ChangeEvent.seq)
        )

    def wait_until(self, condition: object, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():  # type: ignore[operator]
                return
            time.sleep(0.2)
        raise AssertionError(f"not {what} after {seconds} s; worker logs:\n{self.workers.logs()[-4000:]}")

    def assert_every_alert_once_in_order(self) -> None:
        received = self.receiver.received()
        assert len(received) == len(set(received)), "an alert was delivered twice"
        assert received == self.alert_seqs()
        assert len(received) == len(BIDDERS)


@pytest.fixture
def world(committed: Committed, tmp_path: Path) -> Iterator[AlertWorld]:  # noqa: F811
    app = committed.app
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the fault proof runs on PostgreSQL only (REGISTRY_TEST_DATABASE_URL); this is the SQLite run")
        url = db.engine.url.render_as_string(hide_password=False)
        session, runtime = db.session, current_runtime()
        finance = factories.make_authority(session, "浙江省财政厅", ("procurement",))
        key, _ = access.create_key(session, role="screener", name=AGENCY)
        agency = Actor(key_id=key.id, name=AGENCY, role="screener")
        request = {"domain": "procurement", "project_code": "P-9", "subjects": [{"name": n} for n in BIDDERS]}
        stored = screen_subjects(session, request, agency, TODAY, runtime.name_index, runtime.measures)
        watch_screening(session, stored.id, dt.date(2027, 1, 31), agency, TODAY)
        for name in BIDDERS:  # every bidder listed after its screening: ten alerts for the scheduler to raise
            factories.make_list_entry(session, finance, factories.make_entity(session, name))
        session.commit()
        db.session.remove()
    port = free_port()
    targets = tmp_path / "targets.toml"
    targets.write_text(
        f'[targets.t1]\nurl = "http://127.0.0.1:{port}/receive"\nsecret = "{SECRET}"\nstream = "alerts"\n'
        f'agency = "{AGENCY}"\nschedule = "every 1s"\nbatch_size = 2\ntimeout_seconds = 2\nattempts = 3\n'
        "backoff_initial_seconds = 0.05\nbackoff_max_seconds = 0.2\n",
        encoding="utf-8",
    )
    targets.chmod(0o600)
    receiver = Receiver(port, tmp_path / "receiver.db", tmp_path / "receiver.log")
    workers = Workers(url, targets, tmp_path)
    try:
        yield AlertWorld(committed, receiver, workers)
    finally:
        workers.stop_all()
        receiver.stop()


def test_the_worker_killed_mid_batch_then_restarted_delivers_each_alert_once(world: AlertWorld) -> None:
    world.receiver.start()
    world.receiver.control(delay_seconds=1.5)  # each POST takes 1.5 s: the kill lands inside one
    worker = world.workers.start()
    world.wait_until(lambda: len(world.receiver.received()) >= 2, 90, "partly delivered")
    time.sleep(0.7)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert len(world.receiver.received()) < len(BIDDERS)
    world.receiver.control(delay_seconds=0)
    world.workers.start()
    world.wait_until(lambda: len(world.receiver.received()) == len(BIDDERS), 90, "every alert delivered")
    time.sleep(2)  # a few more runs: nothing more may arrive
    world.assert_every_alert_once_in_order()
    assert len(world.site.scalars(sa.select(Alert.id))) == len(BIDDERS)  # raised once each, across two workers


def test_the_receiver_down_for_many_runs_then_back_loses_nothing(world: AlertWorld) -> None:
    world.workers.start()  # nothing listens yet: every push is refused
    world.wait_until(lambda: len(world.alert_seqs()) == len(BIDDERS), 90, "every alert raised")
    world.wait_until(lambda: world.workers.logs().count("ConnectError") >= 3, 60, "refused several times")
    world.receiver.start()
    world.wait_until(lambda: len(world.receiver.received()) == len(BIDDERS), 60, "every alert delivered")
    world.assert_every_alert_once_in_order()
