"""`seed_demo`: the demo plan written through the services, and the demo's API keys.

Every record is written by the service that writes it in production (authorities, entities
and their names, list entries and their changes, penalties with corrections and revocations,
renames), so each one gets its audit row and its outbox event. When each record was first
published is drawn from a second PRNG, so the plan itself does not depend on the loading.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy.orm import Session

from registry import access
from registry.accounts.manage import NewAccount, create_account
from registry.accounts.passwords import temporary_password
from registry.clock import CHINA
from registry.codes.idnumber import IdentityVault
from registry.database import utcnow
from registry.demo.plan import plan_demo
from registry.demo.reference import AUTHORITIES, AuthoritySpec
from registry.ledger import OPERATOR, Actor
from registry.models import Entity
from registry.publication import Rules
from registry.records.authorities import create_authority
from registry.records.entities import add_entity_name, create_entity, update_entity
from registry.records.list_entries import (
    create_list_entry,
    remove_list_entry,
    repair_list_entry,
    revoke_list_entry,
)
from registry.records.penalties import correct_penalty, record_penalty, revoke_penalty

SEED_ADMIN = Actor(key_id=None, name="seed-demo", role="admin")

# Working days from decision to first publication in the demo, and how often each occurs.
_PUBLISH_DELAYS = (0, 1, 2, 3, 5, 7, 9, 12, 20)
_PUBLISH_DELAY_WEIGHTS = (25, 25, 15, 10, 8, 6, 5, 4, 2)


class DemoKey(NamedTuple):
    """An API key made for the demo; `key` is the secret, shown once."""

    role: str
    authority_id: int | None
    name: str
    key: str


class DemoAccount(NamedTuple):
    """A person's account made for the demo, one per role; `password` is shown once."""

    login: str
    name: str
    role: str
    unit: str
    manages_accounts: bool
    password: str


@dataclass(frozen=True)
class DemoSummary:
    """What `seed_demo` loaded."""

    authorities: int
    entities: int
    list_entries: int
    penalties: int
    keys: list[DemoKey]
    accounts: list[DemoAccount]
    # One 失信相关人 to try screening with: (name, ID number, company, list) of an entry in force.
    responsible_person: tuple[str, str, str, str] | None = None


def _supervisor(spec: AuthoritySpec, authority_id: int) -> Actor:
    return Actor(key_id=None, name=f"{spec.name}（演示）", role="supervisor", authority_id=authority_id)


