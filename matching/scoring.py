"""Scorer `cn-name-parts`: compares two parsed enterprise names part by part, with the codes.

Score (0–100) = 100 × the sum of each feature's contribution, where a feature agreeing to
degree s (0.0–1.0) with weight w > 0 contributes w·s, and evidence against (w < 0) contributes w:

| feature      | weight | agreement                                           | missing on one side |
|--------------|--------|-----------------------------------------------------|---------------------|
| trade_name   | 0.50   | (rapidfuzz Indel ratio)²: 合晟/合达 → 0.25; one      | —                   |
|              |        | character a homophone or look-alike (合胜 ≈ 合晟)   |                     |
|              |        | → 0.60 at least (`characters.slip`)                 |                     |
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

A 组织机构代码 given instead of a USCC is compared with the listed USCC's characters 9–17, with
the same force; a 15-digit 注册号 cannot be compared with a USCC and is no evidence.

What a name leaves open (without equal codes, a name that is not the listed one is at most
`possible`, 84, when):

- one name states a region and the other does not (合晟建设工程有限公司 against 杭州合晟…: a
  company of that name may exist in any city); when neither states one, as when both do, the
  names are compared as they are;
- neither states a region and one is only a 字号 and an industry, without a legal form
  (合晟建设工程);
- the 字号 agree only through a slip (合胜 for 合晟): a homophone or a look-alike is how a
  misspelling looks, and also how another company's name may look;
- the names are two registered names however alike (`distinctions`): regions at two levels
  (浙江 ⊃ 杭州, （中国） against （上海）), a 字号 with characters added (新合晟, 合晟达 against
  合晟), an industry with a word added or stated on one side only (咨询管理 against 咨询).

A subject's role, seal or consortium note (…有限公司（联合体成员）, （盖章）) is set aside before
parsing (`parentheticals`), and a `set_aside` feature says so.

Levels: `exact` = equal valid codes, or the same name after normalisation and legal-form
equivalence (score 100); `strong` ≥ 85; `possible` ≥ 70; below 70 is not a hit.

Relations: `self`; `former_name` when the listed name that matched best is a former name;
`alias` when it is an alias (read as its fuller name: `aliases`); `branch_of` when one name is a 分支机构 of the other: the subject a branch of the listed
company (its record concerns the branch: at most `strong`, 95), the listed entity a branch of
the subject (at most `possible`, 84: the record is the branch's, a person should look), or two
branches of the same head with different qualifiers (at most `possible`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from matching.characters import Slip, slip
from matching.codes import organisation_part, read_code
from matching.distinctions import level_note, set_apart
from matching.industries import CONFLICT_BELOW, industry_agreement
from matching.legal_forms import form_agreement, legal_forms
from matching.parentheticals import set_aside, set_aside_detail
from matching.parse import EMPTY, ParsedName, RegionMention, most_specific, parse_name
from matching.readings import Reading, detach_region, reading_pairs, readings
from matching.regions import region_agreement
from matching.types import Feature, MatchLevel, NameKind, Query, Relation

SCORER_NAME = "cn-name-parts"
SCORER_VERSION = "3"

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
INDUSTRY_CONFLICT_BELOW = CONFLICT_BELOW
# A 字号 one slip away from the other (合胜 for 合晟) agrees this much at least: with every other
# part agreeing that is `possible` (80), never more (the slip caps it).
SLIP_AGREEMENT = 0.6
LONG_TRADE_NAME = 5  # a 字号 this long likely carries an industry word (see `_common_ending`)
# Below this 字号 similarity a name cannot reach `possible`, whatever its other parts say
# (0.50·s² + 0.50 < 0.70): such candidates are dropped before they are parsed.
MIN_TRADE_SIMILARITY = math.sqrt((POSSIBLE / 100 - (W_INDUSTRY + W_REGION + W_FORM)) / W_TRADE) - 1e-9


@dataclass(frozen=True, slots=True)
class NameComparison:
    """How two parsed names compare: the score from their parts, and why."""

    score: float  # 0–100
    features: tuple[Feature, ...]
    relation: Relation  # self or branch_of (former_name, alias: decided by the listed name's kind)
    same_name: bool  # the same name after normalisation and legal-form equivalence
    evidence: float  # the score before any cap (for ordering hits that a cap makes equal)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The scorer's verdict on one listed name for one subject."""

    score: float
    match: MatchLevel | None  # None: below `possible`, not a hit
    relation: Relation
    name_score: float  # the names' agreement before caps (for choosing among an entity's names)
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
    where they do not apply (a branch's own region is not its head company's). "Alike" is a
    similarity that can reach `possible`, or a slip (`characters.slip`: 合胜 for 合晟)."""
    q_trade = q_readings[0].trade_name
    if _alike(q_trade, l_trade) and (
        not q_regions or not l_regions or region_agreement(q_regions, l_regions) > 0.0
    ):
        return True
    for reading in q_readings[1:]:
        if _alike(reading.trade_name, l_trade):
            return True
    if l_trade_ext != l_trade and _alike(q_trade, l_trade_ext):
        return True
    detached = detach_region(l_trade) if l_unplaced else None
    if detached is None:
        return False
    l_rest = detached[1]
    if _alike(q_trade, l_rest):
        return True
    q_detached = q_readings[-1]
    return q_detached.kind == "detached" and _alike(q_detached.trade_name, l_rest)


def _alike(a: str, b: str) -> bool:
    """Whether two 字号 are alike enough for a name to reach `possible` on them."""
    ratio = Indel.normalized_similarity(a, b)
    return ratio >= MIN_TRADE_SIMILARITY or (_one_apart(a, b, ratio) and slip(a, b) is not None)


def _one_apart(a: str, b: str, ratio: float) -> bool:
    """A cheap necessary condition for a slip: one length, and the Indel similarity of one
    character changed (1 − 1/n; a slip's test is far dearer than this one)."""
    return len(a) == len(b) and len(a) >= 2 and abs(ratio - (1.0 - 1.0 / len(a))) < 1e-9


def _contribution(feature: Feature) -> float:
    return feature.weight * feature.score if feature.weight >= 0 else feature.weight


def _show(text: str) -> str:
    return f"「{text}」" if text else "(none)"


def _common_ending(q_trade: str, l_trade: str) -> int:
    """How many characters at the end of two long 字号 to leave out, as an industry the parser
    does not know (合晟医用耗材 against 合胜医用耗材: 医用耗材), or 0.

    A 字号 has two to four characters; one of five or more most likely carries an industry word
    missing from `industries`, which would make two different 字号 look alike. The ending both
    share is taken off when at least two characters of it and of each 字号 remain."""
    if min(len(q_trade), len(l_trade)) < LONG_TRADE_NAME:
        return 0
    n = 0
    while n < min(len(q_trade), len(l_trade)) and q_trade[-1 - n] == l_trade[-1 - n]:
        n += 1
    return n if n >= 2 and min(len(q_trade), len(l_trade)) - n >= 2 else 0


def _trade_agreement(q_trade: str, l_trade: str) -> tuple[float, float, Slip | None, int]:
    """(similarity, agreement, the slip if the agreement rests on one, the length of a common
    ending left out: `_common_ending`) of two 字号: the squared Indel ratio, or `SLIP_AGREEMENT`
    when they differ by one character that may be mistaken for the other and that is more."""
    ending = 0
    if len(q_trade) >= LONG_TRADE_NAME and len(l_trade) >= LONG_TRADE_NAME:
        ending = _common_ending(q_trade, l_trade)
        if ending:
            q_trade, l_trade = q_trade[:-ending], l_trade[:-ending]
    ratio = Indel.normalized_similarity(q_trade, l_trade)
    agreement = ratio * ratio
    if agreement < SLIP_AGREEMENT and len(q_trade) == len(l_trade) and _one_apart(q_trade, l_trade, ratio):
        found = slip(q_trade, l_trade)
        if found is not None:
            return ratio, SLIP_AGREEMENT, found, ending
    return ratio, agreement, None, ending


def _trade_feature(
    q: ParsedName, listed: ParsedName
) -> tuple[Feature, Reading, Reading, Slip | None]:
    """The trade-name feature, read the way that agrees best (see `reading_pairs`), the
    readings used, and the slip it rests on, if it does."""
    pairs = reading_pairs(readings(q), readings(listed))
    q_best, l_best = pairs[0]
    ratio, agreement, found, ending = _trade_agreement(q_best.trade_name, l_best.trade_name)
    for q_reading, l_reading in pairs[1:]:
        if agreement >= 1.0:
            break
        alt = _trade_agreement(q_reading.trade_name, l_reading.trade_name)
        if alt[1] > agreement:
            (ratio, agreement, found, ending), q_best, l_best = alt, q_reading, l_reading
    how = [h for h in (q_best.how, l_best.how) if h]
    q_trade, l_trade = q_best.trade_name, l_best.trade_name
    if ending:
        how.append(f"the ending {_show(q_trade[-ending:])} of both read as an industry")
        q_trade, l_trade = q_trade[:-ending], l_trade[:-ending]
    notes = "; ".join(how)
    q_shown, l_shown = _show(q_trade), _show(l_trade)
    if found is not None:
        detail = (
            f"字号 {q_shown} ≈ {l_shown} ({found.explanation}): one character differs, "
            f"{found.written} for {found.listed}, as a misspelling would; counts as "
            f"{agreement:.2f}, at most possible without a code"
        )
    else:
        detail = f"字号 {q_shown} vs {l_shown}: similarity {ratio:.2f}, counts as {agreement:.2f}"
    detail += f" ({notes})" if notes else ""
    return Feature("trade_name", agreement, W_TRADE, detail), q_best, l_best, found


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


def _region_feature(
    q_regions: tuple[RegionMention, ...],
    l_regions: tuple[RegionMention, ...],
    listed: ParsedName,
    same_name: bool = False,
) -> Feature:
    qt = "".join(m.text for m in q_regions)
    lt = "".join(m.text for m in l_regions)
    if any(m.inherited for m in l_regions):
        lt += "(from the entity's current name)"
    if not q_regions and not l_regions:
        return Feature("region", 1.0, W_REGION, "行政区划: neither name states one")
    if not q_regions or not l_regions:
        shown = f"行政区划 {_show(qt)} vs {_show(lt)}: stated on one side only"
        if same_name:
            why = " (neutral)"
        elif not q_regions:
            why = (
                f": region not given: cannot tell {_show(listed.text)} from a same-name company "
                "elsewhere (at most possible)"
            )
        else:
            why = (
                f": the listed name gives no region: cannot tell whether it is the subject's "
                f"{_show(qt)} company or a same-name company elsewhere (at most possible)"
            )
        return Feature("region", NEUTRAL_REGION, W_REGION, shown + why)
    agreement = region_agreement(most_specific(q_regions), most_specific(l_regions))
    if agreement == 0.0:
        return Feature(
            "region",
            0.0,
            AGAINST_REGION,
            f"行政区划 {_show(qt)} vs {_show(lt)}: different places (evidence against)",
        )
    if agreement == 1.0:
        return Feature("region", agreement, W_REGION, f"行政区划 {_show(qt)} vs {_show(lt)}: the same place")
    return Feature("region", agreement, W_REGION, f"行政区划 {_show(qt)} vs {_show(lt)}: " + level_note(
        most_specific(q_regions), most_specific(l_regions), qt, lt))


def _form_feature(q: ParsedName, listed: ParsedName, bare: str = "") -> Feature:
    """`bare`: a name (its 字号 and industry) that states neither a legal form nor, like the
    other, a region, when that caps the hit."""
    qf, lf = q.legal_form, listed.legal_form
    shown = f"组织形式 {_show(q.legal_form_text)} vs {_show(listed.legal_form_text)}"
    unsure = (
        f"; {_show(bare)} states neither a legal form nor a region: it could be any company "
        "of that 字号 and trade (at most possible)"
        if bare
        else ""
    )
    if not qf and not lf:
        return Feature("legal_form", 1.0, W_FORM, "组织形式: neither name states one" + unsure)
    if not qf or not lf:
        return Feature(
            "legal_form", NEUTRAL_FORM, W_FORM, f"{shown}: stated on one side only{unsure}"
        )
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


def compare_parts(
    q: ParsedName, listed: ParsedName, same_name: bool = False
) -> tuple[float, list[Feature], float]:
    """Score two names that are not branches (or two heads) from their parts: (score, features,
    the score before caps). `same_name`: the names are one (only the features are wanted)."""
    trade, q_reading, l_reading, found = _trade_feature(q, listed)
    q_placed, l_placed = bool(q_reading.regions), bool(l_reading.regions)
    bare = ""
    if not same_name and not q_placed and not l_placed:
        if not q.legal_form:
            bare = q.core
        elif not listed.legal_form:
            bare = listed.core
    features = [
        trade,
        _industry_feature(q, listed),
        _region_feature(q_reading.regions, l_reading.regions, listed, same_name),
        _form_feature(q, listed, bare),
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
            same = q.key == listed.key
            return NameComparison(100.0 if same else score, tuple(features), "self", same, evidence)
        features.append(
            Feature(
                "branch",
                0.0,
                0.0,
                f"two different branches {_show(qb.qualifier + qb.suffix)} vs "
                f"{_show(lb.qualifier + lb.suffix)} of {_show(lb.head.text)}: at most possible",
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
                f"the subject is a branch ({_show(qb.qualifier + qb.suffix)}) of "
                f"{_show(qb.head.text)}: a 分支机构 is not a legal person, its head "
                "company's record concerns it",
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
                f"the listed entity is a branch ({_show(lb.qualifier + lb.suffix)}) of "
                f"{_show(lb.head.text)}: the record is the branch's, at most possible",
            )
        )
        return NameComparison(min(score, REVIEW_CAP), tuple(features), "branch_of", False, evidence)
    if q.key == listed.key:
        _, features, _ = compare_parts(q, listed, same_name=True)
        return NameComparison(100.0, tuple(features), "self", True, 100.0)
    score, features, evidence = compare_parts(q, listed)
    return NameComparison(min(score, NOT_EXACT_CAP), tuple(features), "self", False, evidence)


@dataclass(frozen=True, slots=True)
class Subject:
    """A query made ready for scoring: its name parsed, its code checked."""

    name: ParsedName  # EMPTY when no usable name was given
    code: str | None  # the normalised code when a valid USCC, else None
    code_given: str  # the code as given ("" when none), for explanations
    organisation: str | None = None  # a valid 组织机构代码 given instead of a USCC
    registration: str | None = None  # a valid 15-digit 注册号 given instead of a USCC
    set_aside: tuple[str, ...] = ()  # notes taken out of the name (`parentheticals`): （联合体成员）

    @classmethod
    def of(cls, query: Query) -> Subject:
        """Parse and check a query, setting aside role and seal notes in its name
        (`parentheticals.set_aside`). Raises ValueError when it has neither a name nor a code."""
        name_text, notes = set_aside((query.name or "").strip())
        code_text = (query.code or "").strip()
        parsed = parse_name(name_text) if name_text else EMPTY
        if parsed.is_empty and not code_text:
            raise ValueError("a subject needs a name or a code (统一社会信用代码)")
        kind, code = read_code(code_text)
        return cls(
            name=parsed,
            code=code if kind == "uscc" else None,
            code_given=code_text,
            organisation=code if kind == "organisation" else None,
            registration=code if kind == "registration" else None,
            set_aside=notes,
        )

    @property
    def identifying_code(self) -> str | None:
        """The code that can find a listed entity: a USCC, or a 组织机构代码."""
        return self.code or self.organisation


def level(score: float) -> MatchLevel | None:
    """The match level of a score that is not `exact` (None below `possible`)."""
    if score >= STRONG:
        return "strong"
    if score >= POSSIBLE:
        return "possible"
    return None


def _code_feature(subject: Subject, listed_code: str | None, relation: Relation) -> Feature:
    if subject.organisation and listed_code:
        part = organisation_part(listed_code)
        if subject.organisation == part:
            return Feature(
                "code",
                1.0,
                1.0,
                f"组织机构代码 {subject.organisation} is characters 9–17 of the listed "
                f"统一社会信用代码 {listed_code}: decisive",
            )
        if relation == "branch_of":
            return Feature(
                "code",
                0.5,
                0.0,
                f"组织机构代码 {subject.organisation} vs {part} (in {listed_code}): a branch and "
                "its head company have different codes (no evidence)",
            )
        return Feature(
            "code",
            0.0,
            -1.0,
            f"组织机构代码 {subject.organisation} vs {part}, characters 9–17 of the listed "
            f"统一社会信用代码 {listed_code}: different organisations (evidence against)",
        )
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
    if subject.registration:
        said = (
            f"the subject's code {subject.registration} is a 15-digit 注册号, which a "
            "统一社会信用代码 does not contain: it cannot be compared"
        )
    elif subject.organisation:
        said = "the listed entity has no valid code to compare the 组织机构代码 with"
    elif subject.code_given and not subject.code:
        said = f"the subject's code {subject.code_given!r} is not a valid 统一社会信用代码: ignored"
    elif not subject.code:
        said = "the subject gave no code"
    else:
        said = "the listed entity has no valid code"
    return Feature("code", 0.5, 0.0, f"{said} (no evidence either way)")


def assess(subject: Subject, listed: ParsedName, listed_code: str | None, kind: NameKind) -> Assessment:
    """Score one listed name (of kind current, former or alias) against a subject."""
    if subject.name.is_empty:
        comparison = NameComparison(0.0, (), "self", False, 0.0)
    else:
        comparison = compare_names(subject.name, listed)
    relation: Relation = comparison.relation
    if relation == "self" and kind != "current":
        relation = "alias" if kind == "alias" else "former_name"
    code = _code_feature(subject, listed_code, relation)
    features = (code, *comparison.features)
    if subject.set_aside:
        features += (Feature("set_aside", 1.0, 0.0, set_aside_detail(subject.set_aside)),)
    evidence = comparison.evidence
    if code.score == 1.0:
        return Assessment(EXACT, "exact", relation, evidence, features)
    score = comparison.score
    if code.weight < 0:
        score = min(score, POSSIBLE if comparison.same_name else DROP_CAP)
    if comparison.same_name and score >= EXACT:
        return Assessment(EXACT, "exact", relation, evidence, features)
    return Assessment(round(score, 1), level(score), relation, evidence, features)
