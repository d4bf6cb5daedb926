"""List entries (名单): recording, correcting, removing and repairing, and who may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from registry.codes.idnumber import IdentityVault
from registry.codes.uscc import normalise as normalise_uscc
from registry.database import utcnow
from registry.errors import InvalidInput
from registry.ledger import Actor, record_change
from registry.models import Entity, ListEntry, ListEntryDomain, ListEntryTransition
from registry.publication import Rules
from registry.records.common import (
    Page,
    apply_derived,
    changed,
    contains,
    paginate,
    set_domains,
)
from registry.records.entities import entity_ids_named
from registry.records.list_entry_checks import check_unique_decision, derived_dates, validate_list_entry
from registry.records.list_entry_transitions import apply_transition, load_for_change
from registry.records.record_rules import (
    FREE_TEXT_IDS,
    apply_changes,
    get_visible,
    owning_authority,
    protect_reason,
    visible_to,
)
from registry.records.responsible_persons import FIELD as PERSONS
from registry.records.responsible_persons import (
    check_persons_dates,
    read_responsible_persons,
    replace_responsible_persons,
)

# Stored from the checked state; the kept ID numbers (FREE_TEXT_IDS) are derived by `validate_list_entry`.
_CORRECTABLE = (
    "entity_id",
    "list_name",
    "decision_number",
    "reason_category",
    "facts",
    "legal_basis",
    "project_code",
    "listed_on",
    "expires_on",
    "is_public",
    "not_public_reason",
    FREE_TEXT_IDS,
)


def build_list_entry(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
    vault: IdentityVault | None = None,
    check_unique: bool = True,
    dates_cache: dict[tuple[Any, ...], dict[str, Any]] | None = None,
) -> ListEntry:
    """`create_list_entry` up to its write: the same state, checks, dates and objects, not yet added.

    `check_unique=False`: the caller has already looked the decision up (the importer's natural
    key). `dates_cache`: the derived dates by what they depend on, shared across a batch."""
    state = dict(data)
    state.pop(FREE_TEXT_IDS, None)
    persons = state.pop(PERSONS, None)
    state["authority_id"] = owning_authority(session, actor, data.get("authority_id"))
    state.setdefault("is_public", True)
    validate_list_entry(session, state, today, rules.catalogue, vault)
    if check_unique:
        check_unique_decision(session, state, None)
    key = (state["authority_id"], state["list_name"], state["listed_on"], tuple(state["domains"]))
    dates = dates_cache.get(key) if dates_cache is not None else None
    if dates is None:
        dates = derived_dates(session, state, rules)
        if dates_cache is not None:
            dates_cache[key] = dates
    entry = ListEntry(
        **{k: state.get(k) for k in _CORRECTABLE},
        **dates,
        authority_id=state["authority_id"],
        list_type=state["list_type"],
        status="active",
    )
    entry.domain_rows = [ListEntryDomain(d) for d in state["domains"]]
    replace_responsible_persons(entry, read_responsible_persons(persons, vault, not_before=entry.listed_on))
    if entry.is_public:
        entry.first_published_at = now or utcnow()
    entry.transitions = [
        ListEntryTransition(
            from_status=None,
            to_status="active",
            effective_on=state["listed_on"],
            reason=f"列入: {state['decision_number']}",
            actor=actor.label,
        )
    ]
    return entry


def create_list_entry(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
    vault: IdentityVault | None = None,
) -> ListEntry:
    """Put an entity on a list (列入名单) by a decision of the actor's authority."""
    entry = build_list_entry(session, data, actor, today, rules=rules, now=now, vault=vault)
    session.add(entry)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="create",
        record_type="list_entry",
        record=entry,
        before=None,
        authority_id=entry.authority_id,
    )
    return entry


def correct_list_entry(
    session: Session,
    entry_id: int,
    changes: dict[str, Any],
    reason: str,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    *,
    rules: Rules,
    now: dt.datetime | None = None,
    vault: IdentityVault | None = None,
) -> ListEntry:
    """更正: fix the recorded facts of an entry; its state changes only through transitions."""
    entry = load_for_change(session, entry_id, actor, expected_version)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    before = entry.snapshot()
    state = {k: getattr(entry, k) for k in _CORRECTABLE}
    state.update(authority_id=entry.authority_id, list_type=entry.list_type, domains=list(entry.domains))
    apply_changes(state, {k: v for k, v in changes.items() if k not in (FREE_TEXT_IDS, PERSONS)})
    validate_list_entry(session, state, today, rules.catalogue, vault)
    check_unique_decision(session, state, entry.id)
    dates = derived_dates(session, state, rules)  # before any attribute changes: its reads must not flush them
    for field in _CORRECTABLE:
        setattr(entry, field, state.get(field))
    for field, value in dates.items():
        setattr(entry, field, value)
    set_domains(entry.domain_rows, state["domains"], ListEntryDomain)
    entry.domain_rows.sort(key=lambda row: row.domain)  # as loaded (order_by), so the response matches a read
    if PERSONS in changes:
        replace_responsible_persons(
            entry,
            read_responsible_persons(
                changes[PERSONS],
                vault,
                kept=list(entry.responsible_persons),
                not_before=entry.listed_on,
            ),
        )
    check_persons_dates(entry, entry.listed_on)
    if entry.is_public and entry.first_published_at is None:
        entry.first_published_at = now or utcnow()
    if not changed(entry, before):
        return entry
    reason = protect_reason(entry, "correction_reason", reason, vault)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="correct",
        record_type="list_entry",
        record=entry,
        before=before,
        authority_id=entry.authority_id,
        reason=reason,
    )
    return entry


