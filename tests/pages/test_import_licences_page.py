"""The console's import page with 行政许可: the kind offered and its template linked, a licence sheet
uploaded as such and shown in the result, and one whose header row tells no kind refused in Chinese."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from registry.models import Licence
from tests.import_sheets import company, xlsx_bytes
from tests.licence_sheets import LICENCE_HEADERS, licence_row
from tests.pages.conftest import sign_in
from tests.pages.test_import_page import upload


def test_the_page_offers_licences_and_their_template(pages, world):
    sign_in(pages, world.finance_key)
    page = pages.get("/console/import").get_data(as_text=True)
    assert '<option value="licences">行政许可</option>' in page
    assert "/console/import/template?kind=licences" in page
    assert "下载行政许可导入模板（行政许可导入模板.xlsx）" in page
    r = pages.get("/console/import/template?kind=licences")
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.get_data())).sheetnames[:2] == ["行政许可", "填写说明"]


def test_a_licence_sheet_uploaded_as_licences_is_imported(pages, session, world):
    name, code = company(46)
    data = xlsx_bytes(LICENCE_HEADERS, [licence_row(world.finance, name, code, "浙财许〔2026〕701号")])
    sign_in(pages, world.finance_key)
    r = upload(pages, data, "行政许可.xlsx", kind="licences")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "导入结果：已导入" in page
    assert "行政许可.xlsx" in page
    (licence,) = session.scalars(sa.select(Licence)).all()
    assert (licence.decision_number, licence.authority_id) == ("浙财许〔2026〕701号", world.finance.id)


def test_a_header_row_that_tells_no_kind_is_refused_on_the_form_in_chinese(pages, session, world):
    sign_in(pages, world.finance_key)
    r = upload(pages, xlsx_bytes(["行政相对人名称", "统一社会信用代码", "许可类别", "处罚类别"], []), "不明.xlsx")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert "无法从表头判断文件是行政处罚" in page
    assert "还是行政许可" in page
    assert session.scalars(sa.select(Licence)).all() == []
