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
from registry.messages import msg
from registry.models import ListEntry, Penalty, RepairApplication
from registry.vocab import LIST_ENTRY_STATES, PENALTY_STATES, REPAIR_STATES, SEVERITIES, term, terms

# --- submitting (申请) --------------------------------------------------------------------------------


# What can be repaired, and the states of an application (申请状态).
RECORD_TYPES = {"penalty": "行政处罚", "list_entry": "名单"}
STATES = REPAIR_STATES
OPEN_STATES = ("submitted", "accepted")

RECORD_MODELS: dict[str, type[Penalty] | type[ListEntry]] = {"penalty": Penalty, "list_entry": ListEntry}


def load_repairable_record(session: Session, record_type: str, record_id: Any) -> Penalty | ListEntry:
    if record_type not in RECORD_MODELS:
        raise InvalidInput.field("record_type", msg("must be one of {values}", values=terms(RECORD_TYPES)))
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
        raise InvalidInput.field(
            "record_id", msg("{label} {id} does not exist", label=record_type.replace("_", " "), id=record_id)
        )
    return record


def check_penalty_repairable(penalty: Penalty, today: dt.date) -> None:
    pid = penalty.id
    if penalty.status != "effective":
        raise Conflict(
            msg(
                "penalty {id} was {status} on {day}; there is nothing to repair",
                id=pid,
                status=term(PENALTY_STATES, penalty.status),
                day=penalty.revoked_on,
            )
        )
    if penalty.repaired_on is not None:
        raise Conflict(msg("penalty {id} was already repaired on {day}", id=pid, day=penalty.repaired_on))
    if penalty.publication_ends_on is not None and today > penalty.publication_ends_on:
        raise Conflict(
            msg(
                "penalty {id}'s publication ended on {day}; it no longer counts, so there is nothing to repair",
                id=pid,
                day=penalty.publication_ends_on,
            )
        )
    if penalty.repair_from is None:
        raise Conflict(
            msg(
                "penalty {id} has no earliest repair date on record; correct it (更正) so that its publication "
                "period is computed, then apply",
                id=pid,
            )
        )
    if today < penalty.repair_from:
        reason = msg(
            "credit repair may be applied for from {day}, after the minimum publication period ({rule_set}, {tier})",
            day=penalty.repair_from,
            rule_set=penalty.rule_set,
            tier=term(SEVERITIES, penalty.publication_tier or ""),
        )
        raise Conflict(msg("penalty {id}: {reason}", id=pid, reason=reason), {"record_id": [reason]})


def _check_entry_repairable(entry: ListEntry, today: dt.date) -> None:
    eid = entry.id
    if entry.list_type == "red":
        raise Conflict(msg("list entry {id} is on a red list (守信激励); red-list entries are not repaired", id=eid))
    status = entry.status_on(today)
    if status != "active" or entry.listed_on > today:
        raise Conflict(
            msg(
                "list entry {id} is {status}; only an active entry can be repaired",
                id=eid,
                status=term(LIST_ENTRY_STATES, status),
            )
        )
    if entry.repair_from is None:
        if entry.expires_on:
            reason = msg(
                "{list} cannot be repaired while the entry runs; it ends after its last day, {day}, or by removal "
                "(移出) by the deciding authority",
                list=entry.list_name,
                day=entry.expires_on,
            )
        else:
            reason = msg(
                "{list} cannot be repaired while the entry runs; it ends by removal (移出) by the deciding authority",
                list=entry.list_name,
            )
        raise Conflict(msg("list entry {id}: {reason}", id=eid, reason=reason), {"record_id": [reason]})
    if today < entry.repair_from:
        reason = msg(
            "credit repair of a {list} entry may be applied for from {day}", list=entry.list_name, day=entry.repair_from
        )
        raise Conflict(msg("list entry {id}: {reason}", id=eid, reason=reason), {"record_id": [reason]})


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
