"""Entities (市场主体 / 行政相对人) and their names over time (现用名, 曾用名, 别名).

An entity is shared by every authority that records something about it, so who may change what
it is (谁批准、谁公开) follows those records: a supervisor changes the identity of an entity
(`IDENTITY_FIELDS`: 名称, 统一社会信用代码 and the older codes, 证件, kind) or deletes one of
its other names (曾用名, 别名) only while the entity carries no list entry or penalty decided by
another authority; past that, only an administrator may. Otherwise one authority could rename or
re-code an entity another authority black-listed, and screenings by the name or code the listing
was decided under would no longer find it. A rename always keeps the old name as a 曾用名.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.codes import idnumber, region
from registry.codes.idnumber import IdentityVault, IdNumberError
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER, USCCError
from registry.codes.uscc import normalise as normalise_uscc
from registry.codes.uscc import validate as validate_uscc
from registry.errors import Conflict, InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor, record_change
from registry.messages import Msg, msg
from registry.models import Entity, EntityName, ListEntry, Penalty
from registry.records.common import Page, changed, check_version, contains, load, paginate
from registry.vocab import ENTITY_KINDS, NAME_KINDS, term, terms

_REGISTRATION_NUMBERS = (
    "business_registration_no",
    "organization_code",
    "tax_registration_no",
    "institution_certificate_no",
    "social_org_registration_no",
)
_PLAIN_FIELDS = ("region_code", "legal_representative", *_REGISTRATION_NUMBERS)
# What the entity is, as screenings and other authorities' records identify it (身份信息). Not the
# 法定代表人 (a change of representative is ordinary and audited) nor the region (an address).
IDENTITY_FIELDS = ("kind", "name", "uscc", *_REGISTRATION_NUMBERS, "id_type", "id_number")


def _text(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _check_uscc(
    session: Session, kind: str, raw: str | None, current: Entity | None, *, code_is_free: bool = False
) -> str | None:
    if raw is None or not raw.strip():
        if kind == "legal_entity":
            raise InvalidInput.field("uscc", "an organisation (legal_entity) needs its 统一社会信用代码")
        return None
    if kind == "natural_person":
        raise InvalidInput.field("uscc", "a natural person has no 统一社会信用代码; give id_type and id_number")
    try:
        code = validate_uscc(raw, allow_placeholder=kind == "individual_business")
    except USCCError as exc:
        raise InvalidInput.field("uscc", exc.text) from exc
    if code != INDIVIDUAL_BUSINESS_PLACEHOLDER and not code_is_free:
        clash = session.scalar(sa.select(Entity.id).where(Entity.uscc == code))
        if clash is not None and (current is None or clash != current.id):
            raise Conflict(
                msg("entity {id} already has USCC {code}", id=clash, code=code),
                {"uscc": [msg("already registered as entity {id}", id=clash)]},
            )
    return code


def _protect(
    vault: IdentityVault, data: dict[str, Any], type_field: str, number_field: str
) -> tuple[str, idnumber.ProtectedNumber] | None:
    id_type, number = data.get(type_field), data.get(number_field)
    if not id_type and not number:
        return None
    if not id_type or not number:
        missing = type_field if not id_type else number_field
        together = msg("{type_field} and {number_field} go together", type_field=type_field, number_field=number_field)
        raise InvalidInput.field(missing, together)
    try:
        clean = idnumber.validate(id_type, number)
    except IdNumberError as exc:
        field = type_field if id_type not in idnumber.ID_TYPES else number_field
        raise InvalidInput.field(field, exc.text) from exc
    return id_type, vault.protect(id_type, clean)


def _apply_details(
    session: Session, entity: Entity, data: dict[str, Any], vault: IdentityVault, *, code_is_free: bool = False
) -> None:
    """Validate and set every field except the name; `data` holds only the fields to change."""
    for field in _PLAIN_FIELDS:
        if field in data:
            setattr(entity, field, _text(data, field))
    if entity.region_code is not None:
        try:
            entity.region_code = region.validate(entity.region_code)
        except region.RegionError as exc:
            raise InvalidInput.field("region_code", exc.text) from exc
    if "uscc" in data or entity.id is None:
        entity.uscc = _check_uscc(session, entity.kind, data.get("uscc"), entity, code_is_free=code_is_free)
    if entity.region_code is None and entity.uscc and region.is_known(entity.uscc[2:8]):
        entity.region_code = entity.uscc[2:8]  # positions 3-8 of the code are the registering region

    if "legal_rep_id_type" in data or "legal_rep_id_number" in data:
        rep = _protect(vault, data, "legal_rep_id_type", "legal_rep_id_number")
        entity.legal_rep_id_type = rep[0] if rep else None
        entity.legal_rep_id_cipher = rep[1].ciphertext if rep else None
        entity.legal_rep_id_masked = rep[1].masked if rep else None
    if "id_type" in data or "id_number" in data:
        if entity.kind != "natural_person":
            raise InvalidInput.field("id_number", "only a natural person is identified by a personal document")
        person = _protect(vault, data, "id_type", "id_number")
        if person is not None:
            clash = session.scalar(sa.select(Entity.id).where(Entity.id_number_hash == person[1].lookup_hash))
            if clash is not None and clash != entity.id:
                raise Conflict(
                    msg("entity {id} has the same document number", id=clash),
                    {"id_number": [msg("already registered as entity {id}", id=clash)]},
                )
        entity.id_type = person[0] if person else None
        entity.id_number_cipher = person[1].ciphertext if person else None
        entity.id_number_hash = person[1].lookup_hash if person else None
        entity.id_number_masked = person[1].masked if person else None
    if entity.kind == "natural_person" and entity.id_number_hash is None:
        raise InvalidInput.field("id_number", "a natural person needs id_type and id_number")


def _clean_name(raw: str, field: str = "name") -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput.field(field, "must not be empty")
    return name


def _check_dates(valid_from: dt.date | None, valid_to: dt.date | None, field: str) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise InvalidInput.field(field, "valid_to is before valid_from")


def _identity(entity: Entity) -> dict[str, str | None]:
    """The identity fields as stored (a person's document by its lookup hash, never in clear)."""
    found: dict[str, str | None] = {field: getattr(entity, field) for field in IDENTITY_FIELDS if field != "id_number"}
    found["id_number"] = entity.id_number_hash
    return found


def other_authorities(session: Session, entity_id: int, authority_id: int | None) -> list[int]:
    """Authorities other than `authority_id` that decided a list entry or penalty about the entity,
    whatever the record's state (a withdrawn or expired record is still that authority's)."""
    with session.no_autoflush:
        found = session.scalars(
            sa.union(
                sa.select(ListEntry.authority_id).where(ListEntry.entity_id == entity_id),
                sa.select(Penalty.authority_id).where(Penalty.entity_id == entity_id),
            )
        )
        return sorted(a for a in set(found) if a != authority_id)


def require_identity_authority(session: Session, entity: Entity, actor: Actor, what: Msg) -> None:
    """Raise NotPermitted unless `actor` may do `what` to the entity (change its identity, delete
    one of its names): an administrator always, a supervisor only while the entity carries no other
    authority's list entry or penalty (谁批准、谁公开: 其他机关作出的记录所指向的主体，身份只能由管理员更改)."""
    require_role(actor, "supervisor")
    if actor.role == "admin":
        return
    others = other_authorities(session, entity.id, actor.authority_id)
    if not others:
        return
    raise NotPermitted(
        msg(
            "谁批准、谁公开: the entity carries records of authority {listed}, so only an administrator may {what} "
            "(your key acts for authority {own})",
            listed=", ".join(str(a) for a in others),
            what=what,
            own=actor.authority_id,
        )
    )


def build_entity(
    session: Session, data: dict[str, Any], actor: Actor, vault: IdentityVault, *, code_is_free: bool = False
) -> Entity:
    """`create_entity` up to its write: the same checks and the same object, with its names, not yet added.

    `code_is_free`: the caller has already found that no entity has the given USCC (the importer's
    read-ahead), so the look-up is not repeated (on SQLite it scans the table, the unique index on
    the code being partial: asked once per new subject it made an import quadratic)."""
    require_role(actor, "supervisor")
    if data.get("kind") not in ENTITY_KINDS:
        raise InvalidInput.field("kind", msg("must be one of {values}", values=terms(ENTITY_KINDS)))
    entity = Entity(kind=data["kind"], name=_clean_name(data["name"]))
    _apply_details(session, entity, data, vault, code_is_free=code_is_free)
    entity.names = [EntityName(name=entity.name, kind="current", valid_from=data.get("name_since"))]
    for i, extra in enumerate(data.get("names", [])):
        field = f"names.{i}"
        _check_dates(extra.get("valid_from"), extra.get("valid_to"), field)
        entity.names.append(
            EntityName(
                name=_clean_name(extra["name"], f"{field}.name"),
                kind=extra["kind"],
                valid_from=extra.get("valid_from"),
                valid_to=extra.get("valid_to"),
            )
        )
    return entity


def create_entity(session: Session, data: dict[str, Any], actor: Actor, vault: IdentityVault) -> Entity:
    """Register a market entity or natural person (主体), with any former names and aliases."""
    entity = build_entity(session, data, actor, vault)
    session.add(entity)
    session.flush()
    record_change(
        session, actor=actor, operation="create", record_type="entity", record=entity, before=None, authority_id=None
    )
    return entity


def update_entity(
    session: Session,
    entity_id: int,
    data: dict[str, Any],
    actor: Actor,
    expected_version: int,
    vault: IdentityVault,
    today: dt.date,
) -> Entity:
    """Change an entity's details; a new name makes the old one a 曾用名 from `renamed_on`.

    Identity fields (`IDENTITY_FIELDS`) of an entity that carries another authority's records
    change only by an administrator (`require_identity_authority`); the 法定代表人 by any supervisor.
    """
    require_role(actor, "supervisor")
    entity = load(session, Entity, entity_id, "entity")
    check_version(entity, expected_version, "entity")
    before = entity.snapshot()
    identity = _identity(entity)
    if "kind" in data and data["kind"] != entity.kind:
        raise InvalidInput.field("kind", "the kind of an entity cannot change; register a new entity")
    _apply_details(session, entity, data, vault)
    operation = "update"
    if "name" in data:
        new_name = _clean_name(data["name"])
        if new_name != entity.name:
            renamed_on = data.get("renamed_on") or today
            if renamed_on > today:
                raise InvalidInput.field(
                    "renamed_on", msg("{day} is in the future (today is {today})", day=renamed_on, today=today)
                )
            kept = False
            for row in entity.names:
                if row.kind == "current":
                    if row.valid_from and renamed_on < row.valid_from:
                        raise InvalidInput.field(
                            "renamed_on", msg("is before the current name's start {day}", day=row.valid_from)
                        )
                    row.kind, row.valid_to = "former", renamed_on
                    kept = kept or row.name == entity.name
            if not kept:  # no current-name row held it: the old name is kept as 曾用名 all the same
                entity.names.append(EntityName(name=entity.name, kind="former", valid_to=renamed_on))
            entity.names.append(EntityName(name=new_name, kind="current", valid_from=renamed_on))
            entity.name = new_name
            operation = "rename"
    elif "renamed_on" in data:
        raise InvalidInput.field("renamed_on", "goes with a new name")
    # Compared once everything is applied, so a field sent unchanged (or in another spelling of
    # the same code) is no change; a refusal here is rolled back with the request.
    after = _identity(entity)
    touched = ", ".join(field for field in IDENTITY_FIELDS if after[field] != identity[field])
    if touched:
        require_identity_authority(session, entity, actor, msg("change its identity ({fields})", fields=touched))
    if not changed(entity, before):
        return entity
    session.flush()
    record_change(
        session, actor=actor, operation=operation, record_type="entity", record=entity, before=before, authority_id=None
    )
    return entity


def add_entity_name(
    session: Session, entity_id: int, data: dict[str, Any], actor: Actor, expected_version: int
) -> Entity:
    """Record a former name (曾用名) or an alias the entity is known by."""
    require_role(actor, "supervisor")
    entity = load(session, Entity, entity_id, "entity")
    check_version(entity, expected_version, "entity")
    name = _clean_name(data["name"])
    _check_dates(data.get("valid_from"), data.get("valid_to"), "valid_to")
    if any(n.name == name and n.kind == data["kind"] for n in entity.names):
        kind = term(NAME_KINDS, data["kind"])
        said = msg("entity {id} already has {kind} name {name}", id=entity_id, kind=kind, name=name)
        raise Conflict(said, {"name": ["already recorded"]})
    before = entity.snapshot()
    entity.names.append(
        EntityName(name=name, kind=data["kind"], valid_from=data.get("valid_from"), valid_to=data.get("valid_to"))
    )
    changed(entity, before)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="add_name",
        record_type="entity",
        record=entity,
        before=before,
        authority_id=None,
    )
    return entity


