"""公开时效 / 监督检查: which authority published its records on time, late or not at all.

Every record whose decision date (a penalty's decided_on, a list entry's listed_on) lies in
the period falls, as of `today`, in exactly one bucket:

- ``on_time``: first published on or before its due date (the China date of first_published_at);
- ``late``: published after its due date;
- ``overdue``: not published (as of `today`) and `today` is past the due date;
- ``pending``: not published and not yet due;
- ``exempt``: not to be published: kept from the public with a reason (不公开, 保密审查:
  ``not_public``), a minor penalty the rules do not publish (``not_publishable``), or a
  record that ended (revoked, removed, repaired, expired) unpublished by its due date, so
  that there was nothing left to publish (``ended``).

A record that was published and later withdrawn from the public is judged on when it was
published: withdrawing it does not turn a late publication into an exemption.

How an unpublished record arises: the services stamp first_published_at when a record is
recorded (or corrected to be) public, so a record that is public but was never published
comes from outside, e.g. imported from another system with no publication time. Such a
record is overdue once its due date has passed; if it ends later, unpublished, its working
days overdue are counted up to the day it ended.

The due date is the one stored on the record (rule and calendar as they stood when it was
recorded), except where none is stored (records older than the deadline rules) or it rested
on a provisional calendar: those are counted again with the calendar of today, which may
have an override for that year by now.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.calendar.workdays import Answer, WorkCalendar
from registry.errors import InvalidInput
from registry.ledger import Actor
from registry.messages import msg
from registry.models import Authority
from registry.publication import Rules, add_months
from registry.records.due_records import (
    DueRecord,
    licence_due_records,
    list_entry_due_records,
    penalty_due_records,
    report_scope,
)

RECORD_TYPES = ("penalty", "list_entry", "licence")
BUCKETS = ("on_time", "late", "overdue", "pending", "exempt")
EXEMPT_REASONS = ("not_public", "not_publishable", "ended")
# A longer period is a bulk export, not a report; three years is the longest publication period.
MAX_PERIOD_MONTHS = 36


@dataclass(frozen=True)
class Judgement:
    """One record's place in the report."""

    bucket: str
    exempt_reason: str | None = None


@dataclass(frozen=True)
class AuthorityTimeliness:
    """The figures of one authority (or, with authority_id None, of all of them together)."""

    authority_id: int | None
    authority_name: str | None
    records: int
    on_time: int
    late: int
    overdue: int
    pending: int
    exempt: int
    exempt_not_public: int
    exempt_not_publishable: int
    exempt_ended: int
    # on_time / (on_time + late + overdue); None when no record was due.
    on_time_rate: float | None
    # Working days from the decision to the first publication, over the published records.
    median_delay_working_days: float | None
    # Working days after the due date, over the late records.
    median_working_days_late: float | None
    # Whether any figure above rests on a provisional calendar.
    provisional: bool


@dataclass(frozen=True)
class OverdueRecord:
    """A record that should have been published and was not (as of the report's day)."""

    record_type: str
    record_id: int
    authority_id: int
    authority_name: str
    subject_name: str
    decision_number: str
    decided_on: dt.date
    due_on: dt.date
    working_days_overdue: int
    provisional: bool


@dataclass(frozen=True)
class TimelinessReport:
    date_from: dt.date
    date_to: dt.date
    today: dt.date
    record_types: tuple[str, ...]
    authorities: list[AuthorityTimeliness]
    total: AuthorityTimeliness
    overdue: list[OverdueRecord]


def judge(
    *,
    publishable: bool,
    is_public: bool,
    published_on: dt.date | None,
    due_on: dt.date,
    today: dt.date,
    ended_on: dt.date | None = None,
) -> Judgement:
    """The bucket of one record as of `today` (a publication, or an end, after `today` has not
    happened yet). `ended_on`: the day it was revoked, removed, repaired or expired, if it was."""
    if not publishable:
        return Judgement("exempt", "not_publishable")
    if published_on is not None and published_on <= today:
        return Judgement("on_time" if published_on <= due_on else "late")
    if not is_public:
        return Judgement("exempt", "not_public")
    if ended_on is not None and ended_on <= today and ended_on <= due_on:
        return Judgement("exempt", "ended")
    return Judgement("overdue" if today > due_on else "pending")


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    """Refuse a reversed period or one longer than MAX_PERIOD_MONTHS (422 naming the argument)."""
    if date_to < date_from:
        raise InvalidInput.field(
            "date_to", msg("{day} is before the start of the period, {start}", day=date_to, start=date_from)
        )
    if date_to >= add_months(date_from, MAX_PERIOD_MONTHS):
        raise InvalidInput.field(
            "date_to",
            msg(
                "a report covers at most {years} years: end before {day}",
                years=MAX_PERIOD_MONTHS // 12,
                day=add_months(date_from, MAX_PERIOD_MONTHS),
            ),
        )


