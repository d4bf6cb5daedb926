"""Snapshot exports at size: rows per second and memory, to show that memory stays flat.

    python -m benchmarks.exports --rows 100000
    python -m benchmarks.exports --rows 1000000 --formats csv,jsonl

Fills a temporary SQLite database (built by the migrations) with N penalties: one entity and one
penalty through the services, the rest bulk-inserted with SQLAlchemy Core from that template,
each with its outbox event (the export reads the outbox), an entity per `--per-entity`
penalties, and every fifth entity renamed once (so subjects are read as they stood at the
event). Then streams `penalties` in each format to /dev/null through `sync.exports.write_export`
and prints rows/s and the growth of the resident set while streaming: current RSS sampled every
10 ms, its peak minus the RSS before the export. A flat figure for 100k and for 1M rows is the
point. The bytes produced are counted and reported (the XLSX is first written to a temporary
file, which is on disk, not in memory).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade

from api.app import create_app
from registry.codes import uscc
from registry.database import db, utcnow
from registry.ledger import OPERATOR, Actor
from registry.models import ChangeEvent, Entity, EntityName, LedgerCounter, Penalty
from registry.records.authorities import create_authority
from registry.records.entities import create_entity
from registry.records.penalties import record_penalty
from registry.runtime import current_rules
from sync.exports import FORMATS, write_export
from sync.national import DataSource

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """The resident set now (Linux /proc; elsewhere the peak so far, which is what there is)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


class CountingSink:
    """Where the export goes: /dev/null, counting the bytes."""

    def __init__(self) -> None:
        self.bytes = 0
        self._null = open(os.devnull, "wb")  # noqa: SIM115 (closed by close())

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return self._null.write(data)

    def close(self) -> None:
        self._null.close()


class PeakSampler:
    """Samples the resident set in a thread while a block runs; `growth` is peak minus start."""

    def __init__(self, every: float = 0.01) -> None:
        self.every = every
        self.start = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            self._stop.wait(self.every)

    def __enter__(self) -> PeakSampler:
        self.start = self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.start


