"""专项信用报告 (special credit reports, 信用代证): issued, signed and kept as evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, UTCDateTime, utcnow


class CreditReport(Base):
    """One report as issued: `document` is the canonical JSON its `digest` (SHA-256) is taken of and
    its `signature` (Ed25519, the registry's evidence key) signs. Never altered after issue."""

    __tablename__ = "credit_reports"
    # The reports no anchor covers yet (as for screenings: the anchoring step reads only these).
    __table_args__ = (
        sa.Index(
            "ix_credit_reports_unanchored",
            "id",
            sqlite_where=sa.text("leaf_index IS NULL"),
            postgresql_where=sa.text("leaf_index IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(32))
    audience: Mapped[str] = mapped_column(sa.String(8))  # public | full
    registry_seq: Mapped[int] = mapped_column(sa.BigInteger)  # the outbox head the report was built at
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    digest: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[str] = mapped_column(sa.String(128))
    public_key: Mapped[str] = mapped_column(sa.String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Its leaf in the evidence tree, beside the screenings', set once by the anchoring step.
    leaf_index: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
