"""The main pages in a real browser: they render, screenshots are kept, hostile names stay text,
and the screening page can be used with the keyboard alone."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import XSS_NAME, Site, screenshot, sign_in, sign_in_with_key


def test_front_page_and_sign_in(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    assert page.title() == "首页 · 公共资源交易信用信息"
    screenshot(page, "01-home")
    page.goto(site.url + "/login")
    screenshot(page, "02-login")
    sign_in(page, site, "screener")
    assert "杭州市公共资源交易中心" in page.locator("header").inner_text()
    assert page.context.cookies()[0]["httpOnly"] is True


def _tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus within {limit} Tab presses")


def test_a_screening_done_with_the_keyboard_alone_then_its_evidence_printed(page: Any, site: Site) -> None:
    page.goto(site.url + "/login/key")
    _tab_to(page, "#key")
    page.keyboard.type(site.keys["screener"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(site.url + "/screening")
    screenshot(page, "10-screening-form")
    _tab_to(page, "#domain")
    for _ in range(12):  # a closed <select> changes its value with the arrow keys
        if page.eval_on_selector("#domain", "e => e.value") == "procurement":
            break
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#domain", "e => e.value") == "procurement"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "project_code"
    page.keyboard.type("ZJCG-2026-0815")
    _tab_to(page, "#bidders")
    page.keyboard.type("杭州合晟建设工程有限公司")
    page.keyboard.press("Enter")
    page.keyboard.type("温州清白科技有限公司")
    _tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/screening/" in page.url
    text = page.locator("main").inner_text()
    assert "禁止" in text
    assert "通过" in text
    screenshot(page, "11-screening-result")
    page.goto(page.url + "/evidence")
    page.emulate_media(media="print")
    evidence = page.locator("main").inner_text()
    assert "核验结果：一致" in evidence
    assert "ZJCG-2026-0815" in evidence
    assert not page.locator("header.site nav").is_visible()  # the print stylesheet hides navigation
    screenshot(page, "12-screening-evidence-print")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"


def test_a_hostile_company_name_is_shown_as_text_when_screened(page: Any, site: Site) -> None:
    sign_in(page, site, "screener")
    page.goto(site.url + "/screening")
    page.select_option("#domain", "procurement")
    page.fill("#project_code", "XSS-1")
    page.fill("#bidders", XSS_NAME)
    page.get_by_role("button", name="开始核查").click()
    page.wait_for_url("**/screening/*")
    assert XSS_NAME in page.locator("main").inner_text()  # the markup is text, and no dialog opened
    assert page.locator("main img[src=x]").count() == 0


def test_public_lookup_pages_render_and_keep_hostile_names_as_text(page: Any, site: Site) -> None:
    page.goto(site.url + "/search?q=" + "合晟建设")
    assert "杭州合晟建设工程有限公司" in page.locator("main").inner_text()
    screenshot(page, "03-public-search")
    page.goto(f"{site.url}/entities/{site.ids['fined']}")
    text = page.locator("main").inner_text()
    assert "宁波恒达市政工程有限公司" in text
    assert "浙江省财政厅" in text
    screenshot(page, "04-public-entity")
    page.goto(site.url + "/lists/black")
    assert "杭州合晟建设工程有限公司" in page.locator("main").inner_text()
    assert XSS_NAME in page.locator("main").inner_text()
    screenshot(page, "05-public-black-list")
    page.goto(f"{site.url}/entities/{site.ids['hostile']}")
    assert XSS_NAME in page.locator("h1").inner_text()
    assert page.locator("main img[src=x]").count() == 0


def test_the_supervisor_console_renders_for_its_authority(page: Any, site: Site) -> None:
    sign_in(page, site, "supervisor")
    page.goto(site.url + "/console")
    assert "浙江省财政厅" in page.locator("body").inner_text()
    screenshot(page, "20-console-overview")
    page.goto(site.url + "/console/penalties")
    assert "宁波恒达市政工程有限公司" in page.locator("main").inner_text()
    screenshot(page, "21-console-penalties")
    page.goto(site.url + "/console/penalties/new")
    screenshot(page, "22-console-penalty-form")


def test_a_key_of_a_role_allowed_to_sign_in_opens_the_same_console(page: Any, site: Site) -> None:
    """使用密钥登录 stays for the roles REGISTRY_PAGE_KEY_ROLES names (here every role, as in the tests)."""
    sign_in_with_key(page, site, "supervisor")
    assert "/login" not in page.url
    page.goto(site.url + "/console/penalties")
    assert "宁波恒达市政工程有限公司" in page.locator("main").inner_text()


def test_an_anchored_screening_prints_its_anchor_and_the_public_page_lists_it(page: Any, site: Site, app: Any) -> None:
    from registry.evidence.cli import anchor_backlog

    page.goto(site.url + "/login/key")
    page.fill("#key", site.keys["screener"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(site.url + "/screening")
    page.select_option("#domain", "procurement")
    page.fill("#project_code", "ZJCG-2026-0816")
    page.fill("#bidders", "温州清白科技有限公司")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    result_url = page.url
    with app.app_context():
        made = anchor_backlog()
    assert made
    root = made[-1].root
    page.goto(result_url + "/evidence")
    page.emulate_media(media="print")
    evidence = page.locator("main").inner_text()
    assert "核验结果：一致" in evidence
    assert root in evidence
    assert "inclusion_proof" in evidence
    screenshot(page, "13-screening-evidence-anchored")
    page.emulate_media(media="screen")
    page.goto(site.url + "/evidence")
    listed = page.locator("main").inner_text()
    assert root in listed
    assert "签名公钥" in listed
    screenshot(page, "14-evidence-anchors")
