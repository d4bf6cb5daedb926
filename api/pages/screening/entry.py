"""Entering a screening: the form (bidders typed or uploaded), checked as the API checks it, then
evaluated while reading and stored in a short write."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from api.lifecycle import begin_writing, now, reads_first, start_reading, today
from api.pages.auth import check_csrf, login_required, page_actor
from api.pages.screening import bp
from api.pages.screening.common import PROJECT_CODE_MAX, current_actor, render
from api.pages.screening_input import (
    HEADERS,
    LIMITS,
    PART_NAMES,
    BidderList,
    UnreadableFile,
    max_length,
    parse_lines,
    read_file,
)
from api.ratelimit import limited
from api.schemas.screenings import ScreeningIn
from registry.database import db
from registry.errors import InvalidInput
from registry.ledger import Actor
from registry.messages import render as render_text
from registry.messages import render_errors
from registry.runtime import current_runtime
from registry.screening import service
from registry.vocab import DOMAINS

STAGE_MAX = max_length(ScreeningIn().fields["stage"])
STAGES = ("资格审查", "资格预审", "评标", "定标", "合同签订前")


@dataclass
class ScreeningForm:
    """What the person entered, kept when the form comes back with errors."""

    domain: str = ""
    project_code: str = ""
    stage: str = ""
    bidders: str = ""
    file_name: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _form_page(form: ScreeningForm, status: int = 200) -> tuple[str, int]:
    return render(
        "screening/form.html",
        status,
        form=form,
        stages=STAGES,
        headers=HEADERS,
        limits=LIMITS,
        max_subjects=service.MAX_SUBJECTS,
        project_code_max=PROJECT_CODE_MAX,
        stage_max=STAGE_MAX,
    )


def _uploaded(form: ScreeningForm) -> FileStorage | None:
    upload = request.files.get("bidders_file")
    if upload is None or not upload.filename:
        return None
    form.file_name = upload.filename
    return upload


def _read_bidders(form: ScreeningForm, upload: FileStorage | None) -> tuple[BidderList | None, str]:
    """The bidders from the textarea or the file (one of them), and the field their errors belong to."""
    typed = form.bidders.strip()
    if upload is not None and typed:
        form.add("bidders", "请只用一种方式提供投标人：清空此处的列表，或不选择文件")
        return None, "bidders"
    if upload is None:
        if not typed:
            form.add("bidders", "请填写投标人（每行一个），或上传名单文件")
            return None, "bidders"
        return parse_lines(form.bidders), "bidders"
    try:
        return read_file(upload.filename or "", upload.read()), "bidders_file"
    except UnreadableFile as exc:
        form.add("bidders_file", f"「{upload.filename}」：{exc}")
        return None, "bidders_file"


def _check_project(form: ScreeningForm) -> None:
    # The API's rules (ScreeningIn), said in Chinese next to each field.
    if form.domain not in DOMAINS:
        form.add("domain", "请选择交易领域")
    if not form.project_code:
        form.add("project_code", "请填写项目编号（采购项目编号、项目报建编号、地块编号等）")
    elif len(form.project_code) > PROJECT_CODE_MAX:
        form.add("project_code", f"项目编号过长（最多 {PROJECT_CODE_MAX} 个字符）")
    if len(form.stage) > STAGE_MAX:
        form.add("stage", f"阶段过长（最多 {STAGE_MAX} 个字符）")


def _service_errors(form: ScreeningForm, exc: InvalidInput, read: BidderList, field_name: str) -> None:
    """What the service still refused (a rule this page did not foresee), on the field it concerns."""
    for key, reasons in (render_errors(exc.reasons, "zh") or {"_": [render_text(exc.text, "zh")]}).items():
        head, _, rest = key.partition(".")
        if head in ("domain", "project_code", "stage"):
            form.add(head, "；".join(reasons))
        elif head == "subjects" and rest:
            index, _, part = rest.partition(".")
            source = read.bidders[int(index)].source if index.isdigit() and int(index) < len(read.bidders) else rest
            part = PART_NAMES.get(part, part)
            form.add(field_name, f"{source}{'（' + part + '）' if part else ''}：{'；'.join(reasons)}")
        else:
            form.add(field_name, "；".join(reasons))


@bp.get("/screening")
@login_required("screener")
def form() -> ResponseReturnValue:
    """资格审查: the form to screen a project's bidders."""
    return _form_page(
        ScreeningForm(
            domain=request.args.get("domain", ""), project_code=request.args.get("project", "")[:PROJECT_CODE_MAX]
        )
    )


def _screening_form() -> tuple[ScreeningForm, BidderList | None, str]:
    """The form as sent, checked as the API checks it: the form (with its errors and the reader's
    notes), the bidders read (None: none could be), and the field the bidders' errors belong to."""
    form = ScreeningForm(
        domain=request.form.get("domain", ""),
        project_code=request.form.get("project_code", "").strip(),
        stage=request.form.get("stage", "").strip(),
        bidders=request.form.get("bidders", ""),
    )
    _check_project(form)
    read, field_name = _read_bidders(form, _uploaded(form))
    if read is not None:
        form.notes = read.notes
        for message in read.errors:
            form.add(field_name, message)
    return form, read, field_name


def _evaluate(form: ScreeningForm, read: BidderList, actor: Actor) -> service.ScreeningDraft:
    """The screening service on the form's project and bidders, as `POST /api/v1/screenings` calls it."""
    data = {
        "domain": form.domain,
        "project_code": form.project_code,
        "stage": form.stage or None,
        "subjects": [b.subject() for b in read.bidders],
    }
    runtime = current_runtime()
    start_reading()
    return service.evaluate_screening(
        db.session(),
        data,
        actor,
        today(),
        runtime.name_index,
        runtime.measures,
        now=now(),
        dossiers=runtime.dossiers,
    )


def _flash_screened(stored: service.StoredScreening, counts: dict[str, int], notes: list[str]) -> None:
    """What the result page opens with: the screening's id and counts, then the reader's notes."""
    flash(
        f"核查已完成并存证（编号 {stored.id}）：共 {stored.subject_count} 个投标人，"
        f"禁止 {counts['block']} 个、需复核 {counts['review']} 个、通过 {counts['clear']} 个。",
        "ok",
    )
    for note in notes:
        flash(note, "info")


@bp.post("/screening")
@reads_first
@login_required("screener")
@limited("screening", caller=page_actor)
def screen() -> ResponseReturnValue:
    """Screen the bidders: evaluate while reading, store in a short write, then show the result."""
    # reads_first sits on the function Flask calls, where api.lifecycle looks for it: this
    # request starts in a reading transaction (no SQLite write lock while the index searches),
    # and its one commit is still api.lifecycle's, after the view, on the 303.
    check_csrf()
    actor = current_actor()
    form, read, field_name = _screening_form()
    if form.errors or read is None:
        return _form_page(form, 422)
    try:
        draft = _evaluate(form, read, actor)
    except InvalidInput as exc:
        _service_errors(form, exc, read, field_name)
        return _form_page(form, 422)
    begin_writing()
    stored = service.store_screening(db.session(), draft, actor, current_runtime().screening_ids)
    _flash_screened(stored, draft.document["counts"], read.notes)
    return redirect(url_for("screening.result", screening_id=stored.id), code=303)
