"""Issuing, reading and verifying 专项信用报告.

A report is built (`document`), numbered, stamped with the registry's name, the time and the
outbox sequence its data is as of, then serialised once as canonical JSON (sorted keys, no spaces,
UTF-8): its SHA-256 is the digest and its Ed25519 signature is made with the registry's evidence
key (the key that signs the screening anchors; `GET /api/v1/evidence/key`). It is stored and never
altered; audited as issued. Verification recomputes the digest from the stored document, checks the
signature with the stored public key and says whether anything about the entity has changed in the
registry since (a later record, a correction), never what.

Who may ask: anyone for a company's or 个体工商户's public report (published records only); a
registered caller (agency, supervisor, platform, administrator) for the full report; the entity
itself, with a key bound to it (role "entity", `flask registry create-key --role entity --entity
<USCC or id>`), for its own full report, and reads it back with that key. A natural person's report
is never given to the public; only the person (an entity key bound to them), the platform, an
administrator and a supervisor may ask for one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.credit_reports.document import PURPOSES, build_document
from registry.database import utcnow
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.evidence.proofs import Inclusion, inclusion
from registry.evidence.signing import EvidenceSigner, bytes_signature_valid
from registry.ledger import Actor, append_audit, canonical_json
from registry.messages import msg
from registry.models import ChangeEvent, CreditReport, Entity, Licence, ListEntry, Penalty
from registry.vocab import DOMAINS

MAX_YEARS = 5
REGISTERED = ("admin", "platform", "supervisor", "screener")


def _five_years_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - MAX_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year - MAX_YEARS, day=28)


def check_request(request: dict[str, Any], today: dt.date) -> None:
    """The period (at most five years back, not in the future), the purpose and the domains."""
    start, end = request["from"], request["to"]
    if request["purpose"] not in PURPOSES:
        raise InvalidInput.field("purpose", msg("must be one of {values}", values=", ".join(PURPOSES)))
    if end > today:
        raise InvalidInput.field("to", msg("must not be after today ({today})", today=today.isoformat()))
    if start > end:
        raise InvalidInput.field("from", msg("must not be after to ({to})", to=end.isoformat()))
    earliest = _five_years_before(today)
    if start < earliest:
        raise InvalidInput.field("from", msg("must be at most five years back (from {earliest})", earliest=earliest))
    unknown = [d for d in request.get("domains") or [] if d not in DOMAINS]
    if unknown:
        raise InvalidInput.field("domains", msg("must be among {values}", values=", ".join(DOMAINS)))


def _entity(session: Session, request: dict[str, Any]) -> Entity:
    if request.get("entity_id") is not None:
        found = session.get(Entity, request["entity_id"])
    elif request.get("uscc"):
        found = session.scalar(sa.select(Entity).where(Entity.uscc == request["uscc"].strip().upper()))
    else:
        raise InvalidInput.field("entity_id", "give entity_id or uscc")
    if found is None:
        raise NotFound(msg("no entity with this id or code"))
    return found


def _audience(actor: Actor, entity: Entity) -> str:
    """ "full" or "public": what the caller may have of this entity's report (or NotPermitted)."""
    own = actor.role == "entity" and actor.entity_id == entity.id
    if entity.kind == "natural_person" and not (own or actor.role in ("admin", "platform", "supervisor")):
        raise NotPermitted(msg("a natural person's credit report is given only to the person or an authority"))
    # An entity key asking about another company gets what anyone gets.
    return "full" if own or actor.role in REGISTERED else "public"


def issue_report(
    session: Session,
    request: dict[str, Any],
    actor: Actor,
    today: dt.date,
    *,
    signer: EvidenceSigner,
    issuer: str,
    now: dt.datetime | None = None,
) -> CreditReport:
    """Build, number, sign and store a report (in the caller's transaction)."""
    check_request(request, today)
    entity = _entity(session, request)
    audience = _audience(actor, entity)
    moment = (now or utcnow()).astimezone(dt.UTC)
    seq = int(session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)
    body = build_document(session, entity, request, audience=audience, actor=actor, today=today)
    report = CreditReport(
        number="",
        entity_id=entity.id,
        purpose=request["purpose"],
        audience=audience,
        registry_seq=seq,
        requested_by=(actor.person or actor.name)[:200],
        api_key_id=actor.key_id,
        account_id=actor.account_id,
        document={},
        digest="",
        signature="",
        public_key=signer.public_key_hex,
        issued_at=moment,
    )
    session.add(report)
    session.flush()  # the id numbers the report
    report.number = f"XYBG{moment:%Y%m%d}{report.id:08d}"
    document = {
        **body,
        "number": report.number,
        "issuer": issuer,
        "issued_at": moment.isoformat(timespec="seconds"),
        "data_as_of_seq": seq,
        "public_key": signer.public_key_hex,
    }
    canonical = canonical_json(document)
    report.document = document
    report.digest = hashlib.sha256(canonical).hexdigest()
    report.signature = signer.sign_bytes(canonical)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="issue",
        record_type="credit_report",
        record_id=report.id,
        before=None,
        after={"number": report.number, "entity_id": entity.id, "audience": audience, "digest": report.digest},
        reason=PURPOSES[request["purpose"]],
        now=now,
    )
    return report


