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
from registry.messages import msg
from registry.models import Authority, AuthorityDomain
from registry.publication import Decider
from registry.records.common import (
    Page,
    changed,
    check_version,
    contains,
    load,
    paginate,
    set_domains,
)
from registry.vocab import AUTHORITY_SECTORS, DOMAINS, terms


def _clean(session: Session, data: dict[str, Any], current: Authority | None) -> dict[str, Any]:
    clean = dict(data)
    if "uscc" in clean:
        try:
            clean["uscc"] = validate_uscc(clean["uscc"])
        except USCCError as exc:
            raise InvalidInput.field("uscc", exc.text) from exc
        # Authorities are registered by 机构编制 (first character 1): 机关 11, 事业单位 12 …
        if clean["uscc"][0] != "1":
            raise InvalidInput.field("uscc", "an authority's code is issued by 机构编制 and starts with 1 (机关: 11)")
        clash = session.scalar(sa.select(Authority.id).where(Authority.uscc == clean["uscc"]))
        if clash is not None and (current is None or clash != current.id):
            raise Conflict(
                msg("authority {id} already has USCC {code}", id=clash, code=clean["uscc"]),
                {"uscc": ["already registered"]},
            )
    if "region_code" in clean:
        try:
            clean["region_code"] = region.validate(clean["region_code"])
        except region.RegionError as exc:
            raise InvalidInput.field("region_code", exc.text) from exc
    if "sector" in clean and clean["sector"] not in AUTHORITY_SECTORS:
        raise InvalidInput.field("sector", msg("must be one of {values}", values=terms(AUTHORITY_SECTORS)))
    if "domains" in clean:
        unknown = [d for d in clean["domains"] if d not in DOMAINS]
        if unknown:
            raise InvalidInput.field("domains", msg("unknown domain code(s) {codes}", codes=", ".join(unknown)))
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


# Words in an authority's name that say its 系统, most specific first (财政 is in 国有资产 names too).
_SECTOR_WORDS = (
    ("市场监督管理", "market_supervision"),
    ("市场监管", "market_supervision"),
    ("国有资产监督管理", "state_assets"),
    ("国资委", "state_assets"),
    ("发展和改革", "development_reform"),
    ("发展改革", "development_reform"),
    ("发改委", "development_reform"),
    ("住房和城乡建设", "housing_construction"),
    ("住房城乡建设", "housing_construction"),
    ("住建", "housing_construction"),
    ("自然资源", "natural_resources"),
    ("卫生健康", "health"),
    ("医疗保障", "medical_security"),
    ("生态环境", "ecology_environment"),
    ("交通运输", "transport"),
    ("水利", "water"),
    ("财政", "finance"),
)


def sector_named(name: str) -> str:
    """The 系统 an authority's name says (浙江省市场监督管理局 → market_supervision), else other."""
    return next((sector for word, sector in _SECTOR_WORDS if word in name), "other")


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
        raise InvalidInput.field(field, msg("authority {id} does not exist", id=authority_id))
    return found


def create_authority(session: Session, data: dict[str, Any], actor: Actor) -> Authority:
    """Register an authority (admin only)."""
    require_role(actor, "admin")
    clean = _clean(session, data, None)
    authority = Authority(
        name=clean["name"],
        uscc=clean["uscc"],
        region_code=clean["region_code"],
        sector=clean.get("sector") or sector_named(clean["name"]),
        parent_id=clean.get("parent_id"),
    )
    authority.domain_rows = [AuthorityDomain(d) for d in clean.get("domains", [])]
    session.add(authority)
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="create",
        record_type="authority",
        record=authority,
        before=None,
        authority_id=authority.id,
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
    for field in ("name", "uscc", "region_code", "sector", "parent_id"):
        if field in clean:
            setattr(authority, field, clean[field])
    if "domains" in clean:
        set_domains(authority.domain_rows, clean["domains"], AuthorityDomain)
    if not changed(authority, before):
        return authority
    session.flush()
    record_change(
        session,
        actor=actor,
        operation="update",
        record_type="authority",
        record=authority,
        before=before,
        authority_id=authority.id,
    )
    return authority


def get_authority(session: Session, authority_id: int) -> Authority:
    return load(session, Authority, authority_id, "authority")


def list_authorities(
    session: Session,
    *,
    name: str | None = None,
    uscc: str | None = None,
    domain: str | None = None,
    region_code: str | None = None,
    page: int = 1,
    per_page: int = 50,
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


def decider_of(session: Session, authority_id: int) -> Decider:
    """The deciding authority as the rules see it (its 系统 and region), for periods and deadlines."""
    authority = load_authority(session, authority_id)
    return Decider(authority.sector, authority.region_code)