def seed_demo(
    session: Session,
    *,
    vault: IdentityVault,
    rules: Rules,
    today: dt.date,
    rng_seed: int = 2026,
    entities: int = 300,
) -> DemoSummary:
    """Load the demo registry through the services; flushes, never commits. Keys are returned in clear, once."""
    plan = plan_demo(today=today, rng_seed=rng_seed, entities=entities, catalogue=rules.catalogue)
    ids: dict[str, int] = {}
    actors: dict[str, Actor] = {}
    for spec in AUTHORITIES:
        authority = create_authority(
            session,
            {
                "name": spec.name,
                "uscc": plan.authority_usccs[spec.key],
                "region_code": spec.region_code,
                "domains": list(spec.domains),
                "parent_id": ids[spec.parent] if spec.parent else None,
            },
            SEED_ADMIN,
        )
        ids[spec.key] = authority.id
        actors[spec.key] = _supervisor(spec, authority.id)

    created: list[Entity] = []
    for subject in plan.entities:
        actor = actors[subject.registrar]
        entity = create_entity(session, subject.data, actor, vault)
        if subject.alias:
            entity = add_entity_name(
                session, entity.id, {"name": subject.alias, "kind": "alias"}, actor, entity.version
            )
        if subject.former:
            name, valid_from, valid_to = subject.former
            entity = add_entity_name(
                session,
                entity.id,
                {
                    "name": name,
                    "kind": "former",
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                },
                actor,
                entity.version,
            )
        created.append(entity)
    entity_ids = [e.id for e in created]

    # When each record was first published: mostly within its deadline, some late (公开时效).
    delays = random.Random(rng_seed * 31 + 7)

    def published_at(decided_on: dt.date) -> dt.datetime:
        delay = delays.choices(_PUBLISH_DELAYS, weights=_PUBLISH_DELAY_WEIGHTS)[0]
        day = min(rules.calendar.add_working_days(decided_on, delay).value, today)
        if day == today:
            return utcnow()
        return dt.datetime.combine(day, dt.time(9, 30), tzinfo=CHINA).astimezone(dt.UTC)

    for listing in plan.list_entries:
        actor = actors[listing.authority]
        entry = create_list_entry(
            session,
            {**listing.data, "entity_id": entity_ids[listing.entity]},
            actor,
            today,
            rules=rules,
            now=published_at(listing.data["listed_on"]),
            vault=vault,
        )
        if listing.transition is not None:
            status, day, reason = listing.transition
            change = {"removed": remove_list_entry, "repaired": repair_list_entry, "revoked": revoke_list_entry}[status]
            change(session, entry.id, reason, day, actor, entry.version, today)

    for decision in plan.penalties:
        actor = actors[decision.authority]
        data = {**decision.data, "entity_id": entity_ids[decision.entity]}
        if decision.data_source:
            data["data_source_authority_id"] = ids[decision.data_source]
        penalty = record_penalty(
            session, data, actor, today, rules=rules, now=published_at(data["decided_on"]), vault=vault
        )
        if decision.correction is not None:
            changes, reason = decision.correction
            penalty = correct_penalty(session, penalty.id, changes, reason, actor, penalty.version, today, rules=rules)
        if decision.revocation is not None:
            revoked_on, reason = decision.revocation
            revoke_penalty(session, penalty.id, reason, revoked_on, actor, penalty.version, today)

    # Renamed after their records were decided: the records keep the name they were decided under.
    # A rename of an entity that carries several authorities' records is an administrator's
    # (the registration authority's change, entered centrally), never one supervisor's.
    for entity, subject in zip(created, plan.entities, strict=True):
        if subject.rename is not None:
            name, renamed_on = subject.rename
            update_entity(
                session, entity.id, {"name": name, "renamed_on": renamed_on}, OPERATOR, entity.version, vault, today
            )

    example = next(
        (
            (person["name"], person["id_number"], created[listing.entity].name, listing.data["list_name"])
            for listing in plan.list_entries
            if listing.transition is None and (listing.data["expires_on"] or today) >= today
            for person in listing.data.get("responsible_persons", [])
        ),
        None,
    )
    keys = [_key(session, "admin", "演示管理员", None)]
    keys += [_key(session, "supervisor", f"{spec.name}（演示）", ids[spec.key]) for spec in AUTHORITIES]
    keys.append(_key(session, "screener", "杭州市公共资源交易中心（演示）", None))
    keys.append(_key(session, "platform", "信用浙江（演示）", None))
    accounts = _accounts(session, AUTHORITIES[0].name, ids[AUTHORITIES[0].key])
    session.flush()
    return DemoSummary(
        authorities=len(AUTHORITIES),
        entities=len(plan.entities),
        list_entries=len(plan.list_entries),
        penalties=len(plan.penalties),
        keys=keys,
        accounts=accounts,
        responsible_person=example,
    )


def _key(session: Session, role: str, name: str, authority_id: int | None) -> DemoKey:
    key, secret = access.create_key(session, role=role, name=name, authority_id=authority_id, actor=SEED_ADMIN)
    return DemoKey(role, authority_id, key.name, secret)


# One account per role: (login, 姓名, role, agency, manages its authority's accounts); the two
# supervisors belong to the first authority.
# The screener's agency is the demo screener key's holder: the key and the account share screenings.
_DEMO_PEOPLE = (
    ("demo.admin", "王建国", "admin", None, False),
    ("demo.zjcz.admin", "李静", "supervisor", None, True),
    ("demo.zjcz", "张伟", "supervisor", None, False),
    ("demo.hzggzy", "陈晓燕", "screener", "杭州市公共资源交易中心（演示）", False),
    ("demo.xyzj", "刘洋", "platform", None, False),
)


def _accounts(session: Session, authority_name: str, authority_id: int) -> list[DemoAccount]:
    """The demo's people: a system administrator, an authority's account administrator and a
    supervisor of the first authority, a screener and the credit platform; passwords made here."""
    made = []
    for login, name, role, agency, manages in _DEMO_PEOPLE:
        bound = role == "supervisor"
        data = NewAccount(
            login,
            name,
            role,
            authority_id=authority_id if bound else None,
            organisation=agency,
            manages_accounts=manages,
        )
        password = temporary_password()
        account, _ = create_account(session, data, SEED_ADMIN, utcnow(), password=password)
        shown_unit = authority_name if bound else (account.organisation or "")
        made.append(DemoAccount(account.login, account.name, role, shown_unit, manages, password))
    return made
