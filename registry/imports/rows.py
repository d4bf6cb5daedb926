"""The rows of an import: which column is which field, reading a row, and what a row does.

`registry.imports.run` is the entry point; this module holds the machinery it shares between its
two writers: the per-row writer here (each new record through the services, in a savepoint) and
the batched writer of `registry.imports.batch` (the same validation, written a chunk at a time).
Both decide a row the same way: a row naming another authority is refused; a row whose natural
key is recorded is compared (unchanged or conflict); a new row finds or creates its subject and
records its decision.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from registry.codes import idnumber
from registry.codes.idnumber import ID_TYPES, IdentityVault, mask_resident_ids
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.codes.uscc import normalise as normalise_uscc
from registry.errors import RegistryError
from registry.imports.files import (
    CellError,
    FileRefused,
    Table,
    amount_value,
    bool_value,
    code_value,
    date_value,
    header_key,
    list_value,
    text_value,
    vocabulary,
)
from registry.ledger import Actor
from registry.models import Authority, Entity, ListEntry, Penalty
from registry.national_columns import columns as export_columns
from registry.publication import Decider, Rules, default_severity
from registry.records.entities import create_entity
from registry.records.list_entries import create_list_entry
from registry.records.penalties import record_penalty
from registry.records.penalty_fields import PENALTY_FIELDS
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PENALTY_STATES,
    PROCEDURES,
    SEVERITIES,
)

KINDS = ("penalties", "list-entries")


# ---------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: the spreadsheet row a person sees, the column as written
    in the file ("" for the row as a whole), the value found there, and why."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    """What an import did, row by row, and every problem it found.

    `created`, `unchanged`, `conflicts` and `rejected` count data rows. In mode "all" a file
    with any rejected or conflicting row writes nothing: its good new rows are counted in
    `held_back` and `created` stays 0.
    """

    filename: str
    kind: str
    mode: str
    authority_id: int
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: int = 0
    held_back: int = 0
    entities_created: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # columns our exports write that are derived
    notes: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        """Rows rejected or in conflict."""
        return self.rejected + self.conflicts

    @property
    def written(self) -> bool:
        """Whether the good rows were written (always in mode skip; in mode all only without bad rows)."""
        return self.mode == "skip" or self.bad_rows == 0

    def summary(self) -> str:
        """One line for a person: what happened to how many rows."""
        label = "penalties" if self.kind == "penalties" else "list entries"
        counts = (f"{self.rows} rows: {self.created} created, {self.unchanged} unchanged, "
                  f"{self.conflicts} in conflict, {self.rejected} rejected")
        if not self.written:
            return (f"{label} from {self.filename}: {counts}; nothing was written (mode all): fix the rows "
                    f"in the report and import the file again, or import with mode skip")
        return f"{label} from {self.filename}: {counts}"


# ---------------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class Column:
    """A field an import reads: its English name, standard header, other headers, reader."""

    name: str
    header: str
    read: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()


_ENTITY_KIND_ALIASES = {
    "法人": "legal_entity", "非法人组织": "legal_entity", "法人及其他组织": "legal_entity",
    "法人和其他组织": "legal_entity", "其他组织": "legal_entity",
}
_read_kind = vocabulary(ENTITY_KINDS, _ENTITY_KIND_ALIASES)
_read_id_type = vocabulary(ID_TYPES, {"身份证": "resident_id"})
_READERS: dict[str, Callable[[Any], Any]] = {
    "subject_kind": _read_kind,
    "legal_rep_id_type": _read_id_type,
    "id_type": _read_id_type,
    "subject_uscc": code_value,
    "authority_uscc": code_value,
    "data_source_uscc": code_value,
    "business_registration_no": code_value,
    "organization_code": code_value,
    "tax_registration_no": code_value,
    "institution_certificate_no": code_value,
    "social_org_registration_no": code_value,
    "legal_rep_id_number": code_value,
    "id_number": code_value,
    "categories": list_value,
    "domains": lambda raw: [_read_domain(v) for v in list_value(raw)],
    "fine_amount": amount_value,
    "confiscation_amount": amount_value,
    "decided_on": date_value,
    "valid_until": date_value,
    "publication_ends_on": date_value,
    "listed_on": date_value,
    "expires_on": date_value,
    "severity": vocabulary(SEVERITIES),
    "is_public": bool_value,
}
_read_domain_or_none = vocabulary(DOMAINS)


def _read_domain(raw: Any) -> str:
    found = _read_domain_or_none(raw)
    if found is None:  # list_value drops empty parts, so this is never reached with a value
        raise CellError("is empty")
    return found


def _export_header(kind: str, name: str) -> str:
    return next(c.header for c in export_columns(kind) if c.name == name)


def _column(kind: str, name: str, *aliases: str, read: Callable[[Any], Any] | None = None) -> Column:
    return Column(name, _export_header(kind, name), read or _READERS.get(name, text_value), aliases)


# Penalties: the 双公示 fields (registry.records.penalty_fields, with their older headers), then what
# the registry adds and its exports write (sync.national): an import reads what an export writes.
PENALTY_COLUMNS: tuple[Column, ...] = (
    *(Column(f.name, f.header, _READERS.get(f.name, text_value), f.older_headers) for f in PENALTY_FIELDS),
    _column("penalties", "severity"),
    _column("penalties", "procedure", read=vocabulary(PROCEDURES)),
    _column("penalties", "domain", read=_read_domain_or_none),
    _column("penalties", "project_code"),
    _column("penalties", "status", read=vocabulary(PENALTY_STATES)),
    _column("penalties", "is_public"),
    _column("penalties", "not_public_reason"),
)
LIST_ENTRY_COLUMNS: tuple[Column, ...] = (
    _column("list-entries", "subject_name", "行政相对人名称"),
    _column("list-entries", "subject_uscc", "行政相对人代码_1（统一社会信用代码）"),
    _column("list-entries", "subject_kind", "行政相对人类别"),
    _column("list-entries", "legal_representative"),
    _column("list-entries", "id_type"),
    _column("list-entries", "id_number"),
    _column("list-entries", "list_type", read=vocabulary(LIST_TYPES, {"重点关注": "watch"})),
    _column("list-entries", "list_name"),
    _column("list-entries", "decision_number"),
    _column("list-entries", "reason_category"),
    _column("list-entries", "facts"),
    _column("list-entries", "legal_basis"),
    _column("list-entries", "authority_name"),
    _column("list-entries", "authority_uscc"),
    _column("list-entries", "listed_on"),
    _column("list-entries", "expires_on"),
    _column("list-entries", "status", read=vocabulary(LIST_ENTRY_STATES)),
    _column("list-entries", "domains"),
    _column("list-entries", "project_code"),
    _column("list-entries", "is_public"),
    _column("list-entries", "not_public_reason"),
)
# 失信相关人 (发改法规〔2018〕457号): the persons responsible, several in one row, one value each per
# column in the same order (a single 角色 or 证件类型 stands for every person).
RESPONSIBLE_COLUMNS: tuple[Column, ...] = (
    Column("responsible_roles", "失信相关人角色", list_value, ("责任人员角色",)),
    Column("responsible_names", "失信相关人姓名", list_value, ("责任人员姓名",)),
    Column("responsible_id_types", "失信相关人证件类型", list_value, ("责任人员证件类型",)),
    Column("responsible_id_numbers", "失信相关人证件号码", list_value, ("责任人员证件号码",)),
)
PENALTY_COLUMNS += RESPONSIBLE_COLUMNS
LIST_ENTRY_COLUMNS += RESPONSIBLE_COLUMNS
COLUMNS = {"penalties": PENALTY_COLUMNS, "list-entries": LIST_ENTRY_COLUMNS}
# A service's field for a person (responsible_persons.N.id_number) and the column that holds it.
_PERSON_COLUMNS = {"role": "responsible_roles", "name": "responsible_names", "id_type": "responsible_id_types",
                   "id_number": "responsible_id_numbers", "": "responsible_names"}
REQUIRED = {
    "penalties": ("subject_name", "decision_number", "violation_type", "facts", "basis", "categories",
                  "content", "decided_on"),
    "list-entries": ("subject_name", "list_name", "decision_number", "reason_category", "facts",
                     "legal_basis", "listed_on"),
}
# The column naming the trading domain(s): needed unless the authority supervises exactly one
# or the upload gives a file-wide default.
DOMAIN_FIELD = {"penalties": "domain", "list-entries": "domains"}
# Columns the standard 双公示 sheet does not have, which a file-wide default given on upload
# (CLI option, form field, API field) may stand in for: 失信程度 and the trading domain.
DEFAULTABLE = {"penalties": ("severity", "domain"), "list-entries": ("domains",)}
DEFAULT_OPTIONS = {"severity": "--severity / 失信程度 severity", "domain": "--domain / 交易领域 domain",
                   "domains": "--domain / 交易领域 domain"}


def _keys(kind: str) -> dict[str, Column]:
    found: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for header in (column.header, *column.aliases):
            found.setdefault(header_key(header), column)
    return found


_BY_KEY = {kind: _keys(kind) for kind in KINDS}
# Columns our exports write that the registry derives (periods, states, ids, the outbox
# envelope): a re-imported export carries them, and they are passed over without a problem.
_DERIVED = {
    kind: {header_key(c.header) for c in export_columns(kind)} - set(_BY_KEY[kind]) for kind in KINDS
}
# Headers that tell the kinds apart (shared ones such as 统一社会信用代码 do not).
_ONLY = {
    "penalties": set(_BY_KEY["penalties"]) - set(_BY_KEY["list-entries"]) - _DERIVED["list-entries"],
    "list-entries": set(_BY_KEY["list-entries"]) - set(_BY_KEY["penalties"]) - _DERIVED["penalties"],
}
_ALL_KEYS = set().union(*_BY_KEY.values(), *_DERIVED.values())


def is_header(texts: list[str]) -> bool:
    return sum(header_key(t) in _ALL_KEYS for t in texts if t) >= 3


def detect_kind(headers: list[str], filename: str) -> str:
    keys = {header_key(h) for h in headers}
    votes = {kind: len(keys & _ONLY[kind]) for kind in KINDS}
    if votes["penalties"] == votes["list-entries"]:
        raise FileRefused.because(
            f"{filename}: cannot tell from its header row whether it holds penalties (行政处罚决定书文号, "
            "处罚类别 …) or list entries (名单名称, 列入决定文书号 …); say which kind it is"
        )
    return max(votes, key=lambda k: votes[k])


@dataclass(frozen=True)
class Layout:
    """Where each field stands in the file's rows, and the header it was given there."""

    positions: tuple[tuple[int, Column, str], ...]
    written: dict[str, str]  # field name → header as written in the file

    def header(self, name: str, kind: str) -> str:
        """The column a problem with field `name` is reported in: as written, else standard."""
        if name in self.written:
            return self.written[name]
        column = next((c for c in COLUMNS[kind] if c.name == name), None)
        return column.header if column is not None else ""


