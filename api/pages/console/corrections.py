"""更正 in the console: a penalty's or a list entry's recorded facts corrected with the reason, through
the API's schemas (`PenaltyCorrection`, `ListEntryCorrection`) and services.

The form is drawn from the record and carries its version. Only the fields the person changed
from that version are sent, as an API client sends them in a PATCH (a field sent unchanged would
not be a no-op everywhere: a 公示截止期 sent back would count as one the authority chose). When
someone else changed the record meanwhile the service refuses the version; the form comes back
with what the person typed in the fields they changed, the current values in the others, and in
words what was changed, by whom and when (`edits.stale_notice`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from api.errors import flatten
from api.lifecycle import now, today
from api.pages.auth import check_csrf, login_required
from api.pages.console.edits import (
    Baseline,
    StaleNotice,
    as_form,
    baseline,
    form_version,
    require_own,
    same,
    stale_notice,
    subject_text,
)
from api.pages.console.forms import RecordForm, form_page, refusals, resolve_subject, typed_values
from api.pages.console.labels import LIST_ENTRY_LABELS, PENALTY_LABELS
from api.schemas.list_entries import ListEntryCorrection
from api.schemas.penalties import PenaltyCorrection
from registry.errors import Conflict, NotPermitted, RegistryError, StaleVersion
from registry.ledger import Actor
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records.entities import get_entity
from registry.runtime import current_rules

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session
from api.pages.console import bp
from api.pages.console.common import as_api, current_actor, current_session, said, said_by_field


def _correct_penalty(
    session: Session, record_id: int, changes: dict[str, Any], reason: str, actor: Actor, version: int
) -> Any:
    return penalty_service.correct_penalty(
        session, record_id, changes, reason, actor, version, today(), rules=current_rules(session), now=now()
    )


def _correct_list_entry(
    session: Session, record_id: int, changes: dict[str, Any], reason: str, actor: Actor, version: int
) -> Any:
    return entry_service.correct_list_entry(
        session, record_id, changes, reason, actor, version, today(), rules=current_rules(session), now=now()
    )


# What a correction form does not offer: the subject is named by "subject" in place of entity_id;
# the responsible persons (失信相关人) stay with the API, as on the forms that record.
_NOT_ON_FORM = ("entity_id", "reason", "responsible_persons")


@dataclass(frozen=True)
class Corrected:
    """One kind of record the console corrects: its schema, form, pages and service."""

    record_type: str
    noun: str
    schema: Callable[[], ma.Schema]
    labels: dict[str, str]
    template: str
    section: str
    endpoint: str
    id_arg: str
    fetch: Callable[..., Any]
    apply: Callable[[Session, int, dict[str, Any], str, Actor, int], Any]

    @property
    def fields(self) -> tuple[str, ...]:
        return ("subject", *(n for n in self.schema().fields if n not in _NOT_ON_FORM))


PENALTY = Corrected(
    "penalty",
    "行政处罚",
    PenaltyCorrection,
    {**PENALTY_LABELS, "reason": "更正理由"},
    "console/penalty_form.html",
    "penalties",
    "console.penalty",
    "penalty_id",
    penalty_service.get_penalty,
    _correct_penalty,
)
LIST_ENTRY = Corrected(
    "list_entry",
    "名单记录",
    ListEntryCorrection,
    {**LIST_ENTRY_LABELS, "reason": "更正理由"},
    "console/list_entry_form.html",
    "list_entries",
    "console.list_entry",
    "entry_id",
    entry_service.get_list_entry,
    _correct_list_entry,
)


def _values(kind: Corrected, snapshot: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """A snapshot of the record as the form's fields hold it, the subject by its code or number."""
    subject = subject_text(as_api(get_entity, snapshot["entity_id"], actor))
    return {name: subject if name == "subject" else as_form(name, snapshot.get(name)) for name in kind.fields}


