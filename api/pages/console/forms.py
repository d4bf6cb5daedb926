"""Recording a penalty (行政处罚) or a list entry (名单) in the console, with the API's schema and
service: what they refuse is shown next to the field, and what was typed is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from api.errors import flatten
from api.lifecycle import now, today
from api.pages.auth import check_csrf, login_required
from api.pages.console.labels import LIST_ENTRY_LABELS, PENALTY_LABELS, cn_date
from api.schemas.list_entries import ListEntryIn
from api.schemas.penalties import PenaltyIn
from registry.codes.uscc import normalise as normalise_uscc
from registry.errors import Conflict, NotPermitted, RegistryError
from registry.ledger import Actor
from registry.models import ListEntry, Penalty
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records.console_queries import Scope, all_authorities, own_authority
from registry.records.entities import list_entities
from registry.runtime import current_rules, current_runtime

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session
from api.pages.console import bp
from api.pages.console.common import T, current_actor, current_session, gloss, render, said, said_by_field


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


def typed_values(form: MultiDict[str, str], names: Iterable[str]) -> dict[str, Any]:
    """What the person typed in each field (a list for checkboxes), line ends as the registry keeps them."""
    return {
        name: form.getlist(name) if name in _LIST_FIELDS else form.get(name, "").replace("\r\n", "\n") for name in names
    }


def resolve_subject(session: Session, actor: Actor, typed: str, form: RecordForm) -> int | str | None:
    """The entity a form names by 统一社会信用代码 (18 characters) or by its number."""
    text = typed.strip()
    if not text:
        return None  # the schema says the field is required, in the API's words
    if len(normalise_uscc(text)) == 18:
        found = list_entities(session, actor, uscc=text, per_page=2)
        if found.total == 1:
            return found.items[0].id
        form.add(
            "subject",
            f"主体库中没有统一社会信用代码为 {text} 的主体。请核对代码；"
            "尚未登记的主体请先在主体库登记，再填写代码或登记主体编号。",
        )
        return None
    if text.isdigit():
        return text
    form.add("subject", "请填写 18 位统一社会信用代码，或登记主体编号（数字）。")
    return None


def schema_input(schema: ma.Schema, values: dict[str, Any]) -> dict[str, Any]:
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


def refusals(form: RecordForm, errors: dict[str, list[str]]) -> None:
    """The API's errors, each on the form field it concerns."""
    for key, messages in errors.items():
        head = key.split(".")[0]
        name = "subject" if head == "entity_id" else head
        if name == "subject" and form.errors.get("subject"):
            continue  # the page already said why the subject was not found
        for message in messages:
            form.add(name if name in form.labels else "_form", gloss(message))


def _submit(
    schema: ma.Schema, form: RecordForm, actor: Actor, call: Callable[[Session, dict[str, Any], Actor], T]
) -> T | int:
    """Validate with the API's schema, then record with the API's service: the record, or the status."""
    session = current_session()
    subject = resolve_subject(session, actor, form.values.get("subject", ""), form)
    # A supervisor's form has no authority field (the key's own, as the API defaults it); one
    # forged in goes to the service, which refuses another authority as the API does (403).
    data = schema_input(schema, {k: v for k, v in form.values.items() if k != "subject"})
    if subject is not None:
        data["entity_id"] = subject
    try:
        loaded = schema.load(data)
    except ma.ValidationError as exc:
        refusals(form, flatten(exc.messages))
        return 422
    if form.errors:
        return 422
    try:
        return call(session, loaded, actor)
    except NotPermitted as exc:
        abort(403, description=f"您的密钥不能为此机关登记记录（谁批准、谁公开）。（{said(exc)}）")
    except RegistryError as exc:
        refusals(form, said_by_field(exc) or {"_form": [said(exc)]})
        if isinstance(exc, Conflict):
            form.message = said(exc)
        return exc.status


