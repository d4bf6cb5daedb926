"""The import template (导入模板): an XLSX a supervisor fills in and imports as it is.

Its first sheet has exactly the columns the importer reads (`registry.imports.columns`: the
standard header of each, in the importer's order), required ones marked, each with a drop-down
list where the importer takes a closed vocabulary (the Chinese terms of the column's reader, from a
hidden sheet), dates formatted as dates and codes as text (so Excel keeps every digit of a
统一社会信用代码 or an ID number). A second sheet, 填写说明, says for each column whether it is
required, its format, its allowed values, what it holds and an example. Nothing here decides what
a column accepts: a column added to the importer appears in the template, and a test checks the
two agree.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from registry.access import require_role
from registry.errors import InvalidInput
from registry.imports.columns import COLUMNS, DEFAULTABLE, DOMAIN_FIELD, KINDS, REQUIRED, Column
from registry.imports.files import amount_value, code_value, date_value, text_value
from registry.imports.template_notes import EXAMPLES, NOTES
from registry.imports.upload_limits import EXCEL_ROWS
from registry.ledger import Actor

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAMES = {
    "penalties": "行政处罚导入模板.xlsx",
    "list-entries": "红黑名单导入模板.xlsx",
    "licences": "行政许可导入模板.xlsx",
}
ASCII_FILENAMES = {
    "penalties": "penalties-import-template.xlsx",
    "list-entries": "list-entries-import-template.xlsx",
    "licences": "licences-import-template.xlsx",
}
TITLES = {"penalties": "行政处罚", "list-entries": "红黑名单", "licences": "行政许可"}
GUIDE = "填写说明"
CHOICES = "可选值"  # the hidden sheet the drop-down lists read
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
KIND_REFUSED = "must be penalties (行政处罚), list-entries (红黑名单) or licences (行政许可)"

REQUIRED_MARK = "必填"
DEFAULT_MARK = "必填，或上传时选择文件默认值"
OPTIONAL_MARK = "选填"
# Header fills: required red, required-or-default orange, optional grey (the 填写说明 sheet says so).
_FILLS = {REQUIRED_MARK: "C00000", DEFAULT_MARK: "ED7D31", OPTIONAL_MARK: "D9D9D9"}
_GUIDE_HEADERS = ("列名", "是否必填", "格式", "可选值", "说明", "示例")
_EXCEL_TITLE = 32  # characters Excel allows in a validation's title
_EXCEL_MESSAGE = 255  # … and in its prompt or error message


@dataclass(frozen=True)
class Template:
    """The template of one kind, ready to send."""

    kind: str
    filename: str  # Chinese, for Content-Disposition filename*
    ascii_filename: str  # the fallback for clients that read only filename
    body: bytes
    media_type: str = MEDIA_TYPE


def import_template(actor: Actor, kind: str, *, list_names: Sequence[str] = ()) -> Template:
    """The import template of `kind` (penalties | list-entries | licences) for whoever may import.

    `list_names` are the named lists of the catalogue, offered (not imposed) in 名单名称.
    Raises NotPermitted (or NotAuthenticated) for a role that may not import, InvalidInput for
    an unknown kind.
    """
    require_role(actor, "supervisor")  # as import_records (owning_authority) decides who may import
    if kind not in KINDS:
        raise InvalidInput.field("kind", KIND_REFUSED)
    return Template(kind, FILENAMES[kind], ASCII_FILENAMES[kind], workbook(kind, tuple(list_names)))


# ---------------------------------------------------------------------------------------------
# What the template says of a column (all of it read from the importer's column table)


def requirement(kind: str, column: Column) -> str:
    """必填, 必填 or a file-wide default, or 选填: as `layout_of` and the services decide."""
    if column.name in REQUIRED[kind]:
        return REQUIRED_MARK
    if column.name in DEFAULTABLE[kind]:
        return DEFAULT_MARK
    return OPTIONAL_MARK


def value_format(column: Column) -> str:
    """How the importer reads the column's cells, for a person."""
    if column.read is date_value:
        return "日期，如 2026-11-02（也可写 2026/11/2、2026年11月2日）"
    if column.read is amount_value:
        return "数字，单位万元（最多六位小数）"
    if column.read is code_value:
        return "文本（本列已设为文本格式，Excel 不会把代码改成数字）"
    several = "；可填多个，用“；”分隔" if column.several else ""
    if column.choices:
        return "从下拉列表选择" + several
    return "文本" + several


