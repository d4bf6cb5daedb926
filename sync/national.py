"""The national format (全国信用信息共享平台 格式): what the credit platform receives, field by field.

One table per kind of platform record (`registry/national_columns.py`, re-exported here) gives
each field's English name (the JSON key), its standard Chinese header (the CSV/XLSX header and the "json-zh" key), its type and where its
value comes from; the envelope every record carries follows the fields. The push, the pull feed
and the snapshot exports all render through `render_record`, and docs/sync-format.md is checked
against these tables, so a header is named in this one place.

| kind | record type | operations sent |
|---|---|---|
| `penalties` (行政处罚) | `penalty` | every operation |
| `list-entries` (红黑名单) | `list_entry` | every operation |
| `name-changes` (名称变更) | `entity` | rename, add_name, remove_name |
| `evidence-anchors` (存证锚点) | `evidence_anchor` | anchor |

Every other outbox event (an entity's creation and other updates, authorities, calendars, repair
applications) is internal: `kind_of` answers None and the renderers skip it. An anchor is always
public: it is never withheld.

Values are the platform's vocabulary: codes the registry keeps as English words (severity,
status, list type, domains, 行政相对人类别, 证件类型) are rendered as their Chinese terms; dates
are ISO `YYYY-MM-DD`, times ISO 8601 in UTC, amounts in 万元 as exact decimal strings, several
values (处罚类别, 涉及领域, 曾用名) as JSON lists. Only masked ID numbers are ever read: the
snapshots the outbox keeps hold no other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, overload

from registry.codes.idnumber import ID_TYPES

# Re-exported: the tables' users may keep importing them from here.
from registry.national_columns import (
    ANCHOR_COLUMNS as ANCHOR_COLUMNS,
)
from registry.national_columns import (
    ANCHORS as ANCHORS,
)
from registry.national_columns import (
    ENVELOPE as ENVELOPE,
)
from registry.national_columns import (
    FIELDS as FIELDS,
)
from registry.national_columns import (
    KINDS as KINDS,
)
from registry.national_columns import (
    LIST_ENTRY_COLUMNS as LIST_ENTRY_COLUMNS,
)
from registry.national_columns import (
    NAME_CHANGE_COLUMNS as NAME_CHANGE_COLUMNS,
)
from registry.national_columns import (
    NAME_CHANGE_OPERATIONS as NAME_CHANGE_OPERATIONS,
)
from registry.national_columns import (
    NAME_CHANGE_TYPES as NAME_CHANGE_TYPES,
)
from registry.national_columns import (
    PENALTY_COLUMNS as PENALTY_COLUMNS,
)
from registry.national_columns import (
    PLATFORM_OPERATIONS as PLATFORM_OPERATIONS,
)
from registry.national_columns import (
    RECORD_TYPES as RECORD_TYPES,
)
from registry.national_columns import (
    RESPONSIBLE_SOURCE as RESPONSIBLE_SOURCE,
)
from registry.national_columns import (
    Column as Column,
)
from registry.national_columns import (
    columns as columns,
)
from registry.national_columns import (
    headers as headers,
)
from registry.national_columns import (
    kind_of as kind_of,
)
from registry.national_columns import (
    markdown_table as markdown_table,
)
from registry.records.penalty_fields import PENALTY_FIELDS
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    NAME_KINDS,
    PENALTY_STATES,
    PROCEDURES,
    RESPONSIBLE_ROLES,
    SEVERITIES,
)
from sync.national_licences import licence_fields
from sync.national_terms import NO_SOURCE as _NONE
from sync.national_terms import DataSource as DataSource  # re-exported: callers import it from here
from sync.national_terms import subject_uscc as _subject_uscc
from sync.national_terms import term as _term

_CHINESE = {kind: {c.name: c.header for c in columns(kind)} for kind in KINDS}


# ---------------------------------------------------------------------------------------------
# Rendering one record


def _iso(value: dt.datetime | str) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _persons(payload: Mapping[str, Any]) -> list[str]:
    """The 失信相关人 of a snapshot, one text each: 角色:姓名:证件类型:证件号码[:至 YYYY-MM-DD]."""
    shown = []
    for person in payload.get("responsible_persons") or []:
        parts = [
            _term(RESPONSIBLE_ROLES, person.get("role")) or "",
            person.get("name") or "",
            _term(ID_TYPES, person.get("id_type")) or "",
            person.get("id_number_masked") or "",
        ]
        if person.get("ends_on"):
            parts.append(f"至 {person['ends_on']}")
        shown.append(":".join(parts))
    return shown


def _penalty_fields(
    payload: Mapping[str, Any],
    entity: Mapping[str, Any] | None,
    authorities: Mapping[int, DataSource],
) -> dict[str, Any]:
    subject: Mapping[str, Any] = entity or {}
    decider = authorities.get(payload.get("authority_id") or 0, _NONE)
    source = authorities.get(payload.get("data_source_authority_id") or payload.get("authority_id") or 0, _NONE)
    values: dict[str, Any] = {f.name: payload.get(f.name) for f in PENALTY_FIELDS if f.source == "penalty"}
    values.update({f.name: subject.get(f.name) for f in PENALTY_FIELDS if f.source == "entity"})
    values.update(
        subject_uscc=_subject_uscc(payload.get("subject_uscc"), entity),
        subject_kind=_term(ENTITY_KINDS, subject.get("kind")),
        legal_rep_id_type=_term(ID_TYPES, subject.get("legal_rep_id_type")),
        # Masked only: the snapshots hold no other form, and nothing here reads one.
        legal_rep_id_number=subject.get("legal_rep_id_masked"),
        id_type=_term(ID_TYPES, subject.get("id_type")),
        id_number=subject.get("id_number_masked"),
        categories=list(payload.get("categories") or []),
        authority_name=decider.name,
        authority_uscc=decider.uscc,
        data_source_name=source.name,
        data_source_uscc=source.uscc,
        severity=_term(SEVERITIES, payload.get("severity")),
        procedure=_term(PROCEDURES, payload.get("procedure")),
        domain=_term(DOMAINS, payload.get("domain")),
        status=_term(PENALTY_STATES, payload.get("status")),
        responsible_persons=_persons(payload),
    )
    for name in (
        "project_code",
        "revoked_on",
        "revocation_reason",
        "repair_from",
        "repaired_on",
        "publication_starts_on",
        "publishable",
        "publication_note",
        "first_published_at",
        "is_public",
        "not_public_reason",
        "entity_id",
    ):
        values[name] = payload.get(name)
    return values


def _list_entry_fields(
    payload: Mapping[str, Any],
    entity: Mapping[str, Any] | None,
    authorities: Mapping[int, DataSource],
) -> dict[str, Any]:
    subject: Mapping[str, Any] = entity or {}
    decider = authorities.get(payload.get("authority_id") or 0, _NONE)
    values = {
        name: payload.get(name)
        for name in (
            "list_name",
            "decision_number",
            "reason_category",
            "facts",
            "legal_basis",
            "listed_on",
            "expires_on",
            "status_changed_on",
            "status_reason",
            "project_code",
            "repair_from",
            "first_published_at",
            "is_public",
            "not_public_reason",
            "entity_id",
        )
    }
    values.update(
        subject_name=subject.get("name"),
        subject_uscc=_subject_uscc(subject.get("uscc"), entity),
        subject_kind=_term(ENTITY_KINDS, subject.get("kind")),
        legal_representative=subject.get("legal_representative"),
        id_type=_term(ID_TYPES, subject.get("id_type")),
        id_number=subject.get("id_number_masked"),
        list_type=_term(LIST_TYPES, payload.get("list_type")),
        authority_name=decider.name,
        authority_uscc=decider.uscc,
        status=_term(LIST_ENTRY_STATES, payload.get("status")),
        domains=[_term(DOMAINS, d) for d in payload.get("domains") or []],
        # 谁批准、谁公开: a list entry's source is the authority that decided it.
        data_source_name=decider.name,
        data_source_uscc=decider.uscc,
        responsible_persons=_persons(payload),
    )
    return values


def _name_key(row: Mapping[str, Any]) -> tuple[Any, Any]:
    return row.get("name"), row.get("kind")


def _name_change_fields(
    operation: str,
    after: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    operator: DataSource,
) -> dict[str, Any]:
    names: list[Mapping[str, Any]] = list(after.get("names") or [])
    changed: Mapping[str, Any] | None = None
    previous_name = None
    if operation == "rename":
        changed = next((n for n in reversed(names) if n.get("kind") == "current"), None)
        if before is not None:
            previous_name = before.get("name")
        elif changed is not None:
            # No earlier event to read: the name just made former ends where the new one starts.
            ended = [n for n in names if n.get("kind") == "former" and n.get("valid_to") == changed.get("valid_from")]
            previous_name = ended[-1].get("name") if ended else None
    elif operation == "add_name":
        if before is not None:
            had = {_name_key(n) for n in before.get("names") or []}
            added = [n for n in names if _name_key(n) not in had]
            changed = added[-1] if added else None
        elif names:
            changed = names[-1]  # names are kept in the order they were recorded
    elif before is not None:  # remove_name: only the state before the change still holds the name
        kept = {_name_key(n) for n in names}
        changed = next((n for n in before.get("names") or [] if _name_key(n) not in kept), None)
    return {
        "subject_name": after.get("name"),
        "subject_uscc": _subject_uscc(after.get("uscc"), after),
        "subject_kind": _term(ENTITY_KINDS, after.get("kind")),
        "change_type": NAME_CHANGE_TYPES[operation],
        "previous_name": previous_name,
        "changed_name": changed.get("name") if changed else None,
        "changed_name_kind": _term(NAME_KINDS, changed.get("kind")) if changed else None,
        "changed_on": changed.get("valid_from") if changed and operation != "remove_name" else None,
        "former_names": [n.get("name") for n in names if n.get("kind") == "former"],
        "aliases": [n.get("name") for n in names if n.get("kind") == "alias"],
        "entity_id": after.get("id"),
        "data_source_name": operator.name,
        "data_source_uscc": operator.uscc,
    }


def _anchor_fields(payload: Mapping[str, Any], operator: DataSource) -> dict[str, Any]:
    # The payload is the audit row's `after`, as signed: rendered unchanged, so the signature checks.
    values = {c.name: payload.get(c.name) for c in ANCHOR_COLUMNS}
    values.update(data_source_name=operator.name, data_source_uscc=operator.uscc)
    return values


def render_record(
    record_type: str,
    operation: str,
    payload: Mapping[str, Any],
    entity: Mapping[str, Any] | None,
    authorities: Mapping[int, DataSource],
    operator: DataSource,
    seq: int,
    occurred_at: dt.datetime | str,
    include_not_public: bool,
    *,
    record_id: int | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """One outbox event in the national format, English keys in the standard order.

    `payload` is the event's snapshot of the record. `entity` is the subject as it stood at the
    event (for a penalty or list entry), or the entity as it stood just before the change (for a
    name change: it names the name renamed or removed); None when unknown. `authorities` maps
    authority ids to their names and codes; `operator` is the registry's own data source.
    A record that is not public (`is_public` false) is rendered as the envelope with
    `withheld: true` and no fields, unless `include_not_public`; an evidence anchor never is.
    Raises ValueError for an internal event (see `kind_of`).
    """
    kind = kind_of(record_type, operation)
    if kind is None:
        raise ValueError(f"{record_type} {operation} is internal: it is not a platform record")
    withheld = kind != ANCHORS and payload.get("is_public") is False and not include_not_public
    envelope = {
        "seq": seq,
        "record_type": record_type,
        "operation": operation,
        "record_id": record_id if record_id is not None else payload.get("id"),
        "version": version if version is not None else payload.get("version"),
        "occurred_at": _iso(occurred_at),
        "withheld": withheld,
    }
    if withheld:
        return envelope
    if kind == "penalties":
        values = _penalty_fields(payload, entity, authorities)
    elif kind == "list-entries":
        values = _list_entry_fields(payload, entity, authorities)
    elif kind == ANCHORS:
        values = _anchor_fields(payload, operator)
    elif kind == "licences":
        values = licence_fields(payload, entity, authorities)
    else:
        values = _name_change_fields(operation, payload, entity, operator)
    values.update(envelope)
    # Built from the table, so the order is the standard one and a field missing here fails loudly.
    return {c.name: values[c.name] for c in columns(kind)}


@overload
def to_chinese(kind: str, rendered: Mapping[str, Any]) -> dict[str, Any]: ...
@overload
def to_chinese(kind: Mapping[str, Any]) -> dict[str, Any]: ...
def to_chinese(kind: str | Mapping[str, Any], rendered: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A rendered record with the standard Chinese headers as keys (the push's "json-zh").

    Called as `to_chinese(kind, rendered)`, or `to_chinese(rendered)`: the kind is then read
    from the record's own `record_type` and `operation`.
    """
    if rendered is None:
        if isinstance(kind, str):
            raise TypeError("to_chinese(kind, rendered) needs the rendered record")
        rendered = kind
        found = kind_of(str(rendered["record_type"]), str(rendered["operation"]))
        if found is None:
            raise ValueError(f"{rendered['record_type']} {rendered['operation']} is not a platform record")
        kind = found
    elif not isinstance(kind, str):
        raise TypeError("to_chinese(kind, rendered): kind is one of " + ", ".join(KINDS))
    mapping = _CHINESE[kind]
    return {mapping[key]: value for key, value in rendered.items()}
