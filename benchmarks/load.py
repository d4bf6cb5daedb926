"""Mixed load on the registry under gunicorn: screenings, public search, supervisor writes, reads.

    python -m benchmarks.load [--clients 50 --seconds 60 --workers 4 --database-url URL]

A database (PostgreSQL named by --database-url or BENCH_DATABASE_URL, emptied first with
--reset-database; else a temporary SQLite file) is migrated and loaded with the demo registry
(`registry.demo.seed_demo`, the same data as `flask registry seed-demo`, written through the
services), which also makes a key of every role. gunicorn then serves `wsgi:app` and `--clients`
threads in this process send, for `--seconds`, a weighted mix of:

| endpoint | who | expected |
|---|---|---|
| POST /api/v1/screenings, 1–20 subjects (listed names, other company names, codes) | screener | 201 |
| GET /api/v1/entities?name=… (the public entity search) | anonymous | 200 |
| GET /search?q=… (the public page) | anonymous | 200 |
| POST /api/v1/penalties of the supervisor's own authority | supervisor | 201 |
| POST /api/v1/list-entries of the supervisor's own authority | supervisor | 201 |
| PATCH /api/v1/penalties/{id} with If-Match (a penalty this client recorded) | supervisor | 200 |
| GET /api/v1/entities/{id} | anonymous | 200 |
| GET /api/v1/feed?after=… | platform | 200 |

Each request opens its own connection (gunicorn's sync workers close it). Per endpoint it prints
the count, the errors (any other status, any connection error or timeout; 429 is counted apart as
"throttled"), p50/p99 latency and requests/s; and the total. The baseline, measured in the same
run with the same clients and workers, is `benchmarks.minimal_app` (a Flask endpoint that parses
a screening body and answers): the registry's total requests/s is printed as a ratio of it.
Exit status 1 if any request erred.

The clients share this process's interpreter with each other (and the machine with the server):
on a small machine they are part of what is measured; the baseline is driven the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from benchmarks.names import trade_names

REPO = Path(__file__).resolve().parent.parent
DATA_KEY = "benchmark-load-data-protection-key"
REQUEST_TIMEOUT = 60.0
# The registry is measured, not its per-key rate limits (api/ratelimit.py): every
# REGISTRY_RATE_LIMIT_* setting the app has is set to 0 (off) for the server under load, and a
# 429 that still comes is counted apart ("throttled"), not as an error.
RATE_LIMIT_OFF = "0"

# (label, weight): the share of each request kind in the mix
MIX: tuple[tuple[str, int], ...] = (
    ("screening", 35),
    ("entity search (API)", 15),
    ("search page", 10),
    ("penalty create", 8),
    ("list entry create", 5),
    ("penalty correct", 7),
    ("entity read", 12),
    ("feed read", 8),
)
EXPECTED = {"screening": 201, "penalty create": 201, "list entry create": 201}  # else 200
INDUSTRIES = ("建设工程", "建筑工程", "市政工程", "环保科技", "信息技术", "装饰工程", "劳务", "物业管理")
FORMS = ("有限公司", "有限责任公司", "股份有限公司")
CITIES = ("杭州", "宁波", "温州", "绍兴", "嘉兴", "湖州", "金华", "台州")


# -- the world the clients act in ------------------------------------------------------------


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
    """Company names that are (mostly) not in the registry: 字号 from the benchmarks' trade-name
    file (BENCH_TRADE_NAMES) when present, else the demo's sample (benchmarks.names.trade_names)."""
    trades = list(trade_names()[:50_000])
    return [f"{rng.choice(CITIES)}{rng.choice(trades)}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}"
            for _ in range(count)]


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
        summary = demo.seed_demo(session, vault=runtime.vault, rules=current_rules(session),
                                 today=runtime.clock.today(), rng_seed=seed, entities=entities)
        session.commit()
        write_intent.set(False)
        log(f"demo registry loaded in {time.perf_counter() - started:.1f} s: {summary.entities} entities, "
            f"{summary.list_entries} list entries, {summary.penalties} penalties, {len(summary.keys)} keys")
        keys = {k.role: k.key for k in summary.keys if k.role != "supervisor"}
        supervisors = []
        for k in (k for k in summary.keys if k.role == "supervisor"):
            assert k.authority_id is not None  # noqa: S101 (a supervisor key is bound to an authority)
            penalty = session.scalars(sa.select(Penalty).where(
                Penalty.authority_id == k.authority_id, Penalty.status == "effective").order_by(Penalty.id).limit(1)).first()
            entry = session.scalars(sa.select(ListEntry).where(
                ListEntry.authority_id == k.authority_id).order_by(ListEntry.id).limit(1)).first()
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
            sa.select(Entity.name, Entity.uscc).where(Entity.kind != "natural_person", Entity.id.in_(
                sa.union(sa.select(ListEntry.entity_id), sa.select(Penalty.entity_id))))).all()
        names = list(session.scalars(sa.select(EntityName.name).join(Entity).where(Entity.kind != "natural_person")))
        head = int(session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)
        counts = {"entities": summary.entities, "list_entries": summary.list_entries, "penalties": summary.penalties}
        db.engine.dispose()
    rng = random.Random(seed)  # noqa: S311 (a reproducible mix, not a secret)
    terms = sorted({n[2:6] for n in names if len(n) > 6}) or ["公司"]
    return World(
        screener_key=keys["screener"], platform_key=keys["platform"], supervisors=supervisors,
        entity_ids=public_ids, listed_names=[n for n, _ in listed], listed_codes=[c for _, c in listed if c],
        other_names=_other_names(rng, 2000), search_terms=terms, feed_head=head, counts=counts,
    )


