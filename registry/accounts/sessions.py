"""Page sessions (登录会话) of people's accounts and of API keys: opened at sign-in, seen on each page,
ended on sign-out, when the account is disabled or its password changes, after
`REGISTRY_SESSION_IDLE_MINUTES` without a page (30 by default) and `REGISTRY_SESSION_MAX_HOURS` after
sign-in (12) whatever happens (登录连接超时自动退出).

The cookie carries the session's random id; only a SHA-256 of it is kept, so the table read by
someone else signs nobody in. A session is seen at most once a minute (`TOUCH_EVERY`): its idle
clock is measured to the minute, and a busy page costs no write per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.accounts.settings import TOUCH_EVERY, AccountSettings
from registry.errors import InvalidInput
from registry.ledger import Actor
from registry.models import PageSession

_SESSIONS = cast(sa.Table, PageSession.__table__)


def session_hash(session_id: str) -> str:
    return hashlib.sha256(("page-session:" + session_id).encode()).hexdigest()


def start_page_session(session: Session, actor: Actor, now: dt.datetime) -> str:
    """Open a page session for a person's account or an API key; returns its id for the cookie."""
    if actor.account_id is not None:
        row = PageSession(account_id=actor.account_id, api_key_id=None)
    elif actor.key_id is not None:
        row = PageSession(api_key_id=actor.key_id, account_id=None)
    else:
        raise InvalidInput.field("key", "only an account or an API key signs in to the pages")
    session_id = secrets.token_urlsafe(32)
    row.id_hash, row.started_at, row.last_seen_at = session_hash(session_id), now, now
    session.add(row)
    return session_id


@dataclass(frozen=True)
class LiveSession:
    """A page session still open: whose it is, and whether it is time to note that it was seen."""

    account_id: int | None
    api_key_id: int | None
    touch_due: bool


# Why a session no longer signs anyone in (the page says so in words).
ENDED, IDLE, TOO_LONG = "ended", "idle", "too_long"


def live_page_session(
    session: Session, session_id: str, now: dt.datetime, settings: AccountSettings
) -> tuple[LiveSession | None, str | None]:
    """The session if it is open (not ended, not idle too long, not open too long), else None and why."""
    row = session.get(PageSession, session_hash(session_id))
    if row is None or row.ended_at is not None:
        return None, ENDED
    seen = row.last_seen_at or row.started_at
    if now - seen >= settings.idle:
        return None, IDLE
    if now - row.started_at >= settings.absolute:
        return None, TOO_LONG
    return LiveSession(row.account_id, row.api_key_id, now - seen >= TOUCH_EVERY), None


def touch_page_session(session: Session, session_id: str, now: dt.datetime) -> None:
    """Note that the session was seen now: its idle clock starts again."""
    session.execute(
        sa.update(_SESSIONS)
        .where(_SESSIONS.c.id_hash == session_hash(session_id), _SESSIONS.c.ended_at.is_(None))
        .values(last_seen_at=now)
    )


def end_page_session(session: Session, session_id: str, now: dt.datetime) -> None:
    """Sign out: the session ends here, so the cookie, replayed, no longer signs anyone in."""
    session.execute(
        sa.update(_SESSIONS)
        .where(_SESSIONS.c.id_hash == session_hash(session_id), _SESSIONS.c.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_account_sessions(session: Session, account_id: int, now: dt.datetime) -> int:
    """End every open session of an account (disabled, password changed or reset); how many."""
    result = session.execute(
        sa.update(_SESSIONS)
        .where(_SESSIONS.c.account_id == account_id, _SESSIONS.c.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
