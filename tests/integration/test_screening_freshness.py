"""The name index under real concurrency: screenings and list decisions committed side by side.

Every screening must see every list entry whose outbox event precedes the sequence number it
reports (freshness within one request), the matcher must never be used by two threads at once,
and a second index (another worker process) must come to the same answers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from matching.types import Candidate, Hit, Query
from registry import access
from registry.database import db
from registry.models import ChangeEvent
from registry.screening import service as screening_service
from registry.screening.measures import load_measures
from registry.screening.name_index import NameIndex
from tests import factories
from tests.conftest import auth
from tests.exact_matcher import ExactMatcher
from tests.integration.test_concurrency import (  # noqa: F401
    Committed,
    _in_parallel,
    _post_until_answered,
    committed,
)

ENTITIES = 8
ROUNDS = 3


class GuardedMatcher(ExactMatcher):
    """The exact test double, complaining whenever two threads are inside it at once."""

    overlaps: list[str] = []

    def __init__(self) -> None:
        super().__init__()
        self._inside = threading.Lock()

    def _enter(self, what: str) -> None:
        if not self._inside.acquire(blocking=False):
            self.overlaps.append(what)
            self._inside.acquire()

    def build(self, candidates: list[Candidate]) -> None:
        self._enter("build")
        try:
            super().build(candidates)
        finally:
            self._inside.release()

    def upsert(self, candidate: Candidate) -> None:
        self._enter("upsert")
        try:
            super().upsert(candidate)
        finally:
            self._inside.release()

    def search(self, query: Query, limit: int = 10) -> list[Hit]:
        self._enter("search")
        try:
            return super().search(query, limit)
        finally:
            self._inside.release()


def runtime_today(c: Committed) -> dt.date:
    today: dt.date = c.app.extensions["registry"].clock.today()
    return today


@pytest.fixture
def guarded(committed: Committed) -> Iterator[NameIndex]:  # noqa: F811
    runtime = committed.app.extensions["registry"]
    kept = runtime.name_index
    GuardedMatcher.overlaps = []
    runtime.name_index = NameIndex(GuardedMatcher)
    try:
        yield runtime.name_index
    finally:
        runtime.name_index = kept


def test_concurrent_screenings_see_every_list_entry_committed_before_them(
    committed: Committed,  # noqa: F811
    guarded: NameIndex,
) -> None:
    app = committed.app
    with app.app_context():
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        _, finance_key = access.create_key(db.session, role="supervisor", name="财政厅", authority_id=finance.id)
        _, screener_key = access.create_key(db.session, role="screener", name="交易中心")
        entities = [factories.make_entity(db.session, f"杭州并发{i}建设有限公司") for i in range(ENTITIES)]
        codes = {e.id: e.uscc for e in entities}
        db.session.commit()
        db.session.remove()

    today = runtime_today(committed)
    listed_on = (today - dt.timedelta(days=3)).isoformat()
    last_day = (today + dt.timedelta(days=400)).isoformat()  # a ban of a little over a year (1–3 years)

    def list_entities(ids: list[int]) -> list[int]:
        client = app.test_client()
        for entity_id in ids:
            r, _ = _post_until_answered(
                client,
                "/api/v1/list-entries",
                headers=auth(finance_key),
                json={
                    "entity_id": entity_id,
                    "list_type": "black",
                    "list_name": "政府采购严重违法失信行为记录名单",
                    "domains": ["procurement"],
                    "decision_number": f"浙财采决〔2026〕{entity_id}号",
                    "reason_category": "串通投标",
                    "facts": "串通投标",
                    "legal_basis": "政府采购法第七十七条",
                    "listed_on": listed_on,
                    "expires_on": last_day,
                },
            )
            assert r.status_code == 201, r.json
        return ids

    def screen_all() -> list[dict[str, Any]]:
        client = app.test_client()
        answers = []
        for _ in range(ROUNDS):
            r, _ = _post_until_answered(
                client,
                "/api/v1/screenings",
                headers=auth(screener_key),
                json={
                    "domain": "procurement",
                    "project_code": "CONCURRENT-1",
                    "subjects": [{"uscc": code} for code in codes.values()],
                },
            )
            assert r.status_code == 201, r.json
            answers.append(r.json)
        return answers

    ids = list(codes)
    work = [lambda part=ids[i::4]: list_entities(part) for i in range(4)] + [screen_all for _ in range(4)]
    results = _in_parallel(work)
    screenings = [s for batch in results[4:] for s in batch]
    assert GuardedMatcher.overlaps == []

    # Which list entry's event came at which sequence number.
    listed_at = {
        payload["entity_id"]: seq
        for payload, seq in committed.rows(
            sa.select(ChangeEvent.payload, ChangeEvent.seq).where(ChangeEvent.record_type == "list_entry")
        )
    }
    for s in screenings:
        blocked = {
            h["entity_id"]
            for subj in s["document"]["subjects"]
            for h in subj["hits"]
            if subj["own_decision"] == "block"
        }
        seen_by_then = {entity_id for entity_id, seq in listed_at.items() if seq <= s["registry_seq"]}
        assert seen_by_then <= blocked, (s["registry_seq"], seen_by_then - blocked)

    # After everything committed: this worker and a new one (another process) see all of it.
    final = screen_all()[-1]
    assert final["decision"] == "block"
    assert final["document"]["counts"]["block"] == ENTITIES
    with app.app_context():
        try:
            actor = access.authenticate(db.session, screener_key)
            other_worker = NameIndex(ExactMatcher)
            again = screening_service.screen_subjects(
                db.session(),
                {
                    "domain": "procurement",
                    "project_code": "CONCURRENT-1",
                    "subjects": [{"uscc": c} for c in codes.values()],
                },
                actor,
                today,
                other_worker,
                load_measures(),
            )
            assert again.document["counts"]["block"] == ENTITIES
            db.session.rollback()
        finally:
            db.session.remove()


def test_a_screening_whose_key_was_read_before_another_thread_listed_a_bidder_still_blocks_it(
    committed: Committed,  # noqa: F811
    guarded: NameIndex,
) -> None:
    """The race behind a rare failure of the test above, made to happen every time.

    On SQLite a request's transaction reads one snapshot, taken at its first read (its API key,
    when the key cache is cold). If, after that read, another thread commits a list entry and
    brings the shared name index up to it (forgetting the entity's dossier), the screening finds
    the entity in the index but used to read its records in the older snapshot: no record, so no
    block, and the empty dossier was cached for every later screening too. The request now starts
    its snapshot at the search, and a dossier read older than a forget is not kept.
    """
    app = committed.app
    runtime = app.extensions["registry"]
    with app.app_context():
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        _, screener_key = access.create_key(db.session, role="screener", name="交易中心")
        bidder = factories.make_entity(db.session, "杭州竞速建设有限公司")
        other = factories.make_entity(db.session, "宁波旁观贸易有限公司")
        factories.make_list_entry(db.session, finance, other)  # something listed: the index is built
        uscc = bidder.uscc
        db.session.commit()
        db.session.remove()
        guarded.ensure_fresh(db.session())
        db.session.remove()
        bidder_id = bidder.id

    original = access.authenticate_cached
    meddled: list[int] = []

    def authenticate_then_list_the_bidder(session: Any, secret: str, cache: Any) -> Any:
        found = original(session, secret, cache)  # the request's first read: its snapshot
        if secret == screener_key and not meddled:
            meddled.append(1)

            def list_it() -> None:  # another thread: commit the list entry, move the shared index on
                with app.app_context():
                    try:
                        factories.make_list_entry(db.session, finance_from(db.session), bidder_from(db.session))
                        db.session.commit()
                        guarded.ensure_fresh(db.session())
                    finally:
                        db.session.remove()

            thread = threading.Thread(target=list_it)
            thread.start()
            thread.join(timeout=30)
        return found

    def finance_from(session: Any) -> Any:
        return session.get(type(finance), finance.id)

    def bidder_from(session: Any) -> Any:
        return session.get(type(bidder), bidder_id)

    runtime.keys.forget()  # cold: authentication reads the key
    client = app.test_client()
    body = {"domain": "procurement", "project_code": "RACE-1", "subjects": [{"uscc": uscc}]}
    access.authenticate_cached = authenticate_then_list_the_bidder  # type: ignore[assignment]
    try:
        first = client.post("/api/v1/screenings", json=body, headers=auth(screener_key))
    finally:
        access.authenticate_cached = original  # type: ignore[assignment]
    assert meddled == [1]
    assert first.status_code == 201, first.json
    assert first.json["decision"] == "block", first.json["document"]["subjects"][0]
    again = client.post("/api/v1/screenings", json=body, headers=auth(screener_key))
    assert again.json["decision"] == "block"  # nothing stale was cached
