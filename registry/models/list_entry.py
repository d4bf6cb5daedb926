"""ListEntry (名单): an entity on a black, red or watch list, and each change of its state."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, UTCDateTime, utcnow
from registry.models.responsible import ResponsiblePerson

if TYPE_CHECKING:
    from registry.models.authority import Authority
    from registry.models.entity import Entity


class ListEntryDomain(Base):
    """A trading domain the entry concerns."""

    __tablename__ = "list_entry_domains"

    list_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("list_entries.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)

    def __init__(self, domain: str) -> None:
        self.domain = domain


class ListEntryTransition(Base):
    """One change of a list entry's state: who, when, why (全程留痕)."""

    __tablename__ = "list_entry_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("list_entries.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    effective_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(sa.Text)
    actor: Mapped[str] = mapped_column(sa.String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def snapshot(self) -> dict[str, Any]:
        return {
            "from_status": self.from_status,
            "to_status": self.to_status,
            "effective_on": self.effective_on.isoformat(),
            "reason": self.reason,
            "actor": self.actor,
            "at": self.at.isoformat(),
        }


class ListEntry(Base):
    """名单 entry: list type, the named list, domains, deciding authority and decision, dates, state.

    The stored status is what a person decided (active, removed, repaired); whether an
    active entry has expired is read from `expires_on`, its last day in force, against the
    date asked about: on that day it still counts, from the next it is expired.
    """

    __tablename__ = "list_entries"
    __table_args__ = (
        sa.UniqueConstraint("authority_id", "decision_number", "list_name"),
        sa.CheckConstraint("expires_on IS NULL OR expires_on >= listed_on", name="expiry_after_listing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id"), index=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    list_type: Mapped[str] = mapped_column(sa.String(8))
    list_name: Mapped[str] = mapped_column(sa.String(200))
    decision_number: Mapped[str] = mapped_column(sa.String(100))
    reason_category: Mapped[str] = mapped_column(sa.String(100))
    facts: Mapped[str] = mapped_column(sa.Text)
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    project_code: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    listed_on: Mapped[dt.date] = mapped_column(index=True)
    # 有效期截止日期: the last day the entry is in force (inclusive), as on the listing decision.
    expires_on: Mapped[dt.date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active", index=True)
    status_changed_on: Mapped[dt.date | None]
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Earliest date a credit repair may be applied for (from the list catalogue), if repairable.
    repair_from: Mapped[dt.date | None]
    # 公开时效: when it had to be published by, and whether that rests on a provisional calendar.
    publication_due_on: Mapped[dt.date | None]
    due_provisional: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_public: Mapped[bool] = mapped_column(default=True)
    not_public_reason: Mapped[str | None] = mapped_column(sa.Text)
    first_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The resident ID numbers masked in the free text and reasons, as typed: a JSON map of field to
    # numbers, encrypted (registry.records.record_rules.protect_free_text); for the deciding authority only.
    free_text_ids_cipher: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    domain_rows: Mapped[list[ListEntryDomain]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ListEntryDomain.domain
    )
    domains: AssociationProxy[list[str]] = association_proxy("domain_rows", "domain")
    transitions: Mapped[list[ListEntryTransition]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ListEntryTransition.id
    )
    # The deciding authority (决定机关), for reasons that name it; many-to-one, so a session reads
    # each authority once however many records it decided.
    authority: Mapped[Authority] = relationship(foreign_keys=[authority_id], viewonly=True)
    # The listed entity, for its name and code beside the entry (a list reads them in one query).
    entity: Mapped[Entity] = relationship(foreign_keys=[entity_id], viewonly=True)
    # 失信相关人 the decision names (发改法规〔2018〕457号): never shown to the public.
    responsible_persons: Mapped[list[ResponsiblePerson]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by=ResponsiblePerson.position,
        foreign_keys=[ResponsiblePerson.list_entry_id],
    )

    __mapper_args__ = {"version_id_col": version}

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the entry counts on `day` (for measures and screening)."""
        return self.listed_on <= day and self.status_on(day) == "active"

    def status_on(self, day: dt.date) -> str:
        """The state on `day`: a stored decision, or 'expired' once `expires_on` (the last day in force) has passed."""
        stored = self.status
        if stored != "active" and self.status_changed_on is not None and day < self.status_changed_on:
            stored = "active"  # asked about a day before the removal, repair or revocation took effect
        if stored == "active" and self.expires_on is not None and day > self.expires_on:
            return "expired"
        return stored

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity_id": self.entity_id,
            "authority_id": self.authority_id,
            "list_type": self.list_type,
            "list_name": self.list_name,
            "decision_number": self.decision_number,
            "reason_category": self.reason_category,
            "facts": self.facts,
            "legal_basis": self.legal_basis,
            "project_code": self.project_code,
            "domains": sorted(self.domains),
            "listed_on": self.listed_on.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "status": self.status,
            "status_changed_on": self.status_changed_on.isoformat() if self.status_changed_on else None,
            "status_reason": self.status_reason,
            "repair_from": self.repair_from.isoformat() if self.repair_from else None,
            "publication_due_on": self.publication_due_on.isoformat() if self.publication_due_on else None,
            "due_provisional": self.due_provisional,
            "is_public": self.is_public,
            "not_public_reason": self.not_public_reason,
            "first_published_at": self.first_published_at.isoformat() if self.first_published_at else None,
            "responsible_persons": [p.snapshot() for p in self.responsible_persons],
            "version": self.version,
        }
