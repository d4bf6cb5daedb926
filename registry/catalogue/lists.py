"""The named lists (名单) of `lists.json`: who keeps them, when an entry may be repaired, and the
legal period of an entry (the ban's length the law allows), each with its source.

A list entry's `expires_on` is its last day in force (有效期截止日期), as on the listing decision:
a one-year ban listed on 2026-03-01 is in force through 2027-02-28. So a period of m months
allows a last day from `listed_on + min months - 1 day` to `listed_on + max months - 1 day`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from registry.catalogue.errors import CatalogueError
from registry.catalogue.months import add_months, months_value
from registry.vocab import LIST_TYPES

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class ListPeriod:
    """The legal length of an entry on one list, for the reasons it names (all reasons if none).

    `reasons` are words looked for in the entry's 列入事由 (reason_category): 招标投标 bans differ
    by what was done (串通投标 1–2 years, 弄虚作假 1–3 years, 不履行合同 2–5 years).
    """

    min_months: int
    max_months: int
    reasons: tuple[str, ...]
    source: str
    certainty: str

    def applies_to(self, reason_category: str) -> bool:
        return not self.reasons or any(word in reason_category for word in self.reasons)

    def last_days(self, listed_on: dt.date) -> tuple[dt.date, dt.date]:
        """The earliest and latest last day in force (有效期截止日期) for an entry listed on `listed_on`."""
        return (add_months(listed_on, self.min_months) - ONE_DAY, add_months(listed_on, self.max_months) - ONE_DAY)

    def describe(self) -> str:
        low, high = _years(self.min_months), _years(self.max_months)
        return f"{low}至{high}（{self.source}）"


def _years(months: int) -> str:
    return f"{months // 12}年" if months % 12 == 0 else f"{months}个月"


@dataclass(frozen=True)
class NamedList:
    """A named list: its type, when repair may be asked for, and its legal periods.

    `periods` empty means the law sets no period the registry can check; `period_about` says why
    (a court decides it, the list has no fixed term …).
    """

    name: str
    list_type: str
    repair_after_months: int | None
    periods: tuple[ListPeriod, ...] = ()
    period_about: str | None = None

    def period_for(self, reason_category: str) -> ListPeriod | None:
        """The period that governs an entry with this 列入事由; None if none applies."""
        return next((p for p in self.periods if p.applies_to(reason_category)), None)

    def reasons(self) -> tuple[str, ...]:
        return tuple(word for p in self.periods for word in p.reasons)


def _period(raw: Any, where: str) -> ListPeriod:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a period must be an object")
    low = months_value(raw.get("min_months"), f"{where}.min_months")
    high = months_value(raw.get("max_months"), f"{where}.max_months")
    if low < 1 or high < low:
        raise CatalogueError(f"{where}: needs 1 ≤ min_months ≤ max_months, got {low} and {high}")
    reasons = raw.get("reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) and r.strip() for r in reasons):
        raise CatalogueError(f"{where}: reasons must be a list of words")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CatalogueError(f"{where}: a legal period names its source (document and article)")
    certainty = raw.get("certainty")
    if certainty not in ("firm", "likely"):
        raise CatalogueError(f"{where}: certainty must be firm or likely, got {certainty!r}")
    return ListPeriod(low, high, tuple(r.strip() for r in reasons), source.strip(), certainty)


def named_list(raw: Any, where: str) -> NamedList:
    """One entry of lists.json, checked."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise CatalogueError(f"{where}: a list needs a name")
    if raw.get("list_type") not in LIST_TYPES:
        raise CatalogueError(f"{where}: list_type must be one of {', '.join(LIST_TYPES)}")
    after = raw.get("repair_after_months")
    raw_periods = raw.get("periods")
    if not isinstance(raw_periods, list):
        raise CatalogueError(f"{where} ({raw['name']}): periods must be a list ([] when the law sets none)")
    periods = tuple(_period(p, f"{where}.periods[{i}]") for i, p in enumerate(raw_periods))
    about = raw.get("period_about")
    if not periods and not (isinstance(about, str) and about.strip()):
        raise CatalogueError(f"{where} ({raw['name']}): a list without a legal period says why in period_about")
    return NamedList(
        raw["name"],
        raw["list_type"],
        None if after is None else months_value(after, f"{where}.repair_after_months"),
        periods,
        about.strip() if isinstance(about, str) else None,
    )
