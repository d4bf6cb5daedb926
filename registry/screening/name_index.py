"""The registry side of the candidate index: which entities the matcher knows, and keeping it fresh.

`matching/` knows nothing about the database. This module feeds it `Candidate` rows built from
the listed entities (those with at least one list entry or penalty) and keeps it up to date from
the outbox (`ChangeEvent`), whose sequence is gap-free and commit-ordered: the index remembers
the last event it applied, and before a screening `ensure_fresh` reads the newest one (one
query on the primary key) and applies what came since. So a change committed by any process is
seen by screenings in every worker process, without a restart or a timer: at once in the process
that made it (`registry.ledger.outbox_writes` tells it), within `max_lag` seconds (default 1)
in the others, which ask the database at most that often instead of on every screening.

Whoever keeps other per-entity state fresh by the same events (the screening dossiers,
`registry.screening.dossiers`) subscribes with `on_change`: it is told which entities each batch of
applied events touched, or None when everything must be read again (a rebuild, or an event of
a kind that is not about one entity: an authority, a calendar year, a repair application).

Why listed entities only, not every registered one: a screening asks whether a bidder is a
*listed* entity; an entity with no list entry and no penalty carries nothing a screening could
report, so indexing it would only cost memory (national scale: ~10^8 market entities against
~10^7 listed ones) and candidates to score. Every entity that has *any* record is kept, whatever
the record's state, because whether a record counts depends on the day asked (expiry is read
from `expires_on`, with no event to announce it); the screening decides that per record.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matching.matcher import NamePartsMatcher
from matching.types import Candidate, Hit, Matcher, NameKind, NameRecord, Query
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.ledger import outbox_writes
from registry.models import ChangeEvent, Entity, EntityName, ListEntry, Penalty

log = logging.getLogger(__name__)

# More pending events than this and a full rebuild is cheaper than applying them one by one
# (a bulk import); below it, each affected entity is re-read and upserted.
DEFAULT_MAX_PENDING = 10_000
# How long a worker trusts its index without asking the database for the newest outbox event.
DEFAULT_MAX_LAG = 1.0
_CHUNK = 500  # ids per IN (...) list: well under every backend's limit on bound parameters
_NAME_KINDS: frozenset[str] = frozenset({"current", "former", "alias"})
# Outbox record types whose events can change which entities the index holds, or their names.
_ENTITY_EVENTS = "entity"
_RECORD_EVENTS: dict[str, type[ListEntry] | type[Penalty]] = {"list_entry": ListEntry, "penalty": Penalty}
# Events about nothing a screening shows (an evidence anchor every second): passed over, so they
# neither upsert anything nor make the dossiers forget what they hold.
_UNSEEN_EVENTS = frozenset({"evidence_anchor"})


def _listed_entity_ids() -> sa.CompoundSelect[Any]:
    """Ids of entities with at least one list entry or penalty, whatever its state."""
    return sa.union(sa.select(ListEntry.entity_id), sa.select(Penalty.entity_id))


def _chunks(values: Iterable[int], size: int = _CHUNK) -> Iterator[list[int]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _candidates(session: Session, only: Sequence[int] | None = None) -> list[Candidate]:
    """Listed entities (all of them, or those of `only` that are listed) as matcher candidates.

    Two plain column queries, names merged in id order: no ORM objects, so a rebuild at a million
    entities costs rows, not object graphs.
    """
    listed = Entity.id.in_(_listed_entity_ids())
    entity_stmt = sa.select(Entity.id, Entity.uscc).where(listed).order_by(Entity.id)
    name_stmt = (
        sa.select(EntityName.entity_id, EntityName.name, EntityName.kind)
        .join(Entity, Entity.id == EntityName.entity_id)
        .where(listed)
        .order_by(EntityName.entity_id, EntityName.id)
    )
    if only is not None:
        entity_stmt = entity_stmt.where(Entity.id.in_(only))
        name_stmt = name_stmt.where(EntityName.entity_id.in_(only))
    names: dict[int, list[NameRecord]] = {}
    for entity_id, name, kind in session.execute(name_stmt):
        # An unknown kind would be a bug elsewhere; index the name as an alias rather than lose it.
        known = cast(NameKind, kind if kind in _NAME_KINDS else "alias")
        names.setdefault(entity_id, []).append(NameRecord(name, known))
    return [
        Candidate(
            entity_id=entity_id,
            names=tuple(names.get(entity_id, ())),
            # Many 个体工商户 share the placeholder code: it identifies no one, so it is no key.
            code=code if code and code != INDIVIDUAL_BUSINESS_PLACEHOLDER else None,
        )
        for entity_id, code in session.execute(entity_stmt)
    ]


def default_matcher() -> Matcher:
    """A new, empty instance of the matcher `matching/` provides (`cn-name-parts`)."""
    return NamePartsMatcher()


def candidates_from_db(session: Session) -> list[Candidate]:
    """Every listed entity (one with at least one list entry or penalty) with all its names
    (current, 曾用名, aliases) and its 统一社会信用代码, as the matcher's input."""
    return _candidates(session)


