"""Penalties (行政处罚): recording, correcting (更正) and revoking (撤销), and who may see them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_authority
from registry.codes.idnumber import IdentityVault, mask_resident_ids
from registry.codes.uscc import normalise as normalise_uscc
from registry.database import MAX_AMOUNT_WAN, plain_amount, utcnow
from registry.errors import Conflict, InvalidInput
from registry.ledger import Actor, record_change
from registry.models import Entity, Penalty
from registry.publication import (
    PublicationWindow,
    Rules,
    default_severity,
    disclosure_due,
    publication_window,
)
from registry.records.authorities import decider_of, load_authority
from registry.records.common import Page, apply_derived, changed, check_version, load, paginate
from registry.records.entities import entity_ids_named
from registry.records.record_rules import (
    FREE_TEXT_IDS,
    apply_changes,
    check_not_future,
    check_order,
    check_publicity,
    get_visible,
    load_subject,
    owning_authority,
    protect_free_text,
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
from registry.vocab import DOMAINS, PENALTY_CATEGORIES, PROCEDURES, SEVERITIES

# Fields a correction may change. The deciding authority never changes: another authority's
# decision is another record (谁批准、谁公开). The kept ID numbers (FREE_TEXT_IDS) follow the text
# they were typed in: never given, always derived by `_validate`.
CORRECTABLE = (
    "entity_id", "data_source_authority_id", "decision_number", "violation_type", "facts",
    "basis", "categories", "content", "fine_amount", "confiscation_amount", "licence_affected",
    "decided_on", "valid_until", "publication_ends_on", "remarks", "procedure", "severity", "domain",
    "project_code", "is_public", "not_public_reason", FREE_TEXT_IDS,
)
_REQUIRED_TEXT = ("decision_number", "violation_type", "facts", "basis", "content")
# Free text in which a resident ID number is masked on the way in (the decision number and the
# project code are identifiers that imports and filters match exactly: left as given).
FREE_TEXT = ("violation_type", "facts", "basis", "content", "licence_affected", "remarks", "not_public_reason")
_LICENCE_CATEGORIES = {"暂扣许可证件", "吊销许可证件"}
_CONFISCATION_CATEGORIES = {"没收违法所得", "没收非法财物"}


def _validate(
    session: Session, state: dict[str, Any], today: dt.date, rules: Rules, vault: IdentityVault | None = None,
) -> None:
    """Check a penalty's full proposed state; the same rules for recording and correcting.

    失信程度 may be left out where the rule set in force says what it is (Order 36: a 简易程序
    decision, a 警告 or a 通报批评 is 轻微); a severity the authority records stands. Resident ID
    numbers in the free text are masked and kept encrypted (`protect_free_text`; the vault is the
    app's unless given)."""
    load_subject(session, state["entity_id"])
    load_authority(session, state["data_source_authority_id"], field="data_source_authority_id")
    for field in _REQUIRED_TEXT:
        state[field] = (state.get(field) or "").strip()
        if not state[field]:
            raise InvalidInput.field(field, "must not be empty")
    for field in ("licence_affected", "remarks", "project_code"):
        state[field] = (state.get(field) or "").strip() or None
    categories = list(dict.fromkeys(state.get("categories") or []))
    if not categories:
        raise InvalidInput.field("categories", "name at least one 处罚类别")
    unknown = [c for c in categories if c not in PENALTY_CATEGORIES]
    if unknown:
        raise InvalidInput.field(
            "categories", f"{', '.join(unknown)} not in 行政处罚法 Art. 9: {', '.join(PENALTY_CATEGORIES)}"
        )
    state["categories"] = categories
    if state.get("procedure") is not None and state["procedure"] not in PROCEDURES:
        raise InvalidInput.field("procedure", f"处罚程序须为 {', '.join(PROCEDURES)}（简易程序/普通程序）之一")
    check_not_future(state["decided_on"], "decided_on", today)
    if not state.get("severity"):
        state["severity"] = default_severity(
            rules.catalogue, decided_on=state["decided_on"], procedure=state.get("procedure"),
            categories=categories, decider=decider_of(session, state["authority_id"]),
        )
        if state["severity"] is None:
            raise InvalidInput.field(
                "severity", "须填写失信程度（general 一般 / serious 严重）：只有简易程序、警告、通报批评可推定为轻微")
    if state.get("severity") not in SEVERITIES:
        raise InvalidInput.field("severity", f"must be one of {', '.join(SEVERITIES)}")
    if state.get("domain") not in DOMAINS:
        raise InvalidInput.field("domain", f"must be one of {', '.join(DOMAINS)}")
    _check_amount(state, "fine_amount", "罚款" in categories, "罚款")
    _check_amount(state, "confiscation_amount", bool(_CONFISCATION_CATEGORIES & set(categories)),
                  "没收违法所得 or 没收非法财物")
    if _LICENCE_CATEGORIES & set(categories) and not state["licence_affected"]:
        raise InvalidInput.field("licence_affected", "暂扣 or 吊销 names the licence and its number")
    check_order(state["decided_on"], state.get("valid_until"), "valid_until", "decided_on")
    check_order(state["decided_on"], state.get("publication_ends_on"), "publication_ends_on", "decided_on")
    check_publicity(state)
    protect_free_text(state, FREE_TEXT, vault)


def _check_amount(state: dict[str, Any], field: str, expected: bool, category: str) -> None:
    amount: Decimal | None = state.get(field)
    if amount is not None:
        if amount < 0:
            raise InvalidInput.field(field, "must not be negative")
        if amount.as_tuple().exponent < -6:  # type: ignore[operator]
            raise InvalidInput.field(field, "is in 万元 with at most 6 decimals (one fen)")
        if amount > MAX_AMOUNT_WAN:
            raise InvalidInput.field(field, f"is in 万元 and must not exceed {MAX_AMOUNT_WAN}")
        # The form the column reads back, so that 0.50 and 0.5 are one amount (and no change).
        state[field] = plain_amount(amount)
    if expected and not amount:
        raise InvalidInput.field(field, f"处罚类别 {category} needs the amount in 万元")
    if amount and not expected:
        raise InvalidInput.field(field, f"an amount is given but 处罚类别 has no {category}")


def _check_unique(session: Session, authority_id: int, number: str, current_id: int | None) -> None:
    clash = session.scalar(
        sa.select(Penalty.id).where(Penalty.authority_id == authority_id, Penalty.decision_number == number)
    )
    if clash is not None and clash != current_id:
        raise Conflict(
            f"penalty {clash} already has decision number {number}",
            {"decision_number": ["already recorded by this authority"]},
        )


def _subject(penalty: Penalty, entity: Entity) -> None:
    # A resident ID number in the entity's name is not repeated in full on the decision.
    penalty.subject_name, penalty.subject_uscc = mask_resident_ids(entity.name), entity.uscc


def _window(session: Session, state: dict[str, Any], rules: Rules) -> PublicationWindow:
    return publication_window(
        rules.catalogue, decided_on=state["decided_on"], severity=state["severity"],
        categories=state["categories"], violation_type=state["violation_type"],
        decider=decider_of(session, state["authority_id"]), procedure=state.get("procedure"),
    )


def _periods(
    session: Session, state: dict[str, Any], rules: Rules, *, explicit_end: bool, keep_given_end: bool = False,
) -> dict[str, Any]:
    """Publication period and disclosure deadline by the rules in force on the decision date.

    A 公示截止期 the authority gives must lie between the earliest repair date and the rule
    set's maximum; without one it is the maximum. A date the authority once chose is kept
    (through corrections and rule changes) while it still fits the period. `keep_given_end`
    (imports of real data, computed under many local rules) keeps a given date outside the
    period as given, marked `publication_end_as_given` and explained in `publication_note`.
    """
    window = _window(session, state, rules)
    end: dt.date | None = state.get("publication_ends_on")
    chosen = explicit_end or bool(state.get("publication_end_chosen"))
    fits = chosen and end is not None and window.repair_from <= end <= window.ends_on
    outside = (f"under {window.rule_set} a {window.tier} penalty decided on {state['decided_on']} is "
               f"published until a day from {window.repair_from} to {window.ends_on}")
    as_given = end is not None and not fits and (
        (explicit_end and keep_given_end) or (not explicit_end and bool(state.get("publication_end_as_given"))))
    if explicit_end and not fits and not as_given:
        raise InvalidInput.field("publication_ends_on", outside)
    note = window.note
    if as_given:
        note = f"公示截止期按来源数据保留：{outside}"
    due = disclosure_due(rules, record_type="penalty", domains=[state["domain"]], decided_on=state["decided_on"],
                         decider=decider_of(session, state["authority_id"]))
    return {
        "rule_set": window.rule_set,
        "publication_tier": window.tier,
        "publishable": window.publishable,
        "publication_note": note,
        "publication_starts_on": window.starts_on,
        "repair_from": window.repair_from,
        "publication_ends_on": end if fits or as_given else window.ends_on,
        "publication_end_chosen": fits or as_given,
        "publication_end_as_given": as_given,
        "publication_due_on": due.value,
        "due_provisional": due.provisional,
    }


def _periods_key(state: dict[str, Any], explicit_end: bool) -> tuple[Any, ...]:
    """What a penalty's periods depend on (with the rules, fixed for a batch): many rows of an
    import share it, and working the periods out is a good part of a row's cost."""
    return (state["authority_id"], state["decided_on"], state["severity"], state.get("procedure"),
            tuple(state["categories"]), state["violation_type"], state["domain"],
            state.get("publication_ends_on"), explicit_end)


def build_penalty(
    session: Session, data: dict[str, Any], actor: Actor, today: dt.date, *, rules: Rules,
    now: dt.datetime | None = None, keep_given_end: bool = False, vault: IdentityVault | None = None,
    check_unique: bool = True, periods_cache: dict[tuple[Any, ...], dict[str, Any]] | None = None,
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
    _validate(session, state, today, rules, vault)
    if check_unique:
        _check_unique(session, state["authority_id"], state["decision_number"], None)
    explicit_end = data.get("publication_ends_on") is not None
    key = _periods_key(state, explicit_end) if periods_cache is not None else None
    periods = periods_cache.get(key) if periods_cache is not None and key is not None else None
    if periods is None:
        periods = _periods(session, state, rules, explicit_end=explicit_end, keep_given_end=keep_given_end)
        if periods_cache is not None and key is not None:
            periods_cache[key] = periods
    state.update(periods)
    penalty = Penalty(authority_id=state["authority_id"], status="effective",
                      **{k: state.get(k) for k in (*CORRECTABLE, *periods)})
    _subject(penalty, load_subject(session, penalty.entity_id))
    replace_responsible_persons(
        penalty, read_responsible_persons(persons, vault, not_before=penalty.decided_on)
    )
    if penalty.is_public and penalty.publishable:
        penalty.first_published_at = now or utcnow()
    return penalty


def record_penalty(
    session: Session, data: dict[str, Any], actor: Actor, today: dt.date, *, rules: Rules,
    now: dt.datetime | None = None, keep_given_end: bool = False, vault: IdentityVault | None = None,
) -> Penalty:
    """Record a 行政处罚 decided by the actor's authority; its publication period follows the rules.

    `keep_given_end`: an import keeps a 公示截止期 outside the period as given (see `_periods`).
    `vault`: keeps the resident ID numbers masked in the free text (default: the app's)."""
    penalty = build_penalty(session, data, actor, today, rules=rules, now=now,
                            keep_given_end=keep_given_end, vault=vault)
    session.add(penalty)
    session.flush()
    record_change(session, actor=actor, operation="create", record_type="penalty",
                  record=penalty, before=None, authority_id=penalty.authority_id)
    return penalty


def _load_for_change(session: Session, penalty_id: int, actor: Actor, expected_version: int) -> Penalty:
    penalty = load(session, Penalty, penalty_id, "penalty")
    require_authority(actor, penalty.authority_id)
    check_version(penalty, expected_version, "penalty")
    if penalty.status == "revoked":
        raise Conflict(f"penalty {penalty_id} was revoked on {penalty.revoked_on}; it can no longer change")
    return penalty


def correct_penalty(
    session: Session, penalty_id: int, changes: dict[str, Any], reason: str,
    actor: Actor, expected_version: int, today: dt.date, *, rules: Rules, now: dt.datetime | None = None,
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
    state.update(authority_id=penalty.authority_id, publication_end_chosen=penalty.publication_end_chosen,
                 publication_end_as_given=penalty.publication_end_as_given)
    _validate(session, state, today, rules, vault)
    _check_unique(session, penalty.authority_id, state["decision_number"], penalty.id)
    periods = _periods(session, state, rules, explicit_end=changes.get("publication_ends_on") is not None)
    state.update(periods)
    for field in (*CORRECTABLE, *periods):
        setattr(penalty, field, state.get(field))
    if "entity_id" in changes:
        _subject(penalty, load_subject(session, penalty.entity_id))
    if PERSONS in changes:
        replace_responsible_persons(penalty, read_responsible_persons(
            changes[PERSONS], vault, kept=list(penalty.responsible_persons),
            not_before=penalty.decided_on,
        ))
    check_persons_dates(penalty, penalty.decided_on)
    if penalty.is_public and penalty.publishable and penalty.first_published_at is None:
        penalty.first_published_at = now or utcnow()
    if not changed(penalty, before):
        return penalty
    reason = protect_reason(penalty, "correction_reason", reason, vault)
    session.flush()
    record_change(session, actor=actor, operation="correct", record_type="penalty",
                  record=penalty, before=before, authority_id=penalty.authority_id, reason=reason)
    return penalty


def recompute_penalty_periods(session: Session, rules: Rules, actor: Actor) -> int:
    """After the catalogue or the calendar changed: re-derive every penalty's period and due date.

    Each penalty whose derived fields change is audited and sent to the outbox (operation
    "recompute"); returns how many changed.
    """
    count = 0
    for penalty in session.scalars(sa.select(Penalty).order_by(Penalty.id)):
        state = {k: getattr(penalty, k) for k in CORRECTABLE}
        state.update(authority_id=penalty.authority_id, publication_end_chosen=penalty.publication_end_chosen,
                     publication_end_as_given=penalty.publication_end_as_given)
        count += apply_derived(
            session, penalty, _periods(session, state, rules, explicit_end=False), record_type="penalty",
            authority_id=penalty.authority_id, actor=actor,
            reason="publication rules or working-day calendar changed",
        )
    return count


def revoke_penalty(
    session: Session, penalty_id: int, reason: str, revoked_on: dt.date | None,
    actor: Actor, expected_version: int, today: dt.date, *, vault: IdentityVault | None = None,
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
    record_change(session, actor=actor, operation="revoke", record_type="penalty",
                  record=penalty, before=before, authority_id=penalty.authority_id, reason=reason)
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


def list_penalties(
    session: Session, actor: Actor, today: dt.date, *, filters: dict[str, Any],
    page: int = 1, per_page: int = 50,
) -> Page[Penalty]:
    """Penalties the actor may see that match every filter, newest decision first."""
    stmt = sa.select(Penalty).where(visible_to(actor, Penalty, published(today))).order_by(
        Penalty.decided_on.desc(), Penalty.id.desc()
    )
    f = filters
    if f.get("uscc"):
        code = normalise_uscc(f["uscc"])
        stmt = stmt.where(sa.or_(
            Penalty.subject_uscc == code,
            Penalty.entity_id.in_(sa.select(Entity.id).where(Entity.uscc == code)),
        ))
    if f.get("name"):
        stmt = stmt.where(Penalty.entity_id.in_(entity_ids_named(f["name"])))
    for field in ("entity_id", "authority_id", "domain", "severity", "status", "project_code"):
        if f.get(field) is not None:
            stmt = stmt.where(getattr(Penalty, field) == f[field])
    if f.get("decided_from"):
        stmt = stmt.where(Penalty.decided_on >= f["decided_from"])
    if f.get("decided_to"):
        stmt = stmt.where(Penalty.decided_on <= f["decided_to"])
    return paginate(session, stmt, page, per_page)
