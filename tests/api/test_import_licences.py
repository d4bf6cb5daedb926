"""POST /api/v1/imports with a 行政许可 sheet: XLSX and CSV uploads land as licences, reach the feed in
the national format and the timeliness report (7 working days); a bad sheet is a 422 in Chinese and
English with nothing written; an unclear header row is refused naming the kinds; our licence export
imports back unchanged; the licence template fills in and imports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from registry.models import Licence
from registry.records.licences import CATEGORIES
from tests.api.test_import_template import filled
from tests.api.test_imports import upload
from tests.conftest import auth
from tests.import_sheets import company, csv_bytes, xlsx_bytes
from tests.ledger_queries import ledger_size
from tests.licence_sheets import LICENCE_HEADERS, licence_row
from tests.registry.test_import_licences import two_rows


def licences(session: Any) -> list[Licence]:
    return list(session.scalars(sa.select(Licence).order_by(Licence.decision_number)))


def sheet_rows(world: Any) -> list[dict[str, Any]]:
    """Row 2 decided Monday 2 November (due 11 November: published late on the 23rd); row 3 a 特许
    decided Friday 20 November (due 1 December: on time), without an end (长期)."""
    rows = two_rows(world)
    rows[1].update(
        {"许可决定日期": dt.datetime(2026, 11, 20), "有效期自": dt.datetime(2026, 11, 20), "许可类别": "特许"}
    )
    return rows


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_licence_sheet_uploads_and_reaches_the_feed_in_the_national_format(client, session, world, fmt):
    rows = sheet_rows(world)
    data = xlsx_bytes(LICENCE_HEADERS, rows) if fmt == "xlsx" else csv_bytes(LICENCE_HEADERS, rows)
    form = {"kind": "licences"} if fmt == "csv" else {}
    r = upload(client, world.finance_key, data, f"行政许可.{fmt}", **form)
    assert r.status_code == 200, r.json
    assert (r.json["kind"], r.json["written"], r.json["problems"]) == ("licences", True, [])
    assert (r.json["counts"]["created"], r.json["counts"]["subjects_created"]) == (2, 2)
    assert r.json["message"].startswith(f"行政许可.{fmt} 中的行政许可：共 2 行：新登记 2 行")
    assert r.json["message_en"].startswith(f"licences from 行政许可.{fmt}: 2 rows: 2 created")

    first, second = licences(session)
    shown = client.get(f"/api/v1/licences/{first.id}", headers=auth(world.finance_key)).json
    assert (shown["decision_number"], shown["licence_category"], shown["status"]) == (
        "浙财许〔2026〕101号",
        "核准",
        "effective",
    )
    assert (shown["valid_from"], shown["valid_to"], shown["publication_due_on"]) == (
        "2026-11-02",
        "2031-11-01",
        "2026-11-11",
    )

    events = client.get("/api/v1/feed?after=0&limit=1000", headers=auth(world.platform_key)).json["events"]
    records = {e["record"]["decision_number"]: e["record"] for e in events if e["record_type"] == "licence"}
    assert set(records) == {"浙财许〔2026〕101号", "浙财许〔2026〕102号"}
    national = records["浙财许〔2026〕101号"]
    assert national["record_id"] == first.id
    assert (national["subject_name"], national["subject_uscc"]) == (
        rows[0]["行政相对人名称"],
        rows[0]["统一社会信用代码"],
    )
    assert (national["subject_kind"], national["legal_representative"]) == ("法人及非法人组织", "李建华")
    assert (national["decision_document_name"], national["licence_name"], national["content"]) == (
        "建筑业企业资质证书核准决定书",
        "建筑业企业资质证书",
        "建筑工程施工总承包贰级",
    )
    assert (national["decided_on"], national["valid_from"], national["valid_to"]) == (
        "2026-11-02",
        "2026-11-02",
        "2031-11-01",
    )
    assert (national["status"], national["authority_name"], national["authority_uscc"]) == (
        "有效",
        "浙江省财政厅",
        world.finance.uscc,
    )
    assert national["data_source_name"] == "浙江省财政厅"
    assert records["浙财许〔2026〕102号"]["licence_category"] == "特许"
    assert second.licence_category == "特许"


def test_imported_licences_are_counted_in_the_timeliness_report(client, session, world):
    r = upload(client, world.finance_key, xlsx_bytes(LICENCE_HEADERS, sheet_rows(world)), "行政许可.xlsx")
    assert r.status_code == 200, r.json
    report = client.get(
        "/api/v1/reports/timeliness",
        query_string={"from": "2026-11-01", "to": "2026-11-30", "record_type": "licence"},
        headers=auth(world.admin_key),
    )
    assert report.status_code == 200, report.json
    (finance,) = report.json["authorities"]
    assert finance["authority_id"] == world.finance.id
    # 101号: decided 2 November, due 11 November, published (imported) 23 November: late.
    # 102号: decided 20 November, due 1 December: on time.
    assert (finance["records"], finance["late"], finance["on_time"]) == (2, 1, 1)
    assert [licence.publication_due_on for licence in licences(session)] == [
        dt.date(2026, 11, 11),
        dt.date(2026, 12, 1),
    ]


def test_a_bad_licence_sheet_is_a_422_naming_row_column_and_reason_and_writes_nothing(client, session, world):
    name, code = company(42)
    other, other_code = company(43)
    rows = [
        *sheet_rows(world),
        licence_row(world.finance, name, code, "浙财许〔2026〕403号", **{"有效期自": "2026年13月1日"}),
        licence_row(world.housing, other, other_code, "浙建许〔2026〕404号", **{"许可类别": "审批"}),
    ]
    before = ledger_size(session)
    r = upload(client, world.finance_key, xlsx_bytes(LICENCE_HEADERS, rows), "行政许可.xlsx")
    assert r.status_code == 422, r.json
    assert r.json["written"] is False
    assert (r.json["counts"]["rejected"], r.json["counts"]["held_back"]) == (2, 2)
    problems = [(p["row"], p["column"], p["value"]) for p in r.json["problems"]]
    assert problems == [
        (4, "有效期自", "2026年13月1日"),
        (5, "许可机关统一社会信用代码", world.housing.uscc),
        (5, "许可机关", "浙江省住房和城乡建设厅"),
    ]
    date = r.json["problems"][0]
    assert date["reason"].startswith("不是日历上存在的日期")
    assert date["reason_en"].startswith("is not a day of the calendar")
    assert "谁批准、谁公开" in r.json["problems"][1]["reason"]
    assert "未写入任何记录" in r.json["message"]
    assert licences(session) == []
    assert ledger_size(session) == before

    skipped = upload(client, world.finance_key, xlsx_bytes(LICENCE_HEADERS, rows), "行政许可.xlsx", mode="skip")
    assert skipped.status_code == 200
    assert [licence.decision_number for licence in licences(session)] == ["浙财许〔2026〕101号", "浙财许〔2026〕102号"]


def test_an_unknown_category_is_the_services_refusal_in_its_column(client, session, world):
    name, code = company(44)
    row = licence_row(world.finance, name, code, "浙财许〔2026〕405号", **{"许可类别": "审批"})
    r = upload(client, world.finance_key, csv_bytes(LICENCE_HEADERS, [row]), "行政许可.csv")
    assert r.status_code == 422
    (problem,) = r.json["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "许可类别", "审批")
    assert problem["reason"] == "须为以下之一：" + "、".join(CATEGORIES) + "。"
    assert problem["reason_en"] == "must be one of " + "、".join(CATEGORIES)


def test_a_header_row_that_tells_no_kind_is_refused_naming_the_three(client, world):
    r = upload(client, world.finance_key, csv_bytes(["行政相对人名称", "统一社会信用代码", "备注"], []), "不明.csv")
    assert r.status_code == 422
    (reason,) = r.json["errors"]["file"]
    assert reason.startswith("不明.csv：无法从表头判断文件是行政处罚")
    assert "还是行政许可（行政许可决定文书号、许可类别……）" in reason
    assert "or licences (行政许可决定文书号, 许可类别 …)" in r.json["errors_en"]["file"][0]
    unknown = upload(client, world.finance_key, b"x", "a.csv", kind="permits")
    assert unknown.status_code == 422
    assert "kind" in unknown.json["errors"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_our_licence_export_imports_back_unchanged(client, session, world, entity, fmt):
    for number, category in (("浙财许〔2026〕501号", "核准"), ("浙财许〔2026〕502号", "登记")):
        made = client.post(
            "/api/v1/licences",
            json={
                "entity_id": entity.id,
                "decision_document_name": "准予行政许可决定书",
                "decision_number": number,
                "licence_category": category,
                "content": "=市政公用工程施工总承包叁级",  # the export's formula guard, undone on import
                "decided_on": "2026-11-02",
                "valid_from": "2026-11-02",
                "remarks": "-",
            },
            headers=auth(world.finance_key),
        )
        assert made.status_code == 201, made.json
    exported = client.get(f"/api/v1/exports/licences.{fmt}", headers=auth(world.platform_key))
    assert exported.status_code == 200
    before = ledger_size(session)
    r = upload(client, world.finance_key, exported.get_data(), f"licences.{fmt}")
    assert r.status_code == 200, r.json
    assert (r.json["kind"], r.json["counts"]["rows"], r.json["counts"]["unchanged"]) == ("licences", 2, 2)
    assert r.json["problems"] == []
    assert "首次公开时间" in r.json["ignored_columns"]
    assert ledger_size(session) == before


def test_the_licence_template_offers_its_categories_and_imports_when_filled_in(client, session, world):
    template = client.get("/api/v1/imports/template?kind=licences", headers=auth(world.finance_key))
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.get_data()))
    sheet = book.worksheets[0]
    assert sheet.title == "行政许可"
    assert [c.value for c in sheet[1]][:3] == ["行政相对人名称", "行政相对人类别", "统一社会信用代码"]
    headers = [c.value for c in sheet[1]]
    assert set(LICENCE_HEADERS) <= set(headers)
    category = next(
        rule
        for rule in sheet.data_validations.dataValidation
        if str(rule.sqref).startswith(sheet.cell(row=1, column=headers.index("许可类别") + 1).column_letter + "2")
    )
    assert (category.type, category.errorStyle) == ("list", "stop")
    name, code = company(45)
    data = filled(
        template.get_data(),
        "licences",
        [
            {
                "subject_name": name,
                "subject_uscc": code,
                "decision_document_name": "准予行政许可决定书",
                "decision_number": "浙财许〔2026〕601号",
                "licence_category": "认可",
                "content": "政府采购代理机构名录登记",
                "decided_on": dt.date(2026, 11, 16),
                "valid_from": dt.date(2026, 11, 16),
            }
        ],
    )
    r = upload(client, world.finance_key, data, "行政许可导入模板.xlsx")
    assert r.status_code == 200, r.json
    assert (r.json["kind"], r.json["counts"]["created"], r.json["problems"]) == ("licences", 1, [])
    (licence,) = licences(session)
    assert (licence.licence_category, licence.valid_to) == ("认可", None)
