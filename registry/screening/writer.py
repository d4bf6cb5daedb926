"""Group commit for screenings (成批提交): one transaction and one disk flush for every screening
a process has waiting, each answered only once its own row is durably committed.

Why. A screening writes one row, but its commit waits for the disk, and on SQLite every writer
also queues for the database's one write lock, whose busy handler sleeps (1, 2, 5, 10 … ms)
instead of waking when the lock is free. A gthread worker (gunicorn.conf.py) has several
screenings in flight; one writer thread per process takes all that are waiting, gives them their
ids in one statement, inserts them in one statement and commits once. A batch is simply what
queued while the previous one committed: nobody waits for a batch to fill.

What does not change. The 201 comes after the commit (the request thread waits for it, with no
time limit of its own: the database's limits apply); each row is exactly what
`service.store_screening` writes (`service.sealed`: the document with its id, canonical, and its
digest); a batch that fails is retried one screening at a time, so a bad screening fails alone and
the others are stored. Nothing is acknowledged that was not committed: a crash loses only
screenings whose requests had not been answered.

Across processes on SQLite the writer holds an exclusive file lock (flock) beside the database
for its whole transaction, so the processes' writers hand the write lock over through the kernel,
which wakes the next at once, rather than polling in SQLite's busy handler. Other writers (a
supervisor's correction) do not take it: they wait in the busy handler as before.

Not used (the caller stores in its own transaction) for a request with an Idempotency-Key, whose
kept answer must commit with the screening, nor where the app's config turns it off (the test
suite's requests share one connection that is rolled back after each test).
"""

from __future__ import annotations

import fcntl
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from registry.access import require_role
from registry.database import write_intent
from registry.ledger import Actor
from registry.screening.ids import allocate_screening_ids
from registry.screening.service import ScreeningDraft, StoredScreening, insert_screenings, sealed

MAX_BATCH = 64  # screenings per transaction: a bound on one INSERT's size, rarely reached


@dataclass
class _Waiting:
    """One request's screening, waiting for its batch to commit."""

    draft: ScreeningDraft
    done: threading.Event = field(default_factory=threading.Event)
    stored: StoredScreening | None = None
    error: BaseException | None = None


@dataclass
class WriterFigures:
    """What the writer has done in this process (for benchmarks and the health page)."""

    batches: int = 0
    screenings: int = 0
    largest_batch: int = 0
    retried_alone: int = 0


class ScreeningWriter:
    """The per-process group committer of screenings (see the module docstring)."""

    def __init__(self, engine: sa.Engine, *, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._lock_path = _lock_path(engine)
        self._guard = threading.Lock()
        self._pid = 0  # the process the thread and the queue belong to (a forked child starts its own)
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._lock_file: int | None = None
        self.figures = WriterFigures()

    def store(self, draft: ScreeningDraft, actor: Actor) -> StoredScreening:
        """Store the draft in the next batch and return it once that batch has committed; raise
        what storing it raised (a database error is the caller's to map, as for any write)."""
        require_role(actor, "screener")
        waiting = _Waiting(draft)
        self._running().put(waiting)
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error
        assert waiting.stored is not None  # noqa: S101 (set with done, unless error is)
        return waiting.stored

    def _running(self) -> queue.SimpleQueue[_Waiting]:
        with self._guard:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._queue = queue.SimpleQueue()
                self._lock_file = None
                threading.Thread(target=self._run, args=(self._queue,), name="screening-writer", daemon=True).start()
            return self._queue

    def _run(self, waiting: queue.SimpleQueue[_Waiting]) -> None:
        write_intent.set(True)  # this thread only writes: on SQLite each transaction is BEGIN IMMEDIATE
        while True:
            batch = [waiting.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(waiting.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            self._commit(batch)
        except Exception as exc:  # noqa: BLE001 (every waiter must be told; see below)
            if len(batch) == 1:
                batch[0].error = exc
            else:  # one at a time, so one bad screening does not fail the others
                for one in batch:
                    self.figures.retried_alone += 1
                    try:
                        self._commit([one])
                    except Exception as alone:  # noqa: BLE001 (handed to its request)
                        one.error = alone
        finally:
            for one in batch:
                one.done.set()

    def _commit(self, batch: list[_Waiting]) -> None:
        with self._file_lock(), self._engine.begin() as connection:
            ids = allocate_screening_ids(connection, len(batch))
            sealed_rows = [sealed(one.draft, screening_id) for one, screening_id in zip(batch, ids, strict=True)]
            insert_screenings(connection, [row for row, _ in sealed_rows])
        for one, (_, stored) in zip(batch, sealed_rows, strict=True):  # committed: now they may answer
            one.stored = stored
        self.figures.batches += 1
        self.figures.screenings += len(batch)
        self.figures.largest_batch = max(self.figures.largest_batch, len(batch))

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self._lock_path is None:
            yield
            return
        if self._lock_file is None:
            self._lock_file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)


def _lock_path(engine: sa.Engine) -> Path | None:
    """The lock file beside a SQLite database file; None for PostgreSQL or an in-memory database."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).with_name(Path(database).name + ".screening-writer.lock")
