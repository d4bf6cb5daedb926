"""A person's own account (我的账户): who they are, their recent sign-ins, 修改密码 and 双因素认证.

Only for a person signed in with an account (a key has no password here: 403). A wrong current
password counts as a failed sign-in (registry.accounts.own): when it locks the account, the person
is signed out. A refused form is shown again with status 200, so that such a count is committed.
The second factor's secret waits in the session cookie, sealed, until a right code turns it on; its
page is never cached.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from api.lifecycle import now
from api.pages.account_words import WORDS, history_rows, private_page, refusal
from api.pages.auth import check_csrf, login_required
from api.pages.page_user import PageUser, forget_page_user, page_user, seal, start_session, unseal
from registry.accounts import totp
from registry.accounts.own import change_password, disable_totp, enable_totp, own_account
from registry.accounts.signin import AccountLocked
from registry.accounts.store import account_history
from registry.database import db
from registry.errors import InvalidInput, NotPermitted
from registry.messages import render
from registry.models import Account
from registry.runtime import current_runtime

bp = Blueprint("accounts", __name__)


def _user() -> PageUser:
    user = page_user()
    if user is None:  # login_required ran first
        abort(403)
    return user


def _account() -> Account:
    try:
        return own_account(db.session(), _user().actor)
    except NotPermitted:
        abort(403, description="使用密钥登录时没有个人账户：修改密码和双因素认证只适用于个人账户。")


def _locked_out(exc: AccountLocked) -> ResponseReturnValue:
    """The current password was wrong once too often: the account is locked and the person signed out."""
    forget_page_user()
    flash(render(exc.text, "zh"), "error")
    return redirect(url_for("auth.login"), code=303)


@bp.get("/account")
@login_required()
def own() -> str:
    """我的账户."""
    account = _account()
    history = history_rows(account_history(db.session(), account.id, 15))
    return render_template("accounts/own.html", account=account, user=_user(), history=history, now=now(), **WORDS)


# --- 修改密码 ---------------------------------------------------------------------------------------


def _change_password() -> ResponseReturnValue:
    form, runtime = request.form, current_runtime()
    try:
        change_password(
            db.session(),
            _user().actor,
            form.get("current", ""),
            form.get("new", ""),
            form.get("repeat", ""),
            settings=runtime.accounts,
            now=now(),
        )
    except AccountLocked as exc:
        return _locked_out(exc)
    except InvalidInput as exc:
        message, errors = refusal(exc)
        return render_template("accounts/password.html", message=message, errors=errors, account=_account(), **WORDS)
    start_session(_user().actor, None, greet=False)  # every session ended with the old password: a new one here
    flash("密码已修改。本账户在其他浏览器或设备上的登录均已退出。", "ok")
    return redirect(url_for("accounts.own"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def password() -> ResponseReturnValue:
    """修改密码 (also the first page after signing in with a temporary or an expired password)."""
    if request.method == "POST":
        check_csrf()
        return _change_password()
    return render_template("accounts/password.html", message=None, errors={}, account=_account(), **WORDS)


# --- 双因素认证 -------------------------------------------------------------------------------------


def _pending_secret() -> str:
    """The secret being enrolled: kept sealed in the cookie until a right code turns it on."""
    secret = unseal(session.get("totp_pending"))
    if secret is None:
        secret = totp.new_secret()
        session["totp_pending"] = seal(secret)
    return secret


def _totp_page(message: str | None = None, errors: dict[str, list[str]] | None = None) -> ResponseReturnValue:
    account = _account()
    context: dict[str, Any] = {"account": account, "message": message, "errors": errors or {}, **WORDS}
    if not account.totp_enabled:
        secret = _pending_secret()
        uri = totp.provisioning_uri(secret, account.login)
        qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#1d2329")
        context.update(secret=totp.grouped(secret), uri=uri, qr=qr)
    return private_page("accounts/totp.html", **context)


def _enable_totp() -> ResponseReturnValue:
    secret = unseal(session.get("totp_pending"))
    if secret is None:
        return _totp_page("页面已过期，请用验证器重新扫描下面的二维码。")
    runtime = current_runtime()
    try:
        enable_totp(
            db.session(), _user().actor, secret, request.form.get("code", ""), box=runtime.secret_box, now=now()
        )
    except InvalidInput as exc:
        return _totp_page(*refusal(exc))
    session.pop("totp_pending", None)
    flash("双因素认证已开启：今后登录时须同时输入验证器显示的动态验证码。", "ok")
    return redirect(url_for("accounts.own"), code=303)


@bp.route("/account/totp", methods=["GET", "POST"])
@login_required()
def second_factor() -> ResponseReturnValue:
    """双因素认证: scan the QR code (or type the key), then a code turns it on."""
    if request.method == "POST":
        check_csrf()
        return _enable_totp()
    return _totp_page()


def _disable_totp() -> ResponseReturnValue:
    form, runtime = request.form, current_runtime()
    try:
        disable_totp(
            db.session(),
            _user().actor,
            form.get("password", ""),
            form.get("code", ""),
            box=runtime.secret_box,
            settings=runtime.accounts,
            now=now(),
        )
    except AccountLocked as exc:
        return _locked_out(exc)
    except InvalidInput as exc:
        return _totp_page(*refusal(exc))
    flash("双因素认证已关闭。", "ok")
    return redirect(url_for("accounts.own"), code=303)


@bp.post("/account/totp/off")
@login_required()
def second_factor_off() -> ResponseReturnValue:
    """关闭双因素认证: with the password and a current code."""
    check_csrf()
    return _disable_totp()
