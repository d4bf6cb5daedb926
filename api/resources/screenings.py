"""/api/v1/screenings: screening a project's subjects against the registry, kept as evidence."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from api.lifecycle import actor, begin_writing, idempotent, now, reads_first, start_reading, today
from api.ratelimit import limited
from api.schemas.screenings import (
    DispositionIn,
    DispositionOut,
    FinalDecisionIn,
    FinalDecisionOut,
    ScreeningFilter,
    ScreeningIn,
    ScreeningOut,
    ScreeningPage,
    ScreeningSummary,
    VerificationOut,
)
from api.smorest import Blueprint
from registry.database import db, write_intent
from registry.monitoring import watches
from registry.runtime import current_runtime
from registry.screening import service

_SUMMARY = ScreeningSummary()
blp = Blueprint(
    "screenings",
    __name__,
    url_prefix="/api/v1/screenings",
    description="资格审查信用核查: screen bidders before award; each screening is stored with a digest",
)


def _created(screening: service.StoredScreening) -> Response:
    """What GET answers (ScreeningOut), with the document spliced in as the canonical bytes its
    digest was computed over: serialising a large document again would cost more than the
    screening itself."""
    summary = json.dumps(_SUMMARY.dump(screening), ensure_ascii=False)
    body = f'{summary[:-1]},"document":{screening.canonical.decode()},"dispositions":[],"final_decisions":[]}}'
    location = url_for("screenings.Screening", screening_id=screening.id)
    return Response(body, status=201, mimetype="application/json", headers={"Location": location})


def _evaluate(data: dict[str, Any]) -> service.ScreeningDraft:
    """The screening evaluated in the request's reading transaction (nothing written)."""
    runtime = current_runtime()
    start_reading()
    return service.evaluate_screening(
        db.session(), data, actor(), today(), runtime.name_index, runtime.measures, now=now(), dossiers=runtime.dossiers
    )


def _watch(screening_id: int, until: Any) -> None:
    """Watch a screening just stored: in the request's own writing transaction (a grouped screening
    is committed already; the watch commits with the request)."""
    if not write_intent.get():  # stored by the grouped writer: this request has only read so far
        begin_writing()
    watches.watch_screening(db.session(), screening_id, until, actor(), today(), now=now())


def _store(draft: service.ScreeningDraft) -> service.StoredScreening:
    """Stored with the others waiting in this process, one commit for all; with an Idempotency-Key
    in the request's own transaction, where its kept answer commits with it (registry.screening.writer)."""
    runtime = current_runtime()
    if runtime.screening_writer is not None and not idempotent():
        return runtime.screening_writer.store(draft, actor())
    begin_writing()
    return service.store_screening(db.session(), draft, actor(), runtime.screening_ids)


@blp.route("")
class Screenings(MethodView):
    @blp.arguments(ScreeningFilter, location="query")
    @blp.response(200, ScreeningPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List screenings, e.g. every check made for a project (administrators, the platform; a screener its own)."""
        return service.list_screenings(db.session(), actor(), **args)

    @limited("screening", blueprint=blp)
    @blp.arguments(ScreeningIn)
    @blp.response(201, ScreeningOut)
    @reads_first
    def post(self, data: dict[str, Any]) -> Any:
        """Screen 1 to 1,000 subjects of one project (screener); returns the stored screening with its digest.
        With `watch_until`, its subjects are watched until that day (持续监测)."""
        until = data.pop("watch_until", None)
        if until is not None:
            watches.check_until(until, today())  # refused before anything is stored
        stored = _store(_evaluate(data))
        if until is not None:
            _watch(stored.id, until)
        return _created(stored)


@blp.route("/<int:screening_id>")
class Screening(MethodView):
    @blp.response(200, ScreeningOut)
    def get(self, screening_id: int) -> Any:
        """Read one screening as it was stored, with the dispositions made on it since."""
        return service.read_screening(db.session(), screening_id, actor())


@blp.route("/<int:screening_id>/verify")
class VerifyScreening(MethodView):
    @blp.response(200, VerificationOut)
    def get(self, screening_id: int) -> Any:
        """Re-compute the digest of the stored document; check it against the stored one and its leaf in the
        evidence tree, with the inclusion proof up to the first signed anchor that covers it."""
        interval = current_runtime().anchor_interval
        return service.verify_screening(db.session(), screening_id, actor(), now=now(), anchor_interval=interval)


@blp.route("/<int:screening_id>/dispositions")
class Dispositions(MethodView):
    @blp.arguments(DispositionIn)
    @blp.response(201, DispositionOut)
    def post(self, data: dict[str, Any], screening_id: int) -> Any:
        """Mark one hit a false positive or confirmed, with the reason (the screener that screened, or admin)."""
        return service.dispose_hit(
            db.session(),
            screening_id,
            data["entity_id"],
            data["subject_index"],
            data["disposition"],
            data["reason"],
            actor(),
            now=now(),
        )


@blp.route("/<int:screening_id>/final-decisions")
class FinalDecisions(MethodView):
    @blp.arguments(FinalDecisionIn)
    @blp.response(201, FinalDecisionOut)
    def post(self, data: dict[str, Any], screening_id: int) -> Any:
        """最终处理意见: record the agency's final decision on a bidder after one of its hits was marked a
        false positive, with the reason (the screener that screened, or admin); a later one supersedes it."""
        decision, reason = data["decision"], data["reason"]
        index = data["subject_index"]
        return service.record_final_decision(db.session(), screening_id, index, decision, reason, actor(), now=now())
