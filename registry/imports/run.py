"""Bulk import (批量导入) of penalties (行政处罚), list entries (红黑名单) and licences (行政许可) from
XLSX or CSV.

Supervisors keep their 双公示 records in Excel. `import_records` reads such a sheet (the standard
Chinese headers, the older variants of domain.md, or the columns our own exports write) and
records each new row with the same validation, audit row and outbox event as the API's services
(`create_entity`, `record_penalty`, `create_list_entry`, `record_licence`). It never commits: the
CLI command or the HTTP request that called it commits once.

A row's natural key is (authority, 决定书文号) for a penalty or a licence and (authority, 决定书文号,
名单名称) for a list entry. A row whose key is already recorded with the same content is
*unchanged* (nothing is written, no outbox event); with other content it is a *conflict*,
reported field by field and not applied: a recorded decision changes only by a correction
(更正) with its reason. Mode "all" writes nothing when any row is rejected or in conflict; mode
"skip" writes the good rows and reports the others. The report names each problem by the
spreadsheet row a person sees (the header is row 1 in a plain sheet), the column as written in
the file, the value and the reason; `write_report` writes it as CSV or XLSX.

Two writers produce the same rows. The batched one (`registry.imports.batch`, the default)
validates each row with the services' own rule functions and writes a chunk of records, their
audit rows (one hash chain) and outbox events (gap-free) with a few statements; the per-row one
calls the services for each row in a savepoint, and takes over a chunk the database refuses
as a whole. tests/registry/test_importing.py shows both leave the same records and ledgers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from sqlalchemy.orm import Session

from registry.codes.idnumber import IdentityVault
from registry.errors import InvalidInput
from registry.imports.batch import BatchImporter
from registry.imports.cells import guarded, xlsx_text
from registry.imports.files import FileRefused, open_table
from registry.imports.row_writer import RowImporter
from registry.imports.rows import (
    DEFAULTABLE,
    KINDS,
    ImportReport,
    Problem,
    detect_kind,
    is_blank,
    is_header,
    layout_of,
)
from registry.ledger import Actor
from registry.messages import msg, render
from registry.models import Authority
from registry.publication import Rules
from registry.records.record_rules import owning_authority
from registry.vocab import DOMAINS, SEVERITIES

__all__ = [
    "KINDS",
    "MODES",
    "REPORT_FORMATS",
    "WRITERS",
    "FileRefused",
    "ImportReport",
    "Problem",
    "import_records",
    "write_report",
]

MODES = ("all", "skip")
REPORT_FORMATS = ("csv", "xlsx")
WRITERS = ("batched", "services")
CHUNK_ROWS = 500  # rows read, decided and written together by the batched writer
IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache while importing (at most; freed after)


def import_records(
    session: Session,
    source: IO[bytes] | Path,
    filename: str,
    *,
    actor: Actor,
    kind: str | None = None,
    mode: str = "all",
    today: dt.date,
    rules: Rules,
    vault: IdentityVault,
    progress: Callable[[int, int], None] | None = None,
    authority_id: int | None = None,
    now: dt.datetime | None = None,
    writer: str = "batched",
    defaults: Mapping[str, Any] | None = None,
) -> ImportReport:
    """批量导入: record the penalties, list entries or licences of an XLSX or CSV file for one authority.

    `kind` (penalties | list-entries | licences) is read from the header row when None. A supervisor imports
    for its own authority; an administrator names it (`authority_id`). Mode "all": a single
    rejected or conflicting row and nothing is written; mode "skip": the good rows are written.
    `progress(done, total)` is called as rows are read (total is an estimate for a CSV).
    `writer` "services" records row by row through the services (slower; the same rows).
    `defaults` (severity, domain) stand in for columns the sheet lacks — the standard 双公示
    sheet has neither — on every row that leaves them empty (a licence has neither: not used).
    Never commits. Raises FileRefused when the file as a whole cannot be read, NotPermitted or
    InvalidInput when the actor may not import for the authority.
    """
    if mode not in MODES:
        raise InvalidInput.field("mode", msg("must be one of {values}", values=", ".join(MODES)))
    if kind is not None and kind not in KINDS:
        raise InvalidInput.field("kind", msg("must be one of {values}", values=", ".join(KINDS)))
    if writer not in WRITERS:
        raise InvalidInput.field("writer", msg("must be one of {values}", values=", ".join(WRITERS)))
    given = _defaults(defaults)
    owner = owning_authority(session, actor, authority_id)
    authority = session.get(Authority, owner)
    if authority is None:  # owning_authority has just loaded it
        raise RuntimeError(f"authority {owner} vanished")
    with open_table(source, filename, is_header, formulas=True) as table:
        chosen = kind or detect_kind(table.headers, filename)
        report = ImportReport(
            filename, chosen, mode, owner, notes=list(table.notes), chinese_notes=list(table.chinese_notes)
        )
        report.defaults = _used_defaults(chosen, given, report)
        layout = layout_of(table, chosen, report, authority, report.defaults)
        make = BatchImporter if writer == "batched" else RowImporter
        importer = make(session, actor, authority, chosen, layout, report, today, rules, vault, now, report.defaults)
        # Mode all: everything in one savepoint, released only if every row was good.
        outer = session.begin_nested() if mode == "all" else None
        try:
            with _roomy_cache(session):
                done = 0
                chunk: list[tuple[int, list[Any]]] = []
                for number, cells in table.rows:
                    done += 1
                    if not is_blank(cells):
                        chunk.append((number, cells))
                    if len(chunk) >= CHUNK_ROWS:
                        importer.process(chunk)
                        chunk = []
                        if progress is not None:
                            progress(done, max(table.total, done))
                importer.process(chunk)
            if progress is not None:
                progress(done, done)
        except BaseException:
            if outer is not None and outer.is_active:
                outer.rollback()
            raise
        if outer is not None:
            if report.bad_rows:
                outer.rollback()
                report.held_back, report.created, report.entities_created = report.created, 0, 0
            else:
                outer.commit()
    return report


# The upload's fields that give the file-wide defaults (API, page), and what a bad one is told.
DEFAULT_FIELDS = {"severity": "default_severity", "domain": "default_domain"}
BAD_DEFAULT = {
    "severity": "must be minor, general or serious: the 失信程度 of rows that leave it empty",
    "domain": (
        "must be a trading domain code (housing, land, mining, procurement, state_assets, construction_bidding, "
        "drug_procurement or emission_rights): the 涉及领域 of rows that leave it empty"
    ),
}


def _defaults(defaults: Mapping[str, Any] | None) -> dict[str, str]:
    """The file-wide defaults, checked: 失信程度 and 交易领域 codes (empty ones are left out)."""
    given = {k: v for k, v in (defaults or {}).items() if v}
    unknown = sorted(set(given) - set(DEFAULT_FIELDS))
    if unknown:
        raise InvalidInput.field(unknown[0], "only severity and domain have file-wide defaults")
    for name, codes in (("severity", SEVERITIES), ("domain", DOMAINS)):
        if name in given and given[name] not in codes:
            raise InvalidInput.field(DEFAULT_FIELDS[name], BAD_DEFAULT[name])
    return given


def _used_defaults(kind: str, given: dict[str, str], report: ImportReport) -> dict[str, str]:
    """The defaults the kind has columns for; a licence has no 失信程度 or 交易领域, and the report says so."""
    if not given or DEFAULTABLE[kind]:
        return given
    note = msg(
        "the file-wide defaults ({names}) are for penalties and list entries; a licence has no 失信程度 or "
        "交易领域: not used",
        names=", ".join(sorted(given)),
    )
    report.notes.append(render(note, "en"))
    report.chinese_notes.append(render(note, "zh"))
    return {}


@contextmanager
def _roomy_cache(session: Session) -> Iterator[None]:
    """On SQLite, a larger page cache while the import writes, then the connection's own again.

    A big import inserts into a dozen indexes at random places (names, codes, decision numbers);
    with SQLite's default 2 MB cache those pages are read again and again, and an import of
    100,000 rows slows down as the tables grow.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


