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
import json
import os
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The world (`load_world`), the clients (`load_clients`) and the figures (`load_figures`) live in
# their own modules; their public names are re-exported here, where `benchmarks.pg_restart` and
# the tests find them.
from benchmarks.load_clients import (
    EXPECTED,
    MIX,
    REQUEST_TIMEOUT,
    Call,
    Client,
    Tally,
    run_clients,
    screening_body,
    send,
)
from benchmarks.load_figures import figures, format_table
from benchmarks.load_world import CITIES, DATA_KEY, FORMS, INDUSTRIES, Supervisor, World, prepare

__all__ = [
    "CITIES",
    "DATA_KEY",
    "EXPECTED",
    "FORMS",
    "INDUSTRIES",
    "MIX",
    "RATE_LIMIT_OFF",
    "REPO",
    "REQUEST_TIMEOUT",
    "Call",
    "Client",
    "Supervisor",
    "Tally",
    "World",
    "baseline",
    "figures",
    "format_table",
    "main",
    "prepare",
    "registry_run",
    "run_clients",
    "screening_body",
    "send",
    "server_env",
]

REPO = Path(__file__).resolve().parent.parent
# The registry is measured, not its per-key rate limits (api/ratelimit.py): every
# REGISTRY_RATE_LIMIT_* setting the app has is set to 0 (off) for the server under load, and a
# 429 that still comes is counted apart ("throttled"), not as an error.
RATE_LIMIT_OFF = "0"


def server_env(database_url: str) -> dict[str, str]:
    env = {
        "REGISTRY_DATABASE_URL": database_url,
        "REGISTRY_DATA_KEY": DATA_KEY,
        "REGISTRY_SESSION_COOKIE_SECURE": "false",
    }
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

    with gunicorn(
        "benchmarks.minimal_app:create_app()", workers=workers, env={}, ready_path="/readyz", start_timeout=60
    ) as server:
        tallies, took = run_clients(server.port, rngs, seconds, next_call, lambda *_: None, lambda _: 201)
    return figures(tallies, took)["minimal endpoint"]


def registry_run(
    world: World, database_url: str, *, clients: int, seconds: float, workers: int, seed: int
) -> tuple[dict[str, dict[str, Any]], str]:
    from benchmarks.http_load import gunicorn

    population = [Client(world, n, seed) for n in range(clients)]
    with gunicorn(
        "wsgi:app", workers=workers, env=server_env(database_url), ready_path="/readyz", start_timeout=120
    ) as server:
        # each worker builds its name index on its first screening: not part of the figures
        warm = Client(world, clients + 1, seed)
        for _ in range(workers * 2):
            send(
                server.port,
                Call(
                    "warm-up",
                    "POST",
                    "/api/v1/screenings",
                    screening_body(world, warm.rng, "LOAD-WARMUP"),
                    world.screener_key,
                ),
            )
        tallies, took = run_clients(
            server.port,
            population,
            seconds,
            Client.next_call,
            Client.answered,
            lambda call: EXPECTED.get(call.label, 200),
        )
        log_tail = server.log_tail(20)
    return figures(tallies, took), log_tail


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (both servers)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="an empty database (default: BENCH_DATABASE_URL, else a temporary SQLite file)",
    )
    parser.add_argument(
        "--reset-database", action="store_true", help="PostgreSQL: drop and recreate the public schema first"
    )
    parser.add_argument("--entities", type=int, default=300, help="demo registry size (at least 20)")
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        default=None,
        help="how long the minimal endpoint is driven (default: as long as the registry, at most 20 s)",
    )
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
        base = baseline(
            world, clients=args.clients, seconds=args.baseline_seconds or min(args.seconds, 20.0), workers=args.workers
        )
        log(f"registry: {args.clients} clients for {args.seconds:.0f} s on {url.split('@')[-1]} …")
        rows, log_tail = registry_run(
            world, url, clients=args.clients, seconds=args.seconds, workers=args.workers, seed=args.seed
        )
    ratio = rows["total"]["per_second"] / base["per_second"] if base["per_second"] else 0.0
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"registry under mixed load: {args.clients} clients, {args.seconds:.0f} s, gunicorn {args.workers} "
        f"sync workers, {backend}, demo registry of {world.counts['entities']} entities "
        f"({os.cpu_count()} CPUs, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)"
    )
    print(format_table(rows))
    print(
        f"baseline (minimal Flask endpoint, same clients and workers): {base['per_second']:.1f} req/s, "
        f"p50 {base['p50_ms']:.1f} ms, p99 {base['p99_ms']:.1f} ms, {base['errors']} errors"
    )
    print(f"ratio: registry total req/s / minimal endpoint req/s = {ratio:.2f}x")
    errors = rows["total"]["errors"] + base["errors"]
    for label, row in rows.items():
        for sample in row["samples"] if label != "total" else []:
            print(f"  error on {label}: {sample}")
    if errors:
        print(f"{errors} requests erred; server log tail:\n{log_tail}")
    if args.json:
        args.json.write_text(
            json.dumps({"registry": rows, "baseline": base, "ratio": ratio}, indent=2, ensure_ascii=False)
        )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
