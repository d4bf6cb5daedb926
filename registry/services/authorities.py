"""Authorities (机关): created and changed by administrators, read by everyone."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.codes import region
from registry.codes.uscc import USCCError
from registry.codes.uscc import validate as validate_uscc
from registry.errors import Conflict, InvalidInput
from registry.ledger import Actor, record_change
from registry.models import Authority, AuthorityDomain
from registry.services.common import (
    Page,
    changed,
    check_version,
    contains,
    load,
    paginate,
    set_domains,
)
from registry.vocab import DOMAINS


def _clean(session: Session, data: dict[str, Any], current: Authority | None) -> dict[str, Any]:
    clean = dict(data)
    if "uscc" in clean:
        try:
            clean["uscc"] = validate_uscc(clean["uscc"])
        except USCCError as exc:
            raise InvalidInput.field("uscc", str(exc)) from exc
        # Authorities are registered by 机构编制 (first character 1): 机关 11, 事业单位 12 …
        if clean["uscc"][0] != "1":
            raise InvalidInput.field(
                "uscc", "an authority's code is issued by 机构编制 and starts with 1 (机关: 11)"
            )
        clash = session.scalar(sa.select(Authority.id).where(Authority.uscc == clean["uscc"]))
        if clash is not None and (current is None or clash != current.id):
            raise Conflict(f"authority {clash} already has USCC {clean['uscc']}", {"uscc": ["already registered"]})
    if "region_code" in clean:
        try:
            clean["region_code"] = region.validate(clean["region_code"])
        except ValueError as exc:
            raise InvalidInput.field("region_code", str(exc)) from exc
    if "domains" in clean:
        unknown = [d for d in clean["domains"] if d not in DOMAINS]
        if unknown:
            raise InvalidInput.field("domains", f"unknown domain code(s) {', '.join(unknown)}")
        clean["domains"] = sorted(set(clean["domains"]))
    if clean.get("parent_id") is not None:
        load_authority(session, clean["parent_id"], field="parent_id")
        if current is not None and _is_descendant_or_self(session, clean["parent_id"], current.id):
            raise InvalidInput.field("parent_id", "would make the authority its own ancestor")
    if "name" in clean:
        clean["name"] = clean["name"].strip()
        if not clean["name"]:
            raise InvalidInput.field("name", "must not be empty")
    return clean


def _is_descendant_or_self(session: Session, candidate: int, ancestor: int) -> bool:
    seen: set[int] = set()
    node: int | None = candidate
    while node is not None and node not in seen:
        if node == ancestor:
            return True
        seen.add(node)
        node = session.scalar(sa.select(Authority.parent_id).where(Authority.id == node))
    return False


def load_authority(session: Session, authority_id: int, *, field: str = "authority_id") -> Authority:
    """The authority, or a 422 naming the field that referred to a missing one."""
    found = session.get(Authority, authority_id)
    if found is None:
        raise InvalidInput.field(field, f"authority {authority_id} does not exist")
    return found


def create_authority(session: Session, data: dict[str, Any], actor: Actor) -> Authority:
    """Register an authority (admin only)."""
    require_role(actor, "admin")
    clean = _clean(session, data, None)
    authority = Authority(
        name=clean["name"],
        uscc=clean["uscc"],
        region_code=clean["region_code"],
        parent_id=clean.get("parent_id"),
    )
    authority.domain_rows = [AuthorityDomain(d) for d in clean.get("domains", [])]
    session.add(authority)
    session.flush()
    record_change(
        session, actor=actor, operation="create", record_type="authority",
        record=authority, before=None, authority_id=authority.id,
    )
    return authority


def update_authority(
    session: Session, authority_id: int, data: dict[str, Any], actor: Actor, expected_version: int
) -> Authority:
    """Change an authority's details (admin only)."""
    require_role(actor, "admin")
    authority = load(session, Authority, authority_id, "authority")
    check_version(authority, expected_version, "authority")
    before = authority.snapshot()
    clean = _clean(session, data, authority)
    for field in ("name", "uscc", "region_code", "parent_id"):
        if field in clean:
            setattr(authority, field, clean[field])
    if "domains" in clean:
        set_domains(authority.domain_rows, clean["domains"], AuthorityDomain)
    if not changed(authority, before):
        return authority
    session.flush()
    record_change(
        session, actor=actor, operation="update", record_type="authority",
        record=authority, before=before, authority_id=authority.id,
    )
    return authority


def get_authority(session: Session, authority_id: int) -> Authority:
    return load(session, Authority, authority_id, "authority")


def list_authorities(
    session: Session, *, name: str | None = None, uscc: str | None = None,
    domain: str | None = None, region_code: str | None = None, page: int = 1, per_page: int = 50,
) -> Page[Authority]:
    """Authorities matching every filter given, by id."""
    stmt = sa.select(Authority).order_by(Authority.id)
    if name:
        stmt = stmt.where(Authority.name.like(contains(name), escape="\\"))
    if uscc:
        stmt = stmt.where(Authority.uscc == uscc.strip().upper())
    if region_code:
        stmt = stmt.where(Authority.region_code.startswith(region_code.rstrip("0") or region_code))
    if domain:
        stmt = stmt.where(
            Authority.id.in_(sa.select(AuthorityDomain.authority_id).where(AuthorityDomain.domain == domain))
        )
    return paginate(session, stmt, page, per_page)
