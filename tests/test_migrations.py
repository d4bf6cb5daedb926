"""Migrations that change what stored data means keep every record's meaning (SQLite)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from api.app import create_app

BEFORE_RULES = "5d2e8a41c7b9"  # the revision before 20261204_7a3c51d2e9f0 (rules corrected)


def _insert_entry(connection: sa.Connection, expires_on: str) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO authorities (id, name, uscc, region_code, created_at, updated_at, version) "
            "VALUES (1, '杭州市市场监督管理局', '11330100MB0000000X', '330100', '2026-01-01', '2026-01-01', 1)"
        )
    )
    connection.execute(
        sa.text(
            "INSERT INTO entities (id, kind, name, created_at, updated_at, version) "
            "VALUES (1, 'legal_entity', '杭州合晟建设工程有限公司', '2026-01-01', '2026-01-01', 1)"
        )
    )
    connection.execute(
        sa.text(
            "INSERT INTO list_entries (id, entity_id, authority_id, list_type, list_name, decision_number, "
            "reason_category, facts, legal_basis, listed_on, expires_on, status, due_provisional, is_public, "
            "created_at, updated_at, version) VALUES (1, 1, 1, 'black', '政府采购严重违法失信行为记录名单', 'n', 'r', "
            "'f', 'b', '2026-03-01', :expires_on, 'active', 0, 1, '2026-01-01', '2026-01-01', 1)"
        ),
        {"expires_on": expires_on},
    )


def test_a_list_entrys_end_moves_to_its_last_day_in_force_and_back(tmp_path: Path) -> None:
    """A one-year ban stored as ending 2027-03-01 (the first day no longer in force) reads 2027-02-28
    after the migration (有效期截止日期, the last day in force): in force on the same days. The
    authority's 系统 is read from its name (市场监督管理 → market_supervision)."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "DATA_KEY": "x" * 32})
    with app.app_context():
        upgrade(revision=BEFORE_RULES)
        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.begin() as connection:
            _insert_entry(connection, "2027-03-01")
        upgrade()
        with engine.connect() as connection:
            expires = connection.execute(sa.text("SELECT expires_on FROM list_entries")).scalar_one()
            sector = connection.execute(sa.text("SELECT sector FROM authorities")).scalar_one()
        assert dt.date.fromisoformat(str(expires)) == dt.date(2027, 2, 28)
        assert sector == "market_supervision"
        downgrade(revision=BEFORE_RULES)
        with engine.connect() as connection:
            expires = connection.execute(sa.text("SELECT expires_on FROM list_entries")).scalar_one()
        assert dt.date.fromisoformat(str(expires)) == dt.date(2027, 3, 1)
        engine.dispose()


def test_each_moved_end_is_audited_and_sent_to_the_platform(tmp_path: Path) -> None:
    """The migration records each moved end in the chain (audit row + outbox event "recompute"), so
    verify-audit still finds every record as audited and the platform receives 有效期截止日期 as the
    last day in force."""
    from registry.ledger import GENESIS_HASH, row_hash, verify_audit_chain
    from registry.models.ledger import audit_hashed_content

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "DATA_KEY": "x" * 32})
    with app.app_context():
        upgrade(revision=BEFORE_RULES)
        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        at = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
        after = {"id": 1, "expires_on": "2027-03-01", "listed_on": "2026-03-01", "version": 1}
        row = {
            "seq": 1,
            "at": at,
            "actor_key_id": None,
            "actor_name": "t",
            "actor_role": "admin",
            "actor_authority_id": None,
            "action": "create",
            "record_type": "list_entry",
            "record_id": 1,
            "reason": None,
            "before": None,
            "after": after,
            "prev_hash": GENESIS_HASH,
        }
        row["hash"] = row_hash(audit_hashed_content(row))
        audit = sa.table(
            "audit_log",
            *(sa.column(k) for k in row if k not in ("before", "after")),
            sa.column("before", sa.JSON()),
            sa.column("after", sa.JSON()),
        )
        with engine.begin() as connection:
            _insert_entry(connection, "2027-03-01")
            connection.execute(audit.insert().values(**row))
            connection.execute(
                sa.text("UPDATE ledger_counters SET value = 1, last_hash = :h WHERE name = 'audit'"), {"h": row["hash"]}
            )
        upgrade()
        with engine.connect() as connection:
            audited = connection.execute(sa.text("SELECT action, after FROM audit_log WHERE seq = 2")).one()
            event = connection.execute(
                sa.text("SELECT operation, payload FROM change_events ORDER BY seq DESC LIMIT 1")
            ).one()
        assert audited.action == "recompute"
        assert '"expires_on": "2027-02-28"' in audited.after or '"expires_on":"2027-02-28"' in audited.after
        assert event.operation == "recompute"
        assert "2027-02-28" in event.payload
        from registry.database import db

        assert verify_audit_chain(db.session()).ok
        engine.dispose()
