"""/api/v1/authorities: 机关."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.lifecycle import actor, etag_headers, expected_version
from api.schemas.authorities import (
    AuthorityFilter,
    AuthorityIn,
    AuthorityOut,
    AuthorityPage,
    AuthorityPatch,
)
from api.smorest import Blueprint
from registry.database import db
from registry.records import authorities as service

blp = Blueprint(
    "authorities",
    __name__,
    url_prefix="/api/v1/authorities",
    description="机关: the authorities whose decisions the registry holds",
)


@blp.route("")
class Authorities(MethodView):
    @blp.arguments(AuthorityFilter, location="query")
    @blp.response(200, AuthorityPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List authorities (anyone)."""
        return service.list_authorities(db.session(), **args)

    @blp.arguments(AuthorityIn)
    @blp.response(201, AuthorityOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register an authority (admin)."""
        authority = service.create_authority(db.session(), data, actor())
        location = url_for("authorities.Authority", authority_id=authority.id)
        return authority, 201, {**etag_headers(authority), "Location": location}


@blp.route("/<int:authority_id>")
class Authority(MethodView):
    @blp.response(200, AuthorityOut)
    def get(self, authority_id: int) -> Any:
        """Read one authority (anyone)."""
        authority = service.get_authority(db.session(), authority_id)
        return authority, 200, etag_headers(authority)

    @blp.versioned
    @blp.arguments(AuthorityPatch)
    @blp.response(200, AuthorityOut)
    def patch(self, data: dict[str, Any], authority_id: int) -> Any:
        """Change an authority (admin; needs If-Match)."""
        authority = service.update_authority(db.session(), authority_id, data, actor(), expected_version())
        return authority, 200, etag_headers(authority)
