"""GET /api/v1/imports/template and the console's template links; a template filled in and imported
through POST /api/v1/imports and the upload page; the file-wide defaults (default_severity,
default_domain) applied where a row leaves the cell empty, and recorded in the report."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from registry.imports.columns import COLUMNS
from registry.models import ListEntry, Penalty
from tests.api.test_imports import upload
from tests.conftest import auth
from tests.import_sheets import company

URL = "/api/v1/imports/template"


def filled(template: bytes, kind: str, rows: list[dict[str, Any]]) -> bytes:
    """The template with rows typed into its first sheet by field name, as a person fills it in."""
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append([row.get(c.name) for c in COLUMNS[kind]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def penalty(world: Any, i: int, number: str, **fields: Any) -> dict[str, Any]:
    name, code = company(50 + i)
    return {
        "subject_name": name,
        "subject_uscc": code,
        "subject_kind": "法人及非法人组织",
        "decision_number": number,
        "violation_type": "串通投标",
        "facts": "与其他投标人相互串通投标报价",
        "basis": "《中华人民共和国招标投标法》第五十三条",
        "categories": "罚款",
        "content": "罚款人民币壹万元整",
        "fine_amount": 1,
        "decided_on": dt.date(2026, 11, 2),
        **fields,
    }


@pytest.mark.parametrize(
    ("kind", "filename", "fallback"),
    [
        ("penalties", "行政处罚导入模板.xlsx", "penalties-import-template.xlsx"),
        ("list-entries", "红黑名单导入模板.xlsx", "list-entries-import-template.xlsx"),
        ("licences", "行政许可导入模板.xlsx", "licences-import-template.xlsx"),
    ],
)
def test_the_template_downloads_with_a_chinese_file_name(client, world, kind, filename, fallback):
    r = client.get(f"{URL}?kind={kind}", headers=auth(world.finance_key))
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # RFC 6266 / RFC 5987: the UTF-8 name percent-encoded, and an ASCII name for older clients.
    assert (
        r.headers["Content-Disposition"] == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    book = load_workbook(io.BytesIO(r.get_data()))
    assert [c.value for c in book.worksheets[0][1]] == [c.header for c in COLUMNS[kind]]
    assert book.sheetnames[1] == "填写说明"


def test_a_bad_or_missing_kind_is_a_422_naming_kind_in_chinese(client, world):
    r = client.get(f"{URL}?kind=fines", headers=auth(world.finance_key))
    assert r.status_code == 422
    assert r.json["errors"] == {
        "kind": ["须为 penalties（行政处罚）、list-entries（红黑名单）或 licences（行政许可）。"]
    }
    assert r.json["message"].startswith("输入有误：kind")
    assert r.json["errors_en"] == {
        "kind": ["must be penalties (行政处罚), list-entries (红黑名单) or licences (行政许可)"]
    }
    missing = client.get(URL, headers=auth(world.finance_key))
    assert missing.status_code == 422
    assert missing.json["errors"] == {"kind": ["必填项，不能为空。"]}


def test_who_may_import_may_download_the_template(client, world):
    assert client.get(f"{URL}?kind=penalties", headers=auth(world.admin_key)).status_code == 200
    assert client.get(f"{URL}?kind=penalties", headers=auth(world.screener_key)).status_code == 403
    assert client.get(f"{URL}?kind=penalties", headers=auth(world.platform_key)).status_code == 403
    assert client.get(f"{URL}?kind=penalties").status_code == 401


def test_a_filled_template_imports_cleanly_through_the_api(client, session, world):
    template = client.get(f"{URL}?kind=penalties", headers=auth(world.finance_key)).get_data()
    rows = [
        penalty(world, 0, "浙财采罚〔2026〕901号", severity="一般", domain="政府采购"),
        # a date typed as text, several 处罚类别 in one cell
        penalty(
            world,
            1,
            "浙财采罚〔2026〕902号",
            decided_on="2026/10/9",
            categories="罚款；没收违法所得",
            confiscation_amount="0.8",
            severity="严重",
        ),
    ]
    r = upload(client, world.finance_key, filled(template, "penalties", rows), "行政处罚导入模板.xlsx")
    assert r.status_code == 200, r.json
    assert r.json["counts"]["created"] == 2
    assert r.json["problems"] == []
    assert r.json["notes"] == ["只读取了第一个工作表「行政处罚」，其余工作表未读取"]
    assert r.json["notes_en"] == ["only the first worksheet (行政处罚) was read; not read: 填写说明、可选值"]
    stored = {p.decision_number: p for p in session.scalars(sa.select(Penalty))}
    assert stored["浙财采罚〔2026〕902号"].decided_on == dt.date(2026, 10, 9)
    assert stored["浙财采罚〔2026〕902号"].categories == ["罚款", "没收违法所得"]
    assert stored["浙财采罚〔2026〕901号"].domain == "procurement"


def test_the_file_wide_defaults_fill_empty_cells_and_are_reported(client, session, world):
    """The housing authority supervises two domains: a row without 涉及领域 needs the default, and
    a row without 严重程度 (a 罚款, which the rules cannot tier) needs the other; a row's own value wins."""
    template = client.get(f"{URL}?kind=penalties", headers=auth(world.housing_key)).get_data()
    rows = [
        penalty(world, 2, "浙建罚〔2026〕11号"),
        penalty(world, 3, "浙建罚〔2026〕12号", severity="一般", domain="保障性安居工程建设与保障性住房分配"),
    ]
    data = filled(template, "penalties", rows)
    without = upload(client, world.housing_key, data, "模板.xlsx")
    assert without.status_code == 422
    assert without.json["counts"]["rejected"] == 1
    assert [p["column"] for p in without.json["problems"]] == ["涉及领域"]
    assert without.json["defaults"] == {}

    r = upload(
        client, world.housing_key, data, "模板.xlsx", default_severity="serious", default_domain="construction_bidding"
    )
    assert r.status_code == 200, r.json
    assert r.json["counts"]["created"] == 2
    assert r.json["defaults"] == {
        "severity": {"code": "serious", "field": "失信程度", "term": "严重"},
        "domain": {"code": "construction_bidding", "field": "涉及领域", "term": "工程建设项目招标投标"},
    }
    stored = {p.decision_number: (p.severity, p.domain) for p in session.scalars(sa.select(Penalty))}
    assert stored == {
        "浙建罚〔2026〕11号": ("serious", "construction_bidding"),
        "浙建罚〔2026〕12号": ("general", "housing"),
    }
    as_xlsx = upload(
        client,
        world.housing_key,
        data,
        "模板.xlsx",
        query="?report=xlsx",
        default_severity="serious",
        default_domain="housing",
    )
    summary = {row[0]: row[1] for row in load_workbook(io.BytesIO(as_xlsx.get_data()))["汇总 summary"].values}
    assert summary["文件默认值 default severity"] == "失信程度：严重 (serious)"
    assert summary["文件默认值 default domain"] == "涉及领域：保障性安居工程建设与保障性住房分配 (housing)"


