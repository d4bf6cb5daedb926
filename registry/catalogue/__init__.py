"""Rules that change by authority or date, kept as data (catalogue files), loaded once at start.

The files beside this module are the shipped defaults. An administrator following a new
notice points REGISTRY_CATALOGUE_DIR at a directory holding edited copies; a file missing
there falls back to the shipped one. Every file is checked when loaded, so a bad edit stops
the app at start with a message naming the file and the entry, not mid-request.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from registry.vocab import DOMAINS, LIST_TYPES, PENALTY_CATEGORIES, SEVERITIES

TIER_ORDER = ("minor", "general", "serious")


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Tier:
    min_months: int
    max_months: int
    unpublished_if_only: frozenset[str]


@dataclass(frozen=True)
class RuleSet:
    """One dated set of publication periods (公示期限)."""

    code: str
    title: str
    effective_from: dt.date
    certainty: str
    tiers: dict[str, Tier]
    category_tiers: dict[str, str]


@dataclass(frozen=True)
class SectorMinimum:
    violation_type_contains: tuple[str, ...]
    region_prefix: str | None
    min_months: int


@dataclass(frozen=True)
class DisclosureRule:
    code: str
    record_types: frozenset[str]
    domains: frozenset[str] | None
    working_days: int


@dataclass(frozen=True)
class NamedList:
    name: str
    list_type: str
    repair_after_months: int | None


@dataclass(frozen=True)
class Catalogue:
    rule_sets: tuple[RuleSet, ...]
    sector_minimums: tuple[SectorMinimum, ...]
    disclosure: tuple[DisclosureRule, ...]
    repair_accept_working_days: int
    repair_decide_working_days: int
    lists: dict[str, NamedList]
    default_list_repair_after_months: int | None
    raw: dict[str, Any]

    def rule_set_on(self, day: dt.date) -> RuleSet:
        """The rule set in force on `day` (the earliest one for days before any)."""
        chosen = self.rule_sets[0]
        for rule_set in self.rule_sets:
            if rule_set.effective_from <= day:
                chosen = rule_set
        return chosen

    def disclosure_rule(self, record_type: str, domains: list[str]) -> DisclosureRule:
        for rule in self.disclosure:
            if record_type in rule.record_types and (rule.domains is None or rule.domains & set(domains)):
                return rule
        raise CatalogueError(f"deadlines.json: no disclosure rule matches a {record_type} in {domains}")

    def list_repair_after_months(self, list_name: str) -> int | None:
        known = self.lists.get(list_name)
        return known.repair_after_months if known else self.default_list_repair_after_months


def _read(directory: Path | None, name: str) -> dict[str, Any]:
    path = directory / name if directory is not None else None
    try:
        if path is not None and path.exists():
            text = path.read_text(encoding="utf-8")
        else:
            text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{name}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{name}: must hold a JSON object")
    return data


def _months(value: Any, where: str) -> int:
    if not isinstance(value, int) or value < 0:
        raise CatalogueError(f"{where}: months must be a whole number ≥ 0, got {value!r}")
    return value


def _rule_sets(data: dict[str, Any]) -> tuple[RuleSet, ...]:
    raw_sets = data.get("rule_sets") or []
    if not raw_sets:
        raise CatalogueError("publication_rules.json: needs at least one rule set")
    by_code: dict[str, dict[str, str]] = {}
    result: list[RuleSet] = []
    for i, raw in enumerate(raw_sets):
        where = f"publication_rules.json: rule_sets[{i}] ({raw.get('code')})"
        try:
            effective = dt.date.fromisoformat(raw["effective_from"])
            tiers = {
                name: Tier(
                    min_months=_months(tier["min_months"], f"{where}.{name}"),
                    max_months=_months(tier["max_months"], f"{where}.{name}"),
                    unpublished_if_only=frozenset(tier.get("unpublished_if_only", [])),
                )
                for name, tier in raw["tiers"].items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogueError(f"{where}: {exc!r}") from exc
        if set(tiers) != set(SEVERITIES):
            raise CatalogueError(f"{where}: tiers must be exactly {', '.join(SEVERITIES)}")
        for name, tier in tiers.items():
            if tier.min_months > tier.max_months:
                raise CatalogueError(f"{where}.{name}: min_months exceeds max_months")
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
        result.append(RuleSet(raw["code"], raw.get("title", ""), effective, raw.get("certainty", "likely"),
                              tiers, dict(categories)))
    if [r.effective_from for r in result] != sorted(r.effective_from for r in result):
        raise CatalogueError("publication_rules.json: rule_sets must be in order of effective_from")
    return tuple(result)


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Read and check every catalogue file (edited copies in `directory` first)."""
    folder = Path(directory) if directory else None
    rules = _read(folder, "publication_rules.json")
    deadlines = _read(folder, "deadlines.json")
    lists = _read(folder, "lists.json")
    sector = tuple(
        SectorMinimum(tuple(raw["violation_type_contains"]), raw.get("region_prefix"),
                      _months(raw["min_months"], f"publication_rules.json: sector_minimums[{i}]"))
        for i, raw in enumerate(rules.get("sector_minimums", []))
    )
    disclosure: list[DisclosureRule] = []
    for i, raw in enumerate(deadlines.get("disclosure", [])):
        where = f"deadlines.json: disclosure[{i}]"
        domains = raw.get("domains")
        if domains is not None and not set(domains) <= set(DOMAINS):
            raise CatalogueError(f"{where}: unknown domain in {domains}")
        if not isinstance(raw.get("working_days"), int) or raw["working_days"] < 0:
            raise CatalogueError(f"{where}: working_days must be a whole number ≥ 0")
        disclosure.append(DisclosureRule(raw["code"], frozenset(raw["record_types"]),
                                         frozenset(domains) if domains is not None else None, raw["working_days"]))
    named: dict[str, NamedList] = {}
    for i, raw in enumerate(lists.get("lists", [])):
        if raw.get("list_type") not in LIST_TYPES:
            raise CatalogueError(f"lists.json: lists[{i}]: list_type must be one of {', '.join(LIST_TYPES)}")
        after = raw.get("repair_after_months")
        named[raw["name"]] = NamedList(raw["name"], raw["list_type"],
                                       None if after is None else _months(after, f"lists.json: lists[{i}]"))
    default_after = lists.get("default", {}).get("repair_after_months")
    repair = deadlines.get("repair", {})
    return Catalogue(
        rule_sets=_rule_sets(rules),
        sector_minimums=sector,
        disclosure=tuple(disclosure),
        repair_accept_working_days=int(repair.get("accept_working_days", 3)),
        repair_decide_working_days=int(repair.get("decide_working_days", 10)),
        lists=named,
        default_list_repair_after_months=None if default_after is None else _months(default_after, "lists.json: default"),
        raw={"publication_rules": rules, "deadlines": deadlines, "lists": lists},
    )
