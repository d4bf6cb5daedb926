"""The two ledgers every change writes to, in the change's own transaction.

- AuditLog (全程留痕): who changed what, before and after; each row hashes the previous one.
- ChangeEvent (outbox): the gap-free sequence the sync, the pull feed and the matcher read.

Both sequences come from LedgerCounter rows, not from database sequences: a sequence
leaves gaps on rollback and hands out numbers in an order other than commit order, so a
reader could pass event 41 before 40 commits. Incrementing a counter row takes a row lock
held until commit, which makes numbering gap-free and commit-ordered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, UTCDateTime


class LedgerCounter(Base):
    """The last number handed out in one ledger ('audit' or 'outbox'), and the audit chain head."""

    __tablename__ = "ledger_counters"

    name: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str | None] = mapped_column(sa.String(64))


class AuditLog(Base):
    """One audited action. `hash` = SHA-256 over the canonical row including `prev_hash`."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_record", "record_type", "record_id"),)

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor_key_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(sa.String(200))
    actor_role: Mapped[str] = mapped_column(sa.String(16))
    actor_authority_id: Mapped[int | None]
    # The person's account (个人账户) when a person signed in with one acted; hashed only when set.
    actor_account_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(32))
    record_type: Mapped[str] = mapped_column(sa.String(32))
    record_id: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    def hashed_content(self) -> dict[str, Any]:
        """The fields the hash covers, in a backend-independent form."""
        return audit_hashed_content(
            {name: getattr(self, name) for name in (*AUDIT_HASHED_FIELDS, *AUDIT_HASHED_WHEN_SET)}
        )


AUDIT_HASHED_FIELDS = (
    "seq",
    "at",
    "actor_key_id",
    "actor_name",
    "actor_role",
    "actor_authority_id",
    "action",
    "record_type",
    "record_id",
    "reason",
    "before",
    "after",
    "prev_hash",
)


# Fields added after the chain began: covered by the hash only when the row has a value, so every
# row written before them (and every row a migration writes as of its own revision) keeps its hash.
AUDIT_HASHED_WHEN_SET = ("actor_account_id",)


def audit_hashed_content(row: Mapping[str, Any]) -> dict[str, Any]:
    """What an audit row's hash covers, from its values (a row read, or one about to be written)."""
    content = {name: row[name] for name in AUDIT_HASHED_FIELDS}
    content.update({name: row[name] for name in AUDIT_HASHED_WHEN_SET if row.get(name) is not None})
    content["at"] = row["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    return content


class ChangeEvent(Base):
    """变更事件 (outbox): one change to one record, numbered without gaps in commit order."""

    __tablename__ = "change_events"
    # (record_type, record_id, seq): a record's latest event, or an entity's as of an event, is an
    # index-only backward scan (exports, the push's renderer).
    __table_args__ = (sa.Index("ix_change_events_record_seq", "record_type", "record_id", "seq"),)

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    record_type: Mapped[str] = mapped_column(sa.String(32))
    record_id: Mapped[int]
    record_version: Mapped[int]
    operation: Mapped[str] = mapped_column(sa.String(32))
    authority_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
