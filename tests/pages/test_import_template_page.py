"""The console's import page with the templates: both linked and downloaded, a filled template
uploaded with file-wide defaults shown in the result, bad or missing defaults refused in Chinese."""

from __future__ import annotations

import io
from urllib.parse import quote

import sqlalchemy as sa
from openpyxl import load_workbook

from registry.models import Penalty
from tests.api.test_import_template import filled, penalty
from tests.pages.conftest import csrf_of, sign_in


def test_the_import_page_links_to_both_templates_and_they_download(pages, world):
    sign_in(pages, world.finance_key)
    page = pages.get("/console/import").get_data(as_text=True)
    assert "/console/import/template?kind=penalties" in page
    assert "/console/import/template?kind=list-entries" in page
    assert "下载行政处罚导入模板" in page
    assert "下载红黑名单导入模板" in page
    r = pages.get("/console/import/template?kind=list-entries")
    assert r.status_code == 200
    assert "filename*=UTF-8''" + quote("红黑名单导入模板.xlsx") in r.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(r.get_data())).sheetnames[0] == "红黑名单"
    assert pages.get("/console/import/template?kind=fines").status_code == 404


def test_the_template_page_needs_a_supervisor(pages, world):
    assert pages.get("/console/import/template?kind=penalties").status_code == 302
    sign_in(pages, world.screener_key)
    assert pages.get("/console/import/template?kind=penalties").status_code == 403


def test_the_upload_page_applies_and_shows_the_defaults(pages, session, world):
    sign_in(pages, world.housing_key)
    template = pages.get("/console/import/template?kind=penalties").get_data()
    data = filled(template, "penalties", [penalty(world, 6, "浙建罚〔2026〕14号")])
    form = pages.get("/console/import").get_data(as_text=True)
    r = pages.post(
        "/console/import",
        data={
            "csrf": csrf_of(form),
            "mode": "all",
            "default_severity": "general",
            "default_domain": "housing",
            "file": (io.BytesIO(data), "模板.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "导入结果：已导入" in page
    assert "文件默认失信程度" in page
    assert "<td>一般</td>" in page
    assert "<td>保障性安居工程建设与保障性住房分配</td>" in page
    assert "只读取了第一个工作表「行政处罚」，其余工作表未读取" in page
    assert (session.scalars(sa.select(Penalty)).one().severity) == "general"


def test_the_upload_page_refuses_a_bad_default_and_a_missing_one_in_chinese(pages, world):
    sign_in(pages, world.housing_key)
    template = pages.get("/console/import/template?kind=penalties").get_data()
    data = filled(template, "penalties", [penalty(world, 7, "浙建罚〔2026〕15号")])
    form = pages.get("/console/import").get_data(as_text=True)
    r = pages.post(
        "/console/import",
        data={"csrf": csrf_of(form), "mode": "all", "default_severity": "grave", "file": (io.BytesIO(data), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert 'id="default_severity-error"' in r.get_data(as_text=True)
    assert "请从列表中选择文件默认的失信程度" in r.get_data(as_text=True)
    # A sheet without the 严重程度 and 涉及领域 columns, and no default: refused up front, in Chinese.
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for header in ("严重程度", "涉及领域"):
        sheet.delete_cols(next(c.column for c in sheet[1] if c.value == header))
    out = io.BytesIO()
    book.save(out)
    r = pages.post(
        "/console/import",
        data={"csrf": csrf_of(form), "mode": "all", "file": (io.BytesIO(out.getvalue()), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="default_severity-error"' in page
    assert "表中没有“严重程度”列，须给出文件默认值" in page
