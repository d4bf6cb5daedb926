"""The columns of an import: the 双公示 headers an import reads, kind by kind.

Each field an import reads has its standard header, the older headers real sheets still carry
(domain.md) and the header our own exports write (`registry.national_columns`): an import reads
what an export writes. Three kinds: 行政处罚 (penalties), 红黑名单 (list entries) and 行政许可
(licences). `registry.imports.layout` finds where each field stands in a file's header row and
tells the kinds apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from registry.codes.idnumber import ID_TYPES
from registry.imports.files import (
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
from registry.national_columns import columns as export_columns
from registry.records import licences
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

KINDS = ("penalties", "list-entries", "licences")


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
    "valid_from": date_value,
    "valid_to": date_value,
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


# Columns read as text whose values the service checks against a closed list (许可类别): the
# template offers the list; the service refuses another value, naming the column.
_OFFERED: dict[str, tuple[str, ...]] = {"licence_category": licences.CATEGORIES}


def _choices(name: str, read: Callable[[Any], Any]) -> tuple[str, ...]:
    if isinstance(read, Vocabulary):
        return read.labels
    if read is bool_value:
        return ("是", "否")
    return _SEVERAL.get(name) or _OFFERED.get(name, ())


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
# Licences: the subject as a penalty's (the same 双公示 headers, older ones too: its name, its code
# and what is read from its registration), then the licensing fields under the headers our licence
# export writes and the older ones sheets carry.
_SUBJECT_FIELDS = {f.name for f in PENALTY_FIELDS if f.source == "entity"} | {"subject_name", "subject_uscc"}
LICENCE_COLUMNS: tuple[Column, ...] = (
    *(c for c in PENALTY_COLUMNS if c.name in _SUBJECT_FIELDS),
    _column("licences", "decision_document_name", "行政许可决定书名称", "许可决定文书名称"),
    _column("licences", "decision_number", "行政许可决定书文号", "许可决定书文号", "许可文书号"),
    _column("licences", "licence_category", "审批类别", "许可类型"),
    _column("licences", "licence_name", "许可证名称"),
    _column("licences", "licence_number", "许可证书编号", "许可证编号"),
    _column("licences", "content", "许可事项内容"),
    _column("licences", "decided_on", "许可日期", "许可决定时间"),
    _column("licences", "valid_from", "许可有效期自", "有效期起"),
    _column("licences", "valid_to", "许可有效期至", "许可截止期", "有效期止"),
    _column("licences", "authority_name", "许可决定机关", "许可机关名称"),
    _column("licences", "authority_uscc", "许可决定机关统一社会信用代码"),
    _column("licences", "status", read=vocabulary(licences.STATES)),
    _column("licences", "data_source_name"),
    _column("licences", "data_source_uscc"),
    _column("licences", "remarks"),
    _column("licences", "is_public"),
    _column("licences", "not_public_reason"),
)
COLUMNS = {"penalties": PENALTY_COLUMNS, "list-entries": LIST_ENTRY_COLUMNS, "licences": LICENCE_COLUMNS}
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
    # What the licence service needs (registry.records.licences): 文书名称, 文号, 许可类别, 许可内容, the dates.
    "licences": (
        "subject_name",
        "decision_document_name",
        "decision_number",
        "licence_category",
        "content",
        "decided_on",
        "valid_from",
    ),
}
# The column naming the trading domain(s): needed unless the authority supervises exactly one
# or the upload gives a file-wide default. A licence names none: it is not a sanction.
DOMAIN_FIELD = {"penalties": "domain", "list-entries": "domains"}
# Columns the standard 双公示 sheet does not have, which a file-wide default given on upload
# (CLI option, form field, API field) may stand in for: 失信程度 and the trading domain. A licence
# has neither (the defaults of an upload are then not used, and the report says so).
DEFAULTABLE: dict[str, tuple[str, ...]] = {
    "penalties": ("severity", "domain"),
    "list-entries": ("domains",),
    "licences": (),
}
DEFAULT_OPTIONS = {
    "severity": "--severity / 失信程度 default_severity",
    "domain": "--domain / 交易领域 default_domain",
    "domains": "--domain / 交易领域 default_domain",
}
