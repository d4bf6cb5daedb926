"""专项信用报告 pages: anyone asks for a company's public report (published records only; a signed-in
officer gets the full report), reads it and downloads its PDF; and anyone verifies a report by its
number or by uploading its PDF (公开核验). The same services as /api/v1/credit-reports."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from api.lifecycle import now, today
from api.pages.auth import check_csrf, page_actor
from api.pages.screening.common import beijing
from api.ratelimit import limited
from registry import access
from registry.credit_reports import service
from registry.credit_reports.document import PURPOSES
from registry.database import db
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor
from registry.messages import render
from registry.runtime import current_runtime
from registry.vocab import DOMAINS

bp = Blueprint("credit_report_pages", __name__)
NUMBER = re.compile(rb"XYBG\d{16}")
DEFAULT_ISSUER = "公共资源交易信用信息登记簿"


def _actor() -> Actor:
    return page_actor() or access.PUBLIC


def _form(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    return render_template("reports/new.html", purposes=PURPOSES, domains=DOMAINS, values=values, errors=errors), status


@bp.get("/reports/new")
def new() -> ResponseReturnValue:
    """申请专项信用报告: the form (the last five years, all domains, by default)."""
    day = today()
    start = day.replace(year=day.year - 3) if not (day.month == 2 and day.day == 29) else day - dt.timedelta(days=1095)
    return _form({"uscc": request.args.get("uscc", ""), "purpose": "bidding", "from": start, "to": day}, {})


def _read_form() -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {
        "uscc": request.form.get("uscc", "").strip().upper(),
        "purpose": request.form.get("purpose", ""),
        "domains": [d for d in request.form.getlist("domains") if d in DOMAINS],
    }
    errors: dict[str, str] = {}
    for field in ("from", "to"):
        try:
            values[field] = dt.date.fromisoformat(request.form.get(field, ""))
        except ValueError:
            values[field] = request.form.get(field, "")
            errors[field] = "请按 YYYY-MM-DD 填写日期。"
    if not values["uscc"]:
        errors["uscc"] = "请填写主体的统一社会信用代码。"
    return values, errors


@bp.post("/reports/new")
@limited("report", caller=page_actor)
def issue() -> ResponseReturnValue:
    """Issue the report; refused with the typed values kept."""
    check_csrf()
    values, errors = _read_form()
    if errors:
        return _form(values, errors, 422)
    issuer = current_app.config.get("DATA_SOURCE_NAME") or DEFAULT_ISSUER
    try:
        made = service.issue_report(
            db.session(), values, _actor(), today(), signer=current_runtime().signer, issuer=issuer, now=now()
        )
    except (InvalidInput, NotFound, NotPermitted) as exc:
        return _form(values, _refusal(exc), 422)
    return redirect(url_for("credit_report_pages.show", number=made.number), code=303)


def _refusal(exc: InvalidInput | NotFound | NotPermitted) -> dict[str, str]:
    if isinstance(exc, InvalidInput):
        return {f: "；".join(render(r, "zh") for r in texts) for f, texts in exc.reasons.items()}
    if isinstance(exc, NotFound):
        return {"uscc": "登记簿中没有此统一社会信用代码的主体。"}
    return {"uscc": render(exc.text, "zh")}


@bp.get("/reports/<string:number>")
def show(number: str) -> ResponseReturnValue:
    """The report as issued, with its PDF and its verification."""
    try:
        report = service.get_report(db.session(), number, _actor())
    except NotFound:
        abort(404, description="没有这份信用报告，或您无权查看。")
    return render_template("reports/show.html", report=report, doc=report.document)


@bp.context_processor
def _words() -> dict[str, Any]:
    """Moments on these pages read as Beijing time (the document keeps UTC, as signed)."""
    return {"beijing": beijing}


@bp.route("/reports/verify", methods=["GET", "POST"])
def verify() -> ResponseReturnValue:
    """公开核验: by the report's number, or by uploading its PDF (the number is read from the file)."""
    number = request.values.get("number", "").strip().upper()
    problem = None
    if request.method == "POST":
        check_csrf()
        upload = request.files.get("pdf")
        found = NUMBER.search(upload.read(20_000_000)) if upload else None
        number = found.group().decode() if found else ""
        problem = None if found else "未能从上传的文件中读出报告编号，请直接输入报告编号。"
    check = None
    if number and problem is None:
        check, problem = _verified(number)
    return render_template("reports/verify.html", number=number, check=check, problem=problem)


def _verified(number: str) -> tuple[service.ReportCheck | None, str | None]:
    """The report's check, or what to say when there is no such report."""
    try:
        return service.verify_report(
            db.session(), number, now=now(), anchor_interval=current_runtime().anchor_interval
        ), None
    except NotFound:
        return None, f"没有编号为 {number} 的信用报告。"
