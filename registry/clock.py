"""Time, passed in. Legal dates (decision dates, expiry, deadlines) are dates in China (UTC+8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass
class Clock:
    """The registry's clock; a fixed one makes any date testable."""

    fixed: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.fixed if self.fixed is not None else dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        """Today's date in China, which is what publication periods and expiry are counted in."""
        return self.now().astimezone(CHINA).date()
