"""Push benchmark: N outbox events pushed to the reference receiver over HTTP, with figures.

    python -m benchmarks.push --events 100000 [--batch-size 1000] [--json FILE]

What it does, in one run:

1. builds a registry database (temporary SQLite, or the empty PostgreSQL database named by
   BENCH_DATABASE_URL) and fills its outbox with N events: half entity creations, half penalties
   of those entities, from templates written through the registry services, bulk-inserted;
2. starts the reference receiver (`python -m tools.receiver`) as an HTTP server;
3. **baseline**: posts the same number of batches of pre-rendered records straight to the receiver
   (signed, one idempotency key each): what HTTP and the receiver cost without the push;
4. **push**: runs `flask --app wsgi sync push` in its own process until the cursor reaches the head,
   and reads that process's peak RSS from the kernel (wait4);
5. checks the receiver holds every penalty exactly once, in order, and prints events/s for both, their
   ratio, and the push's memory beside an idle `flask sync status` process (the interpreter and app
   alone), so a flat-memory push shows about the same peak at 10k and 100k events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-receiver-secret"  # noqa: S105 (a throw-away receiver on 127.0.0.1)


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build_database(url: str, events: int) -> tuple[int, dict[str, Any]]:
    """Fill the outbox with `events` events; returns the head sequence and a penalty record template."""
    from flask_migrate import upgrade

    from api.app import create_app
    from registry.database import db
    from registry.models import ChangeEvent, LedgerCounter
    from tests import factories

    app = create_app({"DATABASE_URL": url, "DATA_KEY": "benchmark-data-key"})
    with app.app_context():
        upgrade()
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        entity = factories.make_entity(db.session, "杭州推送基准建设工程有限公司")
        penalty = factories.make_penalty(db.session, finance, entity)
        db.session.commit()
        templates = {row.record_type: row.payload for row in db.session.scalars(sa.select(ChangeEvent))}
        head = int(db.session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)
        entity_tpl, penalty_tpl = templates["entity"], templates["penalty"]
        now = dt.datetime.now(dt.UTC)
        rows: list[dict[str, Any]] = []
        seq, next_entity, next_penalty = head, entity.id + 1, penalty.id + 1
        started = time.perf_counter()
        while seq < head + events:
            name = f"杭州基准{next_entity:07d}建设工程有限公司"
            seq += 1
            rows.append(
                {
                    "seq": seq,
                    "occurred_at": now,
                    "record_type": "entity",
                    "record_id": next_entity,
                    "record_version": 1,
                    "operation": "create",
                    "authority_id": None,
                    "payload": {
                        **entity_tpl,
                        "id": next_entity,
                        "name": name,
                        "uscc": None,
                        "names": [{"name": name, "kind": "current", "valid_from": None, "valid_to": None}],
                    },
                }
            )
            if seq < head + events:
                seq += 1
                rows.append(
                    {
                        "seq": seq,
                        "occurred_at": now,
                        "record_type": "penalty",
                        "record_id": next_penalty,
                        "record_version": 1,
                        "operation": "create",
                        "authority_id": finance.id,
                        "payload": {
                            **penalty_tpl,
                            "id": next_penalty,
                            "entity_id": next_entity,
                            "subject_name": name,
                            "subject_uscc": None,
                            "decision_number": f"浙财采罚〔2026〕{next_penalty}号",
                        },
                    }
                )
                next_penalty += 1
            next_entity += 1
            if len(rows) >= 10_000:
                db.session.execute(sa.insert(ChangeEvent), rows)
                rows.clear()
        if rows:
            db.session.execute(sa.insert(ChangeEvent), rows)
        db.session.execute(sa.update(LedgerCounter).where(LedgerCounter.name == "outbox").values(value=seq))
        db.session.commit()
        _log(f"  outbox: {events:,} events inserted in {time.perf_counter() - started:.1f} s (head {seq:,})")
        db.engine.dispose()
    return seq, penalty_tpl


def start_receiver(db_path: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [
            sys.executable,
            "-m",
            "tools.receiver",
            "--port",
            "0",
            "--db",
            str(db_path),
            "--secret",
            f"bench={SECRET}",
            "--secret",
            f"baseline={SECRET}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"the receiver did not start: {line!r}")
    return process, line.split("listening on", 1)[1].strip()


def run_baseline(url: str, events: int, batch_size: int, template: dict[str, Any]) -> float:
    """Events/s posting pre-rendered batches straight to the receiver (no database, no rendering)."""
    from sync.protocol import signature

    records = [{**template, "seq": 0} for _ in range(batch_size)]
    started = time.perf_counter()
    with httpx.Client(timeout=60) as client:
        for first in range(1, events + 1, batch_size):
            last = min(first + batch_size - 1, events)
            for offset, record in enumerate(records[: last - first + 1]):
                record["seq"] = first + offset
            body = json.dumps(
                {
                    "target": "baseline",
                    "first_seq": first,
                    "last_seq": last,
                    "format": "json",
                    "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                    "records": records[: last - first + 1],
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            stamp = str(int(time.time()))
            answer = client.post(
                f"{url}/receive",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"baseline:{first}-{last}",
                    "X-Registry-Timestamp": stamp,
                    "X-Registry-Signature": signature(SECRET, stamp, body),
                },
            )
            answer.raise_for_status()
    return events / (time.perf_counter() - started)


def run_flask(database_url: str, targets: Path, *args: str) -> tuple[float, int, str]:
    """Run `flask --app wsgi …` in a child; returns seconds, the child's peak RSS in bytes, and its output."""
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": database_url,
        "REGISTRY_SYNC_TARGETS": str(targets),
        "REGISTRY_DATA_KEY": "benchmark-data-key",
    }
    out = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (read after the child ends, then closed)
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own module, the arguments given)
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read()
    out.close()
    if process.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} exited {process.returncode}: {text[-2000:]}")
    return seconds, usage.ru_maxrss * 1024, text


