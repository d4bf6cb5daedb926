"""`flask registry …`: key management and the audit-chain check, through Flask's CLI runner.

The commands use `db.session`, which the `session` fixture points at its rolled-back
transaction, so everything here runs inside the `client` (and so `session`) fixture.
"""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.models import ApiKey, AuditLog
from tests import factories
from tests.conftest import auth


def _run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["registry", *args])


def _create_key(app: Flask, *args: str) -> tuple[int, str]:
    result = _run(app, "create-key", *args)
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert re.fullmatch(r"crk_[A-Za-z0-9_-]{43}", secret), result.stdout
    found = re.search(r"key (\d+) \(", result.stderr)
    assert found, result.stderr
    return int(found.group(1)), secret


def test_create_key_prints_a_key_that_authenticates(app: Flask, client: FlaskClient, session: Session) -> None:
    key_id, secret = _create_key(app, "--role", "admin", "--name", "ops")

    assert client.get("/api/v1/authorities", headers=auth(secret)).status_code == 200
    # an admin key may write, too
    r = client.post(
        "/api/v1/authorities",
        headers=auth(secret),
        json={
            "name": "浙江省发展和改革委员会",
            "uscc": factories.code("11330000"),
            "region_code": "330000",
            "domains": ["procurement"],
        },
    )
    assert r.status_code == 201, r.json


def test_only_a_hash_of_the_key_is_stored(app: Flask, client: FlaskClient, session: Session) -> None:
    key_id, secret = _create_key(app, "--role", "platform")

    stored = session.get(ApiKey, key_id, populate_existing=True)
    assert stored is not None
    assert stored.role == "platform"
    assert stored.name == "platform"  # the default name is the role
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(stored.prefix)
    assert len(stored.prefix) < len(secret)
    for row in session.execute(sa.select(ApiKey.__table__)).mappings():
        assert all(secret not in str(value) for value in row.values())
    for row in session.execute(sa.select(AuditLog.__table__)).mappings():
        assert all(secret not in str(value) for value in row.values())


def test_create_key_is_audited(app: Flask, client: FlaskClient, session: Session) -> None:
    key_id, _ = _create_key(app, "--role", "screener", "--name", "交易中心")
    row = session.scalars(
        sa.select(AuditLog).order_by(AuditLog.seq.desc()).limit(1).execution_options(populate_existing=True)
    ).one()
    assert (row.record_type, row.record_id, row.action) == ("api_key", key_id, "create")
    assert (row.actor_name, row.actor_role) == ("cli operator", "admin")


def test_a_supervisor_key_is_bound_to_its_authority(app: Flask, client: FlaskClient, session: Session) -> None:
    authority = factories.make_authority(session)
    session.commit()
    _, secret = _create_key(app, "--role", "supervisor", "--authority", str(authority.id))

    r = client.get("/api/v1/authorities", headers=auth(secret))
    assert r.status_code == 200
    stored = session.scalars(
        sa.select(ApiKey).where(ApiKey.role == "supervisor").execution_options(populate_existing=True)
    ).one()
    assert stored.authority_id == authority.id


def test_a_supervisor_key_needs_an_authority(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "create-key", "--role", "supervisor")

    assert result.exit_code != 0
    assert "authority" in result.stderr
    assert result.stdout == ""
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_an_unknown_authority_is_refused(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "create-key", "--role", "supervisor", "--authority", "987654")

    assert result.exit_code != 0
    assert "authority" in result.stderr
    assert "987654" in result.stderr
    assert result.stdout == ""
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_only_supervisor_keys_take_an_authority(app: Flask, client: FlaskClient, session: Session) -> None:
    authority = factories.make_authority(session)
    session.commit()
    result = _run(app, "create-key", "--role", "admin", "--authority", str(authority.id))

    assert result.exit_code != 0
    assert "authority" in result.stderr
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_an_unknown_role_is_refused(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "create-key", "--role", "root")
    assert result.exit_code != 0
    assert "root" in result.output


def test_revoke_key_makes_the_key_fail(app: Flask, client: FlaskClient, session: Session) -> None:
    key_id, secret = _create_key(app, "--role", "admin")
    _, other = _create_key(app, "--role", "admin")
    assert client.get("/api/v1/authorities", headers=auth(secret)).status_code == 200

    result = _run(app, "revoke-key", str(key_id))
    assert result.exit_code == 0, result.output
    assert f"key {key_id} revoked" in result.output

    r = client.get("/api/v1/authorities", headers=auth(secret))
    assert r.status_code == 401
    assert r.json["code"] == 401
    assert client.get("/api/v1/authorities", headers=auth(other)).status_code == 200
    # revoking twice is harmless and audits nothing more
    audited = session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    assert _run(app, "revoke-key", str(key_id)).exit_code == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == audited


def test_revoking_an_unknown_key_fails(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "revoke-key", "424242")
    assert result.exit_code != 0
    assert "424242" in result.stderr


def test_verify_audit_on_an_intact_chain(app: Flask, client: FlaskClient, session: Session) -> None:
    factories.build_world(session)
    rows = session.scalar(sa.select(sa.func.count()).select_from(AuditLog))

    result = _run(app, "verify-audit")
    assert result.exit_code == 0, result.output
    assert f"intact: {rows} rows" in result.stdout


def test_verify_audit_on_an_empty_ledger(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "verify-audit")
    assert result.exit_code == 0, result.output
    assert "intact: 0 rows" in result.stdout


@pytest.mark.parametrize("seq", [1, 4])
def test_verify_audit_names_a_tampered_row(app: Flask, client: FlaskClient, session: Session, seq: int) -> None:
    factories.build_world(session)
    session.execute(sa.text("UPDATE audit_log SET actor_name = 'nobody' WHERE seq = :seq"), {"seq": seq})
    session.commit()

    result = _run(app, "verify-audit")
    assert result.exit_code == 1
    assert f"BROKEN at row {seq}:" in result.stderr
    assert "altered" in result.stderr
    assert f"({seq - 1} rows before it are intact)" in result.stderr


def test_verify_audit_names_a_deleted_row(app: Flask, client: FlaskClient, session: Session) -> None:
    factories.build_world(session)
    session.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))
    session.commit()

    result = _run(app, "verify-audit")
    assert result.exit_code == 1
    assert "BROKEN at row 3:" in result.stderr
    assert "missing" in result.stderr


def test_recompute_rules_reports_what_changed(app: Flask, session: Session, world) -> None:
    import datetime as dt

    from registry.models import CalendarDay, CalendarYear

    entity = factories.make_entity(session)
    penalty = factories.make_penalty(
        session, world.housing, entity, decided_on=dt.date(2026, 11, 20), domain="construction_bidding"
    )
    session.commit()
    first = _run(app, "recompute-rules")
    assert first.exit_code == 0, first.output
    assert "0 penalties, 0 list entries and 0 repair applications changed" in first.output

    session.add(CalendarYear(year=2026, notice="test", loaded_by="test"))
    session.flush()
    session.add(CalendarDay(day=dt.date(2026, 11, 27), year=2026, is_workday=False, name="测试假日"))
    session.commit()
    second = _run(app, "recompute-rules")
    assert second.exit_code == 0, second.output
    assert "1 penalties, 0 list entries and 0 repair applications changed" in second.output
    session.refresh(penalty)
    assert penalty.publication_due_on == dt.date(2026, 12, 2)
