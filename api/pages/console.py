"""Supervisor console (监管工作台): one authority's records, their publication, disclosure deadlines,
credit-repair decisions, and forms to record a penalty (行政处罚) or a list entry (名单).

A supervisor key acts for one authority (谁批准、谁公开); an administrator sees every authority and
chooses one with the `authority` filter. Every page goes through the same services and schemas as
the JSON API, so a page shows and refuses what the API shows and refuses:

- **Another authority's record** is refused as the API refuses it. The detail page is the record
  (`GET /api/v1/penalties/{id}`) plus its history (`GET …/{id}/history`): a record the key may not
  read is 404, as the API's read answers (an unpublished record of another authority); a record
  it may read (published) but whose history is closed is 403, as the history answers. Neither
  error page carries anything of the record. Asking a list for another authority (`?authority=`)
  is 403, as the timeliness report answers it.
- **Forms load the API's marshmallow schema** (`PenaltyIn`, `ListEntryIn`, `ReasonArgs`) and call the
  API's service; what they refuse is shown next to the field with the API's own message (a
  Chinese gloss is put before the common ones). The page answers with the API's status (422,
  409, 412) and `api.lifecycle` rolls the request back, as for the API; a success is a 303.
- **Repair decisions carry the version** the page was drawn from in a hidden field, in place of
  If-Match: when someone changed the application meanwhile the service refuses it (412) and the
  page says so, showing the application as it now stands.

Decisions a reader should know:

- **What the console reads** (the authority shown, records with their publication state,
  deadlines) is `registry.records.console_queries`; how it says it is `api.pages.console_labels`.
- **The subject** of a new record is given by 统一社会信用代码 (18 characters, found through the
  entity service) or by the registered entity's number; registering a new entity stays with the API.
- **A supervisor's form has no authority field**: the key's own authority is used, as the API
  defaults it; an `authority_id` forged into the form goes to the service, which refuses it (403).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from api.errors import flatten
from api.lifecycle import now, today
from api.pages.auth import ROLE_NAMES, check_csrf, login_required, page_actor
from api.pages.console_labels import (
    ACTIONS,
    LIST_ENTRY_LABELS,
    PENALTY_LABELS,
    STATE_MEANINGS,
    beijing,
    cn_date,
    history_rows,
    penalty_rows,
    shown,
)
from api.schemas.common import ReasonArgs
from api.schemas.list_entries import ListEntryFilter, ListEntryIn
from api.schemas.penalties import PenaltyFilter, PenaltyIn
from api.schemas.reports import TimelinessArgs
from registry.codes.idnumber import ID_TYPES
from registry.codes.uscc import normalise as normalise_uscc
from registry.database import db
from registry.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    RegistryError,
    StaleVersion,
)
from registry.ledger import Actor
from registry.models import RepairApplication
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records import repairs as repair_service
from registry.records.authorities import get_authority
from registry.records.common import MAX_PER_PAGE
from registry.records.console_queries import (
    PER_PAGE,
    Scope,
    all_authorities,
    authority_names,
    console_overview,
    console_scope,
    default_period,
    disclosure,
    list_entry_page,
    list_entry_state_of,
    own_authority,
    penalty_page,
    penalty_state_of,
    record_scope,
    repair_subjects,
)
from registry.records.entities import get_entity, list_entities
from registry.records.history import record_history
from registry.records.responsible_persons import shown_persons
from registry.runtime import current_rules, current_runtime
from registry.screening.measure_reach import entity_reach
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PENALTY_CATEGORIES,
    PENALTY_STATES,
    PROCEDURES,
    PUBLICATION_STATES,
    RECORD_TYPES,
    REPAIR_STATES,
    RESPONSIBLE_ROLES,
    SEVERITIES,
)

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session

bp = Blueprint("console", __name__)
T = TypeVar("T")

REPAIR_ACTIONS = {"accept": "受理", "reject": "不予修复", "complete": "修复完成"}

LABELS = {
    "states": PUBLICATION_STATES, "state_meanings": STATE_MEANINGS, "domains": DOMAINS,
    "severities": SEVERITIES, "procedures": PROCEDURES, "list_types": LIST_TYPES, "entry_states": LIST_ENTRY_STATES,
    "penalty_states": PENALTY_STATES, "repair_states": REPAIR_STATES, "record_types": RECORD_TYPES,
    "kinds": ENTITY_KINDS, "roles": ROLE_NAMES, "actions": ACTIONS, "categories": PENALTY_CATEGORIES,
    "responsible_roles": RESPONSIBLE_ROLES, "id_types": ID_TYPES,
}

# marshmallow's and the services' most common messages, glossed in Chinese. The API's own words
# follow the gloss, so what the page says is what the API says.
_GLOSSES = (
    ("Missing data for required field", "必填"),
    ("Field may not be null", "必填"),
    ("Not a valid date", "日期应写作 年-月-日，如 2026-11-02"),
    ("Not a valid integer", "应为整数"),
    ("Not a valid number", "应为数字"),
    ("Not a valid boolean", "请选择是或否"),
    ("Must be one of", "请从给定的选项中选择"),
    ("Length must be between", "长度超出限制"),
    ("Shorter than minimum length", "至少选择一项"),
    ("must not be empty", "不能为空"),
    ("is in the future", "不能晚于今天"),
    ("already recorded", "本机关已登记过这个文书号"),
    ("needs the amount in 万元", "处罚类别包含此项，须填写金额（万元）"),
    ("an amount is given but", "处罚类别不包含此项，不应填写金额"),
    ("a record that is not public needs the reason", "不公开的记录须写明理由"),
    ("only a record that is not public has a reason", "公开的记录不填写不公开理由"),
)


# --- small helpers ---------------------------------------------------------------------------


def gloss(message: str) -> str:
    """The API's message, with a Chinese gloss before it where one is known."""
    for start, chinese in _GLOSSES:
        if start in message:
            return f"{chinese}（{message}）"
    return message


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, labels=LABELS, cn_date=cn_date, beijing=beijing, shown=shown,
                           **context), status


