"""/api/v1/watches and /api/v1/alerts: an agency's bidders watched until award, and the alerts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.lifecycle import actor, now, today
from api.schemas.monitoring import (
    AcknowledgeIn,
    AlertFilter,
    AlertOut,
    AlertPage,
    EndWatchIn,
    WatchFilter,
    WatchIn,
    WatchOut,
)
from api.schemas.monitoring import WatchPage as WatchPageOut
from api.smorest import Blueprint
from registry.database import db
from registry.monitoring import alerts, watches

blp = Blueprint(
    "monitoring",
    __name__,
    url_prefix="/api/v1",
    description="持续监测: watch a screening's bidders until award; an alert when one is listed or fined",
)


@blp.route("/watches")
class Watches(MethodView):
    @blp.arguments(WatchFilter, location="query")
    @blp.response(200, WatchPageOut)
    def get(self, args: dict[str, Any]) -> Any:
        """The agency's watches, newest first (a screener its own; administrators and the platform all)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return watches.list_watches(db.session(), actor(), today(), **args, page=page, per_page=per_page)

    @blp.arguments(WatchIn)
    @blp.response(201, WatchOut(many=True))
    def post(self, data: dict[str, Any]) -> Any:
        """Watch every subject of a screening until `watch_until` (the screener that screened, or admin)."""
        screening, until = data["screening_id"], data["watch_until"]
        return watches.watch_screening(db.session(), screening, until, actor(), today(), now=now())


@blp.route("/watches/<int:watch_id>")
class Watch(MethodView):
    @blp.response(200, WatchOut)
    def get(self, watch_id: int) -> Any:
        """Read one watch."""
        return watches.get_watch(db.session(), watch_id, actor())


@blp.route("/watches/<int:watch_id>/end")
class EndWatch(MethodView):
    @blp.arguments(EndWatchIn)
    @blp.response(200, WatchOut)
    def post(self, data: dict[str, Any], watch_id: int) -> Any:
        """End a watch before its day, with the reason."""
        return watches.end_watch(db.session(), watch_id, data["reason"], actor(), now=now())


@blp.route("/alerts")
class Alerts(MethodView):
    @blp.arguments(AlertFilter, location="query")
    @blp.response(200, AlertPage)
    def get(self, args: dict[str, Any]) -> Any:
        """The agency's alerts, newest first (`acknowledged=false`: the open ones)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return alerts.list_alerts(db.session(), actor(), **args, page=page, per_page=per_page)


@blp.route("/alerts/<int:alert_id>")
class Alert(MethodView):
    @blp.response(200, AlertOut)
    def get(self, alert_id: int) -> Any:
        """Read one alert."""
        return alerts.get_alert(db.session(), alert_id, actor())


@blp.route("/alerts/<int:alert_id>/acknowledge")
class AcknowledgeAlert(MethodView):
    @blp.arguments(AcknowledgeIn)
    @blp.response(200, AlertOut)
    def post(self, data: dict[str, Any], alert_id: int) -> Any:
        """Acknowledge an alert with what the agency did (the agency that screened, or admin)."""
        return alerts.acknowledge_alert(db.session(), alert_id, data["reason"], actor(), now=now())
