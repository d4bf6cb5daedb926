"""Backups with a tested restore: scripts/backup-db, then scripts/restore-db into a new database.

A demo registry (loaded with `flask registry seed-demo`, plus a screening) is backed up with the
script and restored with the other into a database that does not exist yet. The restored
database must hold the same rows in every table, its audit chain must verify (the script runs
`flask registry verify-audit` and the other checks), and the API served from it must answer
exactly as the source does. The checks must also be able to fail: a dump whose audit log was
altered, restored with the wrong data key, is reported as broken on both counts. A database that
is not empty is never restored into.

PostgreSQL only: the databases are created beside the one REGISTRY_TEST_DATABASE_URL names (its
name with `_backup_…` appended) and dropped at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from api.app import create_app
from registry.database import Base, db

PG_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parents[2]
DATA_KEY = "backup-restore-test-data-key"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (REGISTRY_TEST_DATABASE_URL)"),
]


@dataclass
class Databases:
    source: str
    restored: str
    spare: str  # never created unless a restore goes wrong
    env: dict[str, str]

    def run(self, *command: str, url: str | None = None, data_key: str = DATA_KEY) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "REGISTRY_DATABASE_URL": url or self.source, "REGISTRY_DATA_KEY": data_key}
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.run(sys.executable, "-m", "flask", "--app", "wsgi", *args)
        assert done.returncode == 0, done.stderr
        return done


def _maintenance() -> sa.Engine:
    assert PG_URL is not None
    return sa.create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _drop(engine: sa.Engine, name: str) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Databases]:
    """A new source database (migrated, empty) and the name of one that does not exist yet."""
    assert PG_URL is not None
    base = make_url(PG_URL)
    names = [f"{base.database}_backup_{part}" for part in ("source", "restored", "spare")]
    maintenance = _maintenance()
    try:
        for name in names:
            _drop(maintenance, name)  # left by a run that was killed
        with maintenance.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{names[0]}"'))
        source, restored, spare = (base.set(database=n).render_as_string(hide_password=False) for n in names)
        env = {
            **os.environ,
            "FLASK_APP": "wsgi",
            "REGISTRY_SECRET_KEY": "backup-restore-test-cookie-secret",
            "REGISTRY_SIGNING_KEY": "5a" * 32,
        }
        env.pop("REGISTRY_SYNC_TARGETS", None)
        dbs = Databases(source, restored, spare, env)
        dbs.flask("db", "upgrade")
        yield dbs
    finally:
        for name in names:
            _drop(maintenance, name)
        maintenance.dispose()


def _app(url: str) -> Flask:
    return create_app(
        {"TESTING": True, "DATABASE_URL": url, "DATA_KEY": DATA_KEY, "SECRET_KEY": "backup-restore-test-cookie-secret"}
    )


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, ordered by primary key."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _demo_keys(output: str) -> dict[str, str]:
    """The first demo key of each role, from `flask registry seed-demo`'s output."""
    keys: dict[str, str] = {}
    for role, key in re.findall(r"^\s+(\w+)\s+(crk_\S+)", output, flags=re.MULTILINE):
        keys.setdefault(role, key)
    return keys


def _answers(app: Flask, keys: dict[str, str], entity_id: int, penalty_id: int, screening_id: int) -> list[Any]:
    """What the API says about one entity and its records, as (path, status, ETag, body)."""
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    platform = {"Authorization": f"Bearer {keys['platform']}"}
    asked = [
        (f"/api/v1/entities/{entity_id}", admin),
        (f"/api/v1/entities/{entity_id}/history", admin),
        (f"/api/v1/penalties/{penalty_id}", admin),
        (f"/api/v1/penalties?entity_id={entity_id}", admin),
        (f"/api/v1/list-entries?entity_id={entity_id}", admin),
        ("/api/v1/list-entries?list_type=black&per_page=50", {}),  # the public's view
        (f"/api/v1/screenings/{screening_id}", admin),
        (f"/api/v1/screenings/{screening_id}/verify", admin),
        ("/api/v1/feed?after=0&limit=200", platform),
    ]
    client = app.test_client()
    answers = []
    for path, headers in asked:
        r = client.get(path, headers=headers)
        assert r.status_code == 200, (path, r.json)
        answers.append((path, r.status_code, r.headers.get("ETag"), r.json))
    return answers


