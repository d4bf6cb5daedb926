"""Licence (行政许可): the licensing half of 双公示, with the national fields."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from registry.models.authority import Authority


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


class Licence(Base):
    """行政许可决定 as published under 双公示. Not a sanction: it never blocks or flags a screening."""

    __tablename__ = "licences"
    __table_args__ = (sa.UniqueConstraint("authority_id", "decision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id"), index=True)  # 行政相对人
    subject_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    subject_uscc: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)  # 许可机关
    data_source_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"))  # 数据来源单位
    decision_document_name: Mapped[str] = mapped_column(sa.String(200))  # 行政许可决定文书名称
    decision_number: Mapped[str] = mapped_column(sa.String(100))  # 文号
    licence_category: Mapped[str] = mapped_column(sa.String(20))  # 许可类别: 普通 / 特许 / 认可 / 核准 / 登记 / 其他
    licence_name: Mapped[str | None] = mapped_column(sa.String(200))  # 许可证书名称
    licence_number: Mapped[str | None] = mapped_column(sa.String(100))  # 许可编号
    content: Mapped[str] = mapped_column(sa.Text)  # 许可内容
    decided_on: Mapped[dt.date] = mapped_column(index=True)  # 许可决定日期
    valid_from: Mapped[dt.date]  # 有效期自
    valid_to: Mapped[dt.date | None]  # 有效期至 (None: 长期)
    status: Mapped[str] = mapped_column(sa.String(16), default="effective", index=True)  # 当前状态
    status_changed_on: Mapped[dt.date | None]
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    is_public: Mapped[bool] = mapped_column(default=True)
    not_public_reason: Mapped[str | None] = mapped_column(sa.Text)
    publication_due_on: Mapped[dt.date | None]  # 公开时效: 7 working days after the decision
    due_provisional: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    first_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    authority: Mapped[Authority] = relationship(foreign_keys=[authority_id], viewonly=True)

    def status_on(self, day: dt.date) -> str:
        """当前状态 on `day`: expiry is read from `valid_to`, never stored (no job needed)."""
        if self.status == "effective" and self.valid_to is not None and self.valid_to < day:
            return "expired"
        return self.status

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity_id": self.entity_id,
            "subject_name": self.subject_name,
            "subject_uscc": self.subject_uscc,
            "authority_id": self.authority_id,
            "data_source_authority_id": self.data_source_authority_id,
            "decision_document_name": self.decision_document_name,
            "decision_number": self.decision_number,
            "licence_category": self.licence_category,
            "licence_name": self.licence_name,
            "licence_number": self.licence_number,
            "content": self.content,
            "decided_on": _iso(self.decided_on),
            "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to),
            "status": self.status,
            "status_changed_on": _iso(self.status_changed_on),
            "status_reason": self.status_reason,
            "remarks": self.remarks,
            "is_public": self.is_public,
            "not_public_reason": self.not_public_reason,
            "publication_due_on": _iso(self.publication_due_on),
            "first_published_at": _iso(self.first_published_at),
            "version": self.version,
        }
