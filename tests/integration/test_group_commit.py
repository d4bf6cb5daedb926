# ruff: noqa: F811  (`committed` is the fixture imported from test_concurrency, used as a parameter)
"""Group commit of screenings (registry.screening.writer), on committed data and real threads.

The suite's app stores each screening in its request (its requests share one connection that is
rolled back after each test); here the app's runtime gets a writer on the real engine, as a server
has, and the tests prove:

- screenings waiting together are committed together (one batch), each with its own id and its
  digest, and each answered 201 only once its row is there for any other connection to read;
- one bad screening in a batch fails alone: the others are stored;
- a failed commit is an error for every request in it (503), and nothing of it is stored;
- a request with an Idempotency-Key is stored in its own transaction with its kept answer;
- on SQLite two writers (two processes' worth) hand the write lock over through their file lock.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from registry import access
from registry.database import db
from registry.ledger import Actor
from registry.models import IdempotencyRecord, Screening
from registry.runtime import Runtime
from registry.screening import service, writer
from registry.screening.service import ScreeningDraft
from registry.screening.writer import ScreeningWriter
from tests.conftest import auth
from tests.integration.test_concurrency import Committed, committed  # noqa: F401

URL = "/api/v1/screenings"


def _body(name: str) -> dict[str, Any]:
    return {
        "domain": "procurement",
        "project_code": "ZJCG-2026-0101",
        "subjects": [{"name": name, "role": "投标人"}],
    }


@pytest.fixture
def screener(committed: Committed) -> str:
    with committed.app.app_context():
        _, secret = access.create_key(db.session, role="screener", name="交易中心（成批提交）")
        db.session.commit()
        db.session.remove()
    return secret


@pytest.fixture
def group_writer(app: Flask, committed: Committed) -> Iterator[ScreeningWriter]:
    """The app's runtime with a writer on the real engine, as a server runs (restored after)."""
    runtime: Runtime = app.extensions["registry"]
    with app.app_context():
        made = ScreeningWriter(db.engine)
    runtime.screening_writer = made
    try:
        yield made
    finally:
        runtime.screening_writer = None