# -- the clients ---------------------------------------------------------------------------


@dataclass
class Call:
    label: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    throttled: int = 0
    samples: list[str] = field(default_factory=list)


def send(port: int, call: Call, timeout: float = REQUEST_TIMEOUT) -> tuple[int, dict[str, str], bytes]:
    headers = dict(call.headers)
    if call.key:
        headers["Authorization"] = f"Bearer {call.key}"
    body = None
    if call.body is not None:
        body = json.dumps(call.body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(call.method, call.path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def screening_body(world: World, rng: random.Random, project: str) -> dict[str, Any]:
    subjects = []
    for _ in range(rng.randint(1, 20)):
        roll = rng.random()
        if roll < 0.25 and world.listed_names:
            subjects.append({"name": rng.choice(world.listed_names), "role": "投标人"})
        elif roll < 0.35 and world.listed_codes:
            subjects.append({"uscc": rng.choice(world.listed_codes), "role": "投标人"})
        else:
            subjects.append({"name": rng.choice(world.other_names), "role": "投标人"})
    return {"domain": "construction_bidding", "project_code": project, "stage": "资格审查", "subjects": subjects}


class Client:
    """One simulated caller: picks a kind of request by weight, sends it, remembers what it made."""

    _numbers = itertools.count(1)

    def __init__(self, world: World, number: int, seed: int) -> None:
        self.world = world
        self.number = number
        self.rng = random.Random(seed * 1000 + number)  # noqa: S311 (a reproducible mix, not a secret)
        self.made: list[tuple[Supervisor, int]] = []  # penalties this client recorded, not yet corrected
        self.labels = [label for label, _ in MIX]
        self.weights = [weight for _, weight in MIX]

    def _decision(self, prefix: str) -> str:
        return f"压测{prefix}〔{dt.date.today().year}〕{self.number}-{next(self._numbers)}号"

    def next_call(self) -> Call:
        w, rng = self.world, self.rng
        label = rng.choices(self.labels, self.weights)[0]
        if label == "penalty correct" and not self.made:
            label = "penalty create"
        writers_p = [s for s in w.supervisors if s.penalty_template]
        writers_e = [s for s in w.supervisors if s.entry_template]
        if label == "penalty create" and not writers_p or label == "list entry create" and not writers_e:
            label = "screening"
        if label == "screening":
            return Call(label, "POST", "/api/v1/screenings",
                        screening_body(w, rng, f"LOAD-{self.number}-{next(self._numbers)}"), w.screener_key)
        if label == "entity search (API)":
            return Call(label, "GET", f"/api/v1/entities?name={quote(rng.choice(w.search_terms))}&per_page=20")
        if label == "search page":
            return Call(label, "GET", f"/search?q={quote(rng.choice(w.search_terms))}")
        if label == "entity read":
            return Call(label, "GET", f"/api/v1/entities/{rng.choice(w.entity_ids)}")
        if label == "feed read":
            after = rng.randint(0, max(0, w.feed_head - 1))
            return Call(label, "GET", f"/api/v1/feed?after={after}&limit=50", key=w.platform_key)
        if label == "penalty create":
            sup = rng.choice(writers_p)
            assert sup.penalty_template is not None  # noqa: S101
            body = {**sup.penalty_template, "decision_number": self._decision("罚"),
                    "entity_id": rng.choice(w.entity_ids)}
            return Call(label, "POST", "/api/v1/penalties", body, sup.key)
        if label == "list entry create":
            sup = rng.choice(writers_e)
            assert sup.entry_template is not None  # noqa: S101
            body = {**sup.entry_template, "decision_number": self._decision("决"),
                    "entity_id": rng.choice(w.entity_ids)}
            return Call(label, "POST", "/api/v1/list-entries", body, sup.key)
        sup, penalty_id = self.made.pop(rng.randrange(len(self.made)))
        return Call(label, "PATCH", f"/api/v1/penalties/{penalty_id}",
                    {"content": f"罚款（更正{self.number}）", "reason": "压测更正"}, sup.key, {"If-Match": '"v1"'})

    def answered(self, call: Call, status: int, body: bytes) -> None:
        if call.label == "penalty create" and status == 201:
            sup = next(s for s in self.world.supervisors if s.key == call.key)
            self.made.append((sup, int(json.loads(body)["id"])))


def run_clients(port: int, clients: Sequence[Any], seconds: float,
                next_call: Callable[[Any], Call], answered: Callable[[Any, Call, int, bytes], None],
                expected: Callable[[Call], int]) -> tuple[dict[str, Tally], float]:
    """Each client in its own thread, sending one request after another until `seconds` pass."""
    tallies: dict[str, Tally] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def work(client: Any) -> None:
        barrier.wait()
        while time.monotonic() < deadline[0]:
            call = next_call(client)
            began = time.perf_counter()
            try:
                status, _, body = send(port, call)
                key = str(status)
            except OSError as exc:  # refused, reset, timed out
                status, body, key = 0, str(exc).encode(), type(exc).__name__
            took = (time.perf_counter() - began) * 1000
            answered(client, call, status, body)
            with lock:
                tally = tallies.setdefault(call.label, Tally())
                tally.latencies.append(took)
                tally.statuses[key] += 1
                if status == 429:
                    tally.throttled += 1
                elif status != expected(call):
                    tally.errors += 1
                    if len(tally.samples) < 3:
                        tally.samples.append(f"{key}: {body[:200].decode(errors='replace')}")

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    began = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=seconds + REQUEST_TIMEOUT + 30)
    return tallies, time.perf_counter() - began


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def figures(tallies: dict[str, Tally], seconds: float) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    everything = Tally()
    for label in [label for label, _ in MIX if label in tallies] + [k for k in tallies if k not in dict(MIX)]:
        t = tallies[label]
        everything.latencies += t.latencies
        everything.errors += t.errors
        everything.throttled += t.throttled
        everything.statuses.update(t.statuses)
        rows[label] = _row(t, seconds)
    rows["total"] = _row(everything, seconds)
    return rows


def _row(t: Tally, seconds: float) -> dict[str, Any]:
    return {"count": len(t.latencies), "errors": t.errors, "throttled": t.throttled,
            "p50_ms": statistics.median(t.latencies) if t.latencies else 0.0, "p99_ms": _pct(t.latencies, 0.99),
            "per_second": len(t.latencies) / seconds if seconds else 0.0, "statuses": dict(t.statuses),
            "samples": t.samples}


def format_table(rows: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'endpoint':<22} {'count':>7} {'errors':>6} {'429':>5} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}"]
    for label, r in rows.items():
        lines.append(f"{label:<22} {r['count']:>7} {r['errors']:>6} {r['throttled']:>5} {r['p50_ms']:>8.1f} "
                     f"{r['p99_ms']:>8.1f} {r['per_second']:>8.1f}")
    return "\n".join(lines)


