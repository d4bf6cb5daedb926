"""A screening holds SQLite's one write lock only while it stores, not while it searches and reads.

On SQLite a writing request takes the database's write lock at its first statement (BEGIN
IMMEDIATE). A screening is marked reads-first (`api.lifecycle.reads_first`): it evaluates in a
reading transaction and takes the lock only to append, so other workers' writes go on meanwhile.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from registry import access
from registry.database import db
from registry.screening import service as screening_service
from tests import factories
from tests.conftest import auth
from tests.integration.test_concurrency import Committed, committed  # noqa: F401


def test_another_writer_commits_while_a_screening_evaluates(committed: Committed, monkeypatch) -> None:  # noqa: F811
    app = committed.app
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL has no database-wide write lock")
        path = make_url(str(db.engine.url)).database
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        entity = factories.make_entity(db.session, "杭州锁测建设工程有限公司")
        factories.make_list_entry(db.session, finance, entity)
        _, screener_key = access.create_key(db.session, role="screener", name="交易中心")
        db.session.commit()
        db.session.remove()

    took_lock: list[bool] = []
    evaluate = screening_service.evaluate_screening

    def evaluate_while_another_worker_writes(*args: Any, **kwargs: Any) -> Any:
        draft = evaluate(*args, **kwargs)
        other = sqlite3.connect(path, timeout=0, isolation_level=None)  # no waiting: locked is locked
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("COMMIT")
            took_lock.append(True)
        except sqlite3.OperationalError:
            took_lock.append(False)
        finally:
            other.close()
        return draft

    monkeypatch.setattr(screening_service, "evaluate_screening", evaluate_while_another_worker_writes)
    client = app.test_client()
    r = client.post(
        "/api/v1/screenings",
        headers=auth(screener_key),
        json={
            "domain": "procurement",
            "project_code": "LOCK-1",
            "subjects": [{"name": "杭州锁测建设工程有限公司"}],
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["decision"] == "block"
    assert took_lock == [True]
    # Stored and committed as ever: it reads back and verifies.
    assert client.get(f"/api/v1/screenings/{r.json['id']}/verify", headers=auth(screener_key)).json["valid"] is True
