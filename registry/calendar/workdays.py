"""Working days in China (工作日): weekends and statutory holidays off, make-up workdays (调休) on.

The `chinesecalendar` package knows the State Council's arrangements for the years it ships
(2004–2026 in 1.11). For other years an administrator loads the year's notice into the
override table. A year with neither is provisional: weekends and the fixed statutory holidays
of 《全国年节及纪念日放假办法》 (`registry.calendar.holidays`: 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节,
国庆节) are off, every other day is worked. Every answer that rested on such a day says so
(`provisional`), because the make-up days off (补假) and the swaps (调休) of that year are only
known from the General Office's notice, and a deadline counted without them may be wrong.

From 1 November (`WARN_FROM`) the registry warns, in /readyz, the metrics and
`flask registry calendar show`, when next year is still provisional (`calendar_outlook`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

import chinese_calendar
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.calendar.holidays import is_statutory_holiday
from registry.models import CalendarDay, CalendarYear

T = TypeVar("T")
ONE_DAY = dt.timedelta(days=1)
# (month, day) from which a provisional next year is warned about: the General Office's notice
# for next year usually comes out in the autumn, and deadlines counted in November and
# December already reach into the new year.
WARN_FROM = (11, 1)


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A calendar answer, and whether any day behind it was only assumed (a provisional year)."""

    value: T
    provisional: bool


class WorkCalendar:
    """Answers about working days from the package plus the loaded overrides."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None, loaded_years: set[int] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._loaded_years = set(loaded_years or ())

    @classmethod
    def load(cls, session: Session) -> WorkCalendar:
        """The calendar with every override an administrator has loaded."""
        days = {row.day: row.is_workday for row in session.scalars(sa.select(CalendarDay))}
        return cls(days, loaded_years(session))

    def source(self, year: int) -> str:
        """Where answers for `year` come from: 'override', 'package' or 'provisional'."""
        if year in self._loaded_years:
            return "override"
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return "provisional"
        return "package"

    def sources(self, first: dt.date, last: dt.date) -> dict[int, str]:
        """The source of each year from `first`'s to `last`'s (in either order): what an answer rested on."""
        low, high = sorted((first.year, last.year))
        return {year: self.source(year) for year in range(low, high + 1)}

    def _is_workday(self, day: dt.date) -> tuple[bool, bool]:
        if day in self._overrides:
            return self._overrides[day], False
        if day.year in self._loaded_years:
            return day.weekday() < 5, False
        try:
            return bool(chinese_calendar.is_workday(day)), False
        except NotImplementedError:
            return day.weekday() < 5 and not is_statutory_holiday(day), True

    def is_working_day(self, day: dt.date) -> Answer[bool]:
        """Whether `day` is a working day (工作日)."""
        value, provisional = self._is_workday(day)
        return Answer(value, provisional)

    def add_working_days(self, start: dt.date, days: int) -> Answer[dt.date]:
        """The `days`-th working day after `start` (start itself is not counted; 0 gives start).

        A deadline of "7 working days from the decision" is add_working_days(decided_on, 7).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day, provisional, left = start, False, days
        while left:
            day += ONE_DAY
            workday, assumed = self._is_workday(day)
            provisional = provisional or assumed
            if workday:
                left -= 1
        return Answer(day, provisional)

    def working_days_between(self, start: dt.date, end: dt.date) -> Answer[int]:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            back = self.working_days_between(end, start)
            return Answer(-back.value, back.provisional)
        count, provisional, day = 0, False, start
        while day < end:
            day += ONE_DAY
            workday, assumed = self._is_workday(day)
            provisional = provisional or assumed
            count += workday
        return Answer(count, provisional)


def loaded_years(session: Session) -> set[int]:
    """The years an administrator has loaded a notice for (without their days)."""
    return set(session.scalars(sa.select(CalendarYear.year)))


@dataclass(frozen=True)
class Outlook:
    """On `today`: where this year's and next year's working days come from, and what to warn about."""

    today: dt.date
    year: int
    source: str
    next_year: int
    next_source: str
    warning: str | None

    @property
    def next_year_known(self) -> bool:
        """Whether next year's arrangement is known (loaded, or in the package), not assumed."""
        return self.next_source != "provisional"

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "source": self.source,
            "next_year": self.next_year,
            "next_year_source": self.next_source,
            "warning": self.warning,
        }


def calendar_outlook(today: dt.date, loaded: set[int] | frozenset[int] = frozenset()) -> Outlook:
    """What the calendar knows on `today`, given the `loaded` years, and the warning to give.

    A warning is given when this year is provisional (any day of the year), or, from
    `WARN_FROM` (1 November), when next year is: its notice (放假安排) is not loaded, so a
    deadline running past 31 December is provisional.
    """
    calendar = WorkCalendar(loaded_years=set(loaded))
    year, next_year = today.year, today.year + 1
    source, next_source = calendar.source(year), calendar.source(next_year)
    warning = None
    load = "load it with `flask registry calendar load FILE` (docs/calendar.md)"
    if source == "provisional":
        warning = (
            f"this year's 放假安排 notice (国务院办公厅关于{year}年部分节假日安排的通知) is not loaded: "
            f"working days in {year} are provisional (statutory holidays assumed, 补假 and 调休 unknown); {load}"
        )
    elif next_source == "provisional" and (today.month, today.day) >= WARN_FROM:
        warning = (
            f"next year's 放假安排 notice (国务院办公厅关于{next_year}年部分节假日安排的通知) is not loaded: "
            f"deadlines after {year}-12-31 are provisional; {load}"
        )
    return Outlook(today, year, source, next_year, next_source, warning)


def outlook_of(session: Session, today: dt.date) -> Outlook:
    """`calendar_outlook` with the years loaded in the database."""
    return calendar_outlook(today, loaded_years(session))


def readiness(session: Session, today: dt.date) -> dict[str, object]:
    """The calendar's outlook for the readiness probe, or the error's name when it cannot be read
    (e.g. the calendar tables are not migrated yet); a failed read is rolled back."""
    try:
        return outlook_of(session, today).as_dict()
    except sa.exc.SQLAlchemyError as exc:
        session.rollback()
        return {"error": type(exc).__name__}
