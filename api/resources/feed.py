"""/api/v1/feed: the credit platform pulls every change after its cursor, in order."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.lifecycle import actor
from api.schemas.feed import FeedArgs, FeedPageOut
from api.smorest import Blueprint
from registry.database import db
from sync.feed import DataSource, read_feed

blp = Blueprint(
    "feed",
    __name__,
    url_prefix="/api/v1/feed",
    description="增量数据: outbox events in sequence order, for the credit platform to pull",
)


@blp.route("")
class Feed(MethodView):
    @blp.arguments(FeedArgs, location="query")
    @blp.response(200, FeedPageOut)
    def get(self, args: dict[str, Any]) -> Any:
        """Events after a sequence number, oldest first (platform, admin); ask again with next_after."""
        config = current_app.config
        return read_feed(
            db.session(),
            actor(),
            after=args["after"],
            limit=args["limit"],
            include_not_public=bool(config["SYNC_INCLUDE_NOT_PUBLIC"]),
            operator=DataSource(config["DATA_SOURCE_NAME"], config["DATA_SOURCE_USCC"]),
        )
