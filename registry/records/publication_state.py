"""A record's publication state (公示状态) on a day, as one SQL expression per record type.

Built on the services' own `published(today)` (what the public sees today), so a list can filter
and count by it. The first that holds decides: 已撤销, 已信用修复, 不公开 (保密审查, or a minor
penalty the rules do not publish), 公示期满 (a penalty past its 公示截止期; a list entry expired
or removed), 公示中, else 尚未公示 (publication starts later). The states and their names are
`registry.vocab.PUBLICATION_STATES`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import ListEntry, Penalty
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.vocab import PUBLICATION_STATES


def penalty_state(today: dt.date) -> sa.ColumnElement[str]:
    """A penalty's publication state on `today`, as SQL (see PUBLICATION_STATES for the order)."""
    return sa.case(
        (Penalty.status == "revoked", "revoked"),
        (Penalty.repaired_on.is_not(None), "repaired"),
        (sa.or_(Penalty.is_public.is_(False), Penalty.publishable.is_(False)), "not_public"),
        (Penalty.publication_ends_on < today, "ended"),
        (penalty_service.published(today), "published"),
        else_="unpublished",
    )


def list_entry_state(today: dt.date) -> sa.ColumnElement[str]:
    """A list entry's publication state on `today`, as SQL: expired and removed entries have ended."""
    return sa.case(
        (ListEntry.status == "revoked", "revoked"),
        (ListEntry.status == "repaired", "repaired"),
        (ListEntry.is_public.is_(False), "not_public"),
        (sa.or_(ListEntry.status == "removed", ListEntry.expires_on < today), "ended"),
        (entry_service.published(today), "published"),
        else_="unpublished",
    )


def state_counts(
    session: Session, model: type[Penalty] | type[ListEntry], state: sa.ColumnElement[str], authority_id: int | None
) -> dict[str, int]:
    """How many records of `model` are in each publication state."""
    inner = sa.select(state.label("state"))
    if authority_id is not None:
        inner = inner.where(model.authority_id == authority_id)
    # Grouped over a subquery: PostgreSQL cannot match a CASE with bound dates in GROUP BY to the select list.
    sub = inner.subquery()
    counts = dict.fromkeys(PUBLICATION_STATES, 0)
    for name, count in session.execute(sa.select(sub.c.state, sa.func.count()).group_by(sub.c.state)):
        counts[name] = count
    return counts


def states_of(
    session: Session, model: type[Penalty] | type[ListEntry], state: sa.ColumnElement[str], ids: list[int]
) -> dict[int, str]:
    """The state of each record of `model` named by `ids`."""
    if not ids:
        return {}
    return dict(session.execute(sa.select(model.id, state).where(model.id.in_(ids))).all())