def get_report(session: Session, number: str, actor: Actor) -> CreditReport:
    """A report by its number: a public one for anyone who has the number; a full one for whoever
    asked for it (its key or account), the platform and administrators."""
    report = session.scalar(sa.select(CreditReport).where(CreditReport.number == number.strip().upper()))
    if report is None or not _may_read(actor, report):
        raise NotFound(msg("credit report {number} does not exist", number=number))
    return report


def _may_read(actor: Actor, report: CreditReport) -> bool:
    if report.audience == "public" or actor.role in ("admin", "platform"):
        return True
    if actor.account_id is not None:
        return report.account_id == actor.account_id
    return actor.key_id is not None and report.api_key_id == actor.key_id


@dataclass(frozen=True)
class ReportCheck:
    """What anyone holding a report's number learns by verifying it (never its content)."""

    number: str
    valid: bool
    digest_matches: bool
    signature_valid: bool
    stored_digest: str
    computed_digest: str
    public_key: str
    issued_at: dt.datetime
    changed_since: bool
    subject_name: str
    inclusion: Inclusion  # its leaf in the evidence tree and the first anchor covering it

    @property
    def anchored(self) -> bool:
        return self.inclusion.anchored

    @property
    def problems(self) -> list[str]:
        return list(self.inclusion.problems)


def verify_report(session: Session, number: str, *, now: dt.datetime, anchor_interval: dt.timedelta) -> ReportCheck:
    """Recompute the digest of the stored document, check the signature and the report's leaf in
    the evidence tree, and say whether the registry changed for the entity since the report
    (anyone with the number may ask)."""
    report = session.scalar(
        sa.select(CreditReport)
        .where(CreditReport.number == number.strip().upper())
        .execution_options(populate_existing=True)
    )
    if report is None:
        raise NotFound(msg("credit report {number} does not exist", number=number))
    canonical = canonical_json(report.document)
    computed = hashlib.sha256(canonical).hexdigest()
    signed = bytes_signature_valid(report.public_key, canonical, report.signature)
    included = inclusion(session, report.leaf_index, computed, now, anchor_interval)
    return ReportCheck(
        number=report.number,
        valid=computed == report.digest and signed and not included.problems,
        digest_matches=computed == report.digest,
        signature_valid=signed,
        stored_digest=report.digest,
        computed_digest=computed,
        public_key=report.public_key,
        issued_at=report.issued_at,
        changed_since=changed_since(session, report.entity_id, report.registry_seq),
        subject_name=str((report.document.get("subject") or {}).get("name") or ""),
        inclusion=included,
    )


def changed_since(session: Session, entity_id: int, seq: int) -> bool:
    """Whether an outbox event after `seq` is about the entity or one of its records."""
    penalties = sa.select(Penalty.id).where(Penalty.entity_id == entity_id)
    entries = sa.select(ListEntry.id).where(ListEntry.entity_id == entity_id)
    licences = sa.select(Licence.id).where(Licence.entity_id == entity_id)
    about = sa.or_(
        sa.and_(ChangeEvent.record_type == "entity", ChangeEvent.record_id == entity_id),
        sa.and_(ChangeEvent.record_type == "penalty", ChangeEvent.record_id.in_(penalties)),
        sa.and_(ChangeEvent.record_type == "list_entry", ChangeEvent.record_id.in_(entries)),
        sa.and_(ChangeEvent.record_type == "licence", ChangeEvent.record_id.in_(licences)),
    )
    return session.scalar(sa.select(ChangeEvent.seq).where(ChangeEvent.seq > seq, about).limit(1)) is not None
