"""/api/v1/penalties: 行政处罚 records."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.lifecycle import actor, etag_headers, expected_version, now, today
from api.schemas.penalties import (
    PenaltyCorrection,
    PenaltyFilter,
    PenaltyIn,
    PenaltyOut,
    PenaltyPage,
    RevocationIn,
)
from api.smorest import Blueprint
from registry.database import db
from registry.records import penalties as service
from registry.runtime import current_rules

blp = Blueprint(
    "penalties",
    __name__,
    url_prefix="/api/v1/penalties",
    description="行政处罚: sanction decisions with the 双公示 fields",
)


@blp.route("")
class Penalties(MethodView):
    @blp.arguments(PenaltyFilter, location="query")
    @blp.response(200, PenaltyPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List penalties the caller may see (the public: published ones only)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return service.list_penalties(db.session(), actor(), today(), filters=args, page=page, per_page=per_page)

    @blp.arguments(PenaltyIn)
    @blp.response(201, PenaltyOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Record a penalty decided by the caller's authority (supervisor)."""
        penalty = service.record_penalty(
            db.session(), data, actor(), today(), rules=current_rules(db.session()), now=now()
        )
        location = url_for("penalties.Penalty", penalty_id=penalty.id)
        return penalty, 201, {**etag_headers(penalty), "Location": location}


@blp.route("/<int:penalty_id>")
class Penalty(MethodView):
    @blp.response(200, PenaltyOut)
    def get(self, penalty_id: int) -> Any:
        """Read one penalty."""
        penalty = service.get_penalty(db.session(), penalty_id, actor(), today())
        return penalty, 200, etag_headers(penalty)

    @blp.versioned
    @blp.arguments(PenaltyCorrection)
    @blp.response(200, PenaltyOut)
    def patch(self, data: dict[str, Any], penalty_id: int) -> Any:
        """更正: correct recorded fields, with the reason (own authority; needs If-Match)."""
        reason = data.pop("reason")
        penalty = service.correct_penalty(
            db.session(),
            penalty_id,
            data,
            reason,
            actor(),
            expected_version(),
            today(),
            rules=current_rules(db.session()),
            now=now(),
        )
        return penalty, 200, etag_headers(penalty)


@blp.route("/<int:penalty_id>/revoke")
class RevokePenalty(MethodView):
    @blp.versioned
    @blp.arguments(RevocationIn)
    @blp.response(200, PenaltyOut)
    def post(self, data: dict[str, Any], penalty_id: int) -> Any:
        """撤销: the decision was revoked; it leaves publication (own authority; needs If-Match)."""
        penalty = service.revoke_penalty(
            db.session(), penalty_id, data["reason"], data.get("revoked_on"), actor(), expected_version(), today()
        )
        return penalty, 200, etag_headers(penalty)
