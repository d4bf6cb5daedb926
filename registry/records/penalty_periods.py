"""A penalty's publication period (公示期) and disclosure deadline (公开时效) by the rule set in force on
its decision date, and what they depend on (so a batch can share them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import InvalidInput
from registry.messages import msg, render
from registry.publication import (
    PublicationWindow,
    Rules,
    disclosure_due,
    publication_window,
)
from registry.records.authorities import decider_of
from registry.vocab import SEVERITIES, term


def _window(session: Session, state: dict[str, Any], rules: Rules) -> PublicationWindow:
    return publication_window(
        rules.catalogue,
        decided_on=state["decided_on"],
        severity=state["severity"],
        categories=state["categories"],
        violation_type=state["violation_type"],
        decider=decider_of(session, state["authority_id"]),
        procedure=state.get("procedure"),
    )


def penalty_periods(
    session: Session,
    state: dict[str, Any],
    rules: Rules,
    *,
    explicit_end: bool,
    keep_given_end: bool = False,
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
    outside = msg(
        "under {rule_set} a {tier} penalty decided on {decided_on} is published until a day from {earliest} to {latest}",
        rule_set=window.rule_set,
        tier=term(SEVERITIES, window.tier or ""),
        decided_on=state["decided_on"],
        earliest=window.repair_from,
        latest=window.ends_on,
    )
    as_given = (
        end is not None
        and not fits
        and ((explicit_end and keep_given_end) or (not explicit_end and bool(state.get("publication_end_as_given"))))
    )
    if explicit_end and not fits and not as_given:
        raise InvalidInput.field("publication_ends_on", outside)
    note = window.note
    if as_given:
        note = render(msg("the 公示截止期 is kept as the source data gives it: {outside}", outside=outside), "zh")
    due = disclosure_due(
        rules,
        record_type="penalty",
        domains=[state["domain"]],
        decided_on=state["decided_on"],
        decider=decider_of(session, state["authority_id"]),
    )
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


def periods_key(state: dict[str, Any], explicit_end: bool) -> tuple[Any, ...]:
    """What a penalty's periods depend on (with the rules, fixed for a batch): many rows of an
    import share it, and working the periods out is a good part of a row's cost."""
    return (
        state["authority_id"],
        state["decided_on"],
        state["severity"],
        state.get("procedure"),
        tuple(state["categories"]),
        state["violation_type"],
        state["domain"],
        state.get("publication_ends_on"),
        explicit_end,
    )
