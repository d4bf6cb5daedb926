"""Real concurrency: several threads, each with its own test client, committing for real.

These tests cannot run inside the rolled-back transaction of the `session` fixture: the
point is to see what separate transactions do to each other. The `committed` fixture
leaves the database as it found it (empty, ledger counters at 0) for the other tests.

On SQLite a writer takes the database lock at BEGIN (BEGIN IMMEDIATE) and waits for it up
to the busy timeout, so writers queue; a request that still finds the database locked gets
a 503 "database is busy", which a client retries. On PostgreSQL writers run side by side
and meet at row locks (the ledger counters, unique indexes, the record being changed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from registry import access
from registry.database import Base, db
from registry.ledger import verify_audit_chain
from registry.models import AuditLog, ChangeEvent, Entity, IdempotencyRecord
from tests import factories
from tests.conftest import auth

T = TypeVar("T")
MAX_ATTEMPTS = 20  # bounded retries of a 503 (database busy); each waits inside the busy timeout


def _wipe(app: Flask) -> None:
    """Delete every committed row (children first) and reset both ledgers to empty."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name == "ledger_counters":
                    conn.execute(table.update().values(value=0, last_hash=None))
                else:
                    conn.execute(table.delete())


@dataclass
class Committed:
    app: Flask
    admin_key: str

    def scalar(self, stmt: Any) -> Any:
        with self.app.app_context():
            try:
                return db.session.scalar(stmt)
            finally:
                db.session.remove()

    def scalars(self, stmt: Any) -> list[Any]:
        with self.app.app_context():
            try:
                return list(db.session.scalars(stmt))
            finally:
                db.session.remove()

    def rows(self, stmt: Any) -> list[tuple[Any, ...]]:
        with self.app.app_context():
            try:
                return [tuple(row) for row in db.session.execute(stmt)]
            finally:
                db.session.remove()


@pytest.fixture
def committed(app: Flask) -> Iterator[Committed]:
    """Committed data on the session's app: an admin key now, whatever the test writes after."""
    _wipe(app)  # in case an earlier run was killed half-way
    try:
        with app.app_context():
            _, secret = access.create_key(db.session, role="admin", name="concurrency test")
            db.session.commit()
            db.session.remove()
        yield Committed(app, secret)
    finally:
        _wipe(app)


def _in_parallel(workers: list[Callable[[], T]]) -> list[T]:
    """Run each worker in its own thread, released together; re-raise any worker's exception."""
    barrier = threading.Barrier(len(workers))

    def start(work: Callable[[], T]) -> T:
        barrier.wait(timeout=30)
        return work()

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        futures = [pool.submit(start, work) for work in workers]
        return [f.result(timeout=120) for f in futures]


def _post_until_answered(client: Any, url: str, **kwargs: Any) -> tuple[TestResponse, int]:
    """POST, retrying only "database is busy" (503); returns the answer and how many 503s came first."""
    for attempt in range(MAX_ATTEMPTS):
        response = client.post(url, **kwargs)
        if response.status_code != 503:
            return response, attempt
        assert "busy" in response.json["message"]
        assert response.headers["Retry-After"]
    raise AssertionError(f"{url} still busy after {MAX_ATTEMPTS} attempts")


def _entity_body(name: str, uscc: str) -> dict[str, Any]:
    return {"kind": "legal_entity", "name": name, "uscc": uscc}


def _assert_ledgers_whole(c: Committed, events: int, audit_rows: int) -> None:
    seqs = c.scalars(sa.select(ChangeEvent.seq).order_by(ChangeEvent.seq))
    assert seqs == list(range(1, events + 1))
    audit = c.scalars(sa.select(AuditLog.seq).order_by(AuditLog.seq))
    assert audit == list(range(1, audit_rows + 1))
    with c.app.app_context():
        try:
            report = verify_audit_chain(db.session)
        finally:
            db.session.remove()
    assert report.ok, report
    assert report.rows_checked == audit_rows


# -- (a) many writers: the ledgers stay gap-free and the chain whole ----------------------------

