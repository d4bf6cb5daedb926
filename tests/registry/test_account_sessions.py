"""Page sessions of accounts (idle and absolute expiry, ended by changes to the account) and the audit
rows people's actions write (they name the person; the chain stays verifiable, old rows unchanged)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.accounts.manage import disable_account, reset_password
from registry.accounts.own import change_password
from registry.accounts.sessions import IDLE, TOO_LONG, live_page_session, start_page_session, touch_page_session
from registry.accounts.settings import AccountSettings
from registry.accounts.store import actor_of
from registry.ledger import GENESIS_HASH, OPERATOR, row_hash
from registry.ledger.check import verify_ledgers
from registry.models import Account, AuditLog
from registry.models.ledger import AUDIT_HASHED_FIELDS, audit_hashed_content
from registry.records import entities
from registry.runtime import Runtime
from tests import factories

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
SETTINGS = AccountSettings()


def _account(session: Session, login: str = "zhang.san") -> tuple[int, str]:
    finance = factories.make_authority(session)
    account = factories.make_account(session, login, authority=finance)
    session_id = start_page_session(session, actor_of(account), NOW)
    session.commit()
    return account.id, session_id


def test_a_session_ends_after_thirty_idle_minutes_and_a_page_starts_the_clock_again(session: Session) -> None:
    _, sid = _account(session)
    live, _ = live_page_session(session, sid, NOW + dt.timedelta(seconds=59), SETTINGS)
    assert live is not None
    assert not live.touch_due
    live, _ = live_page_session(session, sid, NOW + dt.timedelta(minutes=29), SETTINGS)
    assert live is not None
    assert live.touch_due
    touch_page_session(session, sid, NOW + dt.timedelta(minutes=29))
    session.commit()
    session.expire_all()
    assert live_page_session(session, sid, NOW + dt.timedelta(minutes=58), SETTINGS)[0] is not None
    assert live_page_session(session, sid, NOW + dt.timedelta(minutes=59), SETTINGS) == (None, IDLE)


def test_no_session_outlasts_the_absolute_limit(session: Session) -> None:
    _, sid = _account(session)
    moment = NOW
    while moment < NOW + dt.timedelta(hours=12) - dt.timedelta(minutes=20):
        moment += dt.timedelta(minutes=20)
        touch_page_session(session, sid, moment)
    session.commit()
    session.expire_all()
    assert live_page_session(session, sid, moment, SETTINGS)[0] is not None
    assert live_page_session(session, sid, NOW + dt.timedelta(hours=12), SETTINGS) == (None, TOO_LONG)


def test_the_idle_limit_is_measured_with_the_apps_clock(session: Session, runtime: Runtime) -> None:
    _, sid = _account(session)
    runtime.clock.fixed = NOW + dt.timedelta(minutes=31)
    assert live_page_session(session, sid, runtime.clock.now(), runtime.accounts) == (None, IDLE)


def test_disabling_resetting_or_changing_the_password_ends_the_accounts_sessions(session: Session) -> None:
    account_id, sid = _account(session)
    changes = (
        lambda: change_password(
            session,
            actor_of(session.get_one(Account, account_id)),
            factories.PASSWORD,
            "New-password-2026",
            "New-password-2026",
            settings=SETTINGS,
            now=NOW,
        ),
        lambda: reset_password(session, account_id, OPERATOR, NOW),
        lambda: disable_account(session, account_id, OPERATOR, NOW),
    )
    for change in changes:
        sid = start_page_session(session, actor_of(session.get_one(Account, account_id)), NOW)
        change()
        session.commit()
        session.expire_all()
        assert live_page_session(session, sid, NOW, SETTINGS)[0] is None


def test_a_persons_change_names_the_person_and_the_chain_still_verifies(session: Session) -> None:
    finance = factories.make_authority(session)
    person = actor_of(factories.make_account(session, "zhang.san", name="张三", authority=finance))
    entity = entities.create_entity(
        session,
        {"kind": "legal_entity", "name": "杭州某某建设有限公司", "uscc": factories.code()},
        person,
        factories.VAULT,
    )
    session.commit()
    row = session.scalars(
        sa.select(AuditLog).where(AuditLog.record_type == "entity", AuditLog.record_id == entity.id)
    ).one()
    assert (row.actor_name, row.actor_account_id, row.actor_role) == ("张三", person.account_id, "supervisor")
    assert row.hashed_content()["actor_account_id"] == person.account_id
    assert verify_ledgers(session).ok


def test_rows_without_an_account_hash_as_they_did_before_the_column(session: Session) -> None:
    factories.make_authority(session)  # written by a key-less administrator: no account
    session.commit()
    row = session.scalars(sa.select(AuditLog).order_by(AuditLog.seq)).first()
    assert row is not None
    assert row.actor_account_id is None
    before_accounts = {name: getattr(row, name) for name in AUDIT_HASHED_FIELDS}
    assert "actor_account_id" not in audit_hashed_content(before_accounts)
    assert row_hash(audit_hashed_content(before_accounts)) == row.hash
    assert row.prev_hash == GENESIS_HASH


def test_an_account_edited_outside_the_registry_is_found(session: Session) -> None:
    account_id, _ = _account(session)
    assert verify_ledgers(session).ok
    session.execute(
        sa.text("UPDATE accounts SET role = 'admin', authority_id = NULL WHERE id = :id"), {"id": account_id}
    )
    problems = verify_ledgers(session).problems
    assert problems == [f"account {account_id} differs from its last audited state (edited outside the registry)"]
