"""/api/v1/entities: 市场主体 / 行政相对人 and their names."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.lifecycle import actor, etag_headers, expected_version
from api.ratelimit import limited
from api.schemas.entities import (
    EntityFilter,
    EntityIn,
    EntityOut,
    EntityPage,
    EntityPatch,
    NameIn,
    NameRemoval,
)
from api.smorest import Blueprint
from registry.database import db
from registry.records import entities as service
from registry.runtime import current_runtime

blp = Blueprint(
    "entities",
    __name__,
    url_prefix="/api/v1/entities",
    description="市场主体 / 行政相对人, with names over time (曾用名, 别名)",
)


@blp.route("")
class Entities(MethodView):
    @limited("search", blueprint=blp)
    @blp.arguments(EntityFilter, location="query")
    @blp.response(200, EntityPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Find entities by name (current, former or alias), code, kind or region (people: not public)."""
        return service.list_entities(db.session(), actor(), **args)

    @blp.arguments(EntityIn)
    @blp.response(201, EntityOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register an entity (supervisor or admin)."""
        entity = service.create_entity(db.session(), data, actor(), current_runtime().vault)
        return entity, 201, {**etag_headers(entity), "Location": url_for("entities.Entity", entity_id=entity.id)}


@blp.route("/<int:entity_id>")
class Entity(MethodView):
    @blp.response(200, EntityOut)
    def get(self, entity_id: int) -> Any:
        """Read one entity with its names; ID numbers appear masked only."""
        entity = service.get_entity(db.session(), entity_id, actor())
        return entity, 200, etag_headers(entity)

    @blp.versioned
    @blp.arguments(EntityPatch)
    @blp.response(200, EntityOut)
    def patch(self, data: dict[str, Any], entity_id: int) -> Any:
        """Change an entity; a new name keeps the old one as 曾用名 (needs If-Match)."""
        entity = service.update_entity(
            db.session(),
            entity_id,
            data,
            actor(),
            expected_version(),
            current_runtime().vault,
            current_runtime().clock.today(),
        )
        return entity, 200, etag_headers(entity)


@blp.route("/<int:entity_id>/names")
class EntityNames(MethodView):
    @blp.versioned
    @blp.arguments(NameIn)
    @blp.response(201, EntityOut)
    def post(self, data: dict[str, Any], entity_id: int) -> Any:
        """Add a former name (曾用名) or alias (needs If-Match of the entity)."""
        entity = service.add_entity_name(db.session(), entity_id, data, actor(), expected_version())
        return entity, 201, etag_headers(entity)


@blp.route("/<int:entity_id>/names/<int:name_id>")
class EntityName(MethodView):
    @blp.versioned
    @blp.arguments(NameRemoval)
    @blp.response(200, EntityOut)
    def delete(self, data: dict[str, Any], entity_id: int, name_id: int) -> Any:
        """Remove a former name or alias recorded in error, with the reason (needs If-Match)."""
        entity = service.remove_entity_name(
            db.session(), entity_id, name_id, actor(), expected_version(), data["reason"]
        )
        return entity, 200, etag_headers(entity)
