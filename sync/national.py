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

Every other outbox event (an entity's creation and other updates, authorities, calendars, repair
applications) is internal: `kind_of` answers None and the renderers skip it.

Values are the platform's vocabulary: codes the registry keeps as English words (severity,
status, list type, domains, 行政相对人类别, 证件类型) are rendered as their Chinese terms; dates
are ISO `YYYY-MM-DD`, times ISO 8601 in UTC, amounts in 万元 as exact decimal strings, several
values (处罚类别, 涉及领域, 曾用名) as JSON lists. Only masked ID numbers are ever read: the
snapshots the outbox keeps hold no other.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, overload

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.codes.idnumber import ID_TYPES
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.models import Authority, ChangeEvent, Entity

# Re-exported: the tables' users may keep importing them from here.
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


@dataclass(frozen=True)
class DataSource:
    """数据来源单位: who supplied a record, by name and 统一社会信用代码."""

    name: str | None
    uscc: str | None


_CHINESE = {kind: {c.name: c.header for c in columns(kind)} for kind in KINDS}


# ---------------------------------------------------------------------------------------------
# Rendering one record


def _term(vocabulary: Mapping[str, str], code: Any) -> Any:
    # An unknown code is passed through rather than dropped: a new vocabulary entry must not
    # silently blank a field the platform needs.
    return vocabulary.get(code, code) if code else None


def _subject_uscc(code: str | None, entity: Mapping[str, Any] | None) -> str | None:
    if code:
        return code
    if entity is not None and entity.get("kind") == "individual_business":
        return INDIVIDUAL_BUSINESS_PLACEHOLDER
    return None


def _iso(value: dt.datetime | str) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else value


_NONE = DataSource(None, None)


def _persons(payload: Mapping[str, Any]) -> list[str]:
    """The 失信相关人 of a snapshot, one text each: 角色:姓名:证件类型:证件号码[:至 YYYY-MM-DD]."""
    shown = []
    for person in payload.get("responsible_persons") or []:
        parts = [_term(RESPONSIBLE_ROLES, person.get("role")) or "", person.get("name") or "",
                 _term(ID_TYPES, person.get("id_type")) or "", person.get("id_number_masked") or ""]
        if person.get("ends_on"):
            parts.append(f"至 {person['ends_on']}")
        shown.append(":".join(parts))
    return shown


def _penalty_fields(
    payload: Mapping[str, Any], entity: Mapping[str, Any] | None, authorities: Mapping[int, DataSource],
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
        authority_name=decider.name, authority_uscc=decider.uscc,
        data_source_name=source.name, data_source_uscc=source.uscc,
        severity=_term(SEVERITIES, payload.get("severity")),
        procedure=_term(PROCEDURES, payload.get("procedure")),
        domain=_term(DOMAINS, payload.get("domain")),
        status=_term(PENALTY_STATES, payload.get("status")),
        responsible_persons=_persons(payload),
    )
    for name in ("project_code", "revoked_on", "revocation_reason", "repair_from", "repaired_on",
                 "publication_starts_on", "publishable", "publication_note", "first_published_at", "is_public",
                 "not_public_reason", "entity_id"):
        values[name] = payload.get(name)
    return values


def _list_entry_fields(
    payload: Mapping[str, Any], entity: Mapping[str, Any] | None, authorities: Mapping[int, DataSource],
) -> dict[str, Any]:
    subject: Mapping[str, Any] = entity or {}
    decider = authorities.get(payload.get("authority_id") or 0, _NONE)
    values = {name: payload.get(name) for name in (
        "list_name", "decision_number", "reason_category", "facts", "legal_basis", "listed_on", "expires_on",
        "status_changed_on", "status_reason", "project_code", "repair_from", "first_published_at",
        "is_public", "not_public_reason", "entity_id",
    )}
    values.update(
        subject_name=subject.get("name"),
        subject_uscc=_subject_uscc(subject.get("uscc"), entity),
        subject_kind=_term(ENTITY_KINDS, subject.get("kind")),
        legal_representative=subject.get("legal_representative"),
        id_type=_term(ID_TYPES, subject.get("id_type")),
        id_number=subject.get("id_number_masked"),
        list_type=_term(LIST_TYPES, payload.get("list_type")),
        authority_name=decider.name, authority_uscc=decider.uscc,
        status=_term(LIST_ENTRY_STATES, payload.get("status")),
        domains=[_term(DOMAINS, d) for d in payload.get("domains") or []],
        # 谁批准、谁公开: a list entry's source is the authority that decided it.
        data_source_name=decider.name, data_source_uscc=decider.uscc,
        responsible_persons=_persons(payload),
    )
    return values


def _name_key(row: Mapping[str, Any]) -> tuple[Any, Any]:
    return row.get("name"), row.get("kind")


