"""The statutory holidays of 《全国年节及纪念日放假办法》 第二条 (as amended in force 2025-01-01),
computed from the lunar calendar, and held against the `chinesecalendar` package's years."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import chinese_calendar
import pytest
from lunar_python import Lunar, Solar

from registry.calendar.holidays import (
    FIRST_YEAR,
    festival_days,
    is_statutory_holiday,
    statutory_holidays,
)

D = dt.date


def _by_name(year: int) -> dict[str, list[dt.date]]:
    found: dict[str, list[dt.date]] = {}
    for holiday in statutory_holidays(year):
        found.setdefault(holiday.name, []).append(holiday.date)
    return found


def test_2027s_statutory_holidays() -> None:
    """放假办法第二条第一至七项 for 2027: 元旦 1-1; 春节 除夕 (2-5) and 正月初一至初三 (2-6…2-8);
    清明 4-5; 劳动节 5-1, 5-2; 端午 (五月初五) 6-9; 中秋 (八月十五) 9-15; 国庆节 10-1…10-3."""
    assert _by_name(2027) == {
        "元旦": [D(2027, 1, 1)],
        "春节": [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)],
        "清明节": [D(2027, 4, 5)],
        "劳动节": [D(2027, 5, 1), D(2027, 5, 2)],
        "端午节": [D(2027, 6, 9)],
        "中秋节": [D(2027, 9, 15)],
        "国庆节": [D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)],
    }


@pytest.mark.parametrize("year", range(2025, 2061))
def test_each_festival_has_the_days_the_article_gives(year: int) -> None:
    """放假办法第二条: 元旦 1, 春节 4 (第二条第二项 as amended), 清明 1, 劳动节 2 (第二条第四项 as
    amended), 端午 1, 中秋 1, 国庆 3 days: 13 in all, every one in the year."""
    holidays = statutory_holidays(year)
    assert Counter(h.name for h in holidays) == {
        "元旦": 1,
        "春节": 4,
        "清明节": 1,
        "劳动节": 2,
        "端午节": 1,
        "中秋节": 1,
        "国庆节": 3,
    }
    assert all(h.date.year == year for h in holidays)
    assert [h.date for h in holidays] == sorted(h.date for h in holidays)


@pytest.mark.parametrize("year", range(2025, 2101))
def test_the_lunar_days_are_what_the_article_names(year: int) -> None:
    """放假办法第二条第二、五、六项: 春节 is 农历除夕 (the last day of the twelfth month) and 正月初一至
    初三; 端午 is 五月初五; 中秋 is 八月十五 — read back from each date to the lunar calendar."""
    lunar = {
        h.date: Lunar.fromSolar(Solar.fromYmd(h.date.year, h.date.month, h.date.day)) for h in statutory_holidays(year)
    }
    spring = [lunar[d] for d in _by_name(year)["春节"]]
    eve = spring[0]
    assert eve.getMonth() == 12
    after = eve.next(1)
    assert (after.getMonth(), after.getDay()) == (1, 1)  # the eve is the last day of the lunar year
    assert [(d.getMonth(), d.getDay()) for d in spring[1:]] == [(1, 1), (1, 2), (1, 3)]
    [dragon] = _by_name(year)["端午节"]
    assert (lunar[dragon].getMonth(), lunar[dragon].getDay()) == (5, 5)
    [moon] = _by_name(year)["中秋节"]
    assert (lunar[moon].getMonth(), lunar[moon].getDay()) == (8, 15)


@pytest.mark.parametrize("year", range(2025, 2100))
def test_qingming_agrees_with_the_chinesecalendar_solar_terms(year: int) -> None:
    """放假办法第二条第三项: 清明节 is the day of the 清明 solar term; lunar_python's astronomical
    term and chinesecalendar's formula (get_solar_terms) give the same day."""
    [qingming] = _by_name(year)["清明节"]
    terms = chinese_calendar.get_solar_terms(D(year, 4, 1), D(year, 4, 30))
    assert (qingming, "清明") in terms


@pytest.mark.parametrize("year", range(2020, 2027))
def test_every_computed_day_is_a_holiday_in_the_package(year: int) -> None:
    """放假办法第二条 against the State Council General Office's notices for 2020–2026 (as the
    chinesecalendar package has them): every day the article gives is a day off. The amendment
    (in force 2025-01-01) added 农历除夕 and 5月2日; before 2025 they were off only when a notice
    made them so, and the one year of these where that did not happen is 2024: 2024-02-09
    (除夕, a Friday) was worked under 《国务院办公厅关于2024年部分节假日安排的通知》."""
    missing = [h for h in festival_days(year) if not chinese_calendar.is_holiday(h.date)]
    if year >= FIRST_YEAR:
        assert missing == []
    else:
        assert [(h.date, h.name) for h in missing] == ([(D(2024, 2, 9), "春节")] if year == 2024 else [])


@pytest.mark.parametrize("year", range(2008, 2027))
def test_lunar_festivals_and_qingming_match_every_notice_since_2008(year: int) -> None:
    """放假办法第二条第三、五、六项 (清明、端午、中秋, holidays since the 2007 amendment in force 2008)
    against every year's State Council General Office notice in the chinesecalendar package."""
    for holiday in festival_days(year):
        if holiday.name in ("清明节", "端午节", "中秋节"):
            assert chinese_calendar.is_holiday(holiday.date), holiday


def test_years_before_the_amendment_get_no_holidays() -> None:
    """国务院令第798号 put the amended 第二条 in force on 2025-01-01: earlier years had other rules
    (春节 3 days, 劳动节 1 day), so none are assumed for them."""
    assert statutory_holidays(2024) == ()
    assert statutory_holidays(2003) == ()
    assert is_statutory_holiday(D(2003, 1, 1)) is False
    assert is_statutory_holiday(D(2027, 1, 1)) is True
    assert is_statutory_holiday(D(2027, 1, 4)) is False


def test_mid_autumn_can_fall_inside_national_day() -> None:
    """放假办法第二条第六、七项: in 2028 八月十五 is 10-3, a 国庆节 day; the date is named twice and
    counted once (the notice decides whether a day is added)."""
    days = [h for h in statutory_holidays(2028) if h.date == D(2028, 10, 3)]
    assert sorted(h.name for h in days) == ["中秋节", "国庆节"]
    assert len({h.date for h in statutory_holidays(2028)}) == 12
