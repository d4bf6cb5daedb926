"""A list entry's changes of state (移出, 信用修复, 撤销): who may make them, on which day, and the
transition row, audit row and outbox event each leaves.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from registry.access import require_authority, require_deciding_authority
from registry.codes.idnumber import IdentityVault
from registry.errors import Conflict, InvalidInput
from registry.ledger import Actor, record_change
from registry.messages import msg
from registry.models import ListEntry, ListEntryTransition
from registry.records.common import check_version, load
from registry.records.record_rules import (
    check_not_future,
    check_order,
    protect_reason,
)
from registry.vocab import LIST_ENTRY_STATES, Term, term


def load_for_change(session: Session, entry_id: int, actor: Actor, expected_version: int) -> ListEntry:
    entry = load(session, ListEntry, entry_id, "list entry")
    require_authority(actor, entry.authority_id)
    check_version(entry, expected_version, "list entry")
    return entry


# The states each change of state starts from: an expired entry may still be revoked (its decision
# was wrong), but only an entry in force is removed or repaired.
_FROM = {"removed": ("active",), "repaired": ("active",), "revoked": ("active", "expired")}
_ACTIONS = {"removed": "移出", "repaired": "信用修复", "revoked": "撤销"}  # the change of state, as a verb


def open_transitions(entry: ListEntry, today: dt.date) -> list[str]:
    """The changes of state (removed 移出, repaired 信用修复, revoked 撤销) the entry's state on `today`
    still allows, as `apply_transition` checks them; a red-list entry is never repaired. Whether a
    repair is due yet, and the day and reason given, are checked when the change is asked for."""
    current = entry.status_on(today)
    return [
        to_status
        for to_status, starts in _FROM.items()
        if current in starts and not (to_status == "repaired" and entry.list_type == "red")
    ]


def _check_repairable(entry: ListEntry, day: dt.date) -> None:
    """信用修复 only where the list allows it, and not before its minimum period (lists.json)."""
    if entry.repair_from is None:
        if entry.expires_on:
            raise Conflict(
                msg(
                    "entries of {list} cannot be repaired while they run (this one is in force until {day}); they "
                    "end by expiry or removal",
                    list=entry.list_name,
                    day=entry.expires_on,
                )
            )
        raise Conflict(
            msg(
                "entries of {list} cannot be repaired while they run; they end by expiry or removal",
                list=entry.list_name,
            )
        )
    if day < entry.repair_from:
        raise Conflict(
            msg(
                "list entry {id} can be repaired from {earliest}, not {day}",
                id=entry.id,
                earliest=entry.repair_from,
                day=day,
            ),
            {"effective_on": [msg("earliest {day}", day=entry.repair_from)]},
        )


def apply_transition(
    session: Session,
    entry_id: int,
    to_status: str,
    reason: str,
    effective_on: dt.date | None,
    actor: Actor,
    expected_version: int,
    today: dt.date,
    vault: IdentityVault | None,
) -> ListEntry:
    entry = load_for_change(session, entry_id, actor, expected_version)
    current = entry.status_on(today)
    allowed = _FROM[to_status]
    if current not in allowed:
        raise Conflict(
            msg(
                "list entry {id} is {status}; only an {allowed} entry can be {action}",
                id=entry_id,
                status=term(LIST_ENTRY_STATES, current),
                allowed=Term(" or ".join(allowed), "或".join(LIST_ENTRY_STATES[a] for a in allowed)),
                action=Term(to_status, _ACTIONS[to_status]),
            )
        )
    if to_status == "repaired" and entry.list_type == "red":
        raise Conflict(
            "a red-list entry is not repaired (信用修复 applies to black and watch lists); remove it instead"
        )
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
        ListEntryTransition(
            from_status=current, to_status=to_status, effective_on=day, reason=reason, actor=actor.label
        )
    )
    session.flush()
    operation = {"removed": "remove", "repaired": "repair", "revoked": "revoke"}[to_status]
    record_change(
        session,
        actor=actor,
        operation=operation,
        record_type="list_entry",
        record=entry,
        before=before,
        authority_id=entry.authority_id,
        reason=reason,
    )
    return entry