# -- the run ---------------------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    env = {"REGISTRY_DATABASE_URL": database_url, "REGISTRY_DATA_KEY": DATA_KEY,
           "REGISTRY_SESSION_COOKIE_SECURE": "false"}
    for name in _rate_limit_settings():
        env[f"REGISTRY_{name}"] = RATE_LIMIT_OFF
    return env


def _rate_limit_settings() -> list[str]:
    """The per-key rate limit settings the app has (REGISTRY_RATE_LIMIT_SCREENING, …_SEARCH)."""
    from api.app import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "DATA_KEY": DATA_KEY})
    return sorted(k for k in app.config if k.startswith("RATE_LIMIT"))


def baseline(world: World, *, clients: int, seconds: float, workers: int) -> dict[str, Any]:
    """The minimal Flask endpoint, under the same clients, with the same screening bodies."""
    from benchmarks.http_load import gunicorn

    rngs = [random.Random(7000 + n) for n in range(clients)]  # noqa: S311 (a reproducible mix)

    def next_call(rng: random.Random) -> Call:
        return Call("minimal endpoint", "POST", "/api/v1/screenings", screening_body(world, rng, "LOAD-BASELINE"))

    with gunicorn("benchmarks.minimal_app:create_app()", workers=workers, env={}, ready_path="/readyz",
                  start_timeout=60) as server:
        tallies, took = run_clients(server.port, rngs, seconds, next_call, lambda *_: None, lambda _: 201)
    return figures(tallies, took)["minimal endpoint"]


