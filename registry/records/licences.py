"""Licences (行政许可): the licensing half of 双公示 — recording, correcting (更正), revoking or
cancelling (撤销 / 注销), and who may see them, with the same rules as penalties: the deciding
authority's own records only (谁批准、谁公开), a version check on every change (If-Match), an audit
row and an outbox event for every change (the push and the feed send them in the national format).

A licence is published until it is withdrawn or kept from the public (保密审查); its expiry is read
from `valid_to` (当前状态 "expired"), never stored. Its disclosure deadline (公开时效) is counted
from the decision: 7 working days by the national rule (发改电〔2015〕557号), as for a penalty. A
licence is not a sanction: screenings never read it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_authority
from registry.codes.idnumber import mask_resident_ids
from registry.database import utcnow
from registry.errors import Conflict, InvalidInput
from registry.ledger import Actor, record_change
from registry.messages import msg
from registry.models import Authority, Licence
from registry.publication import Decider, Rules, disclosure_due
from registry.records.common import Page, changed, check_version, contains, load, paginate
from registry.records.entities import entity_ids_named
from registry.records.record_rules import (
    apply_changes,
    check_not_future,
    check_order,
    check_publicity,
    get_visible,
    load_subject,
    owning_authority,
    visible_to,
)

# 许可类别 (GB/T and the 双公示 standard's vocabulary).
CATEGORIES = ("普通", "特许", "认可", "核准", "登记", "其他")
STATES = {"effective": "有效", "expired": "已过期", "revoked": "已撤销", "cancelled": "已注销"}
ENDINGS = {"revoked": "撤销", "cancelled": "注销"}
CORRECTABLE = (
    "entity_id",
    "data_source_authority_id",
    "decision_document_name",
    "decision_number",
    "licence_category",
    "licence_name",
    "licence_number",
    "content",
    "decided_on",
    "valid_from",
    "valid_to",
    "remarks",
    "is_public",
    "not_public_reason",
)
_FREE_TEXT = ("content", "remarks", "decision_document_name", "licence_name")


def published(today: dt.date) -> sa.ColumnElement[bool]:
    """Licences the public may see: public and decided by today (withdrawn ones too, with their state)."""
    return sa.and_(Licence.is_public.is_(True), Licence.decided_on <= today)


def _validate(session: Session, state: dict[str, Any], today: dt.date) -> None:
    if state.get("licence_category") not in CATEGORIES:
        raise InvalidInput.field("licence_category", msg("must be one of {values}", values="、".join(CATEGORIES)))
    for field in ("decision_document_name", "decision_number", "content"):
        if not (state.get(field) or "").strip():
            raise InvalidInput.field(field, "must not be empty")
    if state.get("valid_from") is None:  # 有效期自: the standard's required field (a NOT NULL column)
        raise InvalidInput.field("valid_from", "must not be empty")
    check_not_future(state.get("decided_on"), "decided_on", today)
    check_order(state.get("decided_on"), state.get("valid_from"), "valid_from", "decided_on")
    check_order(state.get("valid_from"), state.get("valid_to"), "valid_to", "valid_from")
    check_publicity(state)
    load_subject(session, state["entity_id"])
    for field in _FREE_TEXT:  # a resident ID number typed into the text is never kept in full
        if state.get(field):
            state[field] = mask_resident_ids(state[field])


def _unique(session: Session, authority_id: int, number: str, own_id: int | None) -> None:
    found = session.scalar(
        sa.select(Licence.id).where(Licence.authority_id == authority_id, Licence.decision_number == number)
    )
    if found is not None and found != own_id:
        raise Conflict(msg("licence decision {number} is already recorded (licence {id})", number=number, id=found))


def _derive(session: Session, licence: Licence, rules: Rules) -> None:
    entity = load_subject(session, licence.entity_id)
    licence.subject_name, licence.subject_uscc = mask_resident_ids(entity.name), entity.uscc
    authority = session.get_one(Authority, licence.authority_id)
    due = disclosure_due(
        rules,
        record_type="licence",
        domains=[],
        decided_on=licence.decided_on,
        decider=Decider(authority.sector or "other", authority.region_code or "000000"),
    )
    licence.publication_due_on, licence.due_provisional = due.value, due.provisional


def build_licence(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
    check_unique: bool = True,
) -> Licence:
    """`record_licence` up to its write: the same state, checks and derived dates, not yet added.

    `check_unique=False`: the caller has already looked the decision number up (the importer's
    natural key)."""
    state = dict(data)
    state["authority_id"] = owning_authority(session, actor, data.get("authority_id"))
    state.setdefault("data_source_authority_id", state["authority_id"])
    state.setdefault("is_public", True)
    _validate(session, state, today)
    if check_unique:
        _unique(session, state["authority_id"], state["decision_number"], None)
    licence = Licence(authority_id=state["authority_id"], status="effective", **{k: state.get(k) for k in CORRECTABLE})
    _derive(session, licence, rules)
    if licence.is_public:
        licence.first_published_at = now or utcnow()
    return licence


def record_licence(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
) -> Licence:
    """Record a licence decided by the actor's authority (an administrator names the authority)."""
    licence = build_licence(session, data, actor, today, rules=rules, now=now)
    session.add(licence)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="create",
        record_type="licence",
        record=licence,
        before=None,
        authority_id=licence.authority_id,
    )
    return licence


