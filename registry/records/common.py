"""Helpers the services share: loading by id, version checks, pages, text filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.database import utcnow
from registry.errors import NotFound, StaleVersion
from registry.ledger import Actor, record_change
from registry.messages import msg

T = TypeVar("T")

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int


def load(session: Session, model: type[T], record_id: int, label: str) -> T:
    """The row with `record_id`, or NotFound naming what was asked for."""
    row = session.get(model, record_id)
    if row is None:
        raise NotFound(msg("{label} {id} does not exist", label=label, id=record_id))
    return row


def check_version(record: Any, expected_version: int, label: str) -> None:
    """Refuse a change made against an older version than the stored one (HTTP 412)."""
    if record.version != expected_version:
        raise StaleVersion(
            msg(
                "{label} {id} is at version {version}, the request was made against version {expected}; "
                "read it again and re-apply the change",
                label=label,
                id=record.id,
                version=record.version,
                expected=expected_version,
            )
        )


def changed(record: Any, before: dict[str, Any]) -> bool:
    """Whether `record` differs from its snapshot `before`; if so, mark its row as updated.

    Touching `updated_at` makes the mapper bump the version even when only child rows
    (domains, names) changed, so every visible change gets a new ETag.
    """
    if record.snapshot() == before:
        return False
    record.updated_at = utcnow()
    return True


def apply_derived(
    session: Session,
    record: Any,
    values: dict[str, Any],
    *,
    record_type: str,
    authority_id: int | None,
    actor: Actor,
    reason: str,
) -> bool:
    """Set derived fields (periods, deadlines) on `record`; if that changed it, audit it and
    put it in the outbox as a "recompute". Returns whether it changed."""
    before = record.snapshot()
    for field, value in values.items():
        setattr(record, field, value)
    if not changed(record, before):
        return False
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="recompute",
        record_type=record_type,
        record=record,
        before=before,
        authority_id=authority_id,
        reason=reason,
    )
    return True


def set_domains(rows: list[Any], wanted: list[str], factory: Callable[[str], Any]) -> None:
    """Make the child rows of a domain list equal `wanted`, keeping the rows that stay."""
    keep = set(wanted)
    for row in [r for r in rows if r.domain not in keep]:
        rows.remove(row)
    have = {r.domain for r in rows}
    rows.extend(factory(d) for d in wanted if d not in have)


def paginate(session: Session, stmt: sa.Select[Any], page: int, per_page: int) -> Page[Any]:
    """One page of `stmt` (which must have a stable order) and the total count."""
    page = max(page, 1)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


def contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