# ---------------------------------------------------------------------------------------------
# The report as a file


REPORT_HEADERS = ("行号 row", "列 column", "值 value", "原因 reason")
XLSX_MAX_CELL = 32_767  # characters Excel allows in a cell


def summary_rows(report: ImportReport) -> list[tuple[str, Any]]:
    """The report's counts and notes as label/value pairs (the XLSX summary sheet)."""
    return [
        ("文件 file", report.filename),
        ("类型 kind", report.kind),
        ("方式 mode", report.mode),
        ("机关 authority", report.authority_id),
        ("已写入 written", "是 yes" if report.written else "否 no: nothing was written"),
        ("数据行 rows", report.rows),
        ("新增 created", report.created),
        ("未变 unchanged", report.unchanged),
        ("冲突 conflicts", report.conflicts),
        ("拒绝 rejected", report.rejected),
        ("有效但未写入 held back", report.held_back),
        ("新建主体 subjects created", report.entities_created),
        *(
            (f"文件默认值 default {name}", f"{title}：{term} ({report.defaults[name]})")
            for name, (title, term) in default_labels(report).items()
        ),
        ("说明 summary", render(report.summary(), "zh")),
        *(("未导入的派生列 derived column not imported", c) for c in report.ignored_columns),
        *(("备注 note", n) for n in report.chinese_notes),
    ]


# What a file-wide default stands in for, and the terms of its codes.
DEFAULT_TERMS = {"severity": ("失信程度", SEVERITIES), "domain": ("涉及领域", DOMAINS)}


def default_labels(report: ImportReport) -> dict[str, tuple[str, str]]:
    """The file-wide defaults of an import as a person reads them: name → (失信程度, 一般) …"""
    return {
        name: (DEFAULT_TERMS[name][0], DEFAULT_TERMS[name][1].get(code, code))
        for name, code in report.defaults.items()
        if name in DEFAULT_TERMS
    }


def write_report(report: ImportReport, fmt: str, out: BinaryIO) -> None:
    """The report's problems as CSV (UTF-8 with BOM, for Excel) or XLSX (problems, then a summary
    sheet): one row per problem with its row, column, value and reason (in Chinese: a person reads it)."""
    if fmt == "csv":
        text = io.StringIO()
        text.write("\ufeff")  # Excel reads a CSV without it in the legacy code page and garbles Chinese
        writer = csv.writer(text)  # \r\n line ends, as Excel writes them
        writer.writerow(REPORT_HEADERS)
        for p in report.problems:
            writer.writerow([p.row, guarded(p.column), guarded(p.value), guarded(p.said("zh"))])
        out.write(text.getvalue().encode("utf-8"))
        return
    if fmt != "xlsx":
        raise InvalidInput.field("report", msg("must be one of {values}", values=", ".join(REPORT_FORMATS)))
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet("问题 problems")
    sheet.append(list(REPORT_HEADERS))
    for p in report.problems:
        sheet.append([p.row, _xlsx_text(p.column), _xlsx_text(p.value), _xlsx_text(p.said("zh"))])
    summary: Any = book.create_sheet("汇总 summary")
    for label, value in summary_rows(report):
        summary.append([label, _xlsx_text(value) if isinstance(value, str) else value])
    book.save(out)


def _xlsx_text(text: str) -> str:
    cell = xlsx_text(text)
    return cell if len(cell) <= XLSX_MAX_CELL else cell[: XLSX_MAX_CELL - 1] + "…"
