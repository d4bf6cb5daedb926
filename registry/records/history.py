"""A record's history (全程留痕): its audit rows, for those who may see unpublished states."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import refuse
from registry.errors import NotFound
from registry.ledger import Actor
from registry.messages import msg
from registry.models import AuditLog, Authority, Entity, Licence, ListEntry, Penalty, RepairApplication

RECORD_TYPES: dict[str, type[Authority | Entity | Licence | ListEntry | Penalty | RepairApplication]] = {
    "authority": Authority,
    "entity": Entity,
    "licence": Licence,
    "list_entry": ListEntry,
    "penalty": Penalty,
    "repair_application": RepairApplication,
}
OWNED = ("licence", "list_entry", "penalty", "repair_application")  # records of one authority


def record_history(
    session: Session, actor: Actor, record_type: str, record_id: int, *, since_version: int | None = None
) -> list[AuditLog]:
    """Every audited change of one record, oldest first; with `since_version`, only the changes that
    made it newer than that version (what someone else changed since a client read it).

    History shows earlier, possibly unpublished states and who made each change, so the
    public and screeners do not see it; a supervisor sees the history of its own authority's
    records and of shared master data (entities, authorities).
    """
    model = RECORD_TYPES[record_type]
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(msg("{label} {id} does not exist", label=record_type.replace("_", " "), id=record_id))
    owner = getattr(record, "authority_id", None) if record_type in OWNED else None
    allowed = actor.role in ("admin", "platform") or (
        actor.role == "supervisor" and (owner is None or owner == actor.authority_id)
    )
    if not allowed:
        refuse(actor, "a record's history is open to its own authority, administrators and the platform")
    rows = list(
        session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.record_type == record_type, AuditLog.record_id == record_id)
            .order_by(AuditLog.seq)
        )
    )
    return rows if since_version is None else changes_after(rows, since_version)


def _version_of(row: AuditLog) -> int:
    version = (row.after or {}).get("version")
    return version if isinstance(version, int) else 0


def changes_after(rows: Sequence[AuditLog], version: int) -> list[AuditLog]:
    """The audit rows that left the record at a version after `version` (each change bumps it once)."""
    return [row for row in rows if _version_of(row) > version]


def state_at(rows: Sequence[AuditLog], version: int) -> dict[str, Any] | None:
    """The record as the audit log kept it when it reached `version` (its snapshot), or None when
    no audit row left it at that version."""
    for row in rows:
        if _version_of(row) == version and row.after is not None:
            return dict(row.after)
    return None
