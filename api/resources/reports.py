"""/api/v1/reports: 监督检查 reports for the office that supervises disclosure (政务公开主管部门)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import request
from flask.views import MethodView

from api.csv_render import Column, csv_response
from api.lifecycle import actor
from api.schemas.reports import (
    OVERDUE_COLUMNS,
    TIMELINESS_COLUMNS,
    OverdueReportOut,
    TimelinessArgs,
    TimelinessReportOut,
    timeliness_rows,
)
from api.smorest import Blueprint
from registry.database import db
from registry.records.timeliness import RECORD_TYPES, TimelinessReport, timeliness_report
from registry.runtime import current_rules, current_runtime

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="监督检查: disclosure timeliness (公开时效) per authority, as JSON or CSV",
)

# The body depends on Accept (JSON or CSV), so caches must key on it.
VARY = {"Vary": "Accept"}
CSV_DOC = {
    "content_type": "text/csv",
    "success": True,
    "schema": {"type": "string"},
    "description": "JSON; with format=csv or Accept: text/csv, a CSV download (UTF-8 with BOM, for Excel)",
}


def _wants_csv(args: dict[str, Any]) -> bool:
    chosen = args.pop("format", None)
    if chosen is not None:
        return bool(chosen == "csv")
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def _report(args: dict[str, Any]) -> TimelinessReport:
    session = db.session()
    return timeliness_report(
        session,
        actor(),
        current_rules(session),
        today=current_runtime().clock.today(),
        date_from=args["date_from"],
        date_to=args["date_to"],
        authority_id=args.get("authority_id"),
        record_types=args.get("record_type") or RECORD_TYPES,
    )


def _filename(kind: str, report: TimelinessReport, authority_id: int | None) -> str:
    scope = f"_authority-{authority_id}" if authority_id is not None else ""
    return f"{kind}_{report.date_from}_{report.date_to}{scope}_as-of-{report.today}.csv"


def _respond(
    args: dict[str, Any], kind: str, columns: Sequence[Column], rows: Callable[[TimelinessReport], Iterable[Any]]
) -> Any:
    """The report as JSON (dumped by the view's schema) or as a CSV download of `rows`."""
    wants_csv = _wants_csv(args)
    report = _report(args)
    if not wants_csv:
        return report, 200, VARY
    response = csv_response(columns, rows(report), _filename(kind, report, args.get("authority_id")))
    response.headers.update(VARY)
    return response


@blp.route("/timeliness")
class Timeliness(MethodView):
    @blp.arguments(TimelinessArgs, location="query")
    @blp.response(200, TimelinessReportOut)
    @blp.alt_response(200, **CSV_DOC)
    def get(self, args: dict[str, Any]) -> Any:
        """公开时效: per authority, records published on time, late or not at all, and the overdue ones."""
        return _respond(args, "timeliness", TIMELINESS_COLUMNS, timeliness_rows)


@blp.route("/timeliness/overdue")
class TimelinessOverdue(MethodView):
    @blp.arguments(TimelinessArgs, location="query")
    @blp.response(200, OverdueReportOut)
    @blp.alt_response(200, **CSV_DOC)
    def get(self, args: dict[str, Any]) -> Any:
        """逾期未公开: records past their due date and still unpublished, most overdue first."""
        return _respond(args, "timeliness-overdue", OVERDUE_COLUMNS, lambda report: report.overdue)
