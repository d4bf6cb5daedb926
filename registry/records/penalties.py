"""Penalties (行政处罚): recording, correcting (更正) and revoking (撤销), and who may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_authority
from registry.codes.idnumber import IdentityVault, mask_resident_ids
from registry.codes.uscc import normalise as normalise_uscc
from registry.database import utcnow
from registry.errors import Conflict, InvalidInput
from registry.ledger import Actor, record_change
from registry.messages import msg
from registry.models import Entity, Penalty
from registry.publication import (
    Rules,
)
from registry.records.common import Page, apply_derived, changed, check_version, contains, load, paginate
from registry.records.entities import entity_ids_named
from registry.records.penalty_checks import check_unique_number, validate_penalty
from registry.records.penalty_periods import penalty_periods, periods_key
from registry.records.record_rules import (
    FREE_TEXT_IDS,
    apply_changes,
    check_not_future,
    check_order,
    get_visible,
    load_subject,
    owning_authority,
    protect_reason,
    visible_to,
)
from registry.records.responsible_persons import (
    FIELD as PERSONS,
)
from registry.records.responsible_persons import (
    check_persons_dates,
    read_responsible_persons,
    replace_responsible_persons,
)

# Fields a correction may change. The deciding authority never changes: another authority's
# decision is another record (谁批准、谁公开). The kept ID numbers (FREE_TEXT_IDS) follow the text
# they were typed in: never given, always derived by `validate_penalty`.
CORRECTABLE = (
    "entity_id",
    "data_source_authority_id",
    "decision_number",
    "violation_type",
    "facts",
    "basis",
    "categories",
    "content",
    "fine_amount",
    "confiscation_amount",
    "licence_affected",
    "decided_on",
    "valid_until",
    "publication_ends_on",
    "remarks",
    "procedure",
    "severity",
    "domain",
    "project_code",
    "is_public",
    "not_public_reason",
    FREE_TEXT_IDS,
)


def _subject(penalty: Penalty, entity: Entity) -> None:
    # A resident ID number in the entity's name is not repeated in full on the decision.
    penalty.subject_name, penalty.subject_uscc = mask_resident_ids(entity.name), entity.uscc


def build_penalty(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
    keep_given_end: bool = False,
    vault: IdentityVault | None = None,
    check_unique: bool = True,
    periods_cache: dict[tuple[Any, ...], dict[str, Any]] | None = None,
) -> Penalty:
    """`record_penalty` up to its write: the same state, checks, periods and object, not yet added.

    `check_unique=False`: the caller has already looked the decision number up (the importer's
    natural key). `periods_cache`: periods by what they depend on, shared across a batch."""
    state = dict(data)
    state.pop(FREE_TEXT_IDS, None)
    persons = state.pop(PERSONS, None)
    state["authority_id"] = owning_authority(session, actor, data.get("authority_id"))
    state.setdefault("data_source_authority_id", state["authority_id"])
    state.setdefault("is_public", True)
    validate_penalty(session, state, today, rules, vault)
    if check_unique:
        check_unique_number(session, state["authority_id"], state["decision_number"], None)
    explicit_end = data.get("publication_ends_on") is not None
    key = periods_key(state, explicit_end) if periods_cache is not None else None
    periods = periods_cache.get(key) if periods_cache is not None and key is not None else None
    if periods is None:
        periods = penalty_periods(session, state, rules, explicit_end=explicit_end, keep_given_end=keep_given_end)
        if periods_cache is not None and key is not None:
            periods_cache[key] = periods
    state.update(periods)
    penalty = Penalty(
        authority_id=state["authority_id"], status="effective", **{k: state.get(k) for k in (*CORRECTABLE, *periods)}
    )
    _subject(penalty, load_subject(session, penalty.entity_id))
    replace_responsible_persons(penalty, read_responsible_persons(persons, vault, not_before=penalty.decided_on))
    if penalty.is_public and penalty.publishable:
        penalty.first_published_at = now or utcnow()
    return penalty


def record_penalty(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
    keep_given_end: bool = False,
    vault: IdentityVault | None = None,
) -> Penalty:
    """Record a 行政处罚 decided by the actor's authority; its publication period follows the rules.

    `keep_given_end`: an import keeps a 公示截止期 outside the period as given (see `penalty_periods`).
    `vault`: keeps the resident ID numbers masked in the free text (default: the app's)."""
    penalty = build_penalty(
        session, data, actor, today, rules=rules, now=now, keep_given_end=keep_given_end, vault=vault
    )
    session.add(penalty)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="create",
        record_type="penalty",
        record=penalty,
        before=None,
        authority_id=penalty.authority_id,
    )
    return penalty


