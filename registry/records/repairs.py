"""Credit repair (信用修复): applications to end a record's publication and use, and their decisions.

An entity applies, through the credit platform or the deciding authority, once the record's
minimum publication period has run (penalties) or its list allows repair (list entries).
The authority that decided the record (谁批准、谁公开) accepts or rejects the application and,
once the entity has corrected its conduct and given its 信用承诺, completes it: the record
is then repaired (no longer published or used in screening) but kept, with its history.

    submitted → accepted | rejected;  accepted → repaired | rejected

Deadlines are counted in working days from submission (catalogue: deadlines.json "repair").
Every refusal that follows from the record's or the application's state is a 409 Conflict.

A resident ID number written into an application's statement, commitment, attachments or a
decision's reason is masked on the way in and not kept: the applicant's documents are with the
deciding authority, and the application has no encrypted column of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_deciding_authority, require_role
from registry.codes.idnumber import mask_resident_ids
from registry.errors import Conflict, InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor, record_change
from registry.models import ListEntry, Penalty, RepairApplication
from registry.publication import Rules
from registry.records.common import Page, check_version, load, paginate
from registry.records.list_entries import repair_list_entry
from registry.vocab import REPAIR_STATES

# What can be repaired, and the states of an application (申请状态).
RECORD_TYPES = {"penalty": "行政处罚", "list_entry": "名单"}
STATES = REPAIR_STATES
OPEN_STATES = ("submitted", "accepted")

_RECORD_MODELS: dict[str, type[Penalty] | type[ListEntry]] = {"penalty": Penalty, "list_entry": ListEntry}


# --- the deadlines ----------------------------------------------------------------------------------


def repair_deadlines(rules: Rules, received_on: dt.date) -> dict[str, Any]:
    """accept_by, decide_by, platform_answer_by and whether any rests on a provisional calendar.

    The deciding authority decides within the working days the repair rules in force on the day
    of receipt give it (国办发〔2025〕22号: 3); the credit platform's own time (信用中国: 10) is the
    platform's, not the authority's (deadlines.json "repair")."""
    rule = rules.catalogue.repair_deadlines_on(received_on)
    decide = rules.calendar.add_working_days(received_on, rule.authority_decide_working_days)
    platform = (
        None
        if rule.platform_answer_working_days is None
        else rules.calendar.add_working_days(received_on, rule.platform_answer_working_days)
    )
    return {
        "accept_by": decide.value,
        "decide_by": decide.value,
        "platform_answer_by": platform.value if platform else None,
        "due_provisional": decide.provisional or bool(platform and platform.provisional),
    }


def is_overdue(application: RepairApplication, today: dt.date) -> bool:
    """Whether the authority is late on `today`: still submitted after accept_by, or still
    accepted after decide_by. A decided application is never overdue."""
    return (application.status == "submitted" and today > application.accept_by) or (
        application.status == "accepted" and today > application.decide_by
    )


def overdue(today: dt.date) -> sa.ColumnElement[bool]:
    """The SQL form of is_overdue."""
    return sa.or_(
        sa.and_(RepairApplication.status == "submitted", RepairApplication.accept_by < today),
        sa.and_(RepairApplication.status == "accepted", RepairApplication.decide_by < today),
    )


# --- submitting (申请) --------------------------------------------------------------------------------


def _load_record(session: Session, record_type: str, record_id: Any) -> Penalty | ListEntry:
    if record_type not in _RECORD_MODELS:
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


def _check_penalty_repairable(penalty: Penalty, today: dt.date) -> None:
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


def _check_repairable(record: Penalty | ListEntry, today: dt.date) -> None:
    if isinstance(record, Penalty):
        _check_penalty_repairable(record, today)
    else:
        _check_entry_repairable(record, today)


def _open_application(session: Session, record_type: str, record_id: int) -> RepairApplication | None:
    return session.scalars(
        sa.select(RepairApplication)
        .where(
            RepairApplication.record_type == record_type,
            RepairApplication.record_id == record_id,
            RepairApplication.status.in_(OPEN_STATES),
        )
        .limit(1)
    ).one_or_none()


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidInput.field(field, "must not be empty")
    return mask_resident_ids(value)


def _attachments(raw: Any) -> list[dict[str, str]]:
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


def submit_repair(
    session: Session, data: dict[str, Any], actor: Actor, today: dt.date, rules: Rules
) -> RepairApplication:
    """信用修复申请: apply to repair one penalty or list entry after its minimum period.

    Submitted by the credit platform (which receives entities' applications), an administrator
    or a supervisor of the authority that decided the record.
    """
    # Who may submit at all comes first: a reader gets 403, not a 422 about the record.
    require_role(actor, "platform", "supervisor")
    record_type = data.get("record_type")
    record = _load_record(session, str(record_type), data.get("record_id"))
    if actor.role == "supervisor" and actor.authority_id != record.authority_id:
        raise NotPermitted(
            f"this record belongs to authority {record.authority_id}; "
            f"your key acts only for authority {actor.authority_id}"
        )
    statement, commitment = _text(data, "statement"), _text(data, "commitment")
    attachments = _attachments(data.get("attachments"))
    _check_repairable(record, today)
    pending = _open_application(session, str(record_type), record.id)
    if pending is not None:
        raise Conflict(
            f"repair application {pending.id} for this {str(record_type).replace('_', ' ')} is "
            f"still {pending.status}; it must be decided before another is submitted",
            {"record_id": [f"has an open repair application ({pending.id})"]},
        )
    application = RepairApplication(
        entity_id=record.entity_id,
        record_type=str(record_type),
        record_id=record.id,
        authority_id=record.authority_id,
        statement=statement,
        commitment=commitment,
        attachments=attachments,
        status="submitted",
        submitted_on=today,
        submitted_by=actor.label,
        **repair_deadlines(rules, today),
    )
    session.add(application)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="submit",
        record_type="repair_application",
        record=application,
        before=None,
        authority_id=application.authority_id,
    )
    return application


# --- deciding (受理、决定) ------------------------------------------------------------------------------


def _load_for_decision(
    session: Session,
    application_id: int,
    actor: Actor,
    expected_version: int,
    allowed: tuple[str, ...],
    to_status: str,
) -> RepairApplication:
    application = load(session, RepairApplication, application_id, "repair application")
    require_deciding_authority(actor, application.authority_id)
    check_version(application, expected_version, "repair application")
    if application.status not in allowed:
        raise Conflict(
            f"repair application {application_id} is {application.status}; it can be {to_status} "
            f"only when {' or '.join(allowed)}"
        )
    return application


def _decide(
    session: Session,
    application: RepairApplication,
    to_status: str,
    operation: str,
    reason: str | None,
    actor: Actor,
    today: dt.date,
) -> RepairApplication:
    before = application.snapshot()
    application.status = to_status
    if to_status == "accepted":
        application.accepted_on = today
    else:
        application.decided_on, application.decided_by, application.decision_reason = today, actor.label, reason
    session.flush()
    record_change(
        session,
        actor=actor,
        operation=operation,
        record_type="repair_application",
        record=application,
        before=before,
        authority_id=application.authority_id,
        reason=reason,
    )
    return application


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    return mask_resident_ids(reason)


def accept_repair(
    session: Session, application_id: int, actor: Actor, expected_version: int, today: dt.date
) -> RepairApplication:
    """受理: the deciding authority takes the application up (its supervisor; needs the version)."""
    application = _load_for_decision(session, application_id, actor, expected_version, ("submitted",), "accepted")
    return _decide(session, application, "accepted", "accept", None, actor, today)


def reject_repair(
    session: Session, application_id: int, reason: str, actor: Actor, expected_version: int, today: dt.date
) -> RepairApplication:
    """不予修复: refuse a submitted or accepted application, with the reason; the record is unchanged."""
    application = _load_for_decision(session, application_id, actor, expected_version, OPEN_STATES, "rejected")
    return _decide(session, application, "rejected", "reject", _reason(reason), actor, today)


def complete_repair(
    session: Session, application_id: int, reason: str, actor: Actor, expected_version: int, today: dt.date
) -> RepairApplication:
    """修复完成: repair the record of an accepted application; it leaves publication and screening, kept."""
    application = _load_for_decision(session, application_id, actor, expected_version, ("accepted",), "repaired")
    reason = _reason(reason)
    record = load(
        session,
        _RECORD_MODELS[application.record_type],
        application.record_id,
        application.record_type.replace("_", " "),
    )
    # The record may have changed since the application came in (revoked, removed, expired).
    if isinstance(record, Penalty):
        _check_penalty_repairable(record, today)
    elif record.status_on(today) != "active":
        raise Conflict(f"list entry {record.id} is {record.status_on(today)}; reject the application instead")
    _decide(session, application, "repaired", "complete", reason, actor, today)
    record_reason = f"信用修复 (repair application {application.id}): {reason}"
    if isinstance(record, Penalty):
        before = record.snapshot()
        record.repaired_on = today
        session.flush()
        record_change(
            session,
            actor=actor,
            operation="repair",
            record_type="penalty",
            record=record,
            before=before,
            authority_id=record.authority_id,
            reason=record_reason,
        )
    else:
        repair_list_entry(session, record.id, record_reason, None, actor, record.version, today)
    return application


# --- reading ----------------------------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    require_role(actor, "platform", "supervisor")


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    if actor.role == "supervisor":
        return RepairApplication.authority_id == actor.authority_id
    return sa.true()


def get_repair(session: Session, application_id: int, actor: Actor) -> RepairApplication:
    """One application: for administrators, the platform and the deciding authority (others: 404)."""
    _require_reader(actor)
    found = session.scalars(
        sa.select(RepairApplication).where(RepairApplication.id == application_id, _visible(actor))
    ).one_or_none()
    if found is None:
        raise NotFound(f"repair application {application_id} does not exist")
    return found


def list_repairs(
    session: Session,
    actor: Actor,
    today: dt.date,
    *,
    filters: dict[str, Any],
    page: int = 1,
    per_page: int = 50,
) -> Page[RepairApplication]:
    """Applications the actor may see that match every filter, oldest first (the order they fall due).

    `overdue` (true or false) compares the deadlines with `today`.
    """
    _require_reader(actor)
    stmt = (
        sa.select(RepairApplication)
        .where(_visible(actor))
        .order_by(RepairApplication.submitted_on, RepairApplication.id)
    )
    for field in ("status", "authority_id", "record_type", "record_id", "entity_id"):
        if filters.get(field) is not None:
            stmt = stmt.where(getattr(RepairApplication, field) == filters[field])
    if filters.get("overdue") is not None:
        late = overdue(today)
        stmt = stmt.where(late if filters["overdue"] else sa.not_(late))
    return paginate(session, stmt, page, per_page)
