"""主体库 in the console: find a subject (市场主体 / 行政相对人) by part of a name or by its 统一社会信用代码,
register one, and see it with its records and history, through the API's schemas (`EntityFilter`,
`EntityIn`) and services (`list_entities`, `create_entity`, `get_entity`, the record lists).

The library is shared: any supervisor finds and registers subjects; the records shown with a
subject are those the key may read (its own authority's, other authorities' as published).
Personal ID numbers go in once and are never written back into a page: a refused form keeps
everything else as typed and asks for them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from api.errors import flatten
from api.lifecycle import today
from api.pages.auth import check_csrf, login_required
from api.pages.console import bp
from api.pages.console.common import as_api, current_actor, current_session, gloss, render, said, said_by_field
from api.pages.console.edits import subject_text
from api.pages.console.forms import RecordForm, refusals, schema_input, typed_values
from api.pages.console.labels import ENTITY_LABELS, history_rows
from api.schemas.entities import EntityFilter, EntityIn
from registry.codes.region import region_name
from registry.codes.uscc import normalise as normalise_uscc
from registry.errors import Conflict, NotPermitted, RegistryError
from registry.ledger import Actor
from registry.models import Entity
from registry.records.common import Page
from registry.records.console_queries import PER_PAGE, entity_records
from registry.records.entities import create_entity, get_entity, list_entities
from registry.records.history import record_history
from registry.records.public_lookup import clean_text, code_problem, looks_like_code
from registry.runtime import current_runtime

ENTITY_FIELDS = (
    "kind",
    "name",
    "name_since",
    "uscc",
    "region_code",
    "legal_representative",
    "legal_rep_id_type",
    "legal_rep_id_number",
    "id_type",
    "id_number",
    "business_registration_no",
    "organization_code",
    "tax_registration_no",
    "institution_certificate_no",
    "social_org_registration_no",
    "former_names",
    "aliases",
)
SECRETS = ("legal_rep_id_number", "id_number")  # personal ID numbers: never written back into a page
OTHER_NAMES = {"former_names": "former", "aliases": "alias"}  # a textarea each, one name a line


# --- finding a subject -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """The library's search: as typed, as loaded by the API's filter schema, and what was refused."""

    typed: dict[str, str]
    filters: dict[str, Any]
    errors: dict[str, list[str]]

    @property
    def asked(self) -> bool:
        return bool(self.typed["q"] or self.typed["kind"])


def _search() -> Search:
    """`q` as a 统一社会信用代码 when it looks like one (checked as the public search checks it), else
    as part of a name; `kind`; then the API's `EntityFilter`."""
    typed = {"q": clean_text(request.args.get("q", ""))[:200], "kind": request.args.get("kind", "").strip()}
    given: dict[str, Any] = {"per_page": PER_PAGE}
    if typed["q"] and looks_like_code(typed["q"]):
        problem = code_problem(normalise_uscc(typed["q"]))
        if problem:
            return Search(typed, {}, {"q": [problem]})
        given["uscc"] = typed["q"]
    elif typed["q"]:
        given["name"] = typed["q"]
    if typed["kind"]:
        given["kind"] = typed["kind"]
    page = request.args.get("page", "1")
    given["page"] = page if page.isdigit() else "1"
    try:
        return Search(typed, EntityFilter().load(given), {})
    except ma.ValidationError as exc:
        names = {"name": "q", "uscc": "q"}
        errors = {names.get(k, k): [gloss(m) for m in v] for k, v in flatten(exc.messages).items()}
        return Search(typed, {}, errors)


def _found(search: Search, actor: Actor) -> Page[Entity] | None:
    if search.errors or not search.asked:
        return None
    return list_entities(current_session(), actor, **search.filters)


