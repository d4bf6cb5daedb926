"""The records of a demo plan (演示方案): what `plan_demo` decides, one record at a time.

Each record holds the payload its service takes (create_entity, create_list_entry,
record_penalty) without the database ids, which `seed_demo` fills in as it writes, and what
later happens to it (renamed, removed, repaired, corrected, revoked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass
class EntityPlan:
    """One entity: the create_entity payload, and what later happens to its names."""

    data: dict[str, Any]
    sector: str | None = None
    trade: str | None = None
    industry: str | None = None
    registrar: str = "hz_market"  # the authority whose supervisor registers it
    alias: str | None = None
    former: tuple[str, dt.date, dt.date] | None = None  # an older 曾用名 recorded as such
    rename: tuple[str, dt.date] | None = None  # renamed after its records were decided

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def name(self) -> str:
        """The name the entity is registered under."""
        return str(self.data["name"])

    @property
    def final_name(self) -> str:
        """The current name once the demo is loaded."""
        return self.rename[0] if self.rename else self.name


@dataclass
class ListEntryPlan:
    authority: str
    entity: int  # index into DemoPlan.entities
    data: dict[str, Any]  # the create_list_entry payload without entity_id
    state: str  # the state on `today`: active, expired, removed, repaired or revoked
    transition: tuple[str, dt.date, str] | None = None  # (removed | repaired | revoked, effective_on, reason)


@dataclass
class PenaltyPlan:
    authority: str
    entity: int
    data: dict[str, Any]  # the record_penalty payload without entity_id and data source
    data_source: str | None = None  # 数据来源单位 when not the deciding authority
    correction: tuple[dict[str, Any], str] | None = None  # (changes, reason)
    revocation: tuple[dt.date, str] | None = None  # (revoked_on, reason)


@dataclass
class DemoPlan:
    today: dt.date
    authority_usccs: dict[str, str]
    entities: list[EntityPlan]
    list_entries: list[ListEntryPlan]
    penalties: list[PenaltyPlan]
