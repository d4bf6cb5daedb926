"""The columns of an import: the 双公示 headers an import reads and the layout of a file.

Each field an import reads has its standard header, the older headers real sheets still carry
(domain.md) and the header our own exports write (`registry.national_columns`): an import reads
what an export writes. `layout_of` finds where each field stands in a file's header row and
refuses a file that lacks a required column or a file-wide default it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from registry.codes.idnumber import ID_TYPES
from registry.imports.files import (
    CellError,
    FileRefused,
    Table,
    Vocabulary,
    amount_value,
    bool_value,
    code_value,
    date_value,
    header_key,
    list_value,
    text_value,
    vocabulary,
)
from registry.imports.report import ImportReport, Problem
from registry.messages import msg
from registry.models import Authority
from registry.national_columns import columns as export_columns
from registry.records.penalty_fields import PENALTY_FIELDS
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PENALTY_CATEGORIES,
    PENALTY_STATES,
    PROCEDURES,
    RESPONSIBLE_ROLES,
    SEVERITIES,
)

KINDS = ("penalties", "list-entries")


@dataclass(frozen=True)
class Column:
    """A field an import reads: its English name, standard header, other headers, reader.

    `choices` are the Chinese terms of its closed vocabulary, if it has one (the import template's
    drop-down list); `several` says a cell may hold several values (处罚类别, 涉及领域 of a list entry).
    """

    name: str
    header: str
    read: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    several: bool = False


_ENTITY_KIND_ALIASES = {
    "法人": "legal_entity",
    "非法人组织": "legal_entity",
    "法人及其他组织": "legal_entity",
    "法人和其他组织": "legal_entity",
    "其他组织": "legal_entity",
}
_read_kind = vocabulary(ENTITY_KINDS, _ENTITY_KIND_ALIASES)
# Also reads each 失信相关人证件类型 (registry.imports.row_writer.responsible_persons).
read_id_type = vocabulary(ID_TYPES, {"身份证": "resident_id"})
_READERS: dict[str, Callable[[Any], Any]] = {
    "subject_kind": _read_kind,
    "legal_rep_id_type": read_id_type,
    "id_type": read_id_type,
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


# Columns whose cell holds several values (split by list_value), with the vocabulary each value
# comes from where there is one: the services check 处罚类别 (行政处罚法 Art. 9) and the persons'
# roles; 涉及领域 and the persons' document types are read here.
_SEVERAL: dict[str, tuple[str, ...]] = {
    "categories": PENALTY_CATEGORIES,
    "domains": tuple(DOMAINS.values()),
    "responsible_roles": tuple(RESPONSIBLE_ROLES.values()),
    "responsible_names": (),
    "responsible_id_types": tuple(ID_TYPES.values()),
    "responsible_id_numbers": (),
}


def _choices(name: str, read: Callable[[Any], Any]) -> tuple[str, ...]:
    if isinstance(read, Vocabulary):
        return read.labels
    if read is bool_value:
        return ("是", "否")
    return _SEVERAL.get(name, ())


def _make(name: str, header: str, read: Callable[[Any], Any], aliases: tuple[str, ...] = ()) -> Column:
    return Column(name, header, read, aliases, _choices(name, read), name in _SEVERAL)


def _export_header(kind: str, name: str) -> str:
    return next(c.header for c in export_columns(kind) if c.name == name)


def _column(kind: str, name: str, *aliases: str, read: Callable[[Any], Any] | None = None) -> Column:
    return _make(name, _export_header(kind, name), read or _READERS.get(name, text_value), aliases)


# Penalties: the 双公示 fields (registry.records.penalty_fields, with their older headers), then what
# the registry adds and its exports write (sync.national): an import reads what an export writes.
PENALTY_COLUMNS: tuple[Column, ...] = (
    *(_make(f.name, f.header, _READERS.get(f.name, text_value), f.older_headers) for f in PENALTY_FIELDS),
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
    _make("responsible_roles", "失信相关人角色", list_value, ("责任人员角色",)),
    _make("responsible_names", "失信相关人姓名", list_value, ("责任人员姓名",)),
    _make("responsible_id_types", "失信相关人证件类型", list_value, ("责任人员证件类型",)),
    _make("responsible_id_numbers", "失信相关人证件号码", list_value, ("责任人员证件号码",)),
)
PENALTY_COLUMNS += RESPONSIBLE_COLUMNS
LIST_ENTRY_COLUMNS += RESPONSIBLE_COLUMNS
COLUMNS = {"penalties": PENALTY_COLUMNS, "list-entries": LIST_ENTRY_COLUMNS}
# A service's field for a person (responsible_persons.N.id_number) and the column that holds it.
PERSON_COLUMNS = {
    "role": "responsible_roles",
    "name": "responsible_names",
    "id_type": "responsible_id_types",
    "id_number": "responsible_id_numbers",
    "": "responsible_names",
}
REQUIRED = {
    "penalties": (
        "subject_name",
        "decision_number",
        "violation_type",
        "facts",
        "basis",
        "categories",
        "content",
        "decided_on",
    ),
    "list-entries": (
        "subject_name",
        "list_name",
        "decision_number",
        "reason_category",
        "facts",
        "legal_basis",
        "listed_on",
    ),
}
# The column naming the trading domain(s): needed unless the authority supervises exactly one
# or the upload gives a file-wide default.
DOMAIN_FIELD = {"penalties": "domain", "list-entries": "domains"}
# Columns the standard 双公示 sheet does not have, which a file-wide default given on upload
# (CLI option, form field, API field) may stand in for: 失信程度 and the trading domain.
DEFAULTABLE = {"penalties": ("severity", "domain"), "list-entries": ("domains",)}
DEFAULT_OPTIONS = {
    "severity": "--severity / 失信程度 default_severity",
    "domain": "--domain / 交易领域 default_domain",
    "domains": "--domain / 交易领域 default_domain",
}


def _keys(kind: str) -> dict[str, Column]:
    found: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for header in (column.header, *column.aliases):
            found.setdefault(header_key(header), column)
    return found


_BY_KEY = {kind: _keys(kind) for kind in KINDS}
# Columns our exports write that the registry derives (periods, states, ids, the outbox
# envelope): a re-imported export carries them, and they are passed over without a problem.
_DERIVED = {kind: {header_key(c.header) for c in export_columns(kind)} - set(_BY_KEY[kind]) for kind in KINDS}
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
            msg(
                "{file}: cannot tell from its header row whether it holds penalties (行政处罚决定书文号, 处罚类别 …) or "
                "list entries (名单名称, 列入决定文书号 …); say which kind it is",
                file=filename,
            ),
            short="the header row does not tell penalties (行政处罚决定书文号, 处罚类别 …) from list entries (名单名称, "
            "列入决定文书号 …): choose the kind of sheet",
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


def layout_of(
    table: Table, kind: str, report: ImportReport, authority: Authority, defaults: Mapping[str, Any] | None = None
) -> Layout:
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
            report.problems.append(
                Problem(
                    table.header_row,
                    header,
                    "",
                    msg(
                        "a second column for {column} (the first is {first}): not imported",
                        column=column.header,
                        first=written[column.name],
                    ),
                )
            )
            continue
        written[column.name] = header
        positions.append((index, column, header))
    required = list(REQUIRED[kind])
    missing = [c for c in COLUMNS[kind] if c.name in required and c.name not in written]
    if missing:
        columns = "、".join(c.header for c in missing)
        raise FileRefused.because(
            msg(
                "{file}: required column(s) missing: {columns}; nothing was imported",
                file=report.filename,
                columns=columns,
            ),
            short=msg(
                "required column(s) missing: {columns}; nothing was imported (the import template shows the headers)",
                columns=columns,
            ),
        )
    given = {k for k, v in (defaults or {}).items() if v}
    needed = [
        name
        for name in DEFAULTABLE[kind]
        if name not in written
        and name not in given
        and not (name == DOMAIN_FIELD[kind] and len(authority.domains) == 1)
    ]
    if needed:
        headers = {c.name: c.header for c in COLUMNS[kind]}
        several = msg(" ({authority} supervises several trading domains)", authority=authority.name)
        message = msg(
            "{file}: the sheet has no {columns} column and no file-wide default was given: give {options} on "
            "upload{several}; nothing was imported",
            file=report.filename,
            columns="、".join(headers[n] for n in needed),
            options="; ".join(DEFAULT_OPTIONS[n] for n in needed),
            several=several if DOMAIN_FIELD[kind] in needed else "",
        )
        # Named by the upload's own fields (default_severity, default_domain), where the default is given.
        raise FileRefused(
            message,
            {
                "default_domain" if n in ("domain", "domains") else f"default_{n}": [
                    msg("the sheet has no {column} column: give a file-wide default", column=headers[n])
                ]
                for n in needed
            },
        )
    return Layout(tuple(positions), written)
