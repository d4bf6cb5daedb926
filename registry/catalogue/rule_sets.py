"""Dated rule sets of publication periods (行政处罚信息公示期限) from `publication_rules.json`.

A rule set is a document in force from a date: the NDRC line (2017 notice, 发改办财金〔2019〕527号,
Order 58, Order 36) binds every authority; a set with `sectors` binds only authorities of that
系统 (市场监管 publish their own penalties under SAMR Orders 45 and 107). The set in force on a
penalty's decision date applies, so old records keep the rules they were decided under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from registry.catalogue.errors import CatalogueError
from registry.catalogue.months import months_value
from registry.catalogue.scope import Scope, read_scope
from registry.vocab import PENALTY_CATEGORIES, PROCEDURES, SEVERITIES

TIER_ORDER = ("minor", "general", "serious")
CERTAINTIES = ("firm", "likely")


@dataclass(frozen=True)
class Tier:
    """A tier's minimum (when repair may first be asked for) and maximum (when publication stops)."""

    min_months: int
    max_months: int


@dataclass(frozen=True)
class RuleSet:
    """One dated document's publication rules.

    - `tiers`: periods by 失信程度; a set without a tier (527号 has no 轻微) takes the next higher one;
    - `minor_when`: what makes a decision 轻微 when the authority records no severity
      (Order 36: 简易程序, 警告, 通报批评);
    - `minor_published`: False when a 轻微 record is in principle not published (Order 36) — then
      only a sector rule (`minor_publication` in the catalogue) publishes it, for at most the
      minor tier's maximum;
    - `never_published_if_only`: categories that alone never make a decision public (仅警告);
    - `published_procedures`: only decisions of these procedures are published (SAMR: 普通程序);
    - `no_early_end`: categories whose decisions are published to the maximum, no repair before.
    """

    code: str
    title: str
    document: str
    effective_from: dt.date
    effective_from_note: str | None
    certainty: str
    scope: Scope
    tiers: dict[str, Tier]
    category_tiers: dict[str, str]
    minor_procedures: frozenset[str]
    minor_categories: frozenset[str]
    minor_published: bool
    minor_unpublished_if_only: frozenset[str]
    never_published_if_only: frozenset[str]
    published_procedures: frozenset[str] | None
    no_early_end: frozenset[str]

    def tier(self, name: str) -> tuple[str, Tier]:
        """The tier `name`, or the next higher one this set has."""
        for candidate in TIER_ORDER[TIER_ORDER.index(name) :]:
            if candidate in self.tiers:
                return candidate, self.tiers[candidate]
        raise CatalogueError(f"publication_rules.json: {self.code} has no tier at or above {name}")

    def default_severity(self, procedure: str | None, categories: list[str]) -> str | None:
        """轻微 when the decision shows what this set calls minor; None when the authority must say."""
        if procedure is not None and procedure in self.minor_procedures:
            return "minor"
        if self.minor_categories and categories and set(categories) <= self.minor_categories:
            return "minor"
        return None


