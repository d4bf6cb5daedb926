"""API keys, roles and what each role may do (谁批准、谁公开: a supervisor writes only its own authority's records)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.clock import CHINA
from registry.database import utcnow
from registry.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted
from registry.ledger import SYSTEM, Actor, append_audit
from registry.messages import Text, msg
from registry.models import ApiKey, Authority, Entity
from registry.vocab import Term, term, terms

ROLES = {
    "admin": "系统管理员: everything, including authorities and keys",
    "supervisor": "监管部门: records of its own authority only",
    "screener": "招标采购代理、交易中心: screening",
    "platform": "信用平台: feeds and exports",
    "entity": "市场主体: its own credit reports only (信用代证), otherwise what the public sees",
}
ROLE_NAMES = {
    "admin": "系统管理员",
    "supervisor": "监管部门",
    "screener": "交易中心 / 招标代理",
    "platform": "信用平台",
    "entity": "市场主体（本主体）",
}
PUBLIC = Actor(key_id=None, name="public", role="public")
KEY_PREFIX = "crk_"


class KeyExpired(NotAuthenticated):
    """A key past its `expires_at` (401). Unlike an unknown or revoked key it says so, and when:
    whoever presents it holds the secret, so the date tells them nothing they could not ask for."""

    def __init__(self, expires_at: dt.datetime) -> None:
        super().__init__(
            msg(
                "the API key expired on {at} (China time); ask an administrator for a new one",
                at=f"{expires_at.astimezone(CHINA):%Y-%m-%d %H:%M}",
            )
        )
        self.expires_at = expires_at


def _digest(secret: str) -> str:
    # Keys are 256-bit random strings, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    *,
    role: str,
    name: str,
    authority_id: int | None = None,
    entity_id: int | None = None,
    expires_at: dt.datetime | None = None,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the secret, which is never stored or shown again.

    A supervisor key is bound to its authority (`authority_id`), an entity key to the market entity
    it belongs to (`entity_id`). `expires_at` (aware) ends the key at that instant; None keeps it
    until it is revoked.
    """
    if role not in ROLES:
        raise InvalidInput.field("role", msg("must be one of {values}", values=terms(ROLE_NAMES)))
    if role == "supervisor":
        if authority_id is None:
            raise InvalidInput.field("authority", "a supervisor key is bound to one authority")
        if session.get(Authority, authority_id) is None:
            raise InvalidInput.field("authority", msg("authority {id} does not exist", id=authority_id))
    elif authority_id is not None:
        raise InvalidInput.field(
            "authority", msg("only supervisor keys are bound to an authority, not {role}", role=term(ROLE_NAMES, role))
        )
    _check_entity(session, role, entity_id)
    if not name.strip():
        raise InvalidInput.field("name", "must not be empty")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput.field("expires_at", "must carry a time zone")
        if expires_at <= (now or utcnow()):
            raise InvalidInput.field("expires_at", msg("{at} is not in the future", at=expires_at.isoformat()))
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip(),
        role=role,
        authority_id=authority_id,
        entity_id=entity_id,
        prefix=secret[: len(KEY_PREFIX) + 6],
        secret_hash=_digest(secret),
        expires_at=expires_at.astimezone(dt.UTC) if expires_at is not None else None,
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


def _check_entity(session: Session, role: str, entity_id: int | None) -> None:
    """An entity key names an existing entity; no other key names one."""
    if role == "entity":
        if entity_id is None:
            raise InvalidInput.field("entity", "an entity key is bound to the market entity it belongs to")
        if session.get(Entity, entity_id) is None:
            raise InvalidInput.field("entity", msg("entity {id} does not exist", id=entity_id))
    elif entity_id is not None:
        raise InvalidInput.field(
            "entity", msg("only entity keys are bound to an entity, not {role}", role=term(ROLE_NAMES, role))
        )


