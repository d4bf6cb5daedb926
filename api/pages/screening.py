"""Screening pages (资格审查信用核查) for a trading centre or tender agency (screener key).

Enter or upload a project's bidders, see each bidder's decision with its hits explained, and print
the evidence (query time, who asked, what was checked, results, id and SHA-256 digest, how to
verify) for the project file. Every page goes through the same services as
`/api/v1/screenings`: a screening is evaluated in a reading transaction and stored in a short
writing one (`api.lifecycle.reads_first`), and who may read one is the API's rule.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from api.lifecycle import begin_writing, now, reads_first, today
from api.pages.auth import ROLE_NAMES, check_csrf, login_required, page_actor
from api.pages.screening_input import (
    HEADERS,
    LIMITS,
    PART_NAMES,
    BidderList,
    UnreadableFile,
    max_length,
    parse_lines,
    read_file,
)
from api.ratelimit import limited
from api.schemas.screenings import ScreeningIn
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER, USCCError
from registry.codes.uscc import normalise as normalise_uscc
from registry.codes.uscc import validate as validate_uscc
from registry.database import db
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor, canonical_json
from registry.models import HitDisposition, Screening
from registry.runtime import current_runtime
from registry.screening import service
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PENALTY_STATES,
    SEVERITIES,
)

bp = Blueprint("screening", __name__)
T = TypeVar("T")

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")  # China keeps no daylight saving time
PROJECT_CODE_MAX = max_length(ScreeningIn().fields["project_code"])
STAGE_MAX = max_length(ScreeningIn().fields["stage"])
STAGES = ("资格审查", "资格预审", "评标", "定标", "合同签订前")
HISTORY_PER_PAGE = 50

DECISIONS = {"block": "禁止", "review": "需复核", "clear": "通过"}
DECISION_MEANINGS = {
    "block": "不得参加：命中主体带有禁止性惩戒措施",
    "review": "须由经办人复核后决定",
    "clear": "未发现影响资格的记录",
}
MATCHES = {"exact": "精确匹配", "strong": "高度相似", "possible": "疑似"}
RELATIONS = {"self": "本名", "former_name": "曾用名", "alias": "别名", "branch_of": "分支机构"}
FEATURES = {
    "code": "统一社会信用代码",
    "trade_name": "字号",
    "industry": "行业",
    "region": "行政区划",
    "legal_form": "组织形式",
    "branch": "分支机构",
    "set_aside": "不属于名称的括注（已略去）",
    "alias": "别名",
    "id_number": "证件号码",
}
EFFECTS = {"block": "禁止性惩戒措施", "review": "重点核查措施", "incentive": "守信激励措施"}
CERTAINTIES = {"firm": "依据明确", "likely": "据公开资料整理，执行前请核对现行失信惩戒措施基础清单"}
DISPOSITIONS = {"false_positive": "误报（不是同一主体）", "confirmed": "确认（是同一主体）"}
RECORD_TYPES = {"list_entry": "名单记录", "penalty": "行政处罚"}
WITHHELD_FIELDS = {
    "facts": "事实",
    "legal_basis": "依据",
    "basis": "处罚依据",
    "content": "处罚内容",
    "violation_type": "违法行为类型",
    "remarks": "备注",
    "licence_affected": "暂扣或吊销证照",
    "not_public_reason": "不公开理由",
    "reason_category": "列入原因",
    "status_reason": "状态变更理由",
    "revocation_reason": "撤销理由",
    "confiscation_amount": "没收金额",
}
LABELS = {
    "decisions": DECISIONS,
    "decision_meanings": DECISION_MEANINGS,
    "matches": MATCHES,
    "relations": RELATIONS,
    "features": FEATURES,
    "effects": EFFECTS,
    "certainties": CERTAINTIES,
    "dispositions": DISPOSITIONS,
    "record_types": RECORD_TYPES,
    "withheld": WITHHELD_FIELDS,
    "domains": DOMAINS,
    "list_types": LIST_TYPES,
    "entry_states": LIST_ENTRY_STATES,
    "penalty_states": PENALTY_STATES,
    "severities": SEVERITIES,
    "kinds": ENTITY_KINDS,
    "roles": ROLE_NAMES,
}
# Problems verify_screening can report, as a person reads them on the printed evidence.
_PROBLEMS = (
    ("the stored document does not match the stored digest", "存储的文档与存储的摘要不一致：文档已被改动"),
    ("no audit row records this screening", "审计日志中没有记录本次核查"),
    ("the digest in audit row", "审计日志中记录的摘要与文档不一致"),
    ("does not match its own hash", "审计日志行与其自身哈希不符：审计记录已被改动"),
    ("the stored ", "存储的核查摘要字段（项目编号、交易领域或结论）与文档不一致"),
)


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
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


def _actor() -> Actor:
    actor = page_actor()
    if actor is None:  # login_required ran first: only a key revoked within this request gets here
        abort(403)
    return actor


def _readable(call: Callable[..., T], *args: Any) -> T:
    """Call a read service; its refusals become the HTML error pages (the API's answer, as a page)."""
    try:
        return call(db.session(), *args)
    except NotFound:
        abort(404, description="没有这次核查，或您无权查看（只能查看本单位密钥发起的核查）。")
    except NotPermitted:
        abort(403, description="您的角色不能查看核查记录。")


# --- the form ----------------------------------------------------------------------------------


@dataclass
class ScreeningForm:
    """What the person entered, kept when the form comes back with errors."""

    domain: str = ""
    project_code: str = ""
    stage: str = ""
    bidders: str = ""
    file_name: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _form_page(form: ScreeningForm, status: int = 200) -> tuple[str, int]:
    return _render(
        "screening/form.html",
        status,
        form=form,
        stages=STAGES,
        headers=HEADERS,
        limits=LIMITS,
        max_subjects=service.MAX_SUBJECTS,
        project_code_max=PROJECT_CODE_MAX,
        stage_max=STAGE_MAX,
    )


def _uploaded(form: ScreeningForm) -> FileStorage | None:
    upload = request.files.get("bidders_file")
    if upload is None or not upload.filename:
        return None
    form.file_name = upload.filename
    return upload


def _read_bidders(form: ScreeningForm, upload: FileStorage | None) -> tuple[BidderList | None, str]:
    """The bidders from the textarea or the file (one of them), and the field their errors belong to."""
    typed = form.bidders.strip()
    if upload is not None and typed:
        form.add("bidders", "请只用一种方式提供投标人：清空此处的列表，或不选择文件")
        return None, "bidders"
    if upload is None:
        if not typed:
            form.add("bidders", "请填写投标人（每行一个），或上传名单文件")
            return None, "bidders"
        return parse_lines(form.bidders), "bidders"
    try:
        return read_file(upload.filename or "", upload.read()), "bidders_file"
    except UnreadableFile as exc:
        form.add("bidders_file", f"「{upload.filename}」：{exc}")
        return None, "bidders_file"


def _check_project(form: ScreeningForm) -> None:
    # The API's rules (ScreeningIn), said in Chinese next to each field.
    if form.domain not in DOMAINS:
        form.add("domain", "请选择交易领域")
    if not form.project_code:
        form.add("project_code", "请填写项目编号（采购项目编号、项目报建编号、地块编号等）")
    elif len(form.project_code) > PROJECT_CODE_MAX:
        form.add("project_code", f"项目编号过长（最多 {PROJECT_CODE_MAX} 个字符）")
    if len(form.stage) > STAGE_MAX:
        form.add("stage", f"阶段过长（最多 {STAGE_MAX} 个字符）")


def _service_errors(form: ScreeningForm, exc: InvalidInput, read: BidderList, field_name: str) -> None:
    """What the service still refused (a rule this page did not foresee), on the field it concerns."""
    for key, reasons in (exc.errors or {"_": [exc.message]}).items():
        head, _, rest = key.partition(".")
        if head in ("domain", "project_code", "stage"):
            form.add(head, "；".join(reasons))
        elif head == "subjects" and rest:
            index, _, part = rest.partition(".")
            source = read.bidders[int(index)].source if index.isdigit() and int(index) < len(read.bidders) else rest
            part = PART_NAMES.get(part, part)
            form.add(field_name, f"{source}{'（' + part + '）' if part else ''}：{'；'.join(reasons)}")
        else:
            form.add(field_name, "；".join(reasons))


@bp.get("/screening")
@login_required("screener")
def form() -> ResponseReturnValue:
    """资格审查: the form to screen a project's bidders."""
    return _form_page(
        ScreeningForm(
            domain=request.args.get("domain", ""), project_code=request.args.get("project", "")[:PROJECT_CODE_MAX]
        )
    )


def _screening_form() -> tuple[ScreeningForm, BidderList | None, str]:
    """The form as sent, checked as the API checks it: the form (with its errors and the reader's
    notes), the bidders read (None: none could be), and the field the bidders' errors belong to."""
    form = ScreeningForm(
        domain=request.form.get("domain", ""),
        project_code=request.form.get("project_code", "").strip(),
        stage=request.form.get("stage", "").strip(),
        bidders=request.form.get("bidders", ""),
    )
    _check_project(form)
    read, field_name = _read_bidders(form, _uploaded(form))
    if read is not None:
        form.notes = read.notes
        for message in read.errors:
            form.add(field_name, message)
    return form, read, field_name


def _evaluate(form: ScreeningForm, read: BidderList, actor: Actor) -> service.ScreeningDraft:
    """The screening service on the form's project and bidders, as `POST /api/v1/screenings` calls it."""
    data = {
        "domain": form.domain,
        "project_code": form.project_code,
        "stage": form.stage or None,
        "subjects": [b.subject() for b in read.bidders],
    }
    runtime = current_runtime()
    return service.evaluate_screening(
        db.session(),
        data,
        actor,
        today(),
        runtime.name_index,
        runtime.measures,
        now=now(),
        dossiers=runtime.dossiers,
    )


def _flash_screened(stored: service.StoredScreening, counts: dict[str, int], notes: list[str]) -> None:
    """What the result page opens with: the screening's id and counts, then the reader's notes."""
    flash(
        f"核查已完成并存证（编号 {stored.id}）：共 {stored.subject_count} 个投标人，"
        f"禁止 {counts['block']} 个、需复核 {counts['review']} 个、通过 {counts['clear']} 个。",
        "ok",
    )
    for note in notes:
        flash(note, "info")


@bp.post("/screening")
@reads_first
@login_required("screener")
@limited("screening", caller=page_actor)
def screen() -> ResponseReturnValue:
    """Screen the bidders: evaluate while reading, store in a short write, then show the result."""
    # reads_first sits on the function Flask calls, where api.lifecycle looks for it: this
    # request starts in a reading transaction (no SQLite write lock while the index searches),
    # and its one commit is still api.lifecycle's, after the view, on the 303.
    check_csrf()
    actor = _actor()
    form, read, field_name = _screening_form()
    if form.errors or read is None:
        return _form_page(form, 422)
    try:
        draft = _evaluate(form, read, actor)
    except InvalidInput as exc:
        _service_errors(form, exc, read, field_name)
        return _form_page(form, 422)
    begin_writing()
    stored = service.store_screening(db.session(), draft, actor)
    _flash_screened(stored, draft.document["counts"], read.notes)
    return redirect(url_for("screening.result", screening_id=stored.id), code=303)


# --- reading a screening -----------------------------------------------------------------------


def _code_note(code: str | None) -> str | None:
    """Why a code given could not identify the subject (the service notes it in its reasons too)."""
    if not code:
        return None
    if code == INDIVIDUAL_BUSINESS_PLACEHOLDER:
        return "代码是个体工商户的占位代码（17 个 0 加 X），不能识别主体：仅按名称核查"
    try:
        validate_uscc(normalise_uscc(code), allow_placeholder=True)
    except USCCError:
        return f"所填代码「{code}」不是有效的 18 位统一社会信用代码，不能据此确认身份"
    return None


def _code_matched(subject: dict[str, Any]) -> bool:
    """Whether the matcher found the subject's code on a hit (a 组织机构代码 can, without being a USCC)."""
    return any(f["name"] == "code" and f["score"] == 1.0 for h in subject["hits"] for f in h["features"])


def _hit_view(hit: dict[str, Any], entities: dict[str, Any], since: list[HitDisposition]) -> dict[str, Any]:
    listed = entities.get(str(hit["entity_id"]), {})
    # Copies: the stored document is read, never changed, and one entity may be hit by several subjects.
    measures = [dict(m) for m in listed.get("measures", []) if m["code"] in hit["measures"]]
    records = {(r["record_type"], r["id"]): r for r in listed.get("records", [])}
    firm = hit["counts_as"] in service.FIRM_MATCHES
    for m in measures:
        m["shown_records"] = [
            {
                **records.get((r["record_type"], r["id"]), {"record_type": r["record_type"], "id": r["id"]}),
                "why": r["reason"],
                "ends_on": r["ends_on"],
            }
            for r in m["records"]
        ]
        if m["effect"] == "block":
            m["outcome"] = "block" if firm else "review"
        elif m["effect"] == "review":
            m["outcome"] = "review"
        else:
            m["outcome"] = "incentive" if firm else "unconfirmed"
    return {
        **hit,
        "listed": listed.get("entity", {}),
        "records": listed.get("records", []),
        "measure_views": measures,
        "firm": firm,
        "since": since,
    }


def _subject_views(document: dict[str, Any], dispositions: list[HitDisposition]) -> list[dict[str, Any]]:
    """Each subject with its hits joined to the listed entities' records and measures, for the templates."""
    entities = document.get("entities", {})
    since: dict[tuple[str, int], list[HitDisposition]] = defaultdict(list)
    for d in dispositions:
        since[(d.subject_key, d.entity_id)].append(d)
    subjects = document.get("subjects", [])
    views = []
    for s in subjects:
        hits = [_hit_view(h, entities, since.get((s["subject_key"], h["entity_id"]), [])) for h in s["hits"]]
        causes = []
        if s["decision"] != s["own_decision"] and s.get("consortium"):
            causes = [
                o
                for o in subjects
                if o is not s and o.get("consortium") == s["consortium"] and o["own_decision"] != "clear"
            ]
        views.append(
            {
                **s,
                "hit_views": hits,
                "causes": causes,
                "code_note": None if _code_matched(s) else _code_note(s.get("uscc")),
                "unscreenable": not s["hits"] and s["own_decision"] == "review" and not s.get("person_links"),
            }
        )
    return views


def _screening_context(screening_id: int) -> dict[str, Any]:
    record = _readable(service.read_screening, screening_id, _actor())
    screening = record.screening
    document = screening.document
    return {
        "screening": screening,
        "document": document,
        "dispositions": record.dispositions,
        "subjects": _subject_views(document, record.dispositions),
        "api_url": url_for("screenings.Screening", screening_id=screening.id, _external=True),
        "verify_url": url_for("screenings.VerifyScreening", screening_id=screening.id, _external=True),
        "document_url": url_for("screening.document_json", screening_id=screening.id),
    }


@bp.get("/screening/<int:screening_id>")
@login_required("screener", "platform")
def result(screening_id: int) -> ResponseReturnValue:
    """核查结果: the decision per bidder, with its hits explained."""
    return _render("screening/result.html", **_screening_context(screening_id))


def _problem(text: str) -> str:
    for start, chinese in _PROBLEMS:
        if start in text:
            return f"{chinese}（{text}）"
    return text


@bp.get("/screening/<int:screening_id>/evidence")
@login_required("screener", "platform")
def evidence(screening_id: int) -> ResponseReturnValue:
    """核查存证: the printable evidence of one screening, verified as it is shown."""
    context = _screening_context(screening_id)
    verification = _readable(service.verify_screening, screening_id, _actor())
    return _render(
        "screening/evidence.html",
        verification=verification,
        problems=[_problem(p) for p in verification.problems],
        printed_at=beijing(now()),
        **context,
    )


@bp.get("/screening/<int:screening_id>/document.json")
@login_required("screener", "platform")
def document_json(screening_id: int) -> Response:
    """The stored document as the canonical JSON its digest is the SHA-256 of (download)."""
    screening = _readable(service.get_screening, screening_id, _actor())
    # The exact bytes hashed (sorted keys, no spaces, UTF-8): `sha256sum` on the file gives the digest.
    return Response(
        canonical_json(screening.document),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="screening-{screening.id}.json"',
        },
    )


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
        form.errors["reason"] = exc.message
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
    actor = _actor()
    form = _disposition_form()
    if not form.errors and _disposed(screening_id, form, actor):
        return redirect(url_for("screening.result", screening_id=screening_id, _anchor=form.anchor), code=303)
    context = _screening_context(screening_id)
    return _render("screening/result.html", 422, disposition_error=form.shown(), **context)


# --- history -----------------------------------------------------------------------------------


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
    actor = _actor()
    project = request.args.get("project", "").strip()[:PROJECT_CODE_MAX] or None
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and int(page) >= 1 else 1
    items, total, number = _newest_first(actor, project, number)
    pages = max(math.ceil(total / HISTORY_PER_PAGE), 1)
    return _render(
        "screening/history.html",
        items=items,
        total=total,
        project=project or "",
        page=number,
        pages=pages,
        sees_all=actor.role in ("admin", "platform"),
    )
