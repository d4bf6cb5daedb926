"""Idempotency-Key answers (幂等): what a POST answered, kept per API key so that a retry gets the
same answer instead of doing the work twice. `api.lifecycle` decides when to look and when to
keep; this module is where they are read and written."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import IdempotencyRecord


def stored_answer(session: Session, api_key_id: int | None, key: str) -> IdempotencyRecord | None:
    """The answer kept for this key's Idempotency-Key, if a request with it committed."""
    return session.scalars(
        sa.select(IdempotencyRecord).where(IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key)
    ).one_or_none()


def keep_answer(
    session: Session,
    *,
    api_key_id: int | None,
    key: str,
    method: str,
    path: str,
    request_hash: str,
    status_code: int,
    body: str,
    headers: dict[str, str],
) -> None:
    """Keep an answer, in the request's own transaction: it commits with the work or not at all."""
    session.add(
        IdempotencyRecord(
            api_key_id=api_key_id,
            key=key,
            method=method,
            path=path,
            request_hash=request_hash,
            status_code=status_code,
            response_body=body,
            response_headers=headers,
        )
    )
