"""The import template (registry/imports/template.py): its columns are the importer's, its drop-down
lists the importer's vocabularies, its formats the importer's readers, its 填写说明 sheet covers every
column, and its example rows import cleanly."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from registry.codes import uscc
from registry.errors import InvalidInput, NotAuthenticated, NotPermitted
from registry.imports.columns import COLUMNS, DEFAULTABLE, KINDS, REQUIRED
from registry.imports.files import code_value, date_value
from registry.imports.run import import_records
from registry.imports.template import (
    CHOICES,
    GUIDE,
    TITLES,
    import_template,
    workbook,
)
from registry.imports.template_notes import EXAMPLE_USCC, EXAMPLES, NOTES
from registry.ledger import Actor
from registry.vocab import DOMAINS, ENTITY_KINDS, PENALTY_CATEGORIES, PROCEDURES, SEVERITIES
from tests import factories
from tests.registry.test_importing import NOW, VAULT

LISTS = ("政府采购严重违法失信行为记录名单", "重点关注名单")


def book(kind: str) -> Any:
    return load_workbook(io.BytesIO(workbook(kind, LISTS)))


def validations(sheet: Any) -> dict[str, Any]:
    """The data validation of each column, by its header."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for rule in sheet.data_validations.dataValidation:
        first = str(rule.sqref).split(":")[0].rstrip("0123456789")
        found[headers[first]] = rule
    return found


def listed(template: Any, rule: Any) -> list[str]:
    """The values a list validation offers, read from the hidden sheet its formula names."""
    sheet_name, cells = rule.formula1.split("!")
    assert sheet_name == f"'{CHOICES}'"
    start, end = cells.replace("$", "").split(":")
    column = start.rstrip("0123456789")
    source = template[CHOICES]
    return [source[f"{column}{row}"].value for row in range(int(start[len(column) :]), int(end[len(column) :]) + 1)]


@pytest.mark.parametrize("kind", KINDS)
def test_the_first_sheet_has_exactly_the_importers_headers_frozen_and_marked(kind: str) -> None:
    template = book(kind)
    assert template.sheetnames == [TITLES[kind], GUIDE, CHOICES]
    assert template[CHOICES].sheet_state == "hidden"
    sheet = template.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS[kind]]
    assert sheet.max_row == 1  # no example or empty styled rows to delete before filling it in
    assert sheet.freeze_panes == "A2"
    for cell, column in zip(sheet[1], COLUMNS[kind], strict=True):
        mark = cell.comment.text.split("。")[0]
        if column.name in REQUIRED[kind]:
            assert (mark, cell.fill.fgColor.rgb) == ("必填", "00C00000")
        elif column.name in DEFAULTABLE[kind]:
            assert mark == "必填，或上传时选择文件默认值"
        else:
            assert (mark, cell.fill.fgColor.rgb) == ("选填", "00D9D9D9")
        assert 10 <= sheet.column_dimensions[cell.column_letter].width <= 40


@pytest.mark.parametrize("kind", KINDS)
def test_dates_are_date_columns_and_codes_text_columns(kind: str) -> None:
    sheet = book(kind).worksheets[0]
    for cell, column in zip(sheet[1], COLUMNS[kind], strict=True):
        number_format = sheet.column_dimensions[cell.column_letter].number_format
        if column.read is date_value:
            assert number_format == "yyyy-mm-dd", column.header
        elif column.read is code_value:
            assert number_format == "@", column.header  # Excel keeps all 18 characters of a code
        else:
            assert number_format == "General", column.header


def test_the_penalty_templates_lists_are_the_importers_vocabularies() -> None:
    template = book("penalties")
    rules = validations(template.worksheets[0])
    expected = {
        "处罚类别": list(PENALTY_CATEGORIES),
        "行政相对人类别": list(ENTITY_KINDS.values()),
        "严重程度": list(SEVERITIES.values()),
        "涉及领域": list(DOMAINS.values()),
        "处罚程序": list(PROCEDURES.values()),
        "是否公开": ["是", "否"],
        "状态": ["有效", "已撤销"],
    }
    for header, values in expected.items():
        rule = rules[header]
        assert (rule.type, listed(template, rule)) == ("list", values), header
        start, end = str(rule.sqref).split(":")
        assert start.endswith("2")
        assert end == start[:-1] + "1048576"
    # One value from the list, or stop; several 处罚类别 in one cell (罚款；没收违法所得) only warn.
    assert rules["严重程度"].errorStyle == "stop"
    assert rules["处罚类别"].errorStyle == "warning"
    # Every column the importer reads as a closed vocabulary has its list, and no other column has one.
    with_lists = {h for h, r in rules.items() if r.type == "list"}
    assert with_lists == {c.header for c in COLUMNS["penalties"] if c.choices}
    # … and every column has its input message (what to write there).
    assert set(rules) == {c.header for c in COLUMNS["penalties"]}
    assert all(r.showInputMessage and r.prompt for r in rules.values())