def _actor() -> Actor:
    actor = page_actor()
    if actor is None:  # login_required ran first: only a key revoked within this request gets here
        abort(403)
    return actor


def _session() -> Session:
    return db.session()


def _as_api(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a read service; its refusal becomes the API's status as an HTML page, naming nothing of the record."""
    try:
        return call(_session(), *args, **kwargs)
    except NotFound:
        abort(404, description="没有这条记录，或您无权查看。")
    except NotPermitted:
        abort(403, description="这条记录属于其他机关。监管工作台只显示本机关的记录（谁批准、谁公开）；"
                               "已公示的内容可在信用查询中查看。")


# --- which authority ---------------------------------------------------------------------------


def _scope(actor: Actor) -> Scope:
    """The authority the page shows: the service checks the actor may see it (403, 404)."""
    try:
        return console_scope(_session(), actor, request.args.get("authority", ""))
    except NotPermitted as exc:
        abort(403, description=exc.message)
    except NotFound:
        abort(404, description="没有这个机关。")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1


def _filters(
    schema: ma.Schema, names: dict[str, str],
) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, str]]:
    """The list filters from the query string, validated by the API's filter schema.

    `names` maps each query parameter to the schema's field. Returns the loaded filters, the
    errors by parameter, and the values as typed (to put back in the form).
    """
    typed = {param: request.args.get(param, "").strip() for param in names}
    given = {names[param]: value for param, value in typed.items() if value}
    try:
        loaded = schema.load(given)
    except ma.ValidationError as exc:
        back = {v: k for k, v in names.items()}
        errors = {back.get(key.split(".")[0], key): [gloss(m) for m in messages]
                  for key, messages in flatten(exc.messages).items()}
        return {}, errors, typed
    return loaded, {}, typed


def _state_filter() -> tuple[str | None, dict[str, list[str]]]:
    state = request.args.get("state", "").strip()
    if state and state not in PUBLICATION_STATES:
        return None, {"state": [f"请从给定的选项中选择（{'、'.join(PUBLICATION_STATES.values())}）"]}
    return state or None, {}


# --- the overview --------------------------------------------------------------------------------