def check_received(db_path: Path, target: str) -> tuple[int, int, bool]:
    with sqlite3.connect(db_path) as conn:
        seqs = [row[0] for row in conn.execute("SELECT seq FROM records WHERE target = ? ORDER BY id", (target,))]
    return len(seqs), len(set(seqs)), seqs == sorted(seqs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.push", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="outbox events to push (default 100,000)")
    parser.add_argument("--batch-size", type=int, default=1000, help="events per POST (1 to 5,000)")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.events < 2 or not 1 <= args.batch_size <= 5000:
        parser.error("--events must be at least 2 and --batch-size 1 to 5,000")

    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'registry.db'}"
        _log(
            f"push benchmark: {args.events:,} events, batches of {args.batch_size:,}, "
            f"{sa.make_url(database_url).get_backend_name()}"
        )
        head, template = build_database(database_url, args.events)
        receiver, url = start_receiver(tmp / "receiver.db")
        try:
            targets = tmp / "targets.toml"
            targets.write_text(
                f'[targets.bench]\nurl = "{url}/receive"\nsecret = "{SECRET}"\n'
                f"batch_size = {args.batch_size}\ntimeout_seconds = 120\n",
                encoding="utf-8",
            )
            targets.chmod(0o600)
            _log("  baseline: posting pre-rendered batches")
            baseline_rate = run_baseline(url, head, args.batch_size, template)
            _log("  idle process: flask sync status")
            _, idle_rss, _ = run_flask(database_url, targets, "sync", "status")
            _log("  push: flask sync push bench")
            seconds, push_rss, output = run_flask(database_url, targets, "sync", "push", "bench")
        finally:
            receiver.terminate()
            receiver.wait(timeout=30)
            if receiver.stdout:
                receiver.stdout.close()
        received, distinct, ordered = check_received(tmp / "receiver.db", "bench")
    penalties = args.events // 2
    push_rate = head / seconds
    figures = {
        "events": head,
        "batch_size": args.batch_size,
        "backend": sa.make_url(database_url).get_backend_name(),
        "push_seconds": round(seconds, 2),
        "push_events_per_second": round(push_rate, 1),
        "baseline_events_per_second": round(baseline_rate, 1),
        "ratio": round(push_rate / baseline_rate, 3),
        "push_peak_rss_mb": round(push_rss / 2**20, 1),
        "idle_peak_rss_mb": round(idle_rss / 2**20, 1),
        "records_received": received,
        "distinct": distinct,
        "in_order": ordered,
        "penalties_expected": penalties,
        "push_output": output.strip().splitlines()[-1] if output.strip() else "",
    }
    ok = received == distinct >= penalties and ordered
    print(
        f"push benchmark · {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} · {figures['backend']} · "
        f"{os.cpu_count()} CPUs"
    )
    print(f"   events pushed                      {head:,} in {seconds:.1f} s (batches of {args.batch_size:,})")
    print(f"   push, events/s                     {push_rate:,.0f}")
    print(f"   baseline (receiver alone), events/s {baseline_rate:,.0f}")
    print(f"   ratio push / baseline              {push_rate / baseline_rate:.2f}×")
    print(
        f"   push process peak RSS              {push_rss / 2**20:,.0f} MB "
        f"(an idle `flask sync status`: {idle_rss / 2**20:,.0f} MB)"
    )
    print(
        f"   receiver holds                     {received:,} records, {distinct:,} distinct, "
        f"{'in order' if ordered else 'OUT OF ORDER'}: {'OK' if ok else 'MISMATCH'}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
