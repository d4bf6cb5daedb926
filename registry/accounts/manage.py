"""Managing accounts (账户管理): create, disable and enable, unlock, reset a password. Who may do what
to which account is registry.accounts.scope; every change is one audited `save`.

A new account and a reset one get a temporary password (临时密码), shown once to the manager who
hands it over and to be changed at the person's next sign-in; the manager never chooses a person's
password. Disabling an account or resetting its password ends its page sessions at once.

A screener's account acts for its agency (所属单位): its screenings are filed under the agency's
screening key, the oldest API key of role screener with the agency's name, so the agency's people
and its own system see the same screenings and earlier dispositions (registry.screening). An agency
without a key gets one made for it, whose secret is thrown away at once: it files screenings, and
signs nothing in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import access
from registry.accounts.passwords import hash_password, require_strong, temporary_password
from registry.accounts.scope import manager_of, require_manageable, require_may_grant
from registry.accounts.sessions import end_account_sessions
from registry.accounts.store import ROLES, checked_login, checked_name, find_by_login, get_account, login_key, save
from registry.errors import Conflict, InvalidInput
from registry.ledger import Actor
from registry.messages import msg
from registry.models import Account, ApiKey, Authority


@dataclass(frozen=True)
class NewAccount:
    """What a manager fills in for a new account."""

    login: str
    name: str
    role: str
    authority_id: int | None = None
    organisation: str | None = None
    manages_accounts: bool = False


def _checked(session: Session, data: NewAccount) -> NewAccount:
    """The new account's fields as they will be kept, or InvalidInput naming the field."""
    if data.role not in ROLES:
        raise InvalidInput.field("role", msg("must be one of {values}", values=", ".join(ROLES)))
    if data.role == "supervisor":
        if data.authority_id is None:
            raise InvalidInput.field("authority", "a supervisor account is bound to one authority")
        if session.get(Authority, data.authority_id) is None:
            raise InvalidInput.field("authority", msg("authority {id} does not exist", id=data.authority_id))
    elif data.authority_id is not None:
        raise InvalidInput.field("authority", "only supervisor accounts are bound to an authority")
    organisation = " ".join((data.organisation or "").split()) or None
    if data.role == "screener" and organisation is None:
        raise InvalidInput.field("organisation", "a screener account names its agency (所属单位)")
    if organisation is not None and len(organisation) > 200:
        raise InvalidInput.field("organisation", msg("must be at most {count} characters", count=200))
    if data.manages_accounts and data.role != "supervisor":
        raise InvalidInput.field("manages_accounts", "only a supervisor account manages its authority's accounts")
    return NewAccount(
        checked_login(data.login),
        checked_name(data.name),
        data.role,
        data.authority_id,
        organisation,
        data.manages_accounts,
    )


def create_account(
    session: Session, data: NewAccount, actor: Actor, now: dt.datetime, *, password: str | None = None
) -> tuple[Account, str]:
    """Create an account; returns it and its password, shown once: a temporary one to be changed at
    the first sign-in, or `password` as given (the first administrator, from the command line)."""
    require_may_grant(
        manager_of(session, actor),
        role=data.role,
        authority_id=data.authority_id,
        manages_accounts=data.manages_accounts,
    )
    data = _checked(session, data)
    if find_by_login(session, data.login) is not None:
        raise Conflict(msg("the login name {login} is taken", login=data.login))
    if password is not None:
        require_strong(password, data.login)
    secret = password if password is not None else temporary_password()
    account = Account(
        login=data.login,
        login_key=login_key(data.login),
        name=data.name,
        role=data.role,
        manages_accounts=data.manages_accounts,
        authority_id=data.authority_id,
        organisation=data.organisation,
        password_hash=hash_password(secret),
        must_change_password=password is None,
        password_changed_at=now,
        status="active",
        failed_attempts=0,
        created_at=now,
        version=1,
    )
    if data.role == "screener" and data.organisation is not None:
        account.screening_key_id = screening_key(session, data.organisation, actor)
    save(session, account, actor=actor, action="create", before=None, now=now)
    return account, secret


def screening_key(session: Session, organisation: str, actor: Actor) -> int:
    """The agency's screening key: its oldest screener key, or a new one whose secret nobody gets."""
    found = session.scalar(
        sa.select(ApiKey.id).where(ApiKey.role == "screener", ApiKey.name == organisation).order_by(ApiKey.id).limit(1)
    )
    if found is not None:
        return int(found)
    key, _unissued = access.create_key(session, role="screener", name=organisation, actor=actor)
    return key.id


def _managed(session: Session, account_id: int, actor: Actor) -> Account:
    account = get_account(session, account_id)
    require_manageable(manager_of(session, actor), account)
    return account


def disable_account(session: Session, account_id: int, actor: Actor, now: dt.datetime, reason: str = "") -> Account:
    """停用: the account signs in no more and its open sessions end now."""
    account = _managed(session, account_id, actor)
    if account.status == "disabled":
        return account
    before = account.snapshot()
    account.status = "disabled"
    end_account_sessions(session, account.id, now)
    return save(session, account, actor=actor, action="disable", before=before, now=now, reason=reason.strip() or None)


def enable_account(session: Session, account_id: int, actor: Actor, now: dt.datetime) -> Account:
    """启用 a disabled account again (with the password it had)."""
    account = _managed(session, account_id, actor)
    if account.status == "active":
        return account
    before = account.snapshot()
    account.status = "active"
    return save(session, account, actor=actor, action="enable", before=before, now=now)


def unlock_account(session: Session, account_id: int, actor: Actor, now: dt.datetime) -> Account:
    """解锁 an account locked after failed sign-ins, before its lock runs out."""
    account = _managed(session, account_id, actor)
    before = account.snapshot()
    account.failed_attempts, account.last_failed_at, account.locked_until = 0, None, None
    return save(session, account, actor=actor, action="unlock", before=before, now=now)


def reset_password(
    session: Session, account_id: int, actor: Actor, now: dt.datetime, *, clear_totp: bool = False
) -> tuple[Account, str]:
    """重置密码: a temporary password (returned, shown once) to be changed at the next sign-in; the
    account is unlocked and its sessions end. `clear_totp` also turns its second factor off (a
    lost phone): the person enrols again after signing in."""
    account = _managed(session, account_id, actor)
    before = account.snapshot()
    secret = temporary_password()
    account.password_hash = hash_password(secret)
    account.must_change_password = True
    account.password_changed_at = now
    account.failed_attempts, account.last_failed_at, account.locked_until = 0, None, None
    if clear_totp:
        account.totp_sealed, account.totp_last_step = None, None
    end_account_sessions(session, account.id, now)
    reason = "second factor turned off too" if clear_totp else None
    save(session, account, actor=actor, action="reset_password", before=before, now=now, reason=reason)
    return account, secret
