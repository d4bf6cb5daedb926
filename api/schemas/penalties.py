"""Penalty (行政处罚) schemas: the 双公示 fields under English names (see docs/penalty-fields.md)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import (
    Amount,
    Day,
    PageArgs,
    ReasonArgs,
    StrictSchema,
    one_of,
    page_of,
    patch_of,
    ref_id,
    text,
)
from api.schemas.responsible import WithResponsiblePersons, persons_in, persons_out
from registry.vocab import DOMAINS, PENALTY_CATEGORIES, PENALTY_STATES, PROCEDURES, SEVERITIES

# Said of each free-text field: what happens to a personal ID number written into it.
MASKED = (
    "; a valid 居民身份证号码 written here is stored and shown masked (1101**********002X), "
    "the number kept encrypted for the deciding authority only"
)


def _amount(description: str) -> Amount:
    return Amount(allow_none=True, metadata={"description": description})


class PenaltyIn(StrictSchema):
    entity_id = ref_id(required=True, metadata={"description": "行政相对人"})
    authority_id = ref_id(metadata={"description": "处罚机关; a supervisor's own by default"})
    data_source_authority_id = ref_id(metadata={"description": "数据来源单位 (default: 处罚机关)"})
    decision_number = text(100, required=True, metadata={"description": "行政处罚决定书文号"})
    violation_type = text(200, required=True, metadata={"description": "违法行为类型" + MASKED})
    facts = text(10000, required=True, metadata={"description": "违法事实" + MASKED})
    basis = text(4000, required=True, metadata={"description": "处罚依据" + MASKED})
    categories = fields.List(
        one_of(PENALTY_CATEGORIES),
        required=True,
        validate=ma.validate.Length(min=1),
        metadata={"description": "处罚类别"},
    )
    content = text(4000, required=True, metadata={"description": "处罚内容" + MASKED})
    fine_amount = _amount("罚款金额（万元）")
    confiscation_amount = _amount("没收违法所得、没收非法财物的金额（万元）")
    licence_affected = fields.String(allow_none=True, metadata={"description": "暂扣或吊销证照名称及编号" + MASKED})
    decided_on = Day(required=True, metadata={"description": "处罚决定日期"})
    valid_until = Day(allow_none=True, metadata={"description": "处罚有效期"})
    publication_ends_on = Day(allow_none=True, metadata={"description": "公示截止期"})
    remarks = fields.String(allow_none=True, metadata={"description": "备注" + MASKED})
    procedure = one_of(
        PROCEDURES,
        allow_none=True,
        metadata={"description": "处罚程序: simple 简易程序 | ordinary 普通程序 (不填按普通程序计)"},
    )
    severity = one_of(
        SEVERITIES,
        allow_none=True,
        metadata={
            "description": "失信程度 minor 轻微 | general 一般 | serious 严重. 可不填的情形：按决定日施行的规则可推定为轻微"
            "（国家发展改革委令第36号：简易程序、警告、通报批评）；其余须填写"
        },
    )
    domain = one_of(DOMAINS, required=True, metadata={"description": "交易领域"})
    project_code = fields.String(allow_none=True, metadata={"description": "项目编号"})
    is_public = fields.Boolean(load_default=True)
    not_public_reason = fields.String(allow_none=True, metadata={"description": "不公开理由" + MASKED})
    responsible_persons = persons_in()


PenaltyCorrection = patch_of(
    PenaltyIn,
    "PenaltyCorrection",
    exclude=("authority_id",),
    extra={"reason": text(2000, required=True, metadata={"description": "更正理由" + MASKED})},
)


class RevocationIn(ReasonArgs):
    revoked_on = Day(metadata={"description": "撤销日期 (default today)"})


class PenaltyOut(WithResponsiblePersons, ma.Schema):
    """A penalty as read. Free text shows a personal ID number only masked; a natural person's
    penalty is read only by its own authority, administrators and the platform."""

    id = fields.Integer()
    entity_id = fields.Integer()
    subject_name = fields.String(metadata={"description": "行政相对人名称 (as on the decision)"})
    subject_uscc = fields.String(allow_none=True)
    authority_id = fields.Integer()
    data_source_authority_id = fields.Integer()
    decision_number = fields.String()
    violation_type = fields.String()
    facts = fields.String()
    basis = fields.String()
    categories = fields.List(fields.String())
    content = fields.String()
    fine_amount = Amount(allow_none=True)
    confiscation_amount = Amount(allow_none=True)
    licence_affected = fields.String(allow_none=True)
    decided_on = Day()
    valid_until = Day(allow_none=True)
    publication_ends_on = Day(allow_none=True, metadata={"description": "公示截止期 (last day published)"})
    rule_set = fields.String(allow_none=True, metadata={"description": "publication rule set in force on decided_on"})
    publication_tier = fields.String(
        allow_none=True, metadata={"description": "tier the period follows: minor | general | serious"}
    )
    publishable = fields.Boolean(
        metadata={
            "description": "false: the rules keep it unpublished (轻微 under Order 36, 仅警告, 简易程序 under SAMR rules)"
        }
    )
    publication_note = fields.String(
        allow_none=True,
        metadata={"description": "公示说明: why it is not published, or the sector/local rule that shaped its period"},
    )
    publication_starts_on = Day(allow_none=True)
    repair_from = Day(allow_none=True, metadata={"description": "earliest day credit repair may be applied for"})
    repaired_on = Day(allow_none=True, metadata={"description": "信用修复: publication ended on this day"})
    publication_due_on = Day(allow_none=True, metadata={"description": "公开时效: had to be published by"})
    due_provisional = fields.Boolean(
        metadata={
            "description": "the due date rests on a provisional calendar (a year whose 放假安排 notice is not loaded)"
        }
    )
    remarks = fields.String(allow_none=True)
    procedure = fields.String(
        allow_none=True, metadata={"description": "simple 简易程序 | ordinary 普通程序 | null (not recorded)"}
    )
    severity = fields.String()
    domain = fields.String()
    project_code = fields.String(allow_none=True)
    is_public = fields.Boolean()
    not_public_reason = fields.String(allow_none=True)
    first_published_at = fields.DateTime(allow_none=True)
    status = fields.String()
    revoked_on = Day(allow_none=True)
    revocation_reason = fields.String(allow_none=True)
    responsible_persons = persons_out()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


PenaltyPage = page_of(PenaltyOut, "PenaltyPage")


class PenaltyFilter(PageArgs):
    uscc = fields.String()
    name = fields.String(metadata={"description": "part of the entity's current, former or alias name"})
    entity_id = ref_id()
    authority_id = ref_id()
    domain = one_of(DOMAINS)
    severity = one_of(SEVERITIES)
    status = one_of(PENALTY_STATES)
    project_code = fields.String()
    decision_number = fields.String(
        validate=validate.Length(max=100), metadata={"description": "part of the 行政处罚决定书文号"}
    )
    decided_from = Day()
    decided_to = Day()
