"""Signing in with an account (登录): 登录名, 密码 and, when the account has it, 动态验证码; and the
lockout (登录失败处理).

- A wrong name, password or code gets the same words, and a name no account has costs the same
  Argon2 check as a real one (`waste_time_like_a_check`).
- `lockout_attempts` failures in a row (5 by default), each within `lockout` of the one before,
  lock the account for `lockout` (15 minutes by default); the words then say it is locked and
  until when. Failures under a name no account has are counted the same way (`SignInFailure`), so
  the lock says nothing about whether a name exists. While locked, no password is checked.
- A disabled account is said to be disabled only to someone who gave its password.
- Every success, failure and lock of a real account is an audit row on the account, with the
  address it came from; a success opens a page session (registry.accounts.sessions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.accounts import passwords, totp
from registry.accounts.sessions import start_page_session
from registry.accounts.settings import AccountSettings, SecretBox
from registry.accounts.store import actor_of, find_by_login, login_key, save
from registry.clock import CHINA
from registry.errors import NotAuthenticated
from registry.ledger import Actor
from registry.messages import msg
from registry.models import Account, SignInFailure

# Who writes the audit row of a failed sign-in: nobody known yet, at the sign-in page.
SIGN_IN_PAGE = Actor(key_id=None, name="sign-in page", role="public")


class SignInRefused(NotAuthenticated):
    """登录失败: the same words for a wrong name, password or code."""

    def __init__(self) -> None:
        super().__init__(msg("the login name, the password or the code is wrong"))


class AccountLocked(NotAuthenticated):
    """The account (or the name) is locked after failed sign-ins, until `until`."""

    def __init__(self, until: dt.datetime, attempts: int) -> None:
        super().__init__(
            msg(
                "this account is locked after {count} failed sign-ins in a row; try again after {until} "
                "(China time), or ask an account administrator to unlock it",
                count=attempts,
                until=f"{until.astimezone(CHINA):%Y-%m-%d %H:%M}",
            )
        )
        self.until = until


class AccountDisabled(NotAuthenticated):
    def __init__(self) -> None:
        super().__init__(msg("this account is disabled; ask an account administrator"))


@dataclass(frozen=True)
class SignedIn:
    """A person signed in: their account, who they act as, the page session's id for the cookie, and
    whether they must change their password before anything else (a temporary one, or too old)."""

    account: Account
    actor: Actor
    session_id: str
    must_change_password: bool


def password_due(account: Account, settings: AccountSettings, now: dt.datetime) -> bool:
    """Whether the account must change its password now: a temporary one, or older than the maximum age."""
    if account.must_change_password:
        return True
    return settings.password_max_age is not None and now - account.password_changed_at >= settings.password_max_age


def sign_in(
    session: Session,
    login: str,
    password: str,
    code: str,
    *,
    settings: AccountSettings,
    box: SecretBox,
    now: dt.datetime,
    source: str | None = None,
) -> SignedIn:
    """Check a sign-in; raise SignInRefused, AccountLocked or AccountDisabled, else open a session.

    Failures are written (the count, the lock, the audit row) before the refusal is raised: the
    caller commits them although the sign-in failed."""
    account = find_by_login(session, login) if len(login) <= 64 else None
    if account is None:
        _refuse_unknown(session, login_key(login)[:64], password, settings, now)
    if account.locked_until is not None and account.locked_until > now:
        raise AccountLocked(account.locked_until, settings.lockout_attempts)
    code_right, step = _second_factor(account, code, box, now)
    if not (passwords.verify_password(account.password_hash, password) and code_right):
        if count_failure(session, account, settings, now, _from(source)):
            raise AccountLocked(now + settings.lockout, settings.lockout_attempts)
        raise SignInRefused
    if account.status != "active":
        raise AccountDisabled
    before = account.snapshot()
    account.failed_attempts, account.last_failed_at, account.locked_until = 0, None, None
    account.last_sign_in_at = now
    if step is not None:
        account.totp_last_step = step
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    save(session, account, actor=actor_of(account), action="sign_in", before=before, now=now, reason=_from(source))
    actor = actor_of(account)
    return SignedIn(account, actor, start_page_session(session, actor, now), password_due(account, settings, now))


def _from(source: str | None) -> str | None:
    return f"from {source}" if source else None


def _second_factor(account: Account, code: str, box: SecretBox, now: dt.datetime) -> tuple[bool, int | None]:
    """Whether the second factor holds (it does for an account without one), and the code's time step."""
    if account.totp_sealed is None:
        return True, None
    secret = box.open(account.totp_sealed)
    step = totp.accepted_step(secret, code, now, account.totp_last_step) if secret else None
    return step is not None, step


def count_failure(
    session: Session, account: Account, settings: AccountSettings, now: dt.datetime, reason: str | None
) -> bool:
    """One more failure in a row (the count starts again when the last is older than `lockout`);
    at `lockout_attempts` the account locks for `lockout`. Whether it locked now."""
    before = account.snapshot()
    if account.last_failed_at is None or now - account.last_failed_at >= settings.lockout:
        account.failed_attempts = 0
    account.failed_attempts += 1
    account.last_failed_at = now
    locked = account.failed_attempts >= settings.lockout_attempts
    if locked:
        account.locked_until = now + settings.lockout
    action = "lock" if locked else "sign_in_failed"
    save(session, account, actor=SIGN_IN_PAGE, action=action, before=before, now=now, reason=reason)
    return locked


def _refuse_unknown(session: Session, key: str, password: str, settings: AccountSettings, now: dt.datetime) -> NoReturn:
    """A name no account has: refused in the words, time and count a real account's failure takes."""
    row = session.get(SignInFailure, key)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise AccountLocked(row.locked_until, settings.lockout_attempts)
    passwords.waste_time_like_a_check(password)
    record_unknown_failure(session, key, settings, now, row)


def record_unknown_failure(
    session: Session, key: str, settings: AccountSettings, now: dt.datetime, row: SignInFailure | None
) -> NoReturn:
    """Count a failure under a name no account has; forget those that no longer count. Always raises.

    Not audited: no record is changed, and whoever types names at random must not grow the chain."""
    stale = now - settings.lockout
    session.execute(
        sa.delete(SignInFailure).where(
            SignInFailure.last_failed_at < stale,
            sa.or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until <= now),
            SignInFailure.login_key != key,
        )
    )
    if row is None:
        row = SignInFailure(login_key=key, failed_attempts=0, last_failed_at=now)
        session.add(row)
    elif now - row.last_failed_at >= settings.lockout:
        row.failed_attempts = 0
    row.failed_attempts += 1
    row.last_failed_at = now
    row.locked_until = now + settings.lockout if row.failed_attempts >= settings.lockout_attempts else None
    session.flush()
    if row.locked_until is not None:
        raise AccountLocked(row.locked_until, settings.lockout_attempts)
    raise SignInRefused
