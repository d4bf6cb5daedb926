"""The supervisor console in a real browser, all without the API (issue 18): a supervisor signs in,
registers a company in 主体库, records a penalty, corrects it, meets a stale edit explained in words,
revokes the penalty, removes a list entry and decides a repair application. A screenshot is kept at
each step, and every page and message shown is in Chinese: no code of the registry's vocabularies,
no rule set's code, no bare status number."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from registry.codes import uscc
from registry.database import db
from registry.ledger import Actor
from registry.records import repairs
from registry.vocab import (
    AUTHORITY_SECTORS,
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PROCEDURES,
    PUBLICATION_STATES,
    REPAIR_STATES,
    RESPONSIBLE_ROLES,
    SEVERITIES,
)
from tests import factories
from tests.browser.conftest import Site, screenshot, sign_in

PLATFORM = Actor(key_id=None, name="信用浙江", role="platform")
CLOCK = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 2026-11-23 10:00 in Beijing, as the page tests
CODES = sorted(
    {
        code
        for table in (
            AUTHORITY_SECTORS,
            DOMAINS,
            ENTITY_KINDS,
            LIST_ENTRY_STATES,
            LIST_TYPES,
            PROCEDURES,
            PUBLICATION_STATES,
            REPAIR_STATES,
            RESPONSIBLE_ROLES,
            SEVERITIES,
        )
        for code in table
    }
    | {"resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_residence"}
    | {"ndrc-2017", "ndrc-2019", "ndrc-order-58", "ndrc-order-36", "samr-order-45", "samr-order-107"}
)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def clock(app: Flask) -> Iterator[None]:
    """The served app's clock fixed on 2026-11-23, as the records below are dated."""
    runtime = app.extensions["registry"]
    runtime.clock.fixed = CLOCK
    try:
        yield
    finally:
        runtime.clock.fixed = None


@pytest.fixture
def application(app: Flask, site: Site, clock: None) -> int:
    """A repair application the credit platform sent for one of 财政厅's older penalties."""
    with app.app_context():
        session = db.session
        finance = session.get_one(factories.Authority, site.ids["finance"])
        fined = session.get_one(factories.Entity, site.ids["fined"])
        old = factories.make_penalty(
            session, finance, fined, decided_on=dt.date(2026, 5, 1), decision_number="浙财罚〔2026〕50号"
        )
        made = repairs.submit_repair(
            session,
            {
                "record_type": "penalty",
                "record_id": old.id,
                "statement": "已全额缴纳罚款并完成整改",
                "commitment": "本单位承诺依法诚信参与公共资源交易",
                "attachments": [{"name": "罚款缴纳凭证", "ref": "浙财缴〔2026〕3号"}],
            },
            PLATFORM,
            factories.TODAY,
            factories.rules(session),
        )
        session.commit()
        found = made.id
        session.remove()
    return found


def in_chinese(page: Any, name: str) -> str:
    """Check the page says everything in Chinese, keep its screenshot, and return its main text."""
    text = page.locator("main").inner_text()
    for code in CODES:
        assert not re.search(rf"(?<![\w/-]){re.escape(code)}(?![\w-])", text), (name, code)
    assert not re.search(r"\((admin|supervisor|screener|platform|system)( key \d+)?\)", text), name  # a key's role
    assert not re.search(r"\b(412|409|422)\b", text), name
    assert "Precondition" not in text
    # Messages say it in Chinese first (the API's own words may follow in brackets); the lines of a
    # stale notice's history start with their time.
    for selector, check in (
        (".flash", CJK.match),
        (".field-error", CJK.match),
        (".error-summary h2", CJK.match),
        (".error-summary li", CJK.search),
        (".error-summary p", CJK.match),
    ):
        for message in page.locator(f"main {selector}").all_inner_texts():
            assert check(message.strip()), (name, message)
    screenshot(page, name)
    return text


