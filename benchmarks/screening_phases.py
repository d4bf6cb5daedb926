"""Where one screening request's time goes: POST /api/v1/screenings in process (Flask test client,
one thread, warm index and dossier cache), split into evaluating, storing, committing and the rest.

    .venv/bin/python -m benchmarks.screening_phases --subjects 1 --requests 600
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python -m benchmarks.screening_phases --subjects 20

The generated registry (benchmarks.dataset) is loaded into a temporary SQLite file, or into the
PostgreSQL database BENCH_DATABASE_URL names (its schema is dropped first). Each request is sent
twice: the first pass warms the index and the dossiers, the second is timed. The phases are timed
by wrapping the service functions the resource calls; "the rest" is everything else in the request
(Flask, authentication, parsing and validating the body, writing the answer).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

DATA_KEY = "benchmark-data-protection-key-not-secret"
SIGNING_KEY = "5e" * 32


def _timed(spent: dict[str, float], name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return wrapper


def _minimal_seconds(bodies: list[dict[str, Any]]) -> float:
    """The same requests to the minimal endpoint (benchmarks.minimal_app), timed the same way."""
    from benchmarks.minimal_app import create_app

    client = create_app().test_client()
    for body in bodies:
        client.post("/api/v1/screenings", json=body)
    started = time.perf_counter()
    for body in bodies:
        client.post("/api/v1/screenings", json=body)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from sqlalchemy.orm import Session

    import api.resources.screenings as resource
    from api.app import create_app
    from benchmarks import dataset as ds
    from benchmarks.registry_load import load_registry
    from benchmarks.screening_http import screening_bodies
    from registry.database import db

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=1, help="subjects per request (default 1)")
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-phases-") as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/registry.db"
        # One thread: each screening in its own request's transaction, so that storing and committing
        # are timed apart (a group commit of one would only add the hand-over to the writer thread).
        config = {"DATABASE_URL": url, "DATA_KEY": DATA_KEY, "SIGNING_KEY": SIGNING_KEY, "RATE_LIMIT_SCREENING": 0}
        app = create_app({**config, "GROUP_COMMIT": False})
        with app.app_context():
            if url.startswith("postgresql"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                    conn.execute(sa.text("CREATE SCHEMA public"))
            upgrade()
        data = ds.generate(args.entities, queries=1000, seed=2026)
        key = load_registry(app, data).screener_key
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}
        bodies = screening_bodies(data, args.subjects, args.requests)
        for body in bodies:  # warm: the index is built and the dossiers are cached
            client.post("/api/v1/screenings", json=body, headers=headers)
        spent: dict[str, float] = defaultdict(float)
        kept = (resource.service.evaluate_screening, resource.service.store_screening, Session.commit)
        resource.service.evaluate_screening = _timed(spent, "evaluate: match, dossiers, decide", kept[0])  # type: ignore[method-assign]
        resource.service.store_screening = _timed(spent, "store: canonical JSON, digest, id, INSERT", kept[1])  # type: ignore[method-assign]
        Session.commit = _timed(spent, "commit", kept[2])  # type: ignore[method-assign]
        try:
            started = time.perf_counter()
            for body in bodies:
                answer = client.post("/api/v1/screenings", json=body, headers=headers)
                if answer.status_code != 201:
                    raise SystemExit(f"screening answered {answer.status_code}: {answer.get_data(as_text=True)}")
            total = time.perf_counter() - started
        finally:
            resource.service.evaluate_screening, resource.service.store_screening, Session.commit = kept  # type: ignore[method-assign]
        backend = url.split(":", 1)[0].split("+")[0]
        count = len(bodies)
        baseline = _minimal_seconds(bodies)
        print(
            f"{backend}, {args.entities:,} listed entities, {args.subjects} subject(s) per request, {count} requests, "
            f"one thread: {total / count * 1000:.2f} ms per request ({count / total:,.0f} requests/s, "
            f"{count * args.subjects / total:,.0f} subjects/s)"
        )
        print(
            f"  baseline, the minimal Flask endpoint in the same process: {baseline / count * 1000:.2f} ms per request; "
            f"ratio registry / minimal requests/s = {baseline / total:.2f}x"
        )
        rest = total - sum(spent.values())
        for name, seconds in [*spent.items(), ("the rest: Flask, key, parse and validate, answer", rest)]:
            print(f"  {name:<52} {seconds / count * 1000:7.2f} ms  {seconds / total * 100:5.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
