"""Report schemas: the timeliness report (公开时效) as query arguments, JSON and CSV columns."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from api.csv_render import Column, percent
from api.schemas.common import Day, StrictSchema, one_of, ref_id
from registry.errors import InvalidInput
from registry.records.timeliness import (
    RECORD_TYPES,
    AuthorityTimeliness,
    TimelinessReport,
    check_period,
)

# The service's argument names as the query string spells them.
_QUERY_NAMES = {"date_from": "from", "date_to": "to"}
RECORD_TYPE_LABELS = {"penalty": "行政处罚 penalty", "list_entry": "名单 list entry", "licence": "行政许可 licence"}


class TimelinessArgs(StrictSchema):
    date_from = Day(
        required=True,
        data_key="from",
        metadata={"description": "first decision date (处罚决定日期 / 列入日期 / 许可决定日期) counted"},
    )
    date_to = Day(required=True, data_key="to", metadata={"description": "last decision date counted"})
    authority_id = ref_id(metadata={"description": "one authority (a supervisor: only its own)"})
    record_type = fields.List(
        one_of(RECORD_TYPES),
        validate=ma.validate.Length(min=1),
        metadata={"description": "penalty | list_entry | licence (repeat for several; default all three)"},
    )
    format = one_of(("json", "csv"), metadata={"description": "csv for a spreadsheet (else by Accept; default json)"})

    @ma.validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        try:
            check_period(data["date_from"], data["date_to"])
        except InvalidInput as exc:
            raise ma.ValidationError({_QUERY_NAMES.get(f, f): r for f, r in exc.errors.items()}) from exc


class AuthorityTimelinessOut(ma.Schema):
    authority_id = fields.Integer(allow_none=True, metadata={"description": "null on the total"})
    authority_name = fields.String(allow_none=True)
    records = fields.Integer(metadata={"description": "records decided in the period"})
    on_time = fields.Integer(metadata={"description": "按时公开: published by the due date"})
    late = fields.Integer(metadata={"description": "逾期公开: published after the due date"})
    overdue = fields.Integer(metadata={"description": "逾期未公开: not published, past due"})
    pending = fields.Integer(metadata={"description": "未到期: not published, not yet due"})
    exempt = fields.Integer(metadata={"description": "不予公开: the three reasons below"})
    exempt_not_public = fields.Integer(metadata={"description": "不公开 with a reason (保密审查)"})
    exempt_not_publishable = fields.Integer(metadata={"description": "minor penalty the rules do not publish"})
    exempt_ended = fields.Integer(
        metadata={"description": "revoked, removed, repaired or expired unpublished by its due date"}
    )
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "on_time / (on_time + late + overdue)"})
    median_delay_working_days = fields.Float(
        allow_none=True, metadata={"description": "working days from decision to first publication (published records)"}
    )
    median_working_days_late = fields.Float(
        allow_none=True, metadata={"description": "working days after the due date (late records)"}
    )
    provisional = fields.Boolean(
        metadata={
            "description": "some figure rests on a provisional calendar (a year whose 放假安排 notice is not loaded)"
        }
    )


class OverdueRecordOut(ma.Schema):
    record_type = fields.String(metadata={"description": "penalty | list_entry | licence"})
    record_id = fields.Integer()
    authority_id = fields.Integer()
    authority_name = fields.String()
    subject_name = fields.String(metadata={"description": "行政相对人名称"})
    decision_number = fields.String(metadata={"description": "决定书文号"})
    decided_on = Day(metadata={"description": "处罚决定日期 / 列入日期"})
    due_on = Day(metadata={"description": "应公开日期: the last day to publish"})
    working_days_overdue = fields.Integer()
    provisional = fields.Boolean()


class _Period(ma.Schema):
    date_from = Day(data_key="from")
    date_to = Day(data_key="to")
    today = Day(data_key="as_of", metadata={"description": "the day buckets are judged on"})
    record_types = fields.List(fields.String())


class TimelinessReportOut(_Period):
    authorities = fields.List(fields.Nested(AuthorityTimelinessOut))
    total = fields.Nested(AuthorityTimelinessOut)
    overdue = fields.List(fields.Nested(OverdueRecordOut))


class OverdueReportOut(_Period):
    overdue = fields.List(fields.Nested(OverdueRecordOut))


TIMELINESS_COLUMNS = (
    Column("机关名称 Authority", lambda a: a.authority_name or "合计 Total"),
    Column("机关编号 Authority ID", lambda a: a.authority_id),
    Column("记录数 Records", lambda a: a.records),
    Column("按时公开 On time", lambda a: a.on_time),
    Column("逾期公开 Late", lambda a: a.late),
    Column("逾期未公开 Overdue", lambda a: a.overdue),
    Column("未到期未公开 Pending", lambda a: a.pending),
    Column("不予公开 Exempt", lambda a: a.exempt),
    Column("其中依法不公开 Exempt: not public", lambda a: a.exempt_not_public),
    Column("其中轻微不公示 Exempt: minor (not published)", lambda a: a.exempt_not_publishable),
    Column("其中到期前已撤销或终止 Exempt: ended before due", lambda a: a.exempt_ended),
    Column("按时公开率 On-time rate", lambda a: percent(a.on_time_rate)),
    Column("公开用时中位数（工作日） Median working days to publish", lambda a: a.median_delay_working_days),
    Column("逾期天数中位数（工作日） Median working days late", lambda a: a.median_working_days_late),
    Column("含推定日历 Provisional calendar", lambda a: a.provisional),
)

OVERDUE_COLUMNS = (
    Column("记录类型 Record type", lambda o: RECORD_TYPE_LABELS.get(o.record_type, o.record_type)),
    Column("记录编号 Record ID", lambda o: o.record_id),
    Column("机关名称 Authority", lambda o: o.authority_name),
    Column("机关编号 Authority ID", lambda o: o.authority_id),
    Column("行政相对人名称 Subject", lambda o: o.subject_name),
    Column("决定书文号 Decision number", lambda o: o.decision_number),
    Column("决定日期 Decided on", lambda o: o.decided_on),
    Column("应公开日期 Due on", lambda o: o.due_on),
    Column("逾期工作日 Working days overdue", lambda o: o.working_days_overdue),
    Column("含推定日历 Provisional calendar", lambda o: o.provisional),
)


def timeliness_rows(report: TimelinessReport) -> list[AuthorityTimeliness]:
    """One row per authority, then the total."""
    return [*report.authorities, report.total]
