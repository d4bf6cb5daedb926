"""/api/v1/{authorities,entities,list-entries,penalties,repairs}/{id}/history: 全程留痕."""

from __future__ import annotations

from typing import Any

from api.lifecycle import actor
from api.schemas.history import HistoryArgs, HistoryOut
from api.smorest import Blueprint
from registry.database import db
from registry.records.history import record_history

blp = Blueprint(
    "history",
    __name__,
    url_prefix="/api/v1",
    description="全程留痕: every change of a record, who made it, when and why",
)

PATHS = {
    "authorities": "authority",
    "entities": "entity",
    "list-entries": "list_entry",
    "penalties": "penalty",
    "repairs": "repair_application",
}


def _register(path: str, record_type: str) -> None:
    @blp.route(f"/{path}/<int:record_id>/history", endpoint=f"{record_type}_history", methods=["GET"])
    @blp.arguments(HistoryArgs, location="query")
    @blp.response(200, HistoryOut)
    def history(args: dict[str, Any], record_id: int) -> Any:
        items = record_history(db.session(), actor(), record_type, record_id, since_version=args.get("since_version"))
        return {"record_type": record_type, "record_id": record_id, "items": items}

    history.__doc__ = f"History of one {record_type.replace('_', ' ')} (own authority, admin, platform)."


for _path, _type in PATHS.items():
    _register(_path, _type)
