"""What a credit-repair application (信用修复申请) is checked against before it is taken: the record it is
about, whether that record may be repaired yet (its earliest repair date, its state), no other open
application for it, the required text and the attachments' form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.codes.idnumber import mask_resident_ids
from registry.errors import Conflict, InvalidInput
from registry.models import ListEntry, Penalty, RepairApplication
from registry.vocab import REPAIR_STATES

# --- submitting (申请) --------------------------------------------------------------------------------


# What can be repaired, and the states of an application (申请状态).
RECORD_TYPES = {"penalty": "行政处罚", "list_entry": "名单"}
STATES = REPAIR_STATES
OPEN_STATES = ("submitted", "accepted")

RECORD_MODELS: dict[str, type[Penalty] | type[ListEntry]] = {"penalty": Penalty, "list_entry": ListEntry}


def load_repairable_record(session: Session, record_type: str, record_id: Any) -> Penalty | ListEntry:
    if record_type not in RECORD_MODELS:
        raise InvalidInput.field("record_type", f"must be one of {', '.join(RECORD_TYPES)}")
    if not isinstance(record_id, int) or isinstance(record_id, bool):
        raise InvalidInput.field("record_id", "must be the id of the record")
    # Lock the record's row: two applications for one record submitted at once queue here, so
    # the second sees the first and is refused (PostgreSQL; SQLite writers queue at BEGIN).
    record: Penalty | ListEntry | None
    if record_type == "penalty":
        record = session.get(Penalty, record_id, with_for_update=True, populate_existing=True)
    else:
        record = session.get(ListEntry, record_id, with_for_update=True, populate_existing=True)
    if record is None:
        raise InvalidInput.field("record_id", f"{record_type.replace('_', ' ')} {record_id} does not exist")
    return record


def check_penalty_repairable(penalty: Penalty, today: dt.date) -> None:
    label = f"penalty {penalty.id}"
    if penalty.status != "effective":
        raise Conflict(f"{label} was {penalty.status} on {penalty.revoked_on}; there is nothing to repair")
    if penalty.repaired_on is not None:
        raise Conflict(f"{label} was already repaired on {penalty.repaired_on}")
    if penalty.publication_ends_on is not None and today > penalty.publication_ends_on:
        raise Conflict(
            f"{label}'s publication ended on {penalty.publication_ends_on}; it no longer counts, "
            "so there is nothing to repair"
        )
    if penalty.repair_from is None:
        raise Conflict(
            f"{label} has no earliest repair date on record; correct it (更正) so that its "
            "publication period is computed, then apply"
        )
    if today < penalty.repair_from:
        reason = (
            f"credit repair may be applied for from {penalty.repair_from}, after the minimum "
            f"publication period ({penalty.rule_set}, {penalty.publication_tier})"
        )
        raise Conflict(f"{label}: {reason}", {"record_id": [reason]})


def _check_entry_repairable(entry: ListEntry, today: dt.date) -> None:
    label = f"list entry {entry.id}"
    if entry.list_type == "red":
        raise Conflict(f"{label} is on a red list (守信激励); red-list entries are not repaired")
    status = entry.status_on(today)
    if status != "active" or entry.listed_on > today:
        raise Conflict(f"{label} is {status}; only an active entry can be repaired")
    if entry.repair_from is None:
        reason = (
            f"{entry.list_name} cannot be repaired while the entry runs; it ends "
            + (f"after its last day, {entry.expires_on}, or " if entry.expires_on else "")
            + "by removal (移出) by the deciding authority"
        )
        raise Conflict(f"{label}: {reason}", {"record_id": [reason]})
    if today < entry.repair_from:
        reason = f"credit repair of a {entry.list_name} entry may be applied for from {entry.repair_from}"
        raise Conflict(f"{label}: {reason}", {"record_id": [reason]})


def check_repairable(record: Penalty | ListEntry, today: dt.date) -> None:
    if isinstance(record, Penalty):
        check_penalty_repairable(record, today)
    else:
        _check_entry_repairable(record, today)


def open_application(session: Session, record_type: str, record_id: int) -> RepairApplication | None:
    return session.scalars(
        sa.select(RepairApplication)
        .where(
            RepairApplication.record_type == record_type,
            RepairApplication.record_id == record_id,
            RepairApplication.status.in_(OPEN_STATES),
        )
        .limit(1)
    ).one_or_none()


def required_text(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidInput.field(field, "must not be empty")
    return mask_resident_ids(value)


def read_attachments(raw: Any) -> list[dict[str, str]]:
    """References to the supporting documents (文号, URL …); the registry stores no files."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput.field("attachments", "must be a list of {name, ref}")
    result: list[dict[str, str]] = []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        ref = item.get("ref") if isinstance(item, dict) else None
        if not (isinstance(name, str) and name.strip() and isinstance(ref, str) and ref.strip()):
            raise InvalidInput.field(f"attachments.{i}", "needs a name and a ref (document number or URL)")
        result.append({"name": mask_resident_ids(name.strip()), "ref": mask_resident_ids(ref.strip())})
    return result
