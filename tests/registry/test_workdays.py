"""WorkCalendar without a database: the package's years, loaded overrides and the provisional fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.calendar.workdays import Answer, WorkCalendar, calendar_outlook

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


def test_a_year_without_package_or_override_is_provisional_with_its_statutory_holidays() -> None:
    """放假办法第二条第一项 (元旦, 1 January): off in a provisional year, and still marked provisional
    because 补假 (第六条) and 调休 (第七条) come only with the State Council General Office's notice."""
    assert PACKAGE.source(2027) == "provisional"
    # 1 Jan 2027 is a Friday: New Year's Day, off even without the notice.
    assert PACKAGE.is_working_day(D(2027, 1, 1)) == Answer(False, provisional=True)
    assert PACKAGE.is_working_day(D(2027, 1, 2)) == Answer(False, provisional=True)
    assert PACKAGE.is_working_day(D(2027, 1, 4)) == Answer(True, provisional=True)
    assert PACKAGE.add_working_days(D(2027, 1, 1), 1) == Answer(D(2027, 1, 4), provisional=True)


def test_seven_working_days_from_new_years_eve_2026() -> None:
    """放假办法第二条第一项: 2027-01-01 (Fri) is 元旦 and off, 2–3 January is a weekend; so from
    Thu 2026-12-31 the count runs Mon 4, 5, 6, 7, 8, Mon 11, Tue 12 January: provisional."""
    assert PACKAGE.add_working_days(D(2026, 12, 31), 7) == Answer(D(2027, 1, 12), provisional=True)
    assert PACKAGE.working_days_between(D(2026, 12, 31), D(2027, 1, 12)) == Answer(7, provisional=True)


def test_a_count_across_the_2027_spring_festival() -> None:
    """放假办法第二条第二项 as amended (春节 4 days: 农历除夕、正月初一至初三): in 2027 除夕 is Fri 5 Feb
    and 初一 Sat 6 Feb, so 5–8 February are off (with the weekend). From Wed 3 Feb: Thu 4 Feb,
    then Tue 9 and Wed 10 Feb. Provisional: the notice will add 补假 (第六条) and 调休 (第七条)."""
    for day in (D(2027, 2, 5), D(2027, 2, 8)):
        assert PACKAGE.is_working_day(day) == Answer(False, provisional=True)
    assert PACKAGE.add_working_days(D(2027, 2, 3), 3) == Answer(D(2027, 2, 10), provisional=True)
    # Sun 31 Jan to Sun 14 Feb: Mon–Thu 1–4 Feb and Tue–Fri 9–12 Feb.
    assert PACKAGE.working_days_between(D(2027, 1, 31), D(2027, 2, 14)) == Answer(8, provisional=True)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2027, 4, 5), False),  # 清明 (第二条第三项), a Monday
        (D(2027, 5, 3), True),  # Monday after 劳动节 (第二条第四项: 5月1日、2日 only); 补假 unknown
        (D(2027, 6, 9), False),  # 端午 (第二条第五项), 农历五月初五, a Wednesday
        (D(2027, 9, 15), False),  # 中秋 (第二条第六项), 农历八月十五, a Wednesday
        (D(2027, 10, 1), False),  # 国庆节 (第二条第七项), a Friday
        (D(2027, 10, 4), True),  # the Monday after: only the notice can make it a day off
    ],
    ids=str,
)
def test_provisional_2027_days(day: dt.date, working: bool) -> None:
    """放假办法第二条 (as amended, in force 2025-01-01): each statutory holiday of 2027 is off; the
    days a notice adds or swaps are not known, so every answer is provisional."""
    assert PACKAGE.is_working_day(day) == Answer(working, provisional=True)


def test_a_provisional_year_before_the_amendment_is_weekends_only() -> None:
    """国务院令第798号 (the amended 放假办法) is in force from 2025-01-01: 2003, which the package
    does not know, is not counted with its holidays."""
    assert PACKAGE.source(2003) == "provisional"
    assert PACKAGE.is_working_day(D(2003, 1, 1)) == Answer(True, provisional=True)  # a Wednesday


def test_an_answer_is_provisional_when_it_crosses_into_an_unknown_year() -> None:
    """放假办法第二条第一项: from Wed 30 Dec 2026, 31 Dec (package), then Fri 1 Jan 2027 (元旦, off)
    and the weekend, so Mon 4 Jan, counted on a provisional year."""
    assert PACKAGE.add_working_days(D(2026, 12, 30), 1) == Answer(D(2026, 12, 31), provisional=False)
    assert PACKAGE.add_working_days(D(2026, 12, 30), 2) == Answer(D(2027, 1, 4), provisional=True)
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
        2026: "package",
        2027: "override",
        2028: "provisional",
    }
    assert calendar.sources(D(2028, 1, 3), D(2028, 1, 1)) == {2028: "provisional"}
    assert PACKAGE.source(2003) == "provisional"
    assert PACKAGE.source(2004) == "package"


# ---- the outlook: warning that next year's notice is not loaded ----------------------------


def test_no_warning_on_31_october() -> None:
    """《国务院办公厅关于2027年部分节假日安排的通知》 is not loaded, but before 1 November the
    registry does not warn yet (the notice usually comes out in the autumn)."""
    outlook = calendar_outlook(D(2026, 10, 31))
    assert (outlook.source, outlook.next_source, outlook.next_year_known) == ("package", "provisional", False)
    assert outlook.warning is None


def test_a_warning_from_1_november_when_next_year_is_not_loaded() -> None:
    """《国务院办公厅关于2027年部分节假日安排的通知》 is not loaded on 2026-11-01: deadlines after
    2026-12-31 are provisional, and the registry says so."""
    outlook = calendar_outlook(D(2026, 11, 1))
    assert outlook.warning is not None
    assert "国务院办公厅关于2027年部分节假日安排的通知" in outlook.warning
    assert "deadlines after 2026-12-31 are provisional" in outlook.warning
    assert outlook.as_dict() == {
        "year": 2026,
        "source": "package",
        "next_year": 2027,
        "next_year_source": "provisional",
        "warning": outlook.warning,
    }
    assert calendar_outlook(D(2026, 12, 31)).warning == outlook.warning


def test_no_warning_once_next_year_is_loaded() -> None:
    """Once 《国务院办公厅关于2027年部分节假日安排的通知》 is loaded, 2027 is an override year."""
    outlook = calendar_outlook(D(2026, 11, 1), {2027})
    assert (outlook.next_source, outlook.next_year_known, outlook.warning) == ("override", True, None)
    # The package knows 2026, so in November 2025 there was nothing to warn about.
    assert calendar_outlook(D(2025, 11, 1)).warning is None


def test_a_warning_all_year_when_this_year_is_not_loaded() -> None:
    """Without 《国务院办公厅关于2027年部分节假日安排的通知》, every deadline in 2027 is provisional:
    the warning does not stop on 1 January."""
    warning = calendar_outlook(D(2027, 3, 1)).warning
    assert warning is not None
    assert "working days in 2027 are provisional" in warning
    assert calendar_outlook(D(2027, 3, 1), {2027}).warning is None
