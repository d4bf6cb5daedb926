"""Uploads cannot exhaust memory (issue: a 1.2 MB XLSX took a worker to 5 GB and a 500; a 206 KB one
left 800 MB behind). Every bomb is built here with zipfile, from generators: nothing binary is kept.

registry.imports.upload_limits checks the archive before anything is parsed (parts, unpacked sizes,
compression ratio), meters worksheet XML row by row while openpyxl streams it, and holds rows,
columns and cells (XLSX and CSV) to their limits; the import API answers 413 for a file too big and
422 for one shaped wrongly or damaged, naming the file, the limit and what was found.
"""

from __future__ import annotations

import dataclasses
import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from registry.imports import upload_limits, xlsx_tables
from registry.imports.files import FileRefused, FileTooLarge, open_table
from registry.imports.rows import is_header
from registry.imports.upload_limits import IMPORT_LIMITS, LimitExceeded
from registry.imports.workbook_guard import check_archive
from tests.api.test_imports import upload
from tests.import_sheets import PENALTY_HEADERS, company, csv_bytes, penalty_row

MiB = 1024 * 1024
MEMORY_BOUND = 200 * MiB  # generous: refusing any bomb here takes a few MB

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="行政处罚" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        "</Relationships>"
    ),
}
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def row_xml(number: int, values: Iterable[Any]) -> bytes:
    """One <row> of inline strings and numbers, as openpyxl's write-only workbooks write it."""
    cells = []
    for value in values:
        if value is None:
            cells.append("<c/>")
        elif isinstance(value, int | float):
            cells.append(f"<c><v>{value}</v></c>")
        else:
            cells.append(f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def workbook(
    sheet: Iterable[bytes],
    *,
    head: bytes = SHEET_HEAD,
    tail: bytes = SHEET_TAIL,
    extra: dict[str, Iterable[bytes]] | None = None,
    members: int = 0,
) -> bytes:
    """An XLSX whose first worksheet is the XML `sheet` yields (between `head` and `tail`),
    written part by part through zipfile without ever holding a part whole; `extra` parts likewise,
    and `members` empty parts more."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        for name, chunks in {"xl/worksheets/sheet1.xml": [head, *sheet, tail], **(extra or {})}.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
        for n in range(members):
            archive.writestr(f"customXml/item{n}.xml", "")
    return out.getvalue()


def header_xml() -> bytes:
    return row_xml(1, PENALTY_HEADERS)


def repeated(unit: bytes, total: int, block: int = 1 * MiB) -> Iterator[bytes]:
    """`total` bytes of `unit` over and over, a block at a time."""
    chunk = unit * max(1, block // len(unit))
    for _ in range(total // len(chunk)):
        yield chunk


@cache
def wide_row_bomb() -> bytes:
    """The tester's bomb: one row of 300 MB of identical cells, ~0.6 MB packed. openpyxl builds a
    row whole before handing it over; this one is some 20 million cells (today's code: gigabytes)."""
    return workbook([header_xml(), b'<row r="2">', *repeated(b"<c><v>1</v></c>", 300 * MiB), b"</row>"])


def peak_memory(action: Callable[[], object]) -> int:
    """The most Python allocated (tracemalloc, raw allocations included) while `action` ran."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        action()
    except FileRefused:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def refusal(data: bytes | Path, filename: str = "bomb.xlsx", **limits: int) -> FileRefused:
    """The refusal of `data` by open_table (with `limits` replacing the import's), rows read to the end."""
    source = data if isinstance(data, Path) else io.BytesIO(data)

    def read() -> None:
        with open_table(source, filename, is_header, dataclasses.replace(IMPORT_LIMITS, **limits)) as table:
            for _ in table.rows:
                pass

    with pytest.raises(FileRefused) as caught:
        read()
    return caught.value


# --- the archive, before anything is parsed ----------------------------------------------------


def test_a_sheet_unpacking_to_300_mb_is_refused_from_the_zip_directory_within_200_mb():
    """Reproduces the outside tester's 1.2 MB XLSX that took a worker to 5 GB: a worksheet of 300 MB
    of repetitive XML is refused by its compression ratio before a byte of it is unpacked, and
    refusing it costs a few MB, not gigabytes."""
    data = wide_row_bomb()
    assert len(data) < 2 * MiB
    exc = refusal(data)
    assert type(exc) is FileRefused
    assert exc.status == 422
    assert "bomb.xlsx: part xl/worksheets/sheet1.xml unpacks to" in exc.message
    assert "times its packed size" in exc.message
    assert "at most 100:1" in exc.message
    peak = peak_memory(lambda: refusal(data))
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"


def test_a_part_read_whole_over_32_mib_is_413():
    """A shared-strings part of 40 MiB (openpyxl reads that part whole into a list) is too large:
    refused as a 413 naming the part, the limit and its size, before it is read."""
    strings = [
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        *repeated(b"<si><t>x</t></si>", 40 * MiB),
        b"</sst>",
    ]
    exc = refusal(workbook([header_xml()], extra={"xl/sharedStrings.xml": strings}))
    assert isinstance(exc, FileTooLarge)
    assert exc.status == 413
    assert "part xl/sharedStrings.xml unpacks to 40.0 MiB; a part may unpack to at most 32.0 MiB" in exc.message


def test_the_unpacked_total_is_checked_before_each_part():
    """All parts together are held to the total (512 MiB for imports): checked from the directory,
    here against a total of 1 MiB so that the test stays small."""
    archive = zipfile.ZipFile(io.BytesIO(workbook([header_xml(), *repeated(b"<row/>", 2 * MiB)])))
    with pytest.raises(LimitExceeded) as caught:
        check_archive(archive, dataclasses.replace(IMPORT_LIMITS, unpacked_bytes=MiB))
    assert caught.value.too_large
    assert caught.value.english().startswith("unpacks to 2.0 MiB; at most 1.0 MiB is read")


def test_an_archive_of_many_parts_is_refused():
    """A member-count bomb: 5,000 empty parts (each costs a directory entry and a lookup) → 422."""
    exc = refusal(workbook([header_xml()], members=5000))
    assert type(exc) is FileRefused
    assert exc.message == "bomb.xlsx: its zip archive holds 5,005 parts; an XLSX workbook may hold at most 200"


def test_a_billion_laughs_in_the_sheet_xml_is_refused_unexpanded():
    """The entity-expansion bomb (billion laughs) declared in sheet1.xml: defusedxml, which openpyxl
    uses once installed, refuses the declaration; nothing is expanded."""
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10)
    ]
    head = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{"".join(entities)}]><worksheet {_NS}><sheetData>').encode()
    data = workbook([header_xml(), b'<row r="2"><c t="inlineStr"><is><t>&lol9;</t></is></c></row>'], head=head)
    exc = refusal(data)
    assert type(exc) is FileRefused
    assert "bomb.xlsx cannot be read as an XLSX workbook: its XML declares entities" in exc.message
    assert peak_memory(lambda: refusal(data)) < MEMORY_BOUND


