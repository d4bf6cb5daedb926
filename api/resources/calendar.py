"""/api/v1/calendar: the working-day calendar (工作日) — loaded years (调休安排) and working-day answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView

from api.lifecycle import actor
from api.schemas.calendar import CalendarYearIn, CalendarYearOut, WorkingDaysArgs, WorkingDaysOut
from api.smorest import Blueprint
from registry.calendar import service
from registry.calendar.workdays import Answer, WorkCalendar
from registry.database import db
from registry.runtime import current_runtime

blp = Blueprint(
    "calendar",
    __name__,
    url_prefix="/api/v1/calendar",
    description="工作日: holidays and make-up workdays (调休) by year, and working-day counts",
)


@blp.route("/years/<int:year>")
class CalendarYear(MethodView):
    @blp.response(200, CalendarYearOut)
    def get(self, year: int) -> Any:
        """Where a year's working days come from (override, package, provisional), with its overrides (anyone)."""
        found = service.describe_calendar_year(db.session(), year)
        return found.loaded or found

    @blp.arguments(CalendarYearIn)
    @blp.response(200, CalendarYearOut)
    def put(self, data: dict[str, Any], year: int) -> Any:
        """Load a year's holidays and make-up workdays from its notice, replacing what was loaded (admin)."""
        return service.load_calendar_year(
            db.session(), year, data["notice"], data["days"], actor(), catalogue=current_runtime().catalogue
        )

    @blp.response(204)
    def delete(self, year: int) -> Any:
        """Delete a loaded year: the package answers for it again, or it is provisional (admin)."""
        service.delete_calendar_year(db.session(), year, actor(), catalogue=current_runtime().catalogue)


def _answer(
    calendar: WorkCalendar, answer: Answer[Any], first: dt.date, last: dt.date, **fields: Any
) -> dict[str, Any]:
    sources = calendar.sources(first, last)
    return {
        **fields,
        "provisional": answer.provisional,
        "sources": [{"year": year, "source": source} for year, source in sources.items()],
    }


@blp.route("/working-days")
class WorkingDays(MethodView):
    @blp.arguments(WorkingDaysArgs, location="query")
    @blp.response(200, WorkingDaysOut)
    def get(self, args: dict[str, Any]) -> Any:
        """Working days: a deadline (from + add), a count (from … to) or one day (on); says if provisional (anyone)."""
        calendar = WorkCalendar.load(db.session())
        if "on" in args:
            day = args["on"]
            is_working = calendar.is_working_day(day)
            return _answer(calendar, is_working, day, day, on=day, is_working_day=is_working.value)
        start = args["from_"]
        if "add" in args:
            due = calendar.add_working_days(start, args["add"])
            return _answer(calendar, due, start, due.value, from_=start, add=args["add"], date=due.value)
        count = calendar.working_days_between(start, args["to"])
        return _answer(calendar, count, start, args["to"], from_=start, to=args["to"], working_days=count.value)
