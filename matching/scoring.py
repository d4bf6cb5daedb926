"""Scorer `cn-name-parts`: compares two parsed enterprise names part by part, with the codes.

Score (0–100) = 100 × the sum of each feature's contribution, where a feature agreeing to
degree s (0.0–1.0) with weight w > 0 contributes w·s, and evidence against (w < 0) contributes w:

| feature      | weight | agreement                                           | missing on one side |
|--------------|--------|-----------------------------------------------------|---------------------|
| trade_name   | 0.50   | (rapidfuzz Indel ratio)²: 合晟/合胜 → 0.25           | —                   |
| industry     | 0.20   | 1.0 same, 0.9 same trade (建设工程~建筑工程), 0.6 when | 0.4                 |
|              |        | one says little (科技, 实业), 0.0 different trades   |                     |
| region       | 0.15   | 1.0 same, 0.7 one contains the other (浙江 ⊃ 杭州)    | 0.8 (neutral)       |
| legal_form   | 0.15   | 1.0 same canonical (有限公司≡有限责任公司), 0.6–0.8  | 0.5                 |

The 字号 is compared under each reading of where the regions end and the 字号 begins
(`readings`: 东方 + 雨虹 may be 东方雨虹, 兴和东山峰 may be 兴和 + 东山峰), and the reading that
agrees best decides which regions are compared.

Evidence against: regions that cannot be the same place (−0.20, and never `strong`);
industries of different trades (工程咨询 against 建筑装饰工程: −0.10); legal forms of different families,
a company against a 个体工商户's …店 (−0.05).

Codes (统一社会信用代码): equal valid codes are decisive (100, `exact`). Different valid codes on
both sides are evidence against: the hit is dropped (capped below `possible`) unless the names
are the same after normalisation, and then it is at most `possible`. A branch and its head
company have different codes by law, so codes do not count against a `branch_of` relation.
A missing, placeholder or malformed code is no evidence either way.

Levels: `exact` = equal valid codes, or the same name after normalisation and legal-form
equivalence (score 100); `strong` ≥ 85; `possible` ≥ 70; below 70 is not a hit.

Relations: `self`; `former_name` when the listed name that matched best is a former name or an
alias; `branch_of` when one name is a 分支机构 of the other: the subject a branch of the listed
company (its record concerns the branch: at most `strong`, 95), the listed entity a branch of
the subject (at most `possible`, 84: the record is the branch's, a person should look), or two
branches of the same head with different qualifiers (at most `possible`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from matching.codes import valid_code
from matching.industries import industry_agreement
from matching.legal_forms import form_agreement, legal_forms
from matching.parse import EMPTY, ParsedName, RegionMention, most_specific, parse_name
from matching.readings import Reading, detach_region, reading_pairs, readings
from matching.regions import region_agreement
from matching.types import Feature, MatchLevel, NameKind, Query, Relation

SCORER_NAME = "cn-name-parts"
SCORER_VERSION = "1"

EXACT = 100.0
STRONG = 85.0
POSSIBLE = 70.0

# The highest score a relation or a contradiction allows.
NOT_EXACT_CAP = 99.0  # a name that is not the same after normalisation is never `exact`
BRANCH_CAP = 95.0  # the subject is a branch of the listed company: `strong` at most
REVIEW_CAP = STRONG - 1  # `possible` at most: a person should look
DROP_CAP = POSSIBLE - 1  # below `possible`: not a hit

W_TRADE = 0.50
W_INDUSTRY = 0.20
W_REGION = 0.15
W_FORM = 0.15
AGAINST_REGION = -0.20
AGAINST_INDUSTRY = -0.10
AGAINST_FORM = -0.05
NEUTRAL_REGION = 0.8
NEUTRAL_INDUSTRY = 0.4
NEUTRAL_FORM = 0.5
INDUSTRY_CONFLICT_BELOW = 0.4
# Below this 字号 similarity a name cannot reach `possible`, whatever its other parts say
# (0.50·s² + 0.50 < 0.70): such candidates are dropped before they are parsed.
MIN_TRADE_SIMILARITY = math.sqrt((POSSIBLE / 100 - (W_INDUSTRY + W_REGION + W_FORM)) / W_TRADE) - 1e-9


@dataclass(frozen=True, slots=True)
class NameComparison:
    """How two parsed names compare: the score from their parts, and why."""

    score: float  # 0–100
    features: tuple[Feature, ...]
    relation: Relation  # self or branch_of (former_name is decided by the listed name's kind)
    same_name: bool  # the same name after normalisation and legal-form equivalence


@dataclass(frozen=True, slots=True)
class Assessment:
    """The scorer's verdict on one listed name for one subject."""

    score: float
    match: MatchLevel | None  # None: below `possible`, not a hit
    relation: Relation
    name_score: float  # the score from the names alone (for choosing among an entity's names)
    features: tuple[Feature, ...]