def get_licence(session: Session, licence_id: int, actor: Actor, today: dt.date) -> Licence:
    return get_visible(session, Licence, licence_id, actor, published(today), "licence")


def licence_state(today: dt.date) -> sa.ColumnElement[str]:
    """当前状态 on `today` as SQL, as `Licence.status_on` reads it: expiry from `valid_to`."""
    lapsed = sa.and_(Licence.status == "effective", Licence.valid_to.is_not(None), Licence.valid_to < today)
    return sa.case((lapsed, "expired"), else_=Licence.status)


def licence_filters(filters: dict[str, Any], today: dt.date) -> list[sa.ColumnElement[bool]]:
    """The conditions of a licence list's filters (the API's `LicenceFilter`, the console's search):
    the subject by number, 统一社会信用代码 or part of any of its names, part of the 文号, the
    authority, and 当前状态 (`status`) on `today`. Keys it does not know (page, per_page) are ignored."""
    f = filters
    found: list[sa.ColumnElement[bool]] = []
    if f.get("entity_id") is not None:
        found.append(Licence.entity_id == f["entity_id"])
    if f.get("uscc"):
        found.append(Licence.subject_uscc == f["uscc"].strip().upper())
    if f.get("name") and f["name"].strip():
        found.append(Licence.entity_id.in_(entity_ids_named(f["name"].strip())))
    if f.get("decision_number") and f["decision_number"].strip():
        found.append(Licence.decision_number.like(contains(f["decision_number"].strip()), escape="\\"))
    if f.get("authority_id") is not None:
        found.append(Licence.authority_id == f["authority_id"])
    if f.get("status"):
        found.append(licence_state(today) == f["status"])
    return found


def list_licences(
    session: Session, actor: Actor, today: dt.date, *, filters: dict[str, Any], page: int = 1, per_page: int = 50
) -> Page[Licence]:
    """Licences the actor may see that match every filter (`licence_filters`), newest decision first."""
    stmt = sa.select(Licence).where(visible_to(actor, Licence, published(today)), *licence_filters(filters, today))
    return paginate(session, stmt.order_by(Licence.decided_on.desc(), Licence.id.desc()), page, per_page)


def published_licences(session: Session, entity_id: int, today: dt.date) -> list[Licence]:
    """An organisation's licences the public sees on its page (双公示), newest decision first."""
    stmt = sa.select(Licence).where(Licence.entity_id == entity_id, published(today))
    return list(session.scalars(stmt.order_by(Licence.decided_on.desc(), Licence.id.desc())))


def _for_change(session: Session, licence_id: int, actor: Actor, expected_version: int) -> Licence:
    licence = load(session, Licence, licence_id, "licence")
    require_authority(actor, licence.authority_id)
    check_version(licence, expected_version, "licence")
    if licence.status != "effective":
        raise Conflict(
            msg(
                "licence {id} was withdrawn on {day}; it can no longer change",
                id=licence_id,
                day=licence.status_changed_on,
            )
        )
    return licence


def correct_licence(
    session: Session,
    licence_id: int,
    changes: dict[str, Any],
    reason: str,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
) -> Licence:
    """更正 with the reason (the deciding authority; If-Match)."""
    licence = _for_change(session, licence_id, actor, expected_version)
    if not (reason or "").strip():
        raise InvalidInput.field("reason", "must not be empty")
    before = licence.snapshot()
    state = {k: getattr(licence, k) for k in CORRECTABLE}
    apply_changes(state, changes)
    _validate(session, state, today)
    _unique(session, licence.authority_id, state["decision_number"], licence.id)
    with session.no_autoflush:  # one UPDATE, one new version, for the whole correction
        for field in CORRECTABLE:
            setattr(licence, field, state.get(field))
        _derive(session, licence, rules)
    if licence.is_public and licence.first_published_at is None:
        licence.first_published_at = now or utcnow()
    if not changed(licence, before):
        return licence
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="correct",
        record_type="licence",
        record=licence,
        before=before,
        authority_id=licence.authority_id,
        reason=mask_resident_ids(reason.strip()),
    )
    return licence


def end_licence(
    session: Session,
    licence_id: int,
    how: str,
    reason: str,
    day: dt.date | None,
    actor: Actor,
    expected_version: int,
    today: dt.date,
) -> Licence:
    """撤销 (revoked) or 注销 (cancelled), with the reason and the day: the licence stays published
    with its state, as the 双公示 standard's 当前状态 says."""
    if how not in ENDINGS:
        raise InvalidInput.field("status", msg("must be one of {values}", values=", ".join(ENDINGS)))
    licence = _for_change(session, licence_id, actor, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    when = day or today
    check_not_future(when, "status_changed_on", today)
    check_order(licence.decided_on, when, "status_changed_on", "decided_on")
    before = licence.snapshot()
    licence.status, licence.status_changed_on, licence.status_reason = how, when, mask_resident_ids(reason)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation=how,
        record_type="licence",
        record=licence,
        before=before,
        authority_id=licence.authority_id,
        reason=licence.status_reason,
    )
    return licence
