"""Signing in to the pages with an API key (登录), and the guards page views use.

A person signs in by pasting their API key once. The key is kept in the session cookie encrypted
(Fernet, keyed from the app's secret key), so the cookie is useless to read; the cookie itself is
Secure, HttpOnly and SameSite=Strict. Every request re-checks the key through the same cache as the
API (`registry.access.authenticate_cached`), so a revoked key stops working on pages within
`REGISTRY_KEY_CACHE_SECONDS` too, and an expired key the moment it expires (it signs the person
out, as a revoked one does). Forms carry a per-session CSRF token (`csrf_field()` in
templates, `check_csrf()` in views) on top of SameSite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup
from werkzeug.wrappers import Response

from registry import access
from registry.clock import CHINA
from registry.database import db
from registry.ledger import Actor
from registry.runtime import current_runtime

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
ROLE_NAMES = {"admin": "管理员", "supervisor": "监管部门", "screener": "交易中心 / 招标代理", "platform": "信用平台"}


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"registry-page-session:" + str(current_app.secret_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def page_actor() -> Actor | None:
    """Who is signed in on this request (None: nobody, or a key that no longer works)."""
    if "page_actor" in g:
        return cast(Actor | None, g.page_actor)
    found: Actor | None = None
    sealed = session.get("key")
    if sealed:
        try:
            secret = _fernet().decrypt(sealed.encode()).decode()
        except InvalidToken:
            secret = None
        if secret:
            found = _authenticated(secret)
        # Signed out since (the cookie replayed), or a cookie from before page sessions: refused.
        session_id = session.get("sid")
        if found is not None and not (
            isinstance(session_id, str) and access.page_session_live(db.session(), session_id, found)
        ):
            found = None
        if found is None:
            session.clear()  # revoked, expired, signed out or tampered: sign out
    g.page_actor = found
    return found


def _authenticated(secret: str) -> Actor | None:
    try:
        return access.authenticate_cached(db.session(), secret, current_runtime().keys)
    except access.KeyExpired:
        return None


def login_required(*roles: str) -> Callable[[F], F]:
    """Page guard: sign-in first (back here after), then one of `roles` (admin always passes), else 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            actor = page_actor()
            if actor is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if roles and actor.role != "admin" and actor.role not in roles:
                abort(403, description=f"此页面需要以下角色之一：{'、'.join(ROLE_NAMES.get(r, r) for r in roles)}")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="csrf" value="{}">').format(csrf_token())


def check_csrf() -> None:
    """Refuse a form POST whose token is not this session's (400)."""
    sent = request.form.get("csrf", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="表单已过期或来源不明，请刷新页面后重新提交。")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a person elsewhere after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


def _key_holder(secret: str) -> tuple[Actor | None, str | None]:
    """Who a pasted key signs in as, or why it does not (the message the form shows)."""
    try:
        actor = access.authenticate_cached(db.session(), secret, current_runtime().keys) if secret else None
    except access.KeyExpired as exc:  # the person holds the key: telling them when it ended is no leak
        return (
            None,
            f"密钥已于 {exc.expires_at.astimezone(CHINA):%Y-%m-%d %H:%M}（北京时间）过期，请向管理员申请新密钥。",
        )
    return actor, None if actor is not None else "密钥无效或已停用。"


def _start_session(actor: Actor, secret: str) -> None:
    """A fresh session for the key (nothing of the one before carries over), recorded so signing out ends it."""
    session.clear()
    session["key"] = _fernet().encrypt(secret.encode()).decode()
    session["sid"] = access.start_page_session(db.session(), actor)
    session.permanent = False
    flash(f"已登录：{actor.name}（{ROLE_NAMES.get(actor.role, actor.role)}）", "ok")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """登录: paste an API key."""
    error = None
    if request.method == "POST":
        check_csrf()
        secret = request.form.get("key", "").strip()
        actor, error = _key_holder(secret)
        if actor is not None:
            _start_session(actor, secret)
            return redirect(_safe_next(request.args.get("next")), code=303)
    return render_template("login.html", error=error, next=request.args.get("next", ""))


@bp.post("/logout")
def logout() -> Response:
    """退出."""
    check_csrf()
    session_id = session.get("sid")
    if isinstance(session_id, str):
        access.end_page_session(db.session(), session_id)  # a copy of the cookie no longer signs in
    session.clear()
    flash("已退出。", "ok")
    return redirect(url_for("home.index"), code=303)


def _secret_key(app: Flask) -> str:
    from registry import instance_secret

    return instance_secret(app, "SECRET_KEY", "secret_key")


def init_app(app: Flask) -> None:
    """Session settings for the pages, and template helpers."""
    app.secret_key = _secret_key(app)
    app.config.update(
        SESSION_COOKIE_NAME="registry_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
    )
    app.jinja_env.globals.update(csrf_field=csrf_field, page_actor=page_actor, role_names=ROLE_NAMES)
