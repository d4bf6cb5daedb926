"""账户管理: the accounts a manager may see, opening one, disabling, enabling, unlocking it, resetting
its password (registry.accounts.manage; who may do what is registry.accounts.scope).

A system administrator sees every account; an authority's account administrator its own
authority's, no other (another's is 404). A new or reset account's temporary password is shown once,
on a page never cached, to be handed to the person, who must change it at the next sign-in.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from api.lifecycle import now
from api.pages.account_words import WORDS, history_rows, private_page, refusal
from api.pages.auth import check_csrf, login_required, page_actor
from registry.accounts import manage
from registry.accounts.scope import Manager, manager_of, require_visible
from registry.accounts.store import account_history, get_account, list_accounts
from registry.database import db
from registry.errors import NotFound, NotPermitted, RegistryError
from registry.messages import render
from registry.models import Account
from registry.records.console_queries import all_authorities

bp = Blueprint("account_admin", __name__)
CHANGES = {
    "disable": (manage.disable_account, "已停用账户 {login}，其登录已全部退出。"),
    "enable": (manage.enable_account, "已启用账户 {login}。"),
    "unlock": (manage.unlock_account, "已解锁账户 {login}。"),
}


def _manager() -> Manager:
    actor = page_actor()
    if actor is None:  # login_required ran first
        abort(403)
    try:
        return manager_of(db.session(), actor)
    except NotPermitted as exc:
        abort(403, description=render(exc.text, "zh"))


def _visible(manager: Manager, account_id: int) -> Account:
    try:
        account = get_account(db.session(), account_id)
        require_visible(manager, account)
    except NotFound:
        abort(404, description="没有这个账户，或它不在您的管理范围内。")
    return account


@bp.get("/accounts")
@login_required("supervisor")
def index() -> str:
    """账户管理: the accounts of every authority (an administrator) or of one's own."""
    manager = _manager()
    accounts = list_accounts(db.session(), manager.authority_id)
    names = {a.id: a.name for a in all_authorities(db.session())}
    return render_template("accounts/list.html", accounts=accounts, names=names, manager=manager, now=now(), **WORDS)


# --- 开设账户 ---------------------------------------------------------------------------------------


def _typed(manager: Manager) -> manage.NewAccount:
    form = request.form
    authority = form.get("authority", "").strip()
    return manage.NewAccount(
        login=form.get("login", ""),
        name=form.get("name", ""),
        role=form.get("role", "") if manager.manages_all else "supervisor",
        authority_id=manager.authority_id or (int(authority) if authority.isdigit() else None),
        organisation=form.get("organisation", "") or None,
        manages_accounts=manager.manages_all and form.get("manages_accounts") == "1",
    )


def _form(manager: Manager, typed: manage.NewAccount | None, message: str | None, errors: dict[str, list[str]]) -> str:
    authorities = all_authorities(db.session())
    if not manager.manages_all:
        authorities = [a for a in authorities if a.id == manager.authority_id]
    return render_template(
        "accounts/new.html",
        manager=manager,
        typed=typed,
        message=message,
        errors=errors,
        authorities=authorities,
        **WORDS,
    )


def _issued(account: Account, secret: str, what: str) -> ResponseReturnValue:
    """The temporary password, once: to be handed to the person and changed at the next sign-in."""
    return private_page("accounts/issued.html", account=account, secret=secret, what=what, **WORDS)


def _create(manager: Manager) -> ResponseReturnValue:
    typed = _typed(manager)
    try:
        account, secret = manage.create_account(db.session(), typed, manager.actor, now())
    except NotPermitted as exc:
        abort(403, description=render(exc.text, "zh"))
    except RegistryError as exc:
        return _form(manager, typed, *refusal(exc)), exc.status
    return _issued(account, secret, "开设")


@bp.route("/accounts/new", methods=["GET", "POST"])
@login_required("supervisor")
def new() -> ResponseReturnValue:
    """开设账户: the person's login name, name, role and unit; a temporary password is issued."""
    manager = _manager()
    if request.method == "POST":
        check_csrf()
        return _create(manager)
    return _form(manager, None, None, {})


# --- one account ------------------------------------------------------------------------------------


@bp.get("/accounts/<int:account_id>")
@login_required("supervisor")
def detail(account_id: int) -> str:
    """One account: its state, what may be done to it, and its history (sign-ins, changes, who made them)."""
    manager = _manager()
    account = _visible(manager, account_id)
    history = history_rows(account_history(db.session(), account.id))
    names = {a.id: a.name for a in all_authorities(db.session())}
    return render_template(
        "accounts/detail.html", account=account, history=history, names=names, manager=manager, now=now(), **WORDS
    )


def _refused(exc: NotPermitted, account_id: int) -> ResponseReturnValue:
    flash(render(exc.text, "zh"), "error")
    return redirect(url_for("account_admin.detail", account_id=account_id), code=303)


def _change(manager: Manager, account_id: int, action: str) -> ResponseReturnValue:
    call, done = CHANGES[action]
    _visible(manager, account_id)
    try:
        account = call(db.session(), account_id, manager.actor, now())
    except NotPermitted as exc:
        return _refused(exc, account_id)
    flash(done.format(login=account.login), "ok")
    return redirect(url_for("account_admin.detail", account_id=account_id), code=303)


@bp.post("/accounts/<int:account_id>/<any(disable, enable, unlock):action>")
@login_required("supervisor")
def change(account_id: int, action: str) -> ResponseReturnValue:
    """停用, 启用 or 解锁 an account."""
    check_csrf()
    return _change(_manager(), account_id, action)


def _reset(manager: Manager, account_id: int) -> ResponseReturnValue:
    _visible(manager, account_id)
    clear_totp = request.form.get("clear_totp") == "1"
    try:
        account, secret = manage.reset_password(db.session(), account_id, manager.actor, now(), clear_totp=clear_totp)
    except NotPermitted as exc:
        return _refused(exc, account_id)
    return _issued(account, secret, "重置")


@bp.post("/accounts/<int:account_id>/reset-password")
@login_required("supervisor")
def reset(account_id: int) -> ResponseReturnValue:
    """重置密码: a temporary password, shown once; optionally the second factor turned off too."""
    check_csrf()
    return _reset(_manager(), account_id)
