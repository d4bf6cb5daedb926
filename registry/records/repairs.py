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
from registry.messages import msg
from registry.models import Penalty, RepairApplication
from registry.publication import Rules
from registry.records.common import Page, check_version, load, paginate
from registry.records.list_entries import repair_list_entry
from registry.records.repair_checks import (
    OPEN_STATES as OPEN_STATES,
)
from registry.records.repair_checks import (
    RECORD_MODELS as RECORD_MODELS,
)
from registry.records.repair_checks import (
    RECORD_TYPES as RECORD_TYPES,
)
from registry.records.repair_checks import (
    STATES as STATES,
)
from registry.records.repair_checks import (
    check_penalty_repairable,
    check_repairable,
    load_repairable_record,
    open_application,
    read_attachments,
    required_text,
)
from registry.vocab import LIST_ENTRY_STATES, REPAIR_STATES, Term, term

# A decision on an application, as a verb (受理, 不予修复, 修复完成).
_ACTIONS = {"accepted": "受理", "rejected": "作出不予修复决定", "repaired": "确认修复完成"}

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
    record = load_repairable_record(session, str(record_type), data.get("record_id"))
    if actor.role == "supervisor" and actor.authority_id != record.authority_id:
        raise NotPermitted(
            msg(
                "this record belongs to authority {authority}; your key acts only for authority {own}",
                authority=record.authority_id,
                own=actor.authority_id,
            )
        )
    statement, commitment = required_text(data, "statement"), required_text(data, "commitment")
    attachments = read_attachments(data.get("attachments"))
    check_repairable(record, today)
    pending = open_application(session, str(record_type), record.id)
    if pending is not None:
        raise Conflict(
            msg(
                "repair application {id} for this {label} is still {status}; it must be decided before another is "
                "submitted",
                id=pending.id,
                label=str(record_type).replace("_", " "),
                status=term(REPAIR_STATES, pending.status),
            ),
            {"record_id": [msg("has an open repair application ({id})", id=pending.id)]},
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
            msg(
                "repair application {id} is {status}; it can be {action} only when {allowed}",
                id=application_id,
                status=term(REPAIR_STATES, application.status),
                action=Term(to_status, _ACTIONS[to_status]),
                allowed=Term(" or ".join(allowed), "或".join(REPAIR_STATES[a] for a in allowed)),
            )
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
        RECORD_MODELS[application.record_type],
        application.record_id,
        application.record_type.replace("_", " "),
    )
    # The record may have changed since the application came in (revoked, removed, expired).
    if isinstance(record, Penalty):
        check_penalty_repairable(record, today)
    elif record.status_on(today) != "active":
        raise Conflict(
            msg(
                "list entry {id} is {status}; reject the application instead",
                id=record.id,
                status=term(LIST_ENTRY_STATES, record.status_on(today)),
            )
        )
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
        raise NotFound(msg("{label} {id} does not exist", label="repair application", id=application_id))
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
