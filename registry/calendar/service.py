"""The working-day calendar's overrides: a year's holidays and make-up workdays (调休安排).

Each year the State Council General Office (国务院办公厅) publishes a notice on the next
year's public holidays (《国务院办公厅关于20XX年部分节假日安排的通知》). For a year the
`chinesecalendar` package does not know (or gets wrong), an administrator loads that
notice here; until then the year's working days are only assumed (weekends and the fixed statutory holidays, without 调休) and every
answer resting on them is provisional (see `registry.calendar.workdays`).

Only the days that differ from their weekday are stored: a holiday on a weekday, a make-up
workday (调休上班) at a weekend. Every other day of a loaded year follows its weekday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from registry.access import require_role
from registry.calendar.workdays import WorkCalendar
from registry.catalogue import Catalogue
from registry.database import utcnow
from registry.errors import InvalidInput, NotFound, said
from registry.ledger import Actor, append_audit
from registry.messages import Text, msg
from registry.models import CalendarDay, CalendarYear
from registry.publication import Rules
from registry.records.recompute import RecomputeReport, recompute_derived_dates
from registry.vocab import term, terms

# kind → is_workday: a holiday (放假) is a day off, a make-up workday (调休上班) a working day.
KINDS: dict[str, bool] = {"holiday": False, "workday": True}
SOURCES = ("override", "package", "provisional")
# Years a notice can be loaded for: wide enough for any real use, narrow enough to catch a typo (207, 20277).
FIRST_YEAR, LAST_YEAR = 1949, 2199
NOTICE_MAX, NAME_MAX = 500, 100  # the column sizes of calendar_years.notice and calendar_days.name
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_NAMES = dict(
    zip(WEEKDAYS, ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"), strict=True)
)
_KIND_NAMES = {"holiday": "放假日", "workday": "调休上班日"}


@dataclass(frozen=True)
class OverrideDay:
    """One day a notice changes: a `holiday` on a weekday or a make-up `workday` at a weekend."""

    date: dt.date
    kind: str
    name: str | None

    def snapshot(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "kind": self.kind, "name": self.name}


@dataclass(frozen=True)
class LoadedYear:
    """A year an administrator loaded: the notice it comes from and the days it changes."""

    year: int
    notice: str
    loaded_at: dt.datetime
    loaded_by: str
    days: list[OverrideDay]
    source: str = "override"
    recomputed: RecomputeReport | None = None  # set when loading changed the calendar

    def snapshot(self) -> dict[str, Any]:
        """The year as the audit log keeps it."""
        return {"year": self.year, "notice": self.notice, "days": [d.snapshot() for d in self.days]}


@dataclass(frozen=True)
class YearSource:
    """Where the answers for a year come from, and the loaded overrides if that is the source."""

    year: int
    source: str
    loaded: LoadedYear | None
    recomputed: RecomputeReport | None = None  # set when deleting changed the calendar


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput.field(
            "year",
            msg("must be a year from {first} to {last}, not {year}", first=FIRST_YEAR, last=LAST_YEAR, year=year),
        )


def _clean_days(year: int, days: Sequence[Mapping[str, Any]]) -> tuple[list[OverrideDay], dict[str, list[Text]]]:
    """The days sorted by date, and every problem found, each under its entry (`days.3`)."""
    errors: dict[str, list[Text]] = {}
    clean: list[OverrideDay] = []
    seen: dict[dt.date, int] = {}
    if not days:
        errors["days"] = ["name at least one day: the holidays and make-up workdays of the notice"]
    for i, entry in enumerate(days):
        at = f"days.{i}"
        date, kind, name = entry.get("date"), entry.get("kind"), entry.get("name")
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            errors[f"{at}.date"] = ["must be a date (YYYY-MM-DD)"]
            continue
        if kind not in KINDS:
            errors[f"{at}.kind"] = [msg("must be one of {values}", values=terms(_KIND_NAMES))]
            continue
        if name is not None and not isinstance(name, str):
            errors[f"{at}.name"] = ["must be text"]
            continue
        name = (name or "").strip() or None
        if name is not None and len(name) > NAME_MAX:
            errors[f"{at}.name"] = [msg("must be at most {count} characters", count=NAME_MAX)]
            continue
        if date.year != year:
            errors[f"{at}.date"] = [msg("{day} is not in {year}: a notice covers one year", day=date, year=year)]
            continue
        if date in seen:
            errors[f"{at}.date"] = [msg("{day} is already given at days.{index}", day=date, index=seen[date])]
            continue
        seen[date] = i
        weekend = date.weekday() >= 5
        weekday = term(_WEEKDAY_NAMES, WEEKDAYS[date.weekday()])
        if kind == "holiday" and weekend:
            errors[at] = [
                msg(
                    "{day} is a {weekday}: a weekend is off anyway, so a holiday there changes nothing; list only "
                    "holidays that fall on weekdays",
                    day=date,
                    weekday=weekday,
                )
            ]
            continue
        if kind == "workday" and not weekend:
            errors[at] = [
                msg(
                    "{day} is a {weekday}: it is a working day anyway; a make-up workday (调休上班) falls on a "
                    "Saturday or Sunday",
                    day=date,
                    weekday=weekday,
                )
            ]
            continue
        clean.append(OverrideDay(date=date, kind=kind, name=name))
    return sorted(clean, key=lambda d: d.date), errors


def _refused(year: int, errors: dict[str, list[Text]]) -> InvalidInput:
    return InvalidInput(
        msg("the calendar for {year} was not loaded: {summary}", year=year, summary=said(errors)), errors
    )


def _loaded(row: CalendarYear) -> LoadedYear:
    return LoadedYear(
        year=row.year,
        notice=row.notice,
        loaded_at=row.loaded_at,
        loaded_by=row.loaded_by,
        days=[
            OverrideDay(date=d.day, kind="workday" if d.is_workday else "holiday", name=d.name)
            for d in sorted(row.days, key=lambda d: d.day)
        ],
    )


def load_calendar_year(
    session: Session,
    year: int,
    notice: str,
    days: Sequence[Mapping[str, Any]],
    actor: Actor,
    *,
    catalogue: Catalogue,
) -> LoadedYear:
    """Load a year's holidays and make-up workdays (admin); replaces what was loaded for it before.

    `days` are mappings of `date`, `kind` ("holiday" on a weekday or "workday" at a weekend)
    and `name` (元旦, 春节 …). `notice` is the title of the State Council General Office
    notice they come from. Loading the same content again changes nothing. Every stored
    deadline is then counted again with the new calendar, in the same transaction.
    """
    require_role(actor, "admin")
    _check_year(year)
    errors: dict[str, list[Text]] = {}
    notice = (notice or "").strip()
    if not notice:
        errors["notice"] = ["name the State Council General Office notice the days come from"]
    elif len(notice) > NOTICE_MAX:
        errors["notice"] = [msg("must be at most {count} characters", count=NOTICE_MAX)]
    clean, day_errors = _clean_days(year, days)
    errors.update(day_errors)
    if errors:
        raise _refused(year, errors)

    # The row lock (PostgreSQL) makes two administrators loading the same year take turns.
    row = session.get(CalendarYear, year, with_for_update=True)
    before = _loaded(row).snapshot() if row is not None else None
    after = {"year": year, "notice": notice, "days": [d.snapshot() for d in clean]}
    if row is not None and before == after:
        return _loaded(row)

    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    else:
        row.days.clear()
        # The old days must be gone before new ones with the same dates are inserted.
        session.flush()
    row.notice = notice
    row.loaded_at = utcnow()
    row.loaded_by = actor.label
    row.days.extend(CalendarDay(day=d.date, is_workday=KINDS[d.kind], name=d.name) for d in clean)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="load",
        record_type="calendar_year",
        record_id=year,
        before=before,
        after=after,
    )
    report = recompute_derived_dates(session, Rules(catalogue, WorkCalendar.load(session)), actor)
    return replace(_loaded(row), recomputed=report)


def calendar_year(session: Session, year: int) -> LoadedYear:
    """The overrides loaded for `year`, or NotFound if none were."""
    row = session.get(CalendarYear, year)
    if row is None:
        raise NotFound(msg("no calendar was loaded for {year}", year=year))
    return _loaded(row)


def describe_calendar_year(session: Session, year: int) -> YearSource:
    """Where `year`'s working days come from (override, package or provisional), with the overrides if loaded."""
    _check_year(year)
    row = session.get(CalendarYear, year)
    if row is not None:
        return YearSource(year=year, source="override", loaded=_loaded(row))
    return YearSource(year=year, source=WorkCalendar().source(year), loaded=None)


def delete_calendar_year(session: Session, year: int, actor: Actor, *, catalogue: Catalogue) -> YearSource:
    """Remove a loaded year (admin); its days then come from the package or are provisional again,
    and every stored deadline is counted again, in the same transaction."""
    require_role(actor, "admin")
    row = session.get(CalendarYear, year, with_for_update=True)
    if row is None:
        raise NotFound(msg("no calendar was loaded for {year}", year=year))
    # Reading the days loads them, so the session deletes them with the year and keeps
    # none that the database no longer has.
    before = _loaded(row).snapshot()
    session.delete(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="delete",
        record_type="calendar_year",
        record_id=year,
        before=before,
        after=None,
    )
    report = recompute_derived_dates(session, Rules(catalogue, WorkCalendar.load(session)), actor)
    return YearSource(year=year, source=WorkCalendar().source(year), loaded=None, recomputed=report)