@dataclass(frozen=True)
class _Mark:
    """The outbox event an index state corresponds to; its details catch a sequence that was
    rolled back or restored and then reused by different events."""

    seq: int
    occurred_at: dt.datetime | None = None
    record_type: str | None = None
    record_id: int | None = None


_EMPTY = _Mark(0)


@dataclass(frozen=True)
class IndexAnswer:
    """What the index answered for a batch of queries, and which registry state it reflected."""

    seq: int  # the outbox sequence applied when the queries were answered
    scorer_name: str
    scorer_version: str
    hits: list[list[Hit]]  # one list per query, in query order


class NameIndex:
    """One matcher per process over the listed entities, kept fresh from the outbox.

    Built on first use (so starting a process costs nothing until it screens) and rebuilt
    when the outbox is far ahead of it, or when the outbox is behind what it applied or
    disagrees about the last event (a restored or rolled-back database). One lock guards the
    matcher: the dev server and threaded workers search and update it from several threads.
    Call it before writing anything in the transaction: it reads what the session sees.
    """

    def __init__(
        self,
        matcher_factory: Callable[[], Matcher],
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_lag: float = DEFAULT_MAX_LAG,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = matcher_factory
        self._max_pending = max_pending
        self._max_lag = max_lag
        self._clock = clock
        self._matcher: Matcher | None = None
        self._mark = _EMPTY
        self._checked: tuple[float, int] | None = None  # when the head was last read, and outbox_writes() then
        self._listeners: list[Callable[[set[int] | None], None]] = []
        self._lock = threading.RLock()
        self.rebuilds = 0  # how many full builds this process has made (for tests and metrics)
        self.head_reads = 0  # how many times the newest outbox event was read (for tests and metrics)

    def on_change(self, listener: Callable[[set[int] | None], None]) -> None:
        """Call `listener` with the entity ids each batch of applied events touched (None: all)."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def _changed(self, entity_ids: set[int] | None) -> None:
        for listener in self._listeners:
            listener(entity_ids)

    @property
    def seq(self) -> int:
        """The outbox sequence number this index has applied (0 before the first build)."""
        return self._mark.seq

    def __len__(self) -> int:
        with self._lock:
            return 0 if self._matcher is None else len(self._matcher)

    def reset(self) -> None:
        """Forget the matcher; the next use rebuilds it from the database."""
        with self._lock:
            self._matcher = None
            self._mark = _EMPTY
            self._checked = None
            self._changed(None)

    def ensure_fresh(self, session: Session) -> int:
        """Bring the index up to the newest committed outbox event; returns its sequence number.

        One primary-key query when nothing changed; otherwise the events since the last one
        applied are read and each entity they touch is re-read and upserted.
        """
        writes = outbox_writes()
        checked = self._checked
        if (
            self._matcher is not None
            and checked is not None
            and checked[1] == writes
            and self._clock() - checked[0] < self._max_lag
        ):
            return self._mark.seq  # asked the database less than max_lag ago, and this process wrote nothing since
        head = self._head(session)
        self.head_reads += 1
        self._checked = (self._clock(), writes)
        if self._matcher is not None and head == self._mark:
            return head.seq  # fast path: reading the reference needs no lock
        with self._lock:
            matcher = self._matcher
            if matcher is None or head.seq < self._mark.seq or head.seq - self._mark.seq > self._max_pending:
                return self._rebuild(session, head)
            if head == self._mark:
                return head.seq  # another thread brought it up while this one waited
            return self._catch_up(session, matcher, head)

    def search(self, session: Session, queries: Sequence[Query], limit: int = 10) -> IndexAnswer:
        """Freshen the index, then answer every query against that one state of it."""
        with self._lock:
            seq = self.ensure_fresh(session)
            matcher = self._matcher
            assert matcher is not None  # noqa: S101  (ensure_fresh always leaves one)
            hits = [matcher.search(query, limit) for query in queries]
            return IndexAnswer(seq, matcher.name, matcher.version, hits)

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    def _head(session: Session) -> _Mark:
        row = session.execute(
            sa.select(ChangeEvent.seq, ChangeEvent.occurred_at, ChangeEvent.record_type, ChangeEvent.record_id)
            .order_by(ChangeEvent.seq.desc())
            .limit(1)
        ).one_or_none()
        return _EMPTY if row is None else _Mark(int(row.seq), row.occurred_at, row.record_type, row.record_id)

    def _rebuild(self, session: Session, head: _Mark) -> int:
        # Candidates are read after the head: they reflect at least that state, and events
        # applied again later are harmless (an upsert of what is already there).
        matcher = self._factory()
        candidates = _candidates(session)
        matcher.build(candidates)
        self._matcher, self._mark = matcher, head
        self.rebuilds += 1
        self._changed(None)
        log.info(
            "name index built: %d listed entities at outbox seq %d (%s %s)",
            len(candidates),
            head.seq,
            matcher.name,
            matcher.version,
        )
        return head.seq

    def _catch_up(self, session: Session, matcher: Matcher, head: _Mark) -> int:
        rows = session.execute(
            sa.select(ChangeEvent.seq, ChangeEvent.occurred_at, ChangeEvent.record_type, ChangeEvent.record_id)
            .where(ChangeEvent.seq >= self._mark.seq, ChangeEvent.seq <= head.seq)
            .order_by(ChangeEvent.seq)
        ).all()
        if self._mark.seq and (
            not rows
            or _Mark(int(rows[0].seq), rows[0].occurred_at, rows[0].record_type, rows[0].record_id) != self._mark
        ):
            # The event this index last applied is not the one the outbox holds under its number.
            return self._rebuild(session, head)
        events = [row for row in rows if row.seq > self._mark.seq and row.record_type not in _UNSEEN_EVENTS]
        entity_ids = {int(e.record_id) for e in events if e.record_type == _ENTITY_EVENTS}
        about_one_entity = all(e.record_type == _ENTITY_EVENTS or e.record_type in _RECORD_EVENTS for e in events)
        for record_type, model in _RECORD_EVENTS.items():
            record_ids = [int(e.record_id) for e in events if e.record_type == record_type]
            for chunk in _chunks(record_ids):
                entity_ids.update(session.scalars(sa.select(model.entity_id).where(model.id.in_(chunk))))
        upserted = 0
        for chunk in _chunks(entity_ids):
            # Only listed entities: an entity event for an unlisted entity changes nothing here.
            for candidate in _candidates(session, chunk):
                matcher.upsert(candidate)
                upserted += 1
        self._mark = head
        self._changed(entity_ids if about_one_entity else None)
        log.debug(
            "name index: applied %d outbox events up to seq %d, %d entities upserted", len(events), head.seq, upserted
        )
        return head.seq
