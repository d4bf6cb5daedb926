"""What `verify-audit` checks beyond the hash chain itself, and the chain head the platform keeps.

The chain alone cannot catch everything someone with write access to the database can do:

- **Records edited in place.** A penalty or outbox row changed by SQL leaves the chain intact.
  So every outbox event is compared with the audit row written in the same transaction (same
  record, operation and time; its payload must be that row's `after`), and every record's
  current state with the last `after` the chain holds for it.
- **The tail removed, or a suffix recomputed.** Deleting the last rows and rewinding the counter,
  or rewriting rows and recomputing every hash after them, leaves a chain that holds together.
  Only a copy kept outside the registry shows it: the chain head (sequence number and hash) goes
  to the credit platform with the pull feed and every push, and `verify-audit --against FILE`
  checks the chain against the heads the platform kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.ledger import ChainReport, canonical_json, verify_audit_chain
from registry.models import (
    Account,
    AuditLog,
    Authority,
    ChangeEvent,
    Entity,
    LedgerCounter,
    ListEntry,
    Penalty,
    RepairApplication,
)

# The records whose full state every change writes to the chain (`after` = `snapshot()`).
CHECKED_RECORDS: dict[str, Any] = {
    "penalty": Penalty,
    "list_entry": ListEntry,
    "entity": Entity,
    "authority": Authority,
    "repair_application": RepairApplication,
    # People's accounts: audited only (no outbox event), but a role or a status changed by SQL shows.
    "account": Account,
}


@dataclass(frozen=True)
class ChainHead:
    """The audit chain's newest row: its sequence number and hash (what the platform keeps)."""

    seq: int
    hash: str
    at: dt.datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at.isoformat() if self.at else None}


def chain_head(session: Session) -> ChainHead:
    """The chain's head as the registry holds it now (0 and the genesis hash when empty)."""
    counter = session.get(LedgerCounter, "audit")
    if counter is None or not counter.value:
        return ChainHead(0, "0" * 64)
    at = session.scalar(sa.select(AuditLog.at).where(AuditLog.seq == counter.value))
    return ChainHead(int(counter.value), counter.last_hash or "", at)


@dataclass
class LedgerReport:
    """Everything `verify-audit` found; `ok` when nothing."""

    chain: ChainReport | None = None  # the hash chain's own check
    rows_checked: int = 0
    events_checked: int = 0
    records_checked: int = 0
    heads_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _digest(value: Any) -> bytes:
    return hashlib.sha256(canonical_json(value)).digest()


# A record's audited state: the fields it had then (shared between records with the same
# fields) and the digest of their values. A field added by a later release is not in older
# rows, so a record is compared on the fields its last audited state has.
_Audited = tuple[frozenset[str], bytes]


class _Shapes:
    def __init__(self) -> None:
        self._seen: dict[frozenset[str], frozenset[str]] = {}

    def audited(self, after: dict[str, Any]) -> _Audited:
        keys = frozenset(after)
        return self._seen.setdefault(keys, keys), _digest(after)


def _in_order(session: Session, model: Any, key: Any, batch: int = 1000) -> Iterator[Any]:
    last = 0
    while True:
        rows = session.scalars(
            sa.select(model).where(key > last).order_by(key).limit(batch).execution_options(populate_existing=True)
        ).all()
        if not rows:
            return
        yield from rows
        last = getattr(rows[-1], key.key)


def _check_events(session: Session, report: LedgerReport) -> dict[tuple[str, int], _Audited]:
    """Pair each outbox event with its audit row, in order; return each record's last `after` digest.

    A change writes its audit row and its event in one transaction, taking the audit number first,
    so events follow their audit rows in the same order (audit rows without events — screenings,
    keys — are passed over)."""
    last_after: dict[tuple[str, int], _Audited] = {}
    shapes = _Shapes()
    audit = _in_order(session, AuditLog, AuditLog.seq)
    for event in _in_order(session, ChangeEvent, ChangeEvent.seq):
        report.events_checked += 1
        for row in audit:
            if row.after is not None and row.record_id is not None:
                last_after[(row.record_type, row.record_id)] = shapes.audited(row.after)
            if (row.record_type, row.record_id, row.action) == (
                event.record_type,
                event.record_id,
                event.operation,
            ) and row.at == event.occurred_at:
                if _digest(row.after) != _digest(event.payload):
                    report.problems.append(
                        f"outbox event {event.seq} ({event.record_type} {event.record_id}) differs from audit row "
                        f"{row.seq}: the event was altered after it was written"
                    )
                break
        else:
            report.problems.append(f"outbox event {event.seq} ({event.record_type} {event.record_id}) has no audit row")
            return last_after
    for row in audit:  # the rows after the last event
        if row.after is not None and row.record_id is not None:
            last_after[(row.record_type, row.record_id)] = shapes.audited(row.after)
    return last_after


def _check_records(session: Session, last_after: dict[tuple[str, int], _Audited], report: LedgerReport) -> None:
    """Every record's current state is the last state the chain recorded for it (on the fields it
    recorded: a field a later release added is not in older rows)."""
    for record_type, model in CHECKED_RECORDS.items():
        for record in _in_order(session, model, model.id):
            report.records_checked += 1
            recorded = last_after.get((record_type, record.id))
            if recorded is None:
                report.problems.append(f"{record_type} {record.id} is not in the audit chain (written around it)")
                continue
            keys, digest = recorded
            snapshot = record.snapshot()
            if digest != _digest({k: snapshot.get(k) for k in keys}):
                report.problems.append(
                    f"{record_type} {record.id} differs from its last audited state (edited outside the registry)"
                )


def read_heads(path: Path) -> list[ChainHead]:
    """Heads the platform kept: a JSON list, or JSON lines, of {seq, hash}."""
    text = path.read_text(encoding="utf-8").strip()
    items: Iterable[Any] = (
        json.loads(text) if text.startswith("[") else (json.loads(line) for line in text.splitlines() if line.strip())
    )
    heads = []
    for i, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("seq"), int) and isinstance(item.get("hash"), str)):
            raise ValueError(f"{path}: entry {i + 1} is not an object with an integer seq and a hash")
        heads.append(ChainHead(item["seq"], item["hash"]))
    return heads


def _check_heads(session: Session, heads: list[ChainHead], report: LedgerReport) -> None:
    for head in sorted(heads, key=lambda h: h.seq):
        report.heads_checked += 1
        if head.seq == 0:
            continue
        found = session.scalar(sa.select(AuditLog.hash).where(AuditLog.seq == head.seq))
        if found is None:
            report.problems.append(
                f"the platform kept head {head.seq}, but the chain has no row {head.seq}: "
                "rows were removed from its end"
            )
        elif found != head.hash:
            report.problems.append(
                f"row {head.seq} does not have the hash the platform kept: the chain was "
                "rewritten from that row or before"
            )


def verify_ledgers(session: Session, *, heads: list[ChainHead] | None = None) -> LedgerReport:
    """The chain, the outbox against it, every record against it, and (given) the platform's heads."""
    report = LedgerReport()
    chain = report.chain = verify_audit_chain(session)
    report.rows_checked = chain.rows_checked
    if not chain.ok:
        report.problems.append(
            f"BROKEN at row {chain.broken_seq}: {chain.problem} ({chain.rows_checked} rows before it are intact)"
        )
    last_after = _check_events(session, report)
    _check_records(session, last_after, report)
    if heads:
        _check_heads(session, heads, report)
    return report