class _WorkingDays:
    """Working days over one span, counted once (prefix sums), so each record costs O(1).

    between(a, b) answers exactly what WorkCalendar.working_days_between(a, b) does.
    """

    def __init__(self, calendar: WorkCalendar, first: dt.date, last: dt.date) -> None:
        self._calendar, self._first, self._last = calendar, first, last
        self._workdays, self._assumed = [0], [0]
        for offset in range((last - first).days):
            answer = calendar.is_working_day(first + dt.timedelta(days=offset + 1))
            self._workdays.append(self._workdays[-1] + answer.value)
            self._assumed.append(self._assumed[-1] + answer.provisional)

    def between(self, start: dt.date, end: dt.date) -> Answer[int]:
        if not (self._first <= start <= self._last and self._first <= end <= self._last):
            return self._calendar.working_days_between(start, end)
        low, high = sorted(((start - self._first).days, (end - self._first).days))
        count = self._workdays[high] - self._workdays[low]
        assumed = self._assumed[high] > self._assumed[low]
        return Answer(count if end >= start else -count, assumed)


def _overdue_until(record: DueRecord, today: dt.date) -> dt.date:
    """An overdue record stops falling further behind when it ends (nothing is left to publish)."""
    return record.ended_on if record.ended_on is not None and record.ended_on < today else today


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _figures(
    authority_id: int | None,
    name: str | None,
    judged: Iterable[tuple[DueRecord, Judgement]],
    days: _WorkingDays,
    today: dt.date,
) -> AuthorityTimeliness:
    counts: dict[str, int] = dict.fromkeys((*BUCKETS, *EXEMPT_REASONS), 0)
    delays: list[int] = []
    late_by: list[int] = []
    provisional = False
    records = 0
    for record, judgement in judged:
        records += 1
        counts[judgement.bucket] += 1
        if judgement.exempt_reason:
            counts[judgement.exempt_reason] += 1
            continue
        provisional = provisional or record.due_provisional
        if record.published_on is not None and judgement.bucket in ("on_time", "late"):
            delay = days.between(record.decided_on, record.published_on)
            delays.append(delay.value)
            provisional = provisional or delay.provisional
            if judgement.bucket == "late":
                late = days.between(record.due_on, record.published_on)
                late_by.append(late.value)
                provisional = provisional or late.provisional
        elif judgement.bucket == "overdue":
            provisional = provisional or days.between(record.due_on, _overdue_until(record, today)).provisional
    due = counts["on_time"] + counts["late"] + counts["overdue"]
    return AuthorityTimeliness(
        authority_id=authority_id,
        authority_name=name,
        records=records,
        on_time=counts["on_time"],
        late=counts["late"],
        overdue=counts["overdue"],
        pending=counts["pending"],
        exempt=counts["exempt"],
        exempt_not_public=counts["not_public"],
        exempt_not_publishable=counts["not_publishable"],
        exempt_ended=counts["ended"],
        on_time_rate=round(counts["on_time"] / due, 4) if due else None,
        median_delay_working_days=_median(delays),
        median_working_days_late=_median(late_by),
        provisional=provisional,
    )


