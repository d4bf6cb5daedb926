"""Which joint-punishment and incentive measures (联合惩戒/激励措施) apply to an entity, and why.

The catalogue itself (what triggers each measure, where, for how long, on what basis) is
`registry.catalogue.measures`. Red lists give incentives only, and only red lists give
incentives: the matcher holds to it whatever the data says.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, lazyload

from registry.catalogue.measures import (
    CERTAINTIES,
    DURATION_KINDS,
    EFFECT_ORDER,
    EFFECTS,
    RECORD_SCOPES,
    Duration,
    Measure,
    PenaltyCondition,
    Trigger,
    load_measures,
    select_measures,
)
from registry.errors import InvalidInput
from registry.messages import Msg, msg
from registry.models import ListEntry, Penalty
from registry.publication import add_months
from registry.vocab import DOMAINS, LIST_TYPES

__all__ = [
    "CERTAINTIES",
    "DURATION_KINDS",
    "EFFECTS",
    "EFFECT_ORDER",
    "RECORD_SCOPES",
    "Duration",
    "Measure",
    "MeasureHit",
    "PenaltyCondition",
    "Trigger",
    "TriggeringRecord",
    "applicable_measures",
    "load_measures",
    "match_measures",
    "measures_by_entity",
    "records_by_entity",
    "select_measures",
]


@dataclass(frozen=True)
class TriggeringRecord:
    """A record that sets a measure off, why, and the first day it no longer does (None: unknown)."""

    record_type: str  # "list_entry" | "penalty"
    id: int
    reason: Msg  # why it counts, for a person (registry/messages)
    ends_on: dt.date | None
    repaired: bool = False  # a repaired penalty that still counts, with the measure's `when_repaired` effect


@dataclass(frozen=True)
class MeasureHit:
    """A measure in force for an entity, with the records that trigger it."""

    measure: Measure
    records: tuple[TriggeringRecord, ...]

    @property
    def effect(self) -> str:
        """The measure's effect; its `when_repaired` effect when every record behind it was repaired."""
        if self.measure.when_repaired and self.records and all(r.repaired for r in self.records):
            return self.measure.when_repaired
        return self.measure.effect


# --- which measures apply ---------------------------------------------------------------------


def _entry_reason(entry: ListEntry) -> Msg:
    values = {
        "list": entry.list_name,
        "kind": LIST_TYPES.get(entry.list_type, entry.list_type),
        "decision": entry.decision_number,
        "authority": entry.authority.name,
        "listed_on": entry.listed_on,
    }
    if entry.expires_on:
        return msg(
            "on {list} ({kind}) by {decision} of {authority}, listed {listed_on} through {until}",
            until=entry.expires_on,
            **values,
        )
    return msg("on {list} ({kind}) by {decision} of {authority}, listed {listed_on}", **values)


def _repaired_by(penalty: Penalty, on_date: dt.date) -> bool:
    return penalty.repaired_on is not None and penalty.repaired_on <= on_date


def _penalty_window(measure: Measure, penalty: Penalty, on_date: dt.date) -> tuple[bool, dt.date | None, Msg]:
    """Whether `penalty` counts on `on_date` under the measure's duration, the first day it no
    longer does, and why. A lookback measure counts a decision for its years from the decision
    date, revoked ones never; a repaired one only where the measure says what it then does
    (`when_repaired`: credit repair ends publication, not the fact of the 重大违法记录)."""
    duration = measure.duration
    if duration.kind == "lookback_years" and duration.years is not None:
        lapses_on = add_months(penalty.decided_on, 12 * duration.years)
        not_revoked = penalty.status == "effective" or (penalty.revoked_on is not None and on_date < penalty.revoked_on)
        repaired = _repaired_by(penalty, on_date)
        counts = (
            not_revoked
            and (not repaired or measure.when_repaired is not None)
            and penalty.decided_on <= on_date < lapses_on
        )
        when = msg("within {years} years before {day}", years=duration.years, day=on_date)
        if repaired:
            when = msg(
                "{when}; repaired on {repaired_on}: the repair ends its publication but not the 重大违法记录 of "
                "{years} years; check it (shown to this screening agency only)",
                when=when,
                repaired_on=penalty.repaired_on,
                years=duration.years,
            )
        return counts, lapses_on, when
    end = penalty.publication_ends_on
    ends_on = end + dt.timedelta(days=1) if end is not None else None
    return penalty.in_force_on(on_date), ends_on, msg("in force until {end}", end=end) if end else msg("in force")


