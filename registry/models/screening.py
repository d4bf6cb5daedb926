"""Screenings (资格审查信用核查) kept as evidence, and dispositions of their hits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, UTCDateTime, utcnow


class Screening(Base):
    """One screening of a project's subjects against the registry, as it was at that moment.

    `document` holds everything the screening saw and decided (request, hits, the records in
    force as of then, measures, the registry sequence and the scorer); `digest` is the SHA-256
    of its canonical JSON, so anyone can check later that it was not altered.
    """

    __tablename__ = "screenings"
    # The screenings no anchor covers yet: the anchoring step reads only these (a partial index
    # stays as small as the backlog, however many screenings there are).
    __table_args__ = (
        sa.Index(
            "ix_screenings_unanchored",
            "id",
            sqlite_where=sa.text("leaf_index IS NULL"),
            postgresql_where=sa.text("leaf_index IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    domain: Mapped[str] = mapped_column(sa.String(32))
    project_code: Mapped[str] = mapped_column(sa.String(100), index=True)
    stage: Mapped[str | None] = mapped_column(sa.String(50))
    decision: Mapped[str] = mapped_column(sa.String(8))
    subject_count: Mapped[int]
    registry_seq: Mapped[int] = mapped_column(sa.BigInteger)
    scorer: Mapped[str] = mapped_column(sa.String(80))
    screened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    digest: Mapped[str] = mapped_column(sa.String(64))
    # Its leaf in the evidence tree, set once by the anchoring step (not part of the document).
    leaf_index: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
    # The keyed hashes (`IdentityVault.fingerprint`) of the persons its subjects gave with an ID
    # number, [{subject_index, capacity, fingerprint}]: not part of the document (neither signed nor
    # shown), kept so a watch made later can follow them (registry.monitoring.watches).
    person_fingerprints: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON(none_as_null=True))


class HitDisposition(Base):
    """A screener's judgement on one (subject, listed entity) pair, e.g. a false positive.

    The next screening of the same pair shows it beside the hit; it never hides the hit.
    """

    __tablename__ = "hit_dispositions"
    __table_args__ = (sa.Index("ix_hit_dispositions_pair", "subject_key", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_key: Mapped[str] = mapped_column(sa.String(300))  # normalised name and code of the subject
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entities.id"))
    screening_id: Mapped[int] = mapped_column(sa.ForeignKey("screenings.id"))
    disposition: Mapped[str] = mapped_column(sa.String(20))  # false_positive | confirmed
    reason: Mapped[str] = mapped_column(sa.Text)
    decided_by: Mapped[str] = mapped_column(sa.String(200))
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject_key": self.subject_key,
            "entity_id": self.entity_id,
            "screening_id": self.screening_id,
            "disposition": self.disposition,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }


class FinalDecision(Base):
    """最终处理意见: the agency's final decision on one bidder of a screening, recorded after a hit of
    that bidder was marked a false positive (误报), with the reason, who and when.

    Kept beside the screening, never inside its digested document: the document says what the
    registry found then; this says what the agency did about it. A later decision on the same
    bidder supersedes the earlier one, which stays on record.
    """

    __tablename__ = "final_decisions"
    __table_args__ = (sa.Index("ix_final_decisions_screening", "screening_id", "subject_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(sa.ForeignKey("screenings.id"))
    subject_index: Mapped[int]  # the bidder's position in the screening's request (0-based)
    decision: Mapped[str] = mapped_column(sa.String(20))  # admitted | rejected
    reason: Mapped[str] = mapped_column(sa.Text)
    decided_by: Mapped[str] = mapped_column(sa.String(200))  # the person (or key holder) who recorded it
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "screening_id": self.screening_id,
            "subject_index": self.subject_index,
            "decision": self.decision,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "account_id": self.account_id,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }
