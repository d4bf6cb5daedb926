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

The modules: `thresholds` (levels, caps and weights), `trade_similarity` (字号 agreement and the
pre-test), `part_features` (a feature per part), `comparison` (two names compared); this one: a
subject against a listed name, with the codes (`assess`).
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.codes import organisation_part, read_code
from matching.comparison import NameComparison, compare_names, compare_parts
from matching.parentheticals import set_aside, set_aside_detail
from matching.parse import EMPTY, ParsedName, parse_name
from matching.thresholds import (
    AGAINST_FORM,
    AGAINST_INDUSTRY,
    AGAINST_REGION,
    BRANCH_CAP,
    DROP_CAP,
    EXACT,
    INDUSTRY_CONFLICT_BELOW,
    LONG_TRADE_NAME,
    MIN_TRADE_SIMILARITY,
    NEUTRAL_FORM,
    NEUTRAL_INDUSTRY,
    NEUTRAL_REGION,
    NOT_EXACT_CAP,
    POSSIBLE,
    REVIEW_CAP,
    SLIP_AGREEMENT,
    STRONG,
    W_FORM,
    W_INDUSTRY,
    W_REGION,
    W_TRADE,
    level,
)
from matching.trade_similarity import could_reach_possible
from matching.types import Explanation, Feature, MatchLevel, NameKind, Query, Relation, explain

__all__ = [
    "AGAINST_FORM",
    "AGAINST_INDUSTRY",
    "AGAINST_REGION",
    "BRANCH_CAP",
    "DROP_CAP",
    "EXACT",
    "INDUSTRY_CONFLICT_BELOW",
    "LONG_TRADE_NAME",
    "MIN_TRADE_SIMILARITY",
    "NEUTRAL_FORM",
    "NEUTRAL_INDUSTRY",
    "NEUTRAL_REGION",
    "NOT_EXACT_CAP",
    "POSSIBLE",
    "REVIEW_CAP",
    "SCORER_NAME",
    "SCORER_VERSION",
    "SLIP_AGREEMENT",
    "STRONG",
    "W_FORM",
    "W_INDUSTRY",
    "W_REGION",
    "W_TRADE",
    "Assessment",
    "NameComparison",
    "Subject",
    "assess",
    "compare_names",
    "compare_parts",
    "could_reach_possible",
    "level",
]

SCORER_NAME = "cn-name-parts"
SCORER_VERSION = "3"


@dataclass(frozen=True, slots=True)
class Assessment:
    """The scorer's verdict on one listed name for one subject."""

    score: float
    match: MatchLevel | None  # None: below `possible`, not a hit
    relation: Relation
    name_score: float  # the names' agreement before caps (for choosing among an entity's names)
    features: tuple[Feature, ...]


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


def _code_feature(subject: Subject, listed_code: str | None, relation: Relation) -> Feature:
    if subject.organisation and listed_code:
        part = organisation_part(listed_code)
        if subject.organisation == part:
            return Feature(
                "code",
                1.0,
                1.0,
                explain(
                    "组织机构代码 {code} is characters 9–17 of the listed 统一社会信用代码 {listed}: decisive",
                    code=subject.organisation,
                    listed=listed_code,
                ),
            )
        if relation == "branch_of":
            return Feature(
                "code",
                0.5,
                0.0,
                explain(
                    "组织机构代码 {code} vs {part} (in {listed}): a branch and its head company have different codes "
                    "(no evidence)",
                    code=subject.organisation,
                    part=part,
                    listed=listed_code,
                ),
            )
        return Feature(
            "code",
            0.0,
            -1.0,
            explain(
                "组织机构代码 {code} vs {part}, characters 9–17 of the listed 统一社会信用代码 {listed}: different "
                "organisations (evidence against)",
                code=subject.organisation,
                part=part,
                listed=listed_code,
            ),
        )
    if subject.code and listed_code:
        if subject.code == listed_code:
            return Feature(
                "code", 1.0, 1.0, explain("统一社会信用代码 {code} on both sides: decisive", code=subject.code)
            )
        if relation == "branch_of":
            return Feature(
                "code",
                0.5,
                0.0,
                explain(
                    "统一社会信用代码 {code} vs {listed}: a branch and its head company have different codes "
                    "(no evidence)",
                    code=subject.code,
                    listed=listed_code,
                ),
            )
        return Feature(
            "code",
            0.0,
            -1.0,
            explain(
                "统一社会信用代码 {code} vs {listed}: different valid codes (evidence against)",
                code=subject.code,
                listed=listed_code,
            ),
        )
    return Feature("code", 0.5, 0.0, explain("{said} (no evidence either way)", said=_no_code(subject)))


def _no_code(subject: Subject) -> Explanation:
    """Why the codes could not be compared."""
    if subject.registration:
        return explain(
            "the subject's code {code} is a 15-digit 注册号, which a 统一社会信用代码 does not contain: it cannot be "
            "compared",
            code=subject.registration,
        )
    if subject.organisation:
        return explain("the listed entity has no valid code to compare the 组织机构代码 with")
    if subject.code_given and not subject.code:
        return explain("the subject's code {code!r} is not a valid 统一社会信用代码: ignored", code=subject.code_given)
    if not subject.code:
        return explain("the subject gave no code")
    return explain("the listed entity has no valid code")


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
