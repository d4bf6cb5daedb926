"""Records published on time, late and not at all, shared by the timeliness report's tests.

The services stamp first_published_at with the real time when a record is recorded as
public, so the publication times here are set on the rows afterwards. A record that is public
but was never published (first_published_at None) cannot be made through the services: it is
what an import from another system leaves, and is modelled here by clearing the stamp.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from registry.clock import CHINA
from registry.models import Authority, ListEntry, Penalty
from registry.publication import add_months
from tests.factories import World, make_authority, make_entity, make_list_entry, make_penalty

PERIOD = {"date_from": dt.date(2026, 9, 1), "date_to": dt.date(2026, 11, 30)}


def china_time(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment given in China time, as the aware UTC datetime the registry stores."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA).astimezone(dt.UTC)


@dataclass
class Scenario:
    land: Authority  # 自然资源厅: land penalties, 7 working days from the decision
    finance: Authority  # 财政厅: procurement list entries, 1 working day
    early: Penalty
    deadline_day: Penalty
    late: Penalty
    later: Penalty
    unpublished: Penalty
    pending: Penalty
    secret: Penalty
    minor: Penalty
    outside: Penalty
    entry_on_time: ListEntry
    entry_late: ListEntry
    entry_unpublished: ListEntry


def _land_penalty(
    session: Session,
    land: Authority,
    entity: Any,
    number: int,
    decided_on: dt.date,
    published: dt.datetime | None,
    **fields: Any,
) -> Penalty:
    penalty = make_penalty(
        session,
        land,
        entity,
        domain="land",
        decided_on=decided_on,
        decision_number=f"浙自然资罚〔2026〕{number}号",
        violation_type="未按出让合同约定期限开发土地",
        **fields,
    )
    penalty.first_published_at = published
    return penalty


def _procurement_entry(
    session: Session, finance: Authority, entity: Any, listed_on: dt.date, published: dt.datetime | None
) -> ListEntry:
    # A one-year ban (政府采购法 Art. 77: 1–3 years): its last day is the day before the anniversary.
    entry = make_list_entry(
        session, finance, entity, listed_on=listed_on, expires_on=add_months(listed_on, 12) - dt.timedelta(days=1)
    )
    entry.first_published_at = published
    return entry


def build(session: Session, world: World) -> Scenario:
    """自然资源厅 published two land penalties on time, two late, one not at all (and one is
    not yet due); 财政厅 one list entry on time, one late, one not at all; 住建厅 nothing."""
    land = make_authority(session, "浙江省自然资源厅", ("land",))
    developer = make_entity(session, "杭州合晟置业有限公司")
    supplier = make_entity(session, "宁波甬达信息技术有限公司")
    friday = dt.date(2026, 9, 25)  # 7 working days later is 2026-10-12: National Day week lies between
    scenario = Scenario(
        land=land,
        finance=world.finance,
        early=_land_penalty(session, land, developer, 1, friday, china_time(2026, 9, 29)),
        deadline_day=_land_penalty(session, land, developer, 2, friday, china_time(2026, 10, 12, 23, 30)),
        late=_land_penalty(session, land, developer, 3, friday, china_time(2026, 10, 13, 0, 30)),
        later=_land_penalty(session, land, developer, 4, friday, china_time(2026, 10, 16)),
        # Due 2026-10-19 (the make-up workday 10-10 counts); by 2026-11-23 overdue 25 working days.
        unpublished=_land_penalty(session, land, developer, 5, dt.date(2026, 10, 9), None),
        pending=_land_penalty(session, land, developer, 6, dt.date(2026, 11, 20), None),
        secret=_land_penalty(
            session,
            land,
            developer,
            7,
            dt.date(2026, 10, 9),
            None,
            is_public=False,
            not_public_reason="涉及国家秘密，经保密审查不予公开",
        ),
        minor=_land_penalty(
            session,
            land,
            developer,
            8,
            dt.date(2026, 10, 9),
            china_time(2026, 10, 9),
            severity="minor",
            categories=["警告"],
            content="警告",
            fine_amount=None,
        ),
        outside=_land_penalty(session, land, developer, 9, dt.date(2026, 8, 3), china_time(2026, 9, 1)),
        # A list decision is "other information": 20 working days (政府信息公开条例 Art. 26; the
        # 1-working-day rule for procurement decisions is one province's and binds no one here).
        # Listed the day before National Day, published on the first working day after it: due 2026-11-03.
        entry_on_time=_procurement_entry(
            session, world.finance, supplier, dt.date(2026, 9, 30), china_time(2026, 10, 8, 9)
        ),
        # Due 2026-09-29, published a working day later (21 working days after the listing).
        entry_late=_procurement_entry(session, world.finance, supplier, dt.date(2026, 9, 1), china_time(2026, 9, 30)),
        # Due 2026-11-05; by 2026-11-23 overdue 12 working days.
        entry_unpublished=_procurement_entry(session, world.finance, supplier, dt.date(2026, 10, 9), None),
    )
    session.commit()
    return scenario
