"""Passwords (口令): the policy a new one must meet, the Argon2id hash that is all the registry keeps,
and the temporary passwords an account administrator hands out.

The policy (身份鉴别信息具有复杂度要求, GB/T 22239-2019 第三级 安全计算环境 身份鉴别 a); the standard
sets no numbers, these are the registry's): at least 12 characters, at most 128, of at least three
kinds (大写字母, 小写字母, 数字, 其他字符: a Chinese character or a symbol), and not containing the
login name. The hash is argon2-cffi's `PasswordHasher` with its defaults (Argon2id, RFC 9106's
second recommended parameter set), re-hashed at sign-in when the defaults move on.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from registry.errors import InvalidInput
from registry.messages import Msg, msg, summary

MIN_LENGTH = 12
MAX_LENGTH = 128  # hashing a megabyte of "password" must not be a way to hold a worker
MIN_KINDS = 3
# Temporary passwords: no characters a person misreads (0/O, 1/l/I).
_TEMPORARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

_hasher = PasswordHasher()


def use_parameters(*, time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Hash new passwords with other Argon2id parameters from now on, in this process. For a test
    suite that signs in thousands of times (each hash costs about 90 ms with the defaults): the
    parameters travel inside each hash, so a hash made either way still verifies. Production
    keeps the defaults; nothing in the registry calls this."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _dummy_hash.cache_clear()


def kinds_of(password: str) -> int:
    """How many of the four kinds of character the password uses."""
    return sum(
        (
            any(c.isascii() and c.isupper() for c in password),
            any(c.isascii() and c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
    )


def weaknesses(password: str, login: str) -> list[Msg]:
    """Why `password` may not be an account's password (empty: it may)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(msg("must be at least {count} characters", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        found.append(msg("must be at most {count} characters", count=MAX_LENGTH))
    if kinds_of(password) < MIN_KINDS:
        found.append(
            msg(
                "must mix at least {count} of: capital letters, small letters, digits, other characters",
                count=MIN_KINDS,
            )
        )
    if len(login) >= 3 and login.lower() in password.lower():
        found.append(msg("must not contain the login name"))
    return found


def require_strong(password: str, login: str, field: str = "password") -> None:
    """Raise InvalidInput naming every rule `password` breaks."""
    found = weaknesses(password, login)
    if found:
        raise InvalidInput(summary({field: found}), {field: found})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed; never raises for a wrong or malformed one."""
    try:
        return _hasher.verify(stored_hash, password[: MAX_LENGTH * 4])
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with older parameters than the hasher's current ones."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def waste_time_like_a_check(password: str) -> None:
    """Verify against a hash no account has: a name that has no account costs what a real one does."""
    verify_password(_dummy_hash(), password)


def temporary_password() -> str:
    """A one-time password an administrator hands over (to be changed at the next sign-in): four
    groups of four, e.g. "Kq7m-Xb3R-pT9w-Zc4N", meeting the policy."""
    while True:
        groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))
        candidate = "-".join(groups)
        if kinds_of(candidate) == 4:
            return candidate


__all__ = [
    "MAX_LENGTH",
    "MIN_KINDS",
    "MIN_LENGTH",
    "hash_password",
    "kinds_of",
    "needs_rehash",
    "require_strong",
    "temporary_password",
    "verify_password",
    "waste_time_like_a_check",
    "weaknesses",
]