class Gate:
    """Holds the first batch inside its transaction (and, on SQLite, its file lock) until
    released, so that other screenings queue behind it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        original = writer.allocate_screening_ids
        first = [True]

        def held(connection: sa.Connection, count: int) -> list[int]:
            if first[0]:
                first[0] = False
                self.entered.set()
                assert self.release.wait(30)
            return original(connection, count)

        monkeypatch.setattr(writer, "allocate_screening_ids", held)


def _post_all(app: Flask, key: str, names: list[str], **headers: str) -> list[Any]:
    def post(name: str) -> Any:
        return app.test_client().post(URL, json=_body(name), headers=auth(key, **headers))

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        return list(pool.map(post, names))


def _queued(target: ScreeningWriter, count: int) -> None:
    deadline = time.monotonic() + 30
    while target._queue.qsize() < count:
        assert time.monotonic() < deadline, f"{target._queue.qsize()} of {count} queued"
        time.sleep(0.01)


def test_waiting_screenings_commit_together_and_each_is_answered_after_its_commit(
    app: Flask, committed: Committed, screener: str, group_writer: ScreeningWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    names = [f"杭州成批{i}号建设工程有限公司" for i in range(9)]
    with ThreadPoolExecutor(max_workers=2) as background:
        first = background.submit(_post_all, app, screener, names[:1])
        assert gate.entered.wait(30)  # the first batch (of one) is in its transaction
        others = background.submit(_post_all, app, screener, names[1:])
        _queued(group_writer, 8)  # the eight others wait behind it
        assert committed.scalar(sa.select(sa.func.count()).select_from(Screening)) == 0
        gate.release.set()
        responses = first.result(timeout=60) + others.result(timeout=60)
    assert [r.status_code for r in responses] == [201] * 9, [r.json for r in responses]
    assert group_writer.figures.batches == 2
    assert group_writer.figures.largest_batch == 8
    ids = [r.json["id"] for r in responses]
    assert len(set(ids)) == 9
    stored = dict(committed.rows(sa.select(Screening.id, Screening.digest)))
    assert {i: stored[i] for i in ids} == {r.json["id"]: r.json["digest"] for r in responses}
    client = app.test_client()
    for r in responses:
        verified = client.get(f"{URL}/{r.json['id']}/verify", headers=auth(screener))
        assert verified.status_code == 200, verified.json
        assert verified.json["valid"] is True, verified.json
        assert r.json["document"]["id"] == r.json["id"]


def _draft(key_id: int | None, name: str) -> ScreeningDraft:
    """A screening as evaluated, ready to store (its content does not matter to the writer)."""
    row = {
        "api_key_id": key_id,
        "requested_by": f"交易中心 (screener key {key_id})",
        "domain": "procurement",
        "project_code": "ZJCG-2026-0102",
        "stage": None,
        "decision": "clear",
        "subject_count": 1,
        "registry_seq": 0,
        "scorer": "test 1",
        "screened_at": dt.datetime.now(dt.UTC),
    }
    return ScreeningDraft(row, {"format": service.DOCUMENT_FORMAT, "id": None, "subjects": [{"name": name}]})


def _screener_id(committed: Committed) -> int:
    from registry.models import ApiKey

    return int(committed.scalar(sa.select(sa.func.max(ApiKey.id)).where(ApiKey.role == "screener")))


def test_one_bad_screening_in_a_batch_fails_alone(
    committed: Committed,
    screener: str,
    group_writer: ScreeningWriter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = Gate(monkeypatch)
    key_id = _screener_id(committed)
    actor = Actor(key_id=key_id, name="交易中心", role="screener")
    drafts = [_draft(key_id, "第一"), _draft(key_id, "第二"), _draft(key_id + 1000, "无此密钥"), _draft(key_id, "第四")]

    def store(draft: ScreeningDraft) -> Any:
        try:
            return group_writer.store(draft, actor)
        except sa.exc.IntegrityError as exc:  # the key does not exist: a foreign-key violation
            return exc

    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(store, drafts[0])
        assert gate.entered.wait(30)
        rest = [pool.submit(store, d) for d in drafts[1:]]
        _queued(group_writer, 3)
        gate.release.set()
        outcomes = [first.result(60), *(f.result(60) for f in rest)]
    assert isinstance(outcomes[2], sa.exc.IntegrityError)
    good = [o for i, o in enumerate(outcomes) if i != 2]
    assert all(isinstance(o, service.StoredScreening) for o in good), outcomes
    assert group_writer.figures.retried_alone == 3  # the batch of three failed, then each alone
    stored = committed.scalars(sa.select(Screening.id).order_by(Screening.id))
    assert stored == sorted(o.id for o in good)


def test_a_failed_commit_answers_an_error_and_stores_nothing(
    app: Flask,
    committed: Committed,
    screener: str,
    group_writer: ScreeningWriter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
        connection.execute(sa.text("SELECT 1"))
        raise sa.exc.OperationalError("INSERT INTO screenings", {}, Exception("disk I/O error"))

    monkeypatch.setattr(writer, "insert_screenings", refused)
    response = app.test_client().post(URL, json=_body("杭州失败建设工程有限公司"), headers=auth(screener))
    assert response.status_code == 503, response.json
    assert committed.scalar(sa.select(sa.func.count()).select_from(Screening)) == 0
    assert group_writer.figures.screenings == 0


def test_a_request_with_an_idempotency_key_is_stored_with_its_answer(
    app: Flask,
    committed: Committed,
    screener: str,
    group_writer: ScreeningWriter,
) -> None:
    client = app.test_client()
    headers = auth(screener, Idempotency_Key="grp-commit-1")
    first = client.post(URL, json=_body("杭州幂等建设工程有限公司"), headers=headers)
    again = client.post(URL, json=_body("杭州幂等建设工程有限公司"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert group_writer.figures.screenings == 0  # stored in the request's own transaction
    assert committed.scalar(sa.select(sa.func.count()).select_from(Screening)) == 1
    assert committed.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 1


def test_two_writers_on_sqlite_take_turns_through_the_file_lock(
    app: Flask,
    committed: Committed,
    screener: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the file lock is SQLite's; PostgreSQL has no one write lock to hand over")
        one, other = ScreeningWriter(db.engine), ScreeningWriter(db.engine)
    assert one._lock_path is not None
    assert one._lock_path.name.endswith(".screening-writer.lock")
    gate = Gate(monkeypatch)
    key_id = _screener_id(committed)
    actor = Actor(key_id=key_id, name="交易中心", role="screener")
    with ThreadPoolExecutor(max_workers=2) as pool:
        held = pool.submit(one.store, _draft(key_id, "先"), actor)
        assert gate.entered.wait(30)  # `one` holds the file lock and its transaction
        waiting = pool.submit(other.store, _draft(key_id, "后"), actor)
        time.sleep(0.3)
        assert not waiting.done()  # `other` waits for the lock, not in SQLite's busy handler
        gate.release.set()
        first, second = held.result(60), waiting.result(60)
    assert first.id < second.id


@pytest.mark.parametrize(("setting", "on"), [("auto", True), (True, True), (False, False)])
def test_the_setting_turns_the_writer_on_for_sqlite_by_default(tmp_path: Any, setting: object, on: bool) -> None:
    from api.app import create_app

    config = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
        "DATA_KEY": "group-commit-data-key",
        "SIGNING_KEY": "7e" * 32,
    }
    made = create_app({**config, "INDEX_DIR": None, "GROUP_COMMIT": setting})
    assert (made.extensions["registry"].screening_writer is not None) is on


def test_a_mistyped_setting_stops_the_app(tmp_path: Any) -> None:
    from api.app import create_app

    config = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
        "DATA_KEY": "group-commit-data-key",
        "SIGNING_KEY": "7e" * 32,
    }
    with pytest.raises(ValueError, match="REGISTRY_GROUP_COMMIT must be true, false or \"auto\", got 'sometimes'"):
        create_app({**config, "INDEX_DIR": None, "GROUP_COMMIT": "sometimes"})


def test_a_grouped_screening_asked_to_be_watched_is_watched_once_committed(
    app: Flask, committed: Committed, screener: str, group_writer: ScreeningWriter
) -> None:
    from registry.models import Watch

    body = {**_body("杭州成批监测建设工程有限公司"), "watch_until": "2027-01-15"}
    r = app.test_client().post(URL, json=body, headers=auth(screener))
    assert r.status_code == 201, r.get_json()
    rows = committed.rows(sa.select(Watch.screening_id, Watch.subject_index, Watch.watch_until))
    assert rows == [(r.get_json()["id"], 0, dt.date(2027, 1, 15))]
