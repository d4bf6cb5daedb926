"""Penalty (行政处罚): a sanction decision with the national 双公示 fields.

English names map to the standard Chinese headers in `registry.records.penalty_fields`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, UTCDateTime, WanYuan, utcnow
from registry.models.responsible import ResponsiblePerson

if TYPE_CHECKING:
    from registry.models.authority import Authority


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"  # fixed-point: never "2E+1"


class Penalty(Base):
    """行政处罚决定 as published under 双公示, with the registry's own severity, domain and state."""

    __tablename__ = "penalties"
    __table_args__ = (
        sa.UniqueConstraint("authority_id", "decision_number"),
        sa.CheckConstraint("fine_amount >= 0", name="fine_not_negative"),
        sa.CheckConstraint("confiscation_amount >= 0", name="confiscation_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id"), index=True)
    # 行政相对人名称 / 统一社会信用代码 as they stood on the decision (the entity may be renamed later)
    subject_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    subject_uscc: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    data_source_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"))
    decision_number: Mapped[str] = mapped_column(sa.String(100))
    violation_type: Mapped[str] = mapped_column(sa.String(200))
    facts: Mapped[str] = mapped_column(sa.Text)
    basis: Mapped[str] = mapped_column(sa.Text)
    categories: Mapped[list[str]] = mapped_column(sa.JSON)
    content: Mapped[str] = mapped_column(sa.Text)
    fine_amount: Mapped[Decimal | None] = mapped_column(WanYuan())
    confiscation_amount: Mapped[Decimal | None] = mapped_column(WanYuan())
    licence_affected: Mapped[str | None] = mapped_column(sa.String(200))
    decided_on: Mapped[dt.date] = mapped_column(index=True)
    valid_until: Mapped[dt.date | None]
    publication_ends_on: Mapped[dt.date | None]
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    # 处罚程序 (simple 简易程序 / ordinary 普通程序); None on records that did not say (taken as 普通程序).
    procedure: Mapped[str | None] = mapped_column(sa.String(16))
    severity: Mapped[str] = mapped_column(sa.String(8))
    domain: Mapped[str] = mapped_column(sa.String(32), index=True)
    project_code: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    # Publication (公示) as the rule set in force on decided_on makes it: see registry.publication.
    rule_set: Mapped[str | None] = mapped_column(sa.String(40))
    publication_tier: Mapped[str | None] = mapped_column(sa.String(8))
    publishable: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    publication_starts_on: Mapped[dt.date | None]
    # Why the rules keep it unpublished, or which sector or local rule shaped its period.
    publication_note: Mapped[str | None] = mapped_column(sa.Text)
    # True when the authority set 公示截止期 itself (within the period); False: the rule set's maximum.
    publication_end_chosen: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # True when an imported 公示截止期 lies outside the period the rules give (real data computed under
    # a local rule): kept as given, flagged in the import report and in publication_note.
    publication_end_as_given: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    repair_from: Mapped[dt.date | None]
    repaired_on: Mapped[dt.date | None]
    # 公开时效: when it had to be published by, and whether that rests on a provisional calendar.
    publication_due_on: Mapped[dt.date | None]
    due_provisional: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_public: Mapped[bool] = mapped_column(default=True)
    not_public_reason: Mapped[str | None] = mapped_column(sa.Text)
    first_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(16), default="effective", index=True)
    revoked_on: Mapped[dt.date | None]
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The resident ID numbers masked in the free text, as typed: a JSON map of field to numbers,
    # encrypted (registry.records.record_rules.protect_free_text); for the deciding authority only, in
    # no snapshot, response or export.
    free_text_ids_cipher: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    # The deciding authority (决定机关), for reasons that name it; many-to-one, so a session reads
    # each authority once however many records it decided.
    authority: Mapped[Authority] = relationship(foreign_keys=[authority_id], viewonly=True)
    # 失信相关人 the decision names (发改法规〔2018〕457号): never shown to the public.
    responsible_persons: Mapped[list[ResponsiblePerson]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by=ResponsiblePerson.position,
        foreign_keys=[ResponsiblePerson.penalty_id],
    )

    __mapper_args__ = {"version_id_col": version}

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the decision counts on `day` (for measures and screening): decided, not
        revoked, not repaired, and not past its publication period."""
        return (
            (self.status == "effective" or (self.revoked_on is not None and day < self.revoked_on))
            and (self.repaired_on is None or day < self.repaired_on)
            and self.decided_on <= day
            and (self.publication_ends_on is None or day <= self.publication_ends_on)
        )

    def published_on(self, day: dt.date) -> bool:
        """Whether the public sees it on `day` (公示): in force, public, publishable, started."""
        return (
            self.in_force_on(day)
            and self.is_public
            and self.publishable
            and (self.publication_starts_on is None or self.publication_starts_on <= day)
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity_id": self.entity_id,
            "subject_name": self.subject_name,
            "subject_uscc": self.subject_uscc,
            "authority_id": self.authority_id,
            "data_source_authority_id": self.data_source_authority_id,
            "decision_number": self.decision_number,
            "violation_type": self.violation_type,
            "facts": self.facts,
            "basis": self.basis,
            "categories": list(self.categories),
            "content": self.content,
            "fine_amount": _amount(self.fine_amount),
            "confiscation_amount": _amount(self.confiscation_amount),
            "licence_affected": self.licence_affected,
            "decided_on": _iso(self.decided_on),
            "valid_until": _iso(self.valid_until),
            "publication_ends_on": _iso(self.publication_ends_on),
            "rule_set": self.rule_set,
            "publication_tier": self.publication_tier,
            "publishable": self.publishable,
            "publication_starts_on": _iso(self.publication_starts_on),
            "publication_note": self.publication_note,
            "publication_end_chosen": self.publication_end_chosen,
            "publication_end_as_given": self.publication_end_as_given,
            "repair_from": _iso(self.repair_from),
            "repaired_on": _iso(self.repaired_on),
            "publication_due_on": _iso(self.publication_due_on),
            "due_provisional": self.due_provisional,
            "remarks": self.remarks,
            "procedure": self.procedure,
            "severity": self.severity,
            "domain": self.domain,
            "project_code": self.project_code,
            "is_public": self.is_public,
            "not_public_reason": self.not_public_reason,
            "first_published_at": _iso(self.first_published_at),
            "status": self.status,
            "revoked_on": _iso(self.revoked_on),
            "revocation_reason": self.revocation_reason,
            "responsible_persons": [p.snapshot() for p in self.responsible_persons],
            "version": self.version,
        }