def could_reach_possible(
    q_readings: list[Reading],
    q_regions: frozenset[str],
    l_trade: str,
    l_trade_ext: str,
    l_regions: frozenset[str],
    l_unplaced: bool,
) -> bool:
    """A cheap test, before parsing, of whether a listed name can reach `possible`: a bound,
    never False for a name that would.

    `q_readings` are the subject's (`readings`); the listed name's are rebuilt from its 字号,
    the 字号 with the region before it (`trade_with_region`) and, when it states no region
    (`l_unplaced`), the 字号 with a leading region name taken off. Some pair of readings
    (`reading_pairs`, or more) must be alike enough; when only the pair as parsed is, the
    regions must not contradict each other (that caps the score at 65). Pass empty regions
    where they do not apply (a branch's own region is not its head company's)."""
    similarity = Indel.normalized_similarity
    q_trade = q_readings[0].trade_name
    if similarity(q_trade, l_trade) >= MIN_TRADE_SIMILARITY and (
        not q_regions or not l_regions or region_agreement(q_regions, l_regions) > 0.0
    ):
        return True
    for reading in q_readings[1:]:
        if similarity(reading.trade_name, l_trade) >= MIN_TRADE_SIMILARITY:
            return True
    if l_trade_ext != l_trade and similarity(q_trade, l_trade_ext) >= MIN_TRADE_SIMILARITY:
        return True
    detached = detach_region(l_trade) if l_unplaced else None
    if detached is None:
        return False
    l_rest = detached[1]
    if similarity(q_trade, l_rest) >= MIN_TRADE_SIMILARITY:
        return True
    q_detached = q_readings[-1]
    return q_detached.kind == "detached" and (
        similarity(q_detached.trade_name, l_rest) >= MIN_TRADE_SIMILARITY
    )


def _contribution(feature: Feature) -> float:
    return feature.weight * feature.score if feature.weight >= 0 else feature.weight


def _show(text: str) -> str:
    return f"「{text}」" if text else "(none)"


def _trade_feature(q: ParsedName, listed: ParsedName) -> tuple[Feature, Reading, Reading]:
    """The trade-name feature, read the way that agrees best (see `reading_pairs`), and the
    readings used."""
    similarity = Indel.normalized_similarity
    pairs = reading_pairs(readings(q), readings(listed))
    q_best, l_best = pairs[0]
    ratio = similarity(q_best.trade_name, l_best.trade_name)
    for q_reading, l_reading in pairs[1:]:
        if ratio >= 1.0:
            break
        alt = similarity(q_reading.trade_name, l_reading.trade_name)
        if alt > ratio:
            ratio, q_best, l_best = alt, q_reading, l_reading
    notes = "; ".join(how for how in (q_best.how, l_best.how) if how)
    detail = (
        f"字号 {_show(q_best.trade_name)} vs {_show(l_best.trade_name)}: similarity {ratio:.2f}, "
        f"counts as {ratio * ratio:.2f}" + (f" ({notes})" if notes else "")
    )
    return Feature("trade_name", ratio * ratio, W_TRADE, detail), q_best, l_best


def _industry_feature(q: ParsedName, listed: ParsedName) -> Feature:
    qi, li = q.industry_text, listed.industry_text
    if not qi and not li:
        return Feature("industry", 1.0, W_INDUSTRY, "行业: neither name states one")
    if not qi or not li:
        return Feature(
            "industry",
            NEUTRAL_INDUSTRY,
            W_INDUSTRY,
            f"行业 {_show(qi)} vs {_show(li)}: stated on one side only",
        )
    agreement = industry_agreement(q.industry, listed.industry)
    if agreement < INDUSTRY_CONFLICT_BELOW:
        return Feature(
            "industry",
            0.0,
            AGAINST_INDUSTRY,
            f"行业 {_show(qi)} vs {_show(li)}: different trades (evidence against)",
        )
    return Feature(
        "industry", agreement, W_INDUSTRY, f"行业 {_show(qi)} vs {_show(li)}: agreement {agreement:.2f}"
    )


