"""The screening page's bidder upload reads through the importer's reader (registry.imports.files):
one reader, so the two cannot drift apart again. What either reader did better, both do now:
(必录) marks a required column, a CSV may be separated by full-width commas, an old workbook is
refused by its name or its content, and the page says every refusal in Chinese with the words
it used before (the import's API keeps its English)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from api.pages.screening_input import HEADER_SEARCH_ROWS, UPLOAD_LIMITS, UnreadableFile, read_file
from registry.imports import files

CODE = "91330106MA2B00001X"


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal(data: bytes, filename: str) -> str:
    with pytest.raises(UnreadableFile) as refused:
        read_file(filename, data)
    return str(refused.value)


def importer_refusal(data: bytes, filename: str, header: str | None = None) -> files.FileRefused:
    """What the importer's reader says of the same file (the header row: the first row with a
    value, or the first that holds `header`)."""
    with (
        pytest.raises(files.FileRefused) as refused,  # noqa: PT012 (the rows are read inside the context)
        files.open_table(
            io.BytesIO(data), filename, lambda texts: header in texts if header else any(texts), UPLOAD_LIMITS
        ) as table,
    ):
        for _ in table.rows:
            pass
    return refused.value


# --- the drift, reproduced ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"名称（必录）,统一社会信用代码\n甲公司,{CODE}\n", [("甲公司", CODE)]),
        ("投标人名称（必录）\n甲公司\n乙公司\n", [("甲公司", None), ("乙公司", None)]),
    ],
    ids=["with-code-column", "alone"],
)
def test_a_required_mark_the_importer_knows_is_read_on_the_screening_page(
    text: str,
    expected: list[tuple[str | None, str | None]],
) -> None:
    """名称（必录）: the importer took (必录) for a required-field note, the screening page did not: it
    dropped the name column as unknown (every bidder without its name) or found no header row."""
    read = read_file("投标人.csv", text.encode())
    assert read.errors == []
    assert read.notes == []  # no column ignored
    assert [(b.name, b.uscc) for b in read.bidders] == expected


def test_a_csv_separated_by_full_width_commas_is_read_by_both() -> None:
    """A CSV typed in a Chinese input method: ， between the cells (the screening page read it, the
    importer took each line for one cell)."""
    data = f"名称，统一社会信用代码\n甲公司，{CODE}\n".encode("gb18030")
    read = read_file("投标人.csv", data)
    assert [(b.name, b.uscc) for b in read.bidders] == [("甲公司", CODE)]
    with files.open_table(io.BytesIO(data), "x.csv", lambda texts: "名称" in texts) as table:
        assert table.headers == ["名称", "统一社会信用代码"]
        assert [cells for _, cells in table.rows] == [["甲公司", CODE]]


def test_a_comma_csv_with_full_width_commas_in_its_text_keeps_the_comma() -> None:
    """Chinese prose in a cell is full of ，: the separator is told from the first line, not the data."""
    data = f"名称,统一社会信用代码,备注\n甲公司,{CODE},已中标，待公示，无异议\n".encode()
    read = read_file("投标人.csv", data)
    assert [(b.name, b.uscc) for b in read.bidders] == [("甲公司", CODE)]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "名单.xlsx"),  # an old workbook by its content
        (f"名称,统一社会信用代码\n甲公司,{CODE}\n".encode(), "名单.xls"),  # by its name
        (f"名称,统一社会信用代码\n甲公司,{CODE}\n".encode(), "名单.ET"),  # WPS's own
    ],
    ids=["ole-content", "xls-name", "et-name"],
)
def test_an_old_workbook_is_refused_by_name_or_content_by_both(data: bytes, filename: str) -> None:
    message = "不支持旧版 Excel（.xls）或 WPS（.et）文件：请在 Excel 中另存为 .xlsx 或 CSV 后再上传"
    assert refusal(data, filename) == message
    refused = importer_refusal(data, filename)
    assert refused.chinese == message
    assert "old Excel 97-2003 workbook" in refused.message


def test_a_binary_file_is_refused_by_both_as_no_table() -> None:
    """A NUL above the header row: no text at all (the importer looked for a header and found none)."""
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    assert refusal(data, "名单.png") == "文件含有二进制内容，不是 CSV 或 XLSX 表格"
    refused = importer_refusal(data, "x.csv", header="名称")
    assert refused.message == "x.csv holds binary content (a NUL byte): it is not a CSV or XLSX spreadsheet"
    assert refused.chinese == "文件含有二进制内容，不是 CSV 或 XLSX 表格"


def test_a_nul_in_a_bidders_cell_is_reported_for_its_row() -> None:
    """Below the header row a NUL is one cell's problem (as the importer reports it for its row):
    the others are read, the row is named, in Chinese."""
    read = read_file("名单.csv", f"名称,统一社会信用代码\n杭州\x00公司,\n乙公司,{CODE}\n".encode())
    assert read.errors == ["文件第 2 行：名称含有 NUL 字符（二进制内容），请删除后再上传"]
    assert [b.name for b in read.bidders] == ["乙公司"]


# --- every refusal in Chinese, as the page said it before ------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"  \r\n", "名单.csv", "上传的文件是空的"),
        (b"not a zip at all", "名单.xlsx", "文件扩展名是 .xlsx，但内容不是 Excel 工作簿"),
        (
            b"PK\x03\x04 not really a zip",
            "名单.xlsx",
            "无法读取该 XLSX 文件：文件已损坏，或不是 Excel 工作簿（.docx、.zip 等）",
        ),
        ('名称,统一社会信用代码\n"甲公司"x,1\n'.encode(), "名单.csv", None),  # csv reads it (lenient)
        (
            "说明文字\n".encode(),
            "说明.txt",
            f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头：表头应含「名称、单位名称、投标人名称、统一社会信用代码」等列名之一",
        ),
    ],
    ids=["empty", "named-xlsx", "broken-zip", "lenient-quotes", "no-header"],
)
def test_the_page_says_each_refusal_as_before(data: bytes, filename: str, message: str | None) -> None:
    if message is None:
        assert read_file(filename, data).bidders
    else:
        assert refusal(data, filename) == message


def test_a_csv_that_changes_encoding_part_way_is_refused_in_chinese() -> None:
    """The encoding is told from the head of the file, as the importer streams it: GB18030 after
    300,000 blank lines of UTF-8 is refused, not read as mojibake."""
    data = f"名称,统一社会信用代码\n甲公司,{CODE}\n".encode() + b"\n" * 300_000 + "乙公司,坏\n".encode("gb18030")
    assert "文字编码前后不一致" in refusal(data, "名单.csv")
    assert "changes encoding part-way" in importer_refusal(data, "x.csv").message


def test_a_workbook_of_several_sheets_notes_in_chinese_which_was_read() -> None:
    data = xlsx(("投标人", [["名称", "统一社会信用代码"], ["甲公司", CODE]]), ("说明", [["x"]]))
    read = read_file("名单.xlsx", data)
    assert [b.name for b in read.bidders] == ["甲公司"]
    assert read.notes == ["只读取了第一个工作表「投标人」，其余工作表未读取"]
    with files.open_table(io.BytesIO(data), "x.xlsx", lambda texts: "名称" in texts) as table:
        assert table.notes == ["only the first worksheet (投标人) was read; not read: 说明"]
        assert table.chinese_notes == ["只读取了第一个工作表「投标人」，其余工作表未读取"]


def test_a_limit_refusal_carries_both_languages() -> None:
    data = ("名称\r\n甲公司" + "," * 200 + "x\r\n").encode()
    refused = importer_refusal(data, "x.csv")
    assert refused.message == "x.csv: row 2: a value in column GS (201); at most 200 columns are read"
    assert refused.chinese == "文件第 2 行：第 201 列（GS 列）有内容，超过上限 200 列"
    assert refusal(data, "名单.csv") == refused.chinese


def test_the_screening_header_key_is_the_importers_in_lower_case() -> None:
    from api.pages.screening_input import header_key

    for text in ("名称（必录）", "* 统一社会信用代码", "USCC(必填)", " 投标人 名称 "):
        assert header_key(text) == files.header_key(text).lower()
