"""Deciding a screening (核查结论), as pure functions of what was found: block, review or clear per
subject, the reasons (messages of the catalogue, said in both languages by `wording`), the
incentives offered, and 联合体 members flagged by their worst member.
No database and no request state: `tests/registry/test_screening_decision.py` runs them on plain values.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from matching.types import Hit
from registry.messages import Msg, Text, msg, render
from registry.screening.dossiers import Dossier
from registry.screening.measures import MeasureHit
from registry.screening.person_links import (
    PersonLink,
)
from registry.screening.request import Subject
from registry.screening.wording import DECISION_WORDS, MATCH_WORDS, listing, measure_words, term
from registry.vocab import DOMAINS

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
            {
                "name": f.name,
                "score": _number(f.score),
                "weight": _number(f.weight),
                "detail": render(f.detail, "zh"),
                "detail_en": render(f.detail, "en"),
            }
            for f in hit.features
        ],
        "effect": next((e for e in ("block", "review", "incentive") if e in effects), None),
        "measures": [m.measure.code for m in listed.measures],
        "dispositions": shown,
    }


def _label(hit: dict[str, Any]) -> Msg:
    """The listed entity of a hit and how it was found, as the reasons name it."""
    match: Text = MATCH_WORDS.get(hit["match"], hit["match"])
    if hit["counts_as"] != hit["match"]:
        counted = MATCH_WORDS.get(hit["counts_as"], hit["counts_as"])
        match = msg("{match}, counted as {counted}", match=match, counted=counted)
    values = {"entity": hit["entity_name"], "id": hit["entity_id"], "match": match, "score": hit["score"]}
    if hit["relation"] == "former_name":
        return msg(
            "{entity} (entity {id}; {match}, score {score} via former name {name})", name=hit["matched_name"], **values
        )
    if hit["relation"] == "alias":
        return msg(
            "{entity} (entity {id}; {match}, score {score} via alias {name})", name=hit["matched_name"], **values
        )
    if hit["relation"] == "branch_of":
        return msg(
            "{entity} (entity {id}; {match}, score {score} via branch of {name})", name=hit["matched_name"], **values
        )
    return msg("{entity} (entity {id}; {match}, score {score})", **values)


def _why(m: MeasureHit) -> Text:
    return listing(r.reason for r in m.records) or ""


def _measure_reason(hit: dict[str, Any], m: MeasureHit, firm: bool) -> Msg:
    """What one measure of a hit's entity does to the subject, and why."""
    label, what, why = _label(hit), measure_words(m), _why(m)
    if m.effect == "block" and firm:
        return msg("block: {hit}: {measure}: {why}", hit=label, measure=what, why=why)
    if m.effect == "block":
        return msg(
            "review: possible match {hit} carries a block measure, {measure}: {why}; a person decides whether it is "
            "the same entity",
            hit=label,
            measure=what,
            why=why,
        )
    if m.effect == "review":
        return msg("review: {hit}: {measure}: {why}", hit=label, measure=what, why=why)
    if firm:
        return msg("incentive: {hit}: {measure}: {why}", hit=label, measure=what, why=why)
    return msg(
        "incentive not offered: possible match {hit} carries {measure}; confirm the identity first",
        hit=label,
        measure=what,
    )


def _disposition_reason(hit: dict[str, Any], shown: dict[str, Any]) -> Msg:
    """An earlier disposition of the same subject and entity, shown beside the hit."""
    values = {
        "hit": _label(hit),
        "who": shown["decided_by"],
        "at": shown["decided_at"],
        "screening": shown["screening_id"],
        "reason": shown["reason"],
    }
    if shown["disposition"] == "confirmed":
        return msg(
            "earlier disposition of {hit}: confirmed by {who} on {at} (screening {screening}): {reason}; shown, "
            "not applied",
            **values,
        )
    return msg(
        "earlier disposition of {hit}: false_positive by {who} on {at} (screening {screening}): {reason}; shown, "
        "not applied",
        **values,
    )


def decide_subject(
    subject: Subject,
    hits: list[dict[str, Any]],
    listed: dict[int, Dossier],
    domain: str,
    links: Sequence[PersonLink] = (),
) -> tuple[str, list[Text], list[dict[str, Any]]]:
    """A subject's own decision, its reasons (messages: `wording.said` renders them), and the
    incentives it may be given."""
    reasons: list[Text] = list(subject.notes)
    decision = "clear" if subject.screenable else "review"
    incentives: list[dict[str, Any]] = []
    for link in links:  # 失信相关人 behind the subject (发改法规〔2018〕457号)
        effect = link.effect or "review"
        decision = worst_of((decision, effect))
        if effect == "block":
            reasons.append(msg("block: {link}", link=link.reason()))
        else:
            reasons.append(msg("review: {link}", link=link.reason()))
    for hit in hits:
        entity = listed[hit["entity_id"]]
        firm = hit["counts_as"] in FIRM_MATCHES
        for m in entity.measures:
            if m.effect in ("block", "review"):
                decision = worst_of((decision, "block" if m.effect == "block" and firm else "review"))
            elif firm:
                incentives.append({"entity_id": hit["entity_id"], "code": m.measure.code, "name": m.measure.name})
            reasons.append(_measure_reason(hit, m, firm))
        if not entity.measures:
            reasons.append(
                msg(
                    "no measure: {hit} has {count} record(s) in force, none of which sets off a measure in {domain}",
                    hit=_label(hit),
                    count=entity.record_count,
                    domain=term(domain, DOMAINS),
                )
            )
        for shown in hit["dispositions"]:
            reasons.append(_disposition_reason(hit, shown))
    if not hits and subject.screenable:
        reasons.append(msg("no listed entity matched this subject"))
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
                    msg(
                        "consortium {consortium}: member subjects.{index} ({name}) is {decision}; one bad member "
                        "counts against every member of a 联合体",
                        consortium=label,
                        index=other["index"],
                        name=other["name"] or other["uscc"],
                        decision=DECISION_WORDS.get(other["own_decision"], other["own_decision"]),
                    )
                )
            member["decision"] = worst_of((member["own_decision"], worst))
        summary.append({"label": label, "members": [m["index"] for m in members], "decision": worst})
    return summary