def layout_of(table: Table, kind: str, report: ImportReport, authority: Authority,
              defaults: Mapping[str, Any] | None = None) -> Layout:
    positions: list[tuple[int, Column, str]] = []
    written: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        key = header_key(header)
        column = _BY_KEY[kind].get(key)
        if column is None:
            if key in _DERIVED[kind]:
                report.ignored_columns.append(header)
            else:
                report.problems.append(Problem(table.header_row, header, "", "unknown column: not imported"))
            continue
        if column.name in written:
            report.problems.append(Problem(
                table.header_row, header, "",
                f"a second column for {column.header} (the first is {written[column.name]}): not imported",
            ))
            continue
        written[column.name] = header
        positions.append((index, column, header))
    required = list(REQUIRED[kind])
    missing = [c for c in COLUMNS[kind] if c.name in required and c.name not in written]
    if missing:
        raise FileRefused.because(
            f"{report.filename}: required column(s) missing: {'、'.join(c.header for c in missing)}; "
            "nothing was imported"
        )
    given = {k for k, v in (defaults or {}).items() if v}
    needed = [name for name in DEFAULTABLE[kind] if name not in written and name not in given
              and not (name == DOMAIN_FIELD[kind] and len(authority.domains) == 1)]
    if needed:
        headers = {c.name: c.header for c in COLUMNS[kind]}
        message = (
            f"{report.filename}: the sheet has no {'、'.join(headers[n] for n in needed)} column and no file-wide "
            f"default was given: give {'; '.join(DEFAULT_OPTIONS[n] for n in needed)} on upload"
            + (f" ({authority.name} supervises several trading domains)" if DOMAIN_FIELD[kind] in needed else "")
            + "; nothing was imported"
        )
        # Named by the upload's own fields (severity, domain), where the default is given.
        raise FileRefused(message, {"domain" if n == "domains" else n: [
            f"表中没有“{headers[n]}”列，须给出文件默认值"] for n in needed})
    return Layout(tuple(positions), written)