def _offered(kind: str, column: Column, list_names: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """The drop-down list of a column and whether other values may be typed (a warning, not a stop)."""
    if column.choices:
        return column.choices, column.several
    if kind == "list-entries" and column.name == "list_name" and list_names:
        return tuple(list_names), True
    return (), False


def _shown(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return "" if value is None else str(value)


def _width(text: str) -> int:
    """The columns a text takes in Excel: a Chinese character two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(column: Column, offered: Sequence[str]) -> int:
    """Wide enough for the header and for what the column holds: its longest choice, an 18-character
    code, a date, or a sentence of free text; 10 to 40 characters."""
    wanted = _width(column.header) + 2
    if offered:
        wanted = max(wanted, max(_width(v) for v in offered) + 4)
    elif column.read is code_value:
        wanted = max(wanted, 22)
    elif column.read is date_value:
        wanted = max(wanted, 12)
    elif column.read is text_value:
        wanted = max(wanted, 24)
    return min(max(wanted, 10), 40)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


# ---------------------------------------------------------------------------------------------
# The workbook


@lru_cache(maxsize=8)
def workbook(kind: str, list_names: tuple[str, ...] = ()) -> bytes:
    """The template of `kind` as XLSX bytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.properties.creator = "公共资源交易信用信息系统"
    sheet: Any = book.active
    sheet.title = TITLES[kind]
    guide: Any = book.create_sheet(GUIDE)
    choices: Any = book.create_sheet(CHOICES)
    choices.sheet_state = "hidden"
    _data_sheet(sheet, choices, kind, list_names)
    _guide_sheet(guide, kind, list_names)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _data_sheet(sheet: Any, choices: Any, kind: str, list_names: Sequence[str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    lists = 0
    for index, column in enumerate(COLUMNS[kind], start=1):
        letter = get_column_letter(index)
        mark = requirement(kind, column)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="FFFFFF" if mark != OPTIONAL_MARK else "000000")
        cell.fill = PatternFill("solid", fgColor=_FILLS[mark])
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        note = f"{mark}。{value_format(column)}。{NOTES[kind][column.name]}"
        cell.comment = Comment(note, "导入模板", height=140, width=320)  # in points: room for the note
        offered, open_list = _offered(kind, column, list_names)
        sheet.column_dimensions[letter].width = _column_width(column, offered)
        if column.read is date_value:
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
        elif column.read is code_value:
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        lists += bool(offered)
        source = _choices_column(choices, lists, column.header, offered) if offered else ""
        _validate(sheet, f"{letter}2:{letter}{EXCEL_ROWS}", column, mark, offered, open_list, source)
    sheet.row_dimensions[1].height = 36
    sheet.freeze_panes = "A2"


def _choices_column(choices: Any, number: int, header: str, values: Sequence[str]) -> str:
    """Write a drop-down list's values in the hidden sheet; its range as a formula."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(number)
    choices.cell(row=1, column=number, value=header)
    for row, value in enumerate(values, start=2):
        choices.cell(row=row, column=number, value=value)
    return f"'{CHOICES}'!${letter}$2:${letter}${len(values) + 1}"


def _validate(
    sheet: Any, cells: str, column: Column, mark: str, offered: Sequence[str], open_list: bool, source: str
) -> None:
    """The column's input message, and its drop-down list (refusing other values, or only warning)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    prompt = f"{mark}。{value_format(column)}"
    rule = DataValidation(
        type="list" if offered else None,
        formula1=source or None,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=bool(offered),
        promptTitle=_cut(column.header, _EXCEL_TITLE),
        prompt=_cut(prompt, _EXCEL_MESSAGE),
    )
    if offered:
        rule.errorStyle = "warning" if open_list else "stop"
        rule.errorTitle = _cut(column.header, _EXCEL_TITLE)
        rule.error = _cut(
            ("可填多个或列表外的值，请核对：" if open_list else "请从下拉列表中选择：") + "、".join(offered),
            _EXCEL_MESSAGE,
        )
    rule.add(cells)
    sheet.add_data_validation(rule)


def _guide_sheet(guide: Any, kind: str, list_names: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    title = TITLES[kind]
    marks = (
        "2. 表头红色的列必填；橙色的列必填，或在上传时选择文件默认值（失信程度、交易领域）；灰色的列选填。"
        if DEFAULTABLE[kind]
        else "2. 表头红色的列必填；灰色的列选填。"
    )
    lines = [
        f"{title}导入模板 填写说明",
        f"1. 在第一个工作表“{title}”中从第 2 行起每行填写一条记录；请勿改动第 1 行的表头。导入只读取第一个工作表。",
        marks,
        "3. 带下拉列表的列请从列表中选择；可填多个值的列（如处罚类别）可输入多个，用“；”分隔。",
        "4. 日期列已设为日期格式，直接输入 2026-11-02 即可；代码和证件号码列已设为文本格式。",
        "5. 请填写数值，不要使用公式：公式单元格不会导入，会在校验报告中按行列出。",
        "6. 同一机关的同一决定书文号只登记一次，重复导入同一文件不会重复登记；内容不同的同号记录作为冲突列入报告。",
        "7. 上传：信用信息管理台“批量导入”页面，或 POST /api/v1/imports。",
    ]
    for row, line in enumerate(lines, start=1):
        guide.cell(row=row, column=1, value=line)
    guide.cell(row=1, column=1).font = Font(bold=True, size=14)
    first = len(lines) + 2
    for index, header in enumerate(_GUIDE_HEADERS, start=1):
        cell = guide.cell(row=first, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    example = EXAMPLES[kind]
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, column in enumerate(COLUMNS[kind], start=first + 1):
        offered, open_list = _offered(kind, column, list_names)
        allowed = "、".join(offered) + ("（也可填写其他名单）" if open_list and not column.choices else "")
        values = (
            column.header,
            _requirement_text(kind, column),
            value_format(column),
            allowed,
            NOTES[kind][column.name],
            _shown(example.get(column.name)),
        )
        for index, value in enumerate(values, start=1):
            guide.cell(row=row, column=index, value=value).alignment = wrap
    for letter, width in zip("ABCDEF", (28, 22, 30, 40, 60, 36), strict=True):
        guide.column_dimensions[letter].width = width


def _requirement_text(kind: str, column: Column) -> str:
    mark = requirement(kind, column)
    if column.name == DOMAIN_FIELD.get(kind):
        return mark + "；本机关只监管一个领域时可留空"
    return mark
