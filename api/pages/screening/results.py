"""Reading a screening: the decision per bidder with its hits explained, the printable evidence
(verified as it is shown), and the stored document as the canonical JSON its digest is taken of."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from flask import Response, url_for
from flask.typing import ResponseReturnValue

from api.lifecycle import now, today
from api.pages.auth import login_required
from api.pages.screening import bp
from api.pages.screening.common import beijing, current_actor, readable, render
from api.pages.screening.summary import headline, person_view
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER, USCCError
from registry.codes.uscc import normalise as normalise_uscc
from registry.codes.uscc import validate as validate_uscc
from registry.database import db
from registry.ledger import canonical_json
from registry.models import FinalDecision, HitDisposition
from registry.monitoring import watches
from registry.runtime import current_runtime
from registry.screening import service

DEFAULT_WATCH_DAYS = 30  # the watch form's first offer: about the time from 资格审查 to the contract

# Problems verify_screening can report, as a person reads them on the printed evidence.
_PROBLEMS = (
    ("the stored document does not match the stored digest", "存储的文档与存储的摘要不一致：文档已被改动"),
    ("differs from the document's digest", "存证树中的叶子与文档的摘要不一致"),
    ("inclusion proof does not lead", "包含证明不能通向锚点的根哈希：存证或存证树已被改动"),
    ("signature of anchor", "锚点的签名无效"),
    ("has no anchor", "叶子没有对应的锚点：存证树已被改动"),
    ("the digest in audit row", "审计日志中记录的摘要与文档不一致"),
    ("does not match its own hash", "审计日志行与其自身哈希不符：审计记录已被改动"),
    ("the stored ", "存储的核查摘要字段（项目编号、交易领域或结论）与文档不一致"),
)


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


def _subject_views(
    document: dict[str, Any], dispositions: list[HitDisposition], decisions: list[FinalDecision]
) -> list[dict[str, Any]]:
    """Each subject with its hits joined to the listed entities' records and measures, its 失信相关人
    in Chinese, its headline (the summary's line) and the agency's final decision on it, for the
    templates."""
    entities = document.get("entities", {})
    measure_names = {m.code: m.name for m in current_runtime().measures}
    since: dict[tuple[str, int], list[HitDisposition]] = defaultdict(list)
    for d in dispositions:
        since[(d.subject_key, d.entity_id)].append(d)
    subjects = document.get("subjects", [])
    final = service.in_force(decisions)
    false_positives = {d.subject_key for d in dispositions if d.disposition == "false_positive"}
    views = []
    first_shown: dict[int, int] = {}  # entity id → the first subject whose hits show its records
    for s in subjects:
        hits = [_hit_view(h, entities, since.get((s["subject_key"], h["entity_id"]), [])) for h in s["hits"]]
        for h in hits:  # the print shows an entity's records once and refers to them after
            h["shown_with"] = first_shown.setdefault(h["entity_id"], s["index"])
        causes = []
        if s["decision"] != s["own_decision"] and s.get("consortium"):
            causes = [
                o
                for o in subjects
                if o is not s and o.get("consortium") == s["consortium"] and o["own_decision"] != "clear"
            ]
        view = {
            **s,
            "hit_views": hits,
            "causes": causes,
            "code_note": None if _code_matched(s) else _code_note(s.get("uscc")),
            "unscreenable": not s["hits"] and s["own_decision"] == "review" and not s.get("person_links"),
            "person_views": [person_view(link, measure_names) for link in s.get("person_links") or []],
            "final": final.get(s["index"]),
            "earlier_finals": [
                d for d in decisions if d.subject_index == s["index"] and d is not final.get(s["index"])
            ],
            "may_decide": s["decision"] != "clear" and s["subject_key"] in false_positives,
        }
        views.append({**view, "headline": headline(view)})
    return views


def screening_context(screening_id: int) -> dict[str, Any]:
    """What screening/result.html and screening/evidence.html show of one screening the caller may read."""
    record = readable(service.read_screening, screening_id, current_actor())
    screening = record.screening
    document = screening.document
    return {
        "screening": screening,
        "document": document,
        "dispositions": record.dispositions,
        "subjects": _subject_views(document, record.dispositions, record.final_decisions),
        "api_url": url_for("screenings.Screening", screening_id=screening.id, _external=True),
        "verify_url": url_for("screenings.VerifyScreening", screening_id=screening.id, _external=True),
        "document_url": url_for("screening.document_json", screening_id=screening.id),
        # 持续监测: the watches running on it, and the day the form offers (about the award's time).
        "watching": watches.list_watches(
            db.session(), current_actor(), today(), screening_id=screening.id, active=True
        ).items,
        "watch_default": (today() + dt.timedelta(days=DEFAULT_WATCH_DAYS)).isoformat(),
    }


@bp.get("/screening/<int:screening_id>")
@login_required("screener", "platform")
def result(screening_id: int) -> ResponseReturnValue:
    """核查结果: the decision per bidder, with its hits explained."""
    return render("screening/result.html", **screening_context(screening_id))


def _problem(text: str) -> str:
    for start, chinese in _PROBLEMS:
        if start in text:
            return f"{chinese}（{text}）"
    return text


@bp.get("/screening/<int:screening_id>/evidence")
@login_required("screener", "platform")
def evidence(screening_id: int) -> ResponseReturnValue:
    """核查存证: the printable evidence of one screening, verified as it is shown."""
    context = screening_context(screening_id)
    interval = current_runtime().anchor_interval
    verification = readable(
        service.verify_screening, screening_id, current_actor(), now=now(), anchor_interval=interval
    )
    return render(
        "screening/evidence.html",
        verification=verification,
        problems=[_problem(p) for p in verification.problems],
        printed_at=beijing(now()),
        **context,
    )


@bp.get("/screening/<int:screening_id>/print.css")
def print_css(screening_id: int) -> Response:
    """The printed pages' running footer: the screening's id on every page (screening.css adds the
    page number). CSS page-margin boxes take text from a stylesheet only and the pages allow no
    inline style, so the id comes in this one; it says nothing but the number in its address."""
    footer = f'"资格审查信用核查　核查编号 {screening_id}"'
    css = f"@media print {{ @page {{ @bottom-left {{ content: {footer}; }} }} }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/screening/<int:screening_id>/document.json")
@login_required("screener", "platform")
def document_json(screening_id: int) -> Response:
    """The stored document as the canonical JSON its digest is the SHA-256 of (download)."""
    screening = readable(service.get_screening, screening_id, current_actor())
    # The exact bytes hashed (sorted keys, no spaces, UTF-8): `sha256sum` on the file gives the digest.
    return Response(
        canonical_json(screening.document),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="screening-{screening.id}.json"',
        },
    )
