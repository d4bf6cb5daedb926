"""A record's changes of state in the console: 撤销 a penalty; 移出, 信用修复 and 撤销 a list entry.

Each is a form with the reason and the day it takes effect, read by the API's schema
(`RevocationIn`, `TransitionIn`) and done by the API's service, the version the page was drawn from
standing in for If-Match. What the service refuses is shown beside the field, in Chinese first;
a stale version is answered in words with what someone else changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from api.errors import flatten
from api.lifecycle import today
from api.pages.auth import check_csrf, login_required
from api.pages.console.edits import StaleNotice, baseline, form_version, require_own, stale_notice
from api.pages.console.forms import RecordForm, refusals, typed_values
from api.schemas.list_entries import TransitionIn
from api.schemas.penalties import RevocationIn
from registry.errors import Conflict, NotPermitted, RegistryError, StaleVersion
from registry.ledger import Actor
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records.entities import get_entity
from registry.records.list_entry_transitions import open_transitions

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session
from api.pages.console import bp
from api.pages.console.common import as_api, current_actor, current_session, render, said, said_by_field

NOUNS = {"penalty": "行政处罚", "list_entry": "名单记录", "licence": "行政许可"}
SECTIONS = {"penalty": "penalties", "list_entry": "list_entries", "licence": "licences"}

Apply = Callable[["Session", int, str, dt.date | None, Actor, int, dt.date], Any]


@dataclass(frozen=True)
class Move:
    """One change of state: its words, its form's date field, the API's schema and service."""

    record_type: str
    action: str
    title: str
    verb: str
    date_field: str
    date_label: str
    explain: str
    schema: Callable[[], ma.Schema]
    fetch: Callable[..., Any]
    apply: Apply
    endpoint: str
    id_arg: str

    @property
    def labels(self) -> dict[str, str]:
        return {"reason": f"{self.verb}理由", self.date_field: self.date_label}

    @property
    def noun(self) -> str:
        return NOUNS[self.record_type]

    def open_on(self, record: Any, day: dt.date) -> bool:
        """Whether the record's state still allows this change (as the service checks it)."""
        if self.record_type == "penalty":
            return penalty_service.changeable(record)
        if self.record_type == "licence":
            return bool(record.status == "effective")  # expired (read from 有效期至) may still be withdrawn
        return {"remove": "removed", "repair": "repaired", "revoke": "revoked"}[self.action] in open_transitions(
            record, day
        )


REVOKE_PENALTY = Move(
    "penalty",
    "revoke",
    "撤销行政处罚决定",
    "撤销",
    "revoked_on",
    "撤销日期",
    "处罚决定被撤销（行政复议、行政诉讼或本机关自行撤销）后停止公示，不再用于资格审查；记录和变更记录保留，不能再更正。",
    RevocationIn,
    penalty_service.get_penalty,
    penalty_service.revoke_penalty,
    "console.penalty",
    "penalty_id",
)
REMOVE_ENTRY = Move(
    "list_entry",
    "remove",
    "移出名单",
    "移出",
    "effective_on",
    "移出日期",
    "在有效期届满前将主体移出名单。移出后停止公示，不再用于资格审查；记录保留。",
    TransitionIn,
    entry_service.get_list_entry,
    entry_service.remove_list_entry,
    "console.list_entry",
    "entry_id",
)
REPAIR_ENTRY = Move(
    "list_entry",
    "repair",
    "信用修复",
    "信用修复",
    "effective_on",
    "修复日期",
    "主体已纠正失信行为、完成信用修复：名单记录停止公示，不再用于资格审查，记录保留。"
    "只有作出认定的机关可以修复（谁认定、谁修复），且须在名单目录规定的可修复日之后；红名单不适用。",
    TransitionIn,
    entry_service.get_list_entry,
    entry_service.repair_list_entry,
    "console.list_entry",
    "entry_id",
)
REVOKE_ENTRY = Move(
    "list_entry",
    "revoke",
    "撤销列入决定",
    "撤销",
    "effective_on",
    "撤销日期",
    "列入决定本身被撤销（行政复议、行政诉讼或本机关自行撤销）：名单记录不再计入，停止公示；记录保留。",
    TransitionIn,
    entry_service.get_list_entry,
    entry_service.revoke_list_entry,
    "console.list_entry",
    "entry_id",
)


