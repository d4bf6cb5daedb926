"""How much of an uploaded spreadsheet the registry agrees to read, and the reading that keeps to it.

An XLSX is a zip of XML parts: a 1 MB upload can unpack to gigabytes (a "zip bomb"), and openpyxl,
even read-only, holds some parts whole (the shared strings, the styles) and builds each row of a
worksheet whole before handing it over (one `<row>` of millions of cells is gigabytes). So, before
anything is parsed, the archive's own directory is checked (`check_archive`: parts, their unpacked
sizes, their compression ratio), and while a worksheet is parsed its XML is metered row by row as
it streams in (`_RowGuard`: rows, bytes and elements per row). Python's `zipfile` never yields more
of a part than the directory declares (it stops there and the CRC check fails), so the declared
sizes are a bound, not a claim. openpyxl parses with defusedxml when it is installed (a dependency):
a part that declares entities (the "billion laughs") is refused, not expanded.

CSV is read line by line, each line bounded, and the same row, column and cell limits apply to the
rows of both. A refusal is a `LimitExceeded` that names the limit and what was found (in English for
the import, in Chinese for the screening page); `registry.imports.files` turns it into a 413 (the
file is too big: bytes, rows) or a 422 (its shape: ratio, parts, columns, a cell, a row's XML).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

MiB = 1024 * 1024

MAX_MEMBERS = 200  # parts in the zip; Excel writes about ten for a one-sheet workbook
# All parts together, unpacked. A worksheet is streamed under the row guard, so its size costs time,
# not memory; 200,000 rows of a 双公示 sheet in inline strings (openpyxl's and our exports') is ~280 MB.
MAX_UNPACKED_BYTES = 512 * MiB
MAX_MEMBER_BYTES = 32 * MiB  # any one part other than a worksheet: openpyxl reads those whole
MAX_RATIO = 100  # unpacked : packed, for a part over RATIO_FLOOR_BYTES (a real sheet is 5-15:1)
RATIO_FLOOR_BYTES = 1 * MiB  # tiny parts compress oddly and cost nothing
MAX_ROWS = 200_000  # data rows: rows after the header row that hold a value
EXCEL_ROWS = 1_048_576  # the last row of an Excel sheet: blank rows count toward it
MAX_COLUMNS = 200  # the last column holding a value; the 双公示 sheet has about 30
MAX_CELL_CHARS = 10_000  # characters in one cell (违法事实 runs to a few hundred)
MAX_ROW_XML_BYTES = 8 * MiB  # one <row> of worksheet XML: 200 cells of 10,000 characters fit
MAX_ROW_ELEMENTS = 65_536  # XML elements in one <row> (cells, values, text runs): 4 per Excel column
MAX_CSV_BYTES = 256 * MiB  # a CSV file (200,000 rows of a 双公示 sheet is ~100 MB)
HEADER_ROWS = 10  # rows a title may take above the header row


@dataclass(frozen=True)
class Limits:
    """The limits one kind of upload is read under (the import's; the screening page has its own)."""

    members: int = MAX_MEMBERS
    unpacked_bytes: int = MAX_UNPACKED_BYTES
    member_bytes: int = MAX_MEMBER_BYTES
    ratio: int = MAX_RATIO
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cell_chars: int = MAX_CELL_CHARS
    row_xml_bytes: int = MAX_ROW_XML_BYTES
    row_elements: int = MAX_ROW_ELEMENTS
    csv_bytes: int = MAX_CSV_BYTES
    header_rows: int = HEADER_ROWS

    @property
    def line_chars(self) -> int:
        """The longest CSV line read: every column full, quoted, with its separator."""
        return self.columns * (self.cell_chars + 3) + 2


IMPORT_LIMITS = Limits()

# What is too big (413) rather than wrongly shaped (422).
_TOO_LARGE = {"unpacked", "member", "csv_bytes", "file_bytes", "rows", "row_number"}


def _size(n: int) -> str:
    return f"{n / MiB:,.1f} MiB" if n >= MiB else f"{n:,} bytes"


def column_letter(column: int) -> str:
    """Excel's name of a column (1 → A, 27 → AA)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class LimitExceeded(Exception):  # noqa: N818 (a refusal, not a failure; callers turn it into their own)
    """An upload goes past one of the limits. `what` is which one; `found` what was seen (for a
    stream refused as soon as it passes the limit: the limit plus one, said as "more than")."""

    def __init__(
        self,
        what: str,
        limit: int,
        found: int,
        *,
        row: int | None = None,
        column: int | None = None,
        member: str | None = None,
        packed: int | None = None,
    ) -> None:
        self.what, self.limit, self.found = what, limit, found
        self.row, self.column, self.member, self.packed = row, column, member, packed
        super().__init__(self.english())

    @property
    def too_large(self) -> bool:
        """A limit on size (unpacked bytes, a CSV's bytes, rows): the answer is a 413."""
        return self.what in _TOO_LARGE

    def _where(self) -> str:
        if self.row is None:
            return ""
        if self.row == 0:
            return "before the first row: "
        return f"row {self.row:,}" + (f", column {column_letter(self.column)}" if self.column else "") + ": "

    def english(self) -> str:
        limit, found, where = self.limit, self.found, self._where()
        match self.what:
            case "members":
                return f"its zip archive holds {found:,} parts; an XLSX workbook may hold at most {limit:,}"
            case "unpacked":
                return (
                    f"unpacks to {_size(found)}; at most {_size(limit)} is read — save only the sheet "
                    "to import, or split the file"
                )
            case "member":
                return f"part {self.member} unpacks to {_size(found)}; a part may unpack to at most {_size(limit)}"
            case "ratio":
                return (
                    f"part {self.member} unpacks to {found:,} times its packed size ({_size(self.packed or 0)}); "
                    f"at most {limit}:1 is read (a real sheet packs 5-15:1): refused as a zip bomb"
                )
            case "rows":
                return (
                    f"{where}more than {limit:,} rows; at most {limit:,} data rows are read in one "
                    "file — split it into several files"
                )
            case "row_number":
                return f"{where}past the last row of an Excel sheet ({limit:,}); the rest is not read"
            case "columns":
                return (
                    f"{where}a value in column {column_letter(found)} ({found:,}); at most {limit:,} columns are read"
                )
            case "cell":
                return f"{where}a cell of {found:,} characters; a cell may hold at most {limit:,}"
            case "row_bytes":
                return f"{where}more than {_size(limit)} of worksheet XML in one row; at most {_size(limit)}"
            case "row_elements":
                return f"{where}more than {limit:,} XML elements (cells, text runs …) in one row; at most {limit:,}"
            case "tail_elements":
                return (
                    f"more than {limit:,} XML elements after the worksheet's rows (merged cells, "
                    f"hyperlinks, formatting …); at most {limit:,}"
                )
            case "tail_bytes":
                return f"more than {_size(limit)} of worksheet XML after its rows; at most {_size(limit)}"
            case "csv_bytes":
                return f"is {_size(found)}; a CSV file may be at most {_size(limit)}"
            case "file_bytes":
                return f"is more than {_size(limit)}; no spreadsheet within the limits is that long"
            case "line":
                return f"line {self.row:,} is longer than {limit:,} characters; at most {limit:,}"
        return f"{self.what}: {found:,} (at most {limit:,})"

    def chinese(self) -> str:
        """The same, for the screening page (rows as 文件第 N 行, columns by letter)."""
        limit, found = self.limit, self.found
        where = ""
        if self.row:
            where = f"文件第 {self.row} 行" + (f" {column_letter(self.column)} 列" if self.column else "") + "："
        match self.what:
            case "members":
                return f"XLSX 文件的压缩包内有 {found} 个部件，超过上限 {limit} 个，不是正常的 Excel 工作簿"
            case "unpacked":
                return f"XLSX 文件解压后有 {_size(found)}，超过上限 {_size(limit)}，不像投标人名单：请只保留名单所在的工作表"
            case "member":
                return f"XLSX 文件的部件 {self.member} 解压后有 {_size(found)}，超过上限 {_size(limit)}"
            case "ratio":
                return f"XLSX 文件的部件 {self.member} 的压缩比为 {found}:1，超过上限 {limit}:1（疑似压缩炸弹）"
            case "rows":
                return f"{where}行数超过上限 {limit} 行"
            case "row_number":
                return f"{where}超过 Excel 工作表的最后一行（{limit} 行）"
            case "columns":
                return f"{where}第 {found} 列（{column_letter(found)} 列）有内容，超过上限 {limit} 列"
            case "cell":
                return f"{where}单元格有 {found} 个字符，超过上限 {limit} 个"
            case "row_bytes":
                return f"{where}一行的表格数据超过 {_size(limit)}"
            case "row_elements":
                return f"{where}一行含有超过 {limit} 个 XML 元素"
            case "tail_elements":
                return f"工作表在数据行之后含有超过 {limit} 个 XML 元素（合并单元格、超链接、格式等）"
            case "tail_bytes":
                return f"工作表在数据行之后的内容超过 {_size(limit)}"
            case "csv_bytes":
                return f"文件有 {_size(found)}，超过上限 {_size(limit)}"
            case "file_bytes":
                return f"文件超过 {_size(limit)}"
            case "line":
                return f"第 {self.row} 行超过 {limit} 个字符"
        return f"{self.what}：{found}（上限 {limit}）"


# ---------------------------------------------------------------------------------------------
# Rows, whatever the format


class RowChecker:
    """Columns and cells of every row, and the number of data rows once the header row is known
    (blank rows are not data rows, but no row is read past Excel's last)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.header_row = 0  # set when the header row is found; rows after it are data rows
        self.data_rows = 0

    def check(self, number: int, cells: Sequence[Any]) -> None:
        limits = self.limits
        if number > EXCEL_ROWS:
            raise LimitExceeded("row_number", EXCEL_ROWS, number, row=number)
        last = len(cells)
        while last and (cells[last - 1] is None or cells[last - 1] == ""):
            last -= 1
        if last and self.header_row and number > self.header_row:
            self.data_rows += 1
            if self.data_rows > limits.rows:
                raise LimitExceeded("rows", limits.rows, self.data_rows, row=number)
        if last > limits.columns:
            raise LimitExceeded("columns", limits.columns, last, row=number)
        for index in range(last):
            value = cells[index]
            if isinstance(value, str) and len(value) > limits.cell_chars:
                raise LimitExceeded("cell", limits.cell_chars, len(value), row=number, column=index + 1)


def bounded_lines(text: TextIO, limits: Limits) -> Iterator[str]:
    """The lines of a CSV text for `csv.reader`, each at most `limits.line_chars` long: a file of
    one endless line is refused, not read whole."""
    most = limits.line_chars
    number = 0
    while line := text.readline(most + 1):
        number += 1
        if len(line) > most:
            raise LimitExceeded("line", most, len(line), row=number)
        yield line


def check_csv_size(size: int, limits: Limits) -> None:
    if size > limits.csv_bytes:
        raise LimitExceeded("csv_bytes", limits.csv_bytes, size)