def changeable(penalty: Penalty) -> bool:
    """Whether a penalty may still be corrected (更正) or revoked (撤销): a revoked decision never changes again."""
    return penalty.status != "revoked"


def _load_for_change(session: Session, penalty_id: int, actor: Actor, expected_version: int) -> Penalty:
    penalty = load(session, Penalty, penalty_id, "penalty")
    require_authority(actor, penalty.authority_id)
    check_version(penalty, expected_version, "penalty")
    if not changeable(penalty):
        raise Conflict(
            msg("penalty {id} was revoked on {day}; it can no longer change", id=penalty_id, day=penalty.revoked_on)
        )
    return penalty


def correct_penalty(
    session: Session,
    penalty_id: int,
    changes: dict[str, Any],
    reason: str,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
    vault: IdentityVault | None = None,
) -> Penalty:
    """更正: fix recorded fields of a penalty, with the reason; the history keeps both versions.

    The publication period and the disclosure deadline follow the corrected facts."""
    penalty = _load_for_change(session, penalty_id, actor, expected_version)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    before = penalty.snapshot()
    state = {k: getattr(penalty, k) for k in CORRECTABLE}
    apply_changes(state, {k: v for k, v in changes.items() if k not in (FREE_TEXT_IDS, PERSONS)})
    state.update(
        authority_id=penalty.authority_id,
        publication_end_chosen=penalty.publication_end_chosen,
        publication_end_as_given=penalty.publication_end_as_given,
    )
    validate_penalty(session, state, today, rules, vault)
    check_unique_number(session, penalty.authority_id, state["decision_number"], penalty.id)
    periods = penalty_periods(session, state, rules, explicit_end=changes.get("publication_ends_on") is not None)
    state.update(periods)
    for field in (*CORRECTABLE, *periods):
        setattr(penalty, field, state.get(field))
    if "entity_id" in changes:
        _subject(penalty, load_subject(session, penalty.entity_id))
    if PERSONS in changes:
        replace_responsible_persons(
            penalty,
            read_responsible_persons(
                changes[PERSONS],
                vault,
                kept=list(penalty.responsible_persons),
                not_before=penalty.decided_on,
            ),
        )
    check_persons_dates(penalty, penalty.decided_on)
    if penalty.is_public and penalty.publishable and penalty.first_published_at is None:
        penalty.first_published_at = now or utcnow()
    if not changed(penalty, before):
        return penalty
    reason = protect_reason(penalty, "correction_reason", reason, vault)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="correct",
        record_type="penalty",
        record=penalty,
        before=before,
        authority_id=penalty.authority_id,
        reason=reason,
    )
    return penalty


def recompute_penalty_periods(session: Session, rules: Rules, actor: Actor) -> int:
    """After the catalogue or the calendar changed: re-derive every penalty's period and due date.

    Each penalty whose derived fields change is audited and sent to the outbox (operation
    "recompute"); returns how many changed.
    """
    count = 0
    for penalty in session.scalars(sa.select(Penalty).order_by(Penalty.id)):
        state = {k: getattr(penalty, k) for k in CORRECTABLE}
        state.update(
            authority_id=penalty.authority_id,
            publication_end_chosen=penalty.publication_end_chosen,
            publication_end_as_given=penalty.publication_end_as_given,
        )
        count += apply_derived(
            session,
            penalty,
            penalty_periods(session, state, rules, explicit_end=False),
            record_type="penalty",
            authority_id=penalty.authority_id,
            actor=actor,
            reason="publication rules or working-day calendar changed",
        )
    return count


