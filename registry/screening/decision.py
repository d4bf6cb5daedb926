"""Deciding a screening (核查结论), as pure functions of what was found: block, review or clear per
subject, the reasons in words, the incentives offered, and 联合体 members flagged by their worst member.
No database and no request state: `tests/registry/test_screening_decision.py` runs them on plain values.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from matching.types import Hit
from registry.screening.dossiers import Dossier
from registry.screening.person_links import (
    PersonLink,
)
from registry.screening.request import Subject

# Ascending severity: the worst of several decisions is the one with the highest index.
DECISIONS = ("clear", "review", "block")
FIRM_MATCHES = ("exact", "strong")


def _number(value: float) -> float | None:
    """A score as JSON keeps it exactly on every backend: finite, at most 4 decimals."""
    return round(float(value), 4) if math.isfinite(value) else None


# --- deciding ---------------------------------------------------------------------------------


def worst_of(decisions: Iterable[str]) -> str:
    return max(decisions, key=DECISIONS.index, default="clear")


def counts_as(hit: Hit, entity: Dossier) -> str:
    # A natural person is identified by an ID document: a name alone (张伟 …) never blocks a
    # person, it asks a person to check; the same ID number does.
    by_id = any(f.name == "id_number" for f in hit.features)
    if entity.kind == "natural_person" and hit.match in FIRM_MATCHES and not by_id:
        return "possible"
    return hit.match


def hit_document(hit: Hit, listed: Dossier, counts_as: str, shown: list[dict[str, Any]]) -> dict[str, Any]:
    effects = listed.effects
    return {
        "entity_id": hit.entity_id,
        "entity_name": listed.name,
        "score": _number(hit.score),
        "match": hit.match,
        "counts_as": counts_as,
        "relation": hit.relation,
        "matched_name": hit.matched_name,
        "features": [
            {"name": f.name, "score": _number(f.score), "weight": _number(f.weight), "detail": f.detail}
            for f in hit.features
        ],
        "effect": next((e for e in ("block", "review", "incentive") if e in effects), None),
        "measures": [m.measure.code for m in listed.measures],
        "dispositions": shown,
    }


def _label(hit: dict[str, Any]) -> str:
    how = hit["match"] if hit["counts_as"] == hit["match"] else f"{hit['match']}, counted as {hit['counts_as']}"
    relation = "" if hit["relation"] == "self" else f" via {hit['relation'].replace('_', ' ')} {hit['matched_name']}"
    return f"{hit['entity_name']} (entity {hit['entity_id']}; {how} match, score {hit['score']}{relation})"


def decide_subject(
    subject: Subject,
    hits: list[dict[str, Any]],
    listed: dict[int, Dossier],
    domain: str,
    links: Sequence[PersonLink] = (),
) -> tuple[str, list[str], list[dict[str, Any]]]:
    """A subject's own decision, its reasons, and the incentives it may be given."""
    reasons: list[str] = list(subject.notes)
    decision = "clear" if subject.screenable else "review"
    incentives: list[dict[str, Any]] = []
    for link in links:  # 失信相关人 behind the subject (发改法规〔2018〕457号)
        effect = link.effect or "review"
        decision = worst_of((decision, effect))
        reasons.append(f"{effect}: {link.reason()}")
    for hit in hits:
        entity = listed[hit["entity_id"]]
        firm = hit["counts_as"] in FIRM_MATCHES
        for m in entity.measures:
            why = "; ".join(r.reason for r in m.records)
            what = f"{m.measure.code} {m.measure.name} ({'、'.join(m.measure.legal_basis)})"
            if m.effect == "block" and firm:
                decision = worst_of((decision, "block"))
                reasons.append(f"block: {_label(hit)}: {what}: {why}")
            elif m.effect == "block":
                decision = worst_of((decision, "review"))
                reasons.append(
                    f"review: possible match {_label(hit)} carries a block measure, {what}: {why}; a person decides whether it is the same entity"
                )
            elif m.effect == "review":
                decision = worst_of((decision, "review"))
                reasons.append(f"review: {_label(hit)}: {what}: {why}")
            elif firm:
                incentives.append({"entity_id": hit["entity_id"], "code": m.measure.code, "name": m.measure.name})
                reasons.append(f"incentive: {_label(hit)}: {what}: {why}")
            else:
                reasons.append(
                    f"incentive not offered: possible match {_label(hit)} carries {what}; confirm the identity first"
                )
        if not entity.measures:
            reasons.append(
                f"no measure: {_label(hit)} has {entity.record_count} record(s) in force, none of which sets off a measure in {domain}"
            )
        for shown in hit["dispositions"]:
            reasons.append(
                f"earlier disposition of {_label(hit)}: {shown['disposition']} by {shown['decided_by']} "
                f"on {shown['decided_at']} (screening {shown['screening_id']}): {shown['reason']}; shown, not applied"
            )
    if not hits and subject.screenable:
        reasons.append("no listed entity matched this subject")
    return decision, reasons, incentives


def apply_consortia(subjects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One bad member counts against every member of its consortium (联合体)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in subjects:
        if s["consortium"]:
            groups[s["consortium"]].append(s)
    summary = []
    for label, members in groups.items():
        worst = worst_of(m["own_decision"] for m in members)
        for member in members:
            others = [o for o in members if o is not member and o["own_decision"] != "clear"]
            for other in others:
                member["reasons"].append(
                    f"consortium {label}: member subjects.{other['index']} ({other['name'] or other['uscc']}) "
                    f"is {other['own_decision']}; one bad member counts against every member of a 联合体"
                )
            member["decision"] = worst_of((member["own_decision"], worst))
        summary.append({"label": label, "members": [m["index"] for m in members], "decision": worst})
    return summary