@bp.get("/console")
@login_required("supervisor")
def overview() -> ResponseReturnValue:
    """监管工作台: the authority's records by publication state, deadlines and repairs waiting."""
    actor, session, day = _actor(), _session(), today()
    scope = _scope(actor)
    found = console_overview(session, actor, current_rules(session), day, scope)
    return _render(
        "console/overview.html", section="overview", scope=scope,
        authorities=all_authorities(session) if scope.may_choose else [],
        penalty_counts=found.penalty_counts, entry_counts=found.entry_counts,
        due=found.due, repairs=found.repairs, today=day,
    )


# --- the lists -----------------------------------------------------------------------------------


@bp.get("/console/penalties")
@login_required("supervisor")
def penalties() -> ResponseReturnValue:
    """本机关的行政处罚: with publication state, filtered by state, domain and decision date."""
    actor, session, day = _actor(), _session(), today()
    scope = _scope(actor)
    filters, errors, typed = _filters(PenaltyFilter(), {"domain": "domain", "from": "decided_from",
                                                        "to": "decided_to"})
    state, state_errors = _state_filter()
    errors.update(state_errors)
    listing = None if errors else penalty_page(session, day, scope.authority_id, filters, state, _page_number())
    return _render("console/penalties.html", 422 if errors else 200, section="penalties", scope=scope,
                   authorities=all_authorities(session) if scope.may_choose else [],
                   listing=listing, errors=errors, typed={**typed, "state": request.args.get("state", "")},
                   today=day)


@bp.get("/console/list-entries")
@login_required("supervisor")
def list_entries() -> ResponseReturnValue:
    """本机关的名单: with publication state, filtered by state, type, domain and listing date."""
    actor, session, day = _actor(), _session(), today()
    scope = _scope(actor)
    filters, errors, typed = _filters(ListEntryFilter(), {"domain": "domain", "list_type": "list_type",
                                                          "from": "listed_from", "to": "listed_to"})
    state, state_errors = _state_filter()
    errors.update(state_errors)
    listing = None if errors else list_entry_page(session, day, scope.authority_id, filters, state,
                                                  _page_number())
    return _render("console/list_entries.html", 422 if errors else 200, section="list_entries", scope=scope,
                   authorities=all_authorities(session) if scope.may_choose else [],
                   listing=listing, errors=errors, typed={**typed, "state": request.args.get("state", "")},
                   today=day)


# --- one record ----------------------------------------------------------------------------------


def _record_repairs(session: Session, actor: Actor, day: dt.date, record_type: str,
                    record_id: int) -> list[RepairApplication]:
    return repair_service.list_repairs(session, actor, day, filters={"record_type": record_type,
                                                                      "record_id": record_id},
                                       per_page=MAX_PER_PAGE).items


@bp.get("/console/penalties/<int:penalty_id>")
@login_required("supervisor")
def penalty(penalty_id: int) -> ResponseReturnValue:
    """一条行政处罚: every field, its publication and its history (own authority)."""
    actor, session, day = _actor(), _session(), today()
    record = _as_api(penalty_service.get_penalty, penalty_id, actor, day)
    history = _as_api(record_history, actor, "penalty", penalty_id)
    entity = _as_api(get_entity, record.entity_id, actor)
    authority = _as_api(get_authority, record.authority_id)
    source = _as_api(get_authority, record.data_source_authority_id)
    state = penalty_state_of(session, record, day)
    return _render("console/penalty.html", section="penalties", record=record, entity=entity,
                   persons=shown_persons(actor, record),
                   state=state, rows=penalty_rows(record, entity, authority, source),
                   history=history_rows(history, "penalty"),
                   repairs=_record_repairs(session, actor, day, "penalty", record.id),
                   today=day, scope=record_scope(actor, authority))


