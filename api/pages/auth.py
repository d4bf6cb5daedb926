"""Signing in to the pages (登录) and the guards page views use.

People sign in with their own account: 登录名, 密码 and, when they turned it on, 动态验证码
(registry.accounts: the lockout, the policy, the audit rows that name the person). API keys stay
for machine clients; a key of a role in `REGISTRY_PAGE_KEY_ROLES` (the administrators', by default)
may still sign in at /login/key (使用密钥登录).

The session cookie (Secure, HttpOnly, SameSite=Strict) carries the page session's random id, and
for a key the key itself, encrypted (Fernet, keyed from the app's secret key), so that every request
re-checks it through the API's key cache: a revoked key stops working on pages within
`REGISTRY_KEY_CACHE_SECONDS`. The session itself lives in the registry (registry.accounts.sessions):
signing out, disabling the account or changing its password ends it, and so do
`REGISTRY_SESSION_IDLE_MINUTES` without a page and `REGISTRY_SESSION_MAX_HOURS` after sign-in. Forms
carry a per-session CSRF token (`csrf_field()` in templates, `check_csrf()` in views) on top of
SameSite.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup
from werkzeug.wrappers import Response

from api.lifecycle import now
from api.pages.page_user import (
    PageUser,
    forget_page_user,
    key_roles,
    load_page_user,
    page_user,
    seal,
    start_session,
)
from registry import access
from registry.accounts.signin import sign_in
from registry.clock import CHINA
from registry.database import db
from registry.errors import NotAuthenticated
from registry.ledger import Actor
from registry.messages import render
from registry.runtime import current_runtime

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
ROLE_NAMES = {"admin": "管理员", "supervisor": "监管部门", "screener": "交易中心 / 招标代理", "platform": "信用平台"}
# The one page a person who must change their password may open (and sign out).
PASSWORD_ENDPOINTS = {"accounts.password", "auth.logout", "static"}


def page_actor() -> Actor | None:
    """Who is signed in on this request (None: nobody, or a session or key that no longer works)."""
    user = page_user()
    return user.actor if user is not None else None


def login_required(*roles: str) -> Callable[[F], F]:
    """Page guard: sign-in first (back here after), a new password first when one is due, then one of
    `roles` (admin always passes), else 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = page_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.must_change_password and request.endpoint not in PASSWORD_ENDPOINTS:
                return redirect(url_for("accounts.password"))
            role = user.actor.role
            if roles and role != "admin" and role not in roles:
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


def safe_next(target: str | None) -> str:
    """Only a path on this site: never send a person elsewhere after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


# --- 登录 with an account -------------------------------------------------------------------------


def _account_sign_in() -> Response | str:
    """Check the form; a refusal (the count of failures written) shows the form again, in words."""
    form = request.form
    runtime = current_runtime()
    try:
        signed = sign_in(
            db.session(),
            form.get("login", "").strip(),
            form.get("password", ""),
            form.get("code", ""),
            settings=runtime.accounts,
            box=runtime.secret_box,
            now=now(),
            source=request.remote_addr,
        )
    except NotAuthenticated as exc:
        # 200: the failure's count and audit row must be committed with the answer.
        return _login_page(render(exc.text, "zh"))
    start_session(signed.actor, signed.session_id)
    if signed.must_change_password:
        flash("请先设置新密码：临时密码或已到期的密码须在登录后立即修改。", "error")
        return redirect(url_for("accounts.password"), code=303)
    return redirect(safe_next(request.args.get("next")), code=303)


def _login_page(error: str | None = None) -> str:
    return render_template(
        "login.html",
        error=error,
        next=request.args.get("next", ""),
        login=request.form.get("login", "").strip()[:64],
        key_sign_in=bool(key_roles()),
        attempts=current_runtime().accounts.lockout_attempts,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """登录: 登录名, 密码 (and 动态验证码 when the account has a second factor)."""
    if request.method == "POST":
        check_csrf()
        return _account_sign_in()
    return _login_page()


# --- 使用密钥登录 -------------------------------------------------------------------------------------


def _key_holder(secret: str) -> tuple[Actor | None, str | None]:
    """Who a pasted key signs in as, or why it does not (the message the form shows)."""
    try:
        actor = access.authenticate_cached(db.session(), secret, current_runtime().keys) if secret else None
    except access.KeyExpired as exc:  # the person holds the key: telling them when it ended is no leak
        return (
            None,
            f"密钥已于 {exc.expires_at.astimezone(CHINA):%Y-%m-%d %H:%M}（北京时间）过期，请向管理员申请新密钥。",
        )
    if actor is None:
        return None, "密钥无效或已停用。"
    if actor.role not in key_roles():
        return None, "此密钥供系统对接使用，不能登录页面。请使用个人账户登录。"
    return actor, None


def _key_sign_in() -> Response | str:
    secret = request.form.get("key", "").strip()
    actor, error = _key_holder(secret)
    if actor is None:
        return render_template("login_key.html", error=error, next=request.args.get("next", ""))
    start_session(actor, None, key=seal(secret))
    return redirect(safe_next(request.args.get("next")), code=303)


@bp.route("/login/key", methods=["GET", "POST"])
def login_key() -> Response | str:
    """使用密钥登录: paste an API key (system administrators; REGISTRY_PAGE_KEY_ROLES)."""
    if not key_roles():
        abort(404)
    if request.method == "POST":
        check_csrf()
        return _key_sign_in()
    return render_template("login_key.html", error=None, next=request.args.get("next", ""))


@bp.post("/logout")
def logout() -> Response:
    """退出: the session ends in the registry, so a copy of the cookie no longer signs in."""
    check_csrf()
    forget_page_user()
    flash("已退出。", "ok")
    return redirect(url_for("home.index"), code=303)


def _secret_key(app: Flask) -> str:
    from registry import instance_secret

    return instance_secret(app, "SECRET_KEY", "secret_key")


def signed_in_as(user: PageUser) -> str:
    """How the header names who is signed in: 张三（监管部门，浙江省财政厅）."""
    role = ROLE_NAMES.get(user.actor.role, user.actor.role)
    return f"{user.person}（{role}{'，' + user.unit if user.unit else ''}）"


def init_app(app: Flask) -> None:
    """Session settings for the pages, who is signed in (read first, on every page), template helpers."""
    app.secret_key = _secret_key(app)
    app.config.update(
        SESSION_COOKIE_NAME="registry_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
    )
    app.before_request(load_page_user)
    app.jinja_env.globals.update(
        csrf_field=csrf_field,
        page_actor=page_actor,
        page_user=page_user,
        role_names=ROLE_NAMES,
        signed_in_as=signed_in_as,
    )
