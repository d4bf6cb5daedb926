"""Personal accounts in a real browser (issue 18, part 2): a supervisor signs in with a personal account
and works in the console under their own name; five wrong passwords lock an account, and the page
says so and until when; an authority's account administrator opens an account and hands over its
temporary password; a person turns on the second factor. A screenshot is kept at each step, and
every page and message shown is in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from registry.accounts import totp
from registry.database import db
from registry.runtime import Runtime
from tests import factories
from tests.browser.conftest import Site
from tests.browser.test_console_flow import in_chinese

pytestmark = pytest.mark.browser  # (a conftest's pytestmark marks only the conftest: each module says it)


@pytest.fixture(scope="module")
def people(app: Flask, site: Site) -> dict[str, str]:
    """Accounts of 浙江省财政厅: a supervisor, its account administrator, and one to be locked."""
    with app.app_context():
        finance = db.session.get_one(factories.Authority, site.ids["finance"])
        factories.make_account(db.session, "zhang.wei", name="张伟", authority=finance)
        factories.make_account(db.session, "li.jing", name="李静", authority=finance, manages_accounts=True)
        factories.make_account(db.session, "wang.fang", name="王芳", authority=finance)
        db.session.remove()
    return {"supervisor": "zhang.wei", "manager": "li.jing", "target": "wang.fang"}


def account_sign_in(page: Any, site: Site, login: str, password: str = factories.PASSWORD, code: str = "") -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("登录名", exact=True).fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    if code:
        page.get_by_label("动态验证码", exact=True).fill(code)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def test_a_supervisor_signs_in_with_a_personal_account(page: Any, site: Site, people: dict[str, str]) -> None:
    page.goto(f"{site.url}/login")
    in_chinese(page, "60-account-login")
    account_sign_in(page, site, people["supervisor"])
    header = page.locator("header").inner_text()
    assert "张伟（监管部门，浙江省财政厅）" in header
    assert "我的账户" in header
    page.goto(f"{site.url}/console/penalties")
    assert "宁波恒达市政工程有限公司" in in_chinese(page, "61-account-console")
    page.goto(f"{site.url}/account")
    text = in_chinese(page, "62-account-own")
    assert "登录成功" in text
    assert "张伟（监管部门）" in text
    assert page.context.cookies()[0]["httpOnly"] is True


def test_five_wrong_passwords_lock_the_account(page: Any, site: Site, people: dict[str, str]) -> None:
    account_sign_in(page, site, people["target"], "Wrong-password-1")
    assert "登录名、密码或动态验证码不正确。" in in_chinese(page, "63-account-wrong-password")
    for _ in range(4):
        account_sign_in(page, site, people["target"], "Wrong-password-1")
    message = page.locator("main .flash.error").inner_text()
    assert message.startswith("该账户因连续 5 次登录失败已被锁定，请于 ")
    assert "（北京时间）后再试，或请账户管理员解锁。" in message
    in_chinese(page, "64-account-locked")
    account_sign_in(page, site, people["target"])  # the right password, while locked
    assert "已被锁定" in page.locator("main .flash.error").inner_text()
    assert "/login" in page.url


def test_an_account_administrator_unlocks_and_opens_accounts(page: Any, site: Site, people: dict[str, str]) -> None:
    account_sign_in(page, site, people["manager"])
    page.get_by_role("link", name="账户管理").click()
    text = in_chinese(page, "65-accounts-list")
    assert people["supervisor"] in text
    page.get_by_role("link", name=people["target"]).click()
    if page.get_by_role("button", name="解锁").count():
        with page.expect_navigation():
            page.get_by_role("button", name="解锁").click()
        assert "已解锁账户" in page.locator("main .flash").inner_text()
    in_chinese(page, "66-account-detail")
    page.goto(f"{site.url}/accounts/new")
    page.get_by_label("登录名", exact=True).fill("zhao.lei")
    page.get_by_label("姓名", exact=True).fill("赵磊")
    with page.expect_navigation():
        page.get_by_role("button", name="开设账户").click()
    text = in_chinese(page, "67-account-issued")
    assert "只显示这一次" in text
    temporary = page.locator("main .secret").inner_text().strip()
    assert len(temporary) == 19


def test_a_person_turns_on_the_second_factor(page: Any, site: Site, people: dict[str, str], app: Flask) -> None:
    runtime: Runtime = app.extensions["registry"]
    account_sign_in(page, site, people["supervisor"])
    page.goto(f"{site.url}/account/totp")
    in_chinese(page, "68-account-totp")
    assert page.locator("main img[src^='data:image/svg+xml']").count() == 1
    secret = page.locator("main dd.digest").inner_text().replace(" ", "")
    page.get_by_label("动态验证码", exact=True).fill(totp.code_at(secret, runtime.clock.now()))
    with page.expect_navigation():
        page.get_by_role("button", name="开启双因素认证").click()
    assert "双因素认证已开启" in in_chinese(page, "69-account-totp-on")
