"""/api/v1/licences: 行政许可 records (the licensing half of 双公示)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.lifecycle import actor, etag_headers, expected_version, now, today
from api.schemas.licences import LicenceCorrection, LicenceEnd, LicenceFilter, LicenceIn, LicenceOut, LicencePage
from api.smorest import Blueprint
from registry.database import db
from registry.records import licences as service
from registry.runtime import current_rules

blp = Blueprint(
    "licences",
    __name__,
    url_prefix="/api/v1/licences",
    description="行政许可: licensing decisions with the 双公示 fields (not a sanction: screenings never read them)",
)


@blp.route("")
class Licences(MethodView):
    @blp.arguments(LicenceFilter, location="query")
    @blp.response(200, LicencePage)
    def get(self, args: dict[str, Any]) -> Any:
        """List licences the caller may see (the public: published ones)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return service.list_licences(db.session(), actor(), today(), filters=args, page=page, per_page=per_page)

    @blp.arguments(LicenceIn)
    @blp.response(201, LicenceOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Record a licence decided by the caller's authority (supervisor)."""
        rules = current_rules(db.session())
        licence = service.record_licence(db.session(), data, actor(), today(), rules=rules, now=now())
        location = url_for("licences.Licence", licence_id=licence.id)
        return licence, 201, {**etag_headers(licence), "Location": location}


@blp.route("/<int:licence_id>")
class Licence(MethodView):
    @blp.response(200, LicenceOut)
    def get(self, licence_id: int) -> Any:
        """Read one licence."""
        licence = service.get_licence(db.session(), licence_id, actor(), today())
        return licence, 200, etag_headers(licence)

    @blp.versioned
    @blp.arguments(LicenceCorrection)
    @blp.response(200, LicenceOut)
    def patch(self, data: dict[str, Any], licence_id: int) -> Any:
        """更正: correct recorded fields, with the reason (own authority; needs If-Match)."""
        reason, rules = data.pop("reason"), current_rules(db.session())
        licence = service.correct_licence(
            db.session(), licence_id, data, reason, actor(), expected_version(), today(), rules=rules, now=now()
        )
        return licence, 200, etag_headers(licence)


@blp.route("/<int:licence_id>/end")
class EndLicence(MethodView):
    @blp.versioned
    @blp.arguments(LicenceEnd)
    @blp.response(200, LicenceOut)
    def post(self, data: dict[str, Any], licence_id: int) -> Any:
        """撤销 or 注销 a licence, with the reason and the day (own authority; needs If-Match)."""
        how, reason, day = data["status"], data["reason"], data.get("status_changed_on")
        licence = service.end_licence(db.session(), licence_id, how, reason, day, actor(), expected_version(), today())
        return licence, 200, etag_headers(licence)
