"""Working days in China (工作日): weekends and statutory holidays off, make-up workdays (调休) on.

The `chinesecalendar` package knows the State Council's arrangements for the years it ships
(2004–2026 in 1.11). For other years an administrator loads the year's notice into the
override table; a year with neither falls back to "Monday to Friday", and every answer that
rested on such a day says so (`provisional`), because a deadline counted that way may be wrong.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

import chinese_calendar
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import CalendarDay, CalendarYear

T = TypeVar("T")
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A calendar answer, and whether any day behind it was only assumed (weekends-only)."""

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
        years = set(session.scalars(sa.select(CalendarYear.year)))
        days = {row.day: row.is_workday for row in session.scalars(sa.select(CalendarDay))}
        return cls(days, years)

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
            return day.weekday() < 5, True

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
