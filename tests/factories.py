"""Test data built through the services, the same way the API builds it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from registry import access
from registry.calendar.workdays import WorkCalendar
from registry.catalogue import load_catalogue
from registry.codes import uscc
from registry.codes.idnumber import IdentityVault
from registry.ledger import Actor
from registry.models import Authority, Entity, ListEntry, Penalty
from registry.publication import Rules, add_months
from registry.records import authorities, entities, list_entries, penalties

TODAY = dt.date(2026, 11, 23)
ADMIN = Actor(key_id=None, name="test admin", role="admin")
# The test app's DATA_KEY (tests/conftest.py): what the factories encrypt with is what the app reads.
VAULT = IdentityVault("test-data-protection-secret")
_serial = itertools.count(1)


def code(prefix: str = "91330106") -> str:
    """A fresh valid USCC: registration authority + region, a serial organisation code, check character."""
    return uscc.complete(f"{prefix}{next(_serial):09d}")


def rules(session: Session) -> Rules:
    """The shipped catalogue and the calendar with whatever overrides the test loaded."""
    return Rules(load_catalogue(), WorkCalendar.load(session))


def supervisor_of(authority: Authority) -> Actor:
    return Actor(key_id=None, name=f"supervisor of {authority.id}", role="supervisor", authority_id=authority.id)


def make_authority(
    session: Session,
    name: str = "浙江省财政厅",
    domains: tuple[str, ...] = ("procurement",),
    region_code: str = "330000",
) -> Authority:
    return authorities.create_authority(
        session,
        {"name": name, "uscc": code("11" + region_code), "region_code": region_code, "domains": list(domains)},
        ADMIN,
    )


def make_entity(session: Session, name: str = "杭州合晟建设工程有限公司", **fields: Any) -> Entity:
    data = {"kind": "legal_entity", "name": name, "uscc": code(), **fields}
    return entities.create_entity(session, data, ADMIN, VAULT)


def penalty_data(entity: Entity, **fields: Any) -> dict[str, Any]:
    return {
        "entity_id": entity.id,
        "decision_number": f"浙财采罚〔2026〕{next(_serial)}号",
        "violation_type": "提供虚假材料谋取中标",
        "facts": "在某政府采购项目中提供虚假业绩证明材料",
        "basis": "《中华人民共和国政府采购法》第七十七条",
        "categories": ["罚款"],
        "content": "罚款人民币五千元",
        "fine_amount": "0.5",
        "decided_on": dt.date(2026, 11, 2),
        "severity": "general",
        "domain": "procurement",
        **fields,
    }


def make_penalty(session: Session, authority: Authority, entity: Entity, **fields: Any) -> Penalty:
    from decimal import Decimal

    data = penalty_data(entity, **fields)
    if isinstance(data.get("fine_amount"), str):
        data["fine_amount"] = Decimal(data["fine_amount"])
    return penalties.record_penalty(session, data, supervisor_of(authority), TODAY, rules=rules(session), vault=VAULT)


def list_entry_data(entity: Entity, **fields: Any) -> dict[str, Any]:
    data = {
        "entity_id": entity.id,
        "list_type": "black",
        "list_name": "政府采购严重违法失信行为记录名单",
        "domains": ["procurement"],
        "decision_number": f"浙财采决〔2026〕{next(_serial)}号",
        "reason_category": "提供虚假材料谋取中标、成交",
        "facts": "提供虚假业绩证明材料",
        "legal_basis": "《中华人民共和国政府采购法》第七十七条",
        "listed_on": dt.date(2026, 3, 1),
        "expires_on": dt.date(2027, 3, 1),
        **fields,
    }
    if "listed_on" in fields and "expires_on" not in fields and "list_name" not in fields:
        # A one-year ban from the listing given: its last day in force is the day before the anniversary.
        data["expires_on"] = add_months(fields["listed_on"], 12) - dt.timedelta(days=1)
    return data


def make_list_entry(session: Session, authority: Authority, entity: Entity, **fields: Any) -> ListEntry:
    return list_entries.create_list_entry(
        session, list_entry_data(entity, **fields), supervisor_of(authority), TODAY, rules=rules(session), vault=VAULT
    )


@dataclass
class World:
    finance: Authority
    housing: Authority
    admin_key: str
    finance_key: str
    housing_key: str
    screener_key: str
    platform_key: str


def build_world(session: Session) -> World:
    finance = make_authority(session, "浙江省财政厅", ("procurement",))
    housing = make_authority(session, "浙江省住房和城乡建设厅", ("construction_bidding", "housing"))
    keys = {
        "admin_key": access.create_key(session, role="admin", name="ops")[1],
        "finance_key": access.create_key(session, role="supervisor", name="财政厅", authority_id=finance.id)[1],
        "housing_key": access.create_key(session, role="supervisor", name="住建厅", authority_id=housing.id)[1],
        "screener_key": access.create_key(session, role="screener", name="交易中心")[1],
        "platform_key": access.create_key(session, role="platform", name="信用浙江")[1],
    }
    session.commit()
    return World(finance=finance, housing=housing, **keys)


# A password that meets the policy (registry.accounts.passwords), for accounts made in tests.
PASSWORD = "Zhejiang-2026-ok"


def make_account(
    session: Session,
    login: str,
    role: str = "supervisor",
    *,
    name: str = "张三",
    authority: Authority | None = None,
    organisation: str | None = None,
    manages_accounts: bool = False,
    password: str = PASSWORD,
    now: dt.datetime | None = None,
) -> Any:
    """An account with a password of its own (not temporary), made by the CLI operator; committed."""
    from registry.accounts.manage import NewAccount, create_account
    from registry.ledger import OPERATOR

    data = NewAccount(
        login,
        name,
        role,
        authority_id=authority.id if authority is not None else None,
        organisation=organisation,
        manages_accounts=manages_accounts,
    )
    moment = now or dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    account, _ = create_account(session, data, OPERATOR, moment, password=password)
    session.commit()
    return account
