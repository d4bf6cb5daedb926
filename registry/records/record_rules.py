"""Rules shared by the two kinds of credit record (list entries and penalties)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session

from registry.access import require_authority, require_role
from registry.codes.idnumber import IdentityVault, find_resident_ids, mask, mask_resident_ids
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor
from registry.messages import msg
from registry.models import Entity, Licence, ListEntry, Penalty
from registry.records.authorities import load_authority
from registry.runtime import current_runtime
from registry.vocab import term

Record = TypeVar("Record", ListEntry, Penalty, Licence)  # records with a subject and a deciding authority
Sanction = TypeVar("Sanction", ListEntry, Penalty)  # records whose free text keeps ID numbers apart


def not_about_a_person(model: type[Record]) -> sa.ColumnElement[bool]:
    """Records whose subject is not a natural person (自然人): only these are shown to the public,
    to screeners and to other authorities (个人信息保护)."""
    return ~sa.exists().where(Entity.id == model.entity_id, Entity.kind == "natural_person")


def visible_to(actor: Actor, model: type[Record], published: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Which records of `model` the actor may read: the published ones about organisations and
    个体工商户 (never a natural person's), plus everything for administrators and the platform,
    plus everything of a supervisor's own authority (unpublished and natural persons' too)."""
    if actor.role in ("admin", "platform"):
        return sa.true()
    public = sa.and_(published, not_about_a_person(model))
    if actor.role == "supervisor":
        return sa.or_(public, model.authority_id == actor.authority_id)
    return public


def get_visible(
    session: Session,
    model: type[Record],
    record_id: int,
    actor: Actor,
    published: sa.ColumnElement[bool],
    label: str,
) -> Record:
    """One record if the actor may read it; otherwise 404, never a hint that it exists."""
    found = session.scalars(
        sa.select(model).where(model.id == record_id, visible_to(actor, model, published))
    ).one_or_none()
    if found is None:
        raise NotFound(msg("{label} {id} does not exist", label=label, id=record_id))
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
        raise InvalidInput.field("entity_id", msg("entity {id} does not exist", id=entity_id))
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
        raise InvalidInput.field(
            field, msg("{day} is in the future (today is {today})", day=str(day), today=str(today))
        )


# The dates a later date is checked against, as a person reads them (the field name stays in English).
_DATE_WORDS = {"decided_on": "决定日期", "valid_from": "有效期自", "listed_on": "列入日期"}


def check_order(earlier: dt.date | None, later: dt.date | None, field: str, earlier_name: str) -> None:
    """Refuse `later` (the field `field`) before `earlier` (the field `earlier_name`)."""
    if earlier is not None and later is not None and later < earlier:
        raise InvalidInput.field(
            field,
            msg(
                "{later} is before {earlier_name} {earlier}",
                later=str(later),
                earlier_name=term(_DATE_WORDS, earlier_name),
                earlier=str(earlier),
            ),
        )


# --- resident ID numbers typed into free text ---------------------------------------------------------
#
# A valid 居民身份证号码 written into a record's free text (facts, basis, remarks, reasons …) is
# masked on the way in, so every reader (API, pages, exports, feed, push, history) sees the masked
# form only. The numbers as typed are kept beside the record, encrypted (a JSON map of field to
# numbers under the vault's key, column `free_text_ids_cipher`), for the deciding authority alone:
# `reveal_free_text_ids`. They are in no snapshot, so no audit row, outbox event or response holds them.

FREE_TEXT_IDS = "free_text_ids_cipher"


def identity_vault(vault: IdentityVault | None) -> IdentityVault:
    """The vault given, or the app's (every entry point runs in the app: API, pages, CLI, imports)."""
    if vault is not None:
        return vault
    if not has_app_context():
        raise RuntimeError("a resident ID number in free text is kept encrypted: pass the identity vault")
    return current_runtime().vault


def _open(ciphertext: str | None, vault: IdentityVault | None) -> dict[str, list[str]]:
    if not ciphertext:
        return {}
    found: dict[str, list[str]] = json.loads(identity_vault(vault).reveal(ciphertext))
    return found


def _seal(numbers: dict[str, list[str]], vault: IdentityVault | None) -> str | None:
    if not numbers:
        return None
    return identity_vault(vault).seal(json.dumps(numbers, ensure_ascii=False, sort_keys=True))


def protect_free_text(state: dict[str, Any], fields: Iterable[str], vault: IdentityVault | None) -> None:
    """Mask every valid resident ID number in `fields` of a record's proposed `state`, and keep
    the numbers, encrypted, in state[FREE_TEXT_IDS].

    Where the state comes from a stored record (a correction), a number kept for a field stays
    kept while the field still shows its masked form, and goes when the text no longer holds it;
    numbers kept for reasons (not among `fields`) stay. The vault is needed only when a number is
    found or some are already kept.
    """
    fields = tuple(fields)
    stored = state.get(FREE_TEXT_IDS)
    typed = {f: find_resident_ids(v) for f in fields if isinstance(v := state.get(f), str)}
    if not stored and not any(typed.values()):
        return
    previous = _open(stored, vault)
    kept = {field: numbers for field, numbers in previous.items() if field not in fields}
    for field, new in typed.items():
        text = mask_resident_ids(state[field]) if new else state[field]
        numbers = [n for n in previous.get(field, []) if mask(n) in text]
        numbers += [n for n in new if n not in numbers]
        if numbers:
            kept[field] = numbers
        state[field] = text
    if kept != previous:
        state[FREE_TEXT_IDS] = _seal(kept, vault)


def protect_reason(record: Penalty | ListEntry, field: str, text: str, vault: IdentityVault | None) -> str:
    """`text` (a reason given for a change) with its resident ID numbers masked; the numbers are
    added to those the record keeps under `field`. Call it only once the change is certain."""
    new = find_resident_ids(text)
    if not new:
        return text
    kept = _open(record.free_text_ids_cipher, vault)
    numbers = kept.setdefault(field, [])
    numbers += [n for n in new if n not in numbers]
    record.free_text_ids_cipher = _seal(kept, vault)
    return mask_resident_ids(text)


def reveal_free_text_ids(
    session: Session,
    model: type[Sanction],
    record_id: int,
    actor: Actor,
    vault: IdentityVault | None = None,
) -> dict[str, list[str]]:
    """The resident ID numbers masked in a record's free text, as typed, by field ({} if none).

    Only for the authority that decided the record (谁批准、谁公开), through its own supervisor's
    key: not an administrator, not the platform (which receives the masked text). No endpoint
    calls it yet."""
    record = session.get(model, record_id)
    label = "penalty" if model is Penalty else "list entry"
    if record is None:
        raise NotFound(msg("{label} {id} does not exist", label=label, id=record_id))
    if actor.role != "supervisor" or actor.authority_id != record.authority_id:
        raise NotPermitted(
            msg(
                "only the authority that decided this {label} (authority {authority}) may read the ID numbers "
                "its text held",
                label=label,
                authority=record.authority_id,
            )
        )
    return _open(record.free_text_ids_cipher, vault)
