"""An XLSX workbook as a table: opened within the upload limits (a zip bomb, an XML entity bomb, a damaged
file refused with the reason), its first worksheet streamed row by row, and a big workbook read in a
second process so that the request's memory stays small.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from registry.errors import RegistryError
from registry.imports.tables import (
    FileRefused,
    FileTooLarge,
    HeaderSearch,
    Rows,
    Table,
    checked,
    find_header,
    numbered,
    refusal,
)
from registry.imports.upload_limits import LimitExceeded, Limits, RowChecker
from registry.imports.workbook_guard import open_workbook, sheet_rows
from registry.messages import Text, msg, render

DAMAGED = "the XLSX file cannot be read: it is damaged, or no Excel workbook (.docx, .zip …)"


def _unreadable(exc: BaseException, filename: str) -> FileRefused:
    """A workbook that zipfile, the XML parser or openpyxl could not read: say why, by its cause
    (openpyxl wraps the parser's error in one that names the stream object)."""
    chain: list[BaseException] = []  # what was raised, then what it was raised from
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__
    seen = [*chain, *(e.__context__ for e in chain if e.__context__ is not None)]
    reason: Text
    if any(type(e).__module__.startswith("defusedxml") or "amplification" in str(e) for e in seen):
        reason = (
            "its XML declares entities (<!ENTITY …>), which a workbook never does: refused without expanding them "
            "(an XML entity bomb?)"
        )
        short = (
            "the XLSX file cannot be read: its XML declares entities (<!ENTITY …>), which an Excel workbook never "
            "does; refused without expanding them (an XML entity bomb?)"
        )
    else:
        inner = chain[-1]
        reason = f"{type(inner).__name__}: {inner}"
        short = DAMAGED
    return FileRefused.because(
        msg("{file} cannot be read as an XLSX workbook: {reason}", file=filename, reason=reason), short=short
    )


def _open_book(stream: IO[bytes] | Path, filename: str, limits: Limits, formulas: bool) -> Any:
    try:
        return open_workbook(stream, limits, formulas=formulas)
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


def xlsx_table(
    stream: IO[bytes], filename: str, search: HeaderSearch, path: Path | None, limits: Limits, *, formulas: bool = False
) -> Table:
    """The first worksheet as a table; with `formulas` a formula cell is a `Formula` (its text), else
    its last computed value."""
    book = _open_book(stream, filename, limits, formulas)
    sheets = book.worksheets
    if not sheets:
        book.close()
        raise FileRefused.because(msg("{file} has no worksheet", file=filename), short="the XLSX file has no worksheet")
    sheet = sheets[0]
    try:
        declared = _declared_rows(book, filename)
    except FileRefused:
        book.close()
        raise
    notes, chinese_notes = [], []
    if len(sheets) > 1:
        others = "、".join(s.title for s in sheets[1:])
        note = msg("only the first worksheet ({sheet}) was read; not read: {others}", sheet=sheet.title, others=others)
        notes.append(render(note, "en"))
        chinese_notes.append(render(msg("only the first worksheet, {sheet}, was read", sheet=sheet.title), "zh"))
    checker = RowChecker(limits)
    if path is not None and _read_apart(path):
        book.close()
        rows = checked(numbered(_rows_read_apart(path, filename, limits, formulas)), checker, filename)
    else:
        rows = checked(_closing(numbered(_sheet_rows(book, filename)), book.close), checker, filename)
    header_row, headers = find_header(rows, filename, search)
    checker.header_row = header_row
    return Table("xlsx", header_row, headers, rows, max(declared - header_row, 0), notes, chinese_notes=chinese_notes)


# ---------------------------------------------------------------------------------------------
# A big workbook is read in a second process


PARALLEL_XLSX_BYTES = 1024 * 1024  # a workbook file this large is read in its own process
_BATCH_ROWS = 500


def _read_apart(path: Path) -> bool:
    """Whether to read the workbook in a second process: openpyxl needs about 0.2 ms a row, a good
    part of an import's time, and the machine has another core. Only by forking (the child reads
    the file by its path and shares nothing else), and only for a big file (a process costs)."""
    return "fork" in multiprocessing.get_all_start_methods() and path.stat().st_size >= PARALLEL_XLSX_BYTES


def _send_rows(path: Path, filename: str, sender: Any, limits: Limits, formulas: bool) -> None:
    """In the child: every row of the first sheet, in batches, then None (or the error)."""
    try:
        book = _open_book(path, filename, limits, formulas)
        batch: list[tuple[Any, ...]] = []
        for row in _sheet_rows(book, filename):
            batch.append(row)
            if len(batch) >= _BATCH_ROWS:
                sender.send(batch)
                batch = []
        sender.send(batch)
        sender.send(None)
    except FileRefused as exc:  # past a limit, or unreadable: the parent refuses it the same way
        sender.send({"refused": exc.text, "short": exc.short, "too_large": isinstance(exc, FileTooLarge)})
    except Exception as exc:  # noqa: BLE001 (any failure is told to the parent, which refuses the file)
        sender.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        sender.close()


def _rows_read_apart(path: Path, filename: str, limits: Limits, formulas: bool) -> Iterator[tuple[Any, ...]]:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(
        target=_send_rows, args=(path, filename, sender, limits, formulas), daemon=True, name="registry-import-reader"
    )
    reader.start()
    sender.close()  # the child holds the sending end; EOF here means it is gone
    try:
        while True:
            try:
                batch = receiver.recv()
            except EOFError as exc:
                raise FileRefused.because(
                    msg("{file}: the process reading it stopped ({code})", file=filename, code=reader.exitcode),
                    short=msg("the process reading the file stopped ({code})", code=reader.exitcode),
                ) from exc
            if batch is None:
                return
            if isinstance(batch, dict) and "refused" in batch:
                raise (FileTooLarge if batch["too_large"] else FileRefused).because(
                    batch["refused"], short=batch["short"]
                )
            if isinstance(batch, dict):
                raise FileRefused.because(
                    msg("{file} cannot be read as an XLSX workbook: {reason}", file=filename, reason=batch["error"]),
                    short=DAMAGED,
                )
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