def test_openpyxl_parses_with_defusedxml():
    """The guard against entity bombs is defusedxml: installed (a dependency) and used by openpyxl."""
    from openpyxl.xml import DEFUSEDXML, functions

    assert DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")


# --- damaged files --------------------------------------------------------------------------------


def good_workbook(world: Any, rows: int = 300) -> bytes:
    name, code = company(52)
    records = [penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{5000 + n}号") for n in range(rows)]
    return workbook(
        [header_xml(), *(row_xml(n + 2, [r.get(h) for h in PENALTY_HEADERS]) for n, r in enumerate(records))]
    )


def test_a_truncated_xlsx_is_refused_naming_the_file(world):
    """A download cut short: the zip's directory is gone. 422 naming the file, never a 500."""
    data = good_workbook(world)
    exc = refusal(data[: len(data) // 2], "截断.xlsx")
    assert exc.message.startswith("截断.xlsx cannot be read as an XLSX workbook: BadZipFile")


def test_a_worksheet_damaged_half_way_is_refused_when_it_is_met(world):
    """The directory is intact but the worksheet's packed data is corrupt half-way: zlib or the CRC
    check fails while the rows are read (after the header row was found): 422, not a 500."""
    data = bytearray(good_workbook(world, rows=3000))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 64] = bytes(64)
    exc = refusal(bytes(data), "坏.xlsx")
    assert exc.message.startswith("坏.xlsx cannot be read as an XLSX workbook: ")
    assert exc.status == 422


def test_a_worksheet_of_invalid_xml_is_refused(world):
    """A worksheet cut off inside a tag (a generator that died): the XML parser's error, 422."""
    exc = refusal(
        workbook([header_xml(), b'<row r="2"><c t="inlineStr"><is><t>abc</t></is></c></row><row r="3"><c t='])
    )
    assert exc.message.startswith("bomb.xlsx cannot be read as an XLSX workbook: ParseError")


# --- rows, columns, cells --------------------------------------------------------------------------


def distinct_cells(count: int, batch: int = 10_000) -> Iterator[bytes]:
    """`count` cells of distinct numbers (XML that packs only some 5:1), in batches."""
    for start in range(0, count, batch):
        yield b"".join(b"<c><v>%d</v></c>" % n for n in range(start, min(start + batch, count)))


def test_a_row_of_a_million_distinct_cells_is_stopped_by_the_row_guard_within_200_mb():
    """Reproduces the 206 KB upload that left 800 MB behind, in the form that passes the archive
    checks (distinct values: it packs only about 5:1): one row of a million cells. openpyxl would
    build the row whole; the guard stops the XML at 65,536 elements in a row."""
    data = workbook([header_xml(), b'<row r="2">', *distinct_cells(1_000_000), b"</row>"])
    exc = refusal(data)
    assert type(exc) is FileRefused
    assert exc.message == (
        "bomb.xlsx: row 2: more than 65,536 XML elements (cells, text runs …) in one row; at most 65,536"
    )
    peak = peak_memory(lambda: refusal(data))
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"


def test_a_worksheet_kept_elsewhere_is_guarded_too():
    """A worksheet the workbook's relations place outside xl/worksheets/ (where the 32 MiB cap on
    other parts applies, not the worksheet's allowance) is still metered from its <sheetData> on."""
    data = workbook([header_xml(), b'<row r="2">', *distinct_cells(100_000), b"</row>"])
    moved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item).replace(b"worksheets/sheet1.xml", b"sheet1.xml")
            target.writestr(item.filename.replace("xl/worksheets/", "xl/"), content)
    exc = refusal(moved.getvalue())
    assert exc.message == (
        "bomb.xlsx: row 2: more than 65,536 XML elements (cells, text runs …) in one row; at most 65,536"
    )


def test_what_follows_the_rows_has_a_budget_of_its_own():
    """Merged ranges after the rows count apart from the last row (a sheet may merge a few cells
    on each of its rows), and 100,000 of them are refused as what they are."""

    def merged(count: int) -> bytes:
        merges = b"".join(b'<mergeCell ref="C%d:D%d"/>' % (n, n) for n in range(2, count + 2))
        tail = b"</sheetData><mergeCells>%s</mergeCells></worksheet>" % merges
        return workbook([header_xml(), row_xml(2, ["x"] * 4)], tail=tail)

    with open_table(io.BytesIO(merged(60_000)), "ok.xlsx", is_header) as table:
        assert [number for number, _ in table.rows] == [2]
    exc = refusal(merged(100_000))
    assert exc.message == (
        "bomb.xlsx: more than 65,536 XML elements after the worksheet's rows (merged cells, "
        "hyperlinks, formatting …); at most 65,536"
    )


def test_a_row_read_in_the_second_process_is_refused_the_same(tmp_path, monkeypatch):
    """A big workbook given by path is read in a forked process (its declared dimension spares the
    first process a pass over the XML): the guard's refusal there reaches the parent intact, and a
    row too wide is refused by the parent as it takes the rows."""
    monkeypatch.setattr(xlsx_tables, "PARALLEL_XLSX_BYTES", 0)
    head = SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:AH3"/><sheetData>')
    path = tmp_path / "宽.xlsx"
    path.write_bytes(workbook([header_xml(), b'<row r="2">', *distinct_cells(40_000), b"</row>"], head=head))
    exc = refusal(path, "宽.xlsx")
    assert exc.message == (
        "宽.xlsx: row 2: more than 65,536 XML elements (cells, text runs …) in one row; at most 65,536"
    )
    path.write_bytes(workbook([header_xml(), b'<row r="2">', *distinct_cells(301), b"</row>"], head=head))
    exc = refusal(path, "宽.xlsx")
    assert exc.message == "宽.xlsx: row 2: a value in column KO (301); at most 200 columns are read"


def test_an_xlsx_over_the_row_cap_is_413():
    """A worksheet of 400,011 rows (more than twice the 200,000 data rows an import reads, blank
    rows counted; openpyxl keeps a little of every row it parsed) is refused while its XML streams
    in, before any row is imported: a 413."""
    rows = (
        b"".join(b'<row r="%d"/>' % n for n in range(start, min(start + 10_000, 400_013)))
        for start in range(2, 400_013, 10_000)
    )
    exc = refusal(workbook([header_xml(), *rows]))
    assert isinstance(exc, FileTooLarge)
    assert "more than 200,000 rows; at most 200,000 data rows are read in one file" in exc.message


def test_data_rows_are_counted_blank_rows_are_not(world):
    """The data-row cap counts rows that hold a value after the header (here against a cap of 5)."""
    name, code = company(53)
    records = [penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{6000 + n}号") for n in range(6)]
    cells = [[r.get(h) for h in PENALTY_HEADERS] for r in records]
    blanks = [[None] * len(PENALTY_HEADERS)] * 8  # the XML's rows stay under the guard's 2 × 5 + 10
    fine = csv_bytes(PENALTY_HEADERS, [*records[:5]]) + b"\r\n" * 20
    with open_table(io.BytesIO(fine), "ok.csv", is_header, dataclasses.replace(IMPORT_LIMITS, rows=5)) as table:
        assert len(list(table.rows)) == 25
    data = workbook([header_xml(), *(row_xml(n + 2, c) for n, c in enumerate([*cells[:3], *blanks, *cells[3:]]))])
    exc = refusal(data, rows=5)
    assert exc.message.startswith("bomb.xlsx: row 15: more than 5 rows")
    assert exc.status == 413


def test_a_cell_over_10000_characters_is_refused_naming_row_and_column(world):
    """One cell of 10,001 characters (违法事实 pasted with a whole document): 422 naming row and column."""
    name, code = company(54)
    record = penalty_row(world.finance, name, code, "浙财采罚〔2026〕7001号", **{"违法事实": "虚" * 10_001})
    column = PENALTY_HEADERS.index("违法事实") + 1
    exc = refusal(workbook([header_xml(), row_xml(2, [record.get(h) for h in PENALTY_HEADERS])]))
    letter = upload_limits.column_letter(column)
    assert (
        exc.message == f"bomb.xlsx: row 2, column {letter}: a cell of 10,001 characters; a cell may hold at most 10,000"
    )


def test_a_csv_of_too_many_columns_is_refused(world):
    """A CSV whose second row has values out to column 250: 422 naming the row and the column."""
    name, code = company(55)
    record = penalty_row(world.finance, name, code, "浙财采罚〔2026〕7002号")
    row = csv_bytes(PENALTY_HEADERS, [record]).decode("utf-8-sig").rstrip("\r\n")
    text = row + "," * (250 - len(PENALTY_HEADERS)) + "x\r\n"  # a value in column 250
    exc = refusal(text.encode(), "宽.csv")
    assert exc.message == "宽.csv: row 2: a value in column IP (250); at most 200 columns are read"


def test_a_csv_of_one_endless_line_is_refused_without_reading_it_whole():
    """A CSV of 30 MB without a line break: refused at the longest line a row may take."""
    header = ",".join(PENALTY_HEADERS).encode() + b"\r\n"
    exc = refusal(header + b"x" * (30 * MiB), "长.csv")
    assert exc.message == "长.csv: line 2 is longer than 2,000,602 characters; at most 2,000,602"
    assert peak_memory(lambda: refusal(header + b"x" * (30 * MiB), "长.csv")) < MEMORY_BOUND


def test_a_csv_over_its_size_limit_is_413():
    """A CSV past MAX_CSV_BYTES (here a limit of 1 MiB) is refused by its size, before it is read."""
    exc = refusal(b"a,b\r\n" * 300_000, "大.csv", csv_bytes=MiB)
    assert isinstance(exc, FileTooLarge)
    assert exc.message == "大.csv: is 1.4 MiB; a CSV file may be at most 1.0 MiB"


# --- through the import API -------------------------------------------------------------------------


def test_the_300_mb_bomb_posted_to_the_import_api_is_422_not_500(client, world):
    """The tester's request: the bomb posted to POST /api/v1/imports is refused in the API's error shape."""
    r = upload(client, world.finance_key, wide_row_bomb(), "炸弹.xlsx")
    assert r.status_code == 422, r.json
    assert r.json["code"] == 422
    assert r.json["message"].startswith("炸弹.xlsx：部件 xl/worksheets/sheet1.xml 解压后是压缩大小")
    assert r.json["message_en"].startswith("炸弹.xlsx: part xl/worksheets/sheet1.xml unpacks to")
    assert "file" in r.json["errors"]


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (
            lambda w: workbook([header_xml()], extra={"xl/sharedStrings.xml": repeated(b"<si/>", 33 * MiB)}),
            413,
            "a part may unpack to at most 32.0 MiB",
        ),
        (lambda w: workbook([header_xml()], members=300), 422, "holds 305 parts"),
        (lambda w: good_workbook(w)[:5000], 422, "cannot be read as an XLSX workbook: BadZipFile"),
        (lambda w: workbook([header_xml(), row_xml(2, ["坏" * 10_001])]), 422, "a cell of 10,001 characters"),
    ],
    ids=["part-too-large", "many-parts", "truncated", "long-cell"],
)
def test_the_import_api_refuses_each_bomb_in_its_error_shape(client, world, make, status, message):
    """Each refusal through POST /api/v1/imports: 413 for size, 422 otherwise, the message naming the
    file and the limit, and nothing written."""
    r = upload(client, world.finance_key, make(world), "上传.xlsx")
    assert r.status_code == status, r.json
    assert (r.json["code"], r.json["message_en"].startswith("上传.xlsx")) == (status, True)
    assert message in r.json["message_en"]
    assert "上传.xlsx" in r.json["message"]
    assert r.json["message"] != r.json["message_en"]


def test_the_import_api_refuses_a_csv_of_too_many_columns(client, world):
    """A CSV with a value in column 201 posted to the API: 422 naming row 2 and column GS."""
    name, code = company(56)
    record = penalty_row(world.finance, name, code, "浙财采罚〔2026〕7003号")
    text = csv_bytes(PENALTY_HEADERS, [record]).decode("utf-8-sig").rstrip("\r\n")
    r = upload(client, world.finance_key, (text + "," * (201 - len(PENALTY_HEADERS)) + "x\r\n").encode(), "宽.csv")
    assert r.status_code == 422, r.json
    assert r.json["message"] == "宽.csv：第 2 行：第 GS 列（第 201 列）有内容，最多读取 200 列。"
    assert r.json["message_en"] == "宽.csv: row 2: a value in column GS (201); at most 200 columns are read"
