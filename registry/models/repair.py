"""Credit repair applications (信用修复申请)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, UTCDateTime, utcnow


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


class RepairApplication(Base):
    """An entity's application to repair its credit for one record (a penalty or a list entry).

    submitted → accepted | rejected; accepted → repaired | rejected. The authority that
    decided the record decides the application; deadlines are counted in working days.
    """

    __tablename__ = "repair_applications"
    __table_args__ = (
        sa.Index("ix_repair_applications_record", "record_type", "record_id"),
        # At most one open application per record, even for two submissions at the same moment.
        sa.Index(
            "uq_repair_applications_open",
            "record_type",
            "record_id",
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'accepted')"),
            postgresql_where=sa.text("status IN ('submitted', 'accepted')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id"), index=True)
    record_type: Mapped[str] = mapped_column(sa.String(16))
    record_id: Mapped[int]
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    statement: Mapped[str] = mapped_column(sa.Text)
    commitment: Mapped[str] = mapped_column(sa.Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted", index=True)
    submitted_on: Mapped[dt.date]
    submitted_by: Mapped[str] = mapped_column(sa.String(200))
    # The deciding authority's deadlines (谁认定、谁修复), in working days from receipt, by the
    # repair rules in force that day; the credit platform's own answer is due by platform_answer_by.
    accept_by: Mapped[dt.date]
    decide_by: Mapped[dt.date]
    platform_answer_by: Mapped[dt.date | None]
    due_provisional: Mapped[bool] = mapped_column(default=False)
    accepted_on: Mapped[dt.date | None]
    decided_on: Mapped[dt.date | None]
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity_id": self.entity_id,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "authority_id": self.authority_id,
            "statement": self.statement,
            "commitment": self.commitment,
            "attachments": list(self.attachments),
            "status": self.status,
            "submitted_on": _iso(self.submitted_on),
            "submitted_by": self.submitted_by,
            "accept_by": _iso(self.accept_by),
            "decide_by": _iso(self.decide_by),
            "platform_answer_by": _iso(self.platform_answer_by),
            "due_provisional": self.due_provisional,
            "accepted_on": _iso(self.accepted_on),
            "decided_on": _iso(self.decided_on),
            "decided_by": self.decided_by,
            "decision_reason": self.decision_reason,
            "version": self.version,
        }
