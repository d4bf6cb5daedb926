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

from registry.messages import Msg, Text, msg, render

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


def _size(n: int) -> Text:
    return f"{n / MiB:,.1f} MiB" if n >= MiB else msg("{count:,} bytes", count=n)


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

    def _where(self) -> Text:
        if self.row is None:
            return ""
        if self.row == 0:
            return msg("before the first row: ")
        if self.column:
            return msg("row {row:,}, column {column}: ", row=self.row, column=column_letter(self.column))
        return msg("row {row:,}: ", row=self.row)

    def text(self) -> Msg:
        """What was refused, for the API and the import (the file's name is the caller's to add)."""
        limit, found, where, member = self.limit, self.found, self._where(), self.member
        match self.what:
            case "members":
                return msg(
                    "its zip archive holds {found:,} parts; an XLSX workbook may hold at most {limit:,}",
                    found=found,
                    limit=limit,
                )
            case "unpacked":
                return msg(
                    "unpacks to {found}; at most {limit} is read — save only the sheet to import, or split the file",
                    found=_size(found),
                    limit=_size(limit),
                )
            case "member":
                return msg(
                    "part {member} unpacks to {found}; a part may unpack to at most {limit}",
                    member=member,
                    found=_size(found),
                    limit=_size(limit),
                )
            case "ratio":
                return msg(
                    "part {member} unpacks to {found:,} times its packed size ({packed}); at most {limit}:1 is read "
                    "(a real sheet packs 5-15:1): refused as a zip bomb",
                    member=member,
                    found=found,
                    packed=_size(self.packed or 0),
                    limit=limit,
                )
            case "rows":
                return msg(
                    "{where}more than {limit:,} rows; at most {limit:,} data rows are read in one file — split it "
                    "into several files",
                    where=where,
                    limit=limit,
                )
            case "row_number":
                return msg(
                    "{where}past the last row of an Excel sheet ({limit:,}); the rest is not read",
                    where=where,
                    limit=limit,
                )
            case "columns":
                return msg(
                    "{where}a value in column {letter} ({found:,}); at most {limit:,} columns are read",
                    where=where,
                    letter=column_letter(found),
                    found=found,
                    limit=limit,
                )
            case "cell":
                return msg(
                    "{where}a cell of {found:,} characters; a cell may hold at most {limit:,}",
                    where=where,
                    found=found,
                    limit=limit,
                )
            case "row_bytes":
                return msg(
                    "{where}more than {limit} of worksheet XML in one row; at most {limit}",
                    where=where,
                    limit=_size(limit),
                )
            case "row_elements":
                return msg(
                    "{where}more than {limit:,} XML elements (cells, text runs …) in one row; at most {limit:,}",
                    where=where,
                    limit=limit,
                )
            case "tail_elements":
                return msg(
                    "more than {limit:,} XML elements after the worksheet's rows (merged cells, hyperlinks, "
                    "formatting …); at most {limit:,}",
                    limit=limit,
                )
            case "tail_bytes":
                return msg("more than {limit} of worksheet XML after its rows; at most {limit}", limit=_size(limit))
            case "csv_bytes":
                return msg("is {found}; a CSV file may be at most {limit}", found=_size(found), limit=_size(limit))
            case "file_bytes":
                return msg("is more than {limit}; no spreadsheet within the limits is that long", limit=_size(limit))
            case "line":
                return msg(
                    "line {row:,} is longer than {limit:,} characters; at most {limit:,}",
                    row=self.row or 0,
                    limit=limit,
                )
        return msg("{what}: {found:,} (at most {limit:,})", what=self.what, found=found, limit=limit)

    def _short_where(self) -> Text:
        if not self.row:
            return ""
        if self.column:
            return msg("row {row} of the file, column {column}: ", row=self.row, column=column_letter(self.column))
        return msg("row {row} of the file: ", row=self.row)

    def short(self) -> Msg:
        """The same, shorter, for a page that shows the file itself (the screening page, the upload
        page): rows as 文件第 N 行, columns by letter."""
        limit, found, where, member = self.limit, self.found, self._short_where(), self.member
        match self.what:
            case "members":
                return msg(
                    "the XLSX file's zip archive holds {found} parts, more than the {limit} allowed: it is no "
                    "ordinary Excel workbook",
                    found=found,
                    limit=limit,
                )
            case "unpacked":
                return msg(
                    "the XLSX file unpacks to {found}, more than the {limit} allowed, which no list of bidders "
                    "does: keep only the sheet that holds the list",
                    found=_size(found),
                    limit=_size(limit),
                )
            case "member":
                return msg(
                    "part {member} of the XLSX file unpacks to {found}, more than the {limit} allowed",
                    member=member,
                    found=_size(found),
                    limit=_size(limit),
                )
            case "ratio":
                return msg(
                    "part {member} of the XLSX file packs {found}:1, more than the {limit}:1 allowed (a zip bomb?)",
                    member=member,
                    found=found,
                    limit=limit,
                )
            case "rows":
                return msg("{where}more rows than the {limit} allowed", where=where, limit=limit)
            case "row_number":
                return msg("{where}past the last row of an Excel sheet ({limit} rows)", where=where, limit=limit)
            case "columns":
                return msg(
                    "{where}column {found} ({letter}) holds a value, past the {limit} columns allowed",
                    where=where,
                    found=found,
                    letter=column_letter(found),
                    limit=limit,
                )
            case "cell":
                return msg(
                    "{where}a cell of {found} characters, more than the {limit} allowed",
                    where=where,
                    found=found,
                    limit=limit,
                )
            case "row_bytes":
                return msg("{where}more than {limit} of worksheet data in one row", where=where, limit=_size(limit))
            case "row_elements":
                return msg("{where}more than {limit} XML elements in one row", where=where, limit=limit)
            case "tail_elements":
                return msg(
                    "more than {limit} XML elements after the worksheet's rows (merged cells, hyperlinks, formatting …)",
                    limit=limit,
                )
            case "tail_bytes":
                return msg("more than {limit} of worksheet data after its rows", limit=_size(limit))
            case "csv_bytes":
                return msg("the file is {found}, more than the {limit} allowed", found=_size(found), limit=_size(limit))
            case "file_bytes":
                return msg("the file is more than {limit}", limit=_size(limit))
            case "line":
                return msg("line {row} is longer than {limit} characters", row=self.row or 0, limit=limit)
        return msg("{what}: {found} (at most {limit})", what=self.what, found=found, limit=limit)

    def english(self) -> str:
        return render(self.text(), "en")

    def chinese(self) -> str:
        """The short refusal in Chinese (the screening page's)."""
        return render(self.short(), "zh")


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
