"""Reading and writing accounts (账户): the login name's rules, the one audited writer, the actor an
account stands for, and the lists the account pages show.

Every change to an account is written by `save`: the row and one hash-chained audit row (before,
after, who, why) in the same transaction. Accounts are no registry record the credit platform
receives, so no outbox event goes with them (as with API keys); `verify-audit` still compares every
account with the last state the chain holds for it (registry.ledger.check).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.errors import InvalidInput, NotFound
from registry.ledger import Actor, append_audit
from registry.messages import msg
from registry.models import Account, AuditLog, Authority

ROLES = ("admin", "supervisor", "screener", "platform")
STATUSES = ("active", "disabled")
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{2,63}")


def login_key(login: str) -> str:
    """The form login names are compared in: "Zhang.San" and "zhang.san" are one name."""
    return login.strip().lower()


def checked_login(login: str) -> str:
    """The login name as it will be kept, or InvalidInput saying what a login name may be."""
    login = login.strip()
    if not _LOGIN.fullmatch(login):
        raise InvalidInput.field(
            "login", msg("must be 3 to 64 letters, digits or . _ @ -, starting with a letter or a digit")
        )
    return login


def checked_name(name: str) -> str:
    """姓名: not empty, at most 100 characters."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput.field("name", "must not be left empty")
    if len(name) > 100:
        raise InvalidInput.field("name", msg("must be at most {count} characters", count=100))
    return name


def save(
    session: Session,
    account: Account,
    *,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    now: dt.datetime,
    reason: str | None = None,
) -> Account:
    """Write a new or changed account and its audit row (`before` None: created)."""
    account.updated_at = now
    if before is not None:
        account.version = before["version"] + 1
    session.add(account)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action=action,
        record_type="account",
        record_id=account.id,
        before=before,
        after=account.snapshot(),
        reason=reason,
    )
    return account


def get_account(session: Session, account_id: int) -> Account:
    found = session.get(Account, account_id)
    if found is None:
        raise NotFound(msg("account {id} does not exist", id=account_id))
    return found


def active_account(session: Session, account_id: int) -> Account | None:
    """The account a page session belongs to, if it may still sign in (not disabled)."""
    account = session.get(Account, account_id)
    return account if account is not None and account.status == "active" else None


def find_by_login(session: Session, login: str) -> Account | None:
    return session.scalars(sa.select(Account).where(Account.login_key == login_key(login))).one_or_none()


def actor_of(account: Account) -> Actor:
    """Who an account acts as. A screener acts for its agency (`name`, and the agency's screening key
    `key_id`: its screenings and dispositions are the agency's); every audit row names the person."""
    agency = account.role == "screener"
    return Actor(
        key_id=account.screening_key_id if agency else None,
        name=(account.organisation or account.name) if agency else account.name,
        role=account.role,
        authority_id=account.authority_id,
        account_id=account.id,
        person=account.name,
    )


def unit_of(session: Session, account: Account) -> str | None:
    """The unit an account belongs to, as the header shows it: its authority, else its organisation."""
    if account.authority_id is not None:
        authority = session.get(Authority, account.authority_id)
        return authority.name if authority is not None else None
    return account.organisation


def list_accounts(session: Session, authority_id: int | None = None) -> list[Account]:
    """Accounts by login name: all of them, or one authority's."""
    stmt = sa.select(Account).order_by(Account.login_key)
    if authority_id is not None:
        stmt = stmt.where(Account.authority_id == authority_id)
    return list(session.scalars(stmt))


def account_history(session: Session, account_id: int, limit: int = 50) -> list[AuditLog]:
    """The account's audit rows, newest first (sign-ins, failures, every change and who made it)."""
    return list(
        session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.record_type == "account", AuditLog.record_id == account_id)
            .order_by(AuditLog.seq.desc())
            .limit(limit)
        )
    )