def remove_entity_name(
    session: Session, entity_id: int, name_id: int, actor: Actor, expected_version: int, reason: str
) -> Entity:
    """Delete a former name or alias recorded in error (the current name is changed by renaming).

    Of an entity that carries another authority's records only an administrator may delete one:
    a screening by that 曾用名 or 别名 would no longer find the other authority's listing.
    """
    require_role(actor, "supervisor")
    entity = load(session, Entity, entity_id, "entity")
    check_version(entity, expected_version, "entity")
    require_identity_authority(session, entity, actor, msg("delete its former names or aliases"))
    row = next((n for n in entity.names if n.id == name_id), None)
    if row is None:
        raise NotFound(msg("entity {id} has no name {name_id}", id=entity_id, name_id=name_id))
    if row.kind == "current":
        raise Conflict("the current name cannot be removed; rename the entity instead")
    before = entity.snapshot()
    entity.names.remove(row)
    changed(entity, before)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="remove_name",
        record_type="entity",
        record=entity,
        before=before,
        authority_id=None,
        reason=reason,
    )
    return entity


def _sees_people(actor: Actor) -> bool:
    # Natural persons are not listed to the public or to screeners: a person appears publicly
    # only as the subject of a published record, not as a directory entry (个人信息保护).
    return actor.role in ("admin", "supervisor", "platform")


