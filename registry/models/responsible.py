"""ResponsiblePerson (失信相关人): a person a penalty or list entry names as responsible for the conduct.

发改法规〔2018〕457号 (一、联合惩戒对象) punishes the 失信企业 and the persons responsible for its
conduct: 负有责任的法定代表人、自然人股东、评标评审专家及其他相关人员. A person is identified by the
ID document only: the number is kept encrypted, with a keyed hash to find the same person again
(a bidder's legal representative, an expert screened) and the masked form that readers see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base


class ResponsiblePerson(Base):
    """One 失信相关人 of one record (a penalty or a list entry, never both)."""

    __tablename__ = "responsible_persons"
    __table_args__ = (
        sa.CheckConstraint("(penalty_id IS NULL) <> (list_entry_id IS NULL)", name="responsible_person_one_record"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    penalty_id: Mapped[int | None] = mapped_column(sa.ForeignKey("penalties.id", ondelete="CASCADE"), index=True)
    list_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("list_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    id_type: Mapped[str | None] = mapped_column(sa.String(32))
    id_number_cipher: Mapped[str | None] = mapped_column(sa.Text)
    id_number_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    id_number_masked: Mapped[str | None] = mapped_column(sa.String(64))
    # The last day the person counts, when the decision sets one for them; None: while the record does.
    ends_on: Mapped[dt.date | None]

    def snapshot(self) -> dict[str, Any]:
        """As the audit log, the outbox and the platform keep it: the ID number masked only."""
        return {
            "role": self.role,
            "name": self.name,
            "id_type": self.id_type,
            "id_number_masked": self.id_number_masked,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
        }