def test_a_backup_restores_into_a_new_database_with_the_same_records_and_answers(
    databases: Databases, tmp_path: Path
) -> None:
    seeded = databases.flask("registry", "seed-demo", "--entities", "40")
    keys = _demo_keys(seeded.stdout)
    assert {"admin", "platform", "screener"} <= set(keys), seeded.stdout

    # A screening too: stored evidence that the restore must verify against its anchor.
    source_app = _app(databases.source)
    try:
        with source_app.app_context():
            entity_id, uscc, penalty_id = db.session.execute(
                sa.text(
                    "SELECT e.id, e.uscc, p.id FROM penalties p JOIN entities e ON e.id = p.entity_id "
                    "WHERE e.uscc IS NOT NULL ORDER BY p.id LIMIT 1"
                )
            ).one()
            db.session.remove()
        screened = source_app.test_client().post(
            "/api/v1/screenings",
            headers={"Authorization": f"Bearer {keys['screener']}"},
            json={"domain": "procurement", "project_code": "BACKUP-DRILL-1", "subjects": [{"uscc": uscc}]},
        )
        assert screened.status_code == 201, screened.json
        # Anchored: the restore checks the evidence tree (each leaf its screening's, the signed anchor).
        anchored = databases.flask("registry", "anchor")
        assert "tree size 1" in anchored.stdout, anchored.stdout + anchored.stderr
        before = _answers(source_app, keys, entity_id, penalty_id, screened.json["id"])
    finally:
        _dispose(source_app)

    dump = tmp_path / "backups" / "registry.dump"
    dump.parent.mkdir()
    backup = databases.run(str(ROOT / "scripts" / "backup-db"), "-o", str(dump))
    assert backup.returncode == 0, backup.stderr
    assert dump.is_file()
    assert not Path(f"{dump}.partial").exists()
    assert (dump.stat().st_mode & 0o077) == 0  # personal data, encrypted or not: owner only

    restore = databases.run(str(ROOT / "scripts" / "restore-db"), str(dump), databases.restored)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    source_rows = _every_row(databases.source)
    audit_rows = len(source_rows["audit_log"])
    assert f"audit chain intact: {audit_rows} rows" in restore.stdout
    assert "1 screenings verified" in restore.stdout
    assert "evidence tree 1 leaves, 1 anchors" in restore.stdout
    assert "restored and checked: OK" in restore.stdout

    # The same rows in every table, and the API answers the same from either database.
    assert _every_row(databases.restored) == source_rows
    assert sum(map(len, source_rows.values())) > 500
    restored_app = _app(databases.restored)
    try:
        after = _answers(restored_app, keys, entity_id, penalty_id, screened.json["id"])
    finally:
        _dispose(restored_app)
    assert after == before
    verification = {path: body for path, _, _, body in after}[f"/api/v1/screenings/{screened.json['id']}/verify"]
    assert verification["valid"] is True

    # Restoring again into the now filled database is refused, and changes nothing.
    again = databases.run(str(ROOT / "scripts" / "restore-db"), str(dump), databases.restored)
    assert again.returncode == 2
    assert "is not empty" in again.stderr
    assert _every_row(databases.restored) == source_rows


def test_the_restore_checks_find_an_altered_audit_log_and_a_wrong_data_key(
    databases: Databases, tmp_path: Path
) -> None:
    databases.flask("registry", "seed-demo", "--entities", "20")
    engine = sa.create_engine(databases.source)
    try:
        with engine.begin() as conn:  # someone edits history behind the application's back
            conn.execute(sa.text("UPDATE audit_log SET reason = 'quietly changed' WHERE seq = 3"))
    finally:
        engine.dispose()
    dump = tmp_path / "altered.dump"
    assert databases.run(str(ROOT / "scripts" / "backup-db"), "-o", str(dump)).returncode == 0

    restore = databases.run(
        str(ROOT / "scripts" / "restore-db"), str(dump), databases.restored, data_key="not-the-key-that-made-the-dump"
    )
    assert restore.returncode == 1, restore.stdout + restore.stderr
    assert "audit chain BROKEN at row 3" in restore.stderr
    assert "the data key does not decrypt" in restore.stderr
    assert "a check FAILED" in restore.stderr

    # A damaged copy is refused before anything is restored.
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[:-100])
    Path(f"{damaged}.sha256").write_text(Path(f"{dump}.sha256").read_text().replace("altered.dump", "damaged.dump"))
    refused = databases.run(str(ROOT / "scripts" / "restore-db"), str(damaged), databases.spare)
    assert refused.returncode == 2
    assert "the copy is damaged" in refused.stderr
    maintenance = _maintenance()
    try:
        with maintenance.connect() as conn:
            created = conn.scalar(
                sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                {"n": make_url(databases.spare).database},
            )
    finally:
        maintenance.dispose()
    assert created == 0
