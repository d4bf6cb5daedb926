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

Two callers read through `open_table`: the import (its API and page speak English) and the screening
page's bidder upload (`api.pages.screening_input`, which speaks Chinese). So every refusal says why
in both languages (`FileRefused.message`, `FileRefused.chinese`), and so does every note on a table
(`Table.notes`, `Table.chinese_notes`); each caller gives its own limits and says what its header
row should hold (`header_hint`).

Nothing here knows the registry's records: `registry.imports.run` maps headers to fields.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import multiprocessing
import re
import tempfile
import unicodedata
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from registry.errors import InvalidInput, RegistryError
from registry.imports.upload_limits import (
    IMPORT_LIMITS,
    LimitExceeded,
    Limits,
    RowChecker,
    bounded_lines,
    check_csv_size,
    open_workbook,
    sheet_rows,
)

_SNIFF_BYTES = 256 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 .xls (and .et) container
_OLD_NAMES = (".xls", ".et")  # Excel 97-2003 and WPS workbooks: refused by name as by content
_XLSX_NAMES = (".xlsx", ".xlsm")
# CSV separators, as Excel writes them ("Unicode text" is tab-separated) and as a person types them
# in a Chinese input method (the full-width comma).
_DELIMITERS = ("\t", ",", "，")
_DAMAGED = "无法读取该 XLSX 文件：文件已损坏，或不是 Excel 工作簿（.docx、.zip 等）"
_UNDECODABLE = "无法识别文件的文字编码（支持 UTF-8、GB18030/GBK、UTF-16），不是可读取的 CSV 表格"
_REQUIRED_MARKS = re.compile(r"^[*＊]+|[*＊]+$|[(（](必填|选填|必录|可选)[)）]$")


class FileRefused(InvalidInput):
    """The file as a whole cannot be imported (unreadable, not a spreadsheet, no usable header
    row, required columns missing); nothing of it was written. The message says why, in English
    (the API's), and `chinese` says it for a Chinese page (without the file's name, which the page
    shows itself); where no Chinese was given it is the English."""

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None, *,
                 chinese: str | None = None) -> None:
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
        f"{filename}: {exc.english()}", chinese=exc.chinese())


def _unreadable(exc: BaseException, filename: str) -> FileRefused:
    """A workbook that zipfile, the XML parser or openpyxl could not read: say why, by its cause
    (openpyxl wraps the parser's error in one that names the stream object)."""
    chain: list[BaseException] = []  # what was raised, then what it was raised from
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__
    seen = [*chain, *(e.__context__ for e in chain if e.__context__ is not None)]
    if any(type(e).__module__.startswith("defusedxml") or "amplification" in str(e) for e in seen):
        reason = ("its XML declares entities (<!ENTITY …>), which a workbook never does: refused "
                  "without expanding them (an XML entity bomb?)")
        chinese = ("无法读取该 XLSX 文件：其 XML 声明了实体（<!ENTITY …>），正常的 Excel 工作簿不会这样做，"
                   "已拒绝且未展开（疑似 XML 实体炸弹）")
    else:
        inner = chain[-1]
        reason = f"{type(inner).__name__}: {inner}"
        chinese = _DAMAGED
    return FileRefused.because(f"{filename} cannot be read as an XLSX workbook: {reason}", chinese=chinese)


def _binary(filename: str) -> FileRefused:
    return FileRefused.because(
        f"{filename} holds binary content (a NUL byte): it is not a CSV or XLSX spreadsheet",
        chinese="文件含有二进制内容，不是 CSV 或 XLSX 表格",
    )


class CellError(ValueError):
    """A cell's value cannot be read as what its column holds; the message says why."""


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


# ---------------------------------------------------------------------------------------------
# Opening


def _seekable(source: BinaryIO, filename: str, limits: Limits) -> IO[bytes]:
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


@dataclass(frozen=True)
class _HeaderSearch:
    """How the header row is looked for: `is_header` says whether a row (its cells as text) is
    it, within the first `rows`; `missing` is the refusal when none is (English, Chinese)."""

    is_header: Callable[[list[str]], bool]
    rows: int
    missing: tuple[str, str]


def _no_header(filename: str, rows: int) -> tuple[str, str]:
    """The import's refusal of a file without a header row of its own (the default hint)."""
    return (
        f"{filename}: no header row with the standard Chinese column names (行政相对人名称, "
        f"行政处罚决定书文号 … or 主体名称, 名单名称 …) in its first {rows} rows",
        f"前 {rows} 行中没有找到表头：表头应含标准的中文列名（行政相对人名称、行政处罚决定书文号……"
        "或 主体名称、名单名称……）",
    )


