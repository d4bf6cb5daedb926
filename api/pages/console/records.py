"""The console's reading pages: the overview, the lists of penalties and list entries, one record
with its history, an entity's reach, and the disclosure deadlines (公开时效).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import request
from flask.typing import ResponseReturnValue

from api.errors import flatten
from api.lifecycle import today
from api.pages.auth import login_required
from api.pages.console.labels import history_rows, penalty_rows, rule_set_names
from api.schemas.list_entries import ListEntryFilter
from api.schemas.penalties import PenaltyFilter
from api.schemas.reports import TimelinessArgs
from registry.ledger import Actor
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records import repairs as repair_service
from registry.records.authorities import get_authority
from registry.records.common import MAX_PER_PAGE
from registry.records.console_queries import (
    Scope,
    authority_names,
    console_overview,
    default_period,
    disclosure,
    list_entry_page,
    list_entry_state_of,
    penalty_page,
    penalty_state_of,
    record_scope,
)
from registry.records.entities import get_entity
from registry.records.history import record_history
from registry.records.list_entry_transitions import open_transitions
from registry.records.responsible_persons import shown_persons
from registry.runtime import current_rules, current_runtime
from registry.screening.measure_reach import entity_reach

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session
from api.pages.console import bp
from api.pages.console.common import (
    as_api,
    chosen_scope,
    current_actor,
    current_session,
    gloss,
    list_page,
    page_context,
    render,
)


@bp.get("/console")
@login_required("supervisor")
def overview() -> ResponseReturnValue:
    """监管工作台: the authority's records by publication state, deadlines and repairs waiting."""
    actor, session, day = current_actor(), current_session(), today()
    scope = chosen_scope(actor)
    found = console_overview(session, actor, current_rules(session), day, scope)
    return render(
        "console/overview.html",
        section="overview",
        penalty_counts=found.penalty_counts,
        entry_counts=found.entry_counts,
        due=found.due,
        repairs=found.repairs,
        **page_context(session, scope, day),
    )


# --- the lists -----------------------------------------------------------------------------------

# Each list's query parameters and the API filter schema's fields they fill.
# The search (主体名称, 统一社会信用代码, 文号) is the API's: name, uscc and decision_number.
SEARCH = {"name": "name", "uscc": "uscc", "number": "decision_number"}
PENALTY_FILTERS = {**SEARCH, "domain": "domain", "from": "decided_from", "to": "decided_to"}
LIST_ENTRY_FILTERS = {**SEARCH, "domain": "domain", "list_type": "list_type", "from": "listed_from", "to": "listed_to"}


@bp.get("/console/penalties")
@login_required("supervisor")
def penalties() -> ResponseReturnValue:
    """本机关的行政处罚: with publication state, filtered by state, domain and decision date."""
    return list_page("console/penalties.html", "penalties", PenaltyFilter(), PENALTY_FILTERS, penalty_page)


@bp.get("/console/list-entries")
@login_required("supervisor")
def list_entries() -> ResponseReturnValue:
    """本机关的名单: with publication state, filtered by state, type, domain and listing date."""
    return list_page(
        "console/list_entries.html", "list_entries", ListEntryFilter(), LIST_ENTRY_FILTERS, list_entry_page
    )


# --- one record ----------------------------------------------------------------------------------


def _record_context(record_type: str, record: Any, actor: Actor, day: dt.date) -> dict[str, Any]:
    """What both record pages show beside the record's own fields, read in the API's order: the
    history (403 when it is closed to the key), the subject, the authority, persons and repairs."""
    history = as_api(record_history, actor, record_type, record.id)
    entity = as_api(get_entity, record.entity_id, actor)
    authority = as_api(get_authority, record.authority_id)
    repairs = repair_service.list_repairs(
        current_session(),
        actor,
        day,
        filters={"record_type": record_type, "record_id": record.id},
        per_page=MAX_PER_PAGE,
    ).items
    return {
        "record": record,
        "entity": entity,
        "authority": authority,
        "persons": shown_persons(actor, record),
        "history": history_rows(history, record_type, rule_set_names(current_runtime().catalogue)),
        "repairs": repairs,
        "open_repair": any(a.status in repair_service.OPEN_STATES for a in repairs),
        "today": day,
        "scope": record_scope(actor, authority),
    }


