"""核查记录: the screenings of a project (or all) that the key may see, newest first, a page at a time."""

from __future__ import annotations

import math

from flask import request
from flask.typing import ResponseReturnValue

from api.pages.auth import login_required
from api.pages.screening import bp
from api.pages.screening.common import PROJECT_CODE_MAX, current_actor, render
from registry.database import db
from registry.ledger import Actor
from registry.models import Screening
from registry.screening import service

HISTORY_PER_PAGE = 50


def _newest_first(actor: Actor, project: str | None, page: int) -> tuple[list[Screening], int, int]:
    """One page of the screenings the actor may see, newest first; their total; the page shown.

    The service lists oldest first; a newest-first page is a slice of at most two of its pages.
    """
    per = HISTORY_PER_PAGE
    total = service.list_screenings(db.session(), actor, project_code=project, page=1, per_page=1).total
    page = min(page, max(math.ceil(total / per), 1))
    high = total - (page - 1) * per
    low = max(high - per, 0)
    items: list[Screening] = []
    for ascending in range(low // per + 1, math.ceil(high / per) + 1):
        found = service.list_screenings(db.session(), actor, project_code=project, page=ascending, per_page=per)
        start = (ascending - 1) * per
        items += [s for i, s in enumerate(found.items, start=start) if low <= i < high]
    return items[::-1], total, page


@bp.get("/screening/history")
@login_required("screener", "platform")
def history() -> ResponseReturnValue:
    """核查记录: the screenings of a project (or all) that this key may see, newest first."""
    actor = current_actor()
    project = request.args.get("project", "").strip()[:PROJECT_CODE_MAX] or None
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and int(page) >= 1 else 1
    items, total, number = _newest_first(actor, project, number)
    pages = max(math.ceil(total / HISTORY_PER_PAGE), 1)
    return render(
        "screening/history.html",
        items=items,
        total=total,
        project=project or "",
        page=number,
        pages=pages,
        sees_all=actor.role in ("admin", "platform"),
    )
