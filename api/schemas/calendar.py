"""Working-day calendar schemas: a year's overrides (调休安排) and working-day answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import Day, StrictSchema, one_of, text
from registry.calendar.service import FIRST_YEAR, KINDS, LAST_YEAR, NAME_MAX, NOTICE_MAX, SOURCES

# Answers are counted day by day: bounds keep one request from asking for centuries.
MAX_ADD = 1000  # working days, about four years
MAX_SPAN_DAYS = 3660  # about ten years
DATES = validate.Range(min=dt.date(FIRST_YEAR, 1, 1), max=dt.date(LAST_YEAR, 12, 31))
SOURCE_HELP = (
    "override: loaded from a notice by an administrator; package: the chinesecalendar package; "
    "provisional: neither, so weekends and the statutory holidays of the 放假办法 are assumed off, without the 调休 swaps"
)


class CalendarDayIn(StrictSchema):
    date = Day(required=True)
    kind = one_of(
        tuple(KINDS),
        required=True,
        metadata={
            "description": "holiday: a day off on a weekday (放假); workday: a make-up workday at a weekend (调休上班)"
        },
    )
    name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=NAME_MAX),
        metadata={"description": "元旦, 春节, 国庆节调休上班 …"},
    )


class CalendarYearIn(StrictSchema):
    notice = text(
        NOTICE_MAX,
        required=True,
        metadata={
            "description": "title of the State Council General Office notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知"
        },
    )
    days = fields.List(
        fields.Nested(CalendarDayIn),
        required=True,
        metadata={"description": "every holiday on a weekday and every make-up workday at a weekend the notice names"},
    )


class CalendarDayOut(ma.Schema):
    date = Day()
    kind = fields.String()
    name = fields.String(allow_none=True)


class CalendarYearOut(ma.Schema):
    year = fields.Integer()
    source = fields.String(metadata={"description": SOURCE_HELP, "enum": list(SOURCES)})
    notice = fields.String(metadata={"description": "override years only"})
    loaded_at = fields.DateTime(metadata={"description": "override years only"})
    loaded_by = fields.String(metadata={"description": "override years only"})
    days = fields.List(fields.Nested(CalendarDayOut), metadata={"description": "override years only"})


class WorkingDaysArgs(StrictSchema):
    """One question: `from` + `add`, `from` + `to`, or `on` alone."""

    from_ = Day(data_key="from", validate=DATES, metadata={"description": "the day counted from (not itself counted)"})
    add = fields.Integer(
        validate=validate.Range(min=0, max=MAX_ADD),
        metadata={"description": "working days to add to `from`: the answer is that day (a deadline)"},
    )
    to = Day(validate=DATES, metadata={"description": "count the working days after `from` up to and including `to`"})
    on = Day(validate=DATES, metadata={"description": "is this one day a working day?"})

    @ma.validates_schema
    def one_question(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "on" in data:
            extra = [name for key, name in (("from_", "from"), ("add", "add"), ("to", "to")) if key in data]
            if extra:
                raise ma.ValidationError(
                    {name: ["on asks about one day; leave out from, add and to"] for name in extra}
                )
            return
        if "from_" not in data:
            raise ma.ValidationError({"from": ["give from with add or to, or give on alone"]})
        if "add" in data and "to" in data:
            raise ma.ValidationError({"to": ["give add or to, not both"]})
        if "add" not in data and "to" not in data:
            raise ma.ValidationError(
                {
                    "add": ["give add (working days to add to from) or to (a date to count to)"],
                    "to": ["give add (working days to add to from) or to (a date to count to)"],
                }
            )
        if "to" in data and abs((data["to"] - data["from_"]).days) > MAX_SPAN_DAYS:
            raise ma.ValidationError({"to": [f"must be within {MAX_SPAN_DAYS} days of from"]})


class YearSourceOut(ma.Schema):
    year = fields.Integer()
    source = fields.String(metadata={"description": SOURCE_HELP, "enum": list(SOURCES)})


class WorkingDaysOut(ma.Schema):
    from_ = Day(data_key="from")
    add = fields.Integer()
    to = Day()
    on = Day()
    date = Day(metadata={"description": "from + add working days (with add)"})
    working_days = fields.Integer(
        metadata={"description": "working days after from up to and including to, negative if to is earlier (with to)"}
    )
    is_working_day = fields.Boolean(metadata={"description": "with on"})
    provisional = fields.Boolean(
        metadata={
            "description": "true if any day behind the answer was only assumed (a year with neither override nor package)"
        }
    )
    sources = fields.List(
        fields.Nested(YearSourceOut), metadata={"description": "the source of each year the answer spans"}
    )