@bp.get("/console/penalties/<int:penalty_id>")
@login_required("supervisor")
def penalty(penalty_id: int) -> ResponseReturnValue:
    """一条行政处罚: every field, its publication and its history (own authority)."""
    actor, day = current_actor(), today()
    record = as_api(penalty_service.get_penalty, penalty_id, actor, day)
    shown = _record_context("penalty", record, actor, day)
    source = as_api(get_authority, record.data_source_authority_id)
    rows = penalty_rows(record, shown["entity"], shown["authority"], source)
    state = penalty_state_of(current_session(), record, day)
    changes = penalty_service.changeable(record)
    return render("console/penalty.html", section="penalties", rows=rows, state=state, changes=changes, **shown)


@bp.get("/console/list-entries/<int:entry_id>")
@login_required("supervisor")
def list_entry(entry_id: int) -> ResponseReturnValue:
    """一条名单记录: every field, its transitions, its publication and its history (own authority)."""
    actor, day = current_actor(), today()
    record = as_api(entry_service.get_list_entry, entry_id, actor, day)
    shown = _record_context("list_entry", record, actor, day)
    state, moves = list_entry_state_of(current_session(), record, day), open_transitions(record, day)
    return render(
        "console/list_entry.html",
        section="list_entries",
        state=state,
        entry_status=record.status_on(day),
        moves=moves,
        **shown,
    )


@bp.get("/console/entities/<int:entity_id>/measures")
@login_required("supervisor")
def entity_reach_page(entity_id: int) -> ResponseReturnValue:
    """联合惩戒范围: what a screening in each of the eight domains would decide for the entity today, and why."""
    actor, day = current_actor(), today()
    entity = as_api(get_entity, entity_id, actor)
    reach = as_api(entity_reach, actor, entity_id, day, current_runtime().measures)
    return render(
        "console/entity_reach.html", section="", scope=chosen_scope(actor), entity=entity, reach=reach, today=day
    )


# --- due and overdue (公开时效) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The period the due page covers: as typed (put back in the form), as read, and what was refused."""

    typed: dict[str, str]
    date_from: dt.date
    date_to: dt.date
    errors: dict[str, list[str]]

    @property
    def status(self) -> int:
        return 422 if self.errors else 200

    @property
    def context(self) -> dict[str, Any]:
        """What the due page's form shows: the dates read, as typed, and the refusals."""
        return {"errors": self.errors, "typed": self.typed, "date_from": self.date_from, "date_to": self.date_to}


def _period(day: dt.date) -> Period:
    """`from` and `to` from the query string, checked by the timeliness report's schema (the API's).

    Neither given: the default period. One given: the other end is the default period's. Refused:
    the default period, with the refusals by parameter.
    """
    date_from, date_to = default_period(day)
    typed = {"from": request.args.get("from", "").strip(), "to": request.args.get("to", "").strip()}
    if not (typed["from"] or typed["to"]):
        return Period(typed, date_from, date_to, {})
    try:
        period = TimelinessArgs().load(
            {"from": typed["from"] or date_from.isoformat(), "to": typed["to"] or date_to.isoformat()}
        )
    except ma.ValidationError as exc:
        errors = {key: [gloss(m) for m in messages] for key, messages in flatten(exc.messages).items()}
        return Period(typed, date_from, date_to, errors)
    return Period(typed, period["date_from"], period["date_to"], {})


def _disclosure(session: Session, actor: Actor, day: dt.date, scope: Scope, period: Period) -> dict[str, Any]:
    """The records due and overdue in the period, with their authorities' names (nothing when refused)."""
    if period.errors:
        return {"due": None, "authority_names": authority_names(session, [])}
    found = disclosure(
        session, actor, current_rules(session), day, scope.authority_id, period.date_from, period.date_to
    )
    return {"due": found, "authority_names": authority_names(session, [r.authority_id for r in found.pending])}


@bp.get("/console/due")
@login_required("supervisor")
def due() -> ResponseReturnValue:
    """公开时效: records overdue for disclosure, and those due soon, with deadlines in working days."""
    actor, session, day = current_actor(), current_session(), today()
    scope = chosen_scope(actor)
    period = _period(day)
    shown = _disclosure(session, actor, day, scope, period)
    return render(
        "console/due.html", period.status, section="due", **shown, **period.context, **page_context(session, scope, day)
    )
