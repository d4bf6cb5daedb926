"""From a change's commit to the alert at the agency's receiver (issue 19): the watch benchmark.

    .venv/bin/python -m benchmarks.watch                                   # 1,000,000 listed, 100,000 watched
    .venv/bin/python -m benchmarks.watch --listed 20000 --watched 2000     # a quick run
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python -m benchmarks.watch --reset-database

What it does: loads the listed entities and the agency's watched bidders (`watch_world`), states
the memory and build time of the watch index over them, starts `flask sync run` as it is deployed
(a subprocess, default schedules: the checker every REGISTRY_WATCH_SECONDS = 1 s, an alerts target
every 5 s) with two targets on one stand-in receiver served over HTTP: the agency's alerts and,
as the same-run baseline, the platform on the same 5 s schedule. Then it lists watched bidders one
at a time through the registry's services (a new entity and its black-list entry, committed), each
with an unrelated company listed beside it, and times each from the commit to the alert's arrival
at the receiver, and to the list entry's arrival at the platform's target (the baseline: the push
alone, without matching or re-screening). Prints p50/p95/p99 and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from benchmarks.dataset import generate
from benchmarks.http_load import free_port
from benchmarks.registry_load import DOMAINS, LIST_NAME, load_registry
from benchmarks.screening_http import DATA_KEY
from benchmarks.watch_world import AGENCY, load_watches

SECRETS = {"agency": "benchmark-agency-alert-secret", "platform": "benchmark-platform-secret-1"}
TARGET_P99_SECONDS = 10.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _index_memory(app: Any) -> dict[str, float]:
    """The watch index over every watch, built in this process: its time and the memory its
    structures hold (tracemalloc: Python objects and numpy arrays alike)."""
    import tracemalloc

    from registry.database import db
    from registry.monitoring.watch_index import WatchIndex

    tracemalloc.start()
    with app.app_context():
        session = db.session()
        session.execute(db.text("SELECT 1"))  # the connection's own memory is not the index's
        base, started = tracemalloc.get_traced_memory()[0], time.perf_counter()
        index = WatchIndex()
        index.refresh(session)
        seconds = time.perf_counter() - started
        db.session.remove()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return {"build_seconds": seconds, "mb": held / 2**20, "subjects": len(index)}


def _targets_file(folder: Path, port: int) -> Path:
    path = folder / "targets.toml"
    path.write_text(
        f'[targets.agency]\nurl = "http://127.0.0.1:{port}/receive"\nsecret_env = "BENCH_AGENCY_SECRET"\n'
        f'stream = "alerts"\nagency = "{AGENCY}"\n\n'
        f'[targets.platform]\nurl = "http://127.0.0.1:{port}/receive"\nsecret_env = "BENCH_PLATFORM_SECRET"\n'
        'schedule = "every 5s"\nheartbeat_seconds = 0\n',
        encoding="utf-8",
    )
    return path


def _arrivals(receiver_db: Path) -> dict[tuple[str, str], float]:
    """(target, company name) → when the receiver stored the record (epoch seconds)."""
    found: dict[tuple[str, str], float] = {}
    with sqlite3.connect(receiver_db) as conn:
        for target, record_json, received_at in conn.execute("SELECT target, record_json, received_at FROM records"):
            record = json.loads(record_json)
            name = (record.get("subject") or {}).get("name") if target == "agency" else record.get("subject_name")
            if name and (target, name) not in found:
                found[(target, name)] = dt.datetime.fromisoformat(received_at).timestamp()
    return found


class Lister:
    """Lists a company on the black list through the registry's services, committed."""

    def __init__(self, app: Any) -> None:
        from registry.database import db
        from registry.ledger import Actor

        self.app = app
        with app.app_context():
            from registry.models import Authority

            authority = db.session.scalars(db.select(Authority).order_by(Authority.id)).first()
            assert authority is not None  # noqa: S101 (load_registry made it)
            self.supervisor = Actor(key_id=None, name="benchmark", role="supervisor", authority_id=authority.id)
            db.session.remove()

    def list(self, name: str, code: str) -> float:
        from registry.database import db, write_intent
        from registry.ledger import OPERATOR
        from registry.records.entities import create_entity
        from registry.records.list_entries import create_list_entry
        from registry.runtime import current_rules

        with self.app.app_context():
            runtime = self.app.extensions["registry"]
            session = db.session()
            write_intent.set(True)
            today = runtime.clock.today()
            entity = create_entity(
                session, {"kind": "legal_entity", "name": name, "uscc": code}, OPERATOR, runtime.vault
            )
            data = {
                "entity_id": entity.id,
                "list_type": "black",
                "list_name": LIST_NAME,
                "domains": DOMAINS,
                "decision_number": f"浙财采决〔{today.year}〕B{entity.id}号",
                "reason_category": "提供虚假材料谋取中标、成交",
                "facts": "提供虚假业绩证明材料",
                "legal_basis": "《中华人民共和国政府采购法》第七十七条",
                "listed_on": today,
                "expires_on": today + dt.timedelta(days=730),
            }
            create_list_entry(session, data, self.supervisor, today, rules=current_rules(session))
            session.commit()
            committed = time.time()
            db.session.remove()
        return committed


