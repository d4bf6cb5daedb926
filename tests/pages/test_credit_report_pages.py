"""专项信用报告 pages: anyone asks for a company's report, reads it, and verifies it by number or by
uploading its PDF; a bad request keeps what was typed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api.credit_report_pdf import FONT_CANDIDATES
from registry.evidence.anchoring import anchor
from registry.models import CreditReport
from registry.runtime import Runtime
from tests import factories
from tests.pages.conftest import csrf_of


@pytest.fixture
def uscc(session: Session, world: factories.World) -> str:
    entity = factories.make_entity(session, "杭州报告建设工程有限公司")
    factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 10, 9))
    session.commit()
    return str(entity.uscc)


def _issue(pages: FlaskClient, uscc: str, **fields: str):
    form = pages.get("/reports/new").get_data(as_text=True)
    data = {
        "csrf": csrf_of(form),
        "uscc": uscc,
        "purpose": "bidding",
        "from": "2023-11-24",
        "to": "2026-11-23",
        **fields,
    }
    return pages.post("/reports/new", data=data)


def test_anyone_asks_for_a_report_and_verifies_it(pages: FlaskClient, uscc: str) -> None:
    r = _issue(pages, uscc)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    number = re.fullmatch(r"/reports/(XYBG\d{16})", r.headers["Location"]).group(1)  # type: ignore[union-attr]
    page = pages.get(r.headers["Location"]).get_data(as_text=True)
    assert "专项信用报告（招标投标）" in page
    assert "报告期内有行政处罚记录 1 条。" in page
    checked = pages.get(f"/reports/verify?number={number}").get_data(as_text=True)
    assert "真实有效" in checked
    assert "报告出具后，登记簿中该主体没有新的记录或变更。" in checked


def test_a_bad_request_keeps_what_was_typed(pages: FlaskClient, uscc: str) -> None:
    r = _issue(pages, "91330106000000003X")
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "登记簿中没有此统一社会信用代码的主体" in body
    assert 'value="91330106000000003X"' in body
    assert "没有编号为 XYBG2099010100000001 的信用报告" in pages.get(
        "/reports/verify?number=XYBG2099010100000001"
    ).get_data(as_text=True)


@pytest.mark.skipif(not any(Path(p).is_file() for p in FONT_CANDIDATES), reason="no CJK font on this machine")
def test_an_uploaded_pdf_is_verified(pages: FlaskClient, uscc: str) -> None:
    import io

    location = _issue(pages, uscc).headers["Location"]
    number = location.rsplit("/", 1)[1]
    pdf = pages.get(f"/api/v1/credit-reports/{number}.pdf").get_data()
    form = pages.get("/reports/verify").get_data(as_text=True)
    r = pages.post(
        "/reports/verify",
        data={"csrf": csrf_of(form), "pdf": (io.BytesIO(pdf), "report.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    assert number in r.get_data(as_text=True)
    assert "真实有效" in r.get_data(as_text=True)


def test_a_report_altered_after_anchoring_fails_on_the_page_in_chinese(
    pages: FlaskClient, session: Session, runtime: Runtime, uscc: str
) -> None:
    number = _issue(pages, uscc).headers["Location"].rsplit("/", 1)[1]
    assert anchor(session, runtime.signer) is not None
    session.commit()
    page = pages.get(f"/reports/verify?number={number}").get_data(as_text=True)
    assert "真实有效" in page
    assert "已锚定：第 0 号叶子" in page
    stored = session.scalars(sa.select(CreditReport)).one()
    session.execute(
        sa.update(CreditReport)
        .where(CreditReport.id == stored.id)
        .values(document={**stored.document, "purpose_name": "政府采购"})
    )
    session.commit()
    page = pages.get(f"/reports/verify?number={number}").get_data(as_text=True)
    assert "未通过" in page
    assert "报告与登记簿存证树中的记录不一致" in page
    assert "differs from" not in page  # the API's English diagnostics stay in the API
