"""/api/v1/imports: penalties, list entries and licences from an uploaded XLSX or CSV file (批量导入)."""

from __future__ import annotations

import io
from typing import Any, NoReturn
from urllib.parse import quote

import marshmallow as ma
from flask import Response, request
from flask.views import MethodView
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from api.errors import validation_errors
from api.lifecycle import actor, now, today
from api.schemas.imports import ImportQuery, ImportReportOut, ImportUpload, TemplateQuery
from api.smorest import Blueprint, StrictParser
from registry.database import db
from registry.errors import InvalidInput
from registry.imports.run import ImportReport, import_records, write_report
from registry.imports.template import MEDIA_TYPE, Template, import_template
from registry.messages import summary
from registry.runtime import current_rules, current_runtime
from sync.exports import MEDIA_TYPES


class _UploadParser(StrictParser):
    """StrictParser with one more location: a multipart upload's file and its form fields read by
    one schema (webargs reads them as two locations, flask-smorest documents only one body)."""

    __location_map__ = {**StrictParser.__location_map__, "form_and_files": "load_form_and_files"}
    DEFAULT_UNKNOWN_BY_LOCATION = {**StrictParser.DEFAULT_UNKNOWN_BY_LOCATION, "form_and_files": ma.RAISE}

    def load_form_and_files(self, req: Any, schema: ma.Schema) -> MultiDictProxy:
        if req.headers.get("Idempotency-Key"):
            # Keep the raw body before the form parser consumes it: the stored replay is matched by
            # a hash of the body (api.lifecycle), which must read the same when the request ends.
            req.get_data(cache=True)
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)

    def handle_error(
        self,
        error: ma.ValidationError,
        req: Any,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        # Fields are named as the form names them ("mode"), not under the location's name.
        messages = error.messages
        if isinstance(messages, dict) and "form_and_files" in messages:
            errors = validation_errors(messages["form_and_files"])
            raise InvalidInput(summary(errors), errors)
        super().handle_error(error, req, schema, error_status_code=error_status_code, error_headers=error_headers)


class _UploadBlueprint(Blueprint):
    ARGUMENTS_PARSER = _UploadParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "form_and_files": "multipart/form-data",
    }


def report_file(report: ImportReport, fmt: str, status: int) -> Response:
    """The validation report as a CSV or XLSX download (the API and the upload page both answer so)."""
    body = io.BytesIO()
    write_report(report, fmt, body)
    response = Response(body.getvalue(), status=status, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="import-report.{fmt}"'
    return response


def attachment(filename: str, fallback: str) -> str:
    """Content-Disposition of a download named in Chinese: `filename*` (RFC 6266, RFC 5987: UTF-8,
    percent-encoded) for browsers, and an ASCII `filename` for clients that read only that."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def template_file(template: Template) -> Response:
    """The import template as a download (the API and the console both answer so)."""
    response = Response(template.body, mimetype=template.media_type)
    response.headers["Content-Disposition"] = attachment(template.filename, template.ascii_filename)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def catalogue_lists() -> list[str]:
    """The named lists of the catalogue in force, offered in the list-entry template's 名单名称."""
    return list(current_rules(db.session()).catalogue.lists)


def _import(upload: dict[str, Any]) -> ImportReport:
    """The import service on the loaded upload (ImportUpload), as the CLI and the upload page call it."""
    file = upload["file"]
    session = db.session()
    return import_records(
        session,
        file.stream,
        file.filename or "upload",
        actor=actor(),
        kind=upload.get("kind"),
        mode=upload["mode"],
        today=today(),
        rules=current_rules(session),
        vault=current_runtime().vault,
        authority_id=upload.get("authority_id"),
        now=now(),
        defaults={"severity": upload.get("default_severity"), "domain": upload.get("default_domain")},
    )


blp = _UploadBlueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="批量导入: penalties, list entries and licences from XLSX or CSV (docs/import.md)",
)


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportUpload, location="form_and_files")
    @blp.arguments(ImportQuery, location="query")
    @blp.response(200, ImportReportOut)
    @blp.alt_response(
        422,
        schema={"oneOf": [{"$ref": "#/components/schemas/ImportReportOut"}, {"$ref": "#/components/schemas/Error"}]},
        description="mode all and some rows were bad: nothing was written; the report says why "
        "(an unreadable file or missing columns get the usual error body instead)",
    )
    def post(self, upload: dict[str, Any], query: dict[str, Any]) -> Any:
        """Import the uploaded file for the caller's authority (supervisor; an administrator names it)."""
        fmt = query.get("report")
        if fmt == "xlsx" and request.headers.get("Idempotency-Key"):
            # A replay is kept as text; a workbook is not text.
            raise InvalidInput.field(
                "report", "an XLSX report cannot be replayed: with an Idempotency-Key ask for JSON or report=csv"
            )
        report = _import(upload)
        status = 200 if report.written else 422  # 422: nothing written, and the request rolls back
        if fmt is None:
            return report, status
        return report_file(report, fmt, status)


@blp.route("/template")
class ImportTemplate(MethodView):
    @blp.arguments(TemplateQuery, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "导入模板: the XLSX to fill in (the importer's columns, drop-down lists, a 填写说明 sheet)",
                "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    )
    def get(self, query: dict[str, Any]) -> Any:
        """The import template of a kind, for whoever may import (supervisor, administrator)."""
        return template_file(import_template(actor(), query["kind"], list_names=catalogue_lists()))
