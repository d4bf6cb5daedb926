"""Rules a sector or a place adds to the national publication periods (`publication_rules.json`).

- `sector_minimums`: a longer minimum for some violations (one city: 1 year for 特种设备,
  安全生产, 消防). It binds only the authorities in its region, never raises a 轻微 record's
  period, and never lifts a minimum above the tier's maximum.
- `minor_publication`: where a sector rule publishes 轻微 records that Order 36 otherwise keeps
  unpublished, for at most the minor tier's maximum (3 months).

Each carries its source; a rule without a region is national for its sectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.catalogue.errors import CatalogueError
from registry.catalogue.months import months_value
from registry.catalogue.scope import Scope, read_scope


@dataclass(frozen=True)
class SectorRule:
    """One sector's or place's rule: for these violation types (any if empty), within `scope`."""

    violation_type_contains: tuple[str, ...]
    scope: Scope
    months: int
    source: str
    certainty: str

    def applies(self, *, violation_type: str, sector: str, region: str) -> bool:
        return self.scope.covers(sector=sector, region=region) and (
            not self.violation_type_contains or any(w in violation_type for w in self.violation_type_contains)
        )


def read_sector_rules(raw_rules: Any, name: str, months_key: str) -> tuple[SectorRule, ...]:
    """The rules of one list in publication_rules.json (`name`), each checked."""
    if raw_rules is None:
        return ()
    if not isinstance(raw_rules, list):
        raise CatalogueError(f"publication_rules.json: {name} must be a list")
    rules: list[SectorRule] = []
    for i, raw in enumerate(raw_rules):
        where = f"publication_rules.json: {name}[{i}]"
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: must be an object")
        words = raw.get("violation_type_contains") or []
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise CatalogueError(f"{where}: violation_type_contains must be a list of words")
        source = raw.get("source")
        if not isinstance(source, str) or not source.strip():
            raise CatalogueError(f"{where}: names its source (document and article)")
        if raw.get("certainty") not in ("firm", "likely"):
            raise CatalogueError(f"{where}: certainty must be firm or likely")
        scope = read_scope(raw, where)
        if scope.sectors is None and scope.region is None:
            raise CatalogueError(f"{where}: a sector or local rule names its sectors or its region")
        rules.append(
            SectorRule(
                tuple(words),
                scope,
                months_value(raw.get(months_key), f"{where}.{months_key}"),
                source.strip(),
                raw["certainty"],
            )
        )
    return tuple(rules)
