"""The machine's index file (`matching.index_file`): one copy of the candidate index that every
worker process maps read-only, instead of each building and holding its own.

Where: REGISTRY_INDEX_DIR (default instance/index; "off" keeps every index in its process's own
memory, as the suite does unless told otherwise), in a subdirectory named after the matcher's
fingerprint and the database, so that two releases, or two databases, never overwrite each
other's file. What the registry adds to the manifest: the outbox event the file reflects (its
`OutboxMark`) and which database it was read from.

Who builds it: `flask registry build-index`, or the first worker that finds no usable file
(`NameIndex`); either holds the directory's lock meanwhile, so workers starting together build
it once: the others wait, then map it. A worker whose changes since the file grow large writes
a new file from its own index (a compaction; `NameIndex`), and every worker maps a new file
when it notices one (at most as often as it reads the outbox head).

A file is usable when its manifest is whole and of this matcher's version, it was read from this
database, the outbox still holds the event it reflects under the same number (not a restored or
rolled-back database), and it is at most `max_pending` events behind the head.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from matching import index_file
from matching.index_file import BuildLock, IndexFileError, Manifest, Signature
from matching.matcher import NamePartsMatcher
from registry.models import ChangeEvent

log = logging.getLogger(__name__)

DEFAULT_WAIT = 600.0  # seconds a worker waits for another process building the file, then builds alone
DEFAULT_SUBDIRECTORY = "index"  # under the instance folder
DEFAULT_KEEP_DAYS = 7.0  # other releases' and databases' directories unchanged this long are deleted
_OFF = frozenset({"", "off", "none", "memory"})


@dataclass(frozen=True)
class OutboxMark:
    """The outbox event an index state corresponds to; its details catch a sequence that was
    rolled back or restored and then reused by different events."""

    seq: int
    occurred_at: dt.datetime | None = None
    record_type: str | None = None
    record_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        at = None if self.occurred_at is None else self.occurred_at.isoformat()
        return {"seq": self.seq, "occurred_at": at, "record_type": self.record_type, "record_id": self.record_id}

    @classmethod
    def from_json(cls, raw: Any) -> OutboxMark:
        at = raw.get("occurred_at")
        record_id = raw.get("record_id")
        return cls(
            int(raw["seq"]),
            None if at is None else dt.datetime.fromisoformat(at),
            raw.get("record_type"),
            None if record_id is None else int(record_id),
        )


EMPTY_MARK = OutboxMark(0)
_EVENT_COLUMNS = (ChangeEvent.seq, ChangeEvent.occurred_at, ChangeEvent.record_type, ChangeEvent.record_id)


def read_head(session: Session) -> OutboxMark:
    """The newest outbox event (one query on the primary key)."""
    row = session.execute(sa.select(*_EVENT_COLUMNS).order_by(ChangeEvent.seq.desc()).limit(1)).one_or_none()
    return EMPTY_MARK if row is None else OutboxMark(int(row.seq), row.occurred_at, row.record_type, row.record_id)


def _mark_at(session: Session, seq: int) -> OutboxMark | None:
    row = session.execute(sa.select(*_EVENT_COLUMNS).where(ChangeEvent.seq == seq)).one_or_none()
    return None if row is None else OutboxMark(int(row.seq), row.occurred_at, row.record_type, row.record_id)


def index_directory(app: Flask) -> Path | None:
    """REGISTRY_INDEX_DIR, else instance/index; None when index files are off (the setting is
    "off", or it is unset in a TESTING app, whose databases come and go)."""
    configured = app.config.get("INDEX_DIR")
    if configured is None:
        return None if app.testing else Path(app.instance_path) / DEFAULT_SUBDIRECTORY
    text = str(configured).strip()
    if text.lower() in _OFF:
        return None
    path = Path(text).expanduser()
    return path if path.is_absolute() else Path(app.instance_path) / path


def files_for_current_app() -> IndexFiles | None:
    """The index files of the app in context (None: off, or no app context)."""
    if not has_app_context():
        return None
    directory = index_directory(current_app)
    return None if directory is None else IndexFiles(directory)


def database_identity(session: Session) -> str:
    """Which database the session reads (its URL without the password), as a short digest."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Obtained:
    """What `IndexFiles.obtain` got: a usable file (`manifest`), or the matcher this process
    built and could not write (`manifest` None); `built`: whether this process built it."""

    mark: OutboxMark
    manifest: Manifest | None
    built: NamePartsMatcher | None = None


