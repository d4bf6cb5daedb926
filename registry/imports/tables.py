"""A file as a table (表格): the header row found within the first rows, numbered data rows held to the
limits as they are read, and the refusals (`FileRefused`, `FileTooLarge`) in English and in Chinese.
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

_REQUIRED_MARKS = re.compile(r"^[*＊]+|[*＊]+$|[(（](必填|选填|必录|可选)[)）]$")


class FileRefused(InvalidInput):
    """The file as a whole cannot be imported (unreadable, not a spreadsheet, no usable header
    row, required columns missing); nothing of it was written. The message says why, in English
    (the API's), and `chinese` says it for a Chinese page (without the file's name, which the page
    shows itself); where no Chinese was given it is the English."""

    def __init__(
        self, message: str, errors: Mapping[str, Sequence[str]] | None = None, *, chinese: str | None = None
    ) -> None:
        super().__init__(message, errors)
        self.chinese = message if chinese is None else chinese

    @classmethod
    def because(cls, reason: str, *, chinese: str | None = None) -> FileRefused:
        return cls(reason, {"file": [reason]}, chinese=chinese)


class FileTooLarge(FileRefused):
    """The file is bigger than the importer reads (unpacked, in bytes or in rows): a 413, as the
    body over `MAX_CONTENT_LENGTH` is. Still a FileRefused, so whoever refuses a file refuses it."""

    status = 413
    title = "Payload Too Large"


def refusal(exc: LimitExceeded, filename: str) -> FileRefused:
    """The refusal of a file past one of the upload limits: the limit, what was found, and where."""
    return (FileTooLarge if exc.too_large else FileRefused).because(
        f"{filename}: {exc.english()}", chinese=exc.chinese()
    )


def binary_refusal(filename: str) -> FileRefused:
    return FileRefused.because(
        f"{filename} holds binary content (a NUL byte): it is not a CSV or XLSX spreadsheet",
        chinese="文件含有二进制内容，不是 CSV 或 XLSX 表格",
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
    it, within the first `rows`; `missing` is the refusal when none is (English, Chinese)."""

    is_header: Callable[[list[str]], bool]
    rows: int
    missing: tuple[str, str]


def no_header(filename: str, rows: int) -> tuple[str, str]:
    """The import's refusal of a file without a header row of its own (the default hint)."""
    return (
        f"{filename}: no header row with the standard Chinese column names (行政相对人名称, "
        f"行政处罚决定书文号 … or 主体名称, 名单名称 …) in its first {rows} rows",
        f"前 {rows} 行中没有找到表头：表头应含标准的中文列名（行政相对人名称、行政处罚决定书文号……"
        "或 主体名称、名单名称……）",
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
    english, chinese = search.missing
    raise FileRefused.because(english, chinese=chinese)


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
