"""The push, in process: batches reach the reference receiver exactly once and in order.

The receiver is the real one (`tools.receiver`), reached through httpx's WSGI transport, so these
tests see the protocol end to end (signature, idempotency key, receipts) without sockets. Faults a
socket is needed for (dropped connections, a killed worker) are in tests/integration/test_push_faults.py.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from registry.database import db
from registry.ledger import OPERATOR, Actor
from registry.models import ChangeEvent, SyncDeadLetter, SyncState
from sync.feed import DataSource
from sync.locks import LeaseLost, ensure_state, hold
from sync.protocol import idempotency_key
from sync.push import RunReport, push_target
from sync.status import target_statuses
from sync.targets import Target
from tests import factories
from tests.integration.test_concurrency import Committed, committed  # noqa: F401
from tools.receiver import create_receiver

SECRET = "a-receiver-secret-for-tests"
T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
OPERATOR_SOURCE = DataSource("浙江省公共资源交易信用平台", None)


@dataclass
class Setup:
    committed: Committed
    receiver: Any
    client: httpx.Client

    def target(self, **settings: Any) -> Target:
        defaults: dict[str, Any] = {
            "name": "t1",
            "url": "http://receiver/receive",
            "secret": SECRET,
            "batch_size": 4,
            "attempts": 2,
            "backoff_initial_seconds": 0,
            "backoff_max_seconds": 0,
            "timeout_seconds": 5,
        }
        return Target(**{**defaults, **settings})

    def push(self, target: Target | None = None, client: httpx.Client | None = None, **kwargs: Any) -> RunReport:
        with self.committed.app.app_context():
            return push_target(
                db.engine,
                target or self.target(),
                include_not_public=False,
                operator=OPERATOR_SOURCE,
                client=client or self.client,
                sleep=lambda _: None,
                **kwargs,
            )

    def control(self, **settings: Any) -> None:
        r = self.client.post("http://receiver/_control", json=settings)
        assert r.status_code == 200, r.text

    def received(self, target: str = "t1") -> list[int]:
        r = self.client.get("http://receiver/_received", params={"target": target})
        assert r.status_code == 200, r.text
        return [item["seq"] for item in r.json()]

    def received_records(self, target: str = "t1") -> list[dict[str, Any]]:
        return [
            item["record"] for item in self.client.get("http://receiver/_received", params={"target": target}).json()
        ]

    def state(self) -> SyncState:
        with self.committed.app.app_context():
            try:
                found = db.session.get(SyncState, "t1")
                assert found is not None
                return found
            finally:
                db.session.remove()

    def platform_seqs(self) -> list[int]:
        """The outbox events the platform receives (penalties, list entries, name changes)."""
        rows = self.committed.rows(
            sa.select(ChangeEvent.seq, ChangeEvent.record_type, ChangeEvent.operation).order_by(ChangeEvent.seq)
        )
        return [
            seq
            for seq, kind, op in rows
            if kind in ("penalty", "list_entry") or (kind == "entity" and op in ("rename", "add_name", "remove_name"))
        ]

    def head(self) -> int:
        return int(self.committed.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)


@pytest.fixture
def setup(committed: Committed, tmp_path: Path) -> Iterator[Setup]:  # noqa: F811
    app = committed.app
    with app.app_context():
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        for i in range(5):
            entity = factories.make_entity(db.session, f"杭州推送{'一二三四五'[i]}建设工程有限公司")
            factories.make_penalty(db.session, finance, entity)
            factories.make_list_entry(db.session, finance, entity)
        db.session.commit()
        db.session.remove()
    receiver = create_receiver(str(tmp_path / "receiver.db"), {"t1": SECRET}, control=True)
    with httpx.Client(transport=httpx.WSGITransport(app=receiver), base_url="http://receiver") as client:
        yield Setup(committed, receiver, client)


def test_every_platform_record_arrives_once_in_order_and_the_cursor_reaches_the_head(setup: Setup) -> None:
    report = setup.push()
    assert report.error is None
    assert not report.busy
    assert report.cursor == setup.head()
    assert setup.received() == setup.platform_seqs()
    assert report.records == len(setup.platform_seqs()) == 10
    assert report.batches == -(-setup.head() // 4)  # every event, internal ones too, in batches of 4
    state = setup.state()
    assert (state.cursor, state.inflight_key, state.batches_sent) == (setup.head(), None, report.batches)
    again = setup.push()
    assert (again.batches, again.records, again.error) == (0, 0, None)
    assert setup.received() == setup.platform_seqs()


def test_records_carry_the_national_fields_sequence_version_and_data_source(setup: Setup) -> None:
    setup.push()
    records = setup.received_records()
    penalty = next(r for r in records if r["record_type"] == "penalty")
    assert penalty["decision_number"].startswith("浙财采罚")
    assert penalty["data_source_name"] == "浙江省财政厅"
    assert penalty["seq"] in setup.platform_seqs()
    assert penalty["version"] == 1


def test_an_endpoint_down_for_many_runs_loses_nothing(setup: Setup) -> None:
    setup.control(down=True)
    for _ in range(5):
        report = setup.push()
        assert report.error is not None
        assert "503" in report.error
        assert report.cursor == 0
    state = setup.state()
    assert state.inflight_key == idempotency_key("t1", 1, 4, ())
    assert state.last_error
    assert state.last_success_at is None
    setup.control(down=False)
    report = setup.push()
    assert report.error is None
    assert setup.received() == setup.platform_seqs()


class AnswerLost(httpx.BaseTransport):
    """The receiver applies the first batch but its answer never arrives (a dropped connection)."""

    def __init__(self, inner: httpx.BaseTransport, lose: int = 1) -> None:
        self.inner, self.lose = inner, lose

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path == "/receive" and self.lose:
            self.lose -= 1
            raise httpx.ReadError("connection dropped after the receiver applied the batch", request=request)
        return response


def test_a_lost_receipt_is_resent_under_the_same_key_and_applied_once(setup: Setup) -> None:
    lossy = httpx.Client(transport=AnswerLost(httpx.WSGITransport(app=setup.receiver)), base_url="http://receiver")
    report = setup.push(setup.target(attempts=1), client=lossy)
    assert report.error is not None
    assert "ReadError" in report.error
    assert report.cursor == 0
    assert setup.received()  # the receiver has the first batch although the pusher never heard so
    report = setup.push()
    assert report.error is None
    assert setup.received() == setup.platform_seqs()  # …and it is not there twice


def test_a_record_the_target_keeps_rejecting_is_dead_lettered_and_blocks_nothing(setup: Setup) -> None:
    bad = setup.platform_seqs()[3]
    setup.control(reject_seqs=[bad])
    first = setup.push(setup.target(reject_limit=2))
    assert first.error is not None
    assert first.dead_lettered == []
    assert setup.received() == [s for s in setup.platform_seqs() if s < bad - (bad - 1) % 4]
    second = setup.push(setup.target(reject_limit=2))
    assert second.error is None
    assert second.dead_lettered == [bad]
    assert setup.received() == [s for s in setup.platform_seqs() if s != bad]
    assert second.cursor == setup.head()
    with setup.committed.app.app_context():
        try:
            [status] = target_statuses(db.session(), OPERATOR, [setup.target()], T0)
            letter = db.session.scalars(sa.select(SyncDeadLetter)).one()
        finally:
            db.session.remove()
    assert (letter.seq, letter.rejections, letter.dead, letter.status_code) == (bad, 2, True, 422)
    assert status.dead_letters == 1
    assert status.lag_events == 0


def test_a_rejection_naming_no_record_dead_letters_nothing(setup: Setup) -> None:
    report = setup.push(setup.target(secret="not-the-receivers-secret"))
    assert report.error is not None
    assert "401" in report.error
    assert report.cursor == 0
    assert setup.committed.scalar(sa.select(sa.func.count()).select_from(SyncDeadLetter)) == 0
    assert setup.received() == []


def test_a_second_runner_sends_nothing_while_the_first_holds_the_target(setup: Setup) -> None:
    with setup.committed.app.app_context():
        ensure_state(db.engine, "t1")
        with hold(db.engine, "t1", seconds=60, clock=lambda: dt.datetime.now(dt.UTC), owner="other") as lease:
            assert lease is not None
            report = setup.push()
    assert report.busy
    assert report.batches == 0
    assert setup.received() == []


def test_batches_in_the_standard_chinese_keys(setup: Setup) -> None:
    setup.push(setup.target(format="json-zh", batch_size=500))
    penalty = next(r for r in setup.received_records() if "行政处罚决定书文号" in r)
    assert penalty["数据来源单位"] == "浙江省财政厅"


def test_status_reports_lag_in_flight_and_errors(setup: Setup) -> None:
    setup.control(down=True)
    setup.push()
    with setup.committed.app.app_context():
        try:
            [status] = target_statuses(db.session(), OPERATOR, [setup.target()], dt.datetime.now(dt.UTC))
        finally:
            db.session.remove()
    assert status.cursor == 0
    assert status.lag_events == setup.head()
    assert status.lag_seconds is not None
    assert status.lag_seconds >= 0
    assert status.inflight_key == "t1:1-4"
    assert not status.healthy
    assert "503" in (status.last_error or "")


# ---- the lease: a fencing epoch that every write carries (docs/sync.md, "The lease") ----------


class Recording(httpx.BaseTransport):
    """Passes requests to the receiver, keeps each POSTed batch's key, and runs `before_first`
    before the first POST reaches the receiver (a takeover happening while a run sends)."""

    def __init__(self, inner: httpx.BaseTransport, before_first: Any = None) -> None:
        self.inner, self.before_first, self.keys = inner, before_first, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/receive":
            self.keys.append(request.headers["Idempotency-Key"])
            if self.before_first is not None:
                hook, self.before_first = self.before_first, None
                hook()
        return self.inner.handle_request(request)


def _recording(setup: Setup, before_first: Any = None) -> tuple[httpx.Client, Recording]:
    transport = Recording(httpx.WSGITransport(app=setup.receiver), before_first)
    return httpx.Client(transport=transport, base_url="http://receiver"), transport


def _set_state(setup: Setup, **values: Any) -> None:
    with setup.committed.app.app_context():
        ensure_state(db.engine, "t1")
        with db.engine.begin() as conn:
            conn.execute(sa.update(SyncState).where(SyncState.target == "t1").values(**values))


def test_a_run_that_lost_its_lease_stops_and_cannot_overwrite_the_newer_runs_batch_or_cursor(setup: Setup) -> None:
    """The reported fault: a run whose lock connection died goes on; meanwhile a newer run took the
    target (epoch + 1), resent batch 1-4, acknowledged it and claimed 5-8. The stale run's receipt
    for 1-4 must move nothing, and it must send nothing more."""

    def newer_run_took_over() -> None:
        _set_state(
            setup,
            lease_epoch=SyncState.lease_epoch + 1,
            lease_owner="newer",
            cursor=4,
            inflight_first=5,
            inflight_last=8,
            inflight_key="t1:5-8",
        )

    client, sent = _recording(setup, newer_run_took_over)
    report = setup.push(client=client)
    assert report.lease_lost
    assert report.error is not None
    assert "lost its lease" in report.error
    assert sent.keys == ["t1:1-4"]  # stopped at once: nothing sent after the lease was gone
    state = setup.state()
    assert (state.cursor, state.inflight_key) == (4, "t1:5-8")  # the newer run's claim stands
    assert state.last_error is None  # a lost lease is not the target's error: the newer run goes on

    _set_state(setup, lease_owner=None, lease_until=None)  # the newer run ends before sending 5-8
    client, sent = _recording(setup)
    report = setup.push(client=client)
    assert report.error is None
    assert sent.keys[0] == "t1:5-8"  # the next holder resends the recorded batch under its key
    assert setup.received() == setup.platform_seqs()


def test_a_stale_epoch_can_neither_claim_nor_move_the_cursor_nor_renew(setup: Setup) -> None:
    from sync.push import _claim_batch
    from sync.push_batches import Batch, acknowledge

    target = setup.target()
    now = dt.datetime.now(dt.UTC)
    with setup.committed.app.app_context():
        engine = db.engine
        with hold(engine, "t1", seconds=60, clock=lambda: now, owner="stale") as lease:
            assert lease is not None
            batch = _claim_batch(engine, target, lease, lambda: now, RunReport("t1"))
            assert batch is not None
            assert batch.key == "t1:1-4"
            with engine.begin() as conn:  # another runner takes the target: the epoch moves on
                conn.execute(sa.update(SyncState).values(lease_epoch=SyncState.lease_epoch + 1))
            with pytest.raises(LeaseLost, match="lost its lease"):
                acknowledge(engine, target, lease, batch, 4, lambda: now)
            with pytest.raises(LeaseLost, match="lost its lease"):
                _claim_batch(engine, target, lease, lambda: now, RunReport("t1"))
            with pytest.raises(LeaseLost, match="lost its lease"):
                acknowledge(engine, target, lease, Batch(5, 8, "t1:5-8", (), False), 4, lambda: now)
            with pytest.raises(LeaseLost):
                lease.renew()
    state = setup.state()
    assert (state.cursor, state.inflight_key) == (0, "t1:1-4")


def test_a_stale_in_flight_batch_behind_the_cursor_is_cleared_without_resending(setup: Setup) -> None:
    """What the unfenced code left behind: cursor 8, yet 1-4 recorded in flight. Every run failed
    with "the cursor moved under this run"; now the record is dropped and the push goes on."""
    assert setup.push(max_batches=2).cursor == 8
    _set_state(setup, inflight_first=1, inflight_last=4, inflight_key="t1:1-4")
    client, sent = _recording(setup)
    report = setup.push(client=client)
    assert report.error is None
    assert "cleared the stale in-flight batch t1:1-4" in report.line()
    assert "t1:1-4" not in sent.keys
    assert sent.keys[0] == "t1:9-12"
    assert setup.received() == setup.platform_seqs()
    assert report.cursor == setup.head()


def test_an_in_flight_batch_overlapping_the_cursor_stops_the_target_and_status_says_why(setup: Setup) -> None:
    """Neither resending 1-4 (2 was acknowledged) nor sending 3-6 (1-4 may have been applied) is
    safe: the run sends nothing, and the target is unhealthy until an operator decides."""
    _set_state(setup, cursor=2, inflight_first=1, inflight_last=4, inflight_key="t1:1-4")
    client, sent = _recording(setup)
    report = setup.push(client=client)
    assert sent.keys == []
    assert report.error is not None
    assert "does not start right after the cursor 2" in report.error
    with setup.committed.app.app_context():
        try:
            [status] = target_statuses(db.session(), OPERATOR, [setup.target()], dt.datetime.now(dt.UTC))
        finally:
            db.session.remove()
    assert not status.healthy
    assert status.problem is not None
    assert "does not start right after the cursor 2" in status.problem
    assert setup.state().inflight_key == "t1:1-4"  # left for the operator, not guessed at


def test_on_postgresql_a_closed_lock_connection_is_taken_again_only_if_nobody_took_the_target(
    setup: Setup,
) -> None:
    from sync.locks import AdvisoryLease

    now = dt.datetime.now(dt.UTC)
    with setup.committed.app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            pytest.skip("the advisory lock's connection is PostgreSQL's")

        def kill(lease: AdvisoryLease) -> None:
            assert lease.conn is not None
            pid = lease.conn.scalar(sa.select(sa.func.pg_backend_pid()))
            lease.conn.rollback()
            with engine.connect() as conn:
                assert conn.scalar(sa.select(sa.func.pg_terminate_backend(pid)))
            time.sleep(0.2)  # the server ends the backend and frees its lock

        with hold(engine, "t1", seconds=60, clock=lambda: now, owner="a") as first:
            assert isinstance(first, AdvisoryLease)
            kill(first)
            first.renew()  # nobody took the target meanwhile: the lock is taken again, same epoch
            assert first.retaken == 1
            with hold(engine, "t1", seconds=60, clock=lambda: now, owner="b") as busy:
                assert busy is None  # and it is really held again
            kill(first)
            with hold(engine, "t1", seconds=60, clock=lambda: now, owner="b") as second:
                assert second is not None
                assert second.epoch == first.epoch + 1
                with pytest.raises(LeaseLost, match="another runner holds the target now"):
                    first.renew()
            with pytest.raises(LeaseLost, match="lost its lease"):
                first.renew()  # the lock is free again, but the epoch moved: still lost


def test_every_batch_carries_the_audit_chain_head_and_the_receiver_keeps_it(setup: Setup, tmp_path: Path) -> None:
    """全程留痕 outside the registry: the platform keeps the chain heads it is pushed, and
    `verify-audit --against` checks the registry's chain against that file."""
    from registry.ledger.check import read_heads, verify_ledgers

    assert setup.push().error is None
    heads = setup.client.get("/_heads", params={"target": "t1"}).json()
    assert heads
    assert all(len(h["hash"]) == 64 and h["seq"] > 0 for h in heads)
    kept = tmp_path / "heads.json"
    kept.write_text(json.dumps([{"seq": h["seq"], "hash": h["hash"]} for h in heads]), encoding="utf-8")
    with setup.committed.app.app_context():
        assert verify_ledgers(db.session, heads=read_heads(kept)).ok