def _region_feature(q_regions: tuple[RegionMention, ...], l_regions: tuple[RegionMention, ...]) -> Feature:
    qt = "".join(m.text for m in q_regions)
    lt = "".join(m.text for m in l_regions)
    if any(m.inherited for m in l_regions):
        lt += "(from the entity's current name)"
    if not q_regions and not l_regions:
        return Feature("region", 1.0, W_REGION, "行政区划: neither name states one")
    if not q_regions or not l_regions:
        return Feature(
            "region",
            NEUTRAL_REGION,
            W_REGION,
            f"行政区划 {_show(qt)} vs {_show(lt)}: stated on one side only (neutral)",
        )
    agreement = region_agreement(most_specific(q_regions), most_specific(l_regions))
    if agreement == 0.0:
        return Feature(
            "region",
            0.0,
            AGAINST_REGION,
            f"行政区划 {_show(qt)} vs {_show(lt)}: different places (evidence against)",
        )
    how = "the same place" if agreement == 1.0 else "one contains the other"
    return Feature("region", agreement, W_REGION, f"行政区划 {_show(qt)} vs {_show(lt)}: {how}")


def _form_feature(q: ParsedName, listed: ParsedName) -> Feature:
    qf, lf = q.legal_form, listed.legal_form
    shown = f"组织形式 {_show(q.legal_form_text)} vs {_show(listed.legal_form_text)}"
    if not qf and not lf:
        return Feature("legal_form", 1.0, W_FORM, "组织形式: neither name states one")
    if not qf or not lf:
        return Feature("legal_form", NEUTRAL_FORM, W_FORM, f"{shown}: stated on one side only")
    agreement = form_agreement(qf, lf)
    if agreement == 0.0:
        forms = legal_forms()
        return Feature(
            "legal_form",
            0.0,
            AGAINST_FORM,
            f"{shown}: a {forms[qf].family} against a {forms[lf].family} (evidence against)",
        )
    how = "equivalent" if agreement == 1.0 else f"agreement {agreement:.2f}"
    return Feature("legal_form", agreement, W_FORM, f"{shown}: {how}")


def compare_parts(q: ParsedName, listed: ParsedName) -> tuple[float, list[Feature]]:
    """Score two names that are not branches (or two heads) from their parts."""
    trade, q_reading, l_reading = _trade_feature(q, listed)
    features = [
        trade,
        _industry_feature(q, listed),
        _region_feature(q_reading.regions, l_reading.regions),
        _form_feature(q, listed),
    ]
    score = 100.0 * sum(_contribution(f) for f in features)
    if any(f.name == "region" and f.weight < 0 for f in features):
        score = min(score, REVIEW_CAP)
    return max(0.0, min(100.0, score)), features


