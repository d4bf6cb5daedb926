"""/api/v1/measures and /api/v1/entities/{id}/measures: 联合惩戒/激励措施."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.lifecycle import actor
from api.schemas.measures import EntityMeasuresArgs, EntityReachOut, MeasureFilter, MeasureList
from api.smorest import Blueprint
from registry.database import db
from registry.runtime import current_runtime
from registry.screening.measure_reach import entity_reach
from registry.screening.measures import select_measures

blp = Blueprint(
    "measures",
    __name__,
    url_prefix="/api/v1",
    description="联合惩戒/激励措施: the measure catalogue and the measures that apply to an entity",
)


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
    @blp.response(200, EntityReachOut)
    def get(self, args: dict[str, Any], entity_id: int) -> Any:
        """What a screening identifying the entity would decide, per domain (or in `domain`), and why (not public)."""
        runtime = current_runtime()
        on = args.get("on") or runtime.clock.today()
        reach = entity_reach(db.session(), actor(), entity_id, on, runtime.measures)
        asked = [d for d in reach.domains if args.get("domain") in (None, d.domain)]
        one = asked[0] if args.get("domain") else None
        return {
            "entity_id": reach.entity_id,
            "entity_name": reach.entity_name,
            "on": reach.on,
            "domain": one.domain if one else None,
            "effect": (one.hits[0].effect if one.hits else None) if one else reach.effect,
            "hits": list(one.hits) if one else [],
            "domains": asked,
        }
