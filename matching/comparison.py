"""Comparing a subject's parsed name with a listed one: the features of their parts added up
(`compare_parts`), then capped by what the names leave open and by a 分支机构 relation
(`compare_names`).
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.distinctions import set_apart, show
from matching.parse import ParsedName
from matching.part_features import form_feature, industry_feature, region_feature, trade_feature
from matching.regions import region_agreement
from matching.thresholds import BRANCH_CAP, NOT_EXACT_CAP, REVIEW_CAP
from matching.types import Feature, Relation, explain


@dataclass(frozen=True, slots=True)
class NameComparison:
    """How two parsed names compare: the score from their parts, and why."""

    score: float  # 0–100
    features: tuple[Feature, ...]
    relation: Relation  # self or branch_of (former_name, alias: decided by the listed name's kind)
    same_name: bool  # the same name after normalisation and legal-form equivalence
    evidence: float  # the score before any cap (for ordering hits that a cap makes equal)


def _contribution(feature: Feature) -> float:
    return feature.weight * feature.score if feature.weight >= 0 else feature.weight


def compare_parts(q: ParsedName, listed: ParsedName, same_name: bool = False) -> tuple[float, list[Feature], float]:
    """Score two names that are not branches (or two heads) from their parts: (score, features,
    the score before caps). `same_name`: the names are one (only the features are wanted)."""
    trade, q_reading, l_reading, found = trade_feature(q, listed)
    q_placed, l_placed = bool(q_reading.regions), bool(l_reading.regions)
    bare = ""
    if not same_name and not q_placed and not l_placed:
        if not q.legal_form:
            bare = q.core
        elif not listed.legal_form:
            bare = listed.core
    features = [
        trade,
        industry_feature(q, listed),
        region_feature(q_reading.regions, l_reading.regions, listed, same_name),
        form_feature(q, listed, bare),
    ]
    evidence = max(0.0, min(100.0, 100.0 * sum(_contribution(f) for f in features)))
    distinct = False
    if not same_name:  # two registered names, however alike (`distinctions`)
        features, distinct = set_apart(features, q_reading.trade_name, l_reading.trade_name, q, listed)
    unsure = (
        any(f.name == "region" and f.weight < 0 for f in features)  # different places
        or q_placed != l_placed  # a region on one side only
        or bool(bare)
        or found is not None
        or distinct
    )
    score = min(evidence, REVIEW_CAP) if unsure and not same_name else evidence
    return score, features, evidence


def compare_names(q: ParsedName, listed: ParsedName) -> NameComparison:
    """Compare a subject's name with a listed name, branches included."""
    qb, lb = q.branch, listed.branch
    if qb is not None and lb is not None:
        score, features, evidence = compare_parts(qb.head, lb.head)
        same_branch = qb.qualifier == lb.qualifier or (
            bool(q.regions and listed.regions) and region_agreement(q.region_codes, listed.region_codes) == 1.0
        )
        if same_branch:
            features.append(
                Feature(
                    "branch",
                    1.0,
                    0.0,
                    explain(
                        "both name the branch {branch} of {head} / {listed_head}",
                        branch=show(qb.qualifier + qb.suffix),
                        head=show(qb.head.text),
                        listed_head=show(lb.head.text),
                    ),
                )
            )
            same = q.key == listed.key
            return NameComparison(100.0 if same else score, tuple(features), "self", same, evidence)
        features.append(
            Feature(
                "branch",
                0.0,
                0.0,
                explain(
                    "two different branches {branch} vs {listed_branch} of {head}: at most possible",
                    branch=show(qb.qualifier + qb.suffix),
                    listed_branch=show(lb.qualifier + lb.suffix),
                    head=show(lb.head.text),
                ),
            )
        )
        return NameComparison(min(score, REVIEW_CAP), tuple(features), "branch_of", False, evidence)
    if qb is not None:
        score, features, evidence = compare_parts(qb.head, listed)
        features.append(
            Feature(
                "branch",
                1.0,
                0.0,
                explain(
                    "the subject is a branch ({branch}) of {head}: a 分支机构 is not a legal person, its head "
                    "company's record concerns it",
                    branch=show(qb.qualifier + qb.suffix),
                    head=show(qb.head.text),
                ),
            )
        )
        return NameComparison(min(score, BRANCH_CAP), tuple(features), "branch_of", False, evidence)
    if lb is not None:
        score, features, evidence = compare_parts(q, lb.head)
        features.append(
            Feature(
                "branch",
                0.5,
                0.0,
                explain(
                    "the listed entity is a branch ({branch}) of {head}: the record is the branch's, at most possible",
                    branch=show(lb.qualifier + lb.suffix),
                    head=show(lb.head.text),
                ),
            )
        )
        return NameComparison(min(score, REVIEW_CAP), tuple(features), "branch_of", False, evidence)
    if q.key == listed.key:
        _, features, _ = compare_parts(q, listed, same_name=True)
        return NameComparison(100.0, tuple(features), "self", True, 100.0)
    score, features, evidence = compare_parts(q, listed)
    return NameComparison(min(score, NOT_EXACT_CAP), tuple(features), "self", False, evidence)
