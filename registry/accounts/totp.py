"""The optional second factor (双因素认证): a time-based one-time code (动态验证码, TOTP, RFC 6238) from
an authenticator app, computed by pyotp.

Six digits, a new one every 30 seconds; the code of the 30 seconds before or after is taken too
(a phone's clock a little off), and each code only once: the account keeps the last time step it
accepted, so a code seen over a shoulder cannot be replayed within its minute.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re

import pyotp

ISSUER = "公共资源交易信用信息"
DRIFT_STEPS = 1  # steps of 30 s accepted either side of now
_CODE = re.compile(r"\d{6}")


def new_secret() -> str:
    """A fresh secret: 32 base-32 characters (160 bits, RFC 4226's recommended length)."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, as a person types it into an app: "ABCD EFGH …"."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, login: str) -> str:
    """The otpauth:// URI an authenticator app reads (from the QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)


def normalised_code(code: str) -> str:
    """What a person typed, without spaces (apps show "123 456")."""
    return "".join(code.split())


def accepted_step(secret: str, code: str, now: dt.datetime, last_step: int | None) -> int | None:
    """The time step whose code `code` is (now, or one step either side), or None: wrong, or a step
    no later than `last_step` (a code already used)."""
    code = normalised_code(code)
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            return step
    return None


def code_at(secret: str, when: dt.datetime) -> str:
    """The code an app shows at `when` (for the tests and the demo, never for checking)."""
    return pyotp.TOTP(secret).at(when)
