"""The registry side of the candidate index: which entities the matcher knows, and keeping it fresh.

`matching/` knows nothing about the database. This module feeds it `Candidate` rows built from
the listed entities (those with at least one list entry or penalty) and keeps it up to date from
the outbox (`ChangeEvent`), whose sequence is gap-free and commit-ordered: the index remembers
the last event it applied, and before a screening `ensure_fresh` reads the newest one (one
query on the primary key) and applies what came since. So a change committed by any process is
seen by screenings in every worker process, without a restart or a timer: at once in the process
that made it (`registry.ledger.outbox_writes` tells it), within `max_lag` seconds (default 1)
in the others, which ask the database at most that often instead of on every screening.

Where index files are on (REGISTRY_INDEX_DIR, `index_files`), the workers of a machine share one
index: each maps the machine's index file and keeps only the changes since it in its own memory.

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

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session

from matching.index_file import IndexFileError, Manifest, Signature
from matching.matcher import NamePartsMatcher
from matching.types import Candidate, Hit, Matcher, NameKind, NameRecord, Query
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.ledger import outbox_writes
from registry.models import ChangeEvent, Entity, EntityName, ListEntry, Penalty
from registry.screening.index_files import EMPTY_MARK, IndexFiles, OutboxMark, files_for_current_app, read_head

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
_UNSEEN_EVENTS = frozenset({"evidence_anchor", "alert"})  # an alert: for one agency, about no record


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


_Mark = OutboxMark
_EMPTY = EMPTY_MARK
_FROM_APP: Literal["app"] = "app"  # NameIndex(files=...): the index files of the app in context, if they are on


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

    With index files (`files`: by default those of the app in context, `index_files`), a
    "build" maps the machine's file, building it first under its lock if no usable one exists,
    and catches up from the event it reflects; the changes since stay in this process. A new
    file swapped in by another process is noticed when the head is read, and mapped; when the
    changes grow past a share of the file (`needs_compaction`), this process writes a new one.
    """

    def __init__(
        self,
        matcher_factory: Callable[[], Matcher],
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_lag: float = DEFAULT_MAX_LAG,
        clock: Callable[[], float] = time.monotonic,
        files: IndexFiles | None | Literal["app"] = _FROM_APP,
    ) -> None:
        self._factory = matcher_factory
        self._files = files  # resolved at the first build ("app": from the app in context)
        self._file: Signature | None = None  # the manifest of the file the matcher maps (None: own memory)
        self._file_seen: Signature | None = None  # the manifest last looked at, used or not
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
        self.file_loads = 0  # how many times an index file was mapped (for tests and metrics)

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
            self._file = self._file_seen = None
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
        files = self._files
        if isinstance(files, IndexFiles) and self._matcher is not None and files.signature(session) != self._file_seen:
            with self._lock:
                if files.signature(session) != self._file_seen:
                    return self._map_new_file(session, head, files)
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
        return read_head(session)

    def _rebuild(self, session: Session, head: _Mark) -> int:
        files = self._files_to_use()
        if files is not None:
            done = self._rebuild_from_file(session, head, files)
            if done is not None:
                return done
        # Candidates are read after the head: they reflect at least that state, and events
        # applied again later are harmless (an upsert of what is already there).
        matcher = self._factory()
        candidates = _candidates(session)
        matcher.build(candidates)
        self._matcher, self._mark, self._file = matcher, head, None
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
        if self._file is not None and isinstance(matcher, NamePartsMatcher) and matcher.needs_compaction():
            self._compact_into_file(session, matcher)
        return head.seq

    # --- index files (`index_files`) ---------------------------------------------------------

    def _files_to_use(self) -> IndexFiles | None:
        """The index files, when they are on and the factory makes the matcher they hold."""
        if self._files == _FROM_APP and has_app_context():
            found = files_for_current_app()
            self._files = found if found is not None and type(self._factory()) is NamePartsMatcher else None
        return self._files if isinstance(self._files, IndexFiles) else None

    def _rebuild_from_file(self, session: Session, head: _Mark, files: IndexFiles) -> int | None:
        """Map the machine's index file, first building it (under its lock) if none is usable;
        None when this process should build in its own memory instead (the lock was held too
        long by another, the file cannot be read)."""
        self._file_seen = files.signature(session)

        def build() -> NamePartsMatcher:
            matcher = NamePartsMatcher()
            matcher.build(_candidates(session))
            self.rebuilds += 1
            return matcher

        got = files.obtain(session, head, self._max_pending, build)
        if got is not None and got.manifest is None and got.built is not None:  # built, but not written
            self._matcher, self._mark, self._file = got.built, head, None
            self._changed(None)
            return head.seq
        return None if got is None or got.manifest is None else self._map(session, head, files, got.manifest, got.mark)

    def _map(self, session: Session, head: _Mark, files: IndexFiles, manifest: Manifest, mark: _Mark) -> int | None:
        try:
            matcher = files.open(manifest)
        except IndexFileError as exc:
            log.warning("index file not mapped: %s", exc)
            return None
        self._matcher, self._mark = matcher, mark
        self._file = self._file_seen = manifest.signature
        self.file_loads += 1
        self._changed(None)
        log.info("name index mapped %s: %d listed entities at outbox seq %d", manifest.path, len(matcher), mark.seq)
        return head.seq if mark == head else self._catch_up(session, matcher, head)

    def _map_new_file(self, session: Session, head: _Mark, files: IndexFiles) -> int:
        """Another process swapped in a file: map it if it is usable (then catch up from the
        event it reflects), else keep this index."""
        self._file_seen = files.signature(session)
        found = files.usable(session, head, self._max_pending)
        done = None if found is None else self._map(session, head, files, *found)
        if done is not None:
            return done
        matcher = self._matcher
        if matcher is None or head.seq < self._mark.seq or head.seq - self._mark.seq > self._max_pending:
            return self._rebuild(session, head)
        return head.seq if head == self._mark else self._catch_up(session, matcher, head)

    def _compact_into_file(self, session: Session, matcher: NamePartsMatcher) -> None:
        """Write this index, changes merged, as the new file and map it; skipped while another
        process holds the lock (its new file is noticed soon after)."""
        files = self._files_to_use()
        if files is None:
            return
        try:
            manifest = files.rewrite(session, matcher, self._mark)
            if manifest is None:
                return  # another process is writing one
            self._matcher = files.open(manifest)
        except (OSError, IndexFileError) as exc:
            log.warning("index file not rewritten (%s): merging the changes in memory", exc)
            matcher.compact()
            return
        self._file = self._file_seen = manifest.signature
        self.file_loads += 1