def revoke_key(session: Session, key_id: int, *, actor: Actor = SYSTEM) -> ApiKey:
    """Revoke a key; requests with it get 401 once the web workers' key caches let it go
    (`KeyCache`: within `REGISTRY_KEY_CACHE_SECONDS`, 5 s by default)."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(msg("API key {id} does not exist", id=key_id))
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


def _usable_key(session: Session, digest: str, now: dt.datetime) -> ApiKey | None:
    key = session.scalars(
        sa.select(ApiKey).where(ApiKey.secret_hash == digest, ApiKey.revoked_at.is_(None))
    ).one_or_none()
    if key is not None and key.expires_at is not None and now >= key.expires_at:
        raise KeyExpired(key.expires_at)
    return key


def _actor_of(key: ApiKey) -> Actor:
    return Actor(key_id=key.id, name=key.name, role=key.role, authority_id=key.authority_id, entity_id=key.entity_id)


def authenticate(session: Session, secret: str, *, now: dt.datetime | None = None) -> Actor | None:
    """The actor a presented key stands for, or None if the key is unknown or revoked;
    raises KeyExpired (401) for a key past its `expires_at`."""
    if not secret.startswith(KEY_PREFIX):
        return None
    key = _usable_key(session, _digest(secret), now or utcnow())
    return None if key is None else _actor_of(key)


class KeyCache:
    """Keys this process authenticated recently, so a busy caller costs no query per request.

    Keys are revoked from the command line, in another process: a cached key is trusted for at
    most `ttl` seconds after it was last read from the database, so a revocation reaches every
    worker within that time (`REGISTRY_KEY_CACHE_SECONDS`, default 5; 0 turns the cache off).
    A key with an end is trusted no longer than that end either (`put(..., for_seconds=…)`):
    expiry is exact, not late by up to `ttl`.
    Unknown, revoked or expired keys are never cached: a flood of made-up keys cannot fill memory,
    and a key created a moment ago works at once. Bounded: the oldest entries go first.
    """

    def __init__(self, ttl: float, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[float, Actor]] = {}  # digest -> (trusted until, actor)
        self._lock = threading.Lock()

    def get(self, digest: str) -> Actor | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            found = self._entries.get(digest)
            if found is None:
                return None
            if self._clock() >= found[0]:
                del self._entries[digest]
                return None
            return found[1]

    def put(self, digest: str, actor: Actor, *, for_seconds: float | None = None) -> None:
        """Trust `actor` for `ttl` seconds, or `for_seconds` if that is shorter (what is left of
        the key's life)."""
        seconds = self.ttl if for_seconds is None else min(self.ttl, for_seconds)
        if seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max:
                # dicts keep insertion order: drop the oldest tenth in one go
                for stale in list(self._entries)[: max(1, self._max // 10)]:
                    del self._entries[stale]
            self._entries[digest] = (self._clock() + seconds, actor)

    def forget(self, digest: str | None = None) -> None:
        """Drop one key (by its digest) or every key, e.g. after a revocation in this process."""
        with self._lock:
            if digest is None:
                self._entries.clear()
            else:
                self._entries.pop(digest, None)


def authenticate_cached(
    session: Session,
    secret: str,
    cache: KeyCache,
    *,
    now: dt.datetime | None = None,
) -> Actor | None:
    """`authenticate`, answered from `cache` while the key was read from the database less than
    `cache.ttl` seconds ago and has not reached its `expires_at` since."""
    if not secret.startswith(KEY_PREFIX):
        return None
    digest = _digest(secret)
    found = cache.get(digest)
    if found is not None:
        return found
    now = now or utcnow()
    key = _usable_key(session, digest, now)
    if key is None:
        return None
    actor = _actor_of(key)
    left = None if key.expires_at is None else (key.expires_at - now).total_seconds()
    cache.put(digest, actor, for_seconds=left)
    return actor


def refuse(actor: Actor, reason: Text) -> NoReturn:
    """Refuse an operation: 401 to a caller without credentials (authenticate, then try), else 403."""
    if actor.role == "public":
        raise NotAuthenticated(msg("{reason}; send Authorization: Bearer crk_… (an API key)", reason=reason))
    raise NotPermitted(reason)


def _either(roles: tuple[str, ...]) -> Term:
    return Term(" or ".join(roles), "或".join(ROLE_NAMES.get(r, r) for r in roles))


def require_role(actor: Actor, *roles: str) -> None:
    """Raise NotPermitted unless the actor has one of `roles` (admin always passes)."""
    if actor.role == "admin" or actor.role in roles:
        return
    if actor.role == "public":
        refuse(actor, msg("this needs an API key with role {roles}", roles=_either(roles)))
    refuse(
        actor,
        msg("role {role} may not do this; it needs {roles}", role=term(ROLE_NAMES, actor.role), roles=_either(roles)),
    )


def require_deciding_authority(actor: Actor, authority_id: int) -> None:
    """Raise NotPermitted unless the actor is the authority that decided the record (谁认定、谁修复).

    A credit-repair decision belongs to that authority alone: an administrator may not take it
    in its place (国办发〔2025〕22号)."""
    if actor.role != "supervisor" or actor.authority_id != authority_id:
        if actor.role == "admin":
            refuse(
                actor,
                msg(
                    "谁认定、谁修复: a credit repair is decided only by the authority that decided the record "
                    "(authority {authority}); an administrator cannot decide in its place",
                    authority=authority_id,
                ),
            )
        refuse(
            actor,
            msg(
                "谁认定、谁修复: a credit repair is decided only by the authority that decided the record "
                "(authority {authority}); your key acts for {own}",
                authority=authority_id,
                own=msg("authority {id}", id=actor.authority_id)
                if actor.authority_id
                else term(ROLE_NAMES, actor.role),
            ),
        )


def require_authority(actor: Actor, authority_id: int) -> None:
    """Raise NotPermitted unless the actor may write records of `authority_id` (谁批准、谁公开)."""
    require_role(actor, "supervisor")
    if actor.role == "supervisor" and actor.authority_id != authority_id:
        raise NotPermitted(
            msg(
                "this record belongs to authority {authority}; your key writes only for authority {own}",
                authority=authority_id,
                own=actor.authority_id,
            )
        )
