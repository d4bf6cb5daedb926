"""Writing and checking the ledgers: the hash-chained audit log (全程留痕) and the outbox.

`record_change` is called by every service that changes a record, after its flush and
inside its transaction, so the change, its audit row and its outbox event commit together
or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.database import utcnow
from registry.models import AuditLog, ChangeEvent, LedgerCounter
from registry.models.ledger import audit_hashed_content

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts: a person signed in with their account (个人账户), an API key's holder, a CLI operator
    or the system itself.

    `name` is who the registry's rules see: a key's holder, or for an account the person, except a
    screener's, which acts for its agency (`name` is the agency, whose earlier dispositions it
    sees, and `key_id` the agency's screening key). `person` is the signed-in person's 姓名 and
    `account_id` their account: every audit row written for them names the person
    (`actor_name`, `actor_account_id`)."""

    key_id: int | None
    name: str
    role: str
    authority_id: int | None = None
    account_id: int | None = None
    person: str | None = None
    entity_id: int | None = None  # an entity key's own market entity (role "entity")

    @property
    def label(self) -> str:
        """A person: 张三 (supervisor, account 12); a key: 浙江省财政厅 (supervisor key 3)."""
        if self.account_id is not None:
            return f"{self.person or self.name} ({self.role}, account {self.account_id})"
        return f"{self.name} ({self.role}{'' if self.key_id is None else f' key {self.key_id}'})"

    @property
    def audited_name(self) -> str:
        """The name an audit row keeps: the person's when a person acts."""
        return self.person or self.name


SYSTEM = Actor(key_id=None, name="system", role="system")
# Whoever runs `flask registry …` on the server: an administrator by their access to it.
OPERATOR = Actor(key_id=None, name="cli operator", role="admin")


class Snapshottable(Protocol):
    id: Any
    version: Any

    def snapshot(self) -> dict[str, Any]: ...


def canonical_json(value: Any) -> bytes:
    """The one byte form hashes are computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


# Built once: the audit append runs on every write, screenings included, and building a
# statement costs more than running it on SQLite.
_COUNTERS = cast(sa.Table, LedgerCounter.__table__)
_TAKE_NUMBER = (
    sa.update(_COUNTERS)
    .where(_COUNTERS.c.name == sa.bindparam("counter"))
    .values(value=_COUNTERS.c.value + 1)
    .returning(_COUNTERS.c.value, _COUNTERS.c.last_hash)
)
_SET_LAST_HASH = sa.update(_COUNTERS).where(_COUNTERS.c.name == "audit").values(last_hash=sa.bindparam("new_hash"))
_INSERT_AUDIT = sa.insert(cast(sa.Table, AuditLog.__table__))


def _take_number(connection: sa.Connection, name: str) -> tuple[int, str | None]:
    """Increment a ledger counter; the row lock it takes is held until the transaction ends."""
    row = connection.execute(_TAKE_NUMBER, {"counter": name}).one_or_none()
    if row is None:
        raise RuntimeError(f"ledger counter {name!r} is missing: run the migrations (flask db upgrade)")
    return int(row.value), row.last_hash


@dataclass(frozen=True)
class AuditStamp:
    """Where an action landed in the audit chain."""

    seq: int
    at: dt.datetime
    hash: str


def _audit_row(
    seq: int,
    at: dt.datetime,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None,
    prev_hash: str,
) -> dict[str, Any]:
    """One audit row as stored, its hash computed over its content and the previous row's hash."""
    row: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "actor_key_id": actor.key_id,
        "actor_name": actor.audited_name[:200],
        "actor_role": actor.role,
        "actor_authority_id": actor.authority_id,
        "actor_account_id": actor.account_id,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "reason": reason,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    row["hash"] = row_hash(audit_hashed_content(row))
    return row


def append_audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None = None,
    now: dt.datetime | None = None,
    after_at: Callable[[dt.datetime], dict[str, Any]] | None = None,
) -> AuditStamp:
    """Append one audit row, chained to the previous one.

    Written with plain statements on the session's connection, in its transaction: the row is
    never read back through this session, so building an ORM object for it would only cost time
    on a busy write. `after_at`, when given, builds `after` from the row's own time (an evidence
    anchor signs the time it is recorded at).
    """
    connection = session.connection()
    seq, prev = _take_number(connection, "audit")
    # Read the time after taking the number (and its lock), so times rise with sequence.
    at = (now or utcnow()).astimezone(dt.UTC)
    if after_at is not None:
        after = after_at(at)
    row = _audit_row(seq, at, actor, action, record_type, record_id, before, after, reason, prev or GENESIS_HASH)
    connection.execute(_INSERT_AUDIT, row)
    connection.execute(_SET_LAST_HASH, {"new_hash": row["hash"]})
    return AuditStamp(seq, row["at"], row["hash"])


# How many times this process has written to the outbox or committed such a write. Readers
# that keep a copy of the registry in memory (the name index) compare it with the value they
# last saw: a change made by this process is seen at once, without asking the database.
_outbox_writes = 0


def outbox_writes() -> int:
    """A number that moves on whenever this process writes an outbox event or commits one."""
    return _outbox_writes


def _note_outbox_write() -> None:
    global _outbox_writes  # noqa: PLW0603 (a process-wide signal, read without a lock)
    _outbox_writes += 1


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("outbox_written", False):
        _note_outbox_write()


