"""/api/v1/sync/targets and /api/v1/metrics: how far each push target has got."""

from __future__ import annotations

from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app
from flask.views import MethodView

from api.lifecycle import actor
from api.schemas.sync_status import SyncStatusOut
from api.smorest import Blueprint
from registry.calendar.workdays import outlook_of
from registry.database import db, utcnow
from registry.messages import Text
from registry.runtime import current_runtime
from sync.metrics import render_metrics
from sync.status import TargetStatus, target_statuses
from sync.targets import Target, TargetConfigError, configured_targets

blp = Blueprint(
    "sync",
    __name__,
    url_prefix="/api/v1/sync",
    description="推送状态: the scheduled push to the credit platform, per target",
)
metrics_blp = FlaskBlueprint("metrics", __name__)


def _statuses() -> tuple[list[TargetStatus], Text | None]:
    """The targets' statuses, and why the targets file could not be read (a catalogue message)."""
    targets: list[Target]
    problem: Text | None = None
    try:
        targets = configured_targets(current_app.config)
    except TargetConfigError as exc:
        targets, problem = [], exc.text
    return target_statuses(db.session(), actor(), targets, utcnow()), problem


@blp.route("/targets")
class SyncTargets(MethodView):
    @blp.response(200, SyncStatusOut)
    def get(self) -> Any:
        """Cursor, lag, batch in flight, last success and error, dead letters per target (platform, admin)."""
        statuses, problem = _statuses()
        return {"config_error": problem, "targets": statuses}


@metrics_blp.get("/api/v1/metrics")
def metrics() -> Response:
    """Prometheus text format: push lag, cursor, dead letters and last success per target, and whether
    next year's working-day calendar is known (platform, admin)."""
    statuses, problem = _statuses()
    calendar = outlook_of(db.session(), current_runtime().clock.today())
    return Response(
        render_metrics(statuses, config_ok=problem is None, calendar=calendar),
        mimetype="text/plain",
        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"},
    )