def _hit(
    measure: Measure, entries: Sequence[ListEntry], penalties: Sequence[Penalty], domain: str, on_date: dt.date
) -> MeasureHit | None:
    records: list[TriggeringRecord] = []
    incentive = measure.effect == "incentive"
    for entry in entries:
        # Red lists give incentives only, and only red lists give incentives, whatever the data says.
        if (entry.list_type == "red") != incentive:
            continue
        if any(t.matches_entry(entry) and t.concerns(entry.domains, domain) for t in measure.triggers):
            # The first day it no longer counts: the day after its last day in force.
            lapses_on = entry.expires_on + dt.timedelta(days=1) if entry.expires_on else None
            records.append(TriggeringRecord("list_entry", entry.id, _entry_reason(entry), lapses_on))
    if not incentive:
        for penalty in penalties:
            counts, ends_on, when = _penalty_window(measure, penalty, on_date)
            if not counts:
                continue
            for trigger in measure.triggers:
                why = trigger.penalty.explain(penalty) if trigger.penalty is not None else None
                if why is not None and trigger.concerns((penalty.domain,), domain):
                    reason = msg(
                        "penalty {decision} of {authority} decided {decided_on}: {why}; {when}",
                        decision=penalty.decision_number,
                        authority=penalty.authority.name,
                        decided_on=penalty.decided_on,
                        why=why,
                        when=when,
                    )
                    records.append(
                        TriggeringRecord("penalty", penalty.id, reason, ends_on, _repaired_by(penalty, on_date))
                    )
                    break
    return MeasureHit(measure, tuple(records)) if records else None


def match_measures(
    entries: Iterable[ListEntry],
    penalties: Iterable[Penalty],
    domain: str,
    on_date: dt.date,
    measures: Iterable[Measure],
    *,
    persons_only_too: bool = False,
) -> list[MeasureHit]:
    """The measures in `domain` that one entity's `entries` and `penalties` set off on `on_date`.

    Pure (no queries): callers that already hold the records, such as a batch screening, use
    this. Hits come block first, then review, then incentive; within an effect, in catalogue order.
    Measures that reach only a record's 失信相关人 (`persons.only`) count for the entity itself
    only when `persons_only_too` (the person look-up and the reach across domains ask for them).
    """
    if not persons_only_too:
        measures = [m for m in measures if m.persons is None or not m.persons.only]
    in_force = sorted((e for e in entries if e.in_force_on(on_date)), key=lambda e: (e.listed_on, e.id))
    counted = sorted(penalties, key=lambda p: (p.decided_on, p.id))
    hits = [
        hit
        for measure in measures
        if domain in measure.domains
        if (hit := _hit(measure, in_force, counted, domain, on_date)) is not None
    ]
    hits.sort(key=lambda h: EFFECT_ORDER.index(h.effect))  # stable: catalogue order within an effect
    return hits


def records_by_entity(
    session: Session, ids: Sequence[int], on_date: dt.date
) -> tuple[dict[int, list[ListEntry]], dict[int, list[Penalty]]]:
    """The list entries and penalties of `ids` that can count on `on_date`: two queries."""
    entries: dict[int, list[ListEntry]] = defaultdict(list)
    penalties: dict[int, list[Penalty]] = defaultdict(list)
    # Only what can count on on_date; the models' own rules (in_force_on) decide the rest. A
    # record removed, repaired or revoked after on_date still counted on it (a look-up "as of"
    # a day before the change), so the stored status alone does not exclude it.
    for entry in session.scalars(
        sa.select(ListEntry)
        .where(
            ListEntry.entity_id.in_(ids),
            sa.or_(ListEntry.status == "active", ListEntry.status_changed_on > on_date),
            ListEntry.listed_on <= on_date,
            sa.or_(ListEntry.expires_on.is_(None), ListEntry.expires_on >= on_date),
        )
        .options(
            joinedload(ListEntry.domain_rows),
            joinedload(ListEntry.authority).lazyload("*"),
            lazyload(ListEntry.transitions),
            lazyload(ListEntry.responsible_persons),
        )
    ).unique():
        entries[entry.entity_id].append(entry)
    for penalty in session.scalars(
        sa.select(Penalty)
        .where(
            Penalty.entity_id.in_(ids),
            sa.or_(Penalty.status == "effective", Penalty.revoked_on > on_date),
            Penalty.decided_on <= on_date,
        )
        .options(joinedload(Penalty.authority).lazyload("*"), lazyload(Penalty.responsible_persons))
    ):
        penalties[penalty.entity_id].append(penalty)
    return entries, penalties


def measures_by_entity(
    session: Session, entity_ids: Collection[int], domain: str, on_date: dt.date, measures: Sequence[Measure]
) -> dict[int, list[MeasureHit]]:
    """`applicable_measures` for many entities at once: two queries in all, whatever their number."""
    if domain not in DOMAINS:
        raise InvalidInput.field("domain", msg("must be one of {values}", values=", ".join(DOMAINS)))
    ids = sorted(set(entity_ids))
    entries: dict[int, list[ListEntry]] = defaultdict(list)
    penalties: dict[int, list[Penalty]] = defaultdict(list)
    if ids and select_measures(measures, domain=domain):
        entries, penalties = records_by_entity(session, ids, on_date)
    return {i: match_measures(entries[i], penalties[i], domain, on_date, measures) for i in ids}


def applicable_measures(
    session: Session, entity_id: int, domain: str, on_date: dt.date, measures: Sequence[Measure]
) -> list[MeasureHit]:
    """The measures in force for one entity in `domain` on `on_date`, each with the records that
    trigger it; block first, then review, then incentive. Loads the entity's list entries and
    penalties with two queries."""
    return measures_by_entity(session, [entity_id], domain, on_date, measures)[entity_id]
