"""Writes against gunicorn while PostgreSQL really restarts: what the clients see, and for how long.

    python -m benchmarks.pg_restart --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB [--reset-database]

It loads the demo registry (as `benchmarks.load` does), starts gunicorn serving `wsgi:app`, lets
`--writers` threads record penalties (POST /api/v1/penalties, each with an Idempotency-Key) for
`--before` seconds, then runs `pg_ctlcluster --skip-systemctl-redirect <version> <cluster> restart`
and keeps writing until `--after` seconds after the first success that follows. A probe thread
connects to PostgreSQL directly every 50 ms to time the outage as a plain client sees it.

It prints the answers by status, the outage (first failed probe to first good one), how long the
restart command took, the time from the restart to the first 201, the slowest answer, and checks
that no record is partial: every 503 is retried with its Idempotency-Key (a write that committed
although its client saw the 503 is replayed, not made twice), then the penalties stored must be
exactly those sent, each with one audit row and one outbox event, and the audit chain whole.
Exit status 1 on any answer other than 201 or 503 (with Retry-After), a connection error, or a
partial record. The cluster is always left running (started again if the restart left it down).

Run it only where restarting the cluster is acceptable (it serves every database in it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import Call, World, prepare, send, server_env

REQUEST_TIMEOUT = 30.0


@dataclass
class Answer:
    call: Call
    key: str
    started: float
    seconds: float
    status: int  # 0: no HTTP answer
    retry_after: str | None
    detail: str


def _cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql"))
    if not versions:
        raise SystemExit("no PostgreSQL cluster under /etc/postgresql")
    return versions[-1], "main"


def _pg_ctl(version: str, cluster: str, action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _cluster_online(version: str, cluster: str) -> bool:
    listed = subprocess.run(  # noqa: S603
        ["pg_lsclusters", "--no-header", version, cluster],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return "online" in listed.stdout


class Probe(threading.Thread):
    """Connects to PostgreSQL directly every 50 ms: when connections failed, and when they came back."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        import sqlalchemy as sa

        self.dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.first_failure: float | None = None
        self.back: float | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        while not self.stop.is_set():
            try:
                with psycopg.connect(self.dsn, connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                if self.first_failure is not None and self.back is None:
                    self.back = time.monotonic()
            except psycopg.Error:
                if self.first_failure is None:
                    self.first_failure = time.monotonic()
            time.sleep(0.05)


def _write(port: int, world: World, rng: random.Random, number: int, writer: int) -> Answer:
    sup = rng.choice([s for s in world.supervisors if s.penalty_template])
    assert sup.penalty_template is not None  # noqa: S101
    body = {
        **sup.penalty_template,
        "decision_number": f"重启压测〔2026〕{writer}-{number}号",
        "entity_id": rng.choice(world.entity_ids),
    }
    key = f"restart-{writer}-{number}"
    return _send(
        port, Call("penalty create", "POST", "/api/v1/penalties", body, sup.key, {"Idempotency-Key": key}), key
    )


def _send(port: int, call: Call, key: str) -> Answer:
    began = time.monotonic()
    try:
        status, headers, raw = send(port, call, timeout=REQUEST_TIMEOUT)
        detail = raw[:200].decode(errors="replace")
        retry_after = headers.get("retry-after")
    except OSError as exc:
        status, detail, retry_after = 0, f"{type(exc).__name__}: {exc}", None
    return Answer(call, key, began, time.monotonic() - began, status, retry_after, detail)


def _clean(answer: Answer) -> bool:
    if answer.status == 201:
        return True
    if answer.status != 503 or not (answer.retry_after or "").isdigit():
        return False
    try:
        body = json.loads(answer.detail)
    except ValueError:
        return False
    return body.get("code") == 503 and bool(body.get("message"))


def _check_records(url: str, sent: list[Answer]) -> list[str]:
    import sqlalchemy as sa

    from api.app import create_app
    from benchmarks.load import DATA_KEY
    from registry.database import db
    from registry.ledger import verify_audit_chain
    from registry.models import AuditLog, ChangeEvent, Penalty

    problems = []
    app = create_app({"DATABASE_URL": url, "DATA_KEY": DATA_KEY})
    numbers = {a.call.body["decision_number"] for a in sent if a.call.body}
    with app.app_context():
        session = db.session
        stored = dict(
            session.execute(
                sa.select(Penalty.decision_number, Penalty.id).where(Penalty.decision_number.like("重启压测%"))
            ).all()
        )
        if set(stored) != numbers:
            problems.append(
                f"{len(numbers - set(stored))} sent penalties missing, {len(set(stored) - numbers)} unexpected"
            )
        ids = list(stored.values())
        audits = Counter(
            session.scalars(
                sa.select(AuditLog.record_id).where(AuditLog.record_type == "penalty", AuditLog.record_id.in_(ids))
            )
        )
        events = Counter(
            session.scalars(
                sa.select(ChangeEvent.record_id).where(
                    ChangeEvent.record_type == "penalty", ChangeEvent.record_id.in_(ids)
                )
            )
        )
        partial = [i for i in ids if audits[i] != 1 or events[i] != 1]
        if partial:
            problems.append(f"{len(partial)} penalties without exactly one audit row and one event")
        chain = verify_audit_chain(session)
        if not chain.ok:
            problems.append(f"audit chain broken at {chain.broken_seq}: {chain.problem}")
        db.engine.dispose()
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pg_restart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), required=False)
    parser.add_argument("--reset-database", action="store_true")
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=float, default=3.0, help="seconds of writes before the restart")
    parser.add_argument("--after", type=float, default=3.0, help="seconds of writes after the first success")
    parser.add_argument("--cluster", help="VERSION/NAME (default: the newest under /etc/postgresql, main)")
    parser.add_argument("--no-restart", action="store_true", help="everything but the restart (a dry run)")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("name a PostgreSQL database with --database-url or BENCH_DATABASE_URL")
    version, cluster = args.cluster.split("/") if args.cluster else _cluster()

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    from benchmarks.http_load import gunicorn

    world = prepare(args.database_url, entities=20, seed=2026, reset=args.reset_database, log=log)
    sent: list[Answer] = []
    lock = threading.Lock()
    stop = threading.Event()
    marks: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-pg-restart-"),
        gunicorn(
            "wsgi:app", workers=args.workers, env=server_env(args.database_url), ready_path="/readyz", start_timeout=120
        ) as server,
    ):

        def writer(w: int) -> None:
            rng = random.Random(w)  # noqa: S311 (a reproducible mix, not a secret)
            n = 0
            while not stop.is_set():
                answer = _write(server.port, world, rng, n, w)
                n += 1
                with lock:
                    sent.append(answer)
                if answer.status != 201:
                    time.sleep(0.05)

        probe = Probe(args.database_url)
        probe.start()
        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(args.writers)]
        for t in threads:
            t.start()
        try:
            time.sleep(args.before)
            log(f"restarting PostgreSQL {version}/{cluster} …")
            marks["restart"] = time.monotonic()
            restarted = (
                subprocess.CompletedProcess([], 0, "", "") if args.no_restart else _pg_ctl(version, cluster, "restart")
            )
            marks["restarted"] = time.monotonic()
            if restarted.returncode != 0:
                log(f"pg_ctlcluster restart failed ({restarted.returncode}): {restarted.stderr.strip()}")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with lock:
                    first = next((a for a in sent if a.status == 201 and a.started >= marks["restart"]), None)
                if first is not None:
                    marks["first_success"] = first.started + first.seconds
                    break
                time.sleep(0.05)
            time.sleep(args.after)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=REQUEST_TIMEOUT + 5)
            probe.stop.set()
            if not _cluster_online(version, cluster):
                log("the cluster is not online after the restart: starting it")
                _pg_ctl(version, cluster, "start")
        retries = [_send(server.port, a.call, a.key) for a in sent if a.status == 503]

    statuses = Counter(str(a.status) if a.status else a.detail.split(":")[0] for a in sent)
    unclean = [a for a in sent if not _clean(a)]
    failed_retries = [r for r in retries if r.status != 201]
    replayed = sum(1 for r in retries if r.status == 201)
    problems = _check_records(args.database_url, sent)
    restart_at = marks["restart"]
    print(
        f"PostgreSQL {version}/{cluster} restarted under {args.writers} writers, gunicorn {args.workers} sync workers"
    )
    print(f"answers by status: {dict(sorted(statuses.items()))} ({len(sent)} requests)")
    print(
        f"restart command took {marks['restarted'] - restart_at:.2f} s"
        + ("" if restarted.returncode == 0 else f" and failed: {restarted.stderr.strip()}")
    )
    if probe.first_failure is not None and probe.back is not None:
        print(
            f"outage seen by a direct client: {probe.back - probe.first_failure:.2f} s "
            f"(first failed connection {probe.first_failure - restart_at:+.2f} s after the restart began)"
        )
    else:
        print("outage seen by a direct client: none observed")
    if "first_success" in marks:
        print(
            f"first 201 after the restart began: {marks['first_success'] - restart_at:.2f} s "
            f"({marks['first_success'] - marks['restarted']:.2f} s after the restart command returned"
            + (
                f", {marks['first_success'] - probe.back:.2f} s after PostgreSQL accepted connections again"
                if probe.back
                else ""
            )
            + ")"
        )
    else:
        print("no 201 after the restart within 120 s")
        problems.append("the server did not serve writes again")
    print(
        f"slowest answer: {max(a.seconds for a in sent):.2f} s; 503s retried with their Idempotency-Key: "
        f"{replayed} of {len(retries)} answered 201"
    )
    for a in unclean[:5]:
        print(f"  unclean answer: {a.status} {a.detail}")
    problems += [f"{len(unclean)} answers neither 201 nor a clean 503"] if unclean else []
    problems += [f"{len(failed_retries)} retries failed"] if failed_retries else []
    print(
        "records: "
        + (
            "complete (each with one audit row and one outbox event; audit chain whole)"
            if not problems
            else "; ".join(problems)
        )
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
