"""Publication periods (公示期限) and disclosure deadlines (公开时效) of records, from the catalogue.

Everything here is pure: the catalogue and the working-day calendar come in as arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registry.calendar.workdays import Answer, WorkCalendar
from registry.catalogue import TIER_ORDER, Catalogue
from registry.catalogue.months import add_months
from registry.catalogue.rule_sets import RuleSet
from registry.vocab import PROCEDURES

__all__ = [
    "PublicationWindow",
    "Rules",
    "add_months",
    "default_severity",
    "disclosure_due",
    "list_repair_from",
    "publication_window",
]


@dataclass(frozen=True)
class Rules:
    """What record rules need: the catalogue (data) and the working-day calendar."""

    catalogue: Catalogue
    calendar: WorkCalendar


@dataclass(frozen=True)
class Decider:
    """The deciding authority as the rules see it: its 系统 and its region (GB/T 2260)."""

    sector: str
    region: str


@dataclass(frozen=True)
class PublicationWindow:
    """When a penalty is published, when repair may first be asked for, and when it stops.

    `note` says in a sentence why it is not published, or which sector or local rule shaped it.
    """

    rule_set: str
    tier: str
    publishable: bool
    starts_on: dt.date
    repair_from: dt.date
    ends_on: dt.date
    note: str | None = None


def default_severity(
    catalogue: Catalogue,
    *,
    decided_on: dt.date,
    procedure: str | None,
    categories: list[str],
    decider: Decider,
) -> str | None:
    """失信程度 when the authority records none: 轻微 where the rule set in force says the decision is
    (Order 36: 简易程序, 警告, 通报批评); None when only the authority can say (一般 or 严重)."""
    return catalogue.rule_set_on(decided_on, decider.sector).default_severity(procedure, categories)


def _not_published(rule_set: RuleSet, tier: str, procedure: str, categories: set[str]) -> str | None:
    """Why the rule set keeps this decision from the public, or None."""
    if rule_set.published_procedures is not None and procedure not in rule_set.published_procedures:
        allowed = "、".join(PROCEDURES[p] for p in sorted(rule_set.published_procedures))
        return f"{rule_set.document}: 仅公示{allowed}作出的行政处罚决定"
    if categories and categories <= rule_set.never_published_if_only:
        return f"{rule_set.document}: 仅{'、'.join(sorted(categories))}的行政处罚信息不予公示"
    if tier == "minor" and categories and categories <= rule_set.minor_unpublished_if_only:
        return f"{rule_set.document}: 轻微失信且仅{'、'.join(sorted(categories))}，不予公示"
    return None


def publication_window(
    catalogue: Catalogue,
    *,
    decided_on: dt.date,
    severity: str,
    categories: list[str],
    violation_type: str,
    decider: Decider,
    procedure: str | None = None,
) -> PublicationWindow:
    """The period the rule set in force on `decided_on` gives a penalty of this authority.

    The tier is the highest of the record's severity and the tiers its 处罚类别 imply, so when
    one decision carries several categories the longest period applies. A decision recorded
    without its 处罚程序 is taken as 普通程序 (the 双公示 sheet does not carry it).
    """
    rule_set = catalogue.rule_set_on(decided_on, decider.sector)
    wanted = max([severity, *(rule_set.category_tiers[c] for c in categories)], key=TIER_ORDER.index)
    tier, spec = rule_set.tier(wanted)
    kinds = set(categories)
    note = _not_published(rule_set, tier, procedure or "ordinary", kinds)
    publishable = note is None
    min_months, max_months = spec.min_months, spec.max_months
    if publishable and tier == "minor" and not rule_set.minor_published:
        # Order 36: a 轻微 record is in principle not published; a sector rule may publish it,
        # never for longer than the minor tier's maximum.
        rule = next(
            (
                r
                for r in catalogue.minor_publication
                if r.applies(violation_type=violation_type, sector=decider.sector, region=decider.region)
            ),
            None,
        )
        if rule is None:
            publishable, note = False, f"{rule_set.document}: 轻微失信行为的行政处罚信息原则上不予公示"
        else:
            max_months = min(rule.months, max_months)
            min_months = min(min_months, max_months)
            note = f"轻微失信，依 {rule.source} 公示，至多 {max_months} 个月"
    if tier != "minor":
        for rule in catalogue.sector_minimums:
            if (
                rule.applies(violation_type=violation_type, sector=decider.sector, region=decider.region)
                and rule.months > min_months
            ):
                # A local minimum never lifts the minimum above the tier's maximum.
                min_months = min(rule.months, max_months)
                note = f"最短公示期依 {rule.source}"
    if kinds & rule_set.no_early_end:
        # 责令停产停业、吊销许可证件 …: published to the maximum, no early end (SAMR rules).
        min_months = max_months
    return PublicationWindow(
        rule_set=rule_set.code,
        tier=tier,
        publishable=publishable,
        starts_on=decided_on,
        repair_from=add_months(decided_on, min_months),
        ends_on=add_months(decided_on, max_months),
        note=note,
    )


def disclosure_due(
    rules: Rules,
    *,
    record_type: str,
    domains: list[str],
    decided_on: dt.date,
    decider: Decider | None = None,
) -> Answer[dt.date]:
    """The last day the record had to be published by (公开时效), counted in working days.

    The deciding authority's 系统 and region choose among the rules: a local deadline binds only
    the authorities of its region."""
    who = decider or Decider("other", "000000")
    rule = rules.catalogue.disclosure_rule(
        record_type, domains, sector=who.sector, region=who.region, decided_on=decided_on
    )
    return rules.calendar.add_working_days(decided_on, rule.working_days)


def list_repair_from(catalogue: Catalogue, list_name: str, listed_on: dt.date) -> dt.date | None:
    """The first day a list entry's credit repair may be applied for; None if it cannot be."""
    months = catalogue.list_repair_after_months(list_name)
    return None if months is None else add_months(listed_on, months)
