"""The accounts' settings (账户安全策略) and the box that seals TOTP secrets, built once per app.

Every number here is a setting (REGISTRY_<NAME>, defaults in api/app.py), checked when the app
starts: a typo must not start a server with the lockout or the session limits off.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

# How often at most a page request writes that its session was seen (its idle clock restarts).
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class AccountSettings:
    """登录失败处理 and 会话超时: the lockout, the sessions' limits and the password's age."""

    lockout_attempts: int = 5  # failed sign-ins in a row that lock an account
    lockout: dt.timedelta = dt.timedelta(minutes=15)  # how long it stays locked (and how long a failure counts)
    idle: dt.timedelta = dt.timedelta(minutes=30)  # a page session unused this long is over
    absolute: dt.timedelta = dt.timedelta(hours=12)  # no page session lasts longer than this
    password_max_age: dt.timedelta | None = dt.timedelta(days=90)  # then it must be changed; None: never

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AccountSettings:
        """From the app's settings, each checked: a value out of range refuses to start."""
        max_days = _whole(config, "PASSWORD_MAX_AGE_DAYS", 0, 3650)
        return cls(
            lockout_attempts=_whole(config, "LOCKOUT_ATTEMPTS", 3, 100),
            lockout=dt.timedelta(minutes=_whole(config, "LOCKOUT_MINUTES", 1, 24 * 60)),
            idle=dt.timedelta(minutes=_whole(config, "SESSION_IDLE_MINUTES", 1, 24 * 60)),
            absolute=dt.timedelta(hours=_whole(config, "SESSION_MAX_HOURS", 1, 24 * 7)),
            password_max_age=dt.timedelta(days=max_days) if max_days else None,
        )


def _whole(config: Mapping[str, Any], name: str, least: int, most: int) -> int:
    raw = config[name]
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"REGISTRY_{name} must be a whole number, got {raw!r}") from None
    if not least <= value <= most:
        raise ValueError(f"REGISTRY_{name} must be between {least} and {most}, got {raw!r}")
    return value


class SecretBox:
    """Seals the accounts' TOTP secrets (Fernet, a key derived from the data key for this use alone,
    as the ID-number vault derives its own: registry.codes.idnumber.IdentityVault)."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the data-protection secret must be at least 16 characters")
        material = hashlib.sha256(("registry-account-totp:" + secret).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(material))

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The sealed text, or None if it was not sealed with this data key."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
