"""The statutory holidays (全体公民放假的节日) of 《全国年节及纪念日放假办法》, computed for any year.

Article 2 of the 办法 (第二条), as amended by the State Council's decision to amend it
(《国务院关于修改〈全国年节及纪念日放假办法〉的决定》, 国务院令第798号, in force 2025-01-01),
gives every citizen these days off:

    (一) 元旦, 1 day: 1 January
    (二) 春节, 4 days: 农历除夕 and 正月初一、初二、初三
    (三) 清明节, 1 day: the day of the 清明 solar term
    (四) 劳动节, 2 days: 1 and 2 May
    (五) 端午节, 1 day: 农历五月初五
    (六) 中秋节, 1 day: 农历八月十五
    (七) 国庆节, 3 days: 1, 2 and 3 October

Checked against the text of the decision as published on 12 November 2024 (reproduced in the
press with the General Office's 2025 notice): it rewrites 第二条第二项 as "春节，放假4天（农历除夕、
正月初一至初三）" and 第四项 as "劳动节，放假2天（5月1日、2日）", adds a 第七条 on 调休 (below)
and takes effect on 1 January 2025. The order number (第798号) and the signing date
(10 November 2024) were not in the text found and are not independently verified here.

What this module does not know, and why an answer resting on it stays provisional:

- 第六条: a holiday falling on a Saturday or Sunday is made up on a working day (补假); which
  day is for the State Council General Office's notice to say.
- 第七条: holidays may be joined into longer breaks by swapping working days (调休); the swaps
  are only known from that notice (《国务院办公厅关于20XX年部分节假日安排的通知》).
- When two holidays meet (中秋节 on 1–3 October, as in 2028), the notice usually adds a day.

So these days are a floor, not the arrangement: the real notice has these days off and
normally more, and some weekend days worked. Years before 2025 were under earlier versions of
the 办法 (春节 3 days, 劳动节 1 day); they get no holidays here (`FIRST_YEAR`), and the
`chinesecalendar` package knows 2004–2026 anyway.

Lunar dates and the 清明 solar term come from `lunar_python` (6tail's lunar-python, MIT): pure
Python with no dependencies, maintained (release 1.4.8 in 2025), and it computes the lunar
calendar and the 24 solar terms astronomically (寿星天文历 algorithms) rather than from a table,
so it has no 2099 cut-off as table-driven `lunardate` (GPL-3.0) has, and it is better kept than
`zhdate` (last release 2023). `chinesecalendar`'s own `get_solar_terms` (a formula, 1900–2100)
is used by the tests to cross-check the 清明 dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from lunar_python import Lunar  # type: ignore[import-untyped]  # ships no type information

# The amended 办法 is in force from 1 January 2025 (春节 4 days, 劳动节 2 days).
FIRST_YEAR = 2025
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Holiday:
    """One statutory day off: its date and the festival it belongs to (元旦, 春节 …)."""

    date: dt.date
    name: str


def _lunar(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of day `day` of (non-leap) lunar month `month` in lunar year `year`."""
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> dt.date:
    """The day (China time) of the 清明 solar term in `year`."""
    # A lunar date in the third month sits inside the solar-term table that holds the year's 清明.
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def festival_days(year: int) -> tuple[Holiday, ...]:
    """The days off that 第二条 as amended gives in `year`, whatever the year, by date.

    For years before `FIRST_YEAR` this is not the law of the time (it gave neither 除夕 nor
    2 May); the tests hold it against the `chinesecalendar` package's years with that in mind.
    A date can appear twice when two festivals meet (国庆节 and 中秋节).
    """
    new_year = _lunar(year, 1, 1)  # 正月初一 always falls between 21 January and 20 February
    days = [
        Holiday(dt.date(year, 1, 1), "元旦"),
        *(Holiday(new_year + offset * ONE_DAY, "春节") for offset in (-1, 0, 1, 2)),  # 除夕 is the day before 初一
        Holiday(_qingming(year), "清明节"),
        Holiday(dt.date(year, 5, 1), "劳动节"),
        Holiday(dt.date(year, 5, 2), "劳动节"),
        Holiday(_lunar(year, 5, 5), "端午节"),
        Holiday(_lunar(year, 8, 15), "中秋节"),
        *(Holiday(dt.date(year, 10, day), "国庆节") for day in (1, 2, 3)),
    ]
    return tuple(sorted(days, key=lambda h: h.date))


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """The year's statutory days off under 第二条 as amended (none before `FIRST_YEAR`), by date."""
    return festival_days(year) if year >= FIRST_YEAR else ()


@lru_cache(maxsize=256)
def _dates(year: int) -> frozenset[dt.date]:
    return frozenset(h.date for h in statutory_holidays(year))


def is_statutory_holiday(day: dt.date) -> bool:
    """Whether `day` is one of the statutory days off of its year (see `statutory_holidays`)."""
    return day in _dates(day.year)
