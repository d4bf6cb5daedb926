"""Load a generated registry into a database, for the HTTP benchmark.

The first entity and its list entry go through the registry services (`create_entity`,
`create_list_entry`), which validate them and derive the list entry's dates from the rules.
The others are bulk-inserted with SQLAlchemy Core (executemany), copying what the services derived from
that template: the same rows the services would write, without one round trip per record.
Each bulk record gets what a service call leaves behind: its entity names, its list entry
with domains and first transition, one audit row per record on the hash chain
(`verify_audit_chain` passes) and one outbox event per record with the record's snapshot as
payload, the ledger counters moved on in the same transaction. Every generated code is a
valid USCC and every region code is in the GB/T 2260 table.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask

from benchmarks.dataset import Dataset, ListedEntity
from registry import access
from registry.calendar.workdays import WorkCalendar
from registry.catalogue import load_catalogue
from registry.codes import uscc
from registry.database import db, utcnow
from registry.ledger import OPERATOR, Actor, Creation, record_creations
from registry.models import (
    Entity,
    EntityName,
    ListEntry,
    ListEntryDomain,
    ListEntryTransition,
)
from registry.publication import Rules
from registry.records.authorities import create_authority
from registry.records.entities import create_entity
from registry.records.list_entries import create_list_entry
from registry.runtime import Runtime

DOMAINS = ["construction_bidding", "procurement"]
AUTHORITY_REGION = "330000"
LIST_NAME = "政府采购严重违法失信行为记录名单"


@dataclass
class LoadReport:
    entities: int
    list_entries: int
    seconds: float
    screener_key: str
    method: str = "first entity and list entry through the services; the rest bulk-inserted (Core) from that template, with audit and outbox rows"


def _entity_snapshot(template: dict[str, Any], e: ListedEntity) -> dict[str, Any]:
    names = [{"name": e.name, "kind": "current", "valid_from": None, "valid_to": None}]
    names += [{"name": n, "kind": "former", "valid_from": None, "valid_to": None} for n in e.former_names]
    return {
        **template,
        "id": e.entity_id,
        "kind": e.kind,
        "name": e.name,
        "uscc": e.code,
        "region_code": e.region.code,
        "names": names,
        "version": 1,
    }


def load_registry(
    app: Flask, data: Dataset, *, batch: int = 5000, progress: Callable[[int], None] | None = None
) -> LoadReport:
    """Put every generated entity in the (migrated, empty) database as an entity on a black list."""
    started = time.perf_counter()
    entities = data.entities
    with app.app_context():
        session = db.session
        runtime: Runtime = app.extensions["registry"]
        today = runtime.clock.today()
        authority = create_authority(
            session,
            {
                "name": "浙江省财政厅",
                "uscc": uscc.complete("11" + AUTHORITY_REGION + "002481253"),
                "region_code": AUTHORITY_REGION,
                "domains": DOMAINS,
            },
            OPERATOR,
        )
        supervisor = Actor(key_id=None, name="benchmark loader", role="supervisor", authority_id=authority.id)
        screener_key = access.create_key(session, role="screener", name="benchmark screener")[1]
        rules = Rules(load_catalogue(app.config.get("CATALOGUE_DIR")), WorkCalendar.load(session))
        listed_on, expires_on = today - dt.timedelta(days=30), today + dt.timedelta(days=730)

        def entry_data(e: ListedEntity) -> dict[str, Any]:
            return {
                "entity_id": e.entity_id,
                "list_type": "black",
                "list_name": LIST_NAME,
                "domains": DOMAINS,
                "decision_number": f"浙财采决〔{listed_on.year}〕{e.entity_id}号",
                "reason_category": "提供虚假材料谋取中标、成交",
                "facts": "提供虚假业绩证明材料",
                "legal_basis": "《中华人民共和国政府采购法》第七十七条",
                "listed_on": listed_on,
                "expires_on": expires_on,
            }

        first = entities[0]
        entity = create_entity(
            session,
            {
                "kind": first.kind,
                "name": first.name,
                "uscc": first.code,
                "names": [{"name": n, "kind": "former"} for n in first.former_names],
            },
            OPERATOR,
            runtime.vault,
        )
        if entity.id != first.entity_id:
            raise RuntimeError(f"the database is not empty: the first entity got id {entity.id}")
        entry = create_list_entry(session, entry_data(first), supervisor, today, rules=rules)
        session.commit()

        entity_template = entity.snapshot()
        entry_template = entry.snapshot()
        entry_columns = {c.key: getattr(entry, c.key) for c in sa.inspect(ListEntry).column_attrs}
        entry_id = entry.id
        for start in range(1, len(entities), batch):
            chunk = entities[start : start + batch]
            now = utcnow()
            entity_rows, name_rows, entry_rows, domain_rows, transition_rows = [], [], [], [], []
            creations: list[Creation] = []
            for e in chunk:
                entry_id += 1
                entity_rows.append(
                    {
                        "id": e.entity_id,
                        "kind": e.kind,
                        "name": e.name,
                        "uscc": e.code,
                        "region_code": e.region.code,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
                name_rows.append(
                    {"entity_id": e.entity_id, "name": e.name, "kind": "current", "valid_from": None, "valid_to": None}
                )
                name_rows += [
                    {"entity_id": e.entity_id, "name": n, "kind": "former", "valid_from": None, "valid_to": None}
                    for n in e.former_names
                ]
                decision = entry_data(e)["decision_number"]
                entry_rows.append(
                    {
                        **entry_columns,
                        "id": entry_id,
                        "entity_id": e.entity_id,
                        "decision_number": decision,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
                domain_rows += [{"list_entry_id": entry_id, "domain": d} for d in DOMAINS]
                transition_rows.append(
                    {
                        "list_entry_id": entry_id,
                        "from_status": None,
                        "to_status": "active",
                        "effective_on": listed_on,
                        "reason": f"列入: {decision}",
                        "actor": supervisor.label,
                        "at": now,
                    }
                )
                creations.append(
                    Creation(OPERATOR, "entity", e.entity_id, 1, _entity_snapshot(entity_template, e), None)
                )
                creations.append(
                    Creation(
                        supervisor,
                        "list_entry",
                        entry_id,
                        1,
                        {
                            **entry_template,
                            "id": entry_id,
                            "entity_id": e.entity_id,
                            "decision_number": decision,
                            "version": 1,
                        },
                        authority.id,
                    )
                )
            session.execute(Entity.__table__.insert(), entity_rows)
            session.execute(EntityName.__table__.insert(), name_rows)
            session.execute(ListEntry.__table__.insert(), entry_rows)
            session.execute(ListEntryDomain.__table__.insert(), domain_rows)
            session.execute(ListEntryTransition.__table__.insert(), transition_rows)
            record_creations(session, creations, now)  # the importer's writer: one chain, no gaps
            session.commit()
            if progress:
                progress(start + len(chunk))
        if db.engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("entities", "list_entries"):
                session.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 (fixed table names)
                    )
                )
            session.commit()
    return LoadReport(len(entities), len(entities), time.perf_counter() - started, screener_key)
