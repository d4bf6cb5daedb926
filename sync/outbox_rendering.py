"""Outbox events rendered in the national format, many at a time: the push, the feed and the
exports read a batch of outbox rows and render each through `sync.national.render_record`, with
the deciding authorities (数据来源单位) and each entity's names as of the event read once per batch.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import Authority, ChangeEvent, Entity
from registry.national_columns import ANCHOR_RECORD_TYPE, kind_of
from sync.national import DataSource, render_record

# ---------------------------------------------------------------------------------------------
# Rendering a batch of outbox events


class OutboxRow(NamedTuple):
    """The columns of one outbox event that rendering reads (an ORM row or a Core row)."""

    seq: int
    occurred_at: dt.datetime
    record_type: str
    record_id: int
    record_version: int
    operation: str
    payload: dict[str, Any]


OUTBOX_COLUMNS = (
    ChangeEvent.seq,
    ChangeEvent.occurred_at,
    ChangeEvent.record_type,
    ChangeEvent.record_id,
    ChangeEvent.record_version,
    ChangeEvent.operation,
    ChangeEvent.payload,
)
_IN_CHUNK = 500  # ids per IN (…): well under every backend's limit on bound parameters


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


class _EntityHistory:
    """The snapshots of some entities from the outbox, to answer "as it stood at seq N"."""

    def __init__(self) -> None:
        self.seqs: dict[int, list[int]] = {}
        self.payloads: dict[int, list[dict[str, Any]]] = {}
        self.current: dict[int, dict[str, Any]] = {}  # the entities table, for ids with no event

    @classmethod
    def load(cls, session: Session, wanted: dict[int, int], *, fallback: set[int]) -> _EntityHistory:
        """`wanted` maps each entity id to the highest sequence asked about; `fallback` names the
        ids to read from the entities table when the outbox has no snapshot of them."""
        history = cls()
        ids = sorted(wanted)
        top = max(wanted.values(), default=0)
        for chunk in _chunks(ids):
            rows = session.execute(
                sa.select(ChangeEvent.record_id, ChangeEvent.seq, ChangeEvent.payload)
                .where(ChangeEvent.record_type == "entity", ChangeEvent.record_id.in_(chunk), ChangeEvent.seq <= top)
                .order_by(ChangeEvent.record_id, ChangeEvent.seq)
            )
            for entity_id, seq, payload in rows:
                if seq <= wanted[entity_id]:
                    history.seqs.setdefault(entity_id, []).append(seq)
                    history.payloads.setdefault(entity_id, []).append(payload)
        # The outbox is the source; only an entity written before it existed (or loaded around it)
        # is read from its table, as it stands now.
        missing = sorted(i for i in fallback if i not in history.seqs)
        for chunk in _chunks(missing):
            for entity in session.scalars(sa.select(Entity).where(Entity.id.in_(chunk))):
                history.current[entity.id] = entity.snapshot()
        return history

    def as_of(self, entity_id: int, seq: int) -> dict[str, Any] | None:
        """The latest snapshot with sequence <= `seq`, else the table's, else None."""
        seqs = self.seqs.get(entity_id)
        if seqs:
            at = bisect.bisect_right(seqs, seq)
            if at:
                return self.payloads[entity_id][at - 1]
        return self.current.get(entity_id)

    def before(self, entity_id: int, seq: int) -> dict[str, Any] | None:
        """The latest snapshot with sequence < `seq` (no fallback: the table holds only now)."""
        seqs = self.seqs.get(entity_id)
        if seqs:
            at = bisect.bisect_left(seqs, seq)
            if at:
                return self.payloads[entity_id][at - 1]
        return None


def load_authorities(
    session: Session,
    ids: Iterable[int],
    known: dict[int, DataSource] | None = None,
) -> dict[int, DataSource]:
    """Names and codes of authorities by id, added to `known` (which is returned)."""
    found = {} if known is None else known
    missing = sorted({i for i in ids if i not in found})
    for chunk in _chunks(missing):
        for row in session.execute(
            sa.select(Authority.id, Authority.name, Authority.uscc).where(Authority.id.in_(chunk))
        ):
            found[row.id] = DataSource(row.name, row.uscc)
    return found


def render_rows(
    session: Session,
    rows: Sequence[OutboxRow],
    *,
    include_not_public: bool,
    operator: DataSource,
    authorities: dict[int, DataSource] | None = None,
) -> list[dict[str, Any]]:
    """`render_events` for outbox rows read as plain columns; `authorities` may carry a cache
    across calls (an export renders many batches)."""
    platform = [row for row in rows if kind_of(row.record_type, row.operation) is not None]
    wanted: dict[int, int] = {}
    fallback: set[int] = set()
    authority_ids: set[int] = set()
    for row in platform:
        payload = row.payload or {}
        if row.record_type == ANCHOR_RECORD_TYPE:
            continue  # an anchor names no subject and no authority
        if row.record_type == "entity":
            entity_id, limit = row.record_id, row.seq - 1
        else:
            entity_id, limit = int(payload.get("entity_id") or 0), row.seq
            fallback.add(entity_id)
            authority_ids.update(
                int(payload[k]) for k in ("authority_id", "data_source_authority_id") if payload.get(k)
            )
        if limit > wanted.get(entity_id, -1):
            wanted[entity_id] = limit
    history = _EntityHistory.load(session, wanted, fallback=fallback)
    known = load_authorities(session, authority_ids, authorities)
    rendered = []
    for row in platform:
        payload = row.payload or {}
        if row.record_type == ANCHOR_RECORD_TYPE:
            entity = None
        elif row.record_type == "entity":
            entity = history.before(row.record_id, row.seq)
        else:
            entity = history.as_of(int(payload.get("entity_id") or 0), row.seq)
        rendered.append(
            render_record(
                row.record_type,
                row.operation,
                payload,
                entity,
                known,
                operator,
                row.seq,
                row.occurred_at,
                include_not_public,
                record_id=row.record_id,
                version=row.record_version,
            )
        )
    return rendered


def render_events(
    session: Session,
    events: list[ChangeEvent],
    *,
    include_not_public: bool,
    operator: DataSource,
) -> list[dict[str, Any]]:
    """The platform records among `events`, rendered in the national format (English keys), in
    the events' order; internal events are skipped.

    The subject of a penalty or list entry is the entity as it stood at that event: the payload of
    the entity's latest outbox event at or before it (the entities table only when the outbox has
    none). Entities and authorities are read in a few batched queries for the whole list.
    """
    rows = [
        OutboxRow(e.seq, e.occurred_at, e.record_type, e.record_id, e.record_version, e.operation, e.payload)
        for e in events
    ]
    return render_rows(session, rows, include_not_public=include_not_public, operator=operator)
