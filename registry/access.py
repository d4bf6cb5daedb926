"""API keys, roles and what each role may do (谁批准、谁公开: a supervisor writes only its own authority's records)."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.database import utcnow
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.ledger import SYSTEM, Actor, append_audit
from registry.models import ApiKey, Authority

ROLES = {
    "admin": "系统管理员: everything, including authorities and keys",
    "supervisor": "监管部门: records of its own authority only",
    "screener": "招标采购代理、交易中心: screening",
    "platform": "信用平台: feeds and exports",
}
PUBLIC = Actor(key_id=None, name="public", role="public")
KEY_PREFIX = "crk_"


def _digest(secret: str) -> str:
    # Keys are 256-bit random strings, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    *,
    role: str,
    name: str,
    authority_id: int | None = None,
    actor: Actor = SYSTEM,
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the secret, which is never stored or shown again."""
    if role not in ROLES:
        raise InvalidInput.field("role", f"must be one of {', '.join(ROLES)}")
    if role == "supervisor":
        if authority_id is None:
            raise InvalidInput.field("authority", "a supervisor key is bound to one authority")
        if session.get(Authority, authority_id) is None:
            raise InvalidInput.field("authority", f"authority {authority_id} does not exist")
    elif authority_id is not None:
        raise InvalidInput.field("authority", f"only supervisor keys are bound to an authority, not {role}")
    if not name.strip():
        raise InvalidInput.field("name", "must not be empty")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip(),
        role=role,
        authority_id=authority_id,
        prefix=secret[: len(KEY_PREFIX) + 6],
        secret_hash=_digest(secret),
    )
    session.add(key)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="create",
        record_type="api_key",
        record_id=key.id,
        before=None,
        after=key.snapshot(),
    )
    return key, secret


def revoke_key(session: Session, key_id: int, *, actor: Actor = SYSTEM) -> ApiKey:
    """Revoke a key; requests with it get 401 once the web workers' key caches let it go
    (`KeyCache`: within `REGISTRY_KEY_CACHE_SECONDS`, 5 s by default)."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"API key {key_id} does not exist")
    before = key.snapshot()
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
        append_audit(
            session,
            actor=actor,
            action="revoke",
            record_type="api_key",
            record_id=key.id,
            before=before,
            after=key.snapshot(),
        )
    return key


def authenticate(session: Session, secret: str) -> Actor | None:
    """The actor a presented key stands for, or None if the key is unknown or revoked."""
    if not secret.startswith(KEY_PREFIX):
        return None
    key = session.scalars(
        sa.select(ApiKey).where(ApiKey.secret_hash == _digest(secret), ApiKey.revoked_at.is_(None))
    ).one_or_none()
    if key is None:
        return None
    return Actor(key_id=key.id, name=key.name, role=key.role, authority_id=key.authority_id)


class KeyCache:
    """Keys this process authenticated recently, so a busy caller costs no query per request.

    Keys are revoked from the command line, in another process: a cached key is trusted for at
    most `ttl` seconds after it was last read from the database, so a revocation reaches every
    worker within that time (`REGISTRY_KEY_CACHE_SECONDS`, default 5; 0 turns the cache off).
    Unknown or revoked keys are never cached: a flood of made-up keys cannot fill memory, and a
    key created a moment ago works at once. Bounded: the oldest entries go first.
    """

    def __init__(self, ttl: float, *, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Actor | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            found = self._entries.get(digest)
            if found is None:
                return None
            if self._clock() - found[0] >= self.ttl:
                del self._entries[digest]
                return None
            return found[1]

    def put(self, digest: str, actor: Actor) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max:
                # dicts keep insertion order: drop the oldest tenth in one go
                for stale in list(self._entries)[: max(1, self._max // 10)]:
                    del self._entries[stale]
            self._entries[digest] = (self._clock(), actor)

    def forget(self, digest: str | None = None) -> None:
        """Drop one key (by its digest) or every key, e.g. after a revocation in this process."""
        with self._lock:
            if digest is None:
                self._entries.clear()
            else:
                self._entries.pop(digest, None)


def authenticate_cached(session: Session, secret: str, cache: KeyCache) -> Actor | None:
    """`authenticate`, answered from `cache` while the key was read from the database less than
    `cache.ttl` seconds ago."""
    if not secret.startswith(KEY_PREFIX):
        return None
    digest = _digest(secret)
    found = cache.get(digest)
    if found is not None:
        return found
    found = authenticate(session, secret)
    if found is not None:
        cache.put(digest, found)
    return found


def require_role(actor: Actor, *roles: str) -> None:
    """Raise NotPermitted unless the actor has one of `roles` (admin always passes)."""
    if actor.role == "admin" or actor.role in roles:
        return
    if actor.role == "public":
        raise NotPermitted(f"this needs an API key with role {' or '.join(roles)}")
    raise NotPermitted(f"role {actor.role} may not do this; it needs {' or '.join(roles)}")


def require_authority(actor: Actor, authority_id: int) -> None:
    """Raise NotPermitted unless the actor may write records of `authority_id` (谁批准、谁公开)."""
    require_role(actor, "supervisor")
    if actor.role == "supervisor" and actor.authority_id != authority_id:
        raise NotPermitted(
            f"this record belongs to authority {authority_id}; "
            f"your key writes only for authority {actor.authority_id}"
        )

