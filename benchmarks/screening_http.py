"""The screening benchmark over HTTP: the generated registry loaded into a database and served
by gunicorn, driven the same way as a minimal Flask JSON endpoint (`run_http`)."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from benchmarks import dataset as ds

DATA_KEY = "benchmark-data-protection-key-not-secret"


def _subject(q: ds.LabelledQuery) -> dict[str, Any]:
    subject = {"name": q.query.name, "uscc": q.query.code, "role": "投标人"}
    return {k: v for k, v in subject.items() if v is not None}


def screening_bodies(data: ds.Dataset, subjects: int, count: int) -> list[dict[str, Any]]:
    """Screening requests of `subjects` subjects each, from the labelled queries with a name or code."""
    usable = [q for q in data.queries if (q.query.name or "").strip() or (q.query.code or "").strip()]
    bodies = []
    for i in range(count):
        chosen = [usable[(i * subjects + j) % len(usable)] for j in range(subjects)]
        bodies.append(
            {
                "domain": "procurement",
                "project_code": f"BENCH-{len(data.entities)}-{i:05d}",
                "stage": "资格审查",
                "subjects": [_subject(q) for q in chosen],
            }
        )
    return bodies


def run_http(data: ds.Dataset, args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    """Serve the registry and the minimal endpoint with gunicorn; drive both the same way."""
    from flask_migrate import upgrade

    from api.app import create_app
    from benchmarks import http_load
    from benchmarks.registry_load import load_registry
    from registry.database import db

    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        url = url or f"sqlite:///{tmp}/registry.db"
        backend = url.split(":", 1)[0]
        try:
            app = create_app({"DATABASE_URL": url, "DATA_KEY": DATA_KEY})
        except Exception as exc:  # reported as "not measured", with the reason
            return {"measured": False, "reason": f"the app does not start: {type(exc).__name__}: {exc}"}
        routes = {(r.rule, m) for r in app.url_map.iter_rules() for m in (r.methods or ())}
        if ("/api/v1/screenings", "POST") not in routes:
            return {"measured": False, "reason": "POST /api/v1/screenings is not in the app yet"}
        with app.app_context():
            import sqlalchemy as sa

            tables = sa.inspect(db.engine).get_table_names()
            if tables and backend != "sqlite":
                if not args.reset_database:
                    return {
                        "measured": False,
                        "reason": "BENCH_DATABASE_URL names a database that is not "
                        "empty; pass --reset-database to empty it",
                    }
                with db.engine.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                    conn.execute(sa.text("CREATE SCHEMA public"))
            upgrade()
        log(f"  http: loading {len(data.entities):,} listed entities into {backend}")
        load = load_registry(app, data)
        with app.app_context():
            db.engine.dispose()
        log(f"  http: loaded in {load.seconds:.1f} s")

        bodies = screening_bodies(data, args.http_subjects, min(args.http_requests, 1000))
        drive = {
            "count": args.http_requests,
            "concurrency": args.http_concurrency,
            "time_limit": args.http_time_limit,
            "warmup": 4 * args.http_workers,
        }
        log(f"  http: minimal Flask endpoint, {args.http_workers} gunicorn workers")
        with http_load.gunicorn(
            "benchmarks.minimal_app:create_app()",
            workers=args.http_workers,
            env={},
            ready_path="/readyz",
            start_timeout=120,
        ) as server:
            minimal = http_load.drive(server.port, "/api/v1/screenings", bodies, {}, **drive)
        log(f"  http: registry screening, {args.http_workers} gunicorn workers")
        # The benchmark drives one screener key flat out: the per-key limit would measure itself.
        env = {"REGISTRY_DATABASE_URL": url, "REGISTRY_DATA_KEY": DATA_KEY, "REGISTRY_RATE_LIMIT_SCREENING": "0"}
        with http_load.gunicorn(
            "wsgi:app", workers=args.http_workers, env=env, ready_path="/readyz", start_timeout=600
        ) as server:
            headers = {"Authorization": f"Bearer {load.screener_key}"}
            screening = http_load.drive(server.port, "/api/v1/screenings", bodies, headers, **drive)
            server_log = server.log_tail() if screening.ok < screening.requests else ""
    figures = {
        "backend": backend,
        "workers": args.http_workers,
        "load": {"seconds": load.seconds, "entities": load.entities, "method": load.method},
        "screening": asdict(screening),
        "minimal": asdict(minimal),
        "server_log": server_log,
    }
    if not screening.ok:  # an endpoint that only fails has no throughput to compare
        return {
            "measured": False,
            **figures,
            "reason": f"no screening request succeeded ({json.dumps(screening.statuses)}): "
            + (screening.errors[0] if screening.errors else "")[:200],
        }
    ratio = screening.per_second / minimal.per_second if minimal.per_second else None
    return {"measured": True, **figures, "ratio": ratio}


# --- targets and the table ------------------------------------------------------------------
