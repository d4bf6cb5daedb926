"""The main pages in a real browser: they render, screenshots are kept, hostile names stay text,
and the screening page can be used with the keyboard alone."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, screenshot, sign_in


def test_front_page_and_sign_in(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    assert page.title() == "首页 · 公共资源交易信用信息"
    screenshot(page, "01-home")
    page.goto(site.url + "/login")
    screenshot(page, "02-login")
    sign_in(page, site, "screener")
    assert "杭州市公共资源交易中心" in page.locator("header").inner_text()
    assert page.context.cookies()[0]["httpOnly"] is True
