"""行政许可 schemas: the 双公示 licensing fields."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import Day, PageArgs, ReasonArgs, StrictSchema, one_of, page_of, patch_of, ref_id, text
from registry.models import Licence
from registry.records.licences import CATEGORIES, ENDINGS, STATES
from registry.runtime import current_runtime


class LicenceIn(StrictSchema):
    entity_id = ref_id(required=True, metadata={"description": "行政相对人"})
    authority_id = ref_id(metadata={"description": "许可机关; a supervisor's own by default"})
    data_source_authority_id = ref_id(metadata={"description": "数据来源单位 (default: 许可机关)"})
    decision_document_name = text(200, required=True, metadata={"description": "行政许可决定文书名称"})
    decision_number = text(100, required=True, metadata={"description": "行政许可决定文书号"})
    licence_category = one_of(CATEGORIES, required=True, metadata={"description": "许可类别"})
    licence_name = text(200, allow_none=True, metadata={"description": "许可证书名称"})
    licence_number = text(100, allow_none=True, metadata={"description": "许可编号"})
    content = text(4000, required=True, metadata={"description": "许可内容"})
    decided_on = Day(required=True, metadata={"description": "许可决定日期"})
    valid_from = Day(required=True, metadata={"description": "有效期自"})
    valid_to = Day(allow_none=True, metadata={"description": "有效期至 (null: 长期)"})
    remarks = text(4000, allow_none=True, metadata={"description": "备注"})
    is_public = fields.Boolean(
        load_default=True, metadata={"description": "false: not public (保密审查), with the reason"}
    )
    not_public_reason = text(2000, allow_none=True)


LicenceCorrection = patch_of(
    LicenceIn,
    "LicenceCorrection",
    exclude=("authority_id",),
    extra={"reason": text(2000, required=True, metadata={"description": "更正理由"})},
)


class LicenceEnd(ReasonArgs):
    status = one_of(ENDINGS, required=True, metadata={"description": "revoked 撤销 | cancelled 注销"})
    status_changed_on = Day(metadata={"description": "the day (default today)"})


class LicenceOut(ma.Schema):
    id = fields.Integer()
    entity_id = fields.Integer()
    subject_name = fields.String()
    subject_uscc = fields.String(allow_none=True)
    authority_id = fields.Integer()
    data_source_authority_id = fields.Integer()
    decision_document_name = fields.String()
    decision_number = fields.String()
    licence_category = fields.String()
    licence_name = fields.String(allow_none=True)
    licence_number = fields.String(allow_none=True)
    content = fields.String()
    decided_on = Day()
    valid_from = Day()
    valid_to = Day(allow_none=True)
    status = fields.Method("_status_today", metadata={"description": f"当前状态 as of today: {' | '.join(STATES)}"})
    status_changed_on = Day(allow_none=True)
    status_reason = fields.String(allow_none=True)
    remarks = fields.String(allow_none=True)
    is_public = fields.Boolean()
    not_public_reason = fields.String(allow_none=True)
    publication_due_on = Day(allow_none=True, metadata={"description": "公开时效: had to be published by"})
    due_provisional = fields.Boolean()
    first_published_at = fields.DateTime(allow_none=True)
    version = fields.Integer()

    def _status_today(self, licence: Licence) -> str:
        return licence.status_on(current_runtime().clock.today())


LicencePage = page_of(LicenceOut, "LicencePage")


class LicenceFilter(PageArgs):
    entity_id = ref_id()
    uscc = text(18)
    name = text(200, metadata={"description": "part of the subject's name (current, former or alias)"})
    decision_number = text(100, metadata={"description": "part of the 文号"})
    authority_id = ref_id()
