"""/healthz (the process answers) and /readyz (the database answers too)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint

from registry.database import db

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
    return {"status": "ok", "database": db.engine.dialect.name}
