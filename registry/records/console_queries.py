"""What the supervisor console (监管工作台) reads: the authority it shows, its records page by page
with their publication state (公示状态), and the disclosure deadlines (公开时效).

Every function takes the session, the actor and the day as arguments and touches no request
state. Access is checked here as the API's services check it: a supervisor sees its own
authority (谁批准、谁公开), an administrator every authority or the one chosen. The publication
state of a record is `registry.records.publication_state`; "due soon" is the timeliness service's
`pending_records`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.errors import NotFound, NotPermitted
from registry.ledger import Actor
from registry.models import (
    Authority,
    Entity,
    Licence,
    ListEntry,
    Penalty,
    RepairApplication,
)
from registry.publication import Rules, add_months
from registry.records import repairs as repair_service
from registry.records.authorities import get_authority, list_authorities
from registry.records.common import MAX_PER_PAGE, Page, paginate
from registry.records.licences import licence_filters
from registry.records.list_entries import list_entry_filters, list_list_entries
from registry.records.penalties import list_penalties, penalty_filters
from registry.records.publication_state import (
    list_entry_state,
    penalty_state,
    state_counts,
    states_of,
)
from registry.records.timeliness import (
    MAX_PERIOD_MONTHS,
    OverdueRecord,
    PendingRecord,
    pending_records,
    timeliness_report,
)

PER_PAGE = 50


# --- which authority ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The authority the console shows (None: every authority, for an administrator)."""

    authority_id: int | None
    authority: Authority | None
    may_choose: bool

    @property
    def args(self) -> dict[str, Any]:
        """What to keep in links so an administrator stays on the authority chosen."""
        return {"authority": self.authority_id} if self.may_choose and self.authority_id is not None else {}


def console_scope(session: Session, actor: Actor, requested: str) -> Scope:
    """A supervisor's own authority, refused for any other (403, as the API's reports answer);
    for an administrator the one chosen (`requested`, the ?authority= text), or all."""
    require_role(actor, "supervisor")
    raw = requested.strip()
    if actor.role == "supervisor":
        if actor.authority_id is None:
            raise NotPermitted("this supervisor key is bound to no authority")
        if raw and raw != str(actor.authority_id):
            raise NotPermitted("your key shows only the records of its own authority (谁批准、谁公开)")
        return Scope(actor.authority_id, get_authority(session, actor.authority_id), False)
    if not raw:
        return Scope(None, None, True)
    if not raw.isdigit():
        raise NotFound("no such authority")
    authority = get_authority(session, int(raw))
    return Scope(authority.id, authority, True)


def record_scope(actor: Actor, authority: Authority) -> Scope:
    """The scope a page about one record of `authority` shows (an administrator may choose another)."""
    return Scope(authority.id, authority, actor.role != "supervisor")


def own_authority(session: Session, actor: Actor) -> Authority | None:
    """The authority the actor's key is bound to, if any."""
    return get_authority(session, actor.authority_id) if actor.authority_id is not None else None


# --- authorities -------------------------------------------------------------------------------


def all_authorities(session: Session) -> list[Authority]:
    """Every authority, by id (for an administrator's choices)."""
    found: list[Authority] = []
    number = 1
    while True:
        page = list_authorities(session, page=number, per_page=MAX_PER_PAGE)
        found += page.items
        if number * MAX_PER_PAGE >= page.total:
            return found
        number += 1


def authority_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Authority.id, Authority.name).where(Authority.id.in_(wanted))).all())


# --- reading the lists -------------------------------------------------------------------------


@dataclass
class Listing:
    """One page of an authority's records, each with its publication state."""

    page: Page[Any]
    states: dict[int, str]
    subjects: dict[int, str] = field(default_factory=dict)
    authorities: dict[int, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.page.total / self.page.per_page), 1)


