"""The records a 公开时效 report judges, read from the database: each penalty or list entry decided in
the period with its disclosure deadline (the stored one, or worked out again where it was provisional),
when it was first published and when it stopped being due; and which authority an actor may report on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.calendar.workdays import ONE_DAY
from registry.clock import CHINA
from registry.errors import NotPermitted
from registry.ledger import Actor
from registry.messages import msg
from registry.models import Entity, Licence, ListEntry, ListEntryDomain, Penalty
from registry.publication import Rules, disclosure_due
from registry.records.authorities import load_authority


@dataclass(frozen=True)
class DueRecord:
    record_type: str
    record_id: int
    authority_id: int
    subject_name: str
    decision_number: str
    decided_on: dt.date
    due_on: dt.date
    due_provisional: bool
    publishable: bool
    is_public: bool
    published_on: dt.date | None
    ended_on: dt.date | None


def first_day(*days: dt.date | None) -> dt.date | None:
    """The earliest of the days given, if any (a record ends at the first of its ends)."""
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _china_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone(CHINA).date()


def deadline(rules: Rules, record_type: str, domains: list[str], decided_on: dt.date, row: Any) -> tuple[dt.date, bool]:
    """A record's disclosure deadline and whether it is provisional: the stored one
    (`row.publication_due_on`), or worked out again where there is none or it rested on a year
    whose 放假安排 was not loaded then (`row.due_provisional`)."""
    if row.publication_due_on is not None and not row.due_provisional:
        return row.publication_due_on, False
    answer = disclosure_due(rules, record_type=record_type, domains=domains, decided_on=decided_on)
    return answer.value, answer.provisional


def report_scope(actor: Actor, session: Session, authority_id: int | None) -> int | None:
    """The authority the actor may report on: all (None) for admin and platform, its own for a supervisor."""
    require_role(actor, "supervisor", "platform")
    if actor.role == "supervisor":
        if actor.authority_id is None:
            raise NotPermitted("this supervisor key is bound to no authority")
        if authority_id is not None and authority_id != actor.authority_id:
            raise NotPermitted(
                msg(
                    "your key reports only on authority {own}, not on authority {asked}",
                    own=actor.authority_id,
                    asked=authority_id,
                )
            )
        return actor.authority_id
    if authority_id is not None:
        load_authority(session, authority_id)
    return authority_id


def penalty_due_records(
    session: Session, rules: Rules, date_from: dt.date, date_to: dt.date, authority_id: int | None
) -> list[DueRecord]:
    stmt = sa.select(
        Penalty.id,
        Penalty.authority_id,
        Penalty.subject_name,
        Penalty.decision_number,
        Penalty.decided_on,
        Penalty.domain,
        Penalty.publication_due_on,
        Penalty.due_provisional,
        Penalty.publishable,
        Penalty.is_public,
        Penalty.first_published_at,
        Penalty.status,
        Penalty.revoked_on,
        Penalty.repaired_on,
        Penalty.publication_ends_on,
    ).where(Penalty.decided_on.between(date_from, date_to))
    if authority_id is not None:
        stmt = stmt.where(Penalty.authority_id == authority_id)
    records = []
    for row in session.execute(stmt):
        due, provisional = deadline(rules, "penalty", [row.domain], row.decided_on, row)
        records.append(
            DueRecord(
                "penalty",
                row.id,
                row.authority_id,
                row.subject_name,
                row.decision_number,
                row.decided_on,
                due,
                provisional,
                row.publishable,
                row.is_public,
                _china_date(row.first_published_at),
                first_day(
                    row.revoked_on if row.status == "revoked" else None,
                    row.repaired_on,
                    row.publication_ends_on + ONE_DAY if row.publication_ends_on else None,
                ),
            )
        )
    return records


def list_entry_due_records(
    session: Session, rules: Rules, date_from: dt.date, date_to: dt.date, authority_id: int | None
) -> list[DueRecord]:
    in_scope: list[sa.ColumnElement[bool]] = [ListEntry.listed_on.between(date_from, date_to)]
    if authority_id is not None:
        in_scope.append(ListEntry.authority_id == authority_id)
    rows = session.execute(
        sa.select(
            ListEntry.id,
            ListEntry.authority_id,
            Entity.name.label("subject_name"),
            ListEntry.decision_number,
            ListEntry.listed_on,
            ListEntry.publication_due_on,
            ListEntry.due_provisional,
            ListEntry.is_public,
            ListEntry.first_published_at,
            ListEntry.status,
            ListEntry.status_changed_on,
            ListEntry.expires_on,
        )
        .join(Entity, Entity.id == ListEntry.entity_id)
        .where(*in_scope)
    ).all()
    # Domains decide the deadline; they are read only for entries whose due date is counted again.
    recount = sa.or_(ListEntry.publication_due_on.is_(None), ListEntry.due_provisional.is_(True))
    domains: dict[int, list[str]] = defaultdict(list)
    if any(row.publication_due_on is None or row.due_provisional for row in rows):
        for entry_id, domain in session.execute(
            sa.select(ListEntryDomain.list_entry_id, ListEntryDomain.domain)
            .join(ListEntry, ListEntry.id == ListEntryDomain.list_entry_id)
            .where(*in_scope, recount)
        ):
            domains[entry_id].append(domain)
    records = []
    for row in rows:
        due, provisional = deadline(rules, "list_entry", domains[row.id], row.listed_on, row)
        records.append(
            DueRecord(
                "list_entry",
                row.id,
                row.authority_id,
                row.subject_name,
                row.decision_number,
                row.listed_on,
                due,
                provisional,
                True,
                row.is_public,
                _china_date(row.first_published_at),
                # Ends on the change of state, or the day after its last day in force.
                first_day(
                    row.status_changed_on if row.status != "active" else None,
                    row.expires_on + dt.timedelta(days=1) if row.expires_on else None,
                ),
            )
        )
    return records


def licence_due_records(
    session: Session, rules: Rules, date_from: dt.date, date_to: dt.date, authority_id: int | None
) -> list[DueRecord]:
    """行政许可 decided in the period: due 7 working days after the decision (发改电〔2015〕557号),
    counted again where the stored due date rests on a provisional calendar."""
    stmt = sa.select(
        Licence.id,
        Licence.authority_id,
        Licence.subject_name,
        Licence.decision_number,
        Licence.decided_on,
        Licence.publication_due_on,
        Licence.due_provisional,
        Licence.is_public,
        Licence.first_published_at,
        Licence.status,
        Licence.status_changed_on,
    ).where(Licence.decided_on.between(date_from, date_to))
    if authority_id is not None:
        stmt = stmt.where(Licence.authority_id == authority_id)
    records = []
    for row in session.execute(stmt):
        due, provisional = deadline(rules, "licence", [], row.decided_on, row)
        records.append(
            DueRecord(
                "licence",
                row.id,
                row.authority_id,
                row.subject_name,
                row.decision_number,
                row.decided_on,
                due,
                provisional,
                True,
                row.is_public,
                _china_date(row.first_published_at),
                row.status_changed_on if row.status != "effective" else None,
            )
        )
    return records
