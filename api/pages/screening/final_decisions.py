"""最终处理意见: the agency records its final decision on a bidder after a hit of that bidder was
marked a false positive (误报), with the reason. Kept beside the screening and shown on its result
and print, never inside the digested document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from api.lifecycle import now
from api.pages.auth import check_csrf, login_required
from api.pages.screening import bp
from api.pages.screening.common import current_actor, render
from api.pages.screening.labels import FINAL_DECISIONS
from api.pages.screening.results import screening_context
from registry.database import db
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor
from registry.messages import render as in_language
from registry.screening import service


@dataclass
class FinalDecisionForm:
    """One bidder's final decision as sent, kept when the result page comes back with errors."""

    subject_index: str  # digits: checked when read
    decision: str
    reason: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return f"final-{self.subject_index}"

    def shown(self) -> dict[str, Any]:
        """The form's errors and values as screening/_cover.html shows them on the bidder."""
        return {"anchor": self.anchor, "errors": self.errors, "decision": self.decision, "reason": self.reason}


def _final_form() -> FinalDecisionForm:
    """The decision as sent; a form without its bidder (a hidden field) is refused outright (400)."""
    form = FinalDecisionForm(
        request.form.get("subject_index", ""), request.form.get("decision", ""), request.form.get("reason", "").strip()
    )
    if not form.subject_index.isdigit():
        abort(400, description="表单缺少投标人。")
    if form.decision not in FINAL_DECISIONS:
        form.errors["decision"] = "请选择：准予参与或不予参与"
    if not form.reason:
        form.errors["reason"] = "请写明理由（例如：经核对营业执照，统一社会信用代码不同，非名单主体）"
    return form


def _recorded(screening_id: int, form: FinalDecisionForm, actor: Actor) -> bool:
    """Record the decision with the API's service: True when recorded (and the person told so),
    False when refused with the reason on the form."""
    index = int(form.subject_index)
    try:
        service.record_final_decision(db.session(), screening_id, index, form.decision, form.reason, actor, now=now())
    except NotFound:
        abort(404, description="没有这次核查，或您无权查看。")
    except NotPermitted:
        abort(403, description="只有发起核查的单位或管理员可以记录最终处理意见。")
    except InvalidInput as exc:
        field_name = "reason" if "reason" in exc.reasons else "decision"
        form.errors[field_name] = "；".join(in_language(r, "zh") for texts in exc.reasons.values() for r in texts)
        return False
    flash(
        f"已记录第 {index + 1} 个投标人的最终处理意见：{FINAL_DECISIONS[form.decision]}。"
        "此意见记录在登记簿中，与存证文档分开保存，不改变存证文档及其摘要。",
        "ok",
    )
    return True


@bp.post("/screening/<int:screening_id>/final-decisions")
@login_required("screener")
def decide(screening_id: int) -> ResponseReturnValue:
    """Record the final decision on one bidder (准予参与 / 不予参与), with the reason."""
    check_csrf()
    form = _final_form()
    if not form.errors and _recorded(screening_id, form, current_actor()):
        return redirect(url_for("screening.result", screening_id=screening_id, _anchor=form.anchor), code=303)
    context = screening_context(screening_id)
    return render("screening/result.html", 422, final_error=form.shown(), **context)
