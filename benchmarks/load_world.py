"""What the mixed-load clients act in: the database migrated and loaded with the demo registry,
and what the clients need from it (keys of every role, supervisors' templates, names, codes,
search terms), read once (`prepare` returns the `World`)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.names import fresh_trade_names, trade_names

DATA_KEY = "benchmark-load-data-protection-key"
INDUSTRIES = ("建设工程", "建筑工程", "市政工程", "环保科技", "信息技术", "装饰工程", "劳务", "物业管理")
FORMS = ("有限公司", "有限责任公司", "股份有限公司")
CITIES = ("杭州", "宁波", "温州", "绍兴", "嘉兴", "湖州", "金华", "台州")


@dataclass
class Supervisor:
    key: str
    authority_id: int
    penalty_template: dict[str, Any] | None
    entry_template: dict[str, Any] | None


@dataclass
class World:
    screener_key: str
    platform_key: str
    supervisors: list[Supervisor]
    entity_ids: list[int]  # entities the public may read (not natural persons)
    listed_names: list[str]
    listed_codes: list[str]
    other_names: list[str]
    search_terms: list[str]
    feed_head: int
    counts: dict[str, int]


def _in_fields(schema: Any, dumped: dict[str, Any]) -> dict[str, Any]:
    wanted = {k for k, f in schema.fields.items() if not f.dump_only}
    return {k: v for k, v in dumped.items() if k in wanted and v is not None}


def _other_names(rng: random.Random, count: int) -> list[str]:
    """Company names not in the registry: 字号 the demo registry does not use (`fresh_trade_names`:
    a random draw from the benchmarks' list, BENCH_TRADE_NAMES or the demo's sample, then names
    composed from it once the draw is used up, as it is at once with the sample the demo uses)."""
    from registry.demo import trade_names as demo_trade_names

    listed = trade_names()[:50_000]
    draw = rng.sample(listed, min(count, len(listed)))
    trades = fresh_trade_names(rng, taken=frozenset(demo_trade_names()), trades=draw)
    return [f"{rng.choice(CITIES)}{next(trades)}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}" for _ in range(count)]


def prepare(database_url: str, *, entities: int, seed: int, reset: bool, log: Callable[[str], None]) -> World:
    """Migrate the database, load the demo registry through the services and read what clients need."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from api.app import create_app
    from api.schemas.list_entries import ListEntryIn, ListEntryOut
    from api.schemas.penalties import PenaltyIn, PenaltyOut
    from registry import demo
    from registry.database import db, write_intent
    from registry.models import ChangeEvent, Entity, EntityName, ListEntry, Penalty
    from registry.runtime import current_rules

    if reset and database_url.startswith("postgresql"):
        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"DATABASE_URL": database_url, "DATA_KEY": DATA_KEY})
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        session = db.session()
        if session.scalar(sa.select(Entity.id).limit(1)) is not None:
            raise SystemExit("the database is not empty: name an empty one, or add --reset-database (PostgreSQL)")
        runtime = app.extensions["registry"]
        write_intent.set(True)
        summary = demo.seed_demo(
            session,
            vault=runtime.vault,
            rules=current_rules(session),
            today=runtime.clock.today(),
            rng_seed=seed,
            entities=entities,
        )
        session.commit()
        write_intent.set(False)
        log(
            f"demo registry loaded in {time.perf_counter() - started:.1f} s: {summary.entities} entities, "
            f"{summary.list_entries} list entries, {summary.penalties} penalties, {len(summary.keys)} keys"
        )
        keys = {k.role: k.key for k in summary.keys if k.role != "supervisor"}
        supervisors = []
        for k in (k for k in summary.keys if k.role == "supervisor"):
            assert k.authority_id is not None  # noqa: S101 (a supervisor key is bound to an authority)
            penalty = session.scalars(
                sa.select(Penalty)
                .where(Penalty.authority_id == k.authority_id, Penalty.status == "effective")
                .order_by(Penalty.id)
                .limit(1)
            ).first()
            entry = session.scalars(
                sa.select(ListEntry).where(ListEntry.authority_id == k.authority_id).order_by(ListEntry.id).limit(1)
            ).first()
            p_template = e_template = None
            if penalty is not None:
                p_template = _in_fields(PenaltyIn(), PenaltyOut().dump(penalty))
                for drop in ("authority_id", "data_source_authority_id", "publication_ends_on", "not_public_reason"):
                    p_template.pop(drop, None)
                p_template["is_public"] = True
            if entry is not None:
                e_template = _in_fields(ListEntryIn(), ListEntryOut().dump(entry))
                for drop in ("authority_id", "not_public_reason"):
                    e_template.pop(drop, None)
                e_template["is_public"] = True
            if p_template or e_template:
                supervisors.append(Supervisor(k.key, k.authority_id, p_template, e_template))
        public_ids = list(session.scalars(sa.select(Entity.id).where(Entity.kind != "natural_person")))
        listed = session.execute(
            sa.select(Entity.name, Entity.uscc).where(
                Entity.kind != "natural_person",
                Entity.id.in_(sa.union(sa.select(ListEntry.entity_id), sa.select(Penalty.entity_id))),
            )
        ).all()
        names = list(session.scalars(sa.select(EntityName.name).join(Entity).where(Entity.kind != "natural_person")))
        head = int(session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)
        counts = {"entities": summary.entities, "list_entries": summary.list_entries, "penalties": summary.penalties}
        db.engine.dispose()
    rng = random.Random(seed)  # noqa: S311 (a reproducible mix, not a secret)
    terms = sorted({n[2:6] for n in names if len(n) > 6}) or ["公司"]
    return World(
        screener_key=keys["screener"],
        platform_key=keys["platform"],
        supervisors=supervisors,
        entity_ids=public_ids,
        listed_names=[n for n, _ in listed],
        listed_codes=[c for _, c in listed if c],
        other_names=_other_names(rng, 2000),
        search_terms=terms,
        feed_head=head,
        counts=counts,
    )
