"""Entity (市场主体 / 行政相对人) and its names over time (现用名, 曾用名, 别名)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.database import Base, UTCDateTime, utcnow


class EntityName(Base):
    """One name an entity has carried: current, former (曾用名) or alias, with its dates."""

    __tablename__ = "entity_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


class Entity(Base):
    """市场主体 / 行政相对人: an organisation, an individual business or a natural person.

    Identity numbers of people (证件号码) are never stored in clear: see `codes.idnumber`.
    """

    __tablename__ = "entities"
    __table_args__ = (
        # One entity per code; the 个体工商户 placeholder is shared by many and so excluded.
        sa.Index(
            "uq_entities_uscc",
            "uscc",
            unique=True,
            sqlite_where=sa.text(f"uscc <> '{INDIVIDUAL_BUSINESS_PLACEHOLDER}'"),
            postgresql_where=sa.text(f"uscc <> '{INDIVIDUAL_BUSINESS_PLACEHOLDER}'"),
        ),
        sa.Index("uq_entities_id_number_hash", "id_number_hash", unique=True),
        # SQLite uses a partial index only when a query's WHERE implies the index's: `uscc = ?`
        # does not, so without this plain index every lookup by code scans the table.
        sa.Index("ix_entities_uscc", "uscc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    uscc: Mapped[str | None] = mapped_column(sa.String(18))
    region_code: Mapped[str | None] = mapped_column(sa.String(6))
    # 工商注册号, 组织机构代码, 税务登记号, 事业单位证书号, 社会组织登记证号 (older registrations)
    business_registration_no: Mapped[str | None] = mapped_column(sa.String(32))
    organization_code: Mapped[str | None] = mapped_column(sa.String(16))
    tax_registration_no: Mapped[str | None] = mapped_column(sa.String(32))
    institution_certificate_no: Mapped[str | None] = mapped_column(sa.String(32))
    social_org_registration_no: Mapped[str | None] = mapped_column(sa.String(32))
    # 法定代表人 (organisations) and their 证件
    legal_representative: Mapped[str | None] = mapped_column(sa.String(100))
    legal_rep_id_type: Mapped[str | None] = mapped_column(sa.String(32))
    legal_rep_id_cipher: Mapped[str | None] = mapped_column(sa.Text)
    legal_rep_id_masked: Mapped[str | None] = mapped_column(sa.String(64))
    # 证件类型 / 证件号码 (natural persons)
    id_type: Mapped[str | None] = mapped_column(sa.String(32))
    id_number_cipher: Mapped[str | None] = mapped_column(sa.Text)
    id_number_hash: Mapped[str | None] = mapped_column(sa.String(64))
    id_number_masked: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    names: Mapped[list[EntityName]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=EntityName.id
    )

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict[str, Any]:
        """The record as the audit log and the outbox keep it (ID numbers masked only)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "uscc": self.uscc,
            "region_code": self.region_code,
            "business_registration_no": self.business_registration_no,
            "organization_code": self.organization_code,
            "tax_registration_no": self.tax_registration_no,
            "institution_certificate_no": self.institution_certificate_no,
            "social_org_registration_no": self.social_org_registration_no,
            "legal_representative": self.legal_representative,
            "legal_rep_id_type": self.legal_rep_id_type,
            "legal_rep_id_masked": self.legal_rep_id_masked,
            "id_type": self.id_type,
            "id_number_masked": self.id_number_masked,
            "names": [n.snapshot() for n in self.names],
            "version": self.version,
        }