def test_the_list_entry_template_offers_the_catalogues_lists_without_imposing_them() -> None:
    template = book("list-entries")
    rules = validations(template.worksheets[0])
    assert listed(template, rules["名单名称"]) == list(LISTS)
    assert rules["名单名称"].errorStyle == "warning"  # a list outside the catalogue may be typed
    assert listed(template, rules["名单类型"]) == ["黑名单", "红名单", "重点关注名单"]
    assert listed(template, rules["主体类别"]) == list(ENTITY_KINDS.values())
    assert listed(template, rules["涉及领域"]) == list(DOMAINS.values())
    assert rules["涉及领域"].errorStyle == "warning"  # several domains in one cell


@pytest.mark.parametrize("kind", KINDS)
def test_the_guide_sheet_explains_every_column(kind: str) -> None:
    guide = book(kind)[GUIDE]
    rows = [[c.value for c in row] for row in guide.iter_rows()]
    assert rows[0][0] == f"{TITLES[kind]}导入模板 填写说明"
    assert any("公式" in (row[0] or "") for row in rows)  # formulas are not imported, it says so
    start = next(i for i, row in enumerate(rows) if row[:6] == ["列名", "是否必填", "格式", "可选值", "说明", "示例"])
    table = {row[0]: row for row in rows[start + 1 :]}
    assert list(table) == [c.header for c in COLUMNS[kind]]
    for column in COLUMNS[kind]:
        header, required, fmt, allowed, note, _example = table[column.header]
        assert required.startswith("必填" if column.name in (*REQUIRED[kind], *DEFAULTABLE[kind]) else "选填")
        assert fmt
        assert note == NOTES[kind][column.name]
        if column.choices:
            assert allowed.split("、")[: len(column.choices)] == list(column.choices)
    decided = {"penalties": "处罚决定日期", "list-entries": "列入日期", "licences": "许可决定日期"}[kind]
    assert "日期" in table[decided][2]
    assert table[decided][5] == "2026-11-02"


@pytest.mark.parametrize("kind", KINDS)
def test_every_column_the_importer_reads_has_a_note_and_no_note_is_left_over(kind: str) -> None:
    assert set(NOTES[kind]) == {c.name for c in COLUMNS[kind]}
    assert set(EXAMPLES[kind]) <= {c.name for c in COLUMNS[kind]}
    assert {c.name for c in COLUMNS[kind] if c.name in REQUIRED[kind]} <= set(EXAMPLES[kind])
    assert uscc.is_valid(EXAMPLE_USCC)


@pytest.mark.parametrize("kind", KINDS)
def test_the_example_row_filled_into_the_template_imports_cleanly(session: Any, world: Any, kind: str) -> None:
    """The template as a person fills it (openpyxl standing in for Excel): the example row, a date
    typed as a date, then imported into an empty register."""
    template = load_workbook(io.BytesIO(workbook(kind, LISTS)))
    sheet = template.worksheets[0]
    example = EXAMPLES[kind]
    sheet.append([example.get(c.name) for c in COLUMNS[kind]])
    out = io.BytesIO()
    template.save(out)
    report = import_records(
        session,
        io.BytesIO(out.getvalue()),
        "模板.xlsx",
        actor=factories.supervisor_of(world.finance),
        today=factories.TODAY,
        rules=factories.rules(session),
        vault=VAULT,
        now=NOW,
    )
    assert (report.kind, report.rows, report.created, report.problems) == (kind, 1, 1, [])
    assert report.chinese_notes == [f"只读取了第一个工作表「{TITLES[kind]}」，其余工作表未读取"]


def test_only_who_may_import_gets_the_template_and_only_of_a_known_kind() -> None:
    supervisor = Actor(key_id=1, name="财政厅", role="supervisor", authority_id=1)
    admin = Actor(key_id=2, name="ops", role="admin")
    for actor in (supervisor, admin):
        template = import_template(actor, "penalties")
        assert (template.filename, template.ascii_filename) == (
            "行政处罚导入模板.xlsx",
            "penalties-import-template.xlsx",
        )
        assert template.body[:2] == b"PK"
    with pytest.raises(NotPermitted):
        import_template(Actor(key_id=3, name="中心", role="screener"), "penalties")
    with pytest.raises(NotAuthenticated):
        import_template(Actor(key_id=None, name="public", role="public"), "penalties")
    with pytest.raises(InvalidInput) as refused:
        import_template(supervisor, "fines")
    assert list(refused.value.errors) == ["kind"]


def test_a_template_read_back_keeps_its_lists_after_excel_style_saving() -> None:
    """Filling the template and saving it again keeps the drop-down lists and the hidden sheet (a
    workbook saved by openpyxl, as Excel would)."""
    template = load_workbook(io.BytesIO(workbook("penalties", ())))
    template.worksheets[0].append(["杭州示例建设工程有限公司"])
    out = io.BytesIO()
    template.save(out)
    again = load_workbook(io.BytesIO(out.getvalue()))
    assert len(again.worksheets[0].data_validations.dataValidation) == len(COLUMNS["penalties"])
    assert again[CHOICES].sheet_state == "hidden"
