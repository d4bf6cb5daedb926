"""Import (批量导入) schemas: the multipart upload, the report query, and the report as JSON."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate
from werkzeug.datastructures import FileStorage

from api.errors import preferred_locale
from api.schemas.common import StrictSchema, one_of, ref_id
from registry.imports.run import BAD_DEFAULT, KINDS, MODES, REPORT_FORMATS, ImportReport, Problem, default_labels
from registry.imports.template import KIND_REFUSED
from registry.messages import render
from registry.vocab import DOMAINS, SEVERITIES

PROBLEMS_SHOWN = 1000  # in a JSON answer; ?report=csv|xlsx gives every one


class _File(Upload):
    """The uploaded file itself (a form field holding text is not a file)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ma.ValidationError("must be a file sent as multipart/form-data")
        return value


class ImportUpload(StrictSchema):
    file = _File(
        required=True,
        metadata={
            "description": "XLSX or CSV (UTF-8 with or without BOM, or GB18030) with the standard Chinese "
            "headers (docs/import.md); at most 16 MB"
        },
    )
    kind = one_of(
        KINDS, metadata={"description": "penalties | list-entries | licences (default: told by the header row)"}
    )
    mode = one_of(
        MODES,
        load_default="all",
        metadata={
            "description": "all: one bad row and nothing is written (422); skip: the good rows are written (200)"
        },
    )
    authority_id = ref_id(
        metadata={
            "description": "the authority whose decisions the file holds: an administrator names it; a "
            "supervisor imports for its own"
        }
    )
    default_severity = fields.String(
        validate=validate.OneOf(list(SEVERITIES), error=BAD_DEFAULT["severity"]),
        metadata={
            "enum": list(SEVERITIES),
            "description": "失信程度 for rows that leave it empty (the standard 双公示 sheet has no such column); "
            "recorded in the report",
        },
    )
    default_domain = fields.String(
        validate=validate.OneOf(list(DOMAINS), error=BAD_DEFAULT["domain"]),
        metadata={
            "enum": list(DOMAINS),
            "description": "涉及领域 for rows that leave it empty (needed when the authority supervises several "
            "and the sheet has no such column); recorded in the report",
        },
    )
    # The names these fields had before (kept so that existing clients go on working).
    severity = fields.String(
        validate=validate.OneOf(list(SEVERITIES), error=BAD_DEFAULT["severity"]),
        metadata={"deprecated": True, "description": "older name of default_severity"},
    )
    domain = fields.String(
        validate=validate.OneOf(list(DOMAINS), error=BAD_DEFAULT["domain"]),
        metadata={"deprecated": True, "description": "older name of default_domain"},
    )

    @ma.post_load
    def _older_names(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for name in ("severity", "domain"):
            older = data.pop(name, None)
            newer = data.get(f"default_{name}")
            if older is not None and newer is not None and older != newer:
                raise ma.ValidationError(TWO_DEFAULTS, field_name=f"default_{name}")
            if older is not None:
                data[f"default_{name}"] = older
        return data


TWO_DEFAULTS = "given twice with different values (under its older name too): give default_severity / default_domain"


class TemplateQuery(StrictSchema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(KINDS), error=KIND_REFUSED),
        metadata={
            "enum": list(KINDS),
            "description": "penalties (行政处罚) | list-entries (红黑名单) | licences (行政许可)",
        },
    )


class ImportQuery(StrictSchema):
    report = one_of(
        REPORT_FORMATS,
        metadata={"description": "csv | xlsx: answer with the report file (every problem) instead of JSON"},
    )


class ProblemOut(ma.Schema):
    row = fields.Integer(metadata={"description": "the spreadsheet row as Excel numbers it (header = 1)"})
    column = fields.String(metadata={"description": "the column as headed in the file; empty: the whole row"})
    value = fields.String()
    reason = fields.Method(
        "_reason",
        metadata={
            "type": "string",
            "description": "why, in the language of Accept-Language (Chinese unless it asks for English)",
        },
    )
    reason_en = fields.Method("_reason_en", metadata={"type": "string", "description": "why, in English"})

    def _reason(self, problem: Problem) -> str:
        return problem.said(preferred_locale())

    def _reason_en(self, problem: Problem) -> str:
        return problem.said("en")


class ImportCounts(ma.Schema):
    rows = fields.Integer(metadata={"description": "data rows read (blank rows are not counted)"})
    created = fields.Integer(metadata={"description": "records written"})
    unchanged = fields.Integer(metadata={"description": "already recorded with the same content: nothing written"})
    conflicts = fields.Integer(metadata={"description": "recorded with other content: not applied (correct them)"})
    rejected = fields.Integer()
    held_back = fields.Integer(metadata={"description": "good new rows not written (mode all met bad rows)"})
    subjects_created = fields.Integer(
        attribute="entities_created", metadata={"description": "行政相对人 registered along the way"}
    )


class ImportReportOut(ma.Schema):
    file = fields.String(attribute="filename")
    kind = fields.String()
    mode = fields.String()
    authority_id = fields.Integer()
    written = fields.Boolean(metadata={"description": "whether the good rows were written"})
    message = fields.Method(
        "_message",
        metadata={
            "type": "string",
            "description": "what was done, in the language of Accept-Language (Chinese unless it asks for English)",
        },
    )
    message_en = fields.Method("_message_en", metadata={"type": "string", "description": "what was done, in English"})
    counts = fields.Method("_counts")
    problems = fields.Method(
        "_problems",
        metadata={
            "description": f"the first {PROBLEMS_SHOWN} problems: {{row, column, value, reason, reason_en}}, the "
            "reason in the language of Accept-Language and in English"
        },
    )
    problems_total = fields.Method("_problems_total")
    defaults = fields.Method(
        "_defaults",
        metadata={
            "description": "the file-wide defaults given on upload (severity, domain: code and Chinese term), "
            "used for rows that leave the cell empty"
        },
    )
    ignored_columns = fields.List(
        fields.String(), metadata={"description": "columns our exports write that the registry derives: not imported"}
    )
    notes = fields.Method(
        "_notes",
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "notes on the file (a workbook's other sheets not read), in the language of Accept-Language",
        },
    )
    notes_en = fields.Method(
        "_notes_en", metadata={"type": "array", "items": {"type": "string"}, "description": "the notes in English"}
    )

    def _defaults(self, report: ImportReport) -> dict[str, dict[str, str]]:
        return {
            name: {"code": report.defaults[name], "field": title, "term": term}
            for name, (title, term) in default_labels(report).items()
        }

    def _message(self, report: ImportReport) -> str:
        return render(report.summary(), preferred_locale())

    def _message_en(self, report: ImportReport) -> str:
        return render(report.summary(), "en")

    def _notes(self, report: ImportReport) -> list[str]:
        return list(report.notes if preferred_locale() == "en" else report.chinese_notes)

    def _notes_en(self, report: ImportReport) -> list[str]:
        return list(report.notes)

    def _counts(self, report: ImportReport) -> dict[str, Any]:
        return dict(ImportCounts().dump(report))

    def _problems(self, report: ImportReport) -> list[dict[str, Any]]:
        return list(ProblemOut(many=True).dump(report.problems[:PROBLEMS_SHOWN]))

    def _problems_total(self, report: ImportReport) -> int:
        return len(report.problems)