def submit(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def follow(page: Any, link: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=link, exact=True).first.click()


def test_a_supervisor_works_records_through_the_console_alone(
    page: Any, browser: Any, site: Site, application: int
) -> None:
    sign_in(page, site, "supervisor")

    # 主体库: the company is not there yet; it is registered, a mistyped code refused first.
    page.goto(site.url + "/console/entities")
    page.fill("#f-q", "温州新锐科技有限公司")
    submit(page, "查找")
    assert "主体库中没有符合条件的主体" in in_chinese(page, "30-console-entity-not-found")
    follow(page, "登记新主体“温州新锐科技有限公司”")
    assert page.input_value("#name") == "温州新锐科技有限公司"
    good = factories.code()
    bad = good[:-1] + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[-1])
    assert not uscc.is_valid(bad)
    page.fill("#uscc", bad)
    page.fill("#legal_representative", "王五")
    page.fill("#former_names", "温州新锐网络有限公司")
    submit(page, "登记主体")
    assert "校验位不正确" in page.locator("#uscc-error").inner_text()
    assert page.input_value("#name") == "温州新锐科技有限公司"  # what was typed is kept
    assert page.input_value("#legal_representative") == "王五"
    in_chinese(page, "31-console-entity-refused")
    page.fill("#uscc", good)
    submit(page, "登记主体")
    text = in_chinese(page, "32-console-entity-registered")
    assert "已在主体库登记：温州新锐科技有限公司" in text
    assert "法人及非法人组织" in text

    # A penalty for it, from its page.
    follow(page, "为此主体登记行政处罚")
    assert page.input_value("#subject") == good
    page.fill("#decision_number", "浙财采罚〔2026〕120号")
    page.fill("#decided_on", "2026-11-16")
    page.fill("#violation_type", "提供虚假材料谋取中标")
    page.fill("#facts", "在某政府采购项目中提供虚假业绩证明材料")
    page.fill("#basis", "《中华人民共和国政府采购法》第七十七条")
    page.get_by_label("罚款", exact=True).check()
    page.fill("#content", "罚款人民币五千元")
    page.fill("#fine_amount", "0.5")
    page.select_option("#severity", "general")
    page.select_option("#domain", "procurement")
    submit(page, "登记")
    text = in_chinese(page, "33-console-penalty-recorded")
    assert "已登记行政处罚 浙财采罚〔2026〕120号" in text
    assert "国家发展改革委令第36号" in text  # the rule set by its document
    penalty_url = page.url

    # 更正, with the reason.
    follow(page, "更正")
    assert page.input_value("#fine_amount") == "0.5"
    in_chinese(page, "34-console-correction-form")
    page.fill("#fine_amount", "0.3")
    page.fill("#content", "罚款人民币三千元")
    page.fill("#reason", "原决定书罚款金额录入有误")
    submit(page, "保存更正")
    text = in_chinese(page, "35-console-penalty-corrected")
    assert "已更正行政处罚 浙财采罚〔2026〕120号" in text
    assert "原决定书罚款金额录入有误" in text  # in the history
    assert "周敏" in text  # the history names the officer who corrected it, not a shared key

    # A stale edit: this form is opened, then a colleague corrects the record in another browser.
    follow(page, "更正")
    colleague = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    other = colleague.new_page()
    try:
        sign_in(other, site, "supervisor")
        other.goto(penalty_url + "/correct")
        other.fill("#project_code", "ZJCG-2026-0815")
        other.fill("#reason", "补录采购项目编号")
        submit(other, "保存更正")
        assert "已更正" in other.locator("main").inner_text()
    finally:
        colleague.close()
    page.fill("#remarks", "当事人已于2026年11月20日缴纳罚款")
    page.fill("#reason", "补充备注")
    submit(page, "保存更正")
    text = in_chinese(page, "36-console-stale-edit-explained")
    assert "没有执行：此记录已被他人修改" in text
    assert "他人已于" in text
    assert "补录采购项目编号" in text
    assert "您打开表单时它是第 2 版，现在是第 3 版" in text
    assert page.input_value("#remarks") == "当事人已于2026年11月20日缴纳罚款"  # kept
    assert page.input_value("#project_code") == "ZJCG-2026-0815"  # the colleague's change, now current
    submit(page, "保存更正")
    assert "已更正行政处罚" in in_chinese(page, "37-console-stale-edit-saved")

    # 撤销.
    follow(page, "撤销")
    page.fill("#reason", "行政复议决定撤销原处罚决定（浙财复〔2026〕7号）")
    submit(page, "撤销")
    text = in_chinese(page, "38-console-penalty-revoked")
    assert "已撤销：行政处罚 浙财采罚〔2026〕120号" in text
    assert "该决定已撤销，不能再更正或撤销" in text

    # 移出 a list entry, found by the company's name.
    page.goto(site.url + "/console/list-entries")
    page.fill("#f-name", "合晟")
    submit(page, "筛选")
    with page.expect_navigation():
        page.locator("table.records tbody a").first.click()
    follow(page, "移出")
    page.fill("#reason", "当事人已履行整改义务，提前移出")
    submit(page, "移出")
    text = in_chinese(page, "39-console-list-entry-removed")
    assert "已移出：名单记录" in text
    assert "已移出" in text

    # A repair application: accepted, then completed.
    page.goto(site.url + "/console/repairs")
    in_chinese(page, "40-console-repairs-waiting")
    with page.expect_navigation():
        page.locator(f"#repair-{application} button", has_text="受理").click()
    assert f"信用修复申请 {application}：已受理" in in_chinese(page, "41-console-repair-accepted")
    page.fill(f"#r{application}-complete-reason", "已履行义务并作出信用承诺，准予修复")
    with page.expect_navigation():
        page.locator(f"#repair-{application} button", has_text="修复完成").click()
    assert f"信用修复申请 {application}：已修复完成（状态：已修复）" in in_chinese(page, "42-console-repair-completed")
