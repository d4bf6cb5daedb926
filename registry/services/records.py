"""Rules shared by the two kinds of credit record (list entries and penalties)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_authority, require_role
from registry.errors import InvalidInput, NotFound
from registry.ledger import Actor
from registry.models import Entity, ListEntry, Penalty
from registry.services.authorities import load_authority

Record = TypeVar("Record", ListEntry, Penalty)


def visible_to(actor: Actor, model: type[Record], published: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Which records of `model` the actor may read: the published ones, plus everything for
    administrators and the platform, plus a supervisor's own authority's unpublished records."""
    if actor.role in ("admin", "platform"):
        return sa.true()
    if actor.role == "supervisor":
        return sa.or_(published, model.authority_id == actor.authority_id)
    return published


def get_visible(
    session: Session, model: type[Record], record_id: int, actor: Actor,
    published: sa.ColumnElement[bool], label: str,
) -> Record:
    """One record if the actor may read it; otherwise 404, never a hint that it exists."""
    found = session.scalars(
        sa.select(model).where(model.id == record_id, visible_to(actor, model, published))
    ).one_or_none()
    if found is None:
        raise NotFound(f"{label} {record_id} does not exist")
    return found


def owning_authority(session: Session, actor: Actor, requested: int | None) -> int:
    """The authority a new record belongs to: the supervisor's own, or the one an admin names."""
    # Who may record at all comes first: a reader must get 403, not a 422 about authority_id.
    require_role(actor, "supervisor")
    if actor.role == "supervisor" and actor.authority_id is not None:
        authority_id = requested if requested is not None else actor.authority_id
    elif requested is None:
        raise InvalidInput.field("authority_id", "an administrator must say which authority decided the record")
    else:
        authority_id = requested
    require_authority(actor, authority_id)
    load_authority(session, authority_id)
    return authority_id


def load_subject(session: Session, entity_id: int) -> Entity:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise InvalidInput.field("entity_id", f"entity {entity_id} does not exist")
    return entity


def apply_changes(state: dict[str, Any], changes: dict[str, Any]) -> None:
    """Lay a correction's `changes` over a record's `state`.

    Publishing a record (is_public true) ends its 保密审查 exception, so the stored
    not-public reason goes with it unless the correction names one.
    """
    state.update(changes)
    if changes.get("is_public") is True and "not_public_reason" not in changes:
        state["not_public_reason"] = None


def check_publicity(state: dict[str, Any]) -> None:
    """公开为常态、不公开为例外: a record kept from the public needs the reason (保密审查)."""
    reason = (state.get("not_public_reason") or "").strip()
    if not state.get("is_public", True) and not reason:
        raise InvalidInput.field("not_public_reason", "a record that is not public needs the reason")
    if state.get("is_public", True) and reason:
        raise InvalidInput.field("not_public_reason", "only a record that is not public has a reason for it")
    state["not_public_reason"] = reason or None


def check_not_future(day: dt.date | None, field: str, today: dt.date) -> None:
    if day is not None and day > today:
        raise InvalidInput.field(field, f"{day} is in the future (today is {today})")


def check_order(earlier: dt.date | None, later: dt.date | None, field: str, earlier_name: str) -> None:
    if earlier is not None and later is not None and later < earlier:
        raise InvalidInput.field(field, f"{later} is before {earlier_name} {earlier}")