def _page(
    move: Move, record: Any, form: RecordForm, status: int, version: int, stale: StaleNotice | None = None
) -> tuple[str, int]:
    actor, day = current_actor(), today()
    return render(
        "console/transition_form.html",
        status,
        section=SECTIONS[move.record_type],
        scope=None,
        move=move,
        record=record,
        entity=as_api(get_entity, record.entity_id, actor),
        status_today=record.status if move.record_type == "penalty" else record.status_on(day),
        open=move.open_on(record, day),
        form=form,
        version=version,
        stale=stale,
        today=day,
    )


def _done(move: Move, result: Any) -> str:
    return f"已{move.verb}：{move.noun} {result.decision_number}（现为第 {result.version} 版），理由已留痕。"


def _submitted(move: Move, record: Any, actor: Actor) -> ResponseReturnValue:
    version = form_version()
    base = baseline(move.record_type, record, version)
    form = RecordForm(move.labels, values=typed_values(request.form, move.labels))
    given = {name: value.strip() for name, value in form.values.items() if value.strip()}
    try:
        data = move.schema().load(given)
    except ma.ValidationError as exc:
        refusals(form, flatten(exc.messages))
        return _page(move, record, form, 422, version)
    try:
        result = move.apply(
            current_session(), record.id, data["reason"], data.get(move.date_field), actor, version, today()
        )
    except StaleVersion:
        notice = stale_notice(move.record_type, base, move.verb, {"status": "状态"}, {})
        return _page(move, record, form, 412, base.current, notice)
    except NotPermitted as exc:
        abort(403, description=f"您不能对这条记录执行此操作（谁批准、谁公开；谁认定、谁修复）。（{said(exc)}）")
    except RegistryError as exc:
        refusals(form, said_by_field(exc) or {"_form": [said(exc)]})
        form.message = said(exc) if isinstance(exc, Conflict) else None
        return _page(move, record, form, exc.status, version)
    flash(_done(move, result), "ok")
    return redirect(url_for(move.endpoint, **{move.id_arg: record.id}), code=303)


def move_page(move: Move, record_id: int) -> ResponseReturnValue:
    """The form (GET) or the change (POST) for one of the authority's own records."""
    if request.method == "POST":
        check_csrf()
    actor = current_actor()
    record = as_api(move.fetch, record_id, actor, today())
    require_own(actor, record.authority_id)
    if request.method == "POST":
        return _submitted(move, record, actor)
    return _page(move, record, RecordForm(move.labels), 200, record.version)


@bp.route("/console/penalties/<int:penalty_id>/revoke", methods=["GET", "POST"])
@login_required("supervisor")
def revoke_penalty(penalty_id: int) -> ResponseReturnValue:
    """撤销行政处罚决定: the reason and the day; the record leaves publication, kept."""
    return move_page(REVOKE_PENALTY, penalty_id)


@bp.route("/console/list-entries/<int:entry_id>/remove", methods=["GET", "POST"])
@login_required("supervisor")
def remove_list_entry(entry_id: int) -> ResponseReturnValue:
    """移出名单: the entry ends before its last day, with the reason."""
    return move_page(REMOVE_ENTRY, entry_id)


@bp.route("/console/list-entries/<int:entry_id>/repair", methods=["GET", "POST"])
@login_required("supervisor")
def repair_list_entry(entry_id: int) -> ResponseReturnValue:
    """信用修复: the deciding authority records the entry repaired (谁认定、谁修复)."""
    return move_page(REPAIR_ENTRY, entry_id)


@bp.route("/console/list-entries/<int:entry_id>/revoke", methods=["GET", "POST"])
@login_required("supervisor")
def revoke_list_entry(entry_id: int) -> ResponseReturnValue:
    """撤销列入决定: the listing decision itself was revoked; the entry is kept, not counted."""
    return move_page(REVOKE_ENTRY, entry_id)