def _wait_for(receiver_db: Path, keys: list[tuple[str, str]], timeout: float) -> dict[tuple[str, str], float]:
    deadline = time.time() + timeout
    while True:
        got = _arrivals(receiver_db)
        if all(k in got for k in keys) or time.time() > deadline:
            return got
        time.sleep(0.2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import logging

    from flask_migrate import upgrade

    from api.app import create_app
    from tools.receiver import create_receiver

    log = print
    total = args.listed + args.watched + 2 * (args.changes + 1)
    log(f"generating {total:,} companies (seed {args.seed})")
    entities = generate(total, 0, seed=args.seed).entities
    listed, watched = entities[: args.listed], entities[args.listed : args.listed + args.watched]
    others = entities[args.listed + args.watched :]
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder}/registry.db"
        app = create_app({"DATABASE_URL": url, "DATA_KEY": DATA_KEY})
        with app.app_context():
            if args.reset_database and url.startswith("postgresql"):
                from registry.database import db

                with db.engine.begin() as conn:
                    conn.execute(db.text("DROP SCHEMA public CASCADE"))
                    conn.execute(db.text("CREATE SCHEMA public"))
            upgrade()

        log(f"loading {len(listed):,} listed entities")
        load = load_registry(app, _Entities(listed))
        log(f"  loaded in {load.seconds:.1f} s; watching {len(watched):,} bidders")
        world = load_watches(app, watched)
        memory = _index_memory(app)
        log(f"  watch index: {memory['subjects']:,} subjects, {memory['mb']:.1f} MB, {memory['build_seconds']:.1f} s")

        receiver_db = folder / "receiver.db"
        receiver = create_receiver(str(receiver_db), SECRETS)
        port = free_port()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per POST would drown the figures
        server = make_server("127.0.0.1", port, receiver, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = {
            **os.environ,
            "REGISTRY_DATABASE_URL": url,
            "REGISTRY_DATA_KEY": DATA_KEY,
            "REGISTRY_SYNC_TARGETS": str(_targets_file(folder, port)),
            "BENCH_AGENCY_SECRET": SECRETS["agency"],
            "BENCH_PLATFORM_SECRET": SECRETS["platform"],
        }
        scheduler_log = (folder / "scheduler.log").open("w")  # noqa: SIM115 (closed when the scheduler stops)
        flask = str(Path(sys.executable).with_name("flask"))
        scheduler = subprocess.Popen(  # noqa: S603 (our own command line)
            [flask, "--app", "wsgi", "sync", "run"], env=env, stdout=scheduler_log, stderr=subprocess.STDOUT
        )
        lister = Lister(app)
        try:
            # Warm-up: the scheduler builds its name index and catches up; the first alert says it is ready.
            started = time.time()
            first = watched[0]
            lister.list(first.name, first.code)
            ready = _wait_for(receiver_db, [("agency", first.name)], args.ready_timeout)
            if ("agency", first.name) not in ready:
                raise SystemExit(f"no alert within {args.ready_timeout:.0f} s; see {folder}/scheduler.log")
            log(f"  scheduler ready: first alert {time.time() - started:.1f} s after its commit")
            commits: dict[str, float] = {}
            for i in range(1, args.changes + 1):
                bidder, other = watched[i], others[i]
                commits[bidder.name] = lister.list(bidder.name, bidder.code)
                commits[other.name] = lister.list(other.name, other.code)  # noise: no alert
                time.sleep(args.spacing)
            keys = [(t, n) for n in commits for t in ("platform",)] + [
                ("agency", watched[i].name) for i in range(1, args.changes + 1)
            ]
            got = _wait_for(receiver_db, keys, 120)
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=30)
            scheduler_log.close()
            server.shutdown()
            log_tail = (folder / "scheduler.log").read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
    alert_latency = [
        got[("agency", watched[i].name)] - commits[watched[i].name]
        for i in range(1, args.changes + 1)
        if ("agency", watched[i].name) in got
    ]
    push_latency = [got[("platform", n)] - t for n, t in commits.items() if ("platform", n) in got]
    false_alerts = [n for n in commits if ("agency", n) in got and n not in {w.name for w in watched}]
    figures = {
        "listed": len(listed),
        "watched": len(watched),
        "changes": args.changes,
        "alerts_received": len(alert_latency),
        "false_alerts": len(false_alerts),
        "alert_seconds": _summary(alert_latency),
        "baseline_push_seconds": _summary(push_latency),
        "watch_index": memory,
        "load_seconds": load.seconds,
        "watch_load_seconds": world.seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "database": url.split(":", 1)[0],
        "scheduler_log_tail": log_tail,
    }
    return figures


