"""List entries (名单): recording, correcting, removing and repairing, and who may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_authority, require_deciding_authority
from registry.catalogue import Catalogue, NamedList
from registry.codes.idnumber import IdentityVault
from registry.codes.uscc import normalise as normalise_uscc
from registry.database import utcnow
from registry.errors import Conflict, InvalidInput
from registry.ledger import Actor, record_change
from registry.models import Entity, ListEntry, ListEntryDomain, ListEntryTransition
from registry.publication import Rules, disclosure_due, list_repair_from
from registry.records.authorities import decider_of
from registry.records.common import (
    Page,
    apply_derived,
    changed,
    check_version,
    load,
    paginate,
    set_domains,
)
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
from registry.records.responsible_persons import FIELD as PERSONS
from registry.records.responsible_persons import (
    check_persons_dates,
    read_responsible_persons,
    replace_responsible_persons,
)
from registry.vocab import DOMAINS, LIST_TYPES

# Stored from the checked state; the kept ID numbers (FREE_TEXT_IDS) are derived by `_validate`.
_CORRECTABLE = (
    "entity_id", "list_name", "decision_number", "reason_category", "facts", "legal_basis",
    "project_code", "listed_on", "expires_on", "is_public", "not_public_reason", FREE_TEXT_IDS,
)
# Free text in which a resident ID number is masked on the way in (the list name, the decision
# number and the project code name or identify things exactly: left as given).
FREE_TEXT = ("reason_category", "facts", "legal_basis", "not_public_reason")


def _validate(
    session: Session, state: dict[str, Any], today: dt.date, catalogue: Catalogue,
    vault: IdentityVault | None = None,
) -> None:
    """Check an entry's full proposed state, for recording and correcting alike; resident ID
    numbers in the free text are masked and kept encrypted (the vault is the app's unless given)."""
    load_subject(session, state["entity_id"])
    if state.get("list_type") not in LIST_TYPES:
        raise InvalidInput.field("list_type", f"must be one of {', '.join(LIST_TYPES)}")
    for field in ("list_name", "decision_number", "reason_category", "facts", "legal_basis"):
        state[field] = (state.get(field) or "").strip()
        if not state[field]:
            raise InvalidInput.field(field, "must not be empty")
    domains = state.get("domains") or []
    if not domains:
        raise InvalidInput.field("domains", "name at least one trading domain")
    unknown = [d for d in domains if d not in DOMAINS]
    if unknown:
        raise InvalidInput.field("domains", f"unknown domain code(s) {', '.join(unknown)}")
    state["domains"] = sorted(set(domains))
    check_not_future(state["listed_on"], "listed_on", today)
    check_order(state["listed_on"], state.get("expires_on"), "expires_on", "listed_on")
    _check_legal_period(state, catalogue.lists.get(state["list_name"]))
    check_publicity(state)
    protect_free_text(state, FREE_TEXT, vault)


def _check_legal_period(state: dict[str, Any], named: NamedList | None) -> None:
    """An entry of a list with a legal period (政府采购 1–3 years, 招标投标 bans by reason) needs a
    last day in force within it; the 422 names the list, the range and the source."""
    if named is None or not named.periods:
        return
    period = named.period_for(state["reason_category"])
    if period is None:
        raise InvalidInput.field(
            "reason_category",
            f"{named.name}的期限因列入事由而异，列入事由须含以下之一：{'、'.join(named.reasons())}",
        )
    earliest, latest = period.last_days(state["listed_on"])
    span = f"{named.name}的期限为{period.describe()}：列入日期 {state['listed_on']} 的有效期截止日期应在 {earliest} 至 {latest} 之间"
    expires_on: dt.date | None = state.get("expires_on")
    if expires_on is None:
        raise InvalidInput.field("expires_on", f"须填写有效期截止日期（最后一日）。{span}")
    if not earliest <= expires_on <= latest:
        raise InvalidInput.field("expires_on", f"{expires_on} 超出法定期限。{span}")


def _check_unique(session: Session, state: dict[str, Any], current_id: int | None) -> None:
    clash = session.scalar(
        sa.select(ListEntry.id).where(
            ListEntry.authority_id == state["authority_id"],
            ListEntry.decision_number == state["decision_number"],
            ListEntry.list_name == state["list_name"],
        )
    )
    if clash is not None and clash != current_id:
        raise Conflict(
            f"list entry {clash} already records decision {state['decision_number']} on {state['list_name']}",
            {"decision_number": ["already recorded for this list by this authority"]},
        )


def _dates(session: Session, state: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """The earliest repair date (list catalogue) and the disclosure deadline (公开时效)."""
    due = disclosure_due(rules, record_type="list_entry", domains=state["domains"], decided_on=state["listed_on"],
                         decider=decider_of(session, state["authority_id"]))
    return {
        "repair_from": list_repair_from(rules.catalogue, state["list_name"], state["listed_on"]),
        "publication_due_on": due.value,
        "due_provisional": due.provisional,
    }


def build_list_entry(
    session: Session, data: dict[str, Any], actor: Actor, today: dt.date, *, rules: Rules,
    now: dt.datetime | None = None, vault: IdentityVault | None = None,
    check_unique: bool = True, dates_cache: dict[tuple[Any, ...], dict[str, Any]] | None = None,
) -> ListEntry:
    """`create_list_entry` up to its write: the same state, checks, dates and objects, not yet added.

    `check_unique=False`: the caller has already looked the decision up (the importer's natural
    key). `dates_cache`: the derived dates by what they depend on, shared across a batch."""
    state = dict(data)
    state.pop(FREE_TEXT_IDS, None)
    persons = state.pop(PERSONS, None)
    state["authority_id"] = owning_authority(session, actor, data.get("authority_id"))
    state.setdefault("is_public", True)
    _validate(session, state, today, rules.catalogue, vault)
    if check_unique:
        _check_unique(session, state, None)
    key = (state["authority_id"], state["list_name"], state["listed_on"], tuple(state["domains"]))
    dates = dates_cache.get(key) if dates_cache is not None else None
    if dates is None:
        dates = _dates(session, state, rules)
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
    replace_responsible_persons(
        entry, read_responsible_persons(persons, vault, not_before=entry.listed_on)
    )
    if entry.is_public:
        entry.first_published_at = now or utcnow()
    entry.transitions = [
        ListEntryTransition(
            from_status=None, to_status="active", effective_on=state["listed_on"],
            reason=f"列入: {state['decision_number']}", actor=actor.label,
        )
    ]
    return entry


def create_list_entry(
    session: Session, data: dict[str, Any], actor: Actor, today: dt.date, *, rules: Rules,
    now: dt.datetime | None = None, vault: IdentityVault | None = None,
) -> ListEntry:
    """Put an entity on a list (列入名单) by a decision of the actor's authority."""
    entry = build_list_entry(session, data, actor, today, rules=rules, now=now, vault=vault)
    session.add(entry)
    session.flush()
    record_change(session, actor=actor, operation="create", record_type="list_entry",
                  record=entry, before=None, authority_id=entry.authority_id)
    return entry


def _load_for_change(session: Session, entry_id: int, actor: Actor, expected_version: int) -> ListEntry:
    entry = load(session, ListEntry, entry_id, "list entry")
    require_authority(actor, entry.authority_id)
    check_version(entry, expected_version, "list entry")
    return entry


def correct_list_entry(
    session: Session, entry_id: int, changes: dict[str, Any], reason: str,
    actor: Actor, expected_version: int, today: dt.date, *, rules: Rules, now: dt.datetime | None = None,
    vault: IdentityVault | None = None,
) -> ListEntry:
    """更正: fix the recorded facts of an entry; its state changes only through transitions."""
    entry = _load_for_change(session, entry_id, actor, expected_version)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    before = entry.snapshot()
    state = {k: getattr(entry, k) for k in _CORRECTABLE}
    state.update(authority_id=entry.authority_id, list_type=entry.list_type, domains=list(entry.domains))
    apply_changes(state, {k: v for k, v in changes.items() if k not in (FREE_TEXT_IDS, PERSONS)})
    _validate(session, state, today, rules.catalogue, vault)
    _check_unique(session, state, entry.id)
    dates = _dates(session, state, rules)  # before any attribute changes: its reads must not flush them
    for field in _CORRECTABLE:
        setattr(entry, field, state.get(field))
    for field, value in dates.items():
        setattr(entry, field, value)
    set_domains(entry.domain_rows, state["domains"], ListEntryDomain)
    entry.domain_rows.sort(key=lambda row: row.domain)  # as loaded (order_by), so the response matches a read
    if PERSONS in changes:
        replace_responsible_persons(entry, read_responsible_persons(
            changes[PERSONS], vault, kept=list(entry.responsible_persons),
            not_before=entry.listed_on,
        ))
    check_persons_dates(entry, entry.listed_on)
    if entry.is_public and entry.first_published_at is None:
        entry.first_published_at = now or utcnow()
    if not changed(entry, before):
        return entry
    reason = protect_reason(entry, "correction_reason", reason, vault)
    session.flush()
    record_change(session, actor=actor, operation="correct", record_type="list_entry",
                  record=entry, before=before, authority_id=entry.authority_id, reason=reason)
    return entry


def recompute_list_entry_dates(session: Session, rules: Rules, actor: Actor) -> int:
    """After the catalogue or the calendar changed: re-derive repair dates and due dates.

    Each entry that changes is audited and sent to the outbox (operation "recompute").
    """
    count = 0
    for entry in session.scalars(sa.select(ListEntry).order_by(ListEntry.id)):
        state = {"list_name": entry.list_name, "listed_on": entry.listed_on, "domains": list(entry.domains),
                 "authority_id": entry.authority_id}
        count += apply_derived(
            session, entry, _dates(session, state, rules), record_type="list_entry", authority_id=entry.authority_id,
            actor=actor, reason="list catalogue or working-day calendar changed",
        )
    return count


def _check_repairable(entry: ListEntry, day: dt.date) -> None:
    """信用修复 only where the list allows it, and not before its minimum period (lists.json)."""
    if entry.repair_from is None:
        raise Conflict(
            f"entries of {entry.list_name} cannot be repaired while they run"
            + (f" (this one is in force until {entry.expires_on})" if entry.expires_on else "")
            + "; they end by expiry or removal"
        )
    if day < entry.repair_from:
        raise Conflict(
            f"list entry {entry.id} can be repaired from {entry.repair_from}, not {day}",
            {"effective_on": [f"earliest {entry.repair_from}"]},
        )


def _transition(
    session: Session, entry_id: int, to_status: str, reason: str, effective_on: dt.date | None,
    actor: Actor, expected_version: int, today: dt.date, vault: IdentityVault | None,
) -> ListEntry:
    entry = _load_for_change(session, entry_id, actor, expected_version)
    current = entry.status_on(today)
    allowed = ("active", "expired") if to_status == "revoked" else ("active",)
    if current not in allowed:
        raise Conflict(f"list entry {entry_id} is {current}; only an {' or '.join(allowed)} entry can be {to_status}")
    if to_status == "repaired" and entry.list_type == "red":
        raise Conflict("a red-list entry is not repaired (信用修复 applies to black and watch lists); remove it instead")
    day = effective_on or today
    check_not_future(day, "effective_on", today)
    check_order(entry.listed_on, day, "effective_on", "listed_on")
    if to_status == "repaired":
        require_deciding_authority(actor, entry.authority_id)
        _check_repairable(entry, day)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    before = entry.snapshot()
    reason = protect_reason(entry, "status_reason", reason, vault)
    entry.status, entry.status_changed_on, entry.status_reason = to_status, day, reason
    entry.transitions.append(
        ListEntryTransition(from_status=current, to_status=to_status, effective_on=day,
                            reason=reason, actor=actor.label)
    )
    session.flush()
    operation = {"removed": "remove", "repaired": "repair", "revoked": "revoke"}[to_status]
    record_change(session, actor=actor, operation=operation, record_type="list_entry",
                  record=entry, before=before, authority_id=entry.authority_id, reason=reason)
    return entry


def remove_list_entry(
    session: Session, entry_id: int, reason: str, effective_on: dt.date | None,
    actor: Actor, expected_version: int, today: dt.date, *, vault: IdentityVault | None = None,
) -> ListEntry:
    """移出: take an entry off its list before it expires, with the reason."""
    return _transition(session, entry_id, "removed", reason, effective_on, actor, expected_version, today, vault)


def repair_list_entry(
    session: Session, entry_id: int, reason: str, effective_on: dt.date | None,
    actor: Actor, expected_version: int, today: dt.date, *, vault: IdentityVault | None = None,
) -> ListEntry:
    """信用修复: the entity has repaired its credit; the entry stops counting but is kept."""
    return _transition(session, entry_id, "repaired", reason, effective_on, actor, expected_version, today, vault)


def revoke_list_entry(
    session: Session, entry_id: int, reason: str, effective_on: dt.date | None,
    actor: Actor, expected_version: int, today: dt.date, *, vault: IdentityVault | None = None,
) -> ListEntry:
    """撤销: the listing decision itself was revoked (复议、诉讼 or by the authority); kept, not counted."""
    return _transition(session, entry_id, "revoked", reason, effective_on, actor, expected_version, today, vault)


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


def list_list_entries(
    session: Session, actor: Actor, today: dt.date, *, filters: dict[str, Any],
    page: int = 1, per_page: int = 50,
) -> Page[ListEntry]:
    """Entries the actor may see that match every filter, newest listing first."""
    stmt = sa.select(ListEntry).where(visible_to(actor, ListEntry, published(today))).order_by(
        ListEntry.listed_on.desc(), ListEntry.id.desc()
    )
    f = filters
    if f.get("uscc"):
        stmt = stmt.where(ListEntry.entity_id.in_(
            sa.select(Entity.id).where(Entity.uscc == normalise_uscc(f["uscc"]))))
    if f.get("name"):
        stmt = stmt.where(ListEntry.entity_id.in_(entity_ids_named(f["name"])))
    for field in ("entity_id", "authority_id", "list_type", "list_name", "project_code"):
        if f.get(field) is not None:
            stmt = stmt.where(getattr(ListEntry, field) == f[field])
    if f.get("domain"):
        stmt = stmt.where(ListEntry.id.in_(
            sa.select(ListEntryDomain.list_entry_id).where(ListEntryDomain.domain == f["domain"])))
    if f.get("status"):
        stmt = stmt.where(_status_filter(f["status"], today))
    if f.get("listed_from"):
        stmt = stmt.where(ListEntry.listed_on >= f["listed_from"])
    if f.get("listed_to"):
        stmt = stmt.where(ListEntry.listed_on <= f["listed_to"])
    if f.get("expires_from"):
        stmt = stmt.where(ListEntry.expires_on >= f["expires_from"])
    if f.get("expires_to"):
        stmt = stmt.where(ListEntry.expires_on <= f["expires_to"])
    return paginate(session, stmt, page, per_page)
