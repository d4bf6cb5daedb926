"""The import page (批量导入): a supervisor uploads a 双公示 sheet (行政处罚, 红黑名单 or 行政许可) and reads
the validation report.

It calls `registry.imports.run.import_records` as the CLI and `POST /api/v1/imports` do; the
request's single commit (api.lifecycle) writes the rows, and a refused all-or-nothing import
answers 422, so that request rolls back and nothing is written. The report is shown on the page
(first 500 problems) or, if asked for, returned as the CSV or XLSX file itself. The page links to
the import templates (`registry.imports.template`), downloaded here as from the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from api.lifecycle import now, today
from api.pages.auth import check_csrf, login_required, page_actor
from api.resources.imports import catalogue_lists, report_file, template_file
from registry.database import db
from registry.errors import RegistryError
from registry.imports.files import FileRefused
from registry.imports.run import DEFAULT_FIELDS, MODES, REPORT_FORMATS, ImportReport, default_labels, import_records
from registry.imports.template import FILENAMES, import_template
from registry.ledger import Actor
from registry.messages import render
from registry.records.console_queries import all_authorities, own_authority
from registry.runtime import current_rules, current_runtime
from registry.vocab import DOMAINS, SEVERITIES

bp = Blueprint("imports_page", __name__)
SHOWN_PROBLEMS = 500
KIND_CHOICES = {
    "": "按表头自动识别",
    "penalties": "行政处罚",
    "list-entries": "名单（红黑名单）",
    "licences": "行政许可",
}
MODE_CHOICES = {"all": "全部无误才导入（任一行有问题则一行也不写入）", "skip": "跳过有问题的行，导入其余各行"}
REPORT_CHOICES = {"": "在页面上显示", "csv": "下载 CSV 校验报告", "xlsx": "下载 XLSX 校验报告"}


def _form_page(status: int = 200, **context: Any) -> tuple[str, int]:
    actor = page_actor()
    authorities = (
        sorted(all_authorities(db.session()), key=lambda a: a.name)
        if actor is not None and actor.role == "admin"
        else []
    )
    own = own_authority(db.session(), actor) if actor is not None else None
    values = {
        "kind": request.form.get("kind", ""),
        "mode": request.form.get("mode", "all"),
        "report": request.form.get("report", ""),
        "authority_id": request.form.get("authority_id", ""),
        "default_severity": request.form.get("default_severity", ""),
        "default_domain": request.form.get("default_domain", ""),
    }
    return render_template(
        "console/import.html",
        kinds=KIND_CHOICES,
        modes=MODE_CHOICES,
        reports=REPORT_CHOICES,
        authorities=authorities,
        own=own,
        values=values,
        severities=SEVERITIES,
        domains=DOMAINS,
        templates=FILENAMES,
        default_labels=default_labels,
        shown_problems=SHOWN_PROBLEMS,
        **context,
    ), status


@bp.get("/console/import")
@login_required("supervisor")
def form() -> ResponseReturnValue:
    """上传页面."""
    return _form_page()


@dataclass(frozen=True)
class UploadForm:
    """The upload form as read, every field checked."""

    file: FileStorage
    kind: str | None  # None: recognised by the header
    mode: str
    fmt: str | None  # the report as a file; None: on the page
    authority_id: int | None  # an administrator's choice; a supervisor's own authority is the service's
    defaults: dict[str, str]  # file-wide severity and domain, for a sheet without those columns


def _chosen_authority(actor: Actor, errors: dict[str, str]) -> int | None:
    """The authority an administrator imports for (谁批准、谁公开): an administrator acts for none of its own."""
    if actor.role != "admin":
        return None
    raw = request.form.get("authority_id", "")
    if not raw.isdigit():
        errors["authority_id"] = "管理员须选择数据所属的机关（谁批准、谁公开）。"
        return None
    return int(raw)


def _read_upload_form(actor: Actor) -> tuple[UploadForm | None, dict[str, str]]:
    """The form read and checked; each refusal by field, in the order the form shows them (no form then)."""
    errors: dict[str, str] = {}
    file = request.files.get("file")
    if file is None or not file.filename:
        errors["file"] = "请选择要导入的 XLSX 或 CSV 文件。"
    kind = request.form.get("kind", "") or None
    if kind is not None and kind not in KIND_CHOICES:
        errors["kind"] = "请选择表格类型。"
    mode = request.form.get("mode", "all")
    if mode not in MODES:
        errors["mode"] = "请选择导入方式。"
    fmt = request.form.get("report", "") or None
    if fmt is not None and fmt not in REPORT_FORMATS:
        errors["report"] = "请选择报告形式。"
    authority_id = _chosen_authority(actor, errors)
    defaults = {name: request.form.get(field, "") for name, field in DEFAULT_FIELDS.items()}
    if defaults["severity"] and defaults["severity"] not in SEVERITIES:
        errors["default_severity"] = "请从列表中选择文件默认的失信程度。"
    if defaults["domain"] and defaults["domain"] not in DOMAINS:
        errors["default_domain"] = "请从列表中选择文件默认的交易领域。"
    if errors or file is None:
        return None, errors
    return UploadForm(file, kind, mode, fmt, authority_id, defaults), errors


def _import(sent: UploadForm, actor: Actor) -> ImportReport:
    """The import service, as the CLI and `POST /api/v1/imports` call it."""
    session = db.session()
    return import_records(
        session,
        sent.file.stream,
        sent.file.filename or "upload",
        actor=actor,
        kind=sent.kind,
        mode=sent.mode,
        today=today(),
        rules=current_rules(session),
        vault=current_runtime().vault,
        authority_id=sent.authority_id,
        now=now(),
        defaults=sent.defaults,
    )


def _refused_page(exc: RegistryError, actor: Actor) -> tuple[str, int]:
    """The form with the service's refusal, in Chinese, next to the field it concerns, at the service's status."""
    if exc.reasons and set(exc.reasons) <= set(DEFAULT_FIELDS.values()):  # a file-wide default is missing
        return _form_page(exc.status, errors={name: render(r[0], "zh") for name, r in exc.reasons.items()})
    # An administrator's authority that is not there (404) or not open to it (403) is that field's;
    # anything else is the file's.
    field = "authority_id" if actor.role == "admin" and exc.status in (403, 404) else "file"
    return _form_page(
        exc.status, errors={field: exc.chinese if isinstance(exc, FileRefused) else render(exc.text, "zh")}
    )


@bp.post("/console/import")
@login_required("supervisor")
def upload() -> ResponseReturnValue:
    """Import the uploaded file; the report on the page, or as a file."""
    check_csrf()
    actor = page_actor()
    if actor is None:  # login_required ran first: only a key revoked within this request gets here
        abort(403)
    sent, errors = _read_upload_form(actor)
    if sent is None:
        return _form_page(400, errors=errors)
    try:
        report = _import(sent, actor)
    except RegistryError as exc:  # FileRefused (unreadable, no header, columns missing) is one too
        return _refused_page(exc, actor)
    status = 200 if report.written else 422  # 422: nothing is written and the request rolls back
    if sent.fmt is not None:
        return report_file(report, sent.fmt, status)
    return _form_page(status, report=report)


@bp.get("/console/import/template")
@login_required("supervisor")
def template() -> ResponseReturnValue:
    """导入模板: the XLSX of a kind (penalties | list-entries | licences), as GET /api/v1/imports/template answers it."""
    actor, kind = page_actor(), request.args.get("kind", "")
    if actor is None or kind not in FILENAMES:
        abort(404 if actor is not None else 403)
    return template_file(import_template(actor, kind, list_names=catalogue_lists()))
