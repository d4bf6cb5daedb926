"""API keys (访问密钥) and the stored results of idempotent requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, UTCDateTime, utcnow


class ApiKey(Base):
    """A caller's key. Only a SHA-256 of the secret is kept; the key is shown once at creation."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16))
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # None: the key works until it is revoked. Set: refused from this instant on (registry.access).
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # A market entity's own key (role "entity", 信用代证): bound to that entity, it asks for the
    # entity's own full credit report and nothing more (registry.credit_reports).
    entity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entities.id"))

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "authority_id": self.authority_id,
            "prefix": self.prefix,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "entity_id": self.entity_id,
        }


class IdempotencyRecord(Base):
    """The first response to a POST sent with an Idempotency-Key, replayed on a retry.

    Written in the same transaction as the change it answers, so a retry sees either
    the change and its response, or neither.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(500))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(sa.Text)
    response_headers: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class PageSession(Base):
    """A signed-in page session (登录会话), of a person's account or of an API key. The cookie carries
    its random id; only a SHA-256 of it is kept. Signing out, disabling the account or changing its
    password ends the session here, so a copy of the cookie replayed later is refused; so is one
    idle too long (`last_seen_at`) or open too long (`started_at`): registry.accounts.sessions."""

    __tablename__ = "page_sessions"
    __table_args__ = (sa.CheckConstraint("(api_key_id IS NULL) != (account_id IS NULL)", name="one_holder"),)

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
