"""/api/v1/exports/{kind}.{fmt}: the credit platform downloads every record as it stands now."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, stream_with_context
from flask.views import MethodView

from api.lifecycle import actor, today
from api.smorest import Blueprint
from registry.database import db
from registry.national_columns import KINDS
from sync.exports import FORMATS, MEDIA_TYPES, open_export
from sync.national import DataSource

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1/exports",
    description="全量数据: snapshot exports of penalties, list entries and name changes, streamed",
)

_DOC = {
    "parameters": [
        {
            "in": "path",
            "name": "name",
            "required": True,
            "schema": {"type": "string"},
            "description": f"KIND.FORMAT: kind one of {', '.join(KINDS)}; format one of {', '.join(FORMATS)}",
        }
    ],
    "responses": {
        "200": {
            "description": "the export, streamed: CSV (UTF-8 with BOM, Chinese headers), XLSX, or JSONL "
            "(English keys); columns in docs/sync-format.md",
            "content": {
                media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for media in MEDIA_TYPES.values()
            },
        },
        "404": {"description": "unknown kind or format (the message names the valid ones)"},
    },
}


@blp.route("/<string:name>")
class Export(MethodView):
    @blp.doc(**_DOC)
    def get(self, name: str) -> Any:
        """Every penalty, list entry or name change as it stands now, with its outbox seq (platform, admin)."""
        kind, _, fmt = name.rpartition(".")
        config = current_app.config
        export = open_export(
            db.session(),
            actor(),
            kind,
            fmt,
            today=today(),
            include_not_public=bool(config["SYNC_INCLUDE_NOT_PUBLIC"]),
            operator=DataSource(config["DATA_SOURCE_NAME"], config["DATA_SOURCE_USCC"]),
        )
        response = Response(stream_with_context(export.chunks), mimetype=export.media_type.split(";")[0])
        response.headers["Content-Type"] = export.media_type
        response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
