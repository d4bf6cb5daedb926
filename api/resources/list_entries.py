"""/api/v1/list-entries: 名单 entries and their transitions."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.lifecycle import actor, etag_headers, expected_version, now, today
from api.schemas.list_entries import (
    ListEntryCorrection,
    ListEntryFilter,
    ListEntryIn,
    ListEntryOut,
    ListEntryPage,
    TransitionIn,
)
from api.smorest import Blueprint
from registry.database import db
from registry.records import list_entries as service
from registry.runtime import current_rules

blp = Blueprint(
    "list_entries",
    __name__,
    url_prefix="/api/v1/list-entries",
    description="名单: black (黑名单), red (红名单) and watch (重点关注) list entries",
)


@blp.route("")
class ListEntries(MethodView):
    @blp.arguments(ListEntryFilter, location="query")
    @blp.response(200, ListEntryPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List entries the caller may see (the public: published ones only)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return service.list_list_entries(db.session(), actor(), today(), filters=args, page=page, per_page=per_page)

    @blp.arguments(ListEntryIn)
    @blp.response(201, ListEntryOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Record a list entry decided by the caller's authority (supervisor)."""
        entry = service.create_list_entry(
            db.session(), data, actor(), today(), rules=current_rules(db.session()), now=now()
        )
        location = url_for("list_entries.ListEntry", entry_id=entry.id)
        return entry, 201, {**etag_headers(entry), "Location": location}


@blp.route("/<int:entry_id>")
class ListEntry(MethodView):
    @blp.response(200, ListEntryOut)
    def get(self, entry_id: int) -> Any:
        """Read one entry with its transitions."""
        entry = service.get_list_entry(db.session(), entry_id, actor(), today())
        return entry, 200, etag_headers(entry)

    @blp.versioned
    @blp.arguments(ListEntryCorrection)
    @blp.response(200, ListEntryOut)
    def patch(self, data: dict[str, Any], entry_id: int) -> Any:
        """更正: correct recorded fields, with the reason (own authority; needs If-Match)."""
        reason = data.pop("reason")
        entry = service.correct_list_entry(
            db.session(),
            entry_id,
            data,
            reason,
            actor(),
            expected_version(),
            today(),
            rules=current_rules(db.session()),
            now=now(),
        )
        return entry, 200, etag_headers(entry)


@blp.route("/<int:entry_id>/remove")
class RemoveListEntry(MethodView):
    @blp.versioned
    @blp.arguments(TransitionIn)
    @blp.response(200, ListEntryOut)
    def post(self, data: dict[str, Any], entry_id: int) -> Any:
        """移出: take the entry off its list early, with the reason (needs If-Match)."""
        entry = service.remove_list_entry(
            db.session(), entry_id, data["reason"], data.get("effective_on"), actor(), expected_version(), today()
        )
        return entry, 200, etag_headers(entry)


@blp.route("/<int:entry_id>/repair")
class RepairListEntry(MethodView):
    @blp.versioned
    @blp.arguments(TransitionIn)
    @blp.response(200, ListEntryOut)
    def post(self, data: dict[str, Any], entry_id: int) -> Any:
        """信用修复: record that the entity repaired its credit (needs If-Match)."""
        entry = service.repair_list_entry(
            db.session(), entry_id, data["reason"], data.get("effective_on"), actor(), expected_version(), today()
        )
        return entry, 200, etag_headers(entry)


@blp.route("/<int:entry_id>/revoke")
class RevokeListEntry(MethodView):
    @blp.versioned
    @blp.arguments(TransitionIn)
    @blp.response(200, ListEntryOut)
    def post(self, data: dict[str, Any], entry_id: int) -> Any:
        """撤销: the listing decision was revoked; the entry stops counting, kept (needs If-Match)."""
        entry = service.revoke_list_entry(
            db.session(), entry_id, data["reason"], data.get("effective_on"), actor(), expected_version(), today()
        )
        return entry, 200, etag_headers(entry)