def fill(rows: int, per_entity: int, *, batch: int = 5000, log: Any = print) -> None:
    """Put `rows` penalties (and their entities, renames and outbox events) in the app's database."""
    session = db.session
    started = time.perf_counter()
    today = dt.date(2026, 11, 23)
    authority = create_authority(
        session,
        {
            "name": "浙江省财政厅",
            "uscc": uscc.complete("11330000002481253"),
            "region_code": "330000",
            "domains": ["procurement"],
        },
        OPERATOR,
    )
    supervisor = Actor(key_id=None, name="benchmark loader", role="supervisor", authority_id=authority.id)
    runtime = current_app.extensions["registry"]
    entity = create_entity(
        session,
        {"kind": "legal_entity", "name": "杭州基准建设工程有限公司", "uscc": uscc.complete("91330106000000001")},
        OPERATOR,
        runtime.vault,
    )
    penalty = record_penalty(
        session,
        {
            "entity_id": entity.id,
            "decision_number": "浙财采罚〔2026〕1号",
            "violation_type": "提供虚假材料谋取中标",
            "facts": "在某政府采购项目中提供虚假业绩证明材料，情节较重，" * 3,
            "basis": "《中华人民共和国政府采购法》第七十七条",
            "categories": ["罚款"],
            "content": "罚款人民币五千元",
            "fine_amount": Decimal("0.5"),
            "decided_on": dt.date(2026, 11, 2),
            "severity": "general",
            "domain": "procurement",
        },
        supervisor,
        today,
        rules=current_rules(session),
    )
    session.commit()

    entity_template = entity.snapshot()
    penalty_template = penalty.snapshot()
    penalty_row = dict(session.execute(sa.select(Penalty.__table__).where(Penalty.id == penalty.id)).mappings().one())
    seq = int(session.scalar(sa.select(LedgerCounter.value).where(LedgerCounter.name == "outbox")) or 0)
    entity_id, penalty_id = entity.id, penalty.id
    entity_name, entity_code = entity_template["name"], entity_template["uscc"]
    written = 1
    while written < rows:
        now = utcnow()
        entities, names, penalties, events = [], [], [], []
        for _ in range(min(batch, rows - written)):
            if written % per_entity == 0:
                entity_id += 1
                entity_name = f"杭州基准{entity_id}建设工程有限公司"
                code = entity_code = uscc.complete(f"91330106{entity_id:09d}")
                entities.append(
                    {
                        "id": entity_id,
                        "kind": "legal_entity",
                        "name": entity_name,
                        "uscc": code,
                        "region_code": "330106",
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
                names.append(
                    {
                        "entity_id": entity_id,
                        "name": entity_name,
                        "kind": "current",
                        "valid_from": None,
                        "valid_to": None,
                    }
                )
                snapshot = {
                    **entity_template,
                    "id": entity_id,
                    "name": entity_name,
                    "uscc": code,
                    "names": [{"name": entity_name, "kind": "current", "valid_from": None, "valid_to": None}],
                }
                seq += 1
                events.append(
                    {
                        "seq": seq,
                        "occurred_at": now,
                        "record_type": "entity",
                        "record_id": entity_id,
                        "record_version": 1,
                        "operation": "create",
                        "authority_id": None,
                        "payload": snapshot,
                    }
                )
            penalty_id += 1
            decision = f"浙财采罚〔2026〕{penalty_id}号"
            penalties.append(
                {
                    **penalty_row,
                    "id": penalty_id,
                    "entity_id": entity_id,
                    "subject_name": entity_name,
                    "subject_uscc": entity_code,
                    "decision_number": decision,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            seq += 1
            events.append(
                {
                    "seq": seq,
                    "occurred_at": now,
                    "record_type": "penalty",
                    "record_id": penalty_id,
                    "record_version": 1,
                    "operation": "create",
                    "authority_id": authority.id,
                    "payload": {
                        **penalty_template,
                        "id": penalty_id,
                        "entity_id": entity_id,
                        "subject_name": entity_name,
                        "decision_number": decision,
                    },
                }
            )
            written += 1
        # Every fifth new entity is renamed after its penalties: the export must read the old name.
        for row in entities[::5]:
            new = row["name"].replace("建设工程", "新建工程")
            seq += 1
            events.append(
                {
                    "seq": seq,
                    "occurred_at": now,
                    "record_type": "entity",
                    "record_id": row["id"],
                    "record_version": 2,
                    "operation": "rename",
                    "authority_id": None,
                    "payload": {
                        **entity_template,
                        "id": row["id"],
                        "name": new,
                        "uscc": row["uscc"],
                        "version": 2,
                        "names": [
                            {"name": row["name"], "kind": "former", "valid_from": None, "valid_to": "2026-11-20"},
                            {"name": new, "kind": "current", "valid_from": "2026-11-20", "valid_to": None},
                        ],
                    },
                }
            )
        if entities:
            session.execute(Entity.__table__.insert(), entities)
            session.execute(EntityName.__table__.insert(), names)
        session.execute(Penalty.__table__.insert(), penalties)
        session.execute(ChangeEvent.__table__.insert(), events)
        session.execute(sa.update(LedgerCounter).where(LedgerCounter.name == "outbox").values(value=seq))
        session.commit()
        log(f"  filled {written:,} penalties ({time.perf_counter() - started:.1f} s)")


def run(rows: int, formats: list[str], per_entity: int, log: Any = print) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="exports-bench-") as tmp:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{Path(tmp) / 'registry.db'}", "DATA_KEY": "benchmark-data-protection-secret"}
        )
        with app.app_context():
            upgrade()
            fill(rows, per_entity, log=log)
            db.session.remove()
            operator = DataSource("浙江省公共资源交易中心", "12330000MB0000000X")
            for fmt in formats:
                sink = CountingSink()
                with PeakSampler() as memory:
                    started = time.perf_counter()
                    count = write_export(
                        db.session(),
                        "penalties",
                        fmt,
                        sink,
                        include_not_public=False,  # type: ignore[arg-type]
                        operator=operator,
                    )
                    seconds = time.perf_counter() - started
                sink.close()
                db.session.remove()
                result = {
                    "format": fmt,
                    "rows": count,
                    "seconds": round(seconds, 2),
                    "rows_per_second": round(count / seconds),
                    "output_mb": round(sink.bytes / 2**20, 1),
                    "rss_before_mb": round(memory.start / 2**20, 1),
                    "rss_growth_mb": round(memory.growth / 2**20, 1),
                }
                results.append(result)
                log(
                    f"{fmt:>5}: {count:,} rows in {seconds:.1f} s = {count / seconds:,.0f} rows/s, "
                    f"{sink.bytes / 2**20:.0f} MB out; RSS {memory.start / 2**20:.0f} MB before, "
                    f"peak growth {memory.growth / 2**20:.1f} MB"
                )
            db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.exports", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="penalties to export (default 100,000)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: csv,xlsx,jsonl")
    parser.add_argument("--per-entity", type=int, default=5, help="penalties per entity (default 5)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON at the end")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or args.rows < 1 or args.per_entity < 1:
        parser.error(f"formats are {', '.join(FORMATS)}; rows and per-entity at least 1")
    results = run(args.rows, formats, args.per_entity)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
