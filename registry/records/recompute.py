"""Re-deriving stored dates after the rules changed (the catalogue, or a loaded calendar year).

Records store what the rules made of them (publication periods, repair dates, disclosure and
repair deadlines) so that SQL can filter on them. When the rules change, this brings every
record in line; each record that changes is audited and put in the outbox ("recompute").
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.ledger import Actor
from registry.models import RepairApplication
from registry.publication import Rules
from registry.records.common import apply_derived
from registry.records.list_entries import recompute_list_entry_dates
from registry.records.penalties import recompute_penalty_periods
from registry.records.repairs import repair_deadlines


@dataclass(frozen=True)
class RecomputeReport:
    """How many records of each kind changed."""

    penalties: int
    list_entries: int
    repairs: int


def recompute_repair_deadlines(session: Session, rules: Rules, actor: Actor) -> int:
    """Open applications' accept-by and decide-by dates, counted again from their submission."""
    count = 0
    open_states = ("submitted", "accepted")
    for application in session.scalars(
        sa.select(RepairApplication).where(RepairApplication.status.in_(open_states)).order_by(RepairApplication.id)
    ):
        count += apply_derived(
            session,
            application,
            repair_deadlines(rules, application.submitted_on),
            record_type="repair_application",
            authority_id=application.authority_id,
            actor=actor,
            reason="working-day calendar or repair deadlines changed",
        )
    return count


def recompute_derived_dates(session: Session, rules: Rules, actor: Actor) -> RecomputeReport:
    """Bring every record's derived dates in line with `rules`."""
    return RecomputeReport(
        penalties=recompute_penalty_periods(session, rules, actor),
        list_entries=recompute_list_entry_dates(session, rules, actor),
        repairs=recompute_repair_deadlines(session, rules, actor),
    )
