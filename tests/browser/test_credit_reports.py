"""专项信用报告 in a real browser, as a company and then an agency would: the company asks for a
three-year bidding report on the public page, reads it, downloads the PDF; the agency uploads that
PDF on the public verification page and sees it genuine and anchored; after a new penalty the same
page says the registry has changed since. Screenshots kept beside the other pages'."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from registry.database import db
from registry.evidence.anchoring import anchor
from registry.models import Entity
from tests import factories
from tests.browser.conftest import Site
from tests.browser.test_console_flow import in_chinese, submit

pytestmark = pytest.mark.browser


def test_a_company_gets_a_report_and_an_agency_verifies_its_pdf(page: Any, site: Site, app: Flask) -> None:
    today = app.extensions["registry"].clock.today()
    with app.app_context():
        uscc = str(db.session.get_one(Entity, site.ids["fined"]).uscc)
        db.session.remove()

    page.goto(site.url + "/reports/new")
    page.fill("#uscc", uscc)
    page.select_option("#purpose", "bidding")
    page.fill("#from", today.replace(year=today.year - 3).isoformat())
    page.fill("#to", today.isoformat())
    submit(page, "出具报告")
    text = in_chinese(page, "80-credit-report")
    assert "专项信用报告（招标投标）" in text
    assert "宁波恒达市政工程有限公司" in text
    assert "报告期内有行政处罚记录 1 条。" in text
    assert "报告期内无列入失信主体名单记录。" in text
    number = page.url.rsplit("/", 1)[-1]

    pdf = page.request.get(site.url + page.get_by_role("link", name="下载 PDF").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    assert len(body) > 10_000  # a Chinese font subset and a QR code are embedded, not a blank page

    with app.app_context():  # the anchoring step, as `flask sync run` takes it every second
        assert anchor(db.session(), app.extensions["registry"].signer) is not None
        db.session.commit()
        db.session.remove()

    page.goto(site.url + "/reports/verify")
    page.set_input_files("#pdf", files=[{"name": f"{number}.pdf", "mimeType": "application/pdf", "buffer": body}])
    submit(page, "上传并核验")
    text = in_chinese(page, "81-credit-report-verified")
    assert "核验结果：真实有效" in text
    assert number in text
    assert "已锚定" in text
    assert "报告出具后，登记簿中该主体没有新的记录或变更。" in text

    with app.app_context():
        session = db.session
        finance = session.get_one(factories.Authority, site.ids["finance"])
        fined = session.get_one(Entity, site.ids["fined"])
        factories.make_penalty(session, finance, fined, decided_on=factories.TODAY - dt.timedelta(days=1))
        session.commit()
        session.remove()
    page.goto(f"{site.url}/reports/verify?number={number}")
    text = in_chinese(page, "82-credit-report-changed-since")
    assert "核验结果：真实有效" in text  # the report is as it was issued …
    assert "报告出具后有新的记录或变更" in text  # … and the registry has moved on since