THREADS = 8
PER_THREAD = 10


def test_parallel_creations_number_the_outbox_without_gaps(committed: Committed) -> None:
    app = committed.app
    plan = [
        [(f"杭州并发{t}号{i}建设工程有限公司", factories.code()) for i in range(PER_THREAD)] for t in range(THREADS)
    ]

    def writer(t: int) -> Callable[[], list[tuple[str, int, int]]]:
        def work() -> list[tuple[str, int, int]]:
            client = app.test_client()
            made = []
            for i, (name, uscc) in enumerate(plan[t]):
                # the Idempotency-Key makes a retry after a 503 safe even if the first try had committed
                response, busy = _post_until_answered(
                    client,
                    "/api/v1/entities",
                    json=_entity_body(name, uscc),
                    headers=auth(committed.admin_key, Idempotency_Key=f"create-{t}-{i}"),
                )
                assert response.status_code == 201, response.json
                assert response.json["uscc"] == uscc
                made.append((uscc, response.json["id"], busy))
            return made

        return work

    results = [row for rows in _in_parallel([writer(t) for t in range(THREADS)]) for row in rows]

    total = THREADS * PER_THREAD
    assert len(results) == total
    assert len({entity_id for _, entity_id, _ in results}) == total
    # every planned entity exists exactly once, with the id its creator was given
    stored = dict(committed.rows(sa.select(Entity.uscc, Entity.id)))
    assert len(stored) == total
    assert committed.scalar(sa.select(sa.func.count()).select_from(Entity)) == total
    assert stored == {uscc: entity_id for uscc, entity_id, _ in results}
    # one event per entity, numbered 1..total; one audit row per entity after the key's
    events = committed.scalars(sa.select(ChangeEvent).order_by(ChangeEvent.seq))
    assert sorted(e.record_id for e in events) == sorted(stored.values())
    assert {(e.record_type, e.operation, e.record_version) for e in events} == {("entity", "create", 1)}
    _assert_ledgers_whole(committed, events=total, audit_rows=total + 1)
    assert committed.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == total


def test_a_reader_never_sees_a_later_event_before_an_earlier_one(committed: Committed) -> None:
    """Commit order is seq order: at any moment the committed events are exactly 1..n.

    (A database sequence would let event 41 commit before 40, and a reader that saw 41
    would move its cursor past 40 for good.)
    """
    app = committed.app
    writers_done = threading.Event()
    observed: list[int] = []

    def writer(t: int) -> Callable[[], None]:
        def work() -> None:
            client = app.test_client()
            for i in range(6):
                response, _ = _post_until_answered(
                    client,
                    "/api/v1/entities",
                    json=_entity_body(f"杭州顺序{t}号{i}有限公司", factories.code()),
                    headers=auth(committed.admin_key, Idempotency_Key=f"order-{t}-{i}"),
                )
                assert response.status_code == 201, response.json

        return work

    def reader() -> None:
        for _ in range(100_000):  # bounded; ends as soon as the writers have
            finished = writers_done.is_set()
            seqs = committed.scalars(sa.select(ChangeEvent.seq).order_by(ChangeEvent.seq))
            assert seqs == list(range(1, len(seqs) + 1)), f"a reader saw a hole: {seqs}"
            observed.append(len(seqs))
            if finished:
                return
        raise AssertionError("the writers did not finish")

    def writers() -> None:
        try:
            _in_parallel([writer(t) for t in range(4)])
        finally:
            writers_done.set()

    _in_parallel([writers, reader])
    assert observed[-1] == 24
    assert observed == sorted(observed)
    _assert_ledgers_whole(committed, events=24, audit_rows=25)


# -- (b) one Idempotency-Key, sent by several threads at once -----------------------------------