def _changes(kind: Corrected, form: RecordForm, mine: dict[str, Any], actor: Actor) -> dict[str, Any] | None:
    """The PATCH body of the fields the person changed, with the reason, loaded by the API's schema
    (None when refused: the reasons are on the form's fields)."""
    data: dict[str, Any] = {}
    for name, value in mine.items():
        if isinstance(value, list):
            data[name] = [v for v in value if v.strip()]
        elif name != "subject":
            data[name] = value.strip() or None  # emptied: the schema says whether the field may be
    if "subject" in mine:
        subject = resolve_subject(current_session(), actor, mine["subject"], form)
        if subject is not None:
            data["entity_id"] = subject
        elif not form.errors:
            form.add("subject", "必填：请填写统一社会信用代码或登记主体编号。")
    if form.values.get("reason", "").strip():
        data["reason"] = form.values["reason"].strip()
    try:
        loaded: dict[str, Any] = kind.schema().load(data)
    except ma.ValidationError as exc:
        refusals(form, flatten(exc.messages))
        return None
    return None if form.errors else loaded


def _page(
    kind: Corrected, record: Any, form: RecordForm, status: int, version: int, stale: StaleNotice | None = None
) -> tuple[str, int]:
    return form_page(kind.template, form, status, kind.section, correcting=record, version=version, stale=stale)


def _stale(kind: Corrected, record: Any, form: RecordForm, base: Baseline, mine: dict[str, Any]) -> tuple[str, int]:
    """The form again after someone else's change: the person's own changes kept, the other fields
    as they are now, the version now current, and what was changed meanwhile in words."""
    key = {name: "entity_id" if name == "subject" else name for name in kind.fields}
    labels = {key[name]: kind.labels[name] for name in kind.fields}
    notice = stale_notice(kind.record_type, base, "更正", labels, {key[n]: v for n, v in mine.items()})
    form.values = {**_values(kind, base.now, current_actor()), **mine, "reason": form.values.get("reason", "")}
    return _page(kind, record, form, 412, base.current, notice)


def _corrected(kind: Corrected, record: Any, result: Any, version: int) -> str:
    if result.version == version:
        return f"没有修改任何信息项：{kind.noun} {record.decision_number} 未变。"
    return f"已更正{kind.noun} {result.decision_number}（现为第 {result.version} 版），更正理由和变更内容已留痕。"


def _submitted(kind: Corrected, record: Any, actor: Actor) -> ResponseReturnValue:
    version = form_version()
    base = baseline(kind.record_type, record, version)
    form = RecordForm(kind.labels, values=typed_values(request.form, (*kind.fields, "reason")))
    held = _values(kind, base.read, actor)
    mine = {name: form.values[name] for name in kind.fields if not same(form.values[name], held[name])}
    changes = _changes(kind, form, mine, actor)
    if changes is None:
        return _page(kind, record, form, 422, version)
    reason = changes.pop("reason")
    try:
        result = kind.apply(current_session(), record.id, changes, reason, actor, version)
    except StaleVersion:
        return _stale(kind, record, form, base, mine)
    except NotPermitted:
        abort(403, description="这条记录属于其他机关，您不能更正（谁批准、谁公开）。")
    except RegistryError as exc:
        refusals(form, said_by_field(exc) or {"_form": [said(exc)]})
        form.message = said(exc) if isinstance(exc, Conflict) else None
        return _page(kind, record, form, exc.status, version)
    flash(_corrected(kind, record, result, version), "ok")
    return redirect(url_for(kind.endpoint, **{kind.id_arg: record.id}), code=303)


def correction(kind: Corrected, record_id: int) -> ResponseReturnValue:
    """The correction form (GET) or the correction (POST) of one of the authority's own records."""
    if request.method == "POST":
        check_csrf()
    actor = current_actor()
    record = as_api(kind.fetch, record_id, actor, today())
    require_own(actor, record.authority_id)
    if request.method == "POST":
        return _submitted(kind, record, actor)
    form = RecordForm(kind.labels, values=_values(kind, record.snapshot(), actor))
    return _page(kind, record, form, 200, record.version)


@bp.route("/console/penalties/<int:penalty_id>/correct", methods=["GET", "POST"])
@login_required("supervisor")
def correct_penalty(penalty_id: int) -> ResponseReturnValue:
    """更正行政处罚: the recorded fields with the reason, checked by the API's schema and service."""
    return correction(PENALTY, penalty_id)


@bp.route("/console/list-entries/<int:entry_id>/correct", methods=["GET", "POST"])
@login_required("supervisor")
def correct_list_entry(entry_id: int) -> ResponseReturnValue:
    """更正名单记录: the recorded facts with the reason (its state changes by 移出, 修复, 撤销)."""
    return correction(LIST_ENTRY, entry_id)