@bp.get("/console/entities")
@login_required("supervisor")
def entities() -> ResponseReturnValue:
    """主体库: find a subject by part of its name (现用名、曾用名、别名) or by its 统一社会信用代码."""
    search = _search()
    found = _found(search, current_actor())
    pages = max(-(-found.total // PER_PAGE), 1) if found else 1
    return render(
        "console/entities.html",
        422 if search.errors else 200,
        section="entities",
        scope=None,
        search=search,
        found=found,
        pages=pages,
        region_name=region_name,
    )


# --- one subject -----------------------------------------------------------------------------------


def _subject_page(subject: Entity, actor: Actor) -> dict[str, Any]:
    """What the subject's page shows beside it: its history, its records, how forms name it."""
    day = today()
    return {
        "entity": subject,
        "entity_labels": ENTITY_LABELS,
        "subject": subject_text(subject),
        "region": region_name(subject.region_code) if subject.region_code else None,
        "records": entity_records(current_session(), actor, day, subject.id),
        "own": actor.authority_id,
        "history": history_rows(as_api(record_history, actor, "entity", subject.id), "entity"),
        "today": day,
    }


@bp.get("/console/entities/<int:entity_id>")
@login_required("supervisor")
def entity(entity_id: int) -> ResponseReturnValue:
    """一个主体: its names and codes (ID numbers masked), the records the key may read, its history."""
    actor = current_actor()
    subject = as_api(get_entity, entity_id, actor)
    return render("console/entity.html", section="entities", scope=None, **_subject_page(subject, actor))


# --- registering a subject ---------------------------------------------------------------------------


def _names(values: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
    """The former names and aliases typed (one a line) as the API's `names`, and the field each came from."""
    names, origin = [], []
    for field, kind in OTHER_NAMES.items():
        for line in values.get(field, "").splitlines():
            if line.strip():
                names.append({"name": line.strip(), "kind": kind})
                origin.append(field)
    return names, origin


def _on_fields(errors: dict[str, list[str]], origin: list[str]) -> dict[str, list[str]]:
    """Errors keyed as the API keys them, on the form's fields (names.3.name: the line's textarea)."""
    placed: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        field = parts[0]
        if field == "names" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(origin):
            field = origin[int(parts[1])]
        placed.setdefault(field, []).extend(messages)
    return placed


def _register(form: RecordForm, actor: Actor) -> Entity | int:
    """Validate with the API's schema, then register with the API's service: the entity, or the status."""
    # Only what was filled in: the API reads a field sent empty as a change to nothing (an organisation
    # sent id_type null is refused as one given a personal document).
    given = {k: v for k, v in form.values.items() if k not in OTHER_NAMES and v.strip()}
    data = schema_input(EntityIn(), given)
    names, origin = _names(form.values)
    data["names"] = names
    try:
        loaded = EntityIn().load(data)
        return create_entity(current_session(), loaded, actor, current_runtime().vault)
    except ma.ValidationError as exc:
        refusals(form, _on_fields(flatten(exc.messages), origin))
        return 422
    except NotPermitted:
        abort(403, description="您的密钥不能登记主体。")
    except RegistryError as exc:
        refusals(form, _on_fields(said_by_field(exc), origin) or {"_form": [said(exc)]})
        form.message = said(exc) if isinstance(exc, Conflict) else None
        return exc.status


def _entity_form(form: RecordForm, status: int) -> tuple[str, int]:
    cleared = [name for name in SECRETS if form.values.get(name)]
    form.values.update(dict.fromkeys(cleared, ""))
    return render("console/entity_form.html", status, section="entities", scope=None, form=form, cleared=cleared)


@bp.route("/console/entities/new", methods=["GET", "POST"])
@login_required("supervisor")
def new_entity() -> ResponseReturnValue:
    """登记主体: every field the API takes; refused, the form comes back as typed (ID numbers aside)."""
    if request.method == "GET":  # a search that found nothing passes on what was searched for
        prefill = typed_values(request.args, [name for name in ENTITY_FIELDS if name not in SECRETS])
        return _entity_form(
            RecordForm(ENTITY_LABELS, values={**prefill, "kind": prefill["kind"] or "legal_entity"}), 200
        )
    check_csrf()
    form = RecordForm(ENTITY_LABELS, values=typed_values(request.form, ENTITY_FIELDS))
    result = _register(form, current_actor())
    if isinstance(result, int):
        return _entity_form(form, result)
    flash(f"已在主体库登记：{result.name}（主体编号 {result.id}）。可以为它登记行政处罚或名单。", "ok")
    return redirect(url_for("console.entity", entity_id=result.id), code=303)
