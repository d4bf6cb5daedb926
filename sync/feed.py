"""The pull feed (增量数据): outbox events in sequence order, for the credit platform to pull
after its own cursor.

The outbox sequence is gap-free and commit-ordered (`registry.ledger`), so a platform that
asks for "after N" with the `next_after` of its last page sees every change exactly once and
in order. Every event is listed, internal ones and withheld ones too: a missing number would
look like a lost change.

A platform record (a penalty, a list entry, an entity's name change, an evidence anchor:
`sync.national.kind_of`) carries `record`, its national rendering with English keys, exactly as the
push sends it. An internal event (an entity's creation or other update, an authority, a repair
application …) carries `record: null` and `internal: true`. Each page also carries the audit chain's
head (`chain_head`); with the anchors (tree size, root, signature) the platform so holds both the
chain's and the evidence tree's heads outside the registry.

What is withheld: the fields of a record marked not public (保密审查, `is_public` false) unless
the registry is configured to send such records to the platform
(`REGISTRY_SYNC_INCLUDE_NOT_PUBLIC`); its rendering is then only the envelope with `withheld:
true`. ID numbers of people leave masked only. Each event names its data source (数据来源单位
and its code): the deciding authority's, or for a penalty the authority recorded as its data
source; entity, authority and anchor events name the registry's operator
(`REGISTRY_DATA_SOURCE_NAME`, `REGISTRY_DATA_SOURCE_USCC`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.errors import InvalidInput
from registry.ledger import Actor
from registry.ledger.check import ChainHead, chain_head
from registry.messages import msg
from registry.models import ChangeEvent
from sync.national import DataSource
from sync.outbox_rendering import load_authorities, render_events

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "DataSource", "FeedEvent", "FeedPage", "read_feed"]

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
_NO_OPERATOR = DataSource(None, None)


@dataclass(frozen=True)
class FeedEvent:
    seq: int
    occurred_at: dt.datetime
    record_type: str
    record_id: int
    record_version: int
    operation: str
    authority_id: int | None
    data_source: DataSource
    record: dict[str, Any] | None  # the national rendering (English keys); None for an internal event
    withheld: bool  # not public and not sent: `record` is the envelope only
    internal: bool  # not a platform record (sync.national.kind_of)


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEvent]
    after: int  # the cursor asked for
    next_after: int  # the cursor to ask for next (the last event's sequence, or `after`)
    head: int  # the newest event's sequence when this page was read
    has_more: bool
    chain_head: ChainHead | None = None  # the audit chain's head, for the platform to keep


def _source_authority(record_type: str, payload: dict[str, Any], authority_id: int | None) -> int | None:
    if record_type == "penalty":
        found = payload.get("data_source_authority_id") or payload.get("authority_id")
        return int(found) if found else authority_id
    return authority_id


def read_feed(
    session: Session,
    actor: Actor,
    *,
    after: int,
    limit: int = DEFAULT_LIMIT,
    include_not_public: bool = False,
    operator: DataSource = _NO_OPERATOR,
) -> FeedPage:
    """Up to `limit` outbox events after sequence `after`, oldest first (the platform, or an admin)."""
    require_role(actor, "platform")
    if after < 0:
        raise InvalidInput.field("after", "must be 0 or a sequence number the feed gave")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.field("limit", msg("must be 1 to {most}", most=MAX_LIMIT))
    rows = list(
        session.scalars(
            sa.select(ChangeEvent).where(ChangeEvent.seq > after).order_by(ChangeEvent.seq).limit(limit + 1)
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    head = session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0
    wanted = {
        source
        for row in rows
        if (source := _source_authority(row.record_type, row.payload or {}, row.authority_id)) is not None
    }
    authorities = load_authorities(session, wanted)
    rendered = {
        record["seq"]: record
        for record in render_events(session, rows, include_not_public=include_not_public, operator=operator)
    }
    events = []
    for row in rows:
        payload = row.payload or {}
        source_id = _source_authority(row.record_type, payload, row.authority_id)
        record = rendered.get(row.seq)
        events.append(
            FeedEvent(
                seq=row.seq,
                occurred_at=row.occurred_at,
                record_type=row.record_type,
                record_id=row.record_id,
                record_version=row.record_version,
                operation=row.operation,
                authority_id=row.authority_id,
                data_source=authorities.get(source_id, operator) if source_id is not None else operator,
                record=record,
                withheld=bool(record and record["withheld"]),
                internal=record is None,
            )
        )
    return FeedPage(events, after, rows[-1].seq if rows else after, int(head), has_more, chain_head(session))
