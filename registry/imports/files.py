"""Reading the spreadsheets supervisors send (XLSX or CSV): format, encoding, header row, cell values.

What arrives is whatever Excel or a provincial system wrote: an XLSX workbook (read streaming,
openpyxl read-only), or a CSV in UTF-8 with or without a byte-order mark, in GB18030 (what Excel
on a Chinese Windows writes when told "CSV"), or in UTF-16 with tabs (Excel's "Unicode text").
The header row may sit under a title row, and headers may carry a required-field star or
full-width brackets. Cell values are read leniently (dates as Excel dates or as text in the
usual Chinese forms, amounts as numbers or text) and every refusal says why, for a person.

A file is read within `registry.imports.upload_limits` (a zip bomb, an endless row or line, a cell of a
megabyte are refused, naming the limit, before they cost memory): past a limit on size it is a
`FileTooLarge` (413), past any other, or damaged, a `FileRefused` (422).

Two callers read through `open_table`: the import (its API, page and command) and the screening
page's bidder upload (`api.pages.screening_input`). So every refusal says why as a catalogue message,
naming the file (`FileRefused.text`) and without its name for a page that shows it (`FileRefused.short`,
in Chinese `FileRefused.chinese`), and every note on a table is said in both languages (`Table.notes`,
`Table.chinese_notes`); each caller gives its own limits and says what its header row should hold
(`header_hint`).

Nothing here knows the registry's records: `registry.imports.run` maps headers to fields.

This module opens a file (`open_table`) and names the reader's API; the parts live beside it:
`tables` (the table, its header row, the refusals), `csv_tables`, `xlsx_tables` and `cell_values`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from registry.imports.cell_values import (
    CellError,
    Vocabulary,
    amount_value,
    bool_value,
    code_value,
    date_value,
    list_value,
    text_value,
    vocabulary,
)
from registry.imports.csv_tables import csv_table, detect_encoding
from registry.imports.tables import FileRefused, FileTooLarge, HeaderSearch, Table, header_key, no_header, refusal
from registry.imports.upload_limits import (
    IMPORT_LIMITS,
    LimitExceeded,
    Limits,
)
from registry.imports.workbook_guard import Formula
from registry.imports.xlsx_tables import xlsx_table
from registry.messages import Text, msg

# The spreadsheet reader as its callers know it (the importer, the screening page, the tests).
__all__ = [
    "CellError",
    "FileRefused",
    "FileTooLarge",
    "Formula",
    "Table",
    "Vocabulary",
    "amount_value",
    "bool_value",
    "code_value",
    "date_value",
    "detect_encoding",
    "header_key",
    "list_value",
    "open_table",
    "refusal",
    "text_value",
    "vocabulary",
]

_SNIFF_BYTES = 256 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 .xls (and .et) container
_OLD_NAMES = (".xls", ".et")  # Excel 97-2003 and WPS workbooks: refused by name as by content
_XLSX_NAMES = (".xlsx", ".xlsm")


# ---------------------------------------------------------------------------------------------
# Opening


def _seekable(source: IO[bytes], filename: str, limits: Limits) -> IO[bytes]:
    """`source` itself if it can seek, else a spooled copy (an upload stream may not seek), of at
    most what a file may unpack to (no XLSX or CSV within the limits is longer)."""
    try:
        if source.seekable():
            return source
    except (AttributeError, ValueError):
        pass
    most = max(limits.unpacked_bytes, limits.csv_bytes)
    copy = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (closed by the caller's context)
    copied = 0
    while block := source.read(1 << 20):
        copied += len(block)
        if copied > most:
            copy.close()
            raise refusal(LimitExceeded("file_bytes", most, copied), filename)
        copy.write(block)
    copy.seek(0)
    return cast(IO[bytes], copy)


@contextmanager
def open_table(
    source: IO[bytes] | Path,
    filename: str,
    is_header: Callable[[list[str]], bool],
    limits: Limits = IMPORT_LIMITS,
    *,
    header_hint: tuple[Text, Text] | None = None,
    formulas: bool = False,
) -> Iterator[Table]:
    """The first sheet of an XLSX or the rows of a CSV, from its header row on.

    `is_header` says whether a row (its cells as text) is the header row; the first of the
    first `limits.header_rows` rows that is becomes it. Raises FileRefused for a file that is not
    XLSX or CSV (an old .xls or .et workbook, by its name or its content; a binary file), cannot
    be decoded, or has no header row (then with `header_hint`, the refusal naming the file and the
    short one, if given), and FileTooLarge (a FileRefused) or FileRefused for one past `limits`,
    when it is opened or as its rows are read. Every refusal says why in any language.
    With `formulas`, a workbook's formula cell is read as a `Formula` (its text), not as its last
    computed value.
    """
    search = HeaderSearch(is_header, limits.header_rows, header_hint or no_header(filename, limits.header_rows))
    owned = isinstance(source, Path)
    stream: IO[bytes] = source.open("rb") if isinstance(source, Path) else _seekable(source, filename, limits)
    try:
        start = stream.tell()
        head = stream.read(_SNIFF_BYTES)
        stream.seek(start)
        lower = filename.lower()
        if not head.strip():
            raise FileRefused.because(msg("{file} is empty", file=filename), short="the uploaded file is empty")
        if head.startswith(_OLE) or lower.endswith(_OLD_NAMES):
            raise FileRefused.because(
                msg(
                    "{file} is an old Excel 97-2003 workbook (.xls); save it as .xlsx (Excel 2007 or later) or as "
                    "CSV and import that",
                    file=filename,
                ),
                short="old Excel (.xls) and WPS (.et) files are not read: save the file in Excel as .xlsx or CSV and "
                "upload it again",
            )
        if head.startswith(_ZIP):
            path = source if isinstance(source, Path) else None
            table = xlsx_table(stream, filename, search, path, limits, formulas=formulas)
        elif lower.endswith(_XLSX_NAMES):
            extension = lower[lower.rindex(".") :]
            raise FileRefused.because(
                msg("{file} is named like an Excel workbook but is not one (not an XLSX file)", file=filename),
                short=msg("the file is named {extension} but is no Excel workbook", extension=extension),
            )
        else:
            table = csv_table(stream, head, filename, search, limits)
        try:
            yield table
        finally:
            table.rows.close()  # closes the workbook, or hands the stream back from its text reader
    finally:
        if owned:
            stream.close()
