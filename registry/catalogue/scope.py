"""Where a rule applies: which authorities (by 系统, e.g. 市场监管) and which region.

Rules from one province or city carry that region and never apply elsewhere (地方规定只在本地
适用); a rule with no region is national.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.catalogue.errors import CatalogueError
from registry.vocab import AUTHORITY_SECTORS


def region_prefix(region: str) -> str:
    """The part of a GB/T 2260 code that names the area: 440000 → 44, 440300 → 4403, 440304 → 440304."""
    if region.endswith("0000"):
        return region[:2]
    if region.endswith("00"):
        return region[:4]
    return region


def in_region(authority_region: str, region: str | None) -> bool:
    """Whether an authority of `authority_region` lies within `region` (None: everywhere)."""
    return region is None or authority_region.startswith(region_prefix(region))


@dataclass(frozen=True)
class Scope:
    """The authorities a rule binds: of these 系统 (None: any) within this region (None: national)."""

    sectors: frozenset[str] | None = None
    region: str | None = None

    def covers(self, *, sector: str, region: str) -> bool:
        return (self.sectors is None or sector in self.sectors) and in_region(region, self.region)

    @property
    def is_local(self) -> bool:
        return self.region is not None


def read_scope(raw: dict[str, Any], where: str) -> Scope:
    """`sectors` (list of 系统 codes) and `region` (a 6-digit GB/T 2260 code) of a rule, checked."""
    sectors = raw.get("sectors")
    if sectors is not None and (
        not isinstance(sectors, list) or not sectors or not set(sectors) <= set(AUTHORITY_SECTORS)
    ):
        raise CatalogueError(f"{where}: sectors must be a non-empty list of {', '.join(AUTHORITY_SECTORS)}")
    region = raw.get("region")
    if region is not None and (not isinstance(region, str) or len(region) != 6 or not region.isdigit()):
        raise CatalogueError(f"{where}: region must be a 6-digit administrative-division code, got {region!r}")
    return Scope(frozenset(sectors) if sectors is not None else None, region)