class _Entities:
    """What load_registry reads of a dataset: its entities."""

    def __init__(self, entities: list[Any]) -> None:
        self.entities = entities


def _summary(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {
        "count": len(values),
        "p50": _percentile(values, 0.5),
        "p95": _percentile(values, 0.95),
        "p99": _percentile(values, 0.99),
        "max": max(values),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.watch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--listed", type=int, default=1_000_000, help="listed entities (default 1,000,000)")
    parser.add_argument("--watched", type=int, default=100_000, help="watched bidders (default 100,000)")
    parser.add_argument("--changes", type=int, default=40, help="watched bidders listed and timed (default 40)")
    parser.add_argument("--spacing", type=float, default=1.5, help="seconds between two changes (default 1.5)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--ready-timeout", type=float, default=1800, help="seconds to wait for the scheduler")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--reset-database", action="store_true", help="empty the PostgreSQL database first")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args)
    alert, base = figures["alert_seconds"], figures["baseline_push_seconds"]
    print(f"\nwatch benchmark: {figures['listed']:,} listed, {figures['watched']:,} watched, {figures['database']}")
    print(
        f"  alerts received {figures['alerts_received']}/{figures['changes']}, false alerts {figures['false_alerts']}"
    )
    for label, row in (("commit → alert at the agency", alert), ("commit → record at the platform (baseline)", base)):
        if row["count"]:
            print(
                f"  {label}: p50 {row['p50']:.2f} s, p95 {row['p95']:.2f} s, p99 {row['p99']:.2f} s, max {row['max']:.2f} s"
            )
    if alert["count"] and base["count"]:
        print(
            f"  ratio p99 alert / p99 baseline: {alert['p99'] / base['p99']:.2f}×; target p99 ≤ {TARGET_P99_SECONDS:.0f} s: "
            f"{'met' if alert['p99'] <= TARGET_P99_SECONDS else 'NOT met'}"
        )
    if alert["count"] < figures["changes"] or base["count"] < 2 * figures["changes"]:
        print("  something did not arrive; the scheduler's last lines:")
        for line in figures["scheduler_log_tail"]:
            print(f"    {line}")
    index = figures["watch_index"]
    print(
        f"  watch index: {index['subjects']:,} subjects, {index['mb']:.1f} MB held, built in {index['build_seconds']:.1f} s"
    )
    print(f"  benchmark process peak RSS {figures['peak_rss_mb']:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if alert["count"] == figures["changes"] and not figures["false_alerts"] else 1


if __name__ == "__main__":
    sys.exit(main())
