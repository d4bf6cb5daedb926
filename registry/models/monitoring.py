"""Watches (持续监测) of screened subjects until award, and the alerts (预警) they raise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, UTCDateTime, utcnow


class Watch(Base):
    """One subject of a screening, watched by name and code until `watch_until` (inclusive).

    `decision_then` is the subject's own decision in the screening; `alerted_decision` the worst
    decision an alert has reported since, so a change that makes nothing worse than what the agency
    was already told raises no second alert.
    """

    __tablename__ = "watches"
    __table_args__ = (
        sa.Index("ix_watches_agency", "api_key_id", "id"),
        sa.UniqueConstraint("screening_id", "subject_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(sa.ForeignKey("screenings.id"))
    subject_index: Mapped[int]
    # The agency's screening key the screening was filed under (its people and its system share it).
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    agency: Mapped[str] = mapped_column(sa.String(200))
    subject_name: Mapped[str | None] = mapped_column(sa.String(200))
    subject_code: Mapped[str | None] = mapped_column(sa.String(50))  # the code the matcher is asked with
    domain: Mapped[str] = mapped_column(sa.String(32))
    project_code: Mapped[str] = mapped_column(sa.String(100))
    decision_then: Mapped[str] = mapped_column(sa.String(8))
    alerted_decision: Mapped[str | None] = mapped_column(sa.String(8))
    watch_until: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(sa.String(200))
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The subject's persons given with an ID number (its legal representative, or itself): followed too.
    persons: Mapped[list[WatchPerson]] = relationship(order_by="WatchPerson.id")

    def active_on(self, day: dt.date) -> bool:
        return self.ended_at is None and day <= self.watch_until

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "screening_id": self.screening_id,
            "subject_index": self.subject_index,
            "subject_name": self.subject_name,
            "subject_code": self.subject_code,
            "decision_then": self.decision_then,
            "watch_until": self.watch_until.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
        }


class WatchPerson(Base):
    """A person of a watched subject, followed among the 失信相关人 by the keyed hash of the ID number
    (`IdentityVault.fingerprint`, as `ResponsiblePerson.id_number_hash`): the number is never kept,
    only its masked form to show. A person given by name alone is not followed."""

    __tablename__ = "watch_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(sa.ForeignKey("watches.id"), index=True)
    capacity: Mapped[str] = mapped_column(sa.String(32))  # legal_representative | self
    name: Mapped[str | None] = mapped_column(sa.String(100))
    id_type: Mapped[str] = mapped_column(sa.String(32))
    id_number_masked: Mapped[str | None] = mapped_column(sa.String(64))
    fingerprint: Mapped[str] = mapped_column(sa.String(64), index=True)

    def shown(self) -> dict[str, Any]:
        """As the agency reads it: the number masked, no fingerprint."""
        return {
            "capacity": self.capacity,
            "name": self.name,
            "id_type": self.id_type,
            "id_number_masked": self.id_number_masked,
        }


class Alert(Base):
    """预警: a change in the registry would now give a watched subject a worse decision than its
    screening did. It points to the screening and never changes it; `details` holds the records,
    measures and match explanation as the re-evaluation saw them."""

    __tablename__ = "alerts"
    __table_args__ = (sa.Index("ix_alerts_agency", "api_key_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(sa.ForeignKey("watches.id"), index=True)
    screening_id: Mapped[int] = mapped_column(sa.ForeignKey("screenings.id"))
    subject_index: Mapped[int]
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    decision_then: Mapped[str] = mapped_column(sa.String(8))
    decision_now: Mapped[str] = mapped_column(sa.String(8))
    change_seq: Mapped[int] = mapped_column(sa.BigInteger)  # the outbox event that set it off
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id"))  # the changed entity
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(sa.String(200))
    ack_reason: Mapped[str | None] = mapped_column(sa.Text)

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "watch_id": self.watch_id,
            "screening_id": self.screening_id,
            "subject_index": self.subject_index,
            "decision_then": self.decision_then,
            "decision_now": self.decision_now,
            "change_seq": self.change_seq,
            "entity_id": self.entity_id,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "ack_reason": self.ack_reason,
        }