def emit_event(
    session: Session,
    *,
    record_type: str,
    record_id: int,
    record_version: int,
    operation: str,
    payload: dict[str, Any],
    authority_id: int | None,
    now: dt.datetime | None = None,
) -> ChangeEvent:
    """Put one change in the outbox under the next sequence number."""
    seq, _ = _take_number(session.connection(), "outbox")
    event = ChangeEvent(
        seq=seq,
        occurred_at=(now or utcnow()).astimezone(dt.UTC),
        record_type=record_type,
        record_id=record_id,
        record_version=record_version,
        operation=operation,
        authority_id=authority_id,
        payload=payload,
    )
    session.add(event)
    session.info["outbox_written"] = True
    _note_outbox_write()
    return event


def record_change(
    session: Session,
    *,
    actor: Actor,
    operation: str,
    record_type: str,
    record: Snapshottable,
    before: dict[str, Any] | None,
    authority_id: int | None,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Audit a change to `record` and put it in the outbox; returns the record's new snapshot.

    The caller has flushed, so the record has its id and its new version.
    """
    after = record.snapshot()
    audit = append_audit(
        session,
        actor=actor,
        action=operation,
        record_type=record_type,
        record_id=record.id,
        before=before,
        after=after,
        reason=reason,
        now=now,
    )
    emit_event(
        session,
        record_type=record_type,
        record_id=record.id,
        record_version=record.version,
        operation=operation,
        payload=after,
        authority_id=authority_id,
        now=audit.at,
    )
    return after


class Creation(NamedTuple):
    """One record created, as `record_creations` writes it to the audit log and the outbox."""

    actor: Actor
    record_type: str
    record_id: int
    version: int
    snapshot: dict[str, Any]
    authority_id: int | None


def _take_numbers(connection: sa.Connection, name: str, count: int) -> tuple[int, str | None]:
    """`_take_number` for `count` numbers at once: the first of them, and the chain head before."""
    row = connection.execute(
        sa.update(_COUNTERS)
        .where(_COUNTERS.c.name == name)
        .values(value=_COUNTERS.c.value + count)
        .returning(_COUNTERS.c.value, _COUNTERS.c.last_hash)
    ).one_or_none()
    if row is None:
        raise RuntimeError(f"ledger counter {name!r} is missing: run the migrations (flask db upgrade)")
    return int(row.value) - count + 1, row.last_hash


def record_creations(session: Session, creations: Sequence[Creation], now: dt.datetime | None = None) -> None:
    """`record_change(operation="create")` for each record in order, written together (the batched
    importer, the benchmark loader): one audit row each, chained to the one before, and one outbox
    event each, numbered without gaps. Each counter is moved once for the whole batch, and its row
    stays locked until the transaction ends, as with `record_change`."""
    if not creations:
        return
    connection = session.connection()
    first_audit, last_hash = _take_numbers(connection, "audit", len(creations))
    first_event, _ = _take_numbers(connection, "outbox", len(creations))
    at = (now or utcnow()).astimezone(dt.UTC)
    previous = last_hash or GENESIS_HASH
    audit_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for i, c in enumerate(creations):
        row = _audit_row(
            first_audit + i, at, c.actor, "create", c.record_type, c.record_id, None, c.snapshot, None, previous
        )
        previous = row["hash"]
        audit_rows.append(row)
        events.append(
            {
                "seq": first_event + i,
                "occurred_at": at,
                "record_type": c.record_type,
                "record_id": c.record_id,
                "record_version": c.version,
                "operation": "create",
                "authority_id": c.authority_id,
                "payload": c.snapshot,
            }
        )
    connection.execute(_INSERT_AUDIT, audit_rows)
    connection.execute(_SET_LAST_HASH, {"new_hash": previous})
    connection.execute(sa.insert(cast(sa.Table, ChangeEvent.__table__)), events)
    # As emit_event marks it: the commit tells this process's readers (the name index) to look.
    session.info["outbox_written"] = True


@dataclass(frozen=True)
class ChainReport:
    """What the audit-chain check found."""

    rows_checked: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.problem is None


def _rows(session: Session, batch: int) -> Iterator[AuditLog]:
    # populate_existing: check what the database holds, not the copies this session may
    # still keep of rows it wrote (its identity map would otherwise hide a tampered row).
    last = 0
    while True:
        rows = session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.seq > last)
            .order_by(AuditLog.seq)
            .limit(batch)
            .execution_options(populate_existing=True)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_audit_chain(session: Session, *, batch: int = 1000) -> ChainReport:
    """Walk the chain from the first row; name the first row that does not hold together."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in _rows(session, batch):
        if row.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"row {expected_seq} is missing (next row is {row.seq})")
        if row.prev_hash != expected_prev:
            return ChainReport(checked, row.seq, "prev_hash does not match the hash of the row before")
        if row_hash(row.hashed_content()) != row.hash:
            return ChainReport(checked, row.seq, "content does not match its hash (the row was altered)")
        expected_prev = row.hash
        expected_seq += 1
        checked += 1
    head = session.get(LedgerCounter, "audit", populate_existing=True)
    if head is not None and head.value != checked:
        return ChainReport(checked, checked + 1, f"the ledger head says {head.value} rows, the log ends at {checked}")
    if head is not None and checked and head.last_hash != expected_prev:
        return ChainReport(checked, checked, "the ledger head's hash does not match the last row")
    return ChainReport(checked)
