"""/api/v1/measures and /api/v1/entities/{id}/measures: 联合惩戒/激励措施."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.lifecycle import actor
from api.schemas.measures import EntityMeasuresArgs, EntityMeasuresOut, MeasureFilter, MeasureList
from api.smorest import Blueprint
from registry.database import db
from registry.measures import entity_measures, select_measures
from registry.runtime import current_runtime

blp = Blueprint("measures", __name__, url_prefix="/api/v1",
                description="联合惩戒/激励措施: the measure catalogue and the measures that apply to an entity")


@blp.route("/measures")
class Measures(MethodView):
    @blp.arguments(MeasureFilter, location="query")
    @blp.response(200, MeasureList)
    def get(self, args: dict[str, Any]) -> Any:
        """The measure catalogue, with triggers, domains, durations and legal bases (anyone)."""
        items = select_measures(current_runtime().measures, **args)
        return {"items": items, "total": len(items)}


@blp.route("/entities/<int:entity_id>/measures")
class EntityMeasures(MethodView):
    @blp.arguments(EntityMeasuresArgs, location="query")
    @blp.response(200, EntityMeasuresOut)
    def get(self, args: dict[str, Any], entity_id: int) -> Any:
        """The measures in force for an entity in a domain on a day, with the records behind each (not public)."""
        runtime = current_runtime()
        on = args.get("on") or runtime.clock.today()
        return entity_measures(db.session(), actor(), entity_id, args["domain"], on, runtime.measures)