def revoke_penalty(
    session: Session,
    penalty_id: int,
    reason: str,
    revoked_on: dt.date | None,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    *,
    vault: IdentityVault | None = None,
) -> Penalty:
    """撤销: the decision was revoked (复议、诉讼 or the authority itself); it leaves publication."""
    penalty = _load_for_change(session, penalty_id, actor, expected_version)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    day = revoked_on or today
    check_not_future(day, "revoked_on", today)
    check_order(penalty.decided_on, day, "revoked_on", "decided_on")
    before = penalty.snapshot()
    reason = protect_reason(penalty, "revocation_reason", reason, vault)
    penalty.status, penalty.revoked_on, penalty.revocation_reason = "revoked", day, reason
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="revoke",
        record_type="penalty",
        record=penalty,
        before=before,
        authority_id=penalty.authority_id,
        reason=reason,
    )
    return penalty


def published(today: dt.date) -> sa.ColumnElement[bool]:
    """Penalties the public may see on `today` (the SQL form of Penalty.published_on): public,
    publishable (not a minor penalty kept unpublished), in force, not repaired, within 公示截止期."""
    return sa.and_(
        Penalty.is_public.is_(True),
        Penalty.publishable.is_(True),
        Penalty.status == "effective",
        Penalty.repaired_on.is_(None),
        Penalty.decided_on <= today,
        sa.or_(Penalty.publication_starts_on.is_(None), Penalty.publication_starts_on <= today),
        sa.or_(Penalty.publication_ends_on.is_(None), Penalty.publication_ends_on >= today),
    )


def get_penalty(session: Session, penalty_id: int, actor: Actor, today: dt.date) -> Penalty:
    """One penalty, if the actor may see it (others get 404, not a hint that it exists): see
    `records.visible_to` (a natural person's only for its own authority, admins, the platform)."""
    return get_visible(session, Penalty, penalty_id, actor, published(today), "penalty")


def penalty_filters(filters: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    """The conditions of a penalty list's filters (the API's `PenaltyFilter`, the console's search):
    the subject by 统一社会信用代码 or by part of any of its names, part of the 决定书文号, and the rest
    by equality or date range. Keys it does not know (page, per_page) are ignored."""
    f = filters
    found: list[sa.ColumnElement[bool]] = []
    if f.get("uscc"):
        code = normalise_uscc(f["uscc"])
        found.append(
            sa.or_(
                Penalty.subject_uscc == code,
                Penalty.entity_id.in_(sa.select(Entity.id).where(Entity.uscc == code)),
            )
        )
    if f.get("name"):
        found.append(Penalty.entity_id.in_(entity_ids_named(f["name"])))
    if f.get("decision_number") and f["decision_number"].strip():
        found.append(Penalty.decision_number.like(contains(f["decision_number"].strip()), escape="\\"))
    for field in ("entity_id", "authority_id", "domain", "severity", "status", "project_code"):
        if f.get(field) is not None:
            found.append(getattr(Penalty, field) == f[field])
    if f.get("decided_from"):
        found.append(Penalty.decided_on >= f["decided_from"])
    if f.get("decided_to"):
        found.append(Penalty.decided_on <= f["decided_to"])
    return found


def list_penalties(
    session: Session,
    actor: Actor,
    today: dt.date,
    *,
    filters: dict[str, Any],
    page: int = 1,
    per_page: int = 50,
) -> Page[Penalty]:
    """Penalties the actor may see that match every filter (`penalty_filters`), newest decision first."""
    stmt = (
        sa.select(Penalty)
        .where(visible_to(actor, Penalty, published(today)), *penalty_filters(filters))
        .order_by(Penalty.decided_on.desc(), Penalty.id.desc())
    )
    return paginate(session, stmt, page, per_page)
