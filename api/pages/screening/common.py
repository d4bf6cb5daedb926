"""What every screening page uses: rendering with the labels, Beijing time, the caller, and reads
whose refusals become error pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, render_template

from api.pages.auth import page_actor
from api.pages.screening.labels import LABELS
from api.pages.screening_input import max_length
from api.schemas.screenings import ScreeningIn
from registry.database import db
from registry.errors import NotFound, NotPermitted
from registry.ledger import Actor

T = TypeVar("T")

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")  # China keeps no daylight saving time
PROJECT_CODE_MAX = max_length(ScreeningIn().fields["project_code"])


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A screening template with the labels and `beijing` at hand, and its status."""
    return render_template(template, labels=LABELS, beijing=beijing, **context), status


def beijing(value: str | dt.datetime | None, *, seconds: bool = True) -> str:
    """A moment as Beijing time, e.g. 2026年11月23日 10:00:05（北京时间）."""
    if value is None:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # stored moments are UTC
    local = moment.astimezone(BEIJING)
    return local.strftime("%Y年%m月%d日 %H:%M:%S" if seconds else "%Y年%m月%d日 %H:%M") + "（北京时间）"


def current_actor() -> Actor:
    """The signed-in key as the services' actor (403 when it was revoked within this request)."""
    found = page_actor()
    if found is None:  # login_required ran first: only a key revoked within this request gets here
        abort(403)
    return found


def readable(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a read service; its refusals become the HTML error pages (the API's answer, as a page)."""
    try:
        return call(db.session(), *args, **kwargs)
    except NotFound:
        abort(404, description="没有这次核查，或您无权查看（只能查看本单位密钥发起的核查）。")
    except NotPermitted:
        abort(403, description="您的角色不能查看核查记录。")
