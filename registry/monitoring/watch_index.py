"""The index of watched subjects (被监测主体索引): the matcher run the other way round.

A screening asks "which listed entities may this bidder be?". Monitoring asks the reverse for each
change: "which watched subjects may this changed entity be?". The same name matcher answers it,
over the watched subjects' names and codes instead of the listed entities'. It only chooses whom
to look at again: every candidate is then re-screened the normal way (`registry.monitoring.detect`),
so an alert says exactly what a screening now would, and a loose candidate costs one re-screening,
never a wrong alert.

The index lives in the process that checks (the scheduler of `flask sync run`, or
`flask registry watch-check`): watches added since it last looked are upserted (one query on the
primary key); watches that ended or ran out are dropped when a search finds them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matching.matcher import NamePartsMatcher
from matching.types import Candidate, NameRecord, Query
from registry.codes.uscc import is_valid
from registry.models import Watch

# More new watches than this at once, into an empty index, are built in bulk.
BULK = 1000
# Candidates a changed name may bring back: generous, since each is checked by a re-screening.
CANDIDATES_PER_NAME = 50


def _candidate(watch_id: int, name: str | None, code: str | None) -> Candidate | None:
    names = (NameRecord(name),) if name else ()
    usable_code = code if code and is_valid(code) else None
    if not names and usable_code is None:
        return None
    return Candidate(entity_id=watch_id, names=names, code=usable_code)


class WatchIndex:
    """Watched subjects by name and code; `refresh` before `search`."""

    def __init__(self) -> None:
        self._matcher = NamePartsMatcher(build_workers=1)
        self._last_id = 0
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    def refresh(self, session: Session) -> int:
        """Index the watches made since the last refresh (running or not: a search re-checks)."""
        with self._lock:
            rows = session.execute(
                sa.select(Watch.id, Watch.subject_name, Watch.subject_code)
                .where(Watch.id > self._last_id, Watch.ended_at.is_(None))
                .order_by(Watch.id)
            ).all()
            made = [c for row in rows if (c := _candidate(int(row.id), row.subject_name, row.subject_code))]
            if self._size == 0 and len(made) > BULK:
                self._matcher.build(made)  # the first look: one bulk build, far quicker than one by one
            else:
                for candidate in made:
                    self._matcher.upsert(candidate)
            self._size += len(made)
            if rows:
                self._last_id = int(rows[-1].id)
            return len(rows)

    def search(self, names: Iterable[str], code: str | None) -> set[int]:
        """The watches whose subject may be the entity with these names and code."""
        found: set[int] = set()
        queries = [Query(name=name, code=code) for name in names] or [Query(code=code)]
        for query in queries:
            found.update(hit.entity_id for hit in self._matcher.search(query, CANDIDATES_PER_NAME))
        return found

    def drop(self, watch_ids: Iterable[int]) -> None:
        """Forget watches that ended or ran out."""
        with self._lock:
            for watch_id in watch_ids:
                self._matcher.remove(watch_id)
                self._size -= 1
