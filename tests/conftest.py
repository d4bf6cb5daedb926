"""Test fixtures: the database is built by the migrations, and every test runs in a transaction
that is rolled back at its end.

The suite runs on SQLite always, and on PostgreSQL too when REGISTRY_TEST_DATABASE_URL names
a database (it is emptied first). Tests that need the app or the database run once per backend.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from api.app import create_app
from api.ratelimit import Rate, RateLimiter, RateLimits
from registry.accounts import passwords
from registry.database import db
from registry.runtime import Runtime
from tests import factories
from tests.ratelimits import FakeClock, Install

CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def pytest_configure(config: pytest.Config) -> None:
    """Servers and CLI processes the tests start share a name-index file per machine, as in
    production (docs/deployment.md); theirs go to a temporary directory, never the repository's
    instance/. The suite's own app keeps its index in memory (INDEX_DIR None in `app`)."""
    if "REGISTRY_INDEX_DIR" not in os.environ:
        os.environ["REGISTRY_INDEX_DIR"] = tempfile.mkdtemp(prefix="registry-test-index-")
    # Argon2id at the cheapest parameters in this process (the servers the tests start keep the
    # defaults): the suite hashes and checks passwords thousands of times, at 90 ms each by default.
    # tests/registry/test_accounts.py checks the defaults themselves.
    passwords.use_parameters(**CHEAP_ARGON2)


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist, each worker's own PostgreSQL database beside the one named (created if
    missing), so that workers never drop each other's schema; the environment is set to it, so the
    servers and tools the tests start use it too."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    rendered = own.render_as_string(hide_password=False)
    os.environ["REGISTRY_TEST_DATABASE_URL"] = rendered
    return rendered


PG_URL = _worker_database(os.environ.get("REGISTRY_TEST_DATABASE_URL"))
BACKENDS = ["sqlite"] + ([pytest.param("postgresql", marks=pytest.mark.postgres)] if PG_URL else [])


def _database_url(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'registry.db'}"
    assert PG_URL is not None
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp(request.param)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": _database_url(request.param, tmp),
            "DATA_KEY": "test-data-protection-secret",
            "SIGNING_KEY": "7e" * 32,
            "INDEX_DIR": None,  # in memory for the suite's app (tests/registry/test_index_files.py: files)  # the evidence anchors' Ed25519 key (tests/registry/test_signing.py: generated)
            # Off for the suite, whose requests all come from one address within seconds; the tests of
            # the limits install their own limiters (tests/api/test_ratelimit.py).
            "RATE_LIMIT_SCREENING": 0,
            "RATE_LIMIT_SEARCH": 0,
            "RATE_LIMIT_REPORTS": 0,
            # Each screening in its request: the suite's requests share one connection, rolled back
            # after each test (tests/integration/test_group_commit.py gives a writer of its own).
            "GROUP_COMMIT": False,
            # Every role's key may sign in to the pages here (the default is administrators' only):
            # the page tests sign in with the world's keys; tests/pages/test_accounts*.py with accounts.
            "PAGE_KEY_ROLES": "admin,supervisor,screener,platform",
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


class _RequestScopedSession(scoped_session[Session]):
    """At the end of each request Flask-SQLAlchemy removes the session. Here the test holds
    the same session, so instead of closing it (which would detach the test's objects) its
    objects are expired: the next request, like a new one in production, reads from the database."""

    def remove(self) -> None:
        if self.registry.has():
            self.registry().expire_all()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session whose commits land in a savepoint of one outer transaction, rolled back at the end."""
    # The app context is held only to reach the engine: each request then pushes its own, as
    # in production, so nothing in `g` or in the request's session carries over between requests.
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    scoped = _RequestScopedSession(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    )
    original = db.session
    db.session = scoped
    try:
        yield scoped()
    finally:
        scoped_session.remove(scoped)
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def runtime(app: Flask) -> Iterator[Runtime]:
    """The app's runtime with its clock fixed at 2026-11-23 10:00 China time and a fresh name
    index (both reset after each test)."""
    rt: Runtime = app.extensions["registry"]
    rt.clock.fixed = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    # Each test's data is rolled back: an index (and the dossiers it keeps fresh) or a key
    # cached in one test must not serve the next.
    rt.name_index.reset()
    rt.keys.forget()
    yield rt
    rt.clock.fixed = None
    rt.name_index.reset()


@pytest.fixture
def client(app: Flask, session: Session, runtime: Runtime) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(session: Session) -> factories.World:
    """Two authorities with a supervisor key each, plus admin, screener and platform keys."""
    return factories.build_world(session)


def auth(key: str, **extra: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **{k.replace("_", "-"): v for k, v in extra.items()}}


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand (rate limiters)."""
    return FakeClock()


@pytest.fixture
def limit(app: Flask, clock: FakeClock) -> Iterator[Install]:
    """Install a limiter for one action on the suite's app, on `clock`; the app's own come back after."""
    limits: RateLimits = app.extensions["rate_limits"]
    kept = dict(limits.limiters)

    def install(action: str, rate: str) -> RateLimiter:
        parsed = Rate.parse(rate)
        assert parsed is not None
        limits.limiters[action] = RateLimiter(parsed, clock=clock)
        return limits.limiters[action]

    yield install
    limits.limiters.clear()
    limits.limiters.update(kept)
