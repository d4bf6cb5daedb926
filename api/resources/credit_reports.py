"""/api/v1/credit-reports: 专项信用报告 issued, read (JSON or PDF) and verified by anyone."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, url_for
from flask.views import MethodView

from api.credit_report_pdf import NoChineseFont, render_pdf
from api.lifecycle import actor, now, today
from api.ratelimit import limited
from api.schemas.credit_reports import CreditReportIn, CreditReportOut, ReportCheckOut
from api.smorest import Blueprint
from registry.credit_reports import service
from registry.database import db
from registry.models import CreditReport
from registry.runtime import current_runtime

blp = Blueprint(
    "credit_reports",
    __name__,
    url_prefix="/api/v1/credit-reports",
    description="专项信用报告 (信用代证): a signed report of an entity's records for a period, verifiable by anyone",
)
DEFAULT_ISSUER = "公共资源交易信用信息登记簿"
_PDF_DOC = {"responses": {"200": {"description": "the report as an A4 PDF", "content": {"application/pdf": {}}}}}


def _out(report: CreditReport) -> dict[str, Any]:
    number = report.number
    return {
        **{k: getattr(report, k) for k in ("number", "audience", "digest", "signature", "public_key", "issued_at")},
        "document": report.document,
        "links": {
            "json": url_for("credit_reports.Report", number=number, _external=True),
            "pdf": url_for("credit_reports.ReportPdf", number=number, _external=True),
            "verify": url_for("credit_reports.VerifyReport", number=number, _external=True),
            "page": url_for("credit_report_pages.verify", number=number, _external=True),
        },
    }


@blp.route("")
class Reports(MethodView):
    @limited("report", blueprint=blp)
    @blp.arguments(CreditReportIn)
    @blp.response(201, CreditReportOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue a report for an entity, a purpose, a period (≤ 5 years) and domains: the public gets
        published records only; a registered caller the full report."""
        data["from"] = data.pop("from_")
        issuer = current_app.config.get("DATA_SOURCE_NAME") or DEFAULT_ISSUER
        signer = current_runtime().signer
        made = service.issue_report(db.session(), data, actor(), today(), signer=signer, issuer=issuer, now=now())
        return _out(made), 201, {"Location": url_for("credit_reports.Report", number=made.number)}


@blp.route("/<string:number>")
class Report(MethodView):
    @blp.response(200, CreditReportOut)
    def get(self, number: str) -> Any:
        """Read a report as signed (a public one with its number; a full one by whoever asked for it)."""
        return _out(service.get_report(db.session(), number, actor()))


@blp.route("/<string:number>.pdf")
class ReportPdf(MethodView):
    @blp.doc(**_PDF_DOC)
    def get(self, number: str) -> Any:
        """The report as an A4 PDF, Chinese font embedded, with a QR code of its verification page."""
        report = service.get_report(db.session(), number, actor())
        page = url_for("credit_report_pages.verify", number=report.number, _external=True)
        try:
            pdf = render_pdf(report, page, font=current_app.config.get("REPORT_FONT"))
        except NoChineseFont:
            abort(
                503,
                description="服务器未安装中文字体，暂不能生成 PDF（请安装 fonts-wqy-microhei 或设置 REGISTRY_REPORT_FONT）。",
            )
        headers = {"Content-Disposition": f'inline; filename="{report.number}.pdf"'}
        return Response(pdf, mimetype="application/pdf", headers=headers)


@blp.route("/<string:number>/verify")
class VerifyReport(MethodView):
    @blp.response(200, ReportCheckOut)
    def get(self, number: str) -> Any:
        """Verify a report: the digest recomputed from the stored document, the signature checked,
        and whether the entity's records changed since (anyone with the number)."""
        interval = current_runtime().anchor_interval
        return service.verify_report(db.session(), number, now=now(), anchor_interval=interval)
