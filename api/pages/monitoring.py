"""持续监测 pages for an agency: its open alerts (预警) with what changed and why, acknowledged with
what it did; its watches, ended early with a reason; and watching a screening from its result page
until the expected award date. The same services as /api/v1/watches and /api/v1/alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from api.lifecycle import now, today
from api.pages.auth import check_csrf, login_required
from api.pages.screening.common import beijing, current_actor
from api.pages.screening.labels import LABELS
from api.pages.screening.summary import match_phrase, record_brief
from registry.database import db
from registry.errors import Conflict, InvalidInput, NotFound, RegistryError
from registry.messages import render
from registry.models import Alert
from registry.monitoring import alerts, watches

bp = Blueprint("monitoring_pages", __name__)


def alert_view(alert: Alert) -> dict[str, Any]:
    """An alert as the page says it: the bidder, the decisions, each hit's match and records."""
    details = alert.details or {}
    subject = details.get("subject") or {}
    entities = details.get("entities") or {}
    hits = []
    for hit in details.get("hits") or []:
        listed = entities.get(str(hit.get("entity_id")), {})
        hits.append(
            {
                "phrase": match_phrase(subject, hit),
                "entity_id": hit.get("entity_id"),
                "records": [record_brief(r) for r in listed.get("records", [])],
                "features": hit.get("features", []),
            }
        )
    person_links = details.get("person_links") or []
    changed = entities.get(str(alert.entity_id), {}).get("entity", {}).get("name") or next(
        (link.get("entity_name") for link in person_links if link.get("entity_id") == alert.entity_id), None
    )
    links = [link.get("reason") for link in person_links if link.get("reason")]
    return {"alert": alert, "subject": subject, "hits": hits, "changed": changed, "person_links": links}


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, labels=LABELS, beijing=beijing, **context), status


@bp.get("/alerts")
@login_required("screener", "platform")
def alert_list() -> ResponseReturnValue:
    """预警: the agency's open alerts first, then the twenty last acknowledged."""
    session, actor = db.session(), current_actor()
    open_ones = alerts.list_alerts(session, actor, acknowledged=False, per_page=200).items
    done = alerts.list_alerts(session, actor, acknowledged=True, per_page=20).items
    return _page("monitoring/alerts.html", open_alerts=[alert_view(a) for a in open_ones], done=done, error=None)


@bp.post("/alerts/<int:alert_id>/acknowledge")
@login_required("screener")
def acknowledge(alert_id: int) -> ResponseReturnValue:
    """Acknowledge an alert with what the agency did; refused with the reason kept on the form."""
    check_csrf()
    reason = request.form.get("reason", "").strip()
    problem = _refusal(alerts.acknowledge_alert, alert_id, reason)
    if problem is None:
        flash(f"已处理预警 {alert_id}：{reason}", "ok")
        return redirect(url_for("monitoring_pages.alert_list"), code=303)
    return _page("monitoring/alerts.html", 422, open_alerts=_open(), done=[], error=(alert_id, problem, reason))


def _open() -> list[dict[str, Any]]:
    return [
        alert_view(a) for a in alerts.list_alerts(db.session(), current_actor(), acknowledged=False, per_page=200).items
    ]


def _refusal(call: Any, record_id: int, reason: str) -> str | None:
    """Call an acknowledging or ending service; its refusal in Chinese, or None when done."""
    try:
        call(db.session(), record_id, reason, current_actor(), now=now())
    except (InvalidInput, Conflict, NotFound) as exc:
        return _words(exc)
    return None


def _words(exc: RegistryError) -> str:
    reasons = [render(r, "zh") for texts in exc.reasons.values() for r in texts]
    if "reason" in exc.reasons:
        return "请写明理由。"
    return "；".join(reasons) or render(exc.text, "zh")


@bp.get("/watches")
@login_required("screener", "platform")
def watch_list() -> ResponseReturnValue:
    """持续监测: the agency's watches running today, and the last ended or run out."""
    session, actor, day = db.session(), current_actor(), today()
    running = watches.list_watches(session, actor, day, active=True, per_page=200).items
    ended = watches.list_watches(session, actor, day, active=False, per_page=20).items
    return _page("monitoring/watches.html", running=running, ended=ended, error=None)


@bp.post("/watches/<int:watch_id>/end")
@login_required("screener")
def end(watch_id: int) -> ResponseReturnValue:
    """End a watch early, with the reason."""
    check_csrf()
    reason = request.form.get("reason", "").strip()
    problem = _refusal(watches.end_watch, watch_id, reason)
    if problem is None:
        flash(f"已结束监测 {watch_id}。", "ok")
        return redirect(url_for("monitoring_pages.watch_list"), code=303)
    running = watches.list_watches(db.session(), current_actor(), today(), active=True, per_page=200).items
    return _page("monitoring/watches.html", 422, running=running, ended=[], error=(watch_id, problem, reason))


@bp.post("/screening/<int:screening_id>/watch")
@login_required("screener")
def watch(screening_id: int) -> ResponseReturnValue:
    """Watch a screening's bidders until the date given (the expected award date)."""
    check_csrf()
    problem = _watched(screening_id, request.form.get("watch_until", "").strip())
    if problem is None:
        return redirect(url_for("monitoring_pages.watch_list"), code=303)
    flash(f"未开始监测：{problem}", "error")
    return redirect(url_for("screening.result", screening_id=screening_id, _anchor="watch"), code=303)


def _watched(screening_id: int, typed: str) -> str | None:
    try:
        until = dt.date.fromisoformat(typed)
    except ValueError:
        return "请按 YYYY-MM-DD 填写监测截止日期（例如预计定标或签订合同的日期）。"
    try:
        made = watches.watch_screening(db.session(), screening_id, until, current_actor(), today(), now=now())
    except (InvalidInput, NotFound) as exc:
        return _words(exc)
    flash(f"已开始监测核查 {screening_id} 的 {len(made)} 个投标人，至 {until.isoformat()}（含）。", "ok")
    return None
