"""Credit repair (信用修复) application schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import Day, PageArgs, StrictSchema, one_of, page_of, ref_id, text
from registry.models import RepairApplication
from registry.records.repairs import RECORD_TYPES, STATES, is_overdue
from registry.runtime import current_runtime


class AttachmentIn(StrictSchema):
    """A reference to a supporting document; the registry stores references, not files."""

    name = text(200, required=True, metadata={"description": "材料名称, e.g. 罚款缴纳凭证"})
    ref = text(2000, required=True, metadata={"description": "document number (文号) or URL"})


class RepairIn(StrictSchema):
    record_type = one_of(RECORD_TYPES, required=True, metadata={"description": "penalty 行政处罚 | list_entry 名单"})
    record_id = ref_id(required=True, metadata={"description": "the penalty or list entry to repair"})
    statement = text(
        10000,
        required=True,
        metadata={"description": "修复申请说明: how the conduct was corrected and obligations met"},
    )
    commitment = text(10000, required=True, metadata={"description": "信用承诺书 text"})
    attachments = fields.List(fields.Nested(AttachmentIn), load_default=list)


class AttachmentOut(ma.Schema):
    name = fields.String()
    ref = fields.String()


class RepairOut(ma.Schema):
    id = fields.Integer()
    entity_id = fields.Integer()
    record_type = fields.String()
    record_id = fields.Integer()
    authority_id = fields.Integer(
        metadata={"description": "the authority that decided the record, and decides the application"}
    )
    statement = fields.String()
    commitment = fields.String()
    attachments = fields.List(fields.Nested(AttachmentOut))
    status = fields.String(
        metadata={"description": "submitted 已提交 | accepted 已受理 | rejected 不予修复 | repaired 已修复"}
    )
    submitted_on = Day()
    submitted_by = fields.String()
    accept_by = Day(
        metadata={"description": "the deciding authority takes it up or rejects it by (its decision deadline)"}
    )
    decide_by = Day(
        metadata={
            "description": "the deciding authority decides by: working days from receipt under the repair rules in force that day (国办发〔2025〕22号: 3)"
        }
    )
    platform_answer_by = Day(
        allow_none=True,
        metadata={
            "description": "the credit platform's own answer is due by (信用中国: 10 working days); not the authority's deadline"
        },
    )
    due_provisional = fields.Boolean(
        metadata={
            "description": "a deadline rests on a provisional calendar (a year whose 放假安排 notice is not loaded)"
        }
    )
    overdue = fields.Method(
        "_overdue",
        metadata={"description": "as of today: still submitted after accept_by, or accepted after decide_by"},
    )
    accepted_on = Day(allow_none=True)
    decided_on = Day(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _overdue(self, application: RepairApplication) -> bool:
        return is_overdue(application, current_runtime().clock.today())


RepairPage = page_of(RepairOut, "RepairPage")


class RepairFilter(PageArgs):
    status = one_of(STATES)
    authority_id = ref_id()
    record_type = one_of(RECORD_TYPES)
    record_id = ref_id()
    entity_id = ref_id()
    overdue = fields.Boolean(
        metadata={"description": "true: past accept_by or decide_by and not yet acted on, as of today"}
    )
