"""Marking a hit on a screening: a false positive (误报) or confirmed (确认), with the reason. The
mark never changes the screening's decision; it is shown on later screenings of the same subject."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from api.lifecycle import now
from api.pages.auth import check_csrf, login_required
from api.pages.screening import bp
from api.pages.screening.common import current_actor, render
from api.pages.screening.labels import DISPOSITIONS
from api.pages.screening.results import screening_context
from registry.database import db
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor
from registry.messages import render as render_text
from registry.screening import service


@dataclass
class DispositionForm:
    """One hit's marking as sent, kept when the result page comes back with errors."""

    subject_index: str  # digits: checked when read
    entity_id: str  # digits: checked when read
    disposition: str
    reason: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return f"hit-{self.subject_index}-{self.entity_id}"

    def shown(self) -> dict[str, Any]:
        """The form's errors and values as screening/result.html shows them on the hit."""
        return {
            "anchor": self.anchor,
            "prefix": f"d-{self.subject_index}-{self.entity_id}",
            "errors": self.errors,
            "disposition": self.disposition,
            "reason": self.reason,
        }


def _disposition_form() -> DispositionForm:
    """The marking as sent; a form without the hit it marks (hidden fields) is refused outright (400)."""
    form = DispositionForm(
        request.form.get("subject_index", ""),
        request.form.get("entity_id", ""),
        request.form.get("disposition", ""),
        request.form.get("reason", "").strip(),
    )
    if not (form.subject_index.isdigit() and form.entity_id.isdigit()):
        abort(400, description="表单缺少投标人或命中主体。")
    if form.disposition not in DISPOSITIONS:
        form.errors["disposition"] = "请选择：误报或确认"
    if not form.reason:
        form.errors["reason"] = "请写明理由（例如：统一社会信用代码不同，非同一主体）"
    return form


def _disposed(screening_id: int, form: DispositionForm, actor: Actor) -> bool:
    """Record the marking with the API's service: True when recorded (and the person told so),
    False when refused with the reason on the form. A screening the key may not see or mark is an error page."""
    try:
        service.dispose_hit(
            db.session(),
            screening_id,
            int(form.entity_id),
            int(form.subject_index),
            form.disposition,
            form.reason,
            actor,
            now=now(),
        )
    except NotFound:
        abort(404, description="没有这次核查，或您无权查看。")
    except NotPermitted:
        abort(403, description="只有发起核查的密钥或管理员可以标记。")
    except InvalidInput as exc:
        if {"subject_index", "entity_id"} & set(exc.errors):  # hidden fields: only a forged form
            abort(400, description="表单中的投标人或命中主体不属于这次核查。")
        form.errors["reason"] = render_text(exc.text, "zh")
        return False
    flash(
        f"已记录：第 {int(form.subject_index) + 1} 个投标人与主体 {form.entity_id} 的命中标记为"
        f"{DISPOSITIONS[form.disposition]}。此标记不改变本次结论，会显示在今后对同一主体的核查中。",
        "ok",
    )
    return True


@bp.post("/screening/<int:screening_id>/dispositions")
@login_required("screener")
def dispose(screening_id: int) -> ResponseReturnValue:
    """Mark one hit a false positive (误报) or confirmed (确认), with the reason."""
    check_csrf()
    actor = current_actor()
    form = _disposition_form()
    if not form.errors and _disposed(screening_id, form, actor):
        return redirect(url_for("screening.result", screening_id=screening_id, _anchor=form.anchor), code=303)
    context = screening_context(screening_id)
    return render("screening/result.html", 422, disposition_error=form.shown(), **context)
