"""Demo data (演示数据): a small, realistic registry for trying the API, built through the services.

Every record is written by the service that writes it in production, so each one gets its
audit row and its outbox event, and the service rules hold. `plan_demo` decides everything
from a seeded PRNG without touching the database; `seed_demo` carries the plan out and
flushes (the caller commits). Names, codes, ID numbers and decisions are all invented.

The package, by what each module holds: `reference` (the tables the demo draws from:
authorities, cities, sectors, lists, cases, trade names), `text` (codes, places, dates and
amounts as the demo writes them), `plan_records` (what a plan is made of), `plan_base`,
`plan_entities`, `plan_penalties` and `plan_list_entries` (the planner, by what it plans),
`plan` (`plan_demo`) and `load` (`seed_demo` and the demo's keys). The names below are the
package's public face; import them from `registry.demo`.
"""

from registry.demo.load import SEED_ADMIN, DemoAccount, DemoKey, DemoSummary, seed_demo
from registry.demo.plan import MIN_ENTITIES, plan_demo
from registry.demo.plan_records import DemoPlan, EntityPlan, ListEntryPlan, PenaltyPlan
from registry.demo.reference import (
    AUTHORITIES,
    CITIES,
    GIVEN_NAMES,
    LEGAL_FORMS,
    NOT_PUBLIC_REASON,
    SECTORS,
    SHOP_GOODS,
    SURNAMES,
    AuthoritySpec,
    City,
    Sector,
    trade_names,
)
from registry.demo.reference_cases import CASES, Case
from registry.demo.reference_lists import LISTS, Ground, ListKind

__all__ = [
    "AUTHORITIES",
    "CASES",
    "CITIES",
    "GIVEN_NAMES",
    "LEGAL_FORMS",
    "LISTS",
    "MIN_ENTITIES",
    "NOT_PUBLIC_REASON",
    "SECTORS",
    "SEED_ADMIN",
    "SHOP_GOODS",
    "SURNAMES",
    "AuthoritySpec",
    "Case",
    "City",
    "DemoAccount",
    "DemoKey",
    "DemoPlan",
    "DemoSummary",
    "EntityPlan",
    "Ground",
    "ListEntryPlan",
    "ListKind",
    "PenaltyPlan",
    "Sector",
    "plan_demo",
    "seed_demo",
    "trade_names",
]
