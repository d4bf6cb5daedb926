"""Signing in with a personal account through the pages: the form, the lockout in words, a temporary
password changed first, the second factor, idle expiry, and the audit rows of a page action."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry.accounts import totp
from registry.accounts.manage import NewAccount, create_account
from registry.ledger import OPERATOR
from registry.models import Account, AuditLog, Entity
from registry.runtime import Runtime
from tests import factories
from tests.pages.conftest import csrf_of, sign_in

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def account_sign_in(
    client: FlaskClient, login: str, password: str = factories.PASSWORD, code: str = "", next_path: str | None = None
) -> TestResponse:
    """Sign in through the login form with an account, as a person would."""
    form = client.get("/login").get_data(as_text=True)
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"csrf": csrf_of(form), "login": login, "password": password, "code": code})


def https_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # the session cookie is Secure
    return client


def post_form(client: FlaskClient, path: str, data: dict[str, str], page: str = "/") -> TestResponse:
    token = csrf_of(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf": token, **data})


@pytest.fixture
def finance(session: Session) -> factories.Authority:
    return factories.make_authority(session, "浙江省财政厅")


@pytest.fixture
def zhang(session: Session, finance: factories.Authority) -> Account:
    return factories.make_account(session, "zhang.san", name="张三", authority=finance)


def test_a_supervisor_signs_in_and_the_header_names_the_person_and_the_authority(
    pages: FlaskClient, zhang: Account
) -> None:
    r = account_sign_in(pages, "Zhang.San", next_path="/console")
    assert (r.status_code, r.headers["Location"]) == (303, "/console")
    assert factories.PASSWORD not in r.headers["Set-Cookie"]
    header = pages.get("/console").get_data(as_text=True)
    assert "张三（监管部门，浙江省财政厅）" in header
    assert "我的账户" in header
    assert "账户管理" not in header


def test_a_page_action_is_audited_under_the_persons_name(pages: FlaskClient, session: Session, zhang: Account) -> None:
    account_sign_in(pages, "zhang.san")
    code = factories.code()
    data = {"kind": "legal_entity", "name": "温州清白科技有限公司", "uscc": code}
    r = post_form(pages, "/console/entities/new", data, "/console/entities/new")
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    entity_id = session.scalar(sa.select(Entity.id).where(Entity.uscc == code))
    row = session.scalars(
        sa.select(AuditLog).where(AuditLog.record_type == "entity", AuditLog.record_id == entity_id)
    ).one()
    assert (row.actor_name, row.actor_account_id, row.actor_key_id) == ("张三", zhang.id, None)


def test_a_wrong_password_is_refused_in_chinese_and_five_lock_the_account(
    pages: FlaskClient, session: Session, zhang: Account
) -> None:
    for _ in range(4):
        r = account_sign_in(pages, "zhang.san", "Wrong-password-1")
        assert r.status_code == 200
        assert "登录名、密码或动态验证码不正确。" in r.get_data(as_text=True)
    r = account_sign_in(pages, "zhang.san", "Wrong-password-1")
    assert "该账户因连续 5 次登录失败已被锁定，请于 2026-11-23 10:15（北京时间）后再试" in r.get_data(as_text=True)
    assert "已被锁定" in account_sign_in(pages, "zhang.san").get_data(as_text=True)  # the right password too
    assert pages.get("/console").status_code == 302
    session.expire_all()
    assert session.get_one(Account, zhang.id).locked_until is not None  # the failures were committed


def test_a_temporary_password_must_be_changed_before_anything_else(pages: FlaskClient, session: Session) -> None:
    finance = factories.make_authority(session, "浙江省财政厅")
    account, temporary = create_account(session, NewAccount("li.si", "李四", "supervisor", finance.id), OPERATOR, NOW)
    session.commit()
    r = account_sign_in(pages, "li.si", temporary)
    assert r.headers["Location"] == "/account/password"
    assert pages.get("/console").headers["Location"] == "/account/password"
    refused = post_form(pages, "/account/password", {"current": temporary, "new": "short", "repeat": "short"})
    assert "至少 12 个字符。" in refused.get_data(as_text=True)
    new = {"current": temporary, "new": "Li-si-password-2026", "repeat": "Li-si-password-2026"}
    assert post_form(pages, "/account/password", new).headers["Location"] == "/account"
    assert pages.get("/console").status_code == 200  # a fresh session for this browser
    session.expire_all()
    assert not session.get_one(Account, account.id).must_change_password


def test_the_second_factor_is_enrolled_on_its_page_and_then_asked_for(
    pages: FlaskClient, session: Session, zhang: Account, runtime: Runtime
) -> None:
    account_sign_in(pages, "zhang.san")
    page = pages.get("/account/totp")
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in text
    assert "otpauth://totp/" in text
    secret = text.split('<dd class="digest">')[1].split("<")[0].replace(" ", "")
    r = post_form(pages, "/account/totp", {"code": totp.code_at(secret, runtime.clock.now())}, "/account/totp")
    assert r.headers["Location"] == "/account"
    post_form(pages, "/logout", {})
    assert "不正确" in account_sign_in(pages, "zhang.san").get_data(as_text=True)
    runtime.clock.fixed = NOW + dt.timedelta(minutes=2)
    r = account_sign_in(pages, "zhang.san", code=totp.code_at(secret, runtime.clock.now()))
    assert r.status_code == 303


def test_thirty_idle_minutes_sign_the_person_out_and_say_so(
    pages: FlaskClient, session: Session, zhang: Account, runtime: Runtime
) -> None:
    account_sign_in(pages, "zhang.san")
    runtime.clock.fixed = NOW + dt.timedelta(minutes=20)
    assert pages.get("/console").status_code == 200  # seen: the idle clock starts again
    runtime.clock.fixed = NOW + dt.timedelta(minutes=49)
    assert pages.get("/console").status_code == 200
    runtime.clock.fixed = NOW + dt.timedelta(minutes=80)
    r = pages.get("/console")
    assert r.headers["Location"].startswith("/login")
    assert "由于 30 分钟未操作，您已自动退出，请重新登录。" in pages.get(r.headers["Location"]).get_data(as_text=True)


def test_signing_out_ends_the_session_for_a_copy_of_the_cookie(pages: FlaskClient, app: Flask, zhang: Account) -> None:
    account_sign_in(pages, "zhang.san")
    cookie = pages.get_cookie("registry_session")
    assert cookie is not None
    post_form(pages, "/logout", {})
    replay = app.test_client()
    replay.set_cookie("registry_session", cookie.value, domain=cookie.domain or "localhost", secure=True)
    assert replay.get("/console", base_url="https://localhost").status_code == 302


def test_a_supervisors_key_no_longer_signs_in_to_the_pages_by_default(
    pages: FlaskClient, app: Flask, world: factories.World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PAGE_KEY_ROLES", "admin")
    r = sign_in(pages, world.finance_key)
    assert "此密钥供系统对接使用，不能登录页面。请使用个人账户登录。" in r.get_data(as_text=True)
    assert sign_in(pages, world.admin_key).status_code == 303
    monkeypatch.setitem(app.config, "PAGE_KEY_ROLES", "")
    assert pages.get("/login/key").status_code == 404
    assert "使用密钥登录" not in pages.get("/login").get_data(as_text=True)


# --- 账户管理 ----------------------------------------------------------------------------------------


def test_an_authority_administrator_opens_an_account_and_sees_its_password_once(
    pages: FlaskClient, session: Session, finance: factories.Authority
) -> None:
    housing = factories.make_authority(session, "浙江省住房和城乡建设厅")
    stranger = factories.make_account(session, "zj.one", authority=housing)
    factories.make_account(session, "cz.admin", name="李静", authority=finance, manages_accounts=True)
    account_sign_in(pages, "cz.admin")
    listing = pages.get("/accounts").get_data(as_text=True)
    assert "cz.admin" in listing
    assert "zj.one" not in listing
    assert pages.get(f"/accounts/{stranger.id}").status_code == 404
    r = post_form(pages, "/accounts/new", {"login": "wang.wu", "name": "王五", "role": "admin"}, "/accounts/new")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    secret = r.get_data(as_text=True).split('aria-label="临时密码">')[1].split("<")[0]
    made = session.scalars(sa.select(Account).where(Account.login_key == "wang.wu")).one()
    assert (made.role, made.authority_id, made.must_change_password) == ("supervisor", finance.id, True)
    assert account_sign_in(https_client(pages.application), "wang.wu", secret).status_code == 303
    assert "wang.wu" in pages.get(f"/accounts/{made.id}").get_data(as_text=True)


def test_disabling_an_account_signs_its_person_out_at_once(
    pages: FlaskClient, app: Flask, session: Session, finance: factories.Authority, zhang: Account
) -> None:
    person = https_client(app)
    account_sign_in(person, "zhang.san")
    assert person.get("/console").status_code == 200
    factories.make_account(session, "cz.admin", name="李静", authority=finance, manages_accounts=True)
    account_sign_in(pages, "cz.admin")
    page = f"/accounts/{zhang.id}"
    r = post_form(pages, f"/accounts/{zhang.id}/disable", {}, page)
    assert r.headers["Location"] == page
    assert "已停用" in pages.get(page).get_data(as_text=True)
    assert person.get("/console").status_code == 302
    refused = post_form(pages, f"/accounts/{zhang.id}/reset-password", {}, page)
    assert refused.status_code == 200  # a disabled account's password may still be reset
    own = session.scalars(sa.select(Account).where(Account.login_key == "cz.admin")).one()
    r = post_form(pages, f"/accounts/{own.id}/disable", {}, f"/accounts/{own.id}")
    assert "不能在此停用、解锁或重置自己的账户" in pages.get(r.headers["Location"]).get_data(as_text=True)


def test_a_plain_supervisor_or_a_screener_may_not_manage_accounts(
    pages: FlaskClient, session: Session, zhang: Account
) -> None:
    account_sign_in(pages, "zhang.san")
    r = pages.get("/accounts")
    assert r.status_code == 403
    assert "只有系统管理员或本机关的账户管理员可以管理账户。" in r.get_data(as_text=True)


def test_the_own_page_lists_sign_ins_and_changes_in_chinese(pages: FlaskClient, zhang: Account) -> None:
    """Who opened the account and where a sign-in came from, in words (never the services' English)."""
    account_sign_in(pages, "zhang.san", "Wrong-password-1")
    account_sign_in(pages, "zhang.san")
    page = pages.get("/account").get_data(as_text=True)
    assert "服务器命令行操作员（管理员）" in page
    assert "cli operator" not in page
    assert "来自 " in page
    assert "from " not in page