def get_entity(session: Session, entity_id: int, actor: Actor) -> Entity:
    """One entity; a natural person only for roles that may see people (others get 404)."""
    entity = load(session, Entity, entity_id, "entity")
    if entity.kind == "natural_person" and not _sees_people(actor):
        raise NotFound(msg("entity {id} does not exist", id=entity_id))
    return entity


def entity_ids_named(name: str) -> sa.Select[Any]:
    """Ids of entities that carry `name` (any part of it) as current, former or alias name."""
    return sa.select(EntityName.entity_id).where(EntityName.name.like(contains(name), escape="\\"))


def list_entities(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    uscc: str | None = None,
    kind: str | None = None,
    region_code: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Entity]:
    """Entities matching every filter; `name` also finds former names and aliases."""
    stmt = sa.select(Entity).order_by(Entity.id)
    if not _sees_people(actor):
        stmt = stmt.where(Entity.kind != "natural_person")
    if name:
        stmt = stmt.where(Entity.id.in_(entity_ids_named(name)))
    if uscc:
        stmt = stmt.where(Entity.uscc == normalise_uscc(uscc))
    if kind:
        stmt = stmt.where(Entity.kind == kind)
    if region_code:
        stmt = stmt.where(Entity.region_code.startswith(region_code.rstrip("0") or region_code))
    return paginate(session, stmt, page, per_page)
