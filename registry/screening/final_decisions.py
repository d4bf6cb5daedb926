"""Final decisions (最终处理意见): what the agency decided about a bidder after a false positive.

A screening blocks or flags a bidder for review; the agency checks, marks a hit a false positive
(误报, registry.screening.dispositions) and then records its final decision for that bidder:
准予参与 (admitted) or 不予参与 (rejected), with the reason, who and when. The decision is kept
beside the screening, never in its digested document (the document says what the registry found
at the time; a later decision cannot change it). Recording a decision again supersedes the earlier
one, which stays on record and in the audit chain.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.database import utcnow
from registry.errors import InvalidInput
from registry.ledger import Actor, append_audit
from registry.messages import msg
from registry.models import FinalDecision, HitDisposition
from registry.screening.evidence import get_screening

FINAL_DECISIONS = {
    "admitted": "准予参与：经核实不是名单主体，或名单措施不适用于本项目",
    "rejected": "不予参与：依法限制其参与本项目",
}
MAX_REASON = 2000


def in_force(decisions: list[FinalDecision]) -> dict[int, FinalDecision]:
    """Each bidder's decision in force: the latest recorded for it."""
    latest: dict[int, FinalDecision] = {}
    for d in decisions:
        latest[d.subject_index] = d
    return latest


def record_final_decision(
    session: Session,
    screening_id: int,
    subject_index: int,
    decision: str,
    reason: str,
    actor: Actor,
    *,
    now: dt.datetime | None = None,
) -> FinalDecision:
    """Record the agency's final decision on one bidder (the screener that screened, or an
    administrator). Only for a bidder the screening blocked or flagged for review, and only after
    one of its hits was marked a false positive on this screening."""
    require_role(actor, "screener")
    screening = get_screening(session, screening_id, actor)
    if decision not in FINAL_DECISIONS:
        raise InvalidInput.field("decision", msg("must be one of {values}", values=", ".join(FINAL_DECISIONS)))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    if len(reason) > MAX_REASON:
        raise InvalidInput.field("reason", msg("must be at most {count} characters", count=MAX_REASON))
    subjects = screening.document.get("subjects", [])
    if not 0 <= subject_index < len(subjects):
        raise InvalidInput.field(
            "subject_index", msg("screening {id} has bidders 0 to {last}", id=screening_id, last=len(subjects) - 1)
        )
    subject = subjects[subject_index]
    if subject.get("decision") == "clear":
        raise InvalidInput.field(
            "subject_index", msg("bidder {n} was cleared: there is nothing to decide", n=subject_index + 1)
        )
    false_positive = sa.select(HitDisposition.id).where(
        HitDisposition.screening_id == screening.id,
        HitDisposition.subject_key == subject["subject_key"],
        HitDisposition.disposition == "false_positive",
    )
    if session.scalar(false_positive.limit(1)) is None:
        raise InvalidInput.field(
            "subject_index",
            msg("mark a hit of bidder {n} a false positive first: a final decision follows it", n=subject_index + 1),
        )
    row = FinalDecision(
        screening_id=screening.id,
        subject_index=subject_index,
        decision=decision,
        reason=reason,
        decided_by=(actor.person or actor.name)[:200],
        api_key_id=actor.key_id,
        account_id=actor.account_id,
        decided_at=(now or utcnow()).astimezone(dt.UTC),
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="final_decision",
        record_type="final_decision",
        record_id=row.id,
        before=None,
        after=row.snapshot(),
        reason=reason,
        now=now,
    )
    return row
