"""An export imported back changes nothing (every row "unchanged"), text that looks like a formula
included: the importer undoes exactly the apostrophe the exports' formula guard adds, and leaves
an apostrophe that is data alone. A real formula cell in an upload is reported as a formula, never
read as empty. XLSX exports write dates as date cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from registry.imports.cells import guarded, unguarded
from registry.models import Penalty
from tests import factories
from tests.api.test_imports import upload
from tests.conftest import auth
from tests.import_sheets import PENALTY_HEADERS, company, penalty_row
from tests.ledger_queries import ledger_size

# Text our exports must defuse, and text that merely starts with an apostrophe (kept as it is).
TRICKY = {
    "formula": "=SUM(A1:A3)违法事实",
    "plus": "+86 0571 提供虚假材料",
    "minus": "-罚款五千元",
    "at": "@某某 备注",
    "apostrophe": "'引号开头的备注",
    "apostrophe formula": "'=不是公式的备注",
    "two apostrophes": "''-两个引号",
}


@pytest.mark.parametrize("text", [*TRICKY.values(), "\t=1", "'", "''", "普通文本", "a=b", ""])
def test_the_guard_is_undone_exactly(text: str) -> None:
    assert unguarded(guarded(text)) == text


@pytest.mark.parametrize("text", ["'abc", "'0571", "'", "''x", "'+不是", "'1-2"])
def test_an_apostrophe_that_is_data_is_left_alone(text: str) -> None:
    if not text.lstrip("'").startswith(("=", "+", "-", "@")):
        assert guarded(text) == text
        assert unguarded(text) == text


@pytest.fixture
def tricky_records(session: Any, world: Any) -> dict[str, int]:
    """Penalties and list entries of the finance authority whose text starts with formula characters
    or apostrophes, made through the services (as the API would)."""
    subjects = [
        factories.make_entity(session, '=HYPERLINK("http://x")建设有限公司'),
        factories.make_entity(session, "'引号开头的建设有限公司"),
        factories.make_entity(session, company(57)[0]),
    ]
    for i, (label, text) in enumerate(TRICKY.items()):
        entity = subjects[i % len(subjects)]
        factories.make_penalty(
            session,
            world.finance,
            entity,
            facts=text,
            content=f"{text}（{label}）",
            remarks=text,
            project_code="-ZJCG-2026-0183" if i % 2 else "ZJCG-2026-0183",
            categories=["罚款", "警告"] if i % 3 == 0 else ["罚款"],
        )
        factories.make_list_entry(session, world.finance, entity, facts=text, reason_category=f"{text}类")
    session.commit()
    return {"penalties": len(TRICKY), "list-entries": len(TRICKY)}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["penalties", "list-entries"])
def test_an_export_imports_back_as_unchanged(client, session, world, tricky_records, kind, fmt):
    exported = client.get(f"/api/v1/exports/{kind}.{fmt}", headers=auth(world.platform_key))
    assert exported.status_code == 200
    body = exported.get_data()
    assert b"'=SUM(A1:A3)" in (body if fmt == "csv" else _sheet_xml(body))  # the guard is on
    before = ledger_size(session)

    r = upload(client, world.finance_key, body, f"{kind}.{fmt}", mode="all")
    assert r.status_code == 200, r.json
    counts = r.json["counts"]
    assert (counts["rows"], counts["unchanged"]) == (tricky_records[kind], tricky_records[kind])
    assert (counts["created"], counts["conflicts"], counts["rejected"]) == (0, 0, 0)
    assert r.json["problems"] == []
    assert ledger_size(session) == before  # nothing written, no audit row, no outbox event


def test_a_guarded_value_that_differs_is_still_a_conflict(client, session, world, tricky_records):
    """Undoing the guard does not hide a change: the recorded text is compared as it is."""
    exported = client.get("/api/v1/exports/penalties.csv", headers=auth(world.platform_key)).get_data()
    changed = exported.decode("utf-8-sig").replace("'=SUM(A1:A3)违法事实", "'=SUM(A1:A4)违法事实", 1)
    r = upload(client, world.finance_key, changed.encode("utf-8-sig"), "penalties.csv", mode="skip")
    assert r.json["counts"]["conflicts"] == 1
    problem = r.json["problems"][0]
    assert (problem["column"], problem["value"]) == ("违法事实", "=SUM(A1:A4)违法事实")


# ---------------------------------------------------------------------------------------------
# Formula cells


def _formula_sheet(world: Any) -> bytes:
    """Two rows as openpyxl writes formulas: the formula text and no computed value (Excel would
    compute one when it opens the file; a program that writes a sheet often does not)."""
    name, code = company(58)
    book = Workbook()
    sheet: Any = book.active
    sheet.append(PENALTY_HEADERS)
    first = penalty_row(world.finance, name, code, "浙财采罚〔2026〕951号", **{"处罚决定日期": "=TODAY()"})
    second = penalty_row(world.finance, name, code, "浙财采罚〔2026〕952号", **{"违法事实": '=A3&"提供虚假材料"'})
    good = penalty_row(world.finance, name, code, "浙财采罚〔2026〕953号")
    for row in (first, second, good):
        sheet.append([row.get(h) for h in PENALTY_HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_formula_cell_is_reported_as_a_formula_not_as_empty(client, session, world):
    r = upload(client, world.finance_key, _formula_sheet(world), "公式.xlsx", mode="skip")
    assert r.status_code == 200, r.json
    assert (r.json["counts"]["created"], r.json["counts"]["rejected"]) == (1, 2)
    problems = [(p["row"], p["column"], p["value"]) for p in r.json["problems"]]
    assert problems == [(2, "处罚决定日期", "=TODAY()"), (3, "违法事实", '=A3&"提供虚假材料"')]
    assert all(p["reason"].startswith("公式单元格：") for p in r.json["problems"])
    assert all("paste it as values" in p["reason_en"] for p in r.json["problems"])
    assert not any("empty" in p["reason_en"] for p in r.json["problems"])
    assert [p.decision_number for p in session.scalars(sa.select(Penalty))] == ["浙财采罚〔2026〕953号"]


def test_a_formula_cell_with_a_computed_value_is_reported_too(client, world):
    """Excel saves a formula with its last computed value; that value may be stale (=TODAY()), so the
    cell is reported all the same, with its formula."""
    data = _formula_sheet(world)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml, replaced = re.subn(r"<f>TODAY\(\)</f><v\s*/?>(</v>)?", "<f>TODAY()</f><v>46328</v>", xml)
    assert replaced == 1, xml[:3000]
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    r = upload(client, world.finance_key, out.getvalue(), "公式.xlsx", mode="skip")
    assert (r.json["problems"][0]["row"], r.json["problems"][0]["value"]) == (2, "=TODAY()")
    assert r.json["problems"][0]["reason"].startswith("公式单元格")


def test_text_that_looks_like_a_formula_in_a_csv_is_text(client, session, world):
    """A CSV holds no formulas: a cell starting with = is text, read as it is written."""
    name, code = company(59)
    row = penalty_row(world.finance, name, code, "浙财采罚〔2026〕954号", **{"违法事实": "=A1 是文字"})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PENALTY_HEADERS)
    writer.writerow(["" if row.get(h) is None else row[h] for h in PENALTY_HEADERS])
    r = upload(client, world.finance_key, out.getvalue().encode("utf-8-sig"), "x.csv")
    assert r.status_code == 200, r.json
    assert session.scalars(sa.select(Penalty)).one().facts == "=A1 是文字"


# ---------------------------------------------------------------------------------------------
# Dates in XLSX exports


def _sheet_xml(body: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        return book.read(next(n for n in book.namelist() if n.startswith("xl/worksheets/")))


@pytest.mark.parametrize("kind", ["penalties", "list-entries"])
def test_xlsx_exports_write_dates_as_date_cells_and_csv_as_iso_text(client, world, tricky_records, kind):
    body = client.get(f"/api/v1/exports/{kind}.xlsx", headers=auth(world.platform_key)).get_data()
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    day = "处罚决定日期" if kind == "penalties" else "列入日期"
    assert cells[day].is_date
    assert cells[day].number_format == "yyyy-mm-dd"
    assert cells[day].value.date() == (dt.date(2026, 11, 2) if kind == "penalties" else dt.date(2026, 3, 1))
    other = "可申请信用修复日期" if kind == "penalties" else "有效期截止日期"
    assert cells[other].is_date
    # A time stays ISO 8601 text in UTC, as the feed and the push render it (an Excel time has no offset).
    assert cells["变更时间"].data_type == "s"
    assert cells["变更时间"].value.endswith("+00:00")

    text = client.get(f"/api/v1/exports/{kind}.csv", headers=auth(world.platform_key)).get_data()
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[1][rows[0].index(day)] == ("2026-11-02" if kind == "penalties" else "2026-03-01")