def registry_run(world: World, database_url: str, *, clients: int, seconds: float, workers: int,
                 seed: int) -> tuple[dict[str, dict[str, Any]], str]:
    from benchmarks.http_load import gunicorn

    population = [Client(world, n, seed) for n in range(clients)]
    with gunicorn("wsgi:app", workers=workers, env=server_env(database_url), ready_path="/readyz",
                  start_timeout=120) as server:
        # each worker builds its name index on its first screening: not part of the figures
        warm = Client(world, clients + 1, seed)
        for _ in range(workers * 2):
            send(server.port, Call("warm-up", "POST", "/api/v1/screenings",
                                   screening_body(world, warm.rng, "LOAD-WARMUP"), world.screener_key))
        tallies, took = run_clients(server.port, population, seconds, Client.next_call, Client.answered,
                                    lambda call: EXPECTED.get(call.label, 200))
        log_tail = server.log_tail(20)
    return figures(tallies, took), log_tail


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (both servers)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="an empty database (default: BENCH_DATABASE_URL, else a temporary SQLite file)")
    parser.add_argument("--reset-database", action="store_true",
                        help="PostgreSQL: drop and recreate the public schema first")
    parser.add_argument("--entities", type=int, default=300, help="demo registry size (at least 20)")
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="how long the minimal endpoint is driven (default: as long as the registry, at most 20 s)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'registry.db'}"
        world = prepare(url, entities=args.entities, seed=args.seed, reset=args.reset_database, log=log)
        log(f"baseline: minimal endpoint, {args.clients} clients …")
        base = baseline(world, clients=args.clients, seconds=args.baseline_seconds or min(args.seconds, 20.0),
                        workers=args.workers)
        log(f"registry: {args.clients} clients for {args.seconds:.0f} s on {url.split('@')[-1]} …")
        rows, log_tail = registry_run(world, url, clients=args.clients, seconds=args.seconds,
                                      workers=args.workers, seed=args.seed)
    ratio = rows["total"]["per_second"] / base["per_second"] if base["per_second"] else 0.0
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"registry under mixed load: {args.clients} clients, {args.seconds:.0f} s, gunicorn {args.workers} "
          f"sync workers, {backend}, demo registry of {world.counts['entities']} entities "
          f"({os.cpu_count()} CPUs, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)")
    print(format_table(rows))
    print(f"baseline (minimal Flask endpoint, same clients and workers): {base['per_second']:.1f} req/s, "
          f"p50 {base['p50_ms']:.1f} ms, p99 {base['p99_ms']:.1f} ms, {base['errors']} errors")
    print(f"ratio: registry total req/s / minimal endpoint req/s = {ratio:.2f}x")
    errors = rows["total"]["errors"] + base["errors"]
    for label, row in rows.items():
        for sample in row["samples"] if label != "total" else []:
            print(f"  error on {label}: {sample}")
    if errors:
        print(f"{errors} requests erred; server log tail:\n{log_tail}")
    if args.json:
        args.json.write_text(json.dumps({"registry": rows, "baseline": base, "ratio": ratio}, indent=2,
                                        ensure_ascii=False))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