def _name_change_fields(
    operation: str, after: Mapping[str, Any], before: Mapping[str, Any] | None, operator: DataSource,
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
    `withheld: true` and no fields, unless `include_not_public`. Raises ValueError for an internal
    event (see `kind_of`).
    """
    kind = kind_of(record_type, operation)
    if kind is None:
        raise ValueError(f"{record_type} {operation} is internal: it is not a platform record")
    withheld = payload.get("is_public") is False and not include_not_public
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


# ---------------------------------------------------------------------------------------------
# Rendering a batch of outbox events


class OutboxRow(NamedTuple):
    """The columns of one outbox event that rendering reads (an ORM row or a Core row)."""

    seq: int
    occurred_at: dt.datetime
    record_type: str
    record_id: int
    record_version: int
    operation: str
    payload: dict[str, Any]


OUTBOX_COLUMNS = (
    ChangeEvent.seq, ChangeEvent.occurred_at, ChangeEvent.record_type, ChangeEvent.record_id,
    ChangeEvent.record_version, ChangeEvent.operation, ChangeEvent.payload,
)
_IN_CHUNK = 500  # ids per IN (…): well under every backend's limit on bound parameters


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


class _EntityHistory:
    """The snapshots of some entities from the outbox, to answer "as it stood at seq N"."""

    def __init__(self) -> None:
        self.seqs: dict[int, list[int]] = {}
        self.payloads: dict[int, list[dict[str, Any]]] = {}
        self.current: dict[int, dict[str, Any]] = {}  # the entities table, for ids with no event

    @classmethod
    def load(cls, session: Session, wanted: dict[int, int], *, fallback: set[int]) -> _EntityHistory:
        """`wanted` maps each entity id to the highest sequence asked about; `fallback` names the
        ids to read from the entities table when the outbox has no snapshot of them."""
        history = cls()
        ids = sorted(wanted)
        top = max(wanted.values(), default=0)
        for chunk in _chunks(ids):
            rows = session.execute(
                sa.select(ChangeEvent.record_id, ChangeEvent.seq, ChangeEvent.payload)
                .where(ChangeEvent.record_type == "entity", ChangeEvent.record_id.in_(chunk),
                       ChangeEvent.seq <= top)
                .order_by(ChangeEvent.record_id, ChangeEvent.seq)
            )
            for entity_id, seq, payload in rows:
                if seq <= wanted[entity_id]:
                    history.seqs.setdefault(entity_id, []).append(seq)
                    history.payloads.setdefault(entity_id, []).append(payload)
        # The outbox is the source; only an entity written before it existed (or loaded around it)
        # is read from its table, as it stands now.
        missing = sorted(i for i in fallback if i not in history.seqs)
        for chunk in _chunks(missing):
            for entity in session.scalars(sa.select(Entity).where(Entity.id.in_(chunk))):
                history.current[entity.id] = entity.snapshot()
        return history

    def as_of(self, entity_id: int, seq: int) -> dict[str, Any] | None:
        """The latest snapshot with sequence <= `seq`, else the table's, else None."""
        seqs = self.seqs.get(entity_id)
        if seqs:
            at = bisect.bisect_right(seqs, seq)
            if at:
                return self.payloads[entity_id][at - 1]
        return self.current.get(entity_id)

    def before(self, entity_id: int, seq: int) -> dict[str, Any] | None:
        """The latest snapshot with sequence < `seq` (no fallback: the table holds only now)."""
        seqs = self.seqs.get(entity_id)
        if seqs:
            at = bisect.bisect_left(seqs, seq)
            if at:
                return self.payloads[entity_id][at - 1]
        return None


def load_authorities(session: Session, ids: Iterable[int], known: dict[int, DataSource] | None = None,
                     ) -> dict[int, DataSource]:
    """Names and codes of authorities by id, added to `known` (which is returned)."""
    found = {} if known is None else known
    missing = sorted({i for i in ids if i not in found})
    for chunk in _chunks(missing):
        for row in session.execute(
            sa.select(Authority.id, Authority.name, Authority.uscc).where(Authority.id.in_(chunk))
        ):
            found[row.id] = DataSource(row.name, row.uscc)
    return found


def render_rows(
    session: Session, rows: Sequence[OutboxRow], *, include_not_public: bool, operator: DataSource,
    authorities: dict[int, DataSource] | None = None,
) -> list[dict[str, Any]]:
    """`render_events` for outbox rows read as plain columns; `authorities` may carry a cache
    across calls (an export renders many batches)."""
    platform = [row for row in rows if kind_of(row.record_type, row.operation) is not None]
    wanted: dict[int, int] = {}
    fallback: set[int] = set()
    authority_ids: set[int] = set()
    for row in platform:
        payload = row.payload or {}
        if row.record_type == "entity":
            entity_id, limit = row.record_id, row.seq - 1
        else:
            entity_id, limit = int(payload.get("entity_id") or 0), row.seq
            fallback.add(entity_id)
            authority_ids.update(int(payload[k]) for k in ("authority_id", "data_source_authority_id")
                                 if payload.get(k))
        if limit > wanted.get(entity_id, -1):
            wanted[entity_id] = limit
    history = _EntityHistory.load(session, wanted, fallback=fallback)
    known = load_authorities(session, authority_ids, authorities)
    rendered = []
    for row in platform:
        payload = row.payload or {}
        if row.record_type == "entity":
            entity = history.before(row.record_id, row.seq)
        else:
            entity = history.as_of(int(payload.get("entity_id") or 0), row.seq)
        rendered.append(render_record(
            row.record_type, row.operation, payload, entity, known, operator, row.seq, row.occurred_at,
            include_not_public, record_id=row.record_id, version=row.record_version,
        ))
    return rendered


def render_events(
    session: Session, events: list[ChangeEvent], *, include_not_public: bool, operator: DataSource,
) -> list[dict[str, Any]]:
    """The platform records among `events`, rendered in the national format (English keys), in
    the events' order; internal events are skipped.

    The subject of a penalty or list entry is the entity as it stood at that event: the payload of
    the entity's latest outbox event at or before it (the entities table only when the outbox has
    none). Entities and authorities are read in a few batched queries for the whole list.
    """
    rows = [OutboxRow(e.seq, e.occurred_at, e.record_type, e.record_id, e.record_version, e.operation,
                      e.payload) for e in events]
    return render_rows(session, rows, include_not_public=include_not_public, operator=operator)