@bp.get("/console/list-entries/<int:entry_id>")
@login_required("supervisor")
def list_entry(entry_id: int) -> ResponseReturnValue:
    """一条名单记录: every field, its transitions, its publication and its history (own authority)."""
    actor, session, day = _actor(), _session(), today()
    record = _as_api(entry_service.get_list_entry, entry_id, actor, day)
    history = _as_api(record_history, actor, "list_entry", entry_id)
    entity = _as_api(get_entity, record.entity_id, actor)
    authority = _as_api(get_authority, record.authority_id)
    state = list_entry_state_of(session, record, day)
    return _render("console/list_entry.html", section="list_entries", record=record, entity=entity,
                   persons=shown_persons(actor, record),
                   state=state, authority=authority, entry_status=record.status_on(day),
                   history=history_rows(history, "list_entry"),
                   repairs=_record_repairs(session, actor, day, "list_entry", record.id), today=day,
                   scope=record_scope(actor, authority))


@bp.get("/console/entities/<int:entity_id>/measures")
@login_required("supervisor")
def entity_reach_page(entity_id: int) -> ResponseReturnValue:
    """联合惩戒范围: what a screening in each of the eight domains would decide for the entity today, and why."""
    actor, day = _actor(), today()
    entity = _as_api(get_entity, entity_id, actor)
    reach = _as_api(entity_reach, actor, entity_id, day, current_runtime().measures)
    return _render("console/entity_reach.html", section="", scope=_scope(actor), entity=entity, reach=reach,
                   today=day)


# --- due and overdue (公开时效) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The period the due page covers: as typed (put back in the form), as read, and what was refused."""

    typed: dict[str, str]
    date_from: dt.date
    date_to: dt.date
    errors: dict[str, list[str]]


def _period(day: dt.date) -> Period:
    """`from` and `to` from the query string, checked by the timeliness report's schema (the API's).

    Neither given: the default period. One given: the other end is the default period's. Refused:
    the default period, with the refusals by parameter.
    """
    date_from, date_to = default_period(day)
    typed = {"from": request.args.get("from", "").strip(), "to": request.args.get("to", "").strip()}
    if not (typed["from"] or typed["to"]):
        return Period(typed, date_from, date_to, {})
    try:
        period = TimelinessArgs().load({"from": typed["from"] or date_from.isoformat(),
                                        "to": typed["to"] or date_to.isoformat()})
    except ma.ValidationError as exc:
        errors = {key: [gloss(m) for m in messages] for key, messages in flatten(exc.messages).items()}
        return Period(typed, date_from, date_to, errors)
    return Period(typed, period["date_from"], period["date_to"], {})


@bp.get("/console/due")
@login_required("supervisor")
def due() -> ResponseReturnValue:
    """公开时效: records overdue for disclosure, and those due soon, with deadlines in working days."""
    actor, session, day = _actor(), _session(), today()
    scope = _scope(actor)
    period = _period(day)
    found = None if period.errors else disclosure(session, actor, current_rules(session), day, scope.authority_id,
                                                  period.date_from, period.date_to)
    names = authority_names(session, [r.authority_id for r in found.pending] if found else [])
    return _render("console/due.html", 422 if period.errors else 200, section="due", scope=scope,
                   authorities=all_authorities(session) if scope.may_choose else [],
                   due=found, errors=period.errors, typed=period.typed, date_from=period.date_from,
                   date_to=period.date_to, authority_names=names, today=day)


# --- credit repair decisions (信用修复) ------------------------------------------------------------


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
        views.append(RepairView(a, label, url, found.subjects.get(a.entity_id, ""),
                                repair_service.is_overdue(a, day)))
    return views


def _repairs_page(status: int = 200, problem: RepairError | None = None) -> tuple[str, int]:
    actor, session, day = _actor(), _session(), today()
    scope = _scope(actor)
    in_scope = {"authority_id": scope.authority_id} if scope.authority_id is not None else {}
    tables = {}
    for state in repair_service.OPEN_STATES:
        raw = request.args.get(f"page_{state}", "1")
        number = int(raw) if raw.isdigit() and int(raw) >= 1 else 1
        found = repair_service.list_repairs(session, actor, day, filters={**in_scope, "status": state},
                                            page=number, per_page=PER_PAGE)
        tables[state] = {"page": found, "views": _repair_views(session, day, found.items),
                         "pages": max(math.ceil(found.total / PER_PAGE), 1)}
    return _render("console/repairs.html", status, section="repairs", scope=scope,
                   authorities=all_authorities(session) if scope.may_choose else [],
                   tables=tables, problem=problem, actions=REPAIR_ACTIONS, today=day)


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