@contextmanager
def open_table(
    source: BinaryIO | Path, filename: str, is_header: Callable[[list[str]], bool],
    limits: Limits = IMPORT_LIMITS, *, header_hint: tuple[str, str] | None = None,
) -> Iterator[Table]:
    """The first sheet of an XLSX or the rows of a CSV, from its header row on.

    `is_header` says whether a row (its cells as text) is the header row; the first of the
    first `limits.header_rows` rows that is becomes it. Raises FileRefused for a file that is not
    XLSX or CSV (an old .xls or .et workbook, by its name or its content; a binary file), cannot
    be decoded, or has no header row (then with `header_hint`, the English and the Chinese
    refusal, if given), and FileTooLarge (a FileRefused) or FileRefused for one past `limits`,
    when it is opened or as its rows are read. Every refusal says why in English and in Chinese.
    """
    search = _HeaderSearch(is_header, limits.header_rows, header_hint or _no_header(filename, limits.header_rows))
    owned = isinstance(source, Path)
    stream: IO[bytes] = source.open("rb") if isinstance(source, Path) else _seekable(source, filename, limits)
    try:
        start = stream.tell()
        head = stream.read(_SNIFF_BYTES)
        stream.seek(start)
        lower = filename.lower()
        if not head.strip():
            raise FileRefused.because(f"{filename} is empty", chinese="上传的文件是空的")
        if head.startswith(_OLE) or lower.endswith(_OLD_NAMES):
            raise FileRefused.because(
                f"{filename} is an old Excel 97-2003 workbook (.xls); save it as .xlsx "
                "(Excel 2007 or later) or as CSV and import that",
                chinese="不支持旧版 Excel（.xls）或 WPS（.et）文件：请在 Excel 中另存为 .xlsx 或 CSV 后再上传",
            )
        if head.startswith(_ZIP):
            table = _xlsx_table(stream, filename, search, source if isinstance(source, Path) else None, limits)
        elif lower.endswith(_XLSX_NAMES):
            extension = lower[lower.rindex("."):]
            raise FileRefused.because(
                f"{filename} is named like an Excel workbook but is not one (not an XLSX file)",
                chinese=f"文件扩展名是 {extension}，但内容不是 Excel 工作簿",
            )
        else:
            table = _csv_table(stream, head, filename, search, limits)
        try:
            yield table
        finally:
            table.rows.close()  # closes the workbook, or hands the stream back from its text reader
    finally:
        if owned:
            stream.close()


def _find_header(rows: Rows, filename: str, search: _HeaderSearch) -> tuple[int, list[str]]:
    for number, cells in rows:
        texts = ["" if c is None else str(c).strip() for c in cells]
        if any("\x00" in t for t in texts):
            # Above the header row, a NUL says the file is no text at all (an image, a PDF …); in
            # a data row it is one cell's problem, which the caller reports for its row.
            rows.close()
            raise _binary(filename)
        if search.is_header(texts):
            while texts and not texts[-1]:
                texts.pop()
            return number, texts
        if number >= search.rows:
            break
    rows.close()
    english, chinese = search.missing
    raise FileRefused.because(english, chinese=chinese)


def _numbered(rows: Iterator[Any], first: int = 1) -> Rows:
    for number, cells in enumerate(rows, start=first):
        yield number, list(cells)


def _checked(rows: Rows, checker: RowChecker, filename: str) -> Rows:
    """`rows`, each held to the limits on columns, cells and data rows as it is read."""
    try:
        for number, cells in rows:
            checker.check(number, cells)
            yield number, cells
    except LimitExceeded as exc:
        raise refusal(exc, filename) from None
    finally:
        rows.close()


