"""/api/v1/repairs: credit repair (信用修复) applications and their decisions."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.lifecycle import actor, etag_headers, expected_version, today
from api.schemas.common import ReasonArgs
from api.schemas.repairs import RepairFilter, RepairIn, RepairOut, RepairPage
from api.smorest import Blueprint
from registry.database import db
from registry.records import repairs as service
from registry.runtime import current_rules

blp = Blueprint(
    "repairs",
    __name__,
    url_prefix="/api/v1/repairs",
    description="信用修复: applications to repair a penalty or list entry, decided by its authority",
)


@blp.route("")
class Repairs(MethodView):
    @blp.arguments(RepairFilter, location="query")
    @blp.response(200, RepairPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List repair applications (administrators, the platform, a supervisor its own authority's)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return service.list_repairs(db.session(), actor(), today(), filters=args, page=page, per_page=per_page)

    @blp.arguments(RepairIn)
    @blp.response(201, RepairOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Submit a repair application for a record past its minimum period (platform or its authority)."""
        application = service.submit_repair(db.session(), data, actor(), today(), current_rules(db.session()))
        location = url_for("repairs.Repair", application_id=application.id)
        return application, 201, {**etag_headers(application), "Location": location}


@blp.route("/<int:application_id>")
class Repair(MethodView):
    @blp.response(200, RepairOut)
    def get(self, application_id: int) -> Any:
        """Read one repair application."""
        application = service.get_repair(db.session(), application_id, actor())
        return application, 200, etag_headers(application)


@blp.route("/<int:application_id>/accept")
class AcceptRepair(MethodView):
    @blp.versioned
    @blp.response(200, RepairOut)
    def post(self, application_id: int) -> Any:
        """受理: take a submitted application up (the record's authority; needs If-Match)."""
        application = service.accept_repair(db.session(), application_id, actor(), expected_version(), today())
        return application, 200, etag_headers(application)


@blp.route("/<int:application_id>/reject")
class RejectRepair(MethodView):
    @blp.versioned
    @blp.arguments(ReasonArgs)
    @blp.response(200, RepairOut)
    def post(self, data: dict[str, Any], application_id: int) -> Any:
        """不予修复: refuse a submitted or accepted application, with the reason (needs If-Match)."""
        application = service.reject_repair(
            db.session(), application_id, data["reason"], actor(), expected_version(), today()
        )
        return application, 200, etag_headers(application)


@blp.route("/<int:application_id>/complete")
class CompleteRepair(MethodView):
    @blp.versioned
    @blp.arguments(ReasonArgs)
    @blp.response(200, RepairOut)
    def post(self, data: dict[str, Any], application_id: int) -> Any:
        """修复完成: repair the record of an accepted application; it leaves publication, kept (needs If-Match)."""
        application = service.complete_repair(
            db.session(), application_id, data["reason"], actor(), expected_version(), today()
        )
        return application, 200, etag_headers(application)
