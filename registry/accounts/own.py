"""A person's own account (本人账户): changing the password (修改密码) and the second factor
(双因素认证: turning it on after a right code, off with the password and a code).

A wrong current password counts as a failed sign-in: a session left open is no way to guess the
password at leisure. Changing the password ends every session of the account; the page then opens a
fresh one for the browser that changed it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from registry.accounts import passwords, totp
from registry.accounts.sessions import end_account_sessions
from registry.accounts.settings import AccountSettings, SecretBox
from registry.accounts.signin import AccountLocked, count_failure
from registry.accounts.store import get_account, save
from registry.errors import InvalidInput, NotPermitted
from registry.ledger import Actor
from registry.messages import msg
from registry.models import Account


def own_account(session: Session, actor: Actor) -> Account:
    """The signed-in person's account, or NotPermitted (an API key has no password here)."""
    if actor.account_id is None:
        raise NotPermitted(msg("only a person signed in with an account has a password and a second factor here"))
    return get_account(session, actor.account_id)


def _check_password(
    session: Session, account: Account, password: str, settings: AccountSettings, now: dt.datetime, field: str
) -> None:
    """The current password, or a failure counted as a sign-in's (a lock ends the account's sessions)."""
    if passwords.verify_password(account.password_hash, password):
        return
    if count_failure(session, account, settings, now, "wrong password on the account's own page"):
        end_account_sessions(session, account.id, now)
        raise AccountLocked(now + settings.lockout, settings.lockout_attempts)
    raise InvalidInput.field(field, "is not this account's password")


def change_password(
    session: Session,
    actor: Actor,
    current: str,
    new: str,
    repeated: str,
    *,
    settings: AccountSettings,
    now: dt.datetime,
) -> Account:
    """修改密码: the current one, the new one twice; the new one meets the policy and differs."""
    account = own_account(session, actor)
    _check_password(session, account, current, settings, now, "current")
    passwords.require_strong(new, account.login, "new")
    if new != repeated:
        raise InvalidInput.field("repeat", "is not the same as the new password")
    if new == current:
        raise InvalidInput.field("new", "must differ from the current password")
    before = account.snapshot()
    account.password_hash = passwords.hash_password(new)
    account.must_change_password = False
    account.password_changed_at = now
    end_account_sessions(session, account.id, now)
    return save(session, account, actor=actor, action="change_password", before=before, now=now)


def enable_totp(session: Session, actor: Actor, secret: str, code: str, *, box: SecretBox, now: dt.datetime) -> Account:
    """开启双因素认证 with `secret`, once the person typed the code their app shows for it."""
    account = own_account(session, actor)
    step = totp.accepted_step(secret, code, now, None)
    if step is None:
        raise InvalidInput.field("code", "is not the code the app shows now; check the phone's clock and try again")
    before = account.snapshot()
    account.totp_sealed, account.totp_last_step = box.seal(secret), step
    return save(session, account, actor=actor, action="enable_totp", before=before, now=now)


def disable_totp(
    session: Session,
    actor: Actor,
    password: str,
    code: str,
    *,
    box: SecretBox,
    settings: AccountSettings,
    now: dt.datetime,
) -> Account:
    """关闭双因素认证: with the password and a current code (a lost phone: an administrator resets)."""
    account = own_account(session, actor)
    if account.totp_sealed is None:
        return account
    _check_password(session, account, password, settings, now, "password")
    secret = box.open(account.totp_sealed)
    if secret is None or totp.accepted_step(secret, code, now, account.totp_last_step) is None:
        raise InvalidInput.field("code", "is not the code the app shows now; check the phone's clock and try again")
    before = account.snapshot()
    account.totp_sealed, account.totp_last_step = None, None
    return save(session, account, actor=actor, action="disable_totp", before=before, now=now)
