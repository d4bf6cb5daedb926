"""/healthz (the process answers) and /readyz (the database answers too).

/readyz also tells what the working-day calendar knows (`calendar`): from 1 November it warns
when next year's 放假安排 notice is not loaded (deadlines after 31 December are provisional).
That is a warning for the operators, not a reason to take the instance out of service: the
status stays "ok".
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from registry.calendar.workdays import readiness
from registry.database import db, unavailable
from registry.runtime import current_runtime

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Any:
    return {"status": "ok"}


@blp.get("/readyz")
def readyz() -> Any:
    problem = unavailable(db.session())
    if problem is not None:
        return {"status": "unavailable", "database": problem}, 503
    calendar = readiness(db.session(), current_runtime().clock.today())
    return {"status": "ok", "database": db.engine.dialect.name, "calendar": calendar}
