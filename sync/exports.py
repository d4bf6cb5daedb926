"""Snapshot exports (全量数据): every platform record as it stands now, as CSV, XLSX or JSONL.

A row is the latest outbox event of one record, rendered by `sync.national` exactly as the feed
and the push render it: every change to a record writes its full snapshot to the outbox in the
change's own transaction, so the latest event *is* the record as it stands now, and a platform
that compares the export with what it pulled finds the same rendering (and `seq`) per record.
For `name-changes` a record is an entity with at least one name change, at its latest one; for
`evidence-anchors` a record is one signed tree head (an anchor is written once and never changes).

Records marked not public (保密审查) are left out entirely unless the registry is configured to
send them (`REGISTRY_SYNC_INCLUDE_NOT_PUBLIC`); anchors are always public.

Memory stays flat whatever the size: the events are read with a server-side cursor in chunks
(`yield_per`), rendered chunk by chunk, and written out as they come; the XLSX is written by
openpyxl's write-only workbook (inline strings, rows streamed to disk) to a temporary file that
is then streamed and deleted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.orm import Session, aliased

from registry.access import require_role
from registry.errors import NotFound
from registry.imports.cells import XML_ILLEGAL, guarded
from registry.ledger import Actor
from registry.messages import msg
from registry.models import ChangeEvent
from registry.national_columns import KINDS, PLATFORM_OPERATIONS, RECORD_TYPES, Column, columns
from sync.national import DataSource
from sync.outbox_rendering import OUTBOX_COLUMNS, OutboxRow, render_rows

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
FORMATS = tuple(MEDIA_TYPES)
CHUNK_ROWS = 1000  # events read, rendered and written per step
BOM = "\ufeff"  # Excel reads a CSV without it in the legacy code page (GBK, cp1252) and garbles Chinese
LIST_SEPARATOR = ";"
XLSX_MAX_ROWS = 1_048_576  # rows in one worksheet, the header included; more go on the next sheet
XLSX_MAX_CELL = 32_767  # characters in one cell; Excel calls a longer cell a corrupt file
XLSX_CUT = "…（截断）"
_READ_BYTES = 64 * 1024


@dataclass
class Export:
    """An export ready to stream: `chunks` yields its bytes (nothing is read until iterated)."""

    kind: str
    fmt: str
    filename: str
    media_type: str
    chunks: Iterator[bytes]


def check_export(kind: str, fmt: str) -> None:
    """Raise NotFound naming the valid kinds and formats unless both are known."""
    if kind not in KINDS or fmt not in MEDIA_TYPES:
        raise NotFound(
            msg(
                "no export {kind}.{fmt}: kinds are {kinds}; formats are {formats}",
                kind=kind,
                fmt=fmt,
                kinds=", ".join(KINDS),
                formats=", ".join(FORMATS),
            )
        )


def latest_events(kind: str) -> sa.Select[Any]:
    """The latest outbox event of each record of `kind`, in record id order.

    A correlated max(seq) rather than a join to a grouped subquery: read through a cursor,
    PostgreSQL then walks the (record_type, record_id) index in order and returns the first
    rows at once, where the join plan hashes or sorts every payload before the first row.
    """
    record_type = RECORD_TYPES[kind]
    other = aliased(ChangeEvent)
    latest = sa.select(sa.func.max(other.seq)).where(
        other.record_type == record_type, other.record_id == ChangeEvent.record_id
    )
    query = sa.select(*OUTBOX_COLUMNS).where(ChangeEvent.record_type == record_type)
    operations = PLATFORM_OPERATIONS[record_type]
    if operations is not None:  # name changes, anchors: only the operations the platform receives
        latest = latest.where(other.operation.in_(operations))
        query = query.where(ChangeEvent.operation.in_(operations))
    return query.where(ChangeEvent.seq == latest.scalar_subquery()).order_by(ChangeEvent.record_id)


def export_records(
    session: Session,
    kind: str,
    *,
    include_not_public: bool,
    operator: DataSource,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[dict[str, Any]]:
    """Every record of `kind` as it stands now, rendered (English keys), one at a time."""
    if kind not in KINDS:
        raise NotFound(msg("no export kind {kind}: kinds are {kinds}", kind=kind, kinds=", ".join(KINDS)))
    authorities: dict[int, DataSource] = {}
    result = session.execute(latest_events(kind).execution_options(yield_per=chunk_rows))
    for chunk in result.partitions():
        rows = [OutboxRow(*row) for row in chunk]
        for record in render_rows(
            session, rows, include_not_public=include_not_public, operator=operator, authorities=authorities
        ):
            if not record["withheld"]:  # not public and not configured: left out, not listed
                yield record


# ---------------------------------------------------------------------------------------------
# Cells


def text_cell(column: Column, value: Any) -> str | int | Decimal | None:
    """A cell as a spreadsheet shows it: numbers stay numbers, text is guarded against formulas.

    Amounts come as exact decimal strings and become Decimal (numeric, never prefixed); integers
    stay integers; booleans are 是/否; lists are joined with ';'; dates and times are ISO text
    (the XLSX export writes dates as date cells: `_xlsx_value`).
    """
    if value is None:
        return None
    if column.type == "amount":
        return Decimal(str(value))
    if column.type == "integer":
        return int(value)
    if column.type == "boolean":
        return "是" if value else "否"
    if column.type == "list":
        return guarded(LIST_SEPARATOR.join(str(v) for v in value if v is not None))
    return guarded(str(value))


def _csv_value(column: Column, value: Any) -> str | int:
    cell = text_cell(column, value)
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell:f}"  # fixed-point text: never 2E+1
    return cell


def _xlsx_value(column: Column, value: Any) -> str | int | Decimal | dt.date | None:
    """A cell of an XLSX export: as `text_cell`, but a date is a date cell (yyyy-mm-dd, openpyxl's
    format for a date), so Excel sorts, filters and counts with it. Times stay ISO 8601 text, in UTC
    as rendered and signed (an Excel time carries no offset, and an anchor's 锚定时间 is checked as
    written)."""
    if column.type == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass  # not a day as rendered: written as the text it is
    cell = text_cell(column, value)
    if isinstance(cell, str):
        cell = XML_ILLEGAL.sub("", cell)  # after the guard, which saw what these hid
        if len(cell) > XLSX_MAX_CELL:
            cell = cell[: XLSX_MAX_CELL - len(XLSX_CUT)] + XLSX_CUT
    return cell


# ---------------------------------------------------------------------------------------------
# Formats


def csv_chunks(kind: str, records: Iterator[dict[str, Any]], *, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 with a BOM, the Chinese headers in the standard order, one row per record."""
    table = columns(kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # ends lines with \r\n, as Excel writes them
    buffer.write(BOM)
    writer.writerow([c.header for c in table])
    pending = 0
    for record in records:
        writer.writerow([_csv_value(c, record[c.name]) for c in table])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(records: Iterator[dict[str, Any]], *, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """One JSON object per line, English keys, UTF-8 (no BOM)."""
    lines: list[str] = []
    for record in records:
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        if len(lines) >= rows_per_chunk:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")


def write_xlsx(kind: str, records: Iterator[dict[str, Any]], path: str) -> None:
    """Write a workbook to `path`: a header row of Chinese headers, then one row per record;
    past a worksheet's row limit the rows go on to a new sheet with the header again."""
    table = columns(kind)
    book = Workbook(write_only=True)
    sheets = 0
    used = XLSX_MAX_ROWS
    sheet: Any = None
    for record in records:
        if used >= XLSX_MAX_ROWS:
            sheets += 1
            sheet = book.create_sheet(kind if sheets == 1 else f"{kind}-{sheets}")
            sheet.append([c.header for c in table])
            used = 1
        sheet.append([_xlsx_value(c, record[c.name]) for c in table])
        used += 1
    if sheet is None:  # no records: still a workbook with the header row
        book.create_sheet(kind).append([c.header for c in table])
    book.save(path)


def xlsx_chunks(kind: str, records: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """The workbook written to a temporary file, then streamed from it; the file is deleted once
    streamed, or when the stream is closed early (the client went away)."""
    handle, path = tempfile.mkstemp(prefix=f"export-{kind}-", suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(kind, records, path)
        with open(path, "rb") as data:
            while block := data.read(_READ_BYTES):
                yield block
    finally:
        os.unlink(path)


def export_chunks(
    session: Session,
    kind: str,
    fmt: str,
    *,
    include_not_public: bool,
    operator: DataSource,
    on_record: Callable[[], None] | None = None,
) -> Iterator[bytes]:
    """The bytes of an export of `kind` in `fmt`, produced as they are read from the outbox."""
    check_export(kind, fmt)
    records = export_records(session, kind, include_not_public=include_not_public, operator=operator)
    if on_record is not None:
        records = _counted(records, on_record)
    if fmt == "csv":
        return csv_chunks(kind, records)
    if fmt == "jsonl":
        return jsonl_chunks(records)
    return xlsx_chunks(kind, records)


def _counted(records: Iterator[dict[str, Any]], tick: Callable[[], None]) -> Iterator[dict[str, Any]]:
    for record in records:
        tick()
        yield record


def filename(kind: str, fmt: str, day: dt.date) -> str:
    """The download's file name: the kind and the day it was taken, e.g. penalties_2026-11-23.csv."""
    return f"{kind}_{day.isoformat()}.{fmt}"


def open_export(
    session: Session,
    actor: Actor,
    kind: str,
    fmt: str,
    *,
    include_not_public: bool,
    operator: DataSource,
    today: dt.date,
) -> Export:
    """A snapshot export for the platform (or an admin); refuses other roles and unknown kinds
    before any byte is produced, so an error is an error response and not a broken download."""
    require_role(actor, "platform")
    check_export(kind, fmt)
    return Export(
        kind=kind,
        fmt=fmt,
        filename=filename(kind, fmt, today),
        media_type=MEDIA_TYPES[fmt],
        chunks=export_chunks(session, kind, fmt, include_not_public=include_not_public, operator=operator),
    )


def write_export(
    session: Session,
    kind: str,
    fmt: str,
    out: BinaryIO,
    *,
    include_not_public: bool,
    operator: DataSource,
) -> int:
    """Write an export of `kind` in `fmt` to `out`; returns the number of records written."""
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1

    for block in export_chunks(
        session, kind, fmt, include_not_public=include_not_public, operator=operator, on_record=tick
    ):
        out.write(block)
    return count
