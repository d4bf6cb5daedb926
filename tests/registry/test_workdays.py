"""WorkCalendar without a database: the package's years, loaded overrides and the provisional fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.workdays import Answer, WorkCalendar

D = dt.date
PACKAGE = WorkCalendar()

# 2026's make-up workdays (调休上班), all at weekends, from the State Council's notice.
MAKE_UP_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


@pytest.mark.parametrize("day", MAKE_UP_2026, ids=str)
def test_2026_make_up_workdays_are_working_days(day: dt.date) -> None:
    assert day.weekday() >= 5
    assert PACKAGE.is_working_day(day) == Answer(True, provisional=False)


@pytest.mark.parametrize("day", [D(2026, 10, d) for d in range(1, 8)], ids=str)
def test_national_day_week_is_off(day: dt.date) -> None:
    assert PACKAGE.is_working_day(day) == Answer(False, provisional=False)


def test_ordinary_days_follow_their_weekday() -> None:
    assert PACKAGE.is_working_day(D(2026, 11, 23)).value is True  # a Monday
    assert PACKAGE.is_working_day(D(2026, 11, 22)).value is False  # a Sunday


def test_a_seven_working_day_deadline_crosses_national_day() -> None:
    # From the Mid-Autumn holiday (Fri 25 Sep): 28, 29, 30 Sep, then 1–7 Oct off,
    # 8, 9 Oct, Saturday 10 Oct (调休), Sunday 11 off, Monday 12 Oct is the seventh.
    assert PACKAGE.add_working_days(D(2026, 9, 25), 7) == Answer(D(2026, 10, 12), provisional=False)


def test_a_one_working_day_deadline_on_the_eve_of_national_day() -> None:
    assert PACKAGE.add_working_days(D(2026, 9, 30), 1).value == D(2026, 10, 8)


def test_working_days_between_across_national_day() -> None:
    # 28 Sep–12 Oct: 28, 29, 30 Sep, 8, 9, 10, 12 Oct.
    assert PACKAGE.working_days_between(D(2026, 9, 27), D(2026, 10, 12)) == Answer(7, provisional=False)
    assert PACKAGE.working_days_between(D(2026, 10, 12), D(2026, 9, 27)) == Answer(-7, provisional=False)
    assert PACKAGE.working_days_between(D(2026, 10, 1), D(2026, 10, 7)).value == 0
    assert PACKAGE.working_days_between(D(2026, 10, 5), D(2026, 10, 5)).value == 0


def test_add_and_between_agree() -> None:
    start = D(2026, 9, 18)
    for days in range(0, 25):
        due = PACKAGE.add_working_days(start, days).value
        assert PACKAGE.working_days_between(start, due).value == days


def test_adding_zero_days_gives_the_start_even_on_a_holiday() -> None:
    assert PACKAGE.add_working_days(D(2026, 10, 3), 0) == Answer(D(2026, 10, 3), provisional=False)
    assert PACKAGE.add_working_days(D(2027, 3, 1), 0) == Answer(D(2027, 3, 1), provisional=False)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        PACKAGE.add_working_days(D(2026, 9, 25), -1)


def test_a_year_without_package_or_override_is_provisional_weekends_only() -> None:
    assert PACKAGE.source(2027) == "provisional"
    # 1 Jan 2027 is a Friday: New Year's Day, but without the notice it is assumed to be worked.
    assert PACKAGE.is_working_day(D(2027, 1, 1)) == Answer(True, provisional=True)
    assert PACKAGE.is_working_day(D(2027, 1, 2)) == Answer(False, provisional=True)
    assert PACKAGE.add_working_days(D(2027, 1, 1), 1) == Answer(D(2027, 1, 4), provisional=True)


def test_an_answer_is_provisional_when_it_crosses_into_an_unknown_year() -> None:
    # From Wed 30 Dec 2026: 31 Dec (package), then Fri 1 Jan 2027 (assumed).
    assert PACKAGE.add_working_days(D(2026, 12, 30), 1) == Answer(D(2026, 12, 31), provisional=False)
    assert PACKAGE.add_working_days(D(2026, 12, 30), 2) == Answer(D(2027, 1, 1), provisional=True)
    assert PACKAGE.working_days_between(D(2026, 12, 1), D(2027, 1, 1)).provisional is True


OVERRIDES_2027 = {
    D(2027, 1, 1): False,  # a holiday on a Friday
    D(2027, 2, 6): True,  # a make-up workday on a Saturday
}


def test_an_override_year_is_not_provisional_and_honours_its_days() -> None:
    calendar = WorkCalendar(OVERRIDES_2027, {2027})
    assert calendar.source(2027) == "override"
    assert calendar.is_working_day(D(2027, 1, 1)) == Answer(False, provisional=False)
    assert calendar.is_working_day(D(2027, 2, 6)) == Answer(True, provisional=False)
    # Days the notice does not name follow their weekday, and that is no longer an assumption.
    assert calendar.is_working_day(D(2027, 1, 4)) == Answer(True, provisional=False)
    assert calendar.is_working_day(D(2027, 1, 2)) == Answer(False, provisional=False)
    # From Thu 31 Dec 2026: 1 Jan off, 2–3 weekend, Monday 4 Jan.
    assert calendar.add_working_days(D(2026, 12, 31), 1) == Answer(D(2027, 1, 4), provisional=False)
    # Mon 1 Feb–Sat 6 Feb: five weekdays plus the make-up Saturday.
    assert calendar.working_days_between(D(2027, 1, 31), D(2027, 2, 6)) == Answer(6, provisional=False)


def test_an_override_corrects_a_package_year() -> None:
    calendar = WorkCalendar({D(2026, 11, 23): False}, {2026})
    assert calendar.source(2026) == "override"
    assert calendar.is_working_day(D(2026, 11, 23)) == Answer(False, provisional=False)
    # A loaded year is the whole truth for that year: the package's days no longer count.
    assert calendar.is_working_day(D(2026, 10, 10)) == Answer(False, provisional=False)


def test_sources_name_every_year_an_answer_spans() -> None:
    calendar = WorkCalendar(OVERRIDES_2027, {2027})
    assert calendar.sources(D(2026, 12, 30), D(2028, 1, 3)) == {
        2026: "package", 2027: "override", 2028: "provisional",
    }
    assert calendar.sources(D(2028, 1, 3), D(2028, 1, 1)) == {2028: "provisional"}
    assert PACKAGE.source(2003) == "provisional"
    assert PACKAGE.source(2004) == "package"
