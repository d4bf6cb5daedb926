"""Authority (机关): the body that decides, publishes and corrects its own records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, UTCDateTime, utcnow


class AuthorityDomain(Base):
    """A trading domain an authority supervises (监管领域)."""

    __tablename__ = "authority_domains"

    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(sa.String(32), primary_key=True)

    def __init__(self, domain: str) -> None:
        self.domain = domain


class Authority(Base):
    """机关: name, 统一社会信用代码, region, 所属系统, supervised domains and parent authority."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    region_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    # 所属系统 (registry.vocab.AUTHORITY_SECTORS): some rules bind one 系统 only (市场监管: SAMR's rules).
    sector: Mapped[str] = mapped_column(sa.String(32), default="other", server_default="other")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    domain_rows: Mapped[list[AuthorityDomain]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=AuthorityDomain.domain
    )
    domains: AssociationProxy[list[str]] = association_proxy("domain_rows", "domain")
    parent: Mapped[Authority | None] = relationship(remote_side=[id], lazy="raise_on_sql")

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict[str, Any]:
        """The record as the audit log and the outbox keep it."""
        return {
            "id": self.id,
            "name": self.name,
            "uscc": self.uscc,
            "region_code": self.region_code,
            "sector": self.sector,
            "domains": sorted(self.domains),
            "parent_id": self.parent_id,
            "version": self.version,
        }
