"""The checks a list entry (名单记录) passes before it is recorded or corrected: the list and its type,
the domains, dates in order and within the list's legal period (政府采购 1–3 years, 招标投标 bans by
reason), publicity, the decision unique per list and authority; and the dates derived from the rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.catalogue import Catalogue, NamedList
from registry.codes.idnumber import IdentityVault
from registry.errors import Conflict, InvalidInput
from registry.messages import msg
from registry.models import ListEntry
from registry.publication import Rules, disclosure_due, list_repair_from
from registry.records.authorities import decider_of
from registry.records.record_rules import (
    check_not_future,
    check_order,
    check_publicity,
    load_subject,
    protect_free_text,
)
from registry.vocab import DOMAINS, LIST_TYPES, terms

# Free text in which a resident ID number is masked on the way in (the list name, the decision
# number and the project code name or identify things exactly: left as given).
FREE_TEXT = ("reason_category", "facts", "legal_basis", "not_public_reason")


def validate_list_entry(
    session: Session,
    state: dict[str, Any],
    today: dt.date,
    catalogue: Catalogue,
    vault: IdentityVault | None = None,
) -> None:
    """Check an entry's full proposed state, for recording and correcting alike; resident ID
    numbers in the free text are masked and kept encrypted (the vault is the app's unless given)."""
    load_subject(session, state["entity_id"])
    if state.get("list_type") not in LIST_TYPES:
        raise InvalidInput.field("list_type", msg("must be one of {values}", values=terms(LIST_TYPES)))
    for field in ("list_name", "decision_number", "reason_category", "facts", "legal_basis"):
        state[field] = (state.get(field) or "").strip()
        if not state[field]:
            raise InvalidInput.field(field, "must not be empty")
    domains = state.get("domains") or []
    if not domains:
        raise InvalidInput.field("domains", "name at least one trading domain")
    unknown = [d for d in domains if d not in DOMAINS]
    if unknown:
        raise InvalidInput.field("domains", msg("unknown domain code(s) {codes}", codes=", ".join(unknown)))
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
            msg(
                "the period of {list} depends on the reason for listing: reason_category must contain one of {reasons}",
                list=named.name,
                reasons="、".join(named.reasons()),
            ),
        )
    earliest, latest = period.last_days(state["listed_on"])
    span = msg(
        "{list} runs {period}: listed on {listed_on}, the last day in force is from {earliest} to {latest}",
        list=named.name,
        period=period.describe(),
        listed_on=state["listed_on"],
        earliest=earliest,
        latest=latest,
    )
    expires_on: dt.date | None = state.get("expires_on")
    if expires_on is None:
        raise InvalidInput.field("expires_on", msg("give the last day in force (expires_on). {span}", span=span))
    if not earliest <= expires_on <= latest:
        raise InvalidInput.field(
            "expires_on", msg("{day} is outside the legal period. {span}", day=expires_on, span=span)
        )


def check_unique_decision(session: Session, state: dict[str, Any], current_id: int | None) -> None:
    clash = session.scalar(
        sa.select(ListEntry.id).where(
            ListEntry.authority_id == state["authority_id"],
            ListEntry.decision_number == state["decision_number"],
            ListEntry.list_name == state["list_name"],
        )
    )
    if clash is not None and clash != current_id:
        raise Conflict(
            msg(
                "list entry {id} already records decision {number} on {list}",
                id=clash,
                number=state["decision_number"],
                list=state["list_name"],
            ),
            {"decision_number": ["already recorded for this list by this authority"]},
        )


def derived_dates(session: Session, state: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """The earliest repair date (list catalogue) and the disclosure deadline (公开时效)."""
    due = disclosure_due(
        rules,
        record_type="list_entry",
        domains=state["domains"],
        decided_on=state["listed_on"],
        decider=decider_of(session, state["authority_id"]),
    )
    return {
        "repair_from": list_repair_from(rules.catalogue, state["list_name"], state["listed_on"]),
        "publication_due_on": due.value,
        "due_provisional": due.provisional,
    }
