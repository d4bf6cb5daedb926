"""An XLSX workbook opened within the upload limits (上传限制): the archive checked before it is parsed
(members, unpacked size, compression ratio: a zip bomb is refused), each worksheet's rows guarded as
the XML is read (a row too long, too many elements, rows past the limit), then handed to openpyxl.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from registry.imports.upload_limits import IMPORT_LIMITS, RATIO_FLOOR_BYTES, LimitExceeded, Limits, MiB

# ---------------------------------------------------------------------------------------------
# The archive, before parsing

_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


def is_worksheet(name: str) -> bool:
    """A part streamed row by row under the guard (where Excel, LibreOffice, WPS and openpyxl put
    worksheets); every other part is held to `member_bytes`, whatever openpyxl does with it."""
    return bool(_WORKSHEET.fullmatch(name))


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse an archive past a limit, from its directory alone: nothing is unpacked."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise LimitExceeded("members", limits.members, len(infos))
    total = sum(info.file_size for info in infos)
    if total > limits.unpacked_bytes:
        raise LimitExceeded("unpacked", limits.unpacked_bytes, total)
    for info in infos:
        if info.file_size > limits.member_bytes and not is_worksheet(info.filename):
            raise LimitExceeded("member", limits.member_bytes, info.file_size, member=info.filename)
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise LimitExceeded(
                "ratio",
                limits.ratio,
                info.file_size // max(info.compress_size, 1),
                member=info.filename,
                packed=info.compress_size,
            )


# ---------------------------------------------------------------------------------------------
# A worksheet, metered as openpyxl parses it

_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s/>]")
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheetData[\s/>]")
_LONGEST_TAG = 64  # bytes kept to find <sheetData> across two reads
_END_OF_ROWS = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?sheetData\s*>")
_ROW_NUMBER = re.compile(rb"[^>]*?\sr\s*=\s*[\"'](\d{1,7})[\"']")
_READ_ALL_BLOCK = 1 * MiB


class _RowGuard:
    """A worksheet part as openpyxl reads it, refused as soon as it passes a limit: twice as many
    `<row>` elements as data rows may be read (blank formatted rows are elements too; openpyxl
    keeps a little of each it has parsed), or one row (the XML from one `<row` to the next) of
    more bytes or elements than a row may have. Only the bytes since the last `<` are held back,
    to be scanned with what follows (a tag never spans a `<`)."""

    def __init__(self, raw: IO[bytes], limits: Limits, *, armed: bool = True) -> None:
        self._raw, self._limits = raw, limits
        self._armed = armed  # else only from a <sheetData> on (a worksheet where worksheets are not kept)
        self._carry = b""
        self._rows = 0  # <row> elements seen
        self._row = 0  # the current row's number (its r attribute, else its place)
        self._bytes = 0  # of the current row, scanned
        self._elements = 0  # of the current row, scanned
        self._tail = False  # past </sheetData>

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            blocks = []
            while block := self.read(_READ_ALL_BLOCK):
                blocks.append(block)
            return b"".join(blocks)
        data = self._raw.read(n)
        self._scan(data)
        return data

    def _scan(self, data: bytes) -> None:
        buffer = self._carry + data
        if not self._armed:
            found = _SHEET_DATA.search(buffer)
            if found is None:
                self._carry = buffer[-_LONGEST_TAG:] if data else b""
                return
            self._armed, buffer = True, buffer[found.start() :]
        cut = len(buffer) if not data else max(buffer.rfind(b"<"), 0)
        self._carry = buffer[cut:]
        start = 0
        end = None if self._tail else _END_OF_ROWS.search(buffer, 0, cut)
        for match in _ROW_TAG.finditer(buffer, 0, end.start() if end else cut):
            self._add(buffer, start, match.start())
            self._rows += 1
            if self._rows > 2 * self._limits.rows + self._limits.header_rows:
                raise LimitExceeded("rows", self._limits.rows, self._rows, row=self._row + 1)
            number = _ROW_NUMBER.match(buffer, match.end() - 1)
            self._row = int(number.group(1)) if number else self._row + 1
            self._bytes = self._elements = 0
            start = match.start()
        if end is not None:  # what follows the rows (merged cells, hyperlinks …) has a budget of its own
            self._add(buffer, start, end.start())
            self._tail, self._bytes, self._elements, start = True, 0, 0, end.start()
        self._add(buffer, start, cut)
        self._check(self._bytes + len(self._carry), 0)

    def _add(self, buffer: bytes, start: int, end: int) -> None:
        self._bytes += end - start
        # start tags: every "<" but those of end tags, comments, CDATA, the declaration
        self._elements += (
            buffer.count(b"<", start, end)
            - buffer.count(b"</", start, end)
            - buffer.count(b"<!", start, end)
            - buffer.count(b"<?", start, end)
        )
        self._check(self._bytes, self._elements)

    def _check(self, size: int, elements: int) -> None:
        limits, row = self._limits, self._row
        if elements > limits.row_elements:
            what = "tail_elements" if self._tail else "row_elements"
            raise LimitExceeded(what, limits.row_elements, elements, row=None if self._tail else row)
        if size > limits.row_xml_bytes:
            what = "tail_bytes" if self._tail else "row_bytes"
            raise LimitExceeded(what, limits.row_xml_bytes, size, row=None if self._tail else row)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _RowGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GuardedZip(zipfile.ZipFile):
    """The workbook's archive as openpyxl is given it: every part opens under the row guard, a
    worksheet (by its place) from its first byte, any other from a <sheetData> on, should it hold
    one (a worksheet kept elsewhere: the workbook's relations may point anywhere)."""

    limits: Limits = IMPORT_LIMITS

    def open(
        self,
        name: str | zipfile.ZipInfo,
        mode: Literal["r", "w"] = "r",
        pwd: bytes | None = None,
        *,
        force_zip64: bool = False,
    ) -> IO[bytes]:
        member = super().open(name, mode, pwd, force_zip64=force_zip64)
        filename = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if mode != "r":
            return member
        return _RowGuard(member, self.limits, armed=is_worksheet(filename))  # type: ignore[return-value]


@dataclass(frozen=True)
class Formula:
    """A formula cell (公式单元格), read from a workbook opened with `formulas=True`: its text
    (`=SUM(A1:A3)`), never its last computed value, which may be stale or, in a workbook a program
    wrote, missing (then openpyxl would hand back an empty cell)."""

    text: str

    def __str__(self) -> str:
        return self.text


def open_workbook(source: IO[bytes] | Path, limits: Limits, *, formulas: bool = False) -> Any:
    """The workbook, read-only, its archive checked first and its worksheets guarded.

    With `formulas`, `sheet_rows` hands back each formula cell as a `Formula`; without, as its
    last computed value (what Excel shows; None where none was saved).
    Raises LimitExceeded past a limit, and whatever zipfile or openpyxl raise for a file that is not
    a workbook (the caller names the file).
    """
    from openpyxl.reader.excel import ExcelReader

    archive = GuardedZip(source)
    archive.limits = limits
    try:
        check_archive(archive, limits)
        reader = ExcelReader(source, read_only=True, data_only=not formulas)
        reader.archive.close()
        reader.archive = archive  # the same file: what openpyxl opens goes through the guard
        with warnings.catch_warnings():
            # openpyxl warns about features it does not read (data validation, conditional
            # formatting, a missing default style); none of them changes a cell's value.
            warnings.simplefilter("ignore", UserWarning)
            reader.read()
    except BaseException:
        archive.close()
        raise
    return reader.wb


def _value(cell: Any) -> Any:
    if cell.data_type != "f":
        return cell.value
    formula = cell.value  # text, or an ArrayFormula / DataTableFormula holding it
    return Formula(formula if isinstance(formula, str) else str(getattr(formula, "text", None) or "="))


def sheet_rows(book: Any) -> Iterator[tuple[Any, ...]]:
    """The first worksheet's rows (values; formulas as `Formula` when the book was opened with
    `formulas`), as openpyxl streams them, read to the end whatever dimension the file declares
    (some generators write A1)."""
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    values_only = bool(book.data_only)
    rows = sheet.iter_rows(values_only=values_only)
    while True:
        # openpyxl warns about what it does not read (an extension met after the rows): silenced
        # for each step, not across a yield (the filters are the whole process's).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            row = next(rows, None)
        if row is None:
            return
        yield row if values_only else tuple(_value(cell) for cell in row)
