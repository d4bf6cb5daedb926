"""Responsible persons (失信相关人) named on a penalty or a list entry: read, kept, shown.

发改法规〔2018〕457号, 一、联合惩戒对象: joint punishment reaches the company (失信企业) and "负有责任的
法定代表人、自然人股东、评标评审专家及其他相关人员" (失信相关人). A record names them with a role, a
name and, to identify them, an ID document: the number is validated (GB 11643 for 居民身份证),
encrypted, fingerprinted (to find the same person when a bidder's legal representative or an
expert is screened) and masked for every reader. They are shown to the deciding authority,
administrators and the platform only (个人信息保护: never to the public, never to screeners).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from registry.codes import idnumber
from registry.codes.idnumber import IdentityVault, IdNumberError, mask_resident_ids
from registry.errors import InvalidInput
from registry.ledger import Actor
from registry.messages import msg
from registry.models import ListEntry, Penalty, ResponsiblePerson
from registry.records.record_rules import identity_vault
from registry.vocab import RESPONSIBLE_ROLES, terms

FIELD = "responsible_persons"
MAX_PERSONS = 50
_KEYS = frozenset({"role", "name", "id_type", "id_number", "ends_on"})
_ROLE_BY_LABEL = {label: code for code, label in RESPONSIBLE_ROLES.items()}


def role_code(value: Any) -> str | None:
    """The role's code, given as a code (legal_representative) or as its Chinese name (法定代表人)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text in RESPONSIBLE_ROLES else _ROLE_BY_LABEL.get(text)


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(key)
    return value.strip() or None


def _read_one(
    index: int,
    item: Any,
    vault: IdentityVault | None,
    kept: Sequence[ResponsiblePerson],
    not_before: dt.date | None,
) -> ResponsiblePerson:
    where = f"{FIELD}.{index}"
    if not isinstance(item, dict):
        raise InvalidInput.field(where, "must be an object {role, name, id_type, id_number, ends_on}")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise InvalidInput.field(where, msg("unknown field(s) {names}", names=", ".join(unknown)))
    try:
        name, id_type, number = (_text(item, k) for k in ("name", "id_type", "id_number"))
    except TypeError as exc:
        raise InvalidInput.field(f"{where}.{exc}", "must be text") from exc
    role = role_code(item.get("role"))
    if role is None:
        raise InvalidInput.field(
            f"{where}.role", msg("the role must be one of {values}", values=terms(RESPONSIBLE_ROLES))
        )
    if name is None:
        raise InvalidInput.field(f"{where}.name", "the name must not be empty")
    if len(name) > 100:
        raise InvalidInput.field(f"{where}.name", "the name is at most 100 characters")
    person = ResponsiblePerson(role=role, name=mask_resident_ids(name), position=index)
    if number is not None:
        if id_type is None:
            raise InvalidInput.field(f"{where}.id_type", "an id_number needs its id_type")
        try:
            clean = idnumber.validate(id_type, number)
        except IdNumberError as exc:
            field = "id_type" if id_type not in idnumber.ID_TYPES else "id_number"
            raise InvalidInput.field(f"{where}.{field}", exc.text) from exc
        protected = identity_vault(vault).protect(id_type, clean)
        person.id_type = id_type
        person.id_number_cipher = protected.ciphertext
        person.id_number_hash = protected.lookup_hash
        person.id_number_masked = protected.masked
    elif id_type is not None:
        # A correction cannot resend a number it only ever saw masked: the same person (name and
        # document type) keeps the number stored for them.
        same = next((p for p in kept if p.name == person.name and p.id_type == id_type and p.id_number_hash), None)
        if same is None:
            raise InvalidInput.field(
                f"{where}.id_number",
                "an id_type needs its id_number, unless the record already holds this person's number",
            )
        person.id_type = id_type
        person.id_number_cipher = same.id_number_cipher
        person.id_number_hash = same.id_number_hash
        person.id_number_masked = same.id_number_masked
    ends_on = item.get("ends_on")
    if ends_on is not None:
        if isinstance(ends_on, str):
            try:
                ends_on = dt.date.fromisoformat(ends_on)
            except ValueError as exc:
                raise InvalidInput.field(f"{where}.ends_on", "must be a date YYYY-MM-DD") from exc
        if not isinstance(ends_on, dt.date):
            raise InvalidInput.field(f"{where}.ends_on", "must be a date YYYY-MM-DD")
        if not_before is not None and ends_on < not_before:
            raise InvalidInput.field(
                f"{where}.ends_on",
                msg("{day} is before the decision date {decided_on}", day=ends_on, decided_on=not_before),
            )
        person.ends_on = ends_on
    return person


def read_responsible_persons(
    raw: Any,
    vault: IdentityVault | None,
    *,
    kept: Sequence[ResponsiblePerson] = (),
    not_before: dt.date | None = None,
) -> list[ResponsiblePerson]:
    """The persons a request names, validated, their ID numbers protected; None or [] names no one.

    `kept`: the record's persons before a correction (a person given again without the number
    keeps it). `vault`: the one given, else the app's (needed only when a number is given).
    `not_before`: the decision or listing date, before which no person's period ends.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput.field(FIELD, "must be a list")
    if len(raw) > MAX_PERSONS:
        raise InvalidInput.field(FIELD, msg("at most {most} persons, got {count}", most=MAX_PERSONS, count=len(raw)))
    persons = [_read_one(i, item, vault, kept, not_before) for i, item in enumerate(raw)]
    seen: dict[tuple[str, str], int] = {}
    for i, person in enumerate(persons):
        if person.id_number_hash is None:
            continue
        key = (person.role, person.id_number_hash)
        if key in seen:
            raise InvalidInput.field(
                f"{FIELD}.{i}", msg("the same person in the same role as item {item}", item=seen[key])
            )
        seen[key] = i
    return persons


def replace_responsible_persons(record: Penalty | ListEntry, persons: list[ResponsiblePerson]) -> None:
    """Make `persons` the record's 失信相关人, in the order given (the old rows go)."""
    for position, person in enumerate(persons):
        person.position = position
    record.responsible_persons = persons


def check_persons_dates(record: Penalty | ListEntry, not_before: dt.date) -> None:
    """After a correction moved the decision date: no person's period may end before it."""
    for i, person in enumerate(record.responsible_persons):
        if person.ends_on is not None and person.ends_on < not_before:
            raise InvalidInput.field(
                f"{FIELD}.{i}.ends_on",
                msg("{day} is before the decision date {decided_on}", day=person.ends_on, decided_on=not_before),
            )


def may_see_responsible_persons(actor: Actor, authority_id: int) -> bool:
    """Whether the actor may read the persons of a record decided by `authority_id`: its own
    authority, administrators and the platform (never the public or a screener)."""
    if actor.role in ("admin", "platform"):
        return True
    return actor.role == "supervisor" and actor.authority_id == authority_id


def shown_persons(actor: Actor, record: Penalty | ListEntry) -> list[dict[str, Any]] | None:
    """The record's persons as the actor may read them (masked numbers), or None when it may not."""
    if not may_see_responsible_persons(actor, record.authority_id):
        return None
    return [
        {
            **person.snapshot(),
            "role_label": RESPONSIBLE_ROLES.get(person.role, person.role),
            "id_type_label": idnumber.ID_TYPES.get(person.id_type or "", None),
        }
        for person in record.responsible_persons
    ]
