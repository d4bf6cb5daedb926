"""Publication periods (公示期限) and disclosure deadlines (公开时效) of records, from the catalogue.

Everything here is pure: the catalogue and the working-day calendar come in as arguments.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from registry.catalogue import TIER_ORDER, Catalogue
from registry.workdays import Answer, WorkCalendar


@dataclass(frozen=True)
class Rules:
    """What record rules need: the catalogue (data) and the working-day calendar."""

    catalogue: Catalogue
    calendar: WorkCalendar


@dataclass(frozen=True)
class PublicationWindow:
    """When a penalty is published, when repair may first be asked for, and when it stops."""

    rule_set: str
    tier: str
    publishable: bool
    starts_on: dt.date
    repair_from: dt.date
    ends_on: dt.date


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (1-31 + 1 month = 2-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def publication_window(
    catalogue: Catalogue, *, decided_on: dt.date, severity: str, categories: list[str],
    violation_type: str, authority_region: str,
) -> PublicationWindow:
    """The period the rule set in force on `decided_on` gives a penalty.

    The tier is the highest of the record's severity and the tiers its 处罚类别 imply, so when
    one decision carries several categories the longest period applies. A sector's longer
    minimum (特种设备, 安全生产, 消防 …) raises the minimum, and the maximum with it if needed.
    """
    rule_set = catalogue.rule_set_on(decided_on)
    tier = max([severity, *(rule_set.category_tiers[c] for c in categories)], key=TIER_ORDER.index)
    spec = rule_set.tiers[tier]
    min_months = spec.min_months
    for sector in catalogue.sector_minimums:
        region_ok = sector.region_prefix is None or authority_region.startswith(sector.region_prefix)
        if region_ok and any(word in violation_type for word in sector.violation_type_contains):
            min_months = max(min_months, sector.min_months)
    max_months = max(spec.max_months, min_months)
    publishable = not (spec.unpublished_if_only and set(categories) <= spec.unpublished_if_only
                       and tier == "minor")
    return PublicationWindow(
        rule_set=rule_set.code,
        tier=tier,
        publishable=publishable,
        starts_on=decided_on,
        repair_from=add_months(decided_on, min_months),
        ends_on=add_months(decided_on, max_months),
    )


def disclosure_due(rules: Rules, *, record_type: str, domains: list[str], decided_on: dt.date) -> Answer[dt.date]:
    """The last day the record had to be published by (公开时效), counted in working days."""
    rule = rules.catalogue.disclosure_rule(record_type, domains)
    return rules.calendar.add_working_days(decided_on, rule.working_days)


def list_repair_from(catalogue: Catalogue, list_name: str, listed_on: dt.date) -> dt.date | None:
    """The first day a list entry's credit repair may be applied for; None if it cannot be."""
    months = catalogue.list_repair_after_months(list_name)
    return None if months is None else add_months(listed_on, months)
