"""The screening page's bidder upload (资格审查, 上传名单) under the same upload limits as the import
(registry/imports/upload_limits.py) with its own sizes: 64 MiB unpacked, 2,000 data rows (one project's
bidders: at most 1,000). Every refusal comes back on the form, on the file field (422), in Chinese,
naming the limit and what was found; nothing is stored. The bombs are built here (zipfile)."""

from __future__ import annotations

import re
import tracemalloc

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from api.pages import screening_input
from api.pages.screening_input import UPLOAD_LIMITS, UnreadableFile, read_file
from tests import factories
from tests.pages.conftest import csrf_of, sign_in
from tests.pages.test_screening_pages import stored
from tests.registry.test_upload_bombs import (
    MEMORY_BOUND,
    SHEET_HEAD,
    distinct_cells,
    repeated,
    row_xml,
    wide_row_bomb,
    workbook,
)

MiB = 1024 * 1024
HEADER = row_xml(1, ["名称", "统一社会信用代码", "角色"])


@pytest.fixture
def screener(pages: FlaskClient, world: factories.World) -> FlaskClient:
    sign_in(pages, world.screener_key)
    return pages


def submit(client: FlaskClient, data: bytes, name: str) -> TestResponse:
    """The screening form with `data` as the bidder file, sent as a person's browser sends it. The body
    is built here as bytes: given a file in a dict, the test client spools a big body to a temporary
    file it never closes."""
    token = csrf_of(client.get("/screening").get_data(as_text=True))
    fields = {
        "csrf": token,
        "domain": "procurement",
        "project_code": "ZJCG-2026-0042",
        "stage": "资格审查",
        "bidders": "",
    }
    boundary = "----screening-bomb-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="bidders_file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post("/screening", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def refused_on_form(client: FlaskClient, session: Session, data: bytes, name: str) -> str:
    """Upload `data` as the bidder list; the error shown under the file field (the page is a 422)."""
    r = submit(client, data, name)
    assert r.status_code == 422, r.get_data(as_text=True)[:2000]
    page = r.get_data(as_text=True)
    error = re.search(r'<div class="field-error" id="bidders_file-error">(.*?)</div>', page, re.S)
    assert error, page[:3000]
    assert stored(session) == 0
    return re.sub(r"<[^>]+>", "", " ".join(error.group(1).split()))


def peak_memory_of_reading(data: bytes, name: str) -> int:
    """The most Python allocated (tracemalloc) while the page's reader refused `data`."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with pytest.raises(UnreadableFile):
            read_file(name, data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_page_reads_under_the_import_limits_with_its_own_sizes() -> None:
    """Same limits as the import, except what one project's bidder list needs."""
    from registry.imports.upload_limits import IMPORT_LIMITS

    assert (UPLOAD_LIMITS.unpacked_bytes, UPLOAD_LIMITS.rows) == (64 * MiB, 2000)
    assert (UPLOAD_LIMITS.members, UPLOAD_LIMITS.ratio, UPLOAD_LIMITS.columns, UPLOAD_LIMITS.cell_chars) == (
        IMPORT_LIMITS.members,
        IMPORT_LIMITS.ratio,
        IMPORT_LIMITS.columns,
        IMPORT_LIMITS.cell_chars,
    )
    assert screening_input.MAX_SUBJECTS == 1000


def test_a_300_mb_bomb_is_refused_on_the_form_within_200_mb(screener: FlaskClient, session: Session) -> None:
    """Reproduces the outside tester's 1.2 MB XLSX (5 GB, a 500) against the screening upload: one row
    of 300 MB of identical cells is refused by its unpacked size before it is read, on the form."""
    message = refused_on_form(screener, session, wide_row_bomb(), "炸弹.xlsx")
    assert message.startswith("「炸弹.xlsx」：XLSX 文件解压后有 300.0 MiB，超过上限 64.0 MiB")
    peak = peak_memory_of_reading(wide_row_bomb(), "炸弹.xlsx")
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"


def test_a_member_count_bomb_is_refused(screener: FlaskClient, session: Session) -> None:
    """A zip of 5,000 empty parts more: refused from the zip directory, naming the count and the limit."""
    message = refused_on_form(screener, session, workbook([HEADER], members=5000), "名单.xlsx")
    assert "XLSX 文件的压缩包内有 5005 个部件，超过上限 200 个" in message


def test_a_billion_laughs_in_the_sheet_is_refused_as_damaged(screener: FlaskClient, session: Session) -> None:
    """The entity-expansion bomb in sheet1.xml: defusedxml refuses the declaration; the page says the
    file cannot be read (nothing expanded)."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY a{i} "{("&a%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10)
    )
    head = SHEET_HEAD.replace(b"<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet".encode(), 1)
    data = workbook([HEADER, row_xml(2, ["&a9;"]).replace(b"&amp;a9;", b"&a9;")], head=head)
    assert "无法读取该 XLSX 文件" in refused_on_form(screener, session, data, "名单.xlsx")
    assert peak_memory_of_reading(data, "名单.xlsx") < MEMORY_BOUND


def test_a_truncated_xlsx_is_refused(screener: FlaskClient, session: Session) -> None:
    """A download cut short (no zip directory): the page says the file is damaged; never a 500."""
    data = workbook([HEADER, *(row_xml(n, [f"宁波第{n}建材有限公司"]) for n in range(2, 300))])
    assert "无法读取该 XLSX 文件" in refused_on_form(screener, session, data[: len(data) // 2], "名单.xlsx")


def test_a_worksheet_of_invalid_xml_is_refused_when_met(screener: FlaskClient, session: Session) -> None:
    """A worksheet that stops inside a tag, met while the bidders are read: refused, never a 500."""
    data = workbook([HEADER, row_xml(2, ["宁波甬江建材有限公司"]), b'<row r="3"><c t='])
    assert "无法读取该 XLSX 文件" in refused_on_form(screener, session, data, "名单.xlsx")


def test_an_xlsx_over_the_row_cap_is_refused(screener: FlaskClient, session: Session) -> None:
    """4,011 rows in the sheet's XML (blank ones too) is more than twice the page's 2,000 rows."""
    rows = b"".join(b'<row r="%d"/>' % n for n in range(2, 4013))
    assert "行数超过上限 2000 行" in refused_on_form(screener, session, workbook([HEADER, rows]), "名单.xlsx")


def test_a_cell_over_the_length_cap_is_refused_naming_row_and_column(screener: FlaskClient, session: Session) -> None:
    """A name cell of 10,001 characters: refused naming 文件第 2 行 A 列, its length and the limit."""
    data = workbook([HEADER, row_xml(2, ["甲" * 10_001])])
    message = refused_on_form(screener, session, data, "名单.xlsx")
    assert "文件第 2 行 A 列：单元格有 10001 个字符，超过上限 10000 个" in message


def test_a_csv_with_too_many_columns_is_refused(screener: FlaskClient, session: Session) -> None:
    """A CSV whose second row has a value in column 201 (GS): refused naming the row and the column."""
    data = ("名称,统一社会信用代码\r\n宁波甬江建材有限公司" + "," * 200 + "x\r\n").encode()
    message = refused_on_form(screener, session, data, "名单.csv")
    assert "文件第 2 行：第 201 列（GS 列）有内容，超过上限 200 列" in message


def test_a_csv_of_one_endless_line_is_refused_within_200_mb(screener: FlaskClient, session: Session) -> None:
    """A CSV of 12 MB without a line break: refused at the longest line a row may take, not decoded whole."""
    data = "名称\r\n".encode() + b"x" * (12 * MiB)
    assert "第 2 行超过 2000602 个字符" in refused_on_form(screener, session, data, "名单.csv")
    assert peak_memory_of_reading(data, "名单.csv") < MEMORY_BOUND


def test_a_row_of_many_distinct_cells_is_stopped_by_the_row_guard(screener: FlaskClient, session: Session) -> None:
    """Reproduces the 206 KB upload that left 800 MB behind, past the archive checks (distinct values):
    one row of 400,000 cells, stopped by the row guard at 65,536 XML elements."""
    data = workbook([HEADER, b'<row r="2">', *distinct_cells(400_000), b"</row>"])
    assert "文件第 2 行：一行含有超过 65536 个 XML 元素" in refused_on_form(screener, session, data, "名单.xlsx")
    assert peak_memory_of_reading(data, "名单.xlsx") < MEMORY_BOUND


def test_a_part_read_whole_over_32_mib_is_refused(screener: FlaskClient, session: Session) -> None:
    """A shared-strings part of 33 MiB: refused from the directory, naming the part and the limit."""
    data = workbook([HEADER], extra={"xl/sharedStrings.xml": repeated(b"<si/>", 33 * MiB)})
    message = refused_on_form(screener, session, data, "名单.xlsx")
    assert "XLSX 文件的部件 xl/sharedStrings.xml 解压后有 33.0 MiB，超过上限 32.0 MiB" in message