def test_with_nothing_to_push_the_chain_head_is_sent_at_least_every_heartbeat(setup: Setup) -> None:
    """The platform holds a chain head at least every minute even while no record changes: a run with
    nothing to push sends the head alone once heartbeat_seconds have passed since the last receipt;
    sooner, it sends nothing; heartbeat_seconds = 0 turns it off."""
    assert setup.push().error is None
    sent_heads = len(setup.client.get("/_heads", params={"target": "t1"}).json())
    assert "heartbeat" not in " ".join(setup.push().notes)  # just acknowledged: not due
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)
    with setup.committed.app.app_context():
        from registry.ledger import append_audit

        append_audit(
            db.session,
            actor=Actor(key_id=None, name="t", role="admin"),
            action="screen",
            record_type="screening",
            record_id=None,
            before=None,
            after=None,
        )  # the chain moves, no event
        db.session.commit()
        db.session.remove()
    off = setup.push(setup.target(heartbeat_seconds=0), clock=lambda: later)
    assert off.notes == []
    assert off.error is None
    beat = setup.push(clock=lambda: later)
    assert beat.error is None
    assert any("heartbeat" in n for n in beat.notes)
    heads = setup.client.get("/_heads", params={"target": "t1"}).json()
    assert len(heads) == sent_heads + 1
    assert (beat.batches, beat.records) == (0, 0)
    assert setup.received() == setup.platform_seqs()  # no record applied by a heartbeat