def test_a_list_entry_template_takes_the_domain_default(client, session, world):
    template = client.get(f"{URL}?kind=list-entries", headers=auth(world.housing_key)).get_data()
    name, code = company(56)
    row = {
        "subject_name": name,
        "subject_uscc": code,
        "list_name": "重点关注名单",
        "list_type": "重点关注名单",
        "decision_number": "浙建决〔2026〕3号",
        "reason_category": "拖欠农民工工资",
        "facts": "拖欠农民工工资",
        "legal_basis": "《保障农民工工资支付条例》第四十八条",
        "listed_on": dt.date(2026, 11, 2),
        "expires_on": dt.date(2027, 11, 1),
    }
    r = upload(
        client, world.housing_key, filled(template, "list-entries", [row]), "名单.xlsx", default_domain="housing"
    )
    assert r.status_code == 200, r.json
    assert r.json["defaults"] == {
        "domain": {"code": "housing", "field": "涉及领域", "term": "保障性安居工程建设与保障性住房分配"}
    }
    assert list(session.scalars(sa.select(ListEntry)).one().domains) == ["housing"]


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"default_severity": "grave"}, "default_severity", "须为 minor（轻微）、general（一般）或 serious（严重）"),
        ({"default_domain": "roads"}, "default_domain", "须为交易领域代码之一：housing"),
        ({"severity": "grave"}, "severity", "须为 minor（轻微）"),
        ({"severity": "minor", "default_severity": "general"}, "default_severity", "以新旧两个字段名给出了不同的值"),
    ],
)
def test_a_bad_default_is_refused_naming_its_field_in_chinese(client, world, form, field, words):
    template = client.get(f"{URL}?kind=penalties", headers=auth(world.finance_key)).get_data()
    data = filled(template, "penalties", [penalty(world, 4, "浙财采罚〔2026〕903号")])
    r = upload(client, world.finance_key, data, "模板.xlsx", **form)
    assert r.status_code == 422
    assert list(r.json["errors"]) == [field]
    assert r.json["errors"][field][0].startswith(words)


def test_the_older_field_names_still_give_the_defaults(client, session, world):
    template = client.get(f"{URL}?kind=penalties", headers=auth(world.housing_key)).get_data()
    data = filled(template, "penalties", [penalty(world, 5, "浙建罚〔2026〕13号")])
    r = upload(client, world.housing_key, data, "模板.xlsx", severity="minor", domain="housing")
    assert r.status_code == 200, r.json
    assert r.json["defaults"]["severity"]["code"] == "minor"
    assert session.scalars(sa.select(Penalty)).one().domain == "housing"