def compare_names(q: ParsedName, listed: ParsedName) -> NameComparison:
    """Compare a subject's name with a listed name, branches included."""
    qb, lb = q.branch, listed.branch
    if qb is not None and lb is not None:
        score, features = compare_parts(qb.head, lb.head)
        same_branch = qb.qualifier == lb.qualifier or (
            bool(q.regions and listed.regions)
            and region_agreement(q.region_codes, listed.region_codes) == 1.0
        )
        if same_branch:
            features.append(
                Feature(
                    "branch",
                    1.0,
                    0.0,
                    f"both name the branch {_show(qb.qualifier + qb.suffix)} of "
                    f"{_show(qb.head.text)} / {_show(lb.head.text)}",
                )
            )
            return NameComparison(
                100.0 if q.key == listed.key else score, tuple(features), "self", q.key == listed.key
            )
        features.append(
            Feature(
                "branch",
                0.0,
                0.0,
                f"two different branches {_show(qb.qualifier + qb.suffix)} vs "
                f"{_show(lb.qualifier + lb.suffix)} of {_show(lb.head.text)}: at most possible",
            )
        )
        return NameComparison(min(score, REVIEW_CAP), tuple(features), "branch_of", False)
    if qb is not None:
        score, features = compare_parts(qb.head, listed)
        features.append(
            Feature(
                "branch",
                1.0,
                0.0,
                f"the subject is a branch ({_show(qb.qualifier + qb.suffix)}) of "
                f"{_show(qb.head.text)}: a 分支机构 is not a legal person, its head "
                "company's record concerns it",
            )
        )
        return NameComparison(min(score, BRANCH_CAP), tuple(features), "branch_of", False)
    if lb is not None:
        score, features = compare_parts(q, lb.head)
        features.append(
            Feature(
                "branch",
                0.5,
                0.0,
                f"the listed entity is a branch ({_show(lb.qualifier + lb.suffix)}) of "
                f"{_show(lb.head.text)}: the record is the branch's, at most possible",
            )
        )
        return NameComparison(min(score, REVIEW_CAP), tuple(features), "branch_of", False)
    if q.key == listed.key:
        _, features = compare_parts(q, listed)
        return NameComparison(100.0, tuple(features), "self", True)
    score, features = compare_parts(q, listed)
    return NameComparison(min(score, NOT_EXACT_CAP), tuple(features), "self", False)


@dataclass(frozen=True, slots=True)
class Subject:
    """A query made ready for scoring: its name parsed, its code checked."""

    name: ParsedName  # EMPTY when no usable name was given
    code: str | None  # the normalised code when valid, else None
    code_given: str  # the code as given ("" when none), for explanations

    @classmethod
    def of(cls, query: Query) -> Subject:
        """Parse and check a query. Raises ValueError when it has neither a name nor a code."""
        name_text = (query.name or "").strip()
        code_text = (query.code or "").strip()
        parsed = parse_name(name_text) if name_text else EMPTY
        if parsed.is_empty and not code_text:
            raise ValueError("a subject needs a name or a code (统一社会信用代码)")
        return cls(name=parsed, code=valid_code(code_text), code_given=code_text)


def level(score: float) -> MatchLevel | None:
    """The match level of a score that is not `exact` (None below `possible`)."""
    if score >= STRONG:
        return "strong"
    if score >= POSSIBLE:
        return "possible"
    return None


def _code_feature(subject: Subject, listed_code: str | None, relation: Relation) -> Feature:
    if subject.code and listed_code:
        if subject.code == listed_code:
            return Feature("code", 1.0, 1.0, f"统一社会信用代码 {subject.code} on both sides: decisive")
        if relation == "branch_of":
            return Feature(
                "code",
                0.5,
                0.0,
                f"统一社会信用代码 {subject.code} vs {listed_code}: a branch and its head "
                "company have different codes (no evidence)",
            )
        return Feature(
            "code",
            0.0,
            -1.0,
            f"统一社会信用代码 {subject.code} vs {listed_code}: different valid codes "
            "(evidence against)",
        )
    if subject.code_given and not subject.code:
        said = f"the subject's code {subject.code_given!r} is not a valid 统一社会信用代码: ignored"
    elif not subject.code:
        said = "the subject gave no code"
    else:
        said = "the listed entity has no valid code"
    return Feature("code", 0.5, 0.0, f"{said} (no evidence either way)")


def assess(subject: Subject, listed: ParsedName, listed_code: str | None, kind: NameKind) -> Assessment:
    """Score one listed name (of kind current, former or alias) against a subject."""
    if subject.name.is_empty:
        comparison = NameComparison(0.0, (), "self", False)
    else:
        comparison = compare_names(subject.name, listed)
    relation: Relation = comparison.relation
    if relation == "self" and kind != "current":
        relation = "former_name"
    code = _code_feature(subject, listed_code, relation)
    features = (code, *comparison.features)
    if code.score == 1.0:
        return Assessment(EXACT, "exact", relation, comparison.score, features)
    score = comparison.score
    if code.weight < 0:
        score = min(score, POSSIBLE if comparison.same_name else DROP_CAP)
    if comparison.same_name and score >= EXACT:
        return Assessment(EXACT, "exact", relation, comparison.score, features)
    return Assessment(round(score, 1), level(score), relation, comparison.score, features)
