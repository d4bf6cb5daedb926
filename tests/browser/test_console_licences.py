"""行政许可 in the console in a real browser, without the API: a supervisor signed in with a personal
account records a licence (a date out of order refused in Chinese first, what was typed kept),
corrects it and revokes it. A screenshot is kept at each step (90-…), and every page is in Chinese:
no code of the registry's vocabularies or of a licence's states."""

from __future__ import annotations

import re
from typing import Any

import pytest

from registry.records.licences import ENDINGS, STATES
from tests.browser.conftest import Site, sign_in
from tests.browser.test_console_flow import clock, follow, in_chinese, submit  # noqa: F401 (clock: a fixture)


def licence_in_chinese(page: Any, name: str) -> str:
    """`in_chinese`, and no licence state's code either."""
    text = in_chinese(page, name)
    for code in {*STATES, *ENDINGS}:
        assert not re.search(rf"(?<![\w/-]){code}(?![\w-])", text), (name, code)
    return text


@pytest.mark.usefixtures("clock")
def test_a_supervisor_records_corrects_and_revokes_a_licence_in_the_console(page: Any, site: Site) -> None:
    sign_in(page, site, "supervisor")
    page.goto(site.url + "/console/licences")
    licence_in_chinese(page, "90-console-licences")
    follow(page, "登记行政许可")
    page.fill("#subject", str(site.ids["fined"]))  # the registered entity's number, as the penalty form takes it
    page.fill("#decision_document_name", "市政公用工程施工总承包资质核准决定书")
    page.fill("#decision_number", "浙财许〔2026〕66号")
    page.select_option("#licence_category", "核准")
    page.fill("#licence_name", "建筑业企业资质证书")
    page.fill("#licence_number", "D233066001")
    page.fill("#content", "市政公用工程施工总承包贰级")
    page.fill("#decided_on", "2026-11-16")
    page.fill("#valid_from", "2026-11-10")  # before the decision: refused
    page.fill("#valid_to", "2031-11-15")
    submit(page, "登记")
    assert "早于决定日期" in page.locator("#valid_from-error").inner_text()
    assert page.input_value("#content") == "市政公用工程施工总承包贰级"  # what was typed is kept
    assert page.input_value("#licence_category") == "核准"
    licence_in_chinese(page, "91-console-licence-refused")
    page.fill("#valid_from", "2026-11-16")
    submit(page, "登记")
    text = licence_in_chinese(page, "92-console-licence-recorded")
    assert "已登记行政许可 浙财许〔2026〕66号" in text
    assert "宁波恒达市政工程有限公司" in text
    assert "有效" in text

    # 更正, with the reason.
    follow(page, "更正")
    assert page.input_value("#licence_number") == "D233066001"
    licence_in_chinese(page, "93-console-licence-correction-form")
    page.fill("#content", "市政公用工程施工总承包壹级")
    page.fill("#reason", "原决定书资质等级录入有误")
    submit(page, "保存更正")
    text = licence_in_chinese(page, "94-console-licence-corrected")
    assert "已更正行政许可 浙财许〔2026〕66号" in text
    assert "原决定书资质等级录入有误" in text  # in the history
    assert "周敏" in text  # the officer who corrected it, by name

    # 撤销.
    follow(page, "撤销")
    page.fill("#reason", "以欺骗手段取得许可，依法撤销")
    submit(page, "撤销")
    text = licence_in_chinese(page, "95-console-licence-revoked")
    assert "已撤销：行政许可 浙财许〔2026〕66号" in text
    assert "该行政许可已撤销，不能再更正、撤销或注销" in text
    page.goto(site.url + "/console/licences?state=revoked")
    assert "浙财许〔2026〕66号" in licence_in_chinese(page, "96-console-licences-revoked")
