"""Watches (持续监测) and alerts (预警) schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import Day, PageArgs, StrictSchema, page_of, ref_id, text
from registry.screening.decision import DECISIONS


class WatchIn(StrictSchema):
    screening_id = ref_id(required=True, metadata={"description": "the screening whose subjects are watched"})
    watch_until = Day(
        required=True,
        metadata={"description": "the last day watched (e.g. the expected award date): today to a year ahead"},
    )


class WatchPersonOut(ma.Schema):
    capacity = fields.String(metadata={"description": "legal_representative | self (an expert screened)"})
    name = fields.String(allow_none=True)
    id_type = fields.String()
    id_number_masked = fields.String(allow_none=True, metadata={"description": "the number is never kept"})


class WatchOut(ma.Schema):
    id = fields.Integer()
    screening_id = fields.Integer()
    subject_index = fields.Integer(metadata={"description": "the subject's position in the screening (0-based)"})
    subject_name = fields.String(allow_none=True)
    subject_code = fields.String(allow_none=True, metadata={"description": "the code as the screening was given it"})
    domain = fields.String()
    project_code = fields.String()
    decision_then = fields.String(metadata={"description": "the subject's own decision in the screening"})
    alerted_decision = fields.String(
        allow_none=True, metadata={"description": "the worst decision an alert has reported since; null: none"}
    )
    watch_until = Day()
    ended_at = fields.DateTime(allow_none=True)
    ended_by = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    persons = fields.List(
        fields.Nested(WatchPersonOut),
        metadata={"description": "the subject's persons followed among the 失信相关人 (given with an ID number)"},
    )


WatchPage = page_of(WatchOut, "WatchPage")


class WatchFilter(PageArgs):
    screening_id = ref_id()
    active = fields.Boolean(metadata={"description": "true: only watches running today; false: only the others"})


class AlertOut(ma.Schema):
    id = fields.Integer()
    watch_id = fields.Integer()
    screening_id = fields.Integer(metadata={"description": "the screening the alert points to (never changed by it)"})
    subject_index = fields.Integer()
    decision_then = fields.String(metadata={"description": f"the screening's decision: {' | '.join(DECISIONS)}"})
    decision_now = fields.String(metadata={"description": "the decision a screening would give now"})
    change_seq = fields.Integer(metadata={"description": "the outbox event (seq) that set the alert off"})
    entity_id = fields.Integer(metadata={"description": "the entity whose change set it off"})
    details = fields.Dict(
        metadata={"description": "what the re-screening saw: hits with their match explanation, reasons, records"}
    )
    created_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    ack_reason = fields.String(allow_none=True)


AlertPage = page_of(AlertOut, "AlertPage")


class AlertFilter(PageArgs):
    acknowledged = fields.Boolean(metadata={"description": "false: the open alerts; true: the acknowledged"})
    screening_id = ref_id()


class AcknowledgeIn(StrictSchema):
    reason = text(2000, required=True, metadata={"description": "what the agency did (e.g. 已取消其中标候选人资格)"})


class EndWatchIn(StrictSchema):
    reason = text(2000, required=True, metadata={"description": "why the watch ends early (e.g. 合同已签订)"})