def _decide(application_id: int, action: str, reason: str, actor: Actor, version: int,
            day: dt.date) -> RepairApplication:
    """The API's service for the action. An application the key may not see or decide is an error
    page naming nothing of it; the other refusals are shown on the application (`_decision_refused`)."""
    session = _session()
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


def _decision_refused(exc: StaleVersion | Conflict | InvalidInput, application_id: int, action: str,
                      typed: str) -> tuple[str, int]:
    """The repairs page with the refusal on the application, at the API's status."""
    if isinstance(exc, StaleVersion):
        message = ("这份申请在您打开页面之后已被他人处理或修改，您的操作没有执行。"
                   f"下面显示的是它现在的状态，请核对后重新操作。（{exc.message}）")
        return _repairs_page(412, RepairError(application_id, action, 412, message, typed))
    fields = [gloss(m) for m in exc.errors.get("reason", [])]
    return _repairs_page(exc.status, RepairError(application_id, action, exc.status, gloss(exc.message),
                                                 typed, fields))


def _decided(application: RepairApplication, action: str) -> str:
    """What the repairs page opens with after a decision: the action taken and where the application now stands."""
    return (f"信用修复申请 {application.id}：已{REPAIR_ACTIONS[action]}"
            f"（状态：{REPAIR_STATES.get(application.status, application.status)}）。")


@bp.post("/console/repairs/<int:application_id>/<action>")
@login_required("supervisor")
def decide_repair(application_id: int, action: str) -> ResponseReturnValue:
    """Decide one application as the API does: the version read stands in for If-Match."""
    check_csrf()
    if action not in REPAIR_ACTIONS:
        abort(404)
    actor, day, version = _actor(), today(), _form_version()
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
    return redirect(url_for("console.repairs", **_scope(actor).args), code=303)


# --- recording a penalty or a list entry ---------------------------------------------------------


@dataclass
class RecordForm:
    """What the person entered (kept when the form comes back) and what was refused, by field."""

    labels: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


# The form fields that carry several values (checkboxes).
_LIST_FIELDS = ("categories", "domains")


def _typed(form: MultiDict[str, str], names: Iterable[str]) -> dict[str, Any]:
    return {name: form.getlist(name) if name in _LIST_FIELDS else form.get(name, "") for name in names}


def _subject(session: Session, actor: Actor, typed: str, form: RecordForm) -> int | str | None:
    """The entity a form names by 统一社会信用代码 (18 characters) or by its number."""
    text = typed.strip()
    if not text:
        return None  # the schema says the field is required, in the API's words
    if len(normalise_uscc(text)) == 18:
        found = list_entities(session, actor, uscc=text, per_page=2)
        if found.total == 1:
            return found.items[0].id
        form.add("subject", f"主体库中没有统一社会信用代码为 {text} 的主体。请核对代码；"
                            "尚未登记的主体请先在主体库登记，再填写代码或登记主体编号。")
        return None
    if text.isdigit():
        return text
    form.add("subject", "请填写 18 位统一社会信用代码，或登记主体编号（数字）。")
    return None


