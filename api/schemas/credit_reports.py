"""专项信用报告 schemas: the request, the report as issued, its verification."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import Day, StrictSchema, one_of, ref_id, text
from api.schemas.evidence import InclusionOut
from registry.credit_reports.document import PURPOSES
from registry.vocab import DOMAINS


class CreditReportIn(StrictSchema):
    entity_id = ref_id(metadata={"description": "the entity; or give its uscc"})
    uscc = text(18, metadata={"description": "统一社会信用代码 of the entity (instead of entity_id)"})
    purpose = one_of(PURPOSES, required=True, metadata={"description": "招标投标, 政府采购, 行政审批, 融资 …"})
    from_ = Day(required=True, data_key="from", metadata={"description": "the period's first day (≤ 5 years back)"})
    to = Day(required=True, metadata={"description": "the period's last day (not after today)"})
    domains = fields.List(
        fields.String(validate=validate.OneOf(DOMAINS)),
        load_default=list,
        metadata={"description": "trading domains the report covers; empty: all"},
    )


class CreditReportOut(ma.Schema):
    number = fields.String(metadata={"description": "报告编号"})
    audience = fields.String(metadata={"description": "public (published records only) | full"})
    digest = fields.String(metadata={"description": "SHA-256 of the canonical JSON of `document`"})
    signature = fields.String(metadata={"description": "Ed25519 signature (hex) over the same bytes"})
    public_key = fields.String(metadata={"description": "the registry's evidence key (hex), as GET /evidence/key"})
    issued_at = fields.DateTime()
    document = fields.Dict(metadata={"description": "the report as signed"})
    links = fields.Dict(metadata={"description": "the report as JSON and PDF, and its verification"})


class ReportCheckOut(InclusionOut):
    number = fields.String()
    valid = fields.Boolean(metadata={"description": "the digest matches the stored document and the signature checks"})
    digest_matches = fields.Boolean()
    signature_valid = fields.Boolean()
    stored_digest = fields.String()
    computed_digest = fields.String()
    public_key = fields.String()
    issued_at = fields.DateTime()
    changed_since = fields.Boolean(
        metadata={"description": "a record of the entity was added or changed in the registry after the report"}
    )
    subject_name = fields.String()
    problems = fields.List(fields.String(), metadata={"description": "what the evidence-tree checks found wrong"})
