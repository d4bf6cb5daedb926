"""Finding the alerts (预警): outbox events after the checker's cursor, against the watched subjects.

One run, in the caller's transaction (the scheduler commits):

1. take the counter row `watches` (locked: two schedulers check one after the other, never the
   same events twice) and read the events after it, at most `batch`;
2. the entities they touch: an entity's own event (a new name, 曾用名, code), and the entity of a
   penalty's or list entry's event (recorded, corrected, revoked, removed, repaired, a repair
   revoked, its 失信相关人 changed);
3. for each, the watched subjects that may be it (`WatchIndex`: its names and code against theirs);
   and, for a penalty's or list entry's event, the running watches whose followed person
   (`WatchPerson`: a legal representative or expert given with an ID number) is one of the
   record's 失信相关人, by the keyed hash of the ID number (one indexed query);
4. each such watch still running is screened again as the screening screened it (same domain,
   the subject as given with its followed persons, the agency's own earlier dispositions); when
   the decision is worse than the screening's and than any alert already raised for it, an alert
   is written with the decision now, the records and measures, the match explanation and the
   person links;
5. the counter moves to the last event read.

Events about no one entity (an authority, a calendar year, the measures) raise no alert: they
change rules for everyone, and a re-screening answers for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from registry.database import utcnow
from registry.ledger import SYSTEM, Actor, append_audit, emit_event
from registry.models import (
    Alert,
    ChangeEvent,
    Entity,
    EntityName,
    LedgerCounter,
    ListEntry,
    Penalty,
    ResponsiblePerson,
    Watch,
    WatchPerson,
)
from registry.monitoring.watch_index import WatchIndex
from registry.screening.decision import DECISIONS
from registry.screening.measures import Measure
from registry.screening.name_index import NameIndex
from registry.screening.person_links import PersonQuery
from registry.screening.service import evaluate_screening

COUNTER = "watches"
# The outbox record type of an alert: an agency's alerts target sends these (sync.alert_stream).
ALERT_RECORD = "alert"
DEFAULT_BATCH = 1000
_CHUNK = 500
_RECORDS: dict[str, type[Penalty] | type[ListEntry]] = {"penalty": Penalty, "list_entry": ListEntry}
_RANK = {d: i for i, d in enumerate(DECISIONS)}  # clear < review < block


def worse(now: str, then: str | None) -> bool:
    return then is None or _RANK[now] > _RANK[then]


@dataclass
class CheckReport:
    """What one run looked at and raised."""

    first_seq: int | None = None
    last_seq: int | None = None
    events: int = 0
    entities: int = 0
    rescreened: int = 0
    alerts: list[Alert] = field(default_factory=list)


def _chunks(values: Iterable[int]) -> list[list[int]]:
    ordered = sorted(set(values))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def _cursor(session: Session) -> LedgerCounter:
    row = session.scalar(sa.select(LedgerCounter).where(LedgerCounter.name == COUNTER).with_for_update())
    if row is None:  # a database made before the counter's migration row: start at the outbox's head
        head = session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0
        row = LedgerCounter(name=COUNTER, value=int(head))
        session.add(row)
        session.flush()
    return row


def _touched(session: Session, events: Sequence[Any]) -> dict[int, int]:
    """Entity id → the first event (seq) of this batch that touched it."""
    touched: dict[int, int] = {}
    for event in events:
        if event.record_type == "entity":
            touched.setdefault(int(event.record_id), int(event.seq))
    for record_type, model in _RECORDS.items():
        seqs = {int(e.record_id): int(e.seq) for e in reversed(events) if e.record_type == record_type}
        for chunk in _chunks(seqs):
            for record_id, entity_id in session.execute(
                sa.select(model.id, model.entity_id).where(model.id.in_(chunk))
            ):
                seq = seqs[int(record_id)]
                touched[int(entity_id)] = min(seq, touched.get(int(entity_id), seq))
    return touched


def _followed(session: Session, events: Sequence[Any], today: dt.date) -> dict[int, tuple[int, int]]:
    """Watch id → (entity id, seq): the running watches whose followed person is a 失信相关人 of a
    penalty or list entry these events touch, by the keyed hash of the ID number (a person named
    without a number is not followed: a name alone is at most review, and would flood agencies)."""
    found: dict[int, tuple[int, int]] = {}
    for record_type, model in _RECORDS.items():
        seqs = {int(e.record_id): int(e.seq) for e in reversed(events) if e.record_type == record_type}
        record = ResponsiblePerson.penalty_id if model is Penalty else ResponsiblePerson.list_entry_id
        for chunk in _chunks(seqs):
            rows = session.execute(
                sa.select(WatchPerson.watch_id, record, model.entity_id)
                .join(ResponsiblePerson, ResponsiblePerson.id_number_hash == WatchPerson.fingerprint)
                .join(model, model.id == record)
                .join(Watch, Watch.id == WatchPerson.watch_id)
                .where(record.in_(chunk), Watch.ended_at.is_(None), Watch.watch_until >= today)
            )
            for watch_id, record_id, entity_id in rows:
                seq = seqs[cast(int, record_id)]  # in the chunk: never None
                if int(watch_id) not in found or seq < found[int(watch_id)][1]:
                    found[int(watch_id)] = (int(entity_id), seq)
    return found


def _names_and_codes(session: Session, entity_ids: Iterable[int]) -> dict[int, tuple[list[str], str | None]]:
    found: dict[int, tuple[list[str], str | None]] = {}
    for chunk in _chunks(entity_ids):
        codes: dict[int, str | None] = {
            int(i): c for i, c in session.execute(sa.select(Entity.id, Entity.uscc).where(Entity.id.in_(chunk)))
        }
        names: dict[int, list[str]] = {}
        rows = session.execute(sa.select(EntityName.entity_id, EntityName.name).where(EntityName.entity_id.in_(chunk)))
        for entity_id, name in rows:
            names.setdefault(int(entity_id), []).append(name)
        for entity_id, code in codes.items():
            found[entity_id] = (names.get(entity_id, []), code)
    return found


def _rescreen(
    session: Session, watch: Watch, today: dt.date, name_index: NameIndex, measures: Sequence[Measure]
) -> tuple[str, dict[str, Any]]:
    """The watch's subject screened now as its screening screened it: its own decision and what
    the alert shows (hits with their match explanation, reasons, the listed entities' records)."""
    agency = Actor(key_id=watch.api_key_id, name=watch.agency, role="screener")
    persons = [PersonQuery(0, p.capacity, p.name, p.id_type, p.fingerprint, p.id_number_masked) for p in watch.persons]
    request = {
        "domain": watch.domain,
        "project_code": watch.project_code,
        "subjects": [{"name": watch.subject_name, "uscc": watch.subject_code}],
    }
    draft = evaluate_screening(session, request, agency, today, name_index, measures, persons=persons)
    subject = draft.document["subjects"][0]
    details = {
        "subject": {"name": watch.subject_name, "uscc": watch.subject_code},
        "persons": [p.shown() for p in watch.persons],
        "person_links": subject.get("person_links", []),
        "registry_seq": draft.document["registry_seq"],
        "scorer": draft.document["scorer"],
        "hits": subject["hits"],
        "reasons": subject["reasons"],
        "reasons_en": subject.get("reasons_en", []),
        "entities": draft.document["entities"],
    }
    return subject["own_decision"], details


def check_watches(
    session: Session,
    index: WatchIndex,
    name_index: NameIndex,
    measures: Sequence[Measure],
    today: dt.date,
    *,
    now: dt.datetime | None = None,
    batch: int = DEFAULT_BATCH,
) -> CheckReport:
    """One batch of outbox events checked against the running watches (see the module's steps)."""
    report = CheckReport()
    cursor = _cursor(session)
    events = session.execute(
        sa.select(ChangeEvent.seq, ChangeEvent.record_type, ChangeEvent.record_id)
        .where(ChangeEvent.seq > cursor.value)
        .order_by(ChangeEvent.seq)
        .limit(batch)
    ).all()
    if not events:
        return report
    report.first_seq, report.last_seq, report.events = int(events[0].seq), int(events[-1].seq), len(events)
    index.refresh(session)
    touched = _touched(session, events)
    report.entities = len(touched)
    candidates: dict[int, tuple[int, int]] = {}  # watch id → (entity id, seq)
    if len(index):
        for entity_id, (names, code) in _names_and_codes(session, touched).items():
            for watch_id in index.search(names, code):
                candidates.setdefault(watch_id, (entity_id, touched[entity_id]))
    for watch_id, found in _followed(session, events, today).items():
        candidates.setdefault(watch_id, found)
    moment = (now or utcnow()).astimezone(dt.UTC)
    ended: list[int] = []
    for chunk in _chunks(candidates):
        for watch in session.scalars(
            sa.select(Watch).where(Watch.id.in_(chunk)).order_by(Watch.id).options(selectinload(Watch.persons))
        ):
            if not watch.active_on(today):
                ended.append(watch.id)
                continue
            decision, details = _rescreen(session, watch, today, name_index, measures)
            report.rescreened += 1
            if not (worse(decision, watch.decision_then) and worse(decision, watch.alerted_decision)):
                continue
            entity_id, seq = candidates[watch.id]
            alert = Alert(
                watch_id=watch.id,
                screening_id=watch.screening_id,
                subject_index=watch.subject_index,
                api_key_id=watch.api_key_id,
                decision_then=watch.decision_then,
                decision_now=decision,
                change_seq=seq,
                entity_id=entity_id,
                details=details,
                created_at=moment,
            )
            session.add(alert)
            watch.alerted_decision = decision
            report.alerts.append(alert)
    session.flush()
    for alert in report.alerts:  # who was told what, when: in the tamper-evident chain, and out by the outbox
        emit_event(
            session,
            record_type=ALERT_RECORD,
            record_id=alert.id,
            record_version=1,
            operation="raise",
            payload={"screening_id": alert.screening_id, "subject_index": alert.subject_index},
            authority_id=None,
            now=now,
        )
        append_audit(
            session,
            actor=SYSTEM,
            action="raise",
            record_type="alert",
            record_id=alert.id,
            before=None,
            after=alert.snapshot(),
            reason=f"outbox event {alert.change_seq}",
            now=now,
        )
    index.drop(ended)
    cursor.value = report.last_seq
    session.flush()
    return report
