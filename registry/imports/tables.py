"""A file as a table (表格): the header row found within the first rows, numbered data rows held to the
limits as they are read, and the refusals (`FileRefused`, `FileTooLarge`), said as catalogue messages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.errors import InvalidInput
from registry.imports.upload_limits import (
    LimitExceeded,
    RowChecker,
)
from registry.messages import Text, msg, render

_REQUIRED_MARKS = re.compile(r"^[*＊]+|[*＊]+$|[(（](必填|选填|必录|可选)[)）]$")


class FileRefused(InvalidInput):
    """The file as a whole cannot be imported (unreadable, not a spreadsheet, no usable header
    row, required columns missing); nothing of it was written. The message says why, naming the
    file (the API's, in its language); `short` says it without the file's name, for a page that
    shows the file itself (`chinese`: in Chinese); where no short one was given it is the message."""

    def __init__(
        self, message: Text, errors: Mapping[str, Sequence[Text]] | None = None, *, short: Text | None = None
    ) -> None:
        super().__init__(message, errors)
        self.short = message if short is None else short

    @property
    def chinese(self) -> str:
        return render(self.short, "zh")

    @classmethod
    def because(cls, reason: Text, *, short: Text | None = None) -> FileRefused:
        return cls(reason, {"file": [reason]}, short=short)


class FileTooLarge(FileRefused):
    """The file is bigger than the importer reads (unpacked, in bytes or in rows): a 413, as the
    body over `MAX_CONTENT_LENGTH` is. Still a FileRefused, so whoever refuses a file refuses it."""

    status = 413
    title = "Payload Too Large"


def refusal(exc: LimitExceeded, filename: str) -> FileRefused:
    """The refusal of a file past one of the upload limits: the limit, what was found, and where."""
    return (FileTooLarge if exc.too_large else FileRefused).because(
        msg("{file}: {reason}", file=filename, reason=exc.text()), short=exc.short()
    )


def binary_refusal(filename: str) -> FileRefused:
    return FileRefused.because(
        msg("{file} holds binary content (a NUL byte): it is not a CSV or XLSX spreadsheet", file=filename),
        short="the file holds binary content: it is not a CSV or XLSX spreadsheet",
    )


def header_key(text: str) -> str:
    """The form headers are compared in: full-width folded (NFKC), no spaces, no required-field
    star or (必填) note. 罚款金额（万元） and * 罚款金额(万元) are one header."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return _REQUIRED_MARKS.sub("", folded)


Rows = Generator[tuple[int, list[Any]], None, None]


@dataclass
class Table:
    """One sheet of a file: its header row as written, then its data rows with their numbers."""

    format: str  # "xlsx" or "csv"
    header_row: int  # the row number a person sees (1 = the first row)
    headers: list[str]
    rows: Rows
    total: int  # data rows expected (an estimate for CSV: lines; 0 when unknown)
    notes: list[str] = field(default_factory=list)  # e.g. other sheets that were not read
    encoding: str | None = None  # CSV only
    chinese_notes: list[str] = field(default_factory=list)  # the notes, said in Chinese


@dataclass(frozen=True)
class HeaderSearch:
    """How the header row is looked for: `is_header` says whether a row (its cells as text) is
    it, within the first `rows`; `missing` is the refusal when none is (naming the file, and
    short: see FileRefused)."""

    is_header: Callable[[list[str]], bool]
    rows: int
    missing: tuple[Text, Text]


def no_header(filename: str, rows: int) -> tuple[Text, Text]:
    """The import's refusal of a file without a header row of its own (the default hint)."""
    return (
        msg(
            "{file}: no header row with the standard Chinese column names (行政相对人名称, 行政处罚决定书文号 … or "
            "主体名称, 名单名称 …) in its first {rows} rows",
            file=filename,
            rows=rows,
        ),
        msg(
            "no header row in the first {rows} rows: it names the standard Chinese columns (行政相对人名称, "
            "行政处罚决定书文号 … or 主体名称, 名单名称 …)",
            rows=rows,
        ),
    )


def find_header(rows: Rows, filename: str, search: HeaderSearch) -> tuple[int, list[str]]:
    for number, cells in rows:
        texts = ["" if c is None else str(c).strip() for c in cells]
        if any("\x00" in t for t in texts):
            # Above the header row, a NUL says the file is no text at all (an image, a PDF …); in
            # a data row it is one cell's problem, which the caller reports for its row.
            rows.close()
            raise binary_refusal(filename)
        if search.is_header(texts):
            while texts and not texts[-1]:
                texts.pop()
            return number, texts
        if number >= search.rows:
            break
    rows.close()
    full, short = search.missing
    raise FileRefused.because(full, short=short)


def numbered(rows: Iterator[Any], first: int = 1) -> Rows:
    for number, cells in enumerate(rows, start=first):
        yield number, list(cells)


def checked(rows: Rows, checker: RowChecker, filename: str) -> Rows:
    """`rows`, each held to the limits on columns, cells and data rows as it is read."""
    try:
        for number, cells in rows:
            checker.check(number, cells)
            yield number, cells
    except LimitExceeded as exc:
        raise refusal(exc, filename) from None
    finally:
        rows.close()
