"""How the demo writes things (演示数据的格式): check characters of the codes it invents
(组织机构代码, 工商注册号), place names (杭州市西湖区), month arithmetic and dates in Chinese
(2026年3月1日), and amounts in 万元 and in the words of a decision (罚款人民币2,000元). Pure
functions: none of them draws from the PRNG.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from registry.codes import region
from registry.database import plain_amount


def organisation_code(body: str) -> str:
    """Append the GB 11714 check character to an eight-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(w * (int(c) if c.isdigit() else ord(c) - 55) for w, c in zip(weights, body, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def registration_number(first14: str) -> str:
    """Append the check digit (ISO 7064 MOD 11,10) to a 15-digit 工商注册号."""
    product = 10
    for ch in first14:
        total = (product + int(ch)) % 10 or 10
        product = (2 * total) % 11
    return first14 + str((11 - product) % 10)


def place_name(code: str) -> str:
    """How a shop or project names its place: 杭州市西湖区, or 瑞安市 for a county-level city."""
    full = (region.region_name(code) or "").removeprefix("浙江省")
    city = (region.region_name(code[:4] + "00") or "").removeprefix("浙江省")
    rest = full.removeprefix(city)
    return rest if rest.endswith("市") else full


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_cn_date(text: str) -> dt.date:
    year, rest = text.split("年")
    month, rest = rest.split("月")
    return dt.date(int(year), int(month), int(rest.rstrip("日")))


def wan(yuan: int | Decimal) -> Decimal:
    """Yuan as 万元, the unit of the 双公示 fields: 2,000 yuan is 0.2."""
    return plain_amount(Decimal(yuan) / Decimal(10_000))


def fine_text(yuan: int) -> str:
    return f"罚款人民币{yuan:,}元"
