"""Screenings kept as evidence (存证): who may read one, reading it, listing them, and verifying that
its stored document still hashes to its digest, and that its leaf in the evidence tree leads to a
signed anchor (registry.evidence); a screening stored before the tree also has its audit row checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer

from registry.access import require_role
from registry.errors import NotFound
from registry.evidence.proofs import Inclusion, inclusion
from registry.ledger import Actor, row_hash
from registry.messages import msg
from registry.models import AuditLog, FinalDecision, HitDisposition, Screening
from registry.records.common import Page, paginate
from registry.screening.request import clean_field

# --- reading, verifying, disposing ---------------------------------------------------------------


def _may_read(actor: Actor, screening: Screening) -> bool:
    if actor.role in ("admin", "platform"):
        return True
    return actor.role == "screener" and actor.key_id is not None and screening.api_key_id == actor.key_id


def get_screening(session: Session, screening_id: int, actor: Actor, *, fresh: bool = False) -> Screening:
    """One screening: administrators and the platform, or the screener key that made it (else 404)."""
    require_role(actor, "screener", "platform")
    # fresh: what the database holds, not a copy this session may keep (for verification).
    screening = session.get(Screening, screening_id, populate_existing=fresh)
    if screening is None or not _may_read(actor, screening):
        raise NotFound(msg("screening {id} does not exist", id=screening_id))
    return screening


def list_screenings(
    session: Session,
    actor: Actor,
    *,
    project_code: str | None = None,
    domain: str | None = None,
    decision: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Screening]:
    """Screenings, oldest first, e.g. every check made for one project (a screener: its own)."""
    require_role(actor, "screener", "platform")
    stmt = sa.select(Screening).options(defer(Screening.document)).order_by(Screening.id)
    if actor.role == "screener":
        stmt = stmt.where(Screening.api_key_id == actor.key_id) if actor.key_id is not None else stmt.where(sa.false())
    # Cleaned as the screening cleaned it when stored (control characters dropped, spaces collapsed).
    if project_code is not None:
        stmt = stmt.where(Screening.project_code == (clean_field(project_code, "project_code", 100, {}) or ""))
    if domain:
        stmt = stmt.where(Screening.domain == domain)
    if decision:
        stmt = stmt.where(Screening.decision == decision)
    return paginate(session, stmt, page, per_page)


@dataclass(frozen=True)
class ScreeningRecord:
    """A stored screening with the dispositions made on its hits since and the agency's final
    decisions on its bidders (最终处理意见), kept beside it, not in it."""

    screening: Screening
    dispositions: list[HitDisposition]
    final_decisions: list[FinalDecision]


def read_screening(session: Session, screening_id: int, actor: Actor) -> ScreeningRecord:
    """One screening, the dispositions made on it and the final decisions recorded, oldest first."""
    screening = get_screening(session, screening_id, actor)
    dispositions = sa.select(HitDisposition).where(HitDisposition.screening_id == screening.id)
    decisions = sa.select(FinalDecision).where(FinalDecision.screening_id == screening.id)
    return ScreeningRecord(
        screening,
        list(session.scalars(dispositions.order_by(HitDisposition.id))),
        list(session.scalars(decisions.order_by(FinalDecision.id))),
    )


@dataclass(frozen=True)
class Verification:
    """Whether a stored screening is as it was made."""

    screening_id: int
    valid: bool
    stored_digest: str
    computed_digest: str
    audit_seq: int | None
    audit_digest: str | None
    problems: list[str]
    inclusion: Inclusion

    @property
    def anchored(self) -> bool:
        return self.inclusion.anchored


def verify_screening(
    session: Session, screening_id: int, actor: Actor, *, now: dt.datetime, anchor_interval: dt.timedelta
) -> Verification:
    """Re-compute a screening's digest from its stored document, and compare it with the stored
    digest, with the one its audit row carries in the hash chain, and with its leaf in the
    evidence tree up to the first signed anchor that covers it."""
    screening = get_screening(session, screening_id, actor, fresh=True)
    computed = row_hash(screening.document)
    included = inclusion(session, screening.leaf_index, computed, now, anchor_interval)
    problems: list[str] = list(included.problems)
    if computed != screening.digest:
        problems.append("the stored document does not match the stored digest: it was altered")
    audit = session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.record_type == "screening", AuditLog.record_id == screening.id, AuditLog.action == "screen")
        .order_by(AuditLog.seq)
        .limit(1)
        .execution_options(populate_existing=True)
    ).one_or_none()
    audit_digest = None
    # Screenings stored before the evidence tree carry an audit row of their own: it is checked
    # too. Later ones have none; their leaf and anchor are what chains them.
    if audit is not None:
        audit_digest = (audit.after or {}).get("digest")
        if audit_digest != computed:
            problems.append(f"the digest in audit row {audit.seq} differs from the document's")
        if row_hash(audit.hashed_content()) != audit.hash:
            problems.append(f"audit row {audit.seq} does not match its own hash: it was altered")
    document = screening.document if isinstance(screening.document, dict) else {}
    for column in ("project_code", "domain", "decision"):
        if document.get(column) != getattr(screening, column):
            problems.append(f"the stored {column} differs from the document's")
    return Verification(
        screening.id,
        not problems,
        screening.digest,
        computed,
        None if audit is None else audit.seq,
        audit_digest,
        problems,
        included,
    )