def recompute_list_entry_dates(session: Session, rules: Rules, actor: Actor) -> int:
    """After the catalogue or the calendar changed: re-derive repair dates and due dates.

    Each entry that changes is audited and sent to the outbox (operation "recompute").
    """
    count = 0
    for entry in session.scalars(sa.select(ListEntry).order_by(ListEntry.id)):
        state = {
            "list_name": entry.list_name,
            "listed_on": entry.listed_on,
            "domains": list(entry.domains),
            "authority_id": entry.authority_id,
        }
        count += apply_derived(
            session,
            entry,
            derived_dates(session, state, rules),
            record_type="list_entry",
            authority_id=entry.authority_id,
            actor=actor,
            reason="list catalogue or working-day calendar changed",
        )
    return count


def remove_list_entry(
    session: Session,
    entry_id: int,
    reason: str,
    effective_on: dt.date | None,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    *,
    vault: IdentityVault | None = None,
) -> ListEntry:
    """移出: take an entry off its list before it expires, with the reason."""
    return apply_transition(session, entry_id, "removed", reason, effective_on, actor, expected_version, today, vault)


def repair_list_entry(
    session: Session,
    entry_id: int,
    reason: str,
    effective_on: dt.date | None,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    *,
    vault: IdentityVault | None = None,
) -> ListEntry:
    """信用修复: the entity has repaired its credit; the entry stops counting but is kept."""
    return apply_transition(session, entry_id, "repaired", reason, effective_on, actor, expected_version, today, vault)


def revoke_list_entry(
    session: Session,
    entry_id: int,
    reason: str,
    effective_on: dt.date | None,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    *,
    vault: IdentityVault | None = None,
) -> ListEntry:
    """撤销: the listing decision itself was revoked (复议、诉讼 or by the authority); kept, not counted."""
    return apply_transition(session, entry_id, "revoked", reason, effective_on, actor, expected_version, today, vault)


def published(today: dt.date) -> sa.ColumnElement[bool]:
    """The entries the public may see on `today`: public, active and not past their last day."""
    return sa.and_(
        ListEntry.is_public.is_(True),
        ListEntry.status == "active",
        not_past_last_day(today),
    )


def not_past_last_day(today: dt.date) -> sa.ColumnElement[bool]:
    """The SQL form of "`today` is on or before the entry's last day in force" (有效期截止日期)."""
    return sa.or_(ListEntry.expires_on.is_(None), ListEntry.expires_on >= today)


def get_list_entry(session: Session, entry_id: int, actor: Actor, today: dt.date) -> ListEntry:
    """One entry, if the actor may see it (others get 404, not a hint that it exists)."""
    return get_visible(session, ListEntry, entry_id, actor, published(today), "list entry")


def _status_filter(status: str, today: dt.date) -> sa.ColumnElement[bool]:
    not_expired = not_past_last_day(today)
    if status == "active":
        return sa.and_(ListEntry.status == "active", not_expired)
    if status == "expired":
        return sa.and_(ListEntry.status == "active", sa.not_(not_expired))
    return ListEntry.status == status


def list_entry_filters(filters: dict[str, Any], today: dt.date) -> list[sa.ColumnElement[bool]]:
    """The conditions of a list-entry list's filters (the API's `ListEntryFilter`, the console's
    search): the subject by 统一社会信用代码 or by part of any of its names, part of the 决定文书号, the
    state as of `today`, and the rest by equality or date range. Unknown keys are ignored."""
    f = filters
    found: list[sa.ColumnElement[bool]] = []
    if f.get("uscc"):
        found.append(ListEntry.entity_id.in_(sa.select(Entity.id).where(Entity.uscc == normalise_uscc(f["uscc"]))))
    if f.get("name"):
        found.append(ListEntry.entity_id.in_(entity_ids_named(f["name"])))
    if f.get("decision_number") and f["decision_number"].strip():
        found.append(ListEntry.decision_number.like(contains(f["decision_number"].strip()), escape="\\"))
    for field in ("entity_id", "authority_id", "list_type", "list_name", "project_code"):
        if f.get(field) is not None:
            found.append(getattr(ListEntry, field) == f[field])
    if f.get("domain"):
        found.append(
            ListEntry.id.in_(sa.select(ListEntryDomain.list_entry_id).where(ListEntryDomain.domain == f["domain"]))
        )
    if f.get("status"):
        found.append(_status_filter(f["status"], today))
    for field, column, op in (
        ("listed_from", ListEntry.listed_on, "ge"),
        ("listed_to", ListEntry.listed_on, "le"),
        ("expires_from", ListEntry.expires_on, "ge"),
        ("expires_to", ListEntry.expires_on, "le"),
    ):
        if f.get(field):
            found.append(column >= f[field] if op == "ge" else column <= f[field])
    return found


def list_list_entries(
    session: Session,
    actor: Actor,
    today: dt.date,
    *,
    filters: dict[str, Any],
    page: int = 1,
    per_page: int = 50,
) -> Page[ListEntry]:
    """Entries the actor may see that match every filter (`list_entry_filters`), newest listing first."""
    stmt = (
        sa.select(ListEntry)
        .options(selectinload(ListEntry.entity))
        .where(visible_to(actor, ListEntry, published(today)), *list_entry_filters(filters, today))
        .order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())
    )
    return paginate(session, stmt, page, per_page)