def test_one_idempotency_key_sent_concurrently_creates_one_entity(committed: Committed) -> None:
    app = committed.app
    body = _entity_body("杭州幂等建设工程有限公司", factories.code())
    headers = auth(committed.admin_key, Idempotency_Key="same-request-sent-six-times")

    def sender() -> TestResponse:
        return _post_until_answered(app.test_client(), "/api/v1/entities", json=body, headers=headers)[0]

    responses = _in_parallel([sender for _ in range(6)])

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 6, [(r.status_code, r.json) for r in responses]
    first = [r for r in responses if "Idempotent-Replayed" not in r.headers]
    replays = [r for r in responses if r.headers.get("Idempotent-Replayed") == "true"]
    assert len(first) == 1
    assert len(replays) == 5
    for replay in replays:
        assert replay.json == first[0].json
        assert replay.headers["ETag"] == first[0].headers["ETag"]
        assert replay.headers["Location"] == first[0].headers["Location"]
    assert committed.scalar(sa.select(sa.func.count()).select_from(Entity)) == 1
    assert committed.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 1
    _assert_ledgers_whole(committed, events=1, audit_rows=2)


def test_one_idempotency_key_with_different_bodies_creates_at_most_one(committed: Committed) -> None:
    """Same key, different requests: one is created, the others are refused (422), never a second."""
    app = committed.app

    def sender(n: int) -> Callable[[], TestResponse]:
        body = _entity_body(f"杭州异体{n}有限公司", factories.code())

        def send() -> TestResponse:
            return _post_until_answered(
                app.test_client(),
                "/api/v1/entities",
                json=body,
                headers=auth(committed.admin_key, Idempotency_Key="reused-key"),
            )[0]

        return send

    responses = _in_parallel([sender(n) for n in range(4)])

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 422, 422, 422], [(r.status_code, r.json) for r in responses]
    for refused in (r for r in responses if r.status_code == 422):
        assert "Idempotency-Key" in refused.json["errors"]
    assert committed.scalar(sa.select(sa.func.count()).select_from(Entity)) == 1
    _assert_ledgers_whole(committed, events=1, audit_rows=2)


# -- (c) two updates made against the same version ----------------------------------------------


def test_racing_updates_with_the_same_if_match_one_wins(committed: Committed) -> None:
    app = committed.app
    setup = app.test_client()
    created, _ = _post_until_answered(
        setup,
        "/api/v1/entities",
        json=_entity_body("杭州竞写建设工程有限公司", factories.code()),
        headers=auth(committed.admin_key),
    )
    assert created.status_code == 201
    entity_id = created.json["id"]
    url = f"/api/v1/entities/{entity_id}"
    rounds, racers = 4, 3

    for round_no in range(rounds):
        etag = setup.get(url, headers=auth(committed.admin_key)).headers["ETag"]

        def patcher(n: int, etag: str = etag, round_no: int = round_no) -> Callable[[], TestResponse]:
            def send() -> TestResponse:
                client = app.test_client()
                for _ in range(MAX_ATTEMPTS):
                    response = client.patch(
                        url,
                        json={"legal_representative": f"代表{round_no}-{n}"},
                        headers=auth(committed.admin_key, If_Match=etag),
                    )
                    if response.status_code != 503:
                        return response
                raise AssertionError("still busy")

            return send

        responses = _in_parallel([patcher(n) for n in range(racers)])

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [412] * (racers - 1), [(r.status_code, r.json) for r in responses]
        winner = next(r for r in responses if r.status_code == 200)
        assert winner.headers["ETag"] == f'"v{round_no + 2}"'
        for loser in (r for r in responses if r.status_code == 412):
            assert loser.json["code"] == 412
        stored = setup.get(url, headers=auth(committed.admin_key))
        assert stored.json["legal_representative"] == winner.json["legal_representative"]
        assert stored.json["version"] == round_no + 2
        assert stored.headers["ETag"] == winner.headers["ETag"]

    events = committed.scalars(sa.select(ChangeEvent).order_by(ChangeEvent.seq))
    assert [(e.operation, e.record_version) for e in events] == [("create", 1)] + [
        ("update", v) for v in range(2, rounds + 2)
    ]
    assert events[-1].payload["legal_representative"] == stored.json["legal_representative"]
    _assert_ledgers_whole(committed, events=rounds + 1, audit_rows=rounds + 2)
