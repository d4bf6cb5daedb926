"""The world of the watch benchmark: a registry of listed entities and an agency's watched bidders.

The listed entities are loaded as the HTTP benchmark loads them (`registry_load`). The watched
bidders are generated companies that are *not* listed (the next entities of the same generator),
filed as the subjects of screenings of the agency, 1,000 per screening, all clear, each watched
until a month ahead: screenings and watches are bulk-inserted with the columns the services
write (`registry.monitoring.watches`), since screening 100,000 bidders one by one would measure
the screening, not the watch. The checker's cursor is set to the outbox's head, as the migration
sets it on a registry that already holds records, and so is the platform target's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask

from benchmarks.dataset_types import ListedEntity
from registry import access
from registry.database import db, utcnow
from registry.ledger import canonical_json
from registry.models import ChangeEvent, LedgerCounter, Screening, SyncState, Watch
from registry.monitoring.detect import COUNTER
from sync.locks import ensure_state

AGENCY = "杭州市公共资源交易中心"
PLATFORM_TARGET = "platform"
PER_SCREENING = 1000


@dataclass(frozen=True)
class WatchWorld:
    agency_key: str
    watched: int
    seconds: float


def _document(screening_id: int, key_id: int, subjects: list[ListedEntity], today: dt.date) -> dict[str, Any]:
    return {
        "id": screening_id,
        "domain": "procurement",
        "project_code": f"BENCH-{screening_id}",
        "screened_on": today.isoformat(),
        "requested_by": {"name": AGENCY, "role": "screener", "key_id": key_id},
        "decision": "clear",
        "subjects": [
            {"index": i, "name": e.name, "uscc": e.code, "own_decision": "clear", "decision": "clear", "hits": []}
            for i, e in enumerate(subjects)
        ],
    }


def load_watches(app: Flask, watched: list[ListedEntity]) -> WatchWorld:
    """The agency's key, its screenings of `watched` and a watch on each subject until a month on."""
    started = time.perf_counter()
    with app.app_context():
        session = db.session
        key, secret = access.create_key(session, role="screener", name=AGENCY)
        session.flush()
        today = app.extensions["registry"].clock.today()
        until = today + dt.timedelta(days=30)
        now = utcnow()
        next_id = int(session.scalar(sa.select(sa.func.max(Screening.id))) or 0) + 1
        for start in range(0, len(watched), PER_SCREENING):
            subjects = watched[start : start + PER_SCREENING]
            sid = next_id + start // PER_SCREENING
            document = _document(sid, key.id, subjects, today)
            canonical = canonical_json(document)
            session.execute(
                sa.insert(Screening),
                [
                    {
                        "id": sid,
                        "api_key_id": key.id,
                        "requested_by": f"{AGENCY} (screener key {key.id})",
                        "domain": "procurement",
                        "project_code": document["project_code"],
                        "decision": "clear",
                        "subject_count": len(subjects),
                        "registry_seq": 0,
                        "scorer": "benchmark",
                        "screened_at": now,
                        "document": document,
                        "digest": hashlib.sha256(canonical).hexdigest(),
                    }
                ],
            )
            session.execute(
                sa.insert(Watch),
                [
                    {
                        "screening_id": sid,
                        "subject_index": i,
                        "api_key_id": key.id,
                        "agency": AGENCY,
                        "subject_name": e.name,
                        "subject_code": e.code,
                        "domain": "procurement",
                        "project_code": document["project_code"],
                        "decision_then": "clear",
                        "watch_until": until,
                        "created_by": "benchmark",
                        "created_at": now,
                    }
                    for i, e in enumerate(subjects)
                ],
            )
        head = int(session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0)
        session.execute(sa.update(LedgerCounter).where(LedgerCounter.name == COUNTER).values(value=head))
        session.commit()
        # The platform's target has taken the loaded registry already (else the baseline would time
        # the push of the whole load first): its cursor starts at the head too.
        ensure_state(db.engine, PLATFORM_TARGET)
        with db.engine.begin() as conn:
            conn.execute(sa.update(SyncState).where(SyncState.target == PLATFORM_TARGET).values(cursor=head))
        db.session.remove()
    return WatchWorld(secret, len(watched), time.perf_counter() - started)
