"""Who is signed in on a page request (当前登录人), read once, first thing, from the session cookie and
the registry's page session; and the cookie's sealed contents.

Read before any view (`load_page_user`, a before-request hook), so that noting the session as seen
(once a minute: its idle clock starts again) is the request's first write: a GET that notes it
becomes a writing request from there on (`api.lifecycle.begin_writing`, committed by the lifecycle).
A screening's reads-first POST notes nothing: the next page does.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, flash, g, request, session

from api.lifecycle import begin_writing
from registry import access
from registry.accounts.sessions import (
    IDLE,
    TOO_LONG,
    end_page_session,
    live_page_session,
    start_page_session,
    touch_page_session,
)
from registry.accounts.signin import password_due
from registry.accounts.store import active_account, actor_of, unit_of
from registry.database import db, write_intent
from registry.ledger import Actor
from registry.runtime import current_runtime


@dataclass(frozen=True)
class PageUser:
    """The person (or key) signed in: who they act as, how the header names them, what they may open."""

    actor: Actor
    person: str  # 姓名, or a key's holder
    unit: str | None  # 所属机关 or 所属单位
    account_id: int | None  # None: signed in with a key
    must_change_password: bool
    manages_accounts: bool  # may open 账户管理


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"registry-page-session:" + str(current_app.secret_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str) -> str:
    """Encrypt `text` for the session cookie (a key, a second factor being enrolled)."""
    return _fernet().encrypt(text.encode()).decode()


def unseal(sealed: object) -> str | None:
    """What `seal` put in the cookie, or None (absent, or not sealed by this app)."""
    if not isinstance(sealed, str):
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def key_roles() -> set[str]:
    """The roles whose keys may sign in to the pages (REGISTRY_PAGE_KEY_ROLES)."""
    return {r.strip() for r in str(current_app.config["PAGE_KEY_ROLES"] or "").split(",") if r.strip()}


ENDED_WORDS = {
    IDLE: "由于 {minutes} 分钟未操作，您已自动退出，请重新登录。",
    TOO_LONG: "登录已超过 {hours} 小时，请重新登录。",
}


def page_user() -> PageUser | None:
    """Who is signed in on this request; a cookie that signs nobody in any more is cleared."""
    if "page_user" in g:
        found: PageUser | None = g.page_user
        return found
    user = _signed_in() if session.get("sid") is not None else None
    if user is None and "sid" in session:
        session.clear()  # ended, idle, revoked, disabled or tampered: signed out
        ended = g.pop("session_ended", None)
        if ended is not None:
            settings = current_runtime().accounts
            hours = settings.absolute.total_seconds() / 3600
            flash(ENDED_WORDS[ended].format(minutes=settings.idle.seconds // 60, hours=f"{hours:g}"), "error")
    g.page_user = user
    return user


def load_page_user() -> None:
    """Before every page: read who is signed in first (the JSON API and the stylesheet have no cookie)."""
    if not request.path.startswith(("/api/", "/static/")):
        page_user()


def _signed_in() -> PageUser | None:
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None
    runtime = current_runtime()
    moment = runtime.clock.now()
    live, why = live_page_session(db.session(), session_id, moment, runtime.accounts)
    if live is None:
        if why in ENDED_WORDS:
            g.session_ended = why
        return None
    if live.touch_due:
        _touch(session_id)
    if live.account_id is not None:
        return _account_user(live.account_id)
    return _key_user(live.api_key_id)


def _touch(session_id: str) -> None:
    """Note that the session was seen: in a writing request's transaction, or a GET's turned writing."""
    if not write_intent.get():
        if request.method not in ("GET", "HEAD"):
            return  # a reads-first POST (a screening) must not take the write lock for this
        begin_writing()
    touch_page_session(db.session(), session_id, current_runtime().clock.now())


def _account_user(account_id: int) -> PageUser | None:
    account = active_account(db.session(), account_id)
    if account is None:
        return None
    runtime = current_runtime()
    return PageUser(
        actor=actor_of(account),
        person=account.name,
        unit=unit_of(db.session(), account),
        account_id=account.id,
        must_change_password=password_due(account, runtime.accounts, runtime.clock.now()),
        manages_accounts=account.role == "admin" or account.manages_accounts,
    )


def _key_user(api_key_id: int | None) -> PageUser | None:
    secret = unseal(session.get("key"))
    if secret is None:
        return None
    try:
        actor = access.authenticate_cached(db.session(), secret, current_runtime().keys)
    except access.KeyExpired:
        return None
    if actor is None or actor.key_id != api_key_id or actor.role not in key_roles():
        return None
    return PageUser(actor, actor.name, None, None, False, actor.role == "admin")


def start_session(actor: Actor, session_id: str | None, *, key: str | None = None, greet: bool = True) -> None:
    """A fresh cookie for a new sign-in (nothing of the one before carries over): the page session's
    id (opened here for a key), and for a key the key, sealed."""
    if session_id is None:
        session_id = start_page_session(db.session(), actor, current_runtime().clock.now())
    session.clear()
    session["sid"] = session_id
    if key is not None:
        session["key"] = key
    session.permanent = False
    g.pop("page_user", None)
    if greet:
        flash(f"已登录：{actor.person or actor.name}", "ok")


def forget_page_user() -> None:
    """Sign out: end the page session in the registry and clear the cookie."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        end_page_session(db.session(), session_id, current_runtime().clock.now())
    session.clear()
    g.page_user = None
