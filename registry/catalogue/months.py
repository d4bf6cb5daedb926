"""Counting in months, as the rules count periods (公示期限, 禁止期限)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from registry.catalogue.errors import CatalogueError


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (1-31 + 1 month = 2-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_value(value: Any, where: str) -> int:
    """A catalogue's number of months: a whole number ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CatalogueError(f"{where}: months must be a whole number ≥ 0, got {value!r}")
    return value