def form_page(template: str, form: RecordForm, status: int, section: str, **extra: Any) -> tuple[str, int]:
    """A record form (new or correcting) with what it offers: the authorities, the named lists."""
    actor, session = current_actor(), current_session()
    own = own_authority(session, actor)
    return render(
        template,
        status,
        section=section,
        form=form,
        own=own,
        today=today(),
        authorities=all_authorities(session),
        list_names=sorted(current_runtime().catalogue.lists.values(), key=lambda n: n.name),
        scope=Scope(actor.authority_id, own, actor.role != "supervisor"),
        **extra,
    )


# Every field the API's schema takes, the entity named by "subject" in its place.
PENALTY_FORM_FIELDS = ("subject", *(n for n in PenaltyIn._declared_fields if n != "entity_id"))
LIST_ENTRY_FORM_FIELDS = ("subject", *(n for n in ListEntryIn._declared_fields if n != "entity_id"))


def _record_penalty(session: Session, data: dict[str, Any], actor: Actor) -> Penalty:
    return penalty_service.record_penalty(session, data, actor, today(), rules=current_rules(session), now=now())


def _record_list_entry(session: Session, data: dict[str, Any], actor: Actor) -> ListEntry:
    return entry_service.create_list_entry(session, data, actor, today(), rules=current_rules(session), now=now())


@dataclass(frozen=True)
class NewRecord:
    """One kind of record the console records: its form, the API's schema and service, and the words
    said when it is recorded (`done`: the flash message)."""

    template: str
    section: str
    labels: dict[str, str]
    fields: tuple[str, ...]
    schema: Callable[[], ma.Schema]
    call: Callable[[Session, dict[str, Any], Actor], Any]
    done: Callable[[Any], str]
    endpoint: str
    id_arg: str


def record_form(kind: NewRecord) -> ResponseReturnValue:
    """A new record's form (GET) or the record made from it (POST), checked by the API's schema and
    service: refused, the form again with what was typed and each reason by its field."""
    form = RecordForm(kind.labels, values={"is_public": "true", "subject": request.args.get("subject", "")})
    if request.method == "GET":
        return form_page(kind.template, form, 200, kind.section)
    check_csrf()
    form.values = typed_values(request.form, kind.fields)
    result = _submit(kind.schema(), form, current_actor(), kind.call)
    if isinstance(result, int):
        return form_page(kind.template, form, result, kind.section)
    flash(kind.done(result), "ok")
    return redirect(url_for(kind.endpoint, **{kind.id_arg: result.id}), code=303)


NEW_PENALTY = NewRecord(
    "console/penalty_form.html",
    "new_penalty",
    PENALTY_LABELS,
    PENALTY_FORM_FIELDS,
    PenaltyIn,
    _record_penalty,
    lambda p: f"已登记行政处罚 {p.decision_number}（编号 {p.id}），公示截止期 {cn_date(p.publication_ends_on)}。",
    "console.penalty",
    "penalty_id",
)
NEW_LIST_ENTRY = NewRecord(
    "console/list_entry_form.html",
    "new_list_entry",
    LIST_ENTRY_LABELS,
    LIST_ENTRY_FORM_FIELDS,
    ListEntryIn,
    _record_list_entry,
    lambda e: f"已登记名单记录：{e.list_name} {e.decision_number}（编号 {e.id}）。",
    "console.list_entry",
    "entry_id",
)


@bp.route("/console/penalties/new", methods=["GET", "POST"])
@login_required("supervisor")
def new_penalty() -> ResponseReturnValue:
    """登记行政处罚: every field the API takes, checked by the API's schema and service."""
    return record_form(NEW_PENALTY)


@bp.route("/console/list-entries/new", methods=["GET", "POST"])
@login_required("supervisor")
def new_list_entry() -> ResponseReturnValue:
    """登记名单: every field the API takes, checked by the API's schema and service."""
    return record_form(NEW_LIST_ENTRY)
