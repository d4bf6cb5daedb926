"""The one-page summary a screening opens with: each bidder's decision and its main reason in a few
Chinese words, read from the stored document as the result page joins it (`results._subject_views`).

A headline names what decided, never how the registry stores it: the lists and penalties behind a
block or a review, the match that found them, a 失信相关人, a 联合体 member. The full reasons stay
in the bidder's details and in the stored document (document.json).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from api.pages.screening.labels import CAPACITIES, DECISIONS, MATCHES, RELATIONS
from registry.vocab import RESPONSIBLE_ROLES

NAMED = 2  # triggers a headline names; more are counted ("等 4 项")
UNSCREENABLE = "无法核查：没有名称，也没有可用的统一社会信用代码"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _listing(items: list[str]) -> str:
    """A、B 等 4 项: the first NAMED items, and how many there are when more."""
    shown = "、".join(items[:NAMED])
    return f"{shown} 等 {len(items)} 项" if len(items) > NAMED else shown


def record_brief(record: Mapping[str, Any]) -> str:
    """A record as a reviewer names it: the list it is on, or the penalty's kinds."""
    snapshot = record.get("snapshot") or {}
    if record.get("record_type") == "list_entry":
        return str(snapshot.get("list_name") or "名单记录")
    categories = snapshot.get("categories") or []
    return f"行政处罚（{'、'.join(categories)}）" if categories else "行政处罚"


def match_phrase(subject: Mapping[str, Any], hit: Mapping[str, Any]) -> str:
    """How a hit was found, in a few words: 精确匹配, 疑似「…」, 高度相似「…」（曾用名）."""
    level = MATCHES.get(hit["counts_as"], "命中")
    if hit["relation"] == "self" and hit["entity_name"] == subject.get("name") and hit["counts_as"] != "possible":
        return level
    relation = "" if hit["relation"] == "self" else f"（{RELATIONS.get(hit['relation'], '其他关系')}）"
    return f"{level}「{hit['entity_name']}」{relation}"


def person_brief(link: Mapping[str, Any]) -> str:
    """法定代表人张三是「…」的失信相关人（证件号码一致）."""
    capacity = CAPACITIES.get(link.get("capacity") or "", "")
    how = "证件号码一致" if link.get("identified_by") == "id_number" else "仅姓名相同"
    return f"{capacity}{link.get('name') or '（未填姓名）'}是「{link.get('entity_name')}」的失信相关人（{how}）"


def person_view(link: Mapping[str, Any], measure_names: Mapping[str, str]) -> dict[str, Any]:
    """A 失信相关人 link in Chinese for the details: who, whose, which record, how identified, what follows."""
    capacity = CAPACITIES.get(link.get("capacity") or "", "")
    masked = f"（{link['id_number_masked']}）" if link.get("id_number_masked") else ""
    identified = link.get("identified_by") == "id_number"
    return {
        "effect": link.get("effect") or "review",
        "who": f"{capacity}{link.get('name') or '（未填姓名）'}{masked}",
        "whose": f"{link.get('entity_name')}（登记主体编号 {link.get('entity_id')}）",
        "role": RESPONSIBLE_ROLES.get(link.get("role") or "", "其他相关人员"),
        "record": link.get("record") or "",
        "authority": link.get("authority") or "",
        "how": "证件号码一致" if identified else "仅姓名相同，未能以证件号码核实，须人工核查",
        "measures": [measure_names.get(code, "失信惩戒措施") for code in link.get("measures") or []],
    }


def _causes(subject: Mapping[str, Any], level: str) -> list[str]:
    """What set off the subject's own `level` (block or review): the hits' triggers grouped by how
    each hit was found, then the 失信相关人."""
    grouped: dict[str, list[str]] = {}
    unconfirmed: set[str] = set()
    for hit in subject["hit_views"]:
        measures = [m for m in hit["measure_views"] if m["outcome"] == level]
        if not measures:
            continue
        phrase = match_phrase(subject, hit)
        grouped.setdefault(phrase, []).extend(record_brief(r) for m in measures for r in m["shown_records"])
        if level == "review" and any(m["effect"] == "block" for m in measures):
            unconfirmed.add(phrase)
    causes = [
        f"{phrase}：{_listing(_unique(triggers))}{'，须确认是否同一主体' if phrase in unconfirmed else ''}"
        for phrase, triggers in grouped.items()
    ]
    links = [person_brief(link) for link in subject.get("person_links") or [] if link.get("effect") == level]
    return causes + links


def _nothing_decisive(subject: Mapping[str, Any]) -> str:
    """Why a bidder is clear, in a few words."""
    if subject.get("incentives"):
        return "红名单：可给予守信激励"
    hits = subject["hit_views"]
    if any(m["outcome"] == "unconfirmed" for h in hits for m in h["measure_views"]):
        return "疑似红名单主体：须先确认身份，暂不激励"
    if hits:
        return f"命中 {len(hits)} 个名单主体，在本领域均不引发措施"
    return "未命中任何名单主体"


def headline(subject: Mapping[str, Any]) -> str:
    """The main reason for a bidder's decision, in a few words (the summary's line for it)."""
    if subject.get("unscreenable"):
        return UNSCREENABLE
    own = subject["own_decision"]
    parts = _causes(subject, own) if own in ("block", "review") else []
    if own in ("block", "review") and not parts:
        parts = ["见详情"]  # a rule this summary does not name: the details and the reasons say it
    for other in subject.get("causes") or []:
        word = DECISIONS.get(other["own_decision"], "")
        parts.append(f"联合体「{subject.get('consortium')}」第 {other['index'] + 1} 个投标人{word}")
    if not parts:
        parts.append(_nothing_decisive(subject))
    if subject.get("code_note"):
        parts.append("所填代码无效，仅按名称核查")
    return "；".join(parts)
