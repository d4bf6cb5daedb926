"""`plan_demo`: the whole demo registry decided from a seed, without touching the database.

The planner is the base state (plan_base) with the entity, penalty and list-entry planners
mixed in; `plan_demo` calls them in a fixed order (authority codes, entities, penalties, list
entries, then renames), and that order of draws from the one PRNG is the demo data.
"""

from __future__ import annotations

import datetime as dt
import random

from registry.catalogue import Catalogue, load_catalogue
from registry.demo.plan_entities import EntityPlanner
from registry.demo.plan_list_entries import ListEntryPlanner
from registry.demo.plan_penalties import PenaltyPlanner
from registry.demo.plan_records import DemoPlan
from registry.demo.reference_cases import CASES
from registry.errors import InvalidInput
from registry.messages import msg

MIN_ENTITIES = 20  # enough for every sector, list, state and severity to appear at least once


class _Planner(EntityPlanner, PenaltyPlanner, ListEntryPlanner):
    """Every part of the planner in one object: they share the PRNG and what is handed out."""


def plan_demo(
    *, today: dt.date, rng_seed: int = 2026, entities: int = 300, catalogue: Catalogue | None = None
) -> DemoPlan:
    """Decide the whole demo registry from `rng_seed`, without touching the database.

    When entries may be repaired comes from the list catalogue (lists.json), as the services
    enforce it."""
    if entities < MIN_ENTITIES:
        raise InvalidInput.field("entities", msg("must be at least {count}", count=MIN_ENTITIES))
    rng = random.Random(rng_seed)
    planner = _Planner(rng, today, catalogue or load_catalogue())
    usccs = planner.authority_codes()
    planner.make_entities(entities)
    penalties = planner.make_penalties(max(len(CASES) + 3, round(entities * 0.6)))
    list_entries = planner.make_list_entries(max(32, round(entities * 0.5)))
    planner.finish_entities(list_entries, penalties)
    return DemoPlan(today, usccs, planner.entities, list_entries, penalties)