def _open_book(stream: IO[bytes] | Path, filename: str, limits: Limits) -> Any:
    try:
        return open_workbook(stream, limits)
    except LimitExceeded as exc:
        raise refusal(exc, filename) from None
    except (RegistryError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 (a damaged or foreign file: whatever zipfile or openpyxl raise)
        raise _unreadable(exc, filename) from exc


def _sheet_rows(book: Any, filename: str) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows; a part damaged past the point openpyxl read when opening (a
    truncated or corrupt worksheet, invalid XML) is refused here, naming the file."""
    try:
        yield from sheet_rows(book)
    except LimitExceeded as exc:
        raise refusal(exc, filename) from None
    except (RegistryError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 (as in _open_book)
        raise _unreadable(exc, filename) from exc


def _declared_rows(book: Any, filename: str) -> int:
    """The first sheet's rows: its declared dimension, else counted in its XML (openpyxl's own
    write-only workbooks, our exports among them, declare none)."""
    sheet = book.worksheets[0]
    declared = int(sheet.max_row or 0)
    archive, member = getattr(book, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if declared > 1 or archive is None or member is None:
        return declared
    count, tail = 0, b""
    try:
        with archive.open(member) as xml:  # under the row guard: a sheet of too many rows stops here
            while block := xml.read(1 << 20):
                joined = tail + block
                count += joined.count(b"<row ") + joined.count(b"<row>")
                tail = joined[-4:]  # never a whole "<row " again, so nothing is counted twice
    except LimitExceeded as exc:
        raise refusal(exc, filename) from None
    except Exception as exc:  # noqa: BLE001 (a truncated or corrupt part: as in _open_book)
        raise _unreadable(exc, filename) from exc
    return count


def _xlsx_table(stream: IO[bytes], filename: str, search: _HeaderSearch, path: Path | None,
                limits: Limits) -> Table:
    book = _open_book(stream, filename, limits)
    sheets = book.worksheets
    if not sheets:
        book.close()
        raise FileRefused.because(f"{filename} has no worksheet", chinese="XLSX 文件中没有工作表")
    sheet = sheets[0]
    try:
        declared = _declared_rows(book, filename)
    except FileRefused:
        book.close()
        raise
    notes, chinese_notes = [], []
    if len(sheets) > 1:
        others = "、".join(s.title for s in sheets[1:])
        notes.append(f"only the first worksheet ({sheet.title}) was read; not read: {others}")
        chinese_notes.append(f"只读取了第一个工作表「{sheet.title}」，其余工作表未读取")
    checker = RowChecker(limits)
    if path is not None and _read_apart(path):
        book.close()
        rows = _checked(_numbered(_rows_read_apart(path, filename, limits)), checker, filename)
    else:
        rows = _checked(_closing(_numbered(_sheet_rows(book, filename)), book.close), checker, filename)
    header_row, headers = _find_header(rows, filename, search)
    checker.header_row = header_row
    return Table("xlsx", header_row, headers, rows, max(declared - header_row, 0), notes,
                 chinese_notes=chinese_notes)


# ---------------------------------------------------------------------------------------------
# A big workbook is read in a second process


PARALLEL_XLSX_BYTES = 1024 * 1024  # a workbook file this large is read in its own process
_BATCH_ROWS = 500


def _read_apart(path: Path) -> bool:
    """Whether to read the workbook in a second process: openpyxl needs about 0.2 ms a row, a good
    part of an import's time, and the machine has another core. Only by forking (the child reads
    the file by its path and shares nothing else), and only for a big file (a process costs)."""
    return "fork" in multiprocessing.get_all_start_methods() and path.stat().st_size >= PARALLEL_XLSX_BYTES


def _send_rows(path: Path, filename: str, sender: Any, limits: Limits) -> None:
    """In the child: every row of the first sheet, in batches, then None (or the error)."""
    try:
        book = _open_book(path, filename, limits)
        batch: list[tuple[Any, ...]] = []
        for row in _sheet_rows(book, filename):
            batch.append(row)
            if len(batch) >= _BATCH_ROWS:
                sender.send(batch)
                batch = []
        sender.send(batch)
        sender.send(None)
    except FileRefused as exc:  # past a limit, or unreadable: the parent refuses it the same way
        sender.send({"refused": exc.message, "chinese": exc.chinese, "too_large": isinstance(exc, FileTooLarge)})
    except Exception as exc:  # noqa: BLE001 (any failure is told to the parent, which refuses the file)
        sender.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        sender.close()


def _rows_read_apart(path: Path, filename: str, limits: Limits) -> Iterator[tuple[Any, ...]]:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(target=_send_rows, args=(path, filename, sender, limits), daemon=True,
                             name="registry-import-reader")
    reader.start()
    sender.close()  # the child holds the sending end; EOF here means it is gone
    try:
        while True:
            try:
                batch = receiver.recv()
            except EOFError as exc:
                raise FileRefused.because(
                    f"{filename}: the process reading it stopped ({reader.exitcode})",
                    chinese=f"读取文件的进程意外停止（{reader.exitcode}）",
                ) from exc
            if batch is None:
                return
            if isinstance(batch, dict) and "refused" in batch:
                raise (FileTooLarge if batch["too_large"] else FileRefused).because(
                    batch["refused"], chinese=batch["chinese"])
            if isinstance(batch, dict):
                raise FileRefused.because(f"{filename} cannot be read as an XLSX workbook: {batch['error']}",
                                          chinese=_DAMAGED)
            yield from batch
    finally:
        receiver.close()
        if reader.is_alive():
            reader.terminate()
        reader.join()


def _closing(rows: Rows, close: Callable[[], None]) -> Rows:
    try:
        yield from rows
    finally:
        close()


def detect_encoding(head: bytes) -> str:
    """The encoding of a CSV from its first bytes: a BOM says it; else UTF-8 if the bytes
    decode as UTF-8, else GB18030 (what Excel on a Chinese Windows writes, a superset of GBK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # Incremental: the sniffed block may end inside a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _count_lines(stream: IO[bytes]) -> int:
    start = stream.tell()
    count = 0
    last = b""
    while block := stream.read(1 << 20):
        count += block.count(b"\n")
        last = block
    stream.seek(start)
    return count + (1 if last and not last.endswith(b"\n") else 0)


def _stream_size(stream: IO[bytes]) -> int:
    start = stream.tell()
    end = stream.seek(0, io.SEEK_END)
    stream.seek(start)
    return end - start


def _delimiter(text: io.TextIOWrapper, limits: Limits) -> str:
    """The separator of a CSV, from its first line that has one, among the lines the header row
    is looked for in (a typed title may stand above the header row with none): a tab if it has
    more tabs than commas, else a full-width comma if it has more of those than commas, else a
    comma. Only that line is counted: Chinese text in the data rows is full of full-width commas.
    Leaves `text` anywhere; each line is read bounded and let go."""
    for _ in range(limits.header_rows):
        line = text.readline(limits.line_chars)
        if not line:
            break
        if any(d in line for d in _DELIMITERS):
            if line.count("\t") > line.count(","):
                return "\t"
            return "，" if line.count("，") > line.count(",") else ","
    return ","


def _csv_table(stream: IO[bytes], head: bytes, filename: str, search: _HeaderSearch, limits: Limits) -> Table:
    try:
        check_csv_size(_stream_size(stream), limits)
    except LimitExceeded as exc:
        raise refusal(exc, filename) from None
    encoding = detect_encoding(head)
    lines = _count_lines(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        delimiter = _delimiter(text, limits)
        text.seek(0)
    except UnicodeDecodeError as exc:
        text.detach()
        if b"\x00" in head:
            raise _binary(filename) from exc
        raise FileRefused.because(f"{filename} is not text in UTF-8 or GB18030: {exc.reason}",
                                  chinese=_UNDECODABLE) from exc
    # Line by line, each line bounded; a field is bounded by csv's own field_size_limit (131,072).
    reader = csv.reader(bounded_lines(text, limits), delimiter=delimiter)
    checker = RowChecker(limits)

    def rows() -> Rows:
        try:
            # A record may span lines (a quoted line break); Excel shows it as one row, so rows
            # are numbered as records, not as lines.
            yield from _checked(_numbered(reader), checker, filename)
        except LimitExceeded as exc:  # a line too long (the rest were turned into refusals)
            raise refusal(exc, filename) from None
        except UnicodeDecodeError as exc:
            raise FileRefused.because(
                f"{filename} changes encoding part-way ({encoding} at the start): {exc.reason}",
                chinese=(f"文件的文字编码前后不一致（开头是 {encoding}，后面的内容无法按它读取）：请将整个文件"
                         "以同一种编码（UTF-8 或 GB18030）保存后再上传"),
            ) from exc
        except csv.Error as exc:
            raise FileRefused.because(f"{filename} is not a well-formed CSV file: {exc}",
                                      chinese=f"不是格式正确的 CSV 文件（{exc}）") from exc
        finally:
            text.detach()

    numbered = rows()
    header_row, headers = _find_header(numbered, filename, search)
    checker.header_row = header_row
    return Table("csv", header_row, headers, numbered, max(lines - header_row, 0), encoding=encoding)


# ---------------------------------------------------------------------------------------------
# Cell values


def text_value(raw: Any) -> str | None:
    """Text as written, trimmed; empty → None. A number Excel stored (a numeric code) is
    written without a trailing .0."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        raw = raw.date()
    text = str(raw).strip()
    return text or None


def code_value(raw: Any) -> str | None:
    """A registration code or number. Excel turns an all-digit code typed into a General cell
    into a number and keeps only 15 significant digits: such a cell is refused, not guessed."""
    if isinstance(raw, float):
        if not raw.is_integer() or abs(raw) >= 2**53:
            raise CellError(
                "Excel stored this code as a number and dropped digits; format the column as "
                "text (文本) and type the code again"
            )
        raw = int(raw)
    text = text_value(raw)
    return None if text is None else "".join(unicodedata.normalize("NFKC", text).split())


_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_EXCEL_SERIALS = (20_000, 80_000)  # 1954-10-03 … 2119-01-10: a bare number in a date column


def _from_serial(number: float) -> dt.date:
    from openpyxl.utils.datetime import from_excel

    day = from_excel(number)
    return day.date() if isinstance(day, dt.datetime) else cast(dt.date, day)


def date_value(raw: Any) -> dt.date | None:
    """A date from an Excel date cell, an Excel day number, or text: 2026-11-02, 2026/11/2,
    2026.11.2, 2026年11月2日 or 20261102 (a time after it is ignored)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if _EXCEL_SERIALS[0] <= raw <= _EXCEL_SERIALS[1]:
            return _from_serial(raw)
        raise CellError(f"{raw} is not a date; write it as 2026-11-02, 2026/11/2 or 2026年11月2日")
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _DATE_TEXT.fullmatch(text)
    parts: tuple[str, ...] | None = match.groups() if match else None
    if parts is None and re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    if parts is None and re.fullmatch(r"\d{5}", text) and _EXCEL_SERIALS[0] <= int(text) <= _EXCEL_SERIALS[1]:
        return _from_serial(int(text))  # an Excel date saved to CSV from a General cell
    if parts is None:
        raise CellError("is not a date; write it as 2026-11-02, 2026/11/2 or 2026年11月2日")
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise CellError(f"is not a day of the calendar ({exc})") from exc


_WAN = ("万元", "万")


def amount_value(raw: Any) -> Decimal | None:
    """An amount in 万元 (a 2,000 yuan fine is 0.2): a number, or text with or without thousands
    separators or a trailing 万元. At most six decimals (one fen)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        amount = Decimal(repr(raw))  # the shortest form that reads back: 0.2, not 0.2000000000000000111
    elif isinstance(raw, int | Decimal):
        amount = Decimal(raw)
    else:
        text = "".join(unicodedata.normalize("NFKC", str(raw)).split()).replace(",", "")
        if not text:
            return None
        for unit in _WAN:
            if text.endswith(unit):
                text = text[: -len(unit)]
                break
        else:
            if text.endswith("元"):
                raise CellError("the column is in 万元 (ten thousand yuan): a 2,000 yuan fine is 0.2, not 2000元")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise CellError("is not a number (the column is an amount in 万元, e.g. 0.2)") from exc
    if not amount.is_finite():
        raise CellError("is not a number (the column is an amount in 万元, e.g. 0.2)")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise CellError("has more than six decimals: amounts are in 万元 and end at one fen (0.000001)")
    return amount


_LIST_SPLIT = re.compile(r"[；;、，,\n]")


def list_value(raw: Any) -> list[str]:
    """Several values in one cell, separated by ；;、 or a comma (our exports write ;), or a
    JSON list."""
    text = text_value(raw)
    if text is None:
        return []
    if text.startswith("[") and text.endswith("]"):
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            return [str(v).strip() for v in loaded if str(v).strip()]
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


_TRUE = {"是", "y", "yes", "true", "1", "公开", "对"}
_FALSE = {"否", "n", "no", "false", "0", "不公开", "错"}


def bool_value(raw: Any) -> bool | None:
    """是/否 (our exports), yes/no, true/false, 1/0."""
    if isinstance(raw, bool):
        return raw
    text = text_value(raw)
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("write 是 or 否")


def vocabulary(labels: dict[str, str], aliases: dict[str, str] | None = None) -> Callable[[Any], str | None]:
    """A reader for a closed vocabulary: the Chinese term our exports write, or the code itself."""
    known = {header_key(label): code for code, label in labels.items()}
    known.update({header_key(code): code for code in labels})
    known.update({header_key(alias): code for alias, code in (aliases or {}).items()})
    choices = "、".join(labels.values())

    def read(raw: Any) -> str | None:
        text = text_value(raw)
        if text is None:
            return None
        code = known.get(header_key(text))
        if code is None:
            raise CellError(f"is not one of {choices}")
        return code

    return read
