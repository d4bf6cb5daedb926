"""Personal accounts (个人账户) for the people who use the pages, and the failed sign-ins under names
no account has.

People sign in with their own account; API keys (registry.models.access) stay for machine clients.
An account's password is kept only as an Argon2id hash and its TOTP secret only sealed (encrypted
with a key derived from the data key): neither is in `snapshot()`, so neither reaches the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, UTCDateTime, utcnow


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Account(Base):
    """账户: one person, bound to a role and (a supervisor) to an authority, or (a screener) to an agency.

    `login_key` is the login name in lower case: login names are unique whatever their case.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'supervisor', 'screener', 'platform')", name="role_known"),
        sa.CheckConstraint("status IN ('active', 'disabled')", name="status_known"),
        sa.CheckConstraint("(role = 'supervisor') = (authority_id IS NOT NULL)", name="authority_for_supervisors_only"),
        sa.CheckConstraint("NOT manages_accounts OR role = 'supervisor'", name="managers_are_supervisors"),
        sa.CheckConstraint("role != 'screener' OR organisation IS NOT NULL", name="screener_has_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(64))  # 登录名, as given
    login_key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # 登录名 in lower case
    name: Mapped[str] = mapped_column(sa.String(100))  # 姓名
    role: Mapped[str] = mapped_column(sa.String(16))
    # 账户管理员: a supervisor who manages the accounts of its own authority.
    manages_accounts: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    organisation: Mapped[str | None] = mapped_column(sa.String(200))  # 所属单位 (a screener's agency)
    # A screener's screenings are filed under its agency's screening key (registry.accounts.manage).
    screening_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    totp_sealed: Mapped[str | None] = mapped_column(sa.Text)  # 动态验证码 secret, sealed
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)  # a code is taken once
    status: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @property
    def totp_enabled(self) -> bool:
        return self.totp_sealed is not None

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of the account: never the password hash or the TOTP secret."""
        return {
            "id": self.id,
            "login": self.login,
            "name": self.name,
            "role": self.role,
            "manages_accounts": self.manages_accounts,
            "authority_id": self.authority_id,
            "organisation": self.organisation,
            "screening_key_id": self.screening_key_id,
            "status": self.status,
            "totp_enabled": self.totp_enabled,
            "must_change_password": self.must_change_password,
            "password_changed_at": _iso(self.password_changed_at),
            "failed_attempts": self.failed_attempts,
            "locked_until": _iso(self.locked_until),
            "last_sign_in_at": _iso(self.last_sign_in_at),
            "version": self.version,
        }


class SignInFailure(Base):
    """Failed sign-ins under a login name no account has, counted as an account's are, so that
    the lockout says nothing about whether a name exists. Kept only while they still count."""

    __tablename__ = "sign_in_failures"

    login_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