def penalty_page(
    session: Session, today: dt.date, authority_id: int | None, filters: dict[str, Any], state: str | None, page: int
) -> Listing:
    """An authority's penalties (every authority's for None) matching the API's list filters
    (`penalty_filters`: subject name or code, 文号, domain, dates …), newest decision first."""
    stmt = sa.select(Penalty).where(*penalty_filters(filters)).order_by(Penalty.decided_on.desc(), Penalty.id.desc())
    if authority_id is not None:
        stmt = stmt.where(Penalty.authority_id == authority_id)
    if state:
        stmt = stmt.where(penalty_state(today) == state)
    found = paginate(session, stmt, page, PER_PAGE)
    ids = [p.id for p in found.items]
    return Listing(
        found,
        states_of(session, Penalty, penalty_state(today), ids),
        authorities=authority_names(session, (p.authority_id for p in found.items)),
    )


def list_entry_page(
    session: Session, today: dt.date, authority_id: int | None, filters: dict[str, Any], state: str | None, page: int
) -> Listing:
    """An authority's list entries (every authority's for None) matching the API's list filters
    (`list_entry_filters`: subject name or code, 文号, type, domain, dates …), newest listing first."""
    stmt = (
        sa.select(ListEntry)
        .where(*list_entry_filters(filters, today))
        .order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())
    )
    if authority_id is not None:
        stmt = stmt.where(ListEntry.authority_id == authority_id)
    if state:
        stmt = stmt.where(list_entry_state(today) == state)
    found = paginate(session, stmt, page, PER_PAGE)
    ids = [e.id for e in found.items]
    return Listing(
        found,
        states_of(session, ListEntry, list_entry_state(today), ids),
        subjects=entity_names(session, (e.entity_id for e in found.items)),
        authorities=authority_names(session, (e.authority_id for e in found.items)),
    )


def licence_page(
    session: Session, today: dt.date, authority_id: int | None, filters: dict[str, Any], state: str | None, page: int
) -> Listing:
    """An authority's licences (every authority's for None) matching the API's list filters
    (`licence_filters`: subject name or code, 文号 …) and 当前状态 (`state`), newest decision first."""
    chosen = {**filters, "status": state} if state else filters
    stmt = (
        sa.select(Licence).where(*licence_filters(chosen, today)).order_by(Licence.decided_on.desc(), Licence.id.desc())
    )
    if authority_id is not None:
        stmt = stmt.where(Licence.authority_id == authority_id)
    found = paginate(session, stmt, page, PER_PAGE)
    return Listing(
        found,
        {licence.id: licence.status_on(today) for licence in found.items},
        authorities=authority_names(session, (licence.authority_id for licence in found.items)),
    )


@dataclass(frozen=True)
class EntityRecords:
    """A subject's records the actor may read (the API's lists filtered by entity), each with its
    publication state, and the names of the authorities that decided them."""

    penalties: list[Penalty]
    list_entries: list[ListEntry]
    states: dict[tuple[str, int], str]
    authorities: dict[int, str]


def entity_records(session: Session, actor: Actor, today: dt.date, entity_id: int) -> EntityRecords:
    """Every penalty and list entry about the entity that the actor may read (its own authority's
    all, other authorities' as published), through the API's list services."""
    by_entity = {"entity_id": entity_id}
    penalties = list_penalties(session, actor, today, filters=by_entity, per_page=MAX_PER_PAGE).items
    entries = list_list_entries(session, actor, today, filters=by_entity, per_page=MAX_PER_PAGE).items
    states = {
        ("penalty", k): v
        for k, v in states_of(session, Penalty, penalty_state(today), [p.id for p in penalties]).items()
    }
    states.update(
        {
            ("list_entry", k): v
            for k, v in states_of(session, ListEntry, list_entry_state(today), [e.id for e in entries]).items()
        }
    )
    owners = [p.authority_id for p in penalties] + [e.authority_id for e in entries]
    return EntityRecords(penalties, entries, states, authority_names(session, owners))