def _schema_input(schema: ma.Schema, values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the API's JSON body would carry them: empty optional fields are null
    where the schema allows it and absent otherwise; empty required fields are absent."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if name not in schema.fields:
            continue
        if isinstance(value, list):
            chosen = [v for v in value if v.strip()]
            if chosen:
                data[name] = chosen
            continue
        text = value.strip()
        if text:
            data[name] = text
        elif schema.fields[name].allow_none:
            data[name] = None
    return data


def _refusals(form: RecordForm, errors: dict[str, list[str]]) -> None:
    """The API's errors, each on the form field it concerns."""
    for key, messages in errors.items():
        head = key.split(".")[0]
        name = "subject" if head == "entity_id" else head
        if name == "subject" and form.errors.get("subject"):
            continue  # the page already said why the subject was not found
        for message in messages:
            form.add(name if name in form.labels else "_form", gloss(message))


def _submit(schema: ma.Schema, form: RecordForm, actor: Actor, call: Callable[[dict[str, Any]], T]) -> T | int:
    """Validate with the API's schema, then record with the API's service: the record, or the status."""
    session = _session()
    subject = _subject(session, actor, form.values.get("subject", ""), form)
    # A supervisor's form has no authority field (the key's own, as the API defaults it); one
    # forged in goes to the service, which refuses another authority as the API does (403).
    data = _schema_input(schema, {k: v for k, v in form.values.items() if k != "subject"})
    if subject is not None:
        data["entity_id"] = subject
    try:
        loaded = schema.load(data)
    except ma.ValidationError as exc:
        _refusals(form, flatten(exc.messages))
        return 422
    if form.errors:
        return 422
    try:
        return call(loaded)
    except NotPermitted as exc:
        abort(403, description=f"您的密钥不能为此机关登记记录（谁批准、谁公开）。（{exc.message}）")
    except RegistryError as exc:
        _refusals(form, exc.errors or {"_form": [exc.message]})
        if isinstance(exc, Conflict):
            form.message = gloss(exc.message)
        return exc.status


def _form_page(template: str, form: RecordForm, status: int, section: str) -> tuple[str, int]:
    actor, session = _actor(), _session()
    own = own_authority(session, actor)
    return _render(template, status, section=section, form=form, own=own, today=today(),
                   authorities=all_authorities(session),
                   list_names=sorted(current_runtime().catalogue.lists.values(), key=lambda n: n.name),
                   scope=Scope(actor.authority_id, own, actor.role != "supervisor"))


# Every field the API's schema takes, the entity named by "subject" in its place.
PENALTY_FORM_FIELDS = ("subject", *(n for n in PenaltyIn._declared_fields if n != "entity_id"))
LIST_ENTRY_FORM_FIELDS = ("subject", *(n for n in ListEntryIn._declared_fields if n != "entity_id"))


@bp.route("/console/penalties/new", methods=["GET", "POST"])
@login_required("supervisor")
def new_penalty() -> ResponseReturnValue:
    """登记行政处罚: every field the API takes, checked by the API's schema and service."""
    form = RecordForm(PENALTY_LABELS, values={"is_public": "true"})
    if request.method == "GET":
        return _form_page("console/penalty_form.html", form, 200, "new_penalty")
    check_csrf()
    actor = _actor()
    form.values = _typed(request.form, PENALTY_FORM_FIELDS)
    session = _session()
    result = _submit(PenaltyIn(), form, actor, lambda data: penalty_service.record_penalty(
        session, data, actor, today(), rules=current_rules(session), now=now()))
    if isinstance(result, int):
        return _form_page("console/penalty_form.html", form, result, "new_penalty")
    flash(f"已登记行政处罚 {result.decision_number}（编号 {result.id}），"
          f"公示截止期 {cn_date(result.publication_ends_on)}。", "ok")
    return redirect(url_for("console.penalty", penalty_id=result.id), code=303)


@bp.route("/console/list-entries/new", methods=["GET", "POST"])
@login_required("supervisor")
def new_list_entry() -> ResponseReturnValue:
    """登记名单: every field the API takes, checked by the API's schema and service."""
    form = RecordForm(LIST_ENTRY_LABELS, values={"is_public": "true"})
    if request.method == "GET":
        return _form_page("console/list_entry_form.html", form, 200, "new_list_entry")
    check_csrf()
    actor = _actor()
    form.values = _typed(request.form, LIST_ENTRY_FORM_FIELDS)
    session = _session()
    result = _submit(ListEntryIn(), form, actor, lambda data: entry_service.create_list_entry(
        session, data, actor, today(), rules=current_rules(session), now=now()))
    if isinstance(result, int):
        return _form_page("console/list_entry_form.html", form, result, "new_list_entry")
    flash(f"已登记名单记录：{result.list_name} {result.decision_number}（编号 {result.id}）。", "ok")
    return redirect(url_for("console.list_entry", entry_id=result.id), code=303)
