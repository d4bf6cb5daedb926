"""持续监测 in a real browser, as an agency works: it screens a project of ten bidders and asks, on the
result page, that they be watched until the award; one is listed under its name in 繁体 and
another fined 300万元; the checker runs; the 监测预警 page shows both alerts with what set them off, in
Chinese, and one is acknowledged. Screenshots kept beside the other pages'."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from registry.database import db
from registry.monitoring.detect import check_watches
from registry.monitoring.watch_index import WatchIndex
from tests import factories
from tests.browser.conftest import Site, sign_in
from tests.browser.test_console_flow import in_chinese, submit

pytestmark = pytest.mark.browser

BIDDERS = [
    "杭州清河建设工程有限公司",
    "宁波甬江建材有限公司",
    *(f"温州监测{n}号科技有限公司" for n in "一二三四五六七八"),
]


def test_an_agency_watches_a_project_and_is_alerted(page: Any, site: Site, app: Flask) -> None:
    sign_in(page, site, "screener")
    page.goto(site.url + "/screening")
    page.select_option("#domain", "procurement")
    page.fill("#project_code", "HZCG-2026-1201")
    page.fill("#bidders", "\n".join(BIDDERS))
    submit(page, "开始核查")
    today = app.extensions["registry"].clock.today()
    assert page.locator("#watch_until").input_value() == (today + dt.timedelta(days=30)).isoformat()
    page.fill("#watch_until", "2027-01-15")
    submit(page, "开始监测")
    assert "已开始监测核查" in in_chinese(page, "70-watches-started")

    with app.app_context():
        session = db.session
        finance = session.get_one(factories.Authority, site.ids["finance"])
        factories.make_list_entry(session, finance, factories.make_entity(session, "杭州清河建設工程有限公司"))
        fined = factories.make_entity(session, BIDDERS[1])
        factories.make_penalty(session, finance, fined, fine_amount="300", severity="general")
        factories.make_list_entry(session, finance, factories.make_entity(session, "台州清河建设工程有限公司"))
        session.commit()
        runtime = app.extensions["registry"]
        report = check_watches(session, WatchIndex(), runtime.name_index, runtime.measures, today)
        session.commit()
        assert len(report.alerts) == 2  # the namesake in 台州 raises none
        db.session.remove()

    page.goto(site.url + "/alerts")
    text = in_chinese(page, "71-alerts-open")
    assert "待处理的预警（2）" in text
    assert "杭州清河建设工程有限公司" in text
    assert "宁波甬江建材有限公司" in text
    assert "行政处罚（罚款）" in text
    first = page.locator("section.alert-item").first
    first.locator("textarea").fill("已取消其中标候选人资格")
    with page.expect_navigation():
        first.get_by_role("button", name="标记为已处理").click()
    text = in_chinese(page, "72-alert-acknowledged")
    assert "待处理的预警（1）" in text
    assert "已取消其中标候选人资格" in text
    page.goto(site.url + "/watches")
    in_chinese(page, "73-watches")