class IndexFiles:
    """The index files under one root directory, for this registry's databases."""

    def __init__(self, root: Path, *, wait: float = DEFAULT_WAIT, verify: bool = True) -> None:
        self.root = root
        self.wait = wait  # seconds to wait for another process's build
        self.verify = verify  # check a file's checksum before mapping it
        self._directories: dict[str, Path] = {}

    def directory(self, session: Session) -> Path:
        """Where this release's matcher keeps the file of the session's database."""
        database = database_identity(session)
        found = self._directories.get(database)
        if found is None:
            found = self._directories[database] = self.root / f"{index_file.fingerprint()[:16]}-{database}"
        return found

    def lock(self, session: Session) -> BuildLock:
        return BuildLock(self.directory(session))

    def signature(self, session: Session) -> Signature | None:
        """The current manifest's identity (None: no file yet): it changes when a file is swapped in."""
        return index_file.signature(self.directory(session))

    def usable(self, session: Session, head: OutboxMark, max_pending: int) -> tuple[Manifest, OutboxMark] | None:
        """The current file and the outbox event it reflects, if it is usable at `head`."""
        directory = self.directory(session)
        try:
            manifest = index_file.read_manifest(directory)
        except IndexFileError as exc:
            log.warning("index file unusable: %s", exc)
            return None
        if manifest is None:
            return None
        mark, problem = self.assess(session, manifest, head, max_pending)
        if problem is not None:
            log.info("index file %s not used: %s", manifest.path, problem)
            return None
        return manifest, mark

    @staticmethod
    def assess(
        session: Session, manifest: Manifest, head: OutboxMark, max_pending: int
    ) -> tuple[OutboxMark, str | None]:
        """The outbox event the file reflects, and why it is not usable at `head` (None: it is)."""
        problem = index_file.mismatch(manifest, NamePartsMatcher.identity())
        try:
            mark = OutboxMark.from_json(manifest.extra["outbox"])
        except (KeyError, TypeError, ValueError, AttributeError):
            problem = problem or "it records no outbox event"
            mark = EMPTY_MARK
        if problem is None and manifest.extra.get("database") != database_identity(session):
            problem = "it was read from another database"
        if problem is None and not 0 <= head.seq - mark.seq <= max_pending:
            problem = f"it reflects outbox event {mark.seq}, the head is {head.seq}"
        if problem is None and mark.seq and _mark_at(session, mark.seq) != mark:
            problem = f"the outbox no longer holds its event {mark.seq} (a restored database?)"
        return mark, problem

    def open(self, manifest: Manifest) -> NamePartsMatcher:
        """A matcher over the file, mapped (raises IndexFileError)."""
        return NamePartsMatcher.from_file(manifest, verify=self.verify)

    def write(self, session: Session, matcher: NamePartsMatcher, mark: OutboxMark) -> Manifest:
        """Write the matcher's index as the current file, reflecting `mark`; the caller holds
        the lock. Raises OSError when the directory cannot be written."""
        extra = {"outbox": mark.as_json(), "database": database_identity(session)}
        manifest = matcher.write_file(self.directory(session), extra)
        log.info(
            "index file written: %s (%d entities, %.1f MB) at outbox seq %d",
            manifest.path,
            manifest.counts["entities"],
            manifest.size / 1e6,
            mark.seq,
        )
        return manifest

    def obtain(
        self, session: Session, head: OutboxMark, max_pending: int, build: Callable[[], NamePartsMatcher]
    ) -> Obtained | None:
        """A usable file; if there is none, take the lock (waiting `wait` seconds at most) and,
        unless another process built one meanwhile, `build` a matcher and write it. None when
        the lock cannot be had: the caller builds in its own memory."""
        found = self.usable(session, head, max_pending)
        if found is not None:
            return Obtained(found[1], found[0])
        lock = self.lock(session)
        try:
            if not lock.acquire(self.wait):
                log.warning("index file: another process held the lock %.0f s; building in memory", self.wait)
                return None
        except OSError as exc:
            log.warning("index file: cannot take the lock (%s); building in memory", exc)
            return None
        try:
            found = self.usable(session, head, max_pending)  # another process built it meanwhile
            if found is not None:
                return Obtained(found[1], found[0])
            matcher = build()
            try:
                written = self.write(session, matcher, head)
            except OSError as exc:
                log.warning("index file not written (%s): this process keeps its index in memory", exc)
                return Obtained(head, None, matcher)
            with contextlib.suppress(OSError):
                self.prune(session, DEFAULT_KEEP_DAYS)
            return Obtained(head, written, matcher)
        finally:
            lock.release()

    def rewrite(self, session: Session, matcher: NamePartsMatcher, mark: OutboxMark) -> Manifest | None:
        """Write the matcher's index, changes merged, as the new file (a compaction); None when
        another process holds the lock (its new file will do). Raises OSError."""
        lock = self.lock(session)
        if not lock.acquire(0):
            return None
        try:
            return self.write(session, matcher, mark)
        finally:
            lock.release()

    def prune(self, session: Session, older_than_days: float) -> list[Path]:
        """Delete the directories of other releases or databases under the root whose manifest
        has not changed for `older_than_days` (a process still mapping a file keeps it); skips
        any whose lock is held. Returns those deleted."""
        keep = self.directory(session)
        limit = time.time() - older_than_days * 86400
        deleted = []
        for path in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            manifest = path / index_file.MANIFEST
            if path == keep or not path.is_dir() or not (path / index_file.LOCK).exists():
                continue  # not an index directory: left alone
            changed = manifest.stat().st_mtime if manifest.exists() else path.stat().st_mtime
            lock = BuildLock(path)
            if changed < limit and lock.acquire(0):
                try:
                    shutil.rmtree(path)
                    deleted.append(path)
                finally:
                    lock.release()
        return deleted
