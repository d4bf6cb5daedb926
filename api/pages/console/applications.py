"""Submitting a credit-repair application (信用修复申请) for one of the authority's own records, as the
API lets the deciding authority do (`POST /api/v1/repairs`): the entity's statement, its 信用承诺 and
references to the supporting documents, read by the API's schema (`RepairIn`) and taken by the
API's service, which says when the record may be repaired. It is then decided on the repairs page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from api.errors import flatten
from api.lifecycle import today
from api.pages.auth import check_csrf, login_required
from api.pages.console import bp
from api.pages.console.common import as_api, current_actor, current_session, render, said, said_by_field
from api.pages.console.edits import require_own
from api.pages.console.forms import RecordForm, refusals
from api.pages.console.labels import REPAIR_LABELS, cn_date
from api.schemas.repairs import RepairIn
from registry.errors import NotPermitted, RegistryError
from registry.ledger import Actor
from registry.models import ListEntry, Penalty
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records import repairs as repair_service
from registry.records.entities import get_entity
from registry.runtime import current_rules

ROWS = 3  # attachment rows the form offers (材料名称, 文号或网址)
LABELS = {**REPAIR_LABELS, "record_id": "申请修复的记录"}
FETCH: dict[str, Callable[..., Penalty | ListEntry]] = {
    "penalty": penalty_service.get_penalty,
    "list_entry": entry_service.get_list_entry,
}


def _typed() -> dict[str, Any]:
    form = request.form
    names, refs = form.getlist("attachment_name"), form.getlist("attachment_ref")
    rows = [(n.strip(), r.strip()) for n, r in zip(names[:ROWS], refs[:ROWS], strict=False)]
    return {
        "statement": form.get("statement", "").replace("\r\n", "\n"),
        "commitment": form.get("commitment", "").replace("\r\n", "\n"),
        "attachments": rows + [("", "")] * (ROWS - len(rows)),
    }


def _body(record_type: str, record_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The application as the API's JSON body carries it: rows left empty are not attachments."""
    body: dict[str, Any] = {"record_type": record_type, "record_id": record_id}
    for name in ("statement", "commitment"):
        if values[name].strip():
            body[name] = values[name].strip()
    # A half-filled row is sent as it is (the schema says which half is missing).
    rows = [(n, r) for n, r in values["attachments"] if n or r]
    body["attachments"] = [{k: v for k, v in (("name", n), ("ref", r)) if v} for n, r in rows]
    return body


def _placed(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's errors on the form's fields: an attachment's by its row (attachments.0.ref: 材料 1)."""
    placed: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "attachments" and len(parts) == 3 and parts[1].isdigit():
            part = {"name": "名称", "ref": "文号或网址"}.get(parts[2], parts[2])
            messages = [f"材料 {int(parts[1]) + 1} 的{part}：{m}" for m in messages]
        placed.setdefault(parts[0], []).extend(messages)
    return placed


def _page(record_type: str, record: Any, form: RecordForm, status: int) -> tuple[str, int]:
    return render(
        "console/repair_application_form.html",
        status,
        section="penalties" if record_type == "penalty" else "list_entries",
        scope=None,
        record_type=record_type,
        record=record,
        entity=as_api(get_entity, record.entity_id, current_actor()),
        form=form,
        rows=ROWS,
        today=today(),
    )


def _submit(record_type: str, record: Any, actor: Actor) -> ResponseReturnValue:
    form = RecordForm(LABELS, values=_typed())
    try:
        data = RepairIn().load(_body(record_type, record.id, form.values))
        application = repair_service.submit_repair(
            current_session(), data, actor, today(), current_rules(current_session())
        )
    except ma.ValidationError as exc:
        refusals(form, _placed(flatten(exc.messages)))
        return _page(record_type, record, form, 422)
    except NotPermitted:
        abort(403, description="这条记录属于其他机关，只有作出决定的机关可以为它登记信用修复申请。")
    except RegistryError as exc:
        refusals(form, _placed(said_by_field(exc)) or {"_form": [said(exc)]})
        form.message = said(exc)
        return _page(record_type, record, form, exc.status)
    flash(
        f"已登记信用修复申请 {application.id}，请在 {cn_date(application.accept_by)} 前受理，"
        f"{cn_date(application.decide_by)} 前作出决定。",
        "ok",
    )
    return redirect(url_for("console.repairs"), code=303)


def _application(record_type: str, record_id: int) -> ResponseReturnValue:
    """The application form (GET) or the application (POST) for one of the authority's own records."""
    if request.method == "POST":
        check_csrf()
    actor = current_actor()
    record = as_api(FETCH[record_type], record_id, actor, today())
    require_own(actor, record.authority_id)
    if request.method == "POST":
        return _submit(record_type, record, actor)
    return _page(record_type, record, RecordForm(LABELS, values={"attachments": [("", "")] * ROWS}), 200)


@bp.route("/console/penalties/<int:penalty_id>/repair-application", methods=["GET", "POST"])
@login_required("supervisor")
def penalty_repair_application(penalty_id: int) -> ResponseReturnValue:
    """登记信用修复申请 for a penalty, past its minimum publication period."""
    return _application("penalty", penalty_id)


@bp.route("/console/list-entries/<int:entry_id>/repair-application", methods=["GET", "POST"])
@login_required("supervisor")
def list_entry_repair_application(entry_id: int) -> ResponseReturnValue:
    """登记信用修复申请 for a list entry whose list allows repair."""
    return _application("list_entry", entry_id)
