"""Rules that change by authority, place or date, kept as data (catalogue files), loaded once at start.

The files beside this module are the shipped defaults. An administrator following a new
notice points REGISTRY_CATALOGUE_DIR at a directory holding edited copies; a file missing
there falls back to the shipped one. Every file is checked when loaded, so a bad edit stops
the app at start with a message naming the file and the entry, not mid-request.

- `publication_rules.json`: dated rule sets of publication periods (rule_sets.py), the longer
  minimums of a sector or place and the sector rules that publish 轻微 records (sector_rules.py);
- `deadlines.json`: disclosure and credit-repair deadlines (deadlines.py);
- `lists.json`: the named lists, their legal periods and repair (lists.py);
- `measures.json`: joint-punishment measures (registry.screening.measures).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from registry.catalogue.deadlines import (
    DisclosureRule,
    RepairDeadlines,
    read_disclosure,
    read_repair,
)
from registry.catalogue.errors import CatalogueError
from registry.catalogue.lists import ListPeriod, NamedList, named_list
from registry.catalogue.months import months_value
from registry.catalogue.rule_sets import TIER_ORDER, RuleSet, Tier, read_rule_sets, rule_set_on
from registry.catalogue.sector_rules import SectorRule, read_sector_rules

__all__ = [
    "TIER_ORDER",
    "Catalogue",
    "CatalogueError",
    "DisclosureRule",
    "ListPeriod",
    "NamedList",
    "RepairDeadlines",
    "RuleSet",
    "SectorRule",
    "Tier",
    "load_catalogue",
    "read_catalogue_file",
]


@dataclass(frozen=True)
class Catalogue:
    rule_sets: tuple[RuleSet, ...]
    sector_minimums: tuple[SectorRule, ...]
    minor_publication: tuple[SectorRule, ...]
    disclosure: tuple[DisclosureRule, ...]
    repair_deadlines: tuple[RepairDeadlines, ...]
    lists: dict[str, NamedList]
    default_list_repair_after_months: int | None
    raw: dict[str, Any]

    def rule_set_on(self, day: dt.date, sector: str = "other") -> RuleSet:
        """The rule set in force on `day` for an authority of `sector` (see rule_sets.rule_set_on)."""
        return rule_set_on(self.rule_sets, day, sector)

    def disclosure_rule(
        self,
        record_type: str,
        domains: list[str],
        *,
        sector: str = "other",
        region: str = "000000",
        decided_on: dt.date | None = None,
    ) -> DisclosureRule:
        """The first disclosure rule that fits the record; the national default when none is more specific."""
        for rule in self.disclosure:
            if rule.fits(record_type, domains, sector=sector, region=region, decided_on=decided_on or dt.date.max):
                return rule
        raise CatalogueError(f"deadlines.json: no disclosure rule matches a {record_type} in {domains}")

    def repair_deadlines_on(self, day: dt.date) -> RepairDeadlines:
        """The repair deadlines in force on the day an application was received (the earliest set before any)."""
        in_force = [r for r in self.repair_deadlines if r.effective_from <= day]
        return in_force[-1] if in_force else self.repair_deadlines[0]

    def list_repair_after_months(self, list_name: str) -> int | None:
        known = self.lists.get(list_name)
        return known.repair_after_months if known else self.default_list_repair_after_months


def read_catalogue_file(directory: Path | None, name: str) -> dict[str, Any]:
    """One catalogue file as a JSON object: the edited copy in `directory` if there, else the shipped one."""
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


def _lists(data: dict[str, Any]) -> dict[str, NamedList]:
    named: dict[str, NamedList] = {}
    for i, raw in enumerate(data.get("lists", [])):
        entry = named_list(raw, f"lists.json: lists[{i}]")
        if entry.name in named:
            raise CatalogueError(f"lists.json: lists[{i}]: {entry.name} is named twice")
        named[entry.name] = entry
    return named


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Read and check every catalogue file (edited copies in `directory` first)."""
    folder = Path(directory) if directory else None
    rules = read_catalogue_file(folder, "publication_rules.json")
    deadlines = read_catalogue_file(folder, "deadlines.json")
    lists = read_catalogue_file(folder, "lists.json")
    rule_sets = read_rule_sets(rules)
    minor_publication = read_sector_rules(rules.get("minor_publication"), "minor_publication", "max_months")
    minor_cap = min((r.tiers["minor"].max_months for r in rule_sets if "minor" in r.tiers), default=3)
    for rule in minor_publication:
        if rule.months > minor_cap:
            raise CatalogueError(
                f"publication_rules.json: minor_publication ({rule.source}): a 轻微 record is "
                f"published for at most {minor_cap} months, not {rule.months}"
            )
    default_after = lists.get("default", {}).get("repair_after_months")
    return Catalogue(
        rule_sets=rule_sets,
        sector_minimums=read_sector_rules(rules.get("sector_minimums"), "sector_minimums", "min_months"),
        minor_publication=minor_publication,
        disclosure=read_disclosure(deadlines),
        repair_deadlines=read_repair(deadlines),
        lists=_lists(lists),
        default_list_repair_after_months=None
        if default_after is None
        else months_value(default_after, "lists.json: default"),
        raw={"publication_rules": rules, "deadlines": deadlines, "lists": lists},
    )
