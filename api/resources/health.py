"""/healthz (the process answers) and /readyz (the database answers too).

/readyz also tells what the working-day calendar knows (`calendar`): from 1 November it warns
when next year's 放假安排 notice is not loaded (deadlines after 31 December are provisional).
That is a warning for the operators, not a reason to take the instance out of service: the
status stays "ok".
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint

from registry.calendar.workdays import outlook_of
from registry.database import db
from registry.runtime import current_runtime

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Any:
    return {"status": "ok"}


@blp.get("/readyz")
def readyz() -> Any:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return {"status": "unavailable", "database": type(exc).__name__}, 503
    calendar: dict[str, object]
    try:
        calendar = outlook_of(db.session(), current_runtime().clock.today()).as_dict()
    except sa.exc.SQLAlchemyError as exc:  # e.g. the calendar tables are not migrated yet
        db.session.rollback()
        calendar = {"error": type(exc).__name__}
    return {"status": "ok", "database": db.engine.dialect.name, "calendar": calendar}