def _words(raw: Any, where: str, allowed: Any, what: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not set(raw) <= set(allowed):
        raise CatalogueError(f"{where}: must be a list of {what}")
    return frozenset(raw)


def _tiers(raw: Any, where: str) -> dict[str, Tier]:
    if not isinstance(raw, dict) or not raw or not set(raw) <= set(SEVERITIES) or "serious" not in raw:
        raise CatalogueError(f"{where}: tiers must name serious and may name minor and general")
    tiers: dict[str, Tier] = {}
    for name, tier in raw.items():
        if not isinstance(tier, dict):
            raise CatalogueError(f"{where}.{name}: a tier is an object with min_months and max_months")
        low = months_value(tier.get("min_months"), f"{where}.{name}.min_months")
        high = months_value(tier.get("max_months"), f"{where}.{name}.max_months")
        if low > high:
            raise CatalogueError(f"{where}.{name}: min_months exceeds max_months")
        tiers[name] = Tier(low, high)
    return tiers


def _rule_set(raw: Any, where: str, by_code: dict[str, dict[str, str]]) -> RuleSet:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a rule set must be an object")
    where = f"{where} ({raw.get('code')})"
    for key in ("code", "title", "document"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CatalogueError(f"{where}: {key} must be a non-empty string")
    try:
        effective = dt.date.fromisoformat(raw["effective_from"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"{where}: effective_from must be a date: {exc!r}") from exc
    if raw.get("certainty") not in CERTAINTIES:
        raise CatalogueError(f"{where}: certainty must be one of {', '.join(CERTAINTIES)}")
    categories = raw.get("category_tiers")
    if isinstance(categories, str):
        if categories not in by_code:
            raise CatalogueError(f"{where}: category_tiers refers to unknown rule set {categories!r}")
        categories = by_code[categories]
    if not isinstance(categories, dict) or set(categories) != set(PENALTY_CATEGORIES):
        raise CatalogueError(f"{where}: category_tiers must name every 处罚类别 exactly once")
    if any(t not in SEVERITIES for t in categories.values()):
        raise CatalogueError(f"{where}: category_tiers values must be {', '.join(SEVERITIES)}")
    by_code[raw["code"]] = categories
    minor = raw.get("minor_when") or {}
    if not isinstance(minor, dict):
        raise CatalogueError(f"{where}: minor_when must be an object")
    published = raw.get("published_procedures")
    note = raw.get("effective_from_note")
    return RuleSet(
        code=raw["code"],
        title=raw["title"],
        document=raw["document"],
        effective_from=effective,
        effective_from_note=note if isinstance(note, str) else None,
        certainty=raw["certainty"],
        scope=read_scope(raw, where),
        tiers=_tiers(raw.get("tiers"), f"{where}.tiers"),
        category_tiers=dict(categories),
        minor_procedures=_words(minor.get("procedures"), f"{where}.minor_when.procedures", PROCEDURES, "procedures"),
        minor_categories=_words(
            minor.get("categories_within"), f"{where}.minor_when.categories_within", PENALTY_CATEGORIES, "处罚类别"
        ),
        minor_published=bool(raw.get("minor_published", True)),
        minor_unpublished_if_only=_words(
            raw.get("minor_unpublished_if_only"), f"{where}.minor_unpublished_if_only", PENALTY_CATEGORIES, "处罚类别"
        ),
        never_published_if_only=_words(
            raw.get("never_published_if_only"), f"{where}.never_published_if_only", PENALTY_CATEGORIES, "处罚类别"
        ),
        published_procedures=None
        if published is None
        else _words(published, f"{where}.published_procedures", PROCEDURES, "procedures"),
        no_early_end=_words(raw.get("no_early_end"), f"{where}.no_early_end", PENALTY_CATEGORIES, "处罚类别"),
    )


def read_rule_sets(data: dict[str, Any]) -> tuple[RuleSet, ...]:
    """Every rule set of publication_rules.json, checked; each line (national, each 系统) in date order."""
    raw_sets = data.get("rule_sets") or []
    if not isinstance(raw_sets, list) or not raw_sets:
        raise CatalogueError("publication_rules.json: needs at least one rule set")
    by_code: dict[str, dict[str, str]] = {}
    result = tuple(_rule_set(raw, f"publication_rules.json: rule_sets[{i}]", by_code) for i, raw in enumerate(raw_sets))
    if not any(r.scope.sectors is None for r in result):
        raise CatalogueError("publication_rules.json: needs a rule set for every authority (no sectors)")
    lines: dict[frozenset[str] | None, list[dt.date]] = {}
    for rule_set in result:
        if rule_set.scope.region is not None:
            raise CatalogueError(
                f"publication_rules.json: {rule_set.code}: a rule set is national or of a 系统; "
                "local rules belong in sector_minimums or minor_publication"
            )
        lines.setdefault(rule_set.scope.sectors, []).append(rule_set.effective_from)
    if any(days != sorted(days) for days in lines.values()):
        raise CatalogueError("publication_rules.json: rule_sets must be in order of effective_from")
    return result


def rule_set_on(rule_sets: tuple[RuleSet, ...], day: dt.date, sector: str) -> RuleSet:
    """The set in force on `day` for an authority of `sector`: its 系统's own set if one is in
    force, else the national one (the earliest national set for days before any)."""
    own = [
        r for r in rule_sets if r.scope.sectors is not None and sector in r.scope.sectors and r.effective_from <= day
    ]
    if own:
        return own[-1]
    national = [r for r in rule_sets if r.scope.sectors is None]
    in_force = [r for r in national if r.effective_from <= day]
    return in_force[-1] if in_force else national[0]