# ---------------------------------------------------------------------------------------------
# Reading one row


class RowRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def shown(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # field → value read (present only for the file's columns)
    raw: dict[str, Any]  # field → the cell as found

    def shown(self, name: str) -> str:
        return shown(self.raw.get(name))


def _lengths(kind: str) -> dict[str, int]:
    """The longest text each field's column holds (PostgreSQL refuses longer; SQLite would not)."""
    tables = [Entity.__table__, Penalty.__table__ if kind == "penalties" else ListEntry.__table__]
    aliases = {"name": "subject_name", "uscc": "subject_uscc"}
    found: dict[str, int] = {}
    for table in tables:
        for col in table.columns:
            length = getattr(col.type, "length", None)
            if length:
                found[aliases.get(col.name, col.name)] = length
    return found


_LENGTHS = {kind: _lengths(kind) for kind in KINDS}


_LIST_FIELDS = {"categories", "domains", *(c.name for c in RESPONSIBLE_COLUMNS)}


def read_row(number: int, cells: list[Any], layout: Layout, kind: str) -> Row:
    """The values of one row by field, or RowRejected naming every cell that cannot be read."""
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    limits = _LENGTHS[kind]
    width = len(cells)
    for index, column, header in layout.positions:
        cell = cells[index] if index < width else None
        name = column.name
        raw[name] = cell
        if cell is None or cell == "":  # most rows leave many cells empty: no reader needed
            values[name] = [] if name in _LIST_FIELDS else None
            continue
        try:
            value = column.read(cell)
        except CellError as exc:
            problems.append(Problem(number, header, shown(cell), str(exc)))
            continue
        if isinstance(value, str):
            if "\x00" in value:
                problems.append(Problem(number, header, shown(cell).replace("\x00", ""), "contains a NUL character"))
                continue
            limit = limits.get(name)
            if limit is not None and len(value) > limit:
                problems.append(Problem(number, header, shown(cell), f"is {len(value)} characters long; at most {limit}"))
                continue
        values[name] = value
    if problems:
        raise RowRejected(problems)
    return Row(number, values, raw)


# ---------------------------------------------------------------------------------------------
# Deciding a row


def masked(text: Any) -> Any:
    """Free text as the registry stores it: resident ID numbers masked."""
    return mask_resident_ids(text) if isinstance(text, str) else text


def fold(text: str | None) -> str:
    """Names and free text compared as a person reads them: full-width folded, spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def clean_name(name: str) -> str:
    return " ".join(name.split())  # as create_entity stores names


def subject_code(value: str | None) -> str | None:
    """A subject's code as compared: the 个体工商户 placeholder is the same as no code."""
    if not value:
        return None
    folded = "".join(unicodedata.normalize("NFKC", value).split()).upper()
    return None if folded == INDIVIDUAL_BUSINESS_PLACEHOLDER else folded


_ENTITY_FIELDS = {"kind": "subject_kind", "name": "subject_name", "uscc": "subject_uscc", "entity_id": "subject_name"}
_ENTITY_DETAILS = (
    "business_registration_no", "organization_code", "tax_registration_no", "institution_certificate_no",
    "social_org_registration_no", "legal_representative", "legal_rep_id_type", "legal_rep_id_number",
)
_TERMS: dict[str, Mapping[str, str]] = {
    "severity": SEVERITIES, "procedure": PROCEDURES, "domain": DOMAINS, "domains": DOMAINS, "list_type": LIST_TYPES,
}
Record = Penalty | ListEntry
EntityKey = tuple[str, str]


def stored_text(name: str, stored: Any, record: Record) -> str:
    """A recorded value as the file would write it: Chinese terms, 是/否, ；-joined lists."""
    if isinstance(stored, bool):
        return "是" if stored else "否"
    if isinstance(stored, Decimal):
        return f"{stored:f}"
    if name == "status":
        states = PENALTY_STATES if isinstance(record, Penalty) else LIST_ENTRY_STATES
        return states.get(str(stored), str(stored))
    terms: Mapping[str, str] = _TERMS.get(name, {})
    if isinstance(stored, list):
        return "；".join(terms.get(s, s) for s in stored)
    if isinstance(stored, str):
        return terms.get(stored, stored)
    return shown(stored)


@dataclass
class RowImporter:
    """Decides and imports rows one at a time; the new records go through the services.

    Subclasses change where records and subjects are looked up and how a new row is written
    (`registry.imports.batch`); what a row means is decided here for both.
    """

    session: Session
    actor: Actor
    authority: Authority
    kind: str
    layout: Layout
    report: ImportReport
    today: dt.date
    rules: Rules
    vault: IdentityVault
    now: dt.datetime | None
    # File-wide defaults given on upload for columns the sheet lacks: severity, domain.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # Subjects found or created by this import, by how a row names them.
    entities: dict[EntityKey, int] = field(default_factory=dict)
    authorities: dict[str, int | None] = field(default_factory=dict)
    new_entities: int = 0  # created by the row being imported

    # -- rows ----------------------------------------------------------------------------------

    def process(self, rows: list[tuple[int, list[Any]]]) -> None:
        """Import a chunk of rows (spreadsheet number, cells), counting each in the report."""
        for number, cells in rows:
            self.count(self.outcome(number, cells))

    def outcome(self, number: int, cells: list[Any]) -> str:
        try:
            return self.import_row(read_row(number, cells, self.layout, self.kind))
        except RowRejected as exc:
            self.report.problems.extend(exc.problems)
            return "rejected"

    def count(self, outcome: str) -> None:
        report = self.report
        report.rows += 1
        if outcome == "created":
            report.created += 1
        elif outcome == "unchanged":
            report.unchanged += 1
        elif outcome == "conflict":
            report.conflicts += 1
        else:
            report.rejected += 1

    def import_row(self, row: Row) -> str:
        """Import one row; returns created, unchanged or conflict, or raises RowRejected."""
        self.check_authority(row)
        existing = self.existing(row)
        if existing is not None:
            differences = self.differences(row, existing)
            if not differences:
                return "unchanged"
            self.report.problems.extend(differences)
            return "conflict"
        self.create(row)
        return "created"

    def create(self, row: Row) -> None:
        """Record the row's decision (and its subject if new) through the services, in a savepoint:
        a refused row leaves nothing behind."""
        self.new_entities = 0
        pending: dict[EntityKey, int] = {}
        try:
            with self.session.begin_nested():
                entity_id = self.subject(row, pending)
                if self.kind == "penalties":
                    penalty = record_penalty(self.session, self.penalty_data(row, entity_id), self.actor,
                                             self.today, rules=self.rules, now=self.now, keep_given_end=True,
                                             vault=self.vault)
                    self.flag_end_as_given(row, penalty)
                else:
                    create_list_entry(self.session, self.list_entry_data(row, entity_id), self.actor, self.today,
                                      rules=self.rules, now=self.now, vault=self.vault)
        except RegistryError as exc:
            raise RowRejected(self.from_error(row, exc)) from exc
        except DBAPIError as exc:  # a constraint the checks did not foresee: the row fails, not the file
            raise RowRejected([self.problem(row, "", f"the database refused the row: {exc.orig}")]) from exc
        # Only now that the row's savepoint is released do its new subjects serve later rows.
        self.entities.update(pending)
        self.report.entities_created += self.new_entities

    def rules_severity(self, data: Mapping[str, Any]) -> str | None:
        if not isinstance(data.get("decided_on"), dt.date):
            return None
        return default_severity(self.rules.catalogue, decided_on=data["decided_on"], procedure=data.get("procedure"),
                                categories=list(data.get("categories") or []),
                                decider=Decider(self.authority.sector, self.authority.region_code))

    def flag_end_as_given(self, row: Row, penalty: Penalty) -> None:
        """Real 双公示 data was computed under many local rules: a 公示截止期 outside the national
        period is kept as given and flagged in the report, never refused."""
        if penalty.publication_end_as_given:
            self.report.problems.append(self.problem(
                row, "publication_ends_on", f"kept as given, flagged: {penalty.publication_note}"))

    # -- problems ------------------------------------------------------------------------------

    def problem(self, row: Row, name: str, reason: str) -> Problem:
        # The report is shown and kept: a resident ID number typed in a cell appears masked there too.
        return Problem(row.number, self.layout.header(name, self.kind) if name else "",
                       mask_resident_ids(row.shown(name)) if name else "", reason)

    def from_error(self, row: Row, exc: RegistryError) -> list[Problem]:
        """A service's refusal, named by the file's columns (its fields are the API's names)."""
        if not exc.errors:
            return [self.problem(row, "", exc.message)]
        found = []
        known = {c.name for c in COLUMNS[self.kind]}
        for field_name, reasons in exc.errors.items():
            name = _ENTITY_FIELDS.get(field_name, field_name)
            if field_name.startswith("responsible_persons"):
                parts = field_name.split(".")
                name = _PERSON_COLUMNS.get(parts[2] if len(parts) > 2 else "", "responsible_names")
                if len(parts) > 1:
                    reasons = [f"第 {int(parts[1]) + 1} 人 (person {int(parts[1]) + 1}): {' '.join(reasons)}"]
            if name == "data_source_authority_id":
                name = "data_source_name"
            if name in known:
                found.append(self.problem(row, name, " ".join(reasons)))
            else:
                found.append(self.problem(row, "", f"{field_name}: {' '.join(reasons)}"))
        return found

    def check_authority(self, row: Row) -> None:
        """谁批准、谁公开: a row naming another deciding authority is refused, not re-assigned."""
        name, code = row.values.get("authority_name"), row.values.get("authority_uscc")
        authority = self.authority
        problems = []
        if code and code.upper() != authority.uscc:
            problems.append(self.problem(row, "authority_uscc", self.not_ours()))
        if name and fold(name) != fold(authority.name):
            problems.append(self.problem(row, "authority_name", self.not_ours()))
        if problems:
            raise RowRejected(problems)

    def not_ours(self) -> str:
        return (f"names another authority: this import records decisions of {self.authority.name} "
                f"(authority {self.authority.id}) only; each authority publishes its own decisions "
                f"(谁批准、谁公开)")

    def required(self, row: Row, *names: str) -> None:
        missing = [self.problem(row, n, "must not be empty") for n in names if not row.values.get(n)]
        if missing:
            raise RowRejected(missing)

    # -- lookups (the batched writer answers them from what it read ahead) ---------------------

    def natural_key(self, row: Row) -> tuple[str, ...]:
        """(决定书文号,) for a penalty, (决定书文号, 名单名称) for a list entry; the authority is the import's."""
        if self.kind == "penalties":
            self.required(row, "decision_number")
            return (row.values["decision_number"],)
        self.required(row, "decision_number", "list_name")
        return (row.values["decision_number"], row.values["list_name"])

    def existing(self, row: Row) -> Record | None:
        key = self.natural_key(row)
        if self.kind == "penalties":
            return self.session.scalar(sa.select(Penalty).where(
                Penalty.authority_id == self.authority.id, Penalty.decision_number == key[0]))
        return self.session.scalar(sa.select(ListEntry).where(
            ListEntry.authority_id == self.authority.id, ListEntry.decision_number == key[0],
            ListEntry.list_name == key[1]))

    def entity_by_code(self, code: str) -> Entity | None:
        return self.session.scalar(sa.select(Entity).where(Entity.uscc == code))

    def entity_ids_by_name(self, name: str) -> list[int]:
        """Up to two organisations or 个体工商户 whose current name is exactly `name`."""
        return list(self.session.scalars(
            sa.select(Entity.id).where(Entity.name == name, Entity.kind != "natural_person").limit(2)))

    def entity_of(self, record: Record) -> Entity:
        entity = self.session.get(Entity, record.entity_id)
        if entity is None:  # a foreign key: cannot happen
            raise RuntimeError(f"record {record.id} names entity {record.entity_id}, which does not exist")
        return entity

    def describe(self, record: Record) -> tuple[str, str]:
        """How a conflict names the recorded record, and where it is corrected."""
        label = "penalty" if isinstance(record, Penalty) else "list entry"
        path = "penalties" if isinstance(record, Penalty) else "list-entries"
        return f"{label} {record.id}", f"PATCH /api/v1/{path}/{record.id}"

    # -- unchanged or conflict -----------------------------------------------------------------

    def differences(self, row: Row, record: Record) -> list[Problem]:
        """The fields in which the row differs from the recorded record, as conflict problems."""
        which, where = self.describe(record)
        return [
            self.problem(
                row, name,
                f"conflict: {which} with this decision number records {stored_text(name, stored, record) or '(empty)'}; "
                f"not applied: a recorded decision changes only by a correction (更正) with its reason "
                f"({where}), not by importing it again",
            )
            for name, stored in self.compared(row, record)
        ]

    def compared(self, row: Row, record: Record) -> Iterable[tuple[str, Any]]:
        values = row.values
        entity = self.entity_of(record)
        names = {fold(n.name) for n in entity.names} | {fold(entity.name)}
        if isinstance(record, Penalty):
            names.add(fold(record.subject_name))
            stored_code = record.subject_uscc
        else:
            stored_code = entity.uscc
        if "subject_name" in values and fold(values["subject_name"]) not in names | {fold(masked(values["subject_name"]))}:
            yield "subject_name", record.subject_name if isinstance(record, Penalty) else entity.name
        if "subject_uscc" in values and subject_code(values["subject_uscc"]) != subject_code(stored_code):
            yield "subject_uscc", stored_code
        if isinstance(record, Penalty):
            yield from self.compared_penalty(row, record)
        else:
            yield from self.compared_list_entry(row, record)

    def compared_penalty(self, row: Row, penalty: Penalty) -> Iterable[tuple[str, Any]]:
        values = row.values
        for name in ("violation_type", "facts", "basis", "content", "licence_affected", "remarks",
                     "project_code", "not_public_reason"):
            # Stored free text has its resident ID numbers masked (records.protect_free_text).
            if name in values and fold(masked(values[name])) != fold(getattr(penalty, name)):
                yield name, getattr(penalty, name)
        if "categories" in values and set(values["categories"]) != set(penalty.categories):
            yield "categories", penalty.categories
        for name in ("fine_amount", "confiscation_amount", "decided_on", "valid_until"):
            if name in values and values[name] != getattr(penalty, name):
                yield name, getattr(penalty, name)
        # Left empty, these take the registry's default (the derived period, the authority's
        # domain, public, in force): only a value the row gives is compared.
        for name in ("publication_ends_on", "severity", "procedure", "domain", "is_public", "status"):
            if values.get(name) is not None and values[name] != getattr(penalty, name):
                yield name, getattr(penalty, name)
        if values.get("data_source_name") or values.get("data_source_uscc"):
            source = self.data_source(row)
            if source is not None and source != penalty.data_source_authority_id:
                found = self.session.get(Authority, penalty.data_source_authority_id)
                yield "data_source_name", found.name if found else penalty.data_source_authority_id

    def compared_list_entry(self, row: Row, entry: ListEntry) -> Iterable[tuple[str, Any]]:
        values = row.values
        for name in ("reason_category", "facts", "legal_basis", "project_code", "not_public_reason"):
            if name in values and fold(masked(values[name])) != fold(getattr(entry, name)):
                yield name, getattr(entry, name)
        for name in ("listed_on", "expires_on"):
            if name in values and values[name] != getattr(entry, name):
                yield name, getattr(entry, name)
        if values.get("list_type") is not None and values["list_type"] != entry.list_type:
            yield "list_type", entry.list_type
        if values.get("domains") and set(values["domains"]) != set(entry.domains):
            yield "domains", sorted(entry.domains)
        if values.get("is_public") is not None and values["is_public"] != entry.is_public:
            yield "is_public", entry.is_public
        status = values.get("status")
        if status is not None and status not in (entry.status, entry.status_on(self.today)):
            yield "status", entry.status

    # -- the subject ---------------------------------------------------------------------------

    def subject(self, row: Row, pending: dict[EntityKey, int]) -> int:
        """The entity the row is about: found by 统一社会信用代码, by 证件号码 (a person), or by
        its exact name when the code is empty or the 个体工商户 placeholder; created if missing.
        `pending` collects how this row named the subjects it found or made."""
        values = row.values
        self.required(row, "subject_name")
        name = clean_name(values["subject_name"])
        code = values.get("subject_uscc")
        kind = values.get("subject_kind")
        if code:
            # Checked (GB 32100) when a subject is created with it; a stored one is valid.
            code = normalise_uscc(code)
        if kind == "natural_person" or (kind is None and not code and values.get("id_number")):
            return self.person(row, name, pending)
        if code and code != INDIVIDUAL_BUSINESS_PLACEHOLDER:
            key: EntityKey = ("uscc", code)
            found = self.entities.get(key) or pending.get(key)
            if found is None:
                entity = self.entity_by_code(code)
                if entity is not None:
                    self.check_name(row, entity, name)
                    found = entity.id
            if found is None:
                # GB 32100: 9 then 2 is a 个体工商户 registered by 市场监管.
                default = "individual_business" if code.startswith("92") else "legal_entity"
                found = self.new_entity(row, {"kind": kind or default, "name": name, "uscc": code})
            pending[key] = found
            return found
        key = ("name", name)
        found = self.entities.get(key) or pending.get(key)
        if found is None:
            ids = self.entity_ids_by_name(name)
            if len(ids) > 1:
                raise RowRejected([self.problem(
                    row, "subject_name",
                    "several registered entities carry this exact name; give the 统一社会信用代码 to say which",
                )])
            if ids:
                found = ids[0]
        if found is None:
            default = "individual_business" if code == INDIVIDUAL_BUSINESS_PLACEHOLDER else "legal_entity"
            found = self.new_entity(row, {"kind": kind or default, "name": name, "uscc": code})
        pending[key] = found
        return found

    def person(self, row: Row, name: str, pending: dict[EntityKey, int]) -> int:
        values = row.values
        self.required(row, "id_type", "id_number")
        number = values["id_number"]
        if "*" in number:
            raise RowRejected([self.problem(
                row, "id_number", "is masked (as the registry shows it); a new subject needs the full number",
            )])
        try:
            clean = idnumber.validate(values["id_type"], number)
        except idnumber.IdNumberError as exc:
            raise RowRejected([self.problem(row, "id_number", str(exc))]) from exc
        key: EntityKey = ("person", self.vault.fingerprint(values["id_type"], clean))
        found = self.entities.get(key) or pending.get(key)
        if found is None:
            entity = self.session.scalar(sa.select(Entity).where(Entity.id_number_hash == key[1]))
            if entity is not None:
                self.check_name(row, entity, name)
                found = entity.id
        if found is None:
            found = self.new_entity(row, {"kind": "natural_person", "name": name, "id_type": values["id_type"],
                                          "id_number": clean})
        pending[key] = found
        return found

    def check_name(self, row: Row, entity: Entity, name: str) -> None:
        """A code names one subject: a row whose name is none of that subject's names is more
        likely a mistyped code than a new name, so it is refused rather than filed under it."""
        if fold(name) in {fold(n.name) for n in entity.names} | {fold(entity.name)}:
            return
        column = "subject_uscc" if entity.kind != "natural_person" else "id_number"
        raise RowRejected([self.problem(
            row, "subject_name",
            f"the {self.layout.header(column, self.kind)} given belongs to entity {entity.id}, "
            f"{entity.name}, and this name is none of its names (current, former, alias): check the "
            f"code, or record the new name on the entity first",
        )])

    def entity_data(self, row: Row, data: dict[str, Any]) -> dict[str, Any]:
        """What create_entity is given for a new subject: its kind, name and code, and the
        registration numbers and legal representative the row carries."""
        for name in _ENTITY_DETAILS:
            if row.values.get(name):
                data[name] = row.values[name]
        return data

    def new_entity(self, row: Row, data: dict[str, Any]) -> int:
        entity = create_entity(self.session, self.entity_data(row, data), self.actor, self.vault)
        self.new_entities += 1
        return entity.id

    # -- record data ---------------------------------------------------------------------------

    def data_source(self, row: Row) -> int | None:
        """数据来源单位: the deciding authority unless the row names another registered one."""
        code, name = row.values.get("data_source_uscc"), row.values.get("data_source_name")
        if not code and not name:
            return None
        if (code and code.upper() == self.authority.uscc) or (not code and fold(name) == fold(self.authority.name)):
            return self.authority.id
        key = f"uscc:{code.upper()}" if code else f"name:{fold(name)}"
        if key not in self.authorities:
            where = Authority.uscc == code.upper() if code else Authority.name == name
            self.authorities[key] = self.session.scalar(sa.select(Authority.id).where(where))
        found = self.authorities[key]
        if found is None:
            raise RowRejected([self.problem(row, "data_source_uscc" if code else "data_source_name",
                                            "is not a registered authority (数据来源单位)")])
        return found

    def domain_default(self, row: Row) -> str:
        domains = list(self.authority.domains)
        if len(domains) == 1:
            return domains[0]
        raise RowRejected([self.problem(
            row, DOMAIN_FIELD[self.kind],
            f"is empty and {self.authority.name} supervises several trading domains: name one of "
            f"{'、'.join(DOMAINS[d] for d in domains)}",
        )])

    def penalty_data(self, row: Row, entity_id: int) -> dict[str, Any]:
        """What record_penalty is given for the row."""
        values = row.values
        if values.get("status") not in (None, "effective"):
            raise RowRejected([self.problem(
                row, "status",
                "a new penalty is recorded in force (有效); a revocation (撤销) is made afterwards with its reason",
            )])
        data: dict[str, Any] = {
            name: values.get(name) for name in (
                "decision_number", "violation_type", "facts", "basis", "categories", "content", "fine_amount",
                "confiscation_amount", "licence_affected", "decided_on", "valid_until", "publication_ends_on",
                "remarks", "severity", "procedure", "project_code", "not_public_reason",
            )
        }
        data["entity_id"] = entity_id
        data["authority_id"] = self.authority.id
        # A row's own 失信程度; else what the rules say (Order 36: 简易程序, 警告, 通报批评 are 轻微);
        # else the file-wide default given on upload.
        data["severity"] = values.get("severity") or self.rules_severity(data) or self.defaults.get("severity")
        data["domain"] = values.get("domain") or self.defaults.get("domain") or self.domain_default(row)
        if values.get("is_public") is not None:
            data["is_public"] = values["is_public"]
        source = self.data_source(row)
        if source is not None:
            data["data_source_authority_id"] = source
        data["responsible_persons"] = self.responsible_persons(row)
        return data

    def responsible_persons(self, row: Row) -> list[dict[str, Any]]:
        """The row's 失信相关人 as the services take them, one per name; the other columns give one
        value per name, or one for all (角色, 证件类型), or none (证件号码 left empty)."""
        values = row.values
        names = values.get("responsible_names") or []
        columns = {key: values.get(key) or [] for key in ("responsible_roles", "responsible_id_types",
                                                        "responsible_id_numbers")}
        if not names:
            given = [key for key, found in columns.items() if found]
            if given:
                raise RowRejected([self.problem(row, "responsible_names",
                                                "失信相关人姓名为空，但填写了其角色或证件 (names are needed)")])
            return []
        for key, found in columns.items():
            allowed = (len(names),) if key == "responsible_id_numbers" else (1, len(names))
            if found and len(found) not in allowed:
                raise RowRejected([self.problem(
                    row, key, f"有 {len(found)} 项，与失信相关人姓名的 {len(names)} 项不对应 "
                              f"(one value per name{', or one for all' if 1 in allowed else ''})")])
        if not columns["responsible_roles"]:
            raise RowRejected([self.problem(row, "responsible_roles", "须填写失信相关人角色（如 法定代表人、自然人股东、评标评审专家）")])

        def nth(key: str, i: int) -> str | None:
            found = columns[key]
            return None if not found else found[i] if len(found) > 1 else found[0]

        persons = []
        for i, name in enumerate(names):
            number = columns["responsible_id_numbers"][i] if columns["responsible_id_numbers"] else None
            id_type = nth("responsible_id_types", i)
            person: dict[str, Any] = {"role": nth("responsible_roles", i), "name": name}
            if number is not None:
                person["id_number"] = number
                try:
                    person["id_type"] = _read_id_type(id_type) if id_type else "resident_id"
                except CellError as exc:
                    raise RowRejected([self.problem(row, "responsible_id_types", str(exc))]) from exc
            persons.append(person)
        return persons

    def list_entry_data(self, row: Row, entity_id: int) -> dict[str, Any]:
        """What create_list_entry is given for the row; 名单类型 left empty is the catalogue's for a
        list it knows."""
        values = row.values
        if values.get("status") not in (None, "active"):
            raise RowRejected([self.problem(
                row, "status",
                "a new list entry is recorded as listed (有效); removal, repair and revocation are made "
                "afterwards with their reason",
            )])
        list_type = values.get("list_type")
        if list_type is None:
            known = self.rules.catalogue.lists.get(values["list_name"])
            if known is None:
                raise RowRejected([self.problem(
                    row, "list_type",
                    f"is empty and {values['list_name']} is not a list the catalogue knows: write 黑名单, "
                    f"红名单 or 重点关注名单",
                )])
            list_type = known.list_type
        data: dict[str, Any] = {
            name: values.get(name) for name in (
                "list_name", "decision_number", "reason_category", "facts", "legal_basis", "project_code",
                "listed_on", "expires_on", "not_public_reason",
            )
        }
        data.update(entity_id=entity_id, authority_id=self.authority.id, list_type=list_type,
                    domains=values.get("domains") or [self.defaults.get("domain") or self.domain_default(row)])
        if values.get("is_public") is not None:
            data["is_public"] = values["is_public"]
        data["responsible_persons"] = self.responsible_persons(row)
        if data["listed_on"] is None:
            raise RowRejected([self.problem(row, "listed_on", "must not be empty")])
        return data