def entity_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Entity.id, Entity.name).where(Entity.id.in_(wanted))).all())


# --- disclosure deadlines (公开时效) ------------------------------------------------------------


@dataclass
class Disclosure:
    """公开时效 as of today: the report's overdue records and the records it counts as pending."""

    date_from: dt.date
    date_to: dt.date
    overdue: list[OverdueRecord]
    pending: list[PendingRecord]
    provisional: bool


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The longest period a report covers, ending today: every record still in any publication period."""
    return add_months(today, -MAX_PERIOD_MONTHS) + dt.timedelta(days=1), today


def disclosure(
    session: Session,
    actor: Actor,
    rules: Rules,
    today: dt.date,
    authority_id: int | None,
    date_from: dt.date,
    date_to: dt.date,
) -> Disclosure:
    """The records overdue for disclosure (the timeliness report's) and those due but not yet
    late, for records decided in the period."""
    report = timeliness_report(
        session, actor, rules, today=today, date_from=date_from, date_to=date_to, authority_id=authority_id
    )
    pending = pending_records(
        session, actor, rules, today=today, date_from=date_from, date_to=date_to, authority_id=authority_id
    )
    provisional = report.total.provisional or any(p.provisional for p in pending)
    return Disclosure(date_from, date_to, report.overdue, pending, provisional)


# --- one record ----------------------------------------------------------------------------------


def penalty_state_of(session: Session, penalty: Penalty, today: dt.date) -> str:
    """One penalty's publication state on `today`."""
    return states_of(session, Penalty, penalty_state(today), [penalty.id])[penalty.id]


def list_entry_state_of(session: Session, entry: ListEntry, today: dt.date) -> str:
    """One list entry's publication state on `today`."""
    return states_of(session, ListEntry, list_entry_state(today), [entry.id])[entry.id]


@dataclass(frozen=True)
class RepairSubjects:
    """What the repair applications of a page are about: their records and their subjects' names."""

    penalties: dict[int, Penalty]
    list_entries: dict[int, ListEntry]
    subjects: dict[int, str]


def repair_subjects(session: Session, applications: Iterable[RepairApplication]) -> RepairSubjects:
    """The records and subject names of applications the actor was allowed to list."""
    wanted = list(applications)
    penalty_ids = [a.record_id for a in wanted if a.record_type == "penalty"]
    entry_ids = [a.record_id for a in wanted if a.record_type == "list_entry"]
    penalties = {p.id: p for p in session.scalars(sa.select(Penalty).where(Penalty.id.in_(penalty_ids)))}
    entries = {e.id: e for e in session.scalars(sa.select(ListEntry).where(ListEntry.id.in_(entry_ids)))}
    return RepairSubjects(penalties, entries, entity_names(session, (a.entity_id for a in wanted)))


# --- the overview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """监管工作台 at a glance: records by publication state, deadlines, repairs waiting."""

    penalty_counts: dict[str, int]
    entry_counts: dict[str, int]
    due: Disclosure
    repairs: dict[str, int]


def console_overview(session: Session, actor: Actor, rules: Rules, today: dt.date, scope: Scope) -> Overview:
    """The overview of the scope's records (every authority's for an administrator's None)."""
    in_scope = {"authority_id": scope.authority_id} if scope.authority_id is not None else {}

    def open_repairs(**filters: Any) -> int:
        return repair_service.list_repairs(session, actor, today, filters={**in_scope, **filters}, per_page=1).total

    return Overview(
        penalty_counts=state_counts(session, Penalty, penalty_state(today), scope.authority_id),
        entry_counts=state_counts(session, ListEntry, list_entry_state(today), scope.authority_id),
        due=disclosure(session, actor, rules, today, scope.authority_id, *default_period(today)),
        repairs={
            "submitted": open_repairs(status="submitted"),
            "accepted": open_repairs(status="accepted"),
            "overdue": open_repairs(overdue=True),
        },
    )
