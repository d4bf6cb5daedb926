"""Credit-repair decisions in the console (信用修复): accept (受理), reject (不予修复) or complete
(修复完成), the version the page was drawn from standing in for If-Match.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import marshmallow as ma
from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from api.errors import flatten
from api.lifecycle import today
from api.pages.auth import check_csrf, login_required
from api.schemas.common import ReasonArgs
from registry.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from registry.ledger import Actor
from registry.models import RepairApplication
from registry.records import repairs as repair_service
from registry.records.console_queries import PER_PAGE, all_authorities, repair_subjects
from registry.vocab import RECORD_TYPES, REPAIR_STATES

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session
from api.pages.console import bp
from api.pages.console.common import (
    REPAIR_ACTIONS,
    chosen_scope,
    current_actor,
    current_session,
    gloss,
    render,
    said,
    said_by_field,
)


@dataclass(frozen=True)
class RepairView:
    """An application with what it is about, for the decision forms."""

    application: RepairApplication
    record_label: str
    record_url: str
    subject_name: str
    overdue: bool


@dataclass
class RepairError:
    """What went wrong with one decision form, shown on that application."""

    application_id: int
    action: str
    status: int
    message: str
    reason: str = ""
    field_errors: list[str] = field(default_factory=list)


def _repair_views(session: Session, day: dt.date, applications: list[RepairApplication]) -> list[RepairView]:
    found = repair_subjects(session, applications)
    views = []
    for a in applications:
        if a.record_type == "penalty" and a.record_id in found.penalties:
            p = found.penalties[a.record_id]
            label, url = f"行政处罚 {p.decision_number}", url_for("console.penalty", penalty_id=p.id)
        elif a.record_id in found.list_entries:
            e = found.list_entries[a.record_id]
            label, url = f"{e.list_name} {e.decision_number}", url_for("console.list_entry", entry_id=e.id)
        else:
            label, url = f"{RECORD_TYPES.get(a.record_type, a.record_type)} {a.record_id}", ""
        views.append(RepairView(a, label, url, found.subjects.get(a.entity_id, ""), repair_service.is_overdue(a, day)))
    return views


def _repairs_page(status: int = 200, problem: RepairError | None = None) -> tuple[str, int]:
    actor, session, day = current_actor(), current_session(), today()
    scope = chosen_scope(actor)
    in_scope = {"authority_id": scope.authority_id} if scope.authority_id is not None else {}
    tables = {}
    for state in repair_service.OPEN_STATES:
        raw = request.args.get(f"page_{state}", "1")
        number = int(raw) if raw.isdigit() and int(raw) >= 1 else 1
        found = repair_service.list_repairs(
            session, actor, day, filters={**in_scope, "status": state}, page=number, per_page=PER_PAGE
        )
        tables[state] = {
            "page": found,
            "views": _repair_views(session, day, found.items),
            "pages": max(math.ceil(found.total / PER_PAGE), 1),
        }
    return render(
        "console/repairs.html",
        status,
        section="repairs",
        scope=scope,
        authorities=all_authorities(session) if scope.may_choose else [],
        tables=tables,
        problem=problem,
        actions=REPAIR_ACTIONS,
        today=day,
    )


@bp.get("/console/repairs")
@login_required("supervisor")
def repairs() -> ResponseReturnValue:
    """待处理的信用修复申请: accept (受理), reject (不予修复) or complete (修复完成) each."""
    return _repairs_page()


def _form_version() -> int:
    """The version the page was drawn from (the hidden field standing in for If-Match)."""
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400, description="表单缺少申请的版本号，请刷新页面后重新操作。")
    return int(version)


def _decision_reason(action: str, typed: str) -> tuple[str, list[str] | None]:
    """The reason a rejection or completion carries, checked by the API's schema (accepting takes none),
    and the schema's refusals when it is missing (None: nothing refused)."""
    if action == "accept":
        return "", None
    try:
        return ReasonArgs().load({"reason": typed} if typed.strip() else {})["reason"], None
    except ma.ValidationError as exc:
        return "", [gloss(m) for m in flatten(exc.messages).get("reason", ["invalid"])]


def _decide(
    application_id: int, action: str, reason: str, actor: Actor, version: int, day: dt.date
) -> RepairApplication:
    """The API's service for the action. An application the key may not see or decide is an error
    page naming nothing of it; the other refusals are shown on the application (`_decision_refused`)."""
    session = current_session()
    try:
        if action == "accept":
            return repair_service.accept_repair(session, application_id, actor, version, day)
        if action == "reject":
            return repair_service.reject_repair(session, application_id, reason, actor, version, day)
        return repair_service.complete_repair(session, application_id, reason, actor, version, day)
    except NotFound:
        abort(404, description="没有这份信用修复申请，或您无权查看。")
    except NotPermitted:
        abort(403, description="这份申请由其他机关决定（谁批准、谁公开）。")


def _decision_refused(
    exc: StaleVersion | Conflict | InvalidInput, application_id: int, action: str, typed: str
) -> tuple[str, int]:
    """The repairs page with the refusal on the application, at the API's status."""
    if isinstance(exc, StaleVersion):
        message = (
            "这份申请在您打开页面之后已被他人处理或修改，您的操作没有执行。"
            f"下面显示的是它现在的状态，请核对后重新操作。（{said(exc)}）"
        )
        return _repairs_page(412, RepairError(application_id, action, 412, message, typed))
    fields = said_by_field(exc).get("reason", [])
    return _repairs_page(exc.status, RepairError(application_id, action, exc.status, said(exc), typed, fields))


def _decided(application: RepairApplication, action: str) -> str:
    """What the repairs page opens with after a decision: the action taken and where the application now stands."""
    return (
        f"信用修复申请 {application.id}：已{REPAIR_ACTIONS[action]}"
        f"（状态：{REPAIR_STATES.get(application.status, application.status)}）。"
    )


@bp.post("/console/repairs/<int:application_id>/<action>")
@login_required("supervisor")
def decide_repair(application_id: int, action: str) -> ResponseReturnValue:
    """Decide one application as the API does: the version read stands in for If-Match."""
    check_csrf()
    if action not in REPAIR_ACTIONS:
        abort(404)
    actor, day, version = current_actor(), today(), _form_version()
    typed = request.form.get("reason", "")
    # The body first, then the version, as the API's order: a missing reason is 422 even when stale.
    reason, refused = _decision_reason(action, typed)
    if refused is not None:
        return _repairs_page(422, RepairError(application_id, action, 422, "请写明理由。", typed, refused))
    try:
        application = _decide(application_id, action, reason, actor, version, day)
    except (StaleVersion, Conflict, InvalidInput) as exc:
        return _decision_refused(exc, application_id, action, typed)
    flash(_decided(application, action), "ok")
    return redirect(url_for("console.repairs", **chosen_scope(actor).args), code=303)
