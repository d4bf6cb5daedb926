"""Browser tests: the pages in headless Chromium (Debian's package) driven by Playwright.

The app is served for real (werkzeug, threaded) on http://localhost with committed data, once per
module, on SQLite only (the pages are the same on both backends; the database tests cover
PostgreSQL). Screenshots of each main page are kept as test artifacts in `test-artifacts/screenshots/`
(or $REGISTRY_TEST_ARTIFACTS). Where no Chromium can be started the tests skip, saying why
(`scripts/install-browser`, run by `make test`, installs Debian's chromium).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from registry import access
from registry.database import db
from tests import factories
from tests.integration.test_concurrency import _wipe

ARTIFACTS = Path(os.environ.get("REGISTRY_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS_NAME = '杭州<img src=x onerror=alert(1)>测试"><script>alert(2)</script>有限公司'

pytestmark = pytest.mark.browser


def _chromium() -> str | None:
    return os.environ.get("REGISTRY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Site:
    url: str
    keys: dict[str, str]
    ids: dict[str, int]
    # role → the login of a person's account (people sign in as themselves; keys are for systems)
    accounts: dict[str, str]


@pytest.fixture(scope="module")
def site(app: Flask) -> Iterator[Site]:
    """The app served on a free port with committed demo-like data; wiped afterwards."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("browser tests run once, on the SQLite app")
    _wipe(app)
    with app.app_context():
        session = db.session
        finance = factories.make_authority(session, "浙江省财政厅", ("procurement",))
        listed = factories.make_entity(session, "杭州合晟建设工程有限公司")
        factories.make_list_entry(session, finance, listed)
        fined = factories.make_entity(session, "宁波恒达市政工程有限公司")
        factories.make_penalty(session, finance, fined)
        hostile = factories.make_entity(session, XSS_NAME)
        factories.make_list_entry(session, finance, hostile)
        factories.make_entity(session, "温州清白科技有限公司")
        keys = {
            "screener": access.create_key(session, role="screener", name="杭州市公共资源交易中心")[1],
            "supervisor": access.create_key(session, role="supervisor", name="浙江省财政厅", authority_id=finance.id)[
                1
            ],
        }
        ids = {"listed": listed.id, "fined": fined.id, "hostile": hostile.id, "finance": finance.id}
        factories.make_account(session, "zhou.min", name="周敏", authority=finance)
        factories.make_account(session, "chen.li", "screener", name="陈立", organisation="杭州市公共资源交易中心")
        accounts = {"supervisor": "zhou.min", "screener": "chen.li"}
        session.commit()
        session.remove()
    # Secure cookies are accepted from http://localhost (a secure context), so sign-in works unchanged.
    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://localhost:{server.port}", keys, ids, accounts)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        _wipe(app)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium here: run scripts/install-browser (root, Debian) or set REGISTRY_CHROMIUM")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        except Error as exc:
            pytest.skip(f"Chromium at {executable} did not start: {exc}")
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page, failing the test on any dialog (alert = XSS)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not dialogs, f"a script ran in the page: {dialogs}"


def screenshot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def sign_in(page: Any, site: Site, role: str) -> None:
    """Sign in as the site's person of this role, with their own account (登录名 and 密码)."""
    page.goto(f"{site.url}/login")
    page.get_by_label("登录名", exact=True).fill(site.accounts[role])
    page.get_by_label("密码", exact=True).fill(factories.PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "/login" not in page.url, page.locator("main").inner_text()


def sign_in_with_key(page: Any, site: Site, role: str) -> None:
    """Sign in with the role's API key (使用密钥登录, for the roles REGISTRY_PAGE_KEY_ROLES names)."""
    page.goto(f"{site.url}/login/key")
    page.get_by_label("API 密钥").fill(site.keys[role])
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