def timeliness_report(
    session: Session,
    actor: Actor,
    rules: Rules,
    *,
    today: dt.date,
    date_from: dt.date,
    date_to: dt.date,
    authority_id: int | None = None,
    record_types: Sequence[str] = RECORD_TYPES,
) -> TimelinessReport:
    """公开时效 report: per authority and in total, records published on time, late or not at
    all, with the overdue records (admin and platform: every authority; a supervisor: its own)."""
    scope = report_scope(actor, session, authority_id)
    check_period(date_from, date_to)
    kinds = tuple(dict.fromkeys(record_types))
    unknown = [kind for kind in kinds if kind not in RECORD_TYPES]
    if not kinds or unknown:
        raise InvalidInput.field("record_types", msg("choose from {values}", values=", ".join(RECORD_TYPES)))

    records: list[DueRecord] = []
    if "penalty" in kinds:
        records += penalty_due_records(session, rules, date_from, date_to, scope)
    if "list_entry" in kinds:
        records += list_entry_due_records(session, rules, date_from, date_to, scope)
    if "licence" in kinds:
        records += licence_due_records(session, rules, date_from, date_to, scope)

    wanted_ids = {r.authority_id for r in records} | ({scope} if scope is not None else set())
    names: dict[int, str] = {}
    if wanted_ids:
        rows = session.execute(sa.select(Authority.id, Authority.name).where(Authority.id.in_(wanted_ids)))
        names = {row.id: row.name for row in rows}

    judged = [
        (
            r,
            judge(
                publishable=r.publishable,
                is_public=r.is_public,
                published_on=r.published_on,
                due_on=r.due_on,
                today=today,
                ended_on=r.ended_on,
            ),
        )
        for r in records
    ]
    span: list[dt.date] = [today]
    for r in records:
        span += [r.decided_on, r.due_on] + ([r.published_on] if r.published_on else [])
    days = _WorkingDays(rules.calendar, min(span), max(span))

    by_authority: dict[int, list[tuple[DueRecord, Judgement]]] = {a: [] for a in wanted_ids}
    for pair in judged:
        by_authority[pair[0].authority_id].append(pair)
    overdue = []
    for record, judgement in judged:
        if judgement.bucket == "overdue":
            late = days.between(record.due_on, _overdue_until(record, today))
            overdue.append(
                OverdueRecord(
                    record.record_type,
                    record.record_id,
                    record.authority_id,
                    names[record.authority_id],
                    record.subject_name,
                    record.decision_number,
                    record.decided_on,
                    record.due_on,
                    late.value,
                    record.due_provisional or late.provisional,
                )
            )
    overdue.sort(key=lambda o: (-o.working_days_overdue, o.due_on, o.record_type, o.record_id))
    return TimelinessReport(
        date_from=date_from,
        date_to=date_to,
        today=today,
        record_types=kinds,
        authorities=[_figures(a, names[a], by_authority[a], days, today) for a in sorted(by_authority)],
        total=_figures(None, None, judged, days, today),
        overdue=overdue,
    )


@dataclass(frozen=True)
class PendingRecord:
    """A record not yet published whose disclosure deadline has not passed (即将到期)."""

    record_type: str
    record_id: int
    authority_id: int
    subject_name: str
    decision_number: str
    decided_on: dt.date
    due_on: dt.date
    working_days_left: int
    provisional: bool


def pending_records(
    session: Session,
    actor: Actor,
    rules: Rules,
    *,
    today: dt.date,
    date_from: dt.date,
    date_to: dt.date,
    authority_id: int | None = None,
) -> list[PendingRecord]:
    """The records decided in the period that the report counts as pending (due, not yet late),
    soonest deadline first; the same scope as `timeliness_report`."""
    scope = report_scope(actor, session, authority_id)
    check_period(date_from, date_to)
    pending = []
    for r in (
        penalty_due_records(session, rules, date_from, date_to, scope)
        + list_entry_due_records(session, rules, date_from, date_to, scope)
        + licence_due_records(session, rules, date_from, date_to, scope)
    ):
        bucket = judge(
            publishable=r.publishable,
            is_public=r.is_public,
            published_on=r.published_on,
            due_on=r.due_on,
            today=today,
            ended_on=r.ended_on,
        ).bucket
        if bucket == "pending":
            left = rules.calendar.working_days_between(today, r.due_on)
            pending.append(
                PendingRecord(
                    r.record_type,
                    r.record_id,
                    r.authority_id,
                    r.subject_name,
                    r.decision_number,
                    r.decided_on,
                    r.due_on,
                    left.value,
                    r.due_provisional or left.provisional,
                )
            )
    pending.sort(key=lambda p: (p.due_on, p.record_type, p.record_id))
    return pending
