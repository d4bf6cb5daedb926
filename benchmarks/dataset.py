"""A seeded registry of listed entities with realistic names, and a labelled set of queries.

Entities: 行政区划 + 字号 + 行业 + 组织形式 (杭州合晟建设工程有限公司, sometimes
合晟建设工程（杭州）有限公司), a valid 统一社会信用代码 each, some with a former name (曾用名),
some sharing a 字号 with another listed entity elsewhere (the confusers a matcher must keep
apart), a few 个体工商户 (西湖区合晟五金经营部).

Queries: for sampled listed entities, the name as bidders write it (every variant family in
`POSITIVE_FAMILIES`), each labelled with the entity it must find and the lowest match level at
which finding it is right (`found_at`: "strong", or "possible" for the `REVIEW_FAMILIES`, whose
names cannot tell the entity from another company: no region, or a 字号 one homophone off);
companies that are *not* listed but share a 字号, a region or an industry with one that is, or
whose 字号 is one (not homophone) character off a listed one, labelled "no match"; and bad
inputs (empty names, malformed codes).

The same seed gives the same data on every machine (nothing depends on set order or hashing).
"""

from __future__ import annotations

import bisect
import itertools
import random
import string
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from stdnum.iso7064 import mod_11_10

from benchmarks import distinction_families, names
from benchmarks.names import AutonomousArea, Region
from matching.types import Candidate, NameRecord, Query, Relation
from registry.codes import uscc

POSITIVE_FAMILIES: tuple[str, ...] = (
    "exact", "bracket_width", "latin_width_case", "spaces", "traditional", "legal_form",
    "region_dropped", "region_moved", "branch", "former_name", "code_only", "code_misspelt_name",
    "combined", "industry_synonym", "homophone_trade", "region_dropped_shared", "organisation_code",
    "registration_number_with_name",
)
# Positives whose right answer is a review (`possible`): the name alone cannot tell the entity
# from another company (no region: a company of that name may exist in any city; a 字号 one
# homophone or look-alike off: a misspelling, or another company). An exact/strong hit on
# another entity is a false block.
# An industry_synonym whose industry is the listed one with a word added or taken off (建设 for
# 建设工程, 软件技术 for 软件): two registered names by the rules, so a review (`possible`).
POSITIVE_FAMILIES += ("industry_synonym_extra_word", *distinction_families.POSITIVES)
REVIEW_FAMILIES = ("region_dropped", "region_dropped_shared", "homophone_trade", "industry_synonym_extra_word")
NEGATIVE_FAMILIES = ("neg_same_trade_other_city", "neg_same_trade_region_other_industry",
                     "neg_same_region_industry", "neg_random", "neg_one_char_off_trade",
                     *distinction_families.NEGATIVES)
BAD_FAMILIES = ("bad_empty", "bad_whitespace", "bad_placeholder", "bad_malformed_code",
                "bad_malformed_code_with_name")
FAMILY_WEIGHTS: dict[str, float] = {
    "exact": 4, "bracket_width": 5, "latin_width_case": 3, "spaces": 6, "traditional": 7, "legal_form": 6,
    "region_dropped": 6, "region_moved": 6, "branch": 7, "former_name": 6, "code_only": 5,
    "code_misspelt_name": 5, "combined": 6, "industry_synonym": 5, "homophone_trade": 7,
    "region_dropped_shared": 5, "organisation_code": 4, "registration_number_with_name": 3,
    "neg_same_trade_other_city": 10, "neg_same_trade_region_other_industry": 5,
    "neg_same_region_industry": 7, "neg_random": 4, "neg_one_char_off_trade": 7,
    "bad_empty": 1.5, "bad_whitespace": 1, "bad_placeholder": 1, "bad_malformed_code": 1.5,
    "bad_malformed_code_with_name": 1.5, **distinction_families.WEIGHTS,
}

_SHOP_SHARE = 0.06  # 个体工商户 among the listed
_CONFUSER_SHARE = 0.12  # entities that reuse the 字号 of an entity listed elsewhere
_LATIN_SHARE = 0.03  # a 字号 in Latin letters: 杭州ABK科技有限公司
_FORMER_SHARE = 0.12  # companies with a former name
_BRACKETED_SHARE = 0.10  # 合晟建设工程（杭州）有限公司
_REGION_FORMS = ("city", "province", "city_full", "county", "city_county")
_REGION_FORM_WEIGHTS = (60, 10, 10, 10, 10)
_SPACES = (" ", "  ", "\u3000")
_LOWER_FORMS = {"有限公司": "有限责任公司", "有限责任公司": "有限公司",
                "集团有限公司": "集团有限责任公司", "集团有限责任公司": "集团有限公司"}
# What bidders put where a name is required and they have none to give.
_PLACEHOLDERS = ("无", "暂无", "不详", "N/A", "n/a", "/", "-", "——", "（）", "…", "null")


def scopes(region: Region, region_text: str) -> tuple[str, ...]:
    """Where a name with `region_text` is registered, as scope keys: "C:3301" for a name at city
    or county level, plus "P:33" when the name is at province level (浙江合晟…).

    A company of another name in a scope that neither equals nor contains these is a different
    company beyond doubt; 宁波合晟… is not 杭州合晟…, but 杭州合晟… might be 浙江合晟…."""
    city = f"C:{region.code[:4]}"
    if region_text in (region.province_short, region.province):
        return (city, f"P:{region.province_code}")
    return (city,)


def overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether names registered in scopes `a` and `b` could be one company: the same city, or a
    province-level name and any name in that province."""
    a, b = set(a), set(b)
    if a & b:
        return True
    provinces_a = {scope[2:] for scope in a if scope.startswith("P:")}
    provinces_b = {scope[2:] for scope in b if scope.startswith("P:")}
    return any(scope[2:4] in provinces_b for scope in a) or any(scope[2:4] in provinces_a for scope in b)


# One listed name with a given 字号: (its scopes, the sector of its industry, the entity's id).
Entry = tuple[tuple[str, ...], str, int]


def sector_of(industry: str) -> str:
    """The line of business of an industry as generated, or as a bidder may write it instead
    (`names.INDUSTRY_SYNONYMS`); "shop" for a 个体工商户's goods."""
    return names.SECTOR_OF.get(industry) or names.SYNONYM_SECTOR.get(industry, "shop")


def one_character_off(a: str, b: str) -> tuple[str, str] | None:
    """The two differing characters when 字号 `a` and `b` have one length and differ in one
    character only; None otherwise."""
    if len(a) != len(b):
        return None
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return differ[0] if len(differ) == 1 else None


def mistakable(a: str, b: str) -> bool:
    """Whether a bidder could write character `b` for `a`: the same reading (tones ignored), or
    a look-alike form."""
    return names.sound_alike(a, b) or b in names.look_alikes().get(a, "")


def same_line_nearby(entries: Iterable[Entry], where: Iterable[str], sector: str,
                     besides: int | None = None) -> bool:
    """Whether a listed name among `entries` (same 字号), other than entity `besides`'s, works in
    `sector` in a scope overlapping `where`: then a name written with that 字号, sector and scope
    could mean that entity, and a label of "no match" or "only entity X" would be a guess. The
    generator keeps such pairs out of the registry and out of the labels."""
    where = tuple(where)
    return any(s == sector and eid != besides and overlap(sc, where) for sc, s, eid in entries)


def canonical_form(form: str) -> str:
    """有限责任公司 and 有限公司 are one legal form (公司法); keys use the short one."""
    return form.replace("有限责任公司", "有限公司")


@dataclass(frozen=True)
class NameParts:
    """What a generated name is made of, so labels can be checked without parsing."""

    region: str  # as written in the name: 杭州, 浙江, 杭州市, 余杭, 杭州余杭, 西湖区
    trade: str  # 字号
    industry: str  # 行业
    form: str  # 组织形式: 有限公司 … or a shop's 经营部, 商行, 店
    bracketed: bool = False  # region after the trade name and industry, in brackets

    @property
    def text(self) -> str:
        if self.bracketed:
            return f"{self.trade}{self.industry}（{self.region}）{self.form}"
        return f"{self.region}{self.trade}{self.industry}{self.form}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Two names with the same key are the same name, however written."""
        return (self.region, self.trade, self.industry, canonical_form(self.form))

    def pieces(self) -> list[str]:
        """The parts in written order (for inserting spaces between them)."""
        if self.bracketed:
            return [self.trade, self.industry, f"（{self.region}）", self.form]
        return [self.region, self.trade, self.industry, self.form]


@dataclass(frozen=True)
class ListedEntity:
    """A listed entity of the generated registry."""

    entity_id: int
    kind: str  # legal_entity | individual_business
    code: str
    region: Region
    parts: NameParts
    former: tuple[NameParts, ...] = ()

    @property
    def name(self) -> str:
        return self.parts.text

    @property
    def former_names(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.former)

    @property
    def scopes(self) -> tuple[str, ...]:
        return scopes(self.region, self.parts.region)

    def candidate(self) -> Candidate:
        records = (NameRecord(self.name, "current"),
                   *(NameRecord(n, "former") for n in self.former_names))
        return Candidate(entity_id=self.entity_id, names=records, code=self.code)


FoundAt = Literal["strong", "possible"]


@dataclass(frozen=True)
class LabelledQuery:
    """A subject as a bidder wrote it, and the listed entity it is (None: not listed)."""

    query: Query
    family: str
    expected: int | None
    relation: Relation | None = None  # how the expected entity relates to the subject
    parts: NameParts | None = None  # what a generated name was built from (for label checks)
    region: str | None = None  # the region code (6 digits) of a name built from parts
    found_at: FoundAt = "strong"  # the lowest match level at which the expected entity is found

    @property
    def accepted(self) -> tuple[str, ...]:
        """The match levels at which a hit on the expected entity is right."""
        return ("exact", "strong", "possible") if self.found_at == "possible" else ("exact", "strong")

    @property
    def kind(self) -> str:
        """positive | negative | bad."""
        if self.family in BAD_FAMILIES:
            return "bad"
        return "positive" if self.family in POSITIVE_FAMILIES else "negative"


@dataclass
class Dataset:
    seed: int
    entities: list[ListedEntity]
    queries: list[LabelledQuery]
    trade_name_source: str
    trade_name_count: int
    traditional: str  # how simplified → traditional was done
    areas: dict[int, AutonomousArea] = field(default_factory=dict)  # entities in autonomous areas

    def candidates(self) -> list[Candidate]:
        return [e.candidate() for e in self.entities]

    def family_counts(self) -> dict[str, int]:
        counts = Counter(q.family for q in self.queries)
        return {f: counts[f] for f in (*POSITIVE_FAMILIES, *NEGATIVE_FAMILIES, *BAD_FAMILIES)}


def weighted(rng: random.Random, options: Sequence[str], cum: Sequence[float]) -> str:
    return options[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _cum(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def registration_number(rng: random.Random, region: Region) -> str:
    """A 15-digit 注册号 as issued before the USCC: region, sequence, ISO 7064 MOD 11,10 check."""
    body = region.code + "".join(rng.choice("0123456789") for _ in range(8))
    return body + str(mod_11_10.calc_check_digit(body))


def _is_organisation_code(code: str) -> bool:
    """Whether `code` is a well-formed 组织机构代码 (a hyphen before the check character allowed)."""
    code = code.replace("-", "").upper()
    return len(code) == 9 and code.isascii() and code[:8].isalnum() and _organisation_code(code[:8]) == code


def _organisation_code(body: str) -> str:
    """GB 11714 组织机构代码: eight characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(w * (int(c) if c.isdigit() else ord(c) - 55) for w, c in zip(weights, body, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


@dataclass
class SyntheticRegistry:
    """The generator's state: what is taken, so every name and code is unique."""

    rng: random.Random
    trades: tuple[str, ...]
    regions: tuple[Region, ...]
    keys: set[tuple[str, str, str, str]] = field(default_factory=set)
    trade_scopes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    trade_entries: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    codes: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)  # 组织机构代码 (a USCC's characters 9–17)
    used_trades: list[str] = field(default_factory=list)
    entities: list[ListedEntity] = field(default_factory=list)
    areas: dict[int, AutonomousArea] = field(default_factory=dict)  # entities in autonomous areas
    national: list[ListedEntity] = field(default_factory=list)  # entities registered as （中国）

    def __post_init__(self) -> None:
        self.industries = list(names.INDUSTRIES)
        self.industry_cum = _cum(list(names.INDUSTRIES.values()))
        self.forms = list(names.COMPANY_FORMS)
        self.form_cum = _cum(list(names.COMPANY_FORMS.values()))
        self.shop_forms = list(names.SHOP_FORMS)
        self.shop_form_cum = _cum(list(names.SHOP_FORMS.values()))
        self.region_form_cum = _cum(_REGION_FORM_WEIGHTS)

    def region_text(self, region: Region, form: str) -> str:
        if form == "province":
            return region.province_short
        if form == "city_full":
            return region.city
        district = region.county.endswith("区")
        if form == "county" and region.county_short:
            # 义乌, 慈溪 stand alone; a district (区) comes with its city: 杭州余杭
            return region.city_short + region.county_short if district else region.county_short
        if form == "city_county" and region.county_short:
            return region.city + region.county if district else region.county_short  # 杭州市余杭区
        return region.city_short

    def code(self, category: str, region: Region) -> str:
        while True:
            if self.rng.random() < 0.5:
                body = "".join(self.rng.choice("0123456789") for _ in range(8))
            else:
                body = "MA" + "".join(self.rng.choice(uscc.ALPHABET) for _ in range(6))
            organisation = _organisation_code(body)
            if organisation in self.organisations:  # one organisation, one code, nationwide
                continue
            code = uscc.complete(category + region.code + organisation)
            self.codes.add(code)
            self.organisations.add(organisation)
            return code

    def claim(self, parts: NameParts, region: Region, entity_id: int) -> bool:
        """Take a name for `entity_id` unless it is taken, or another listed name with its 字号 and
        sector is registered in an overlapping scope (杭州合晟软件 beside 浙江合晟信息技术)."""
        where = scopes(region, parts.region)
        if parts.key in self.keys or same_line_nearby(
                self.trade_entries.get(parts.trade, ()), where, sector_of(parts.industry), besides=entity_id):
            return False
        self.keys.add(parts.key)
        self.trade_scopes[parts.trade].update(where)
        self.trade_entries[parts.trade].append((where, sector_of(parts.industry), entity_id))
        return True

    def trade(self) -> str:
        roll = self.rng.random()
        if self.used_trades and roll < _CONFUSER_SHARE:
            return self.rng.choice(self.used_trades)
        if roll > 1 - _LATIN_SHARE:
            return "".join(self.rng.choice(string.ascii_uppercase) for _ in range(self.rng.choice((2, 3, 3, 4))))
        return self.rng.choice(self.trades)

    def company(self, entity_id: int) -> ListedEntity:
        region = self.rng.choice(self.regions)
        region_form = weighted(self.rng, _REGION_FORMS, self.region_form_cum)
        text = self.region_text(region, region_form)
        industry = weighted(self.rng, self.industries, self.industry_cum)
        form = weighted(self.rng, self.forms, self.form_cum)
        bracketed = region_form in ("city", "province") and self.rng.random() < _BRACKETED_SHARE
        for _ in range(100):
            parts = NameParts(text, self.trade(), industry, form, bracketed)
            if self.claim(parts, region, entity_id):
                break
        else:
            raise RuntimeError("ran out of distinct names; use a larger trade-name list")
        former: tuple[NameParts, ...] = ()
        if self.rng.random() < _FORMER_SHARE:
            for _ in range(20):
                old = self._former(parts)
                if self.claim(old, region, entity_id):
                    former = (old,)
                    break
        self.used_trades.append(parts.trade)
        return ListedEntity(entity_id, "legal_entity", self.code("91", region), region, parts, former)

    def _former(self, parts: NameParts) -> NameParts:
        roll = self.rng.random()
        if roll < 0.5:  # a new 字号
            return replace(parts, trade=self.rng.choice(self.trades))
        if roll < 0.8:  # a new line of business
            return replace(parts, industry=weighted(self.rng, self.industries, self.industry_cum))
        if canonical_form(parts.form) == "股份有限公司":
            return replace(parts, form="有限公司")
        return replace(parts, form="股份有限公司")  # 股改: a limited company became a joint-stock one

    def shop(self, entity_id: int) -> ListedEntity:
        region = self.rng.choice(self.regions)
        text = region.county if self.rng.random() < 0.5 else region.city + region.county
        goods = self.rng.choice(names.SHOP_GOODS)
        form = weighted(self.rng, self.shop_forms, self.shop_form_cum)
        for _ in range(100):
            parts = NameParts(text, self.trade(), goods, form)
            if self.claim(parts, region, entity_id):
                break
        else:
            raise RuntimeError("ran out of distinct shop names")
        self.used_trades.append(parts.trade)
        return ListedEntity(entity_id, "individual_business", self.code("92", region), region, parts)


def generate_entities(count: int, *, seed: int = 2026, trades: tuple[str, ...] | None = None) -> SyntheticRegistry:
    """`count` listed entities with ids 1…count; returns the generator state for making queries."""
    state = SyntheticRegistry(random.Random(seed), trades or names.trade_names(), names.regions())  # noqa: S311 (test data, not secrets)
    extra = distinction_families.extras(count)
    for entity_id in range(1, count - extra + 1):
        make = state.shop if state.rng.random() < _SHOP_SHARE else state.company
        state.entities.append(make(entity_id))
    distinction_families.add_entities(state, count - extra + 1, extra)
    return state


# --- queries -----------------------------------------------------------------------------


def extra_word(a: str, b: str) -> bool:
    """Whether one industry is the other with words added before or after it (建设 and 建设工程;
    not 建材 and 建筑材料)."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(long) > len(short) and short in long


def _allocate(total: int) -> dict[str, int]:
    """Split `total` queries over the families by weight (largest remainder, deterministic)."""
    weight_sum = sum(FAMILY_WEIGHTS.values())
    exact = {f: total * w / weight_sum for f, w in FAMILY_WEIGHTS.items()}
    counts = {f: int(v) for f, v in exact.items()}
    for f in sorted(exact, key=lambda f: (counts[f] - exact[f], f))[: total - sum(counts.values())]:
        counts[f] += 1
    return counts


@dataclass
class QueryMaker:
    state: SyntheticRegistry
    rng: random.Random
    s2t: Callable[[str], str]

    def __post_init__(self) -> None:
        entities = self.state.entities
        self.companies = [e for e in entities if e.kind == "legal_entity"]
        self.bracketed = [e for e in self.companies if e.parts.bracketed]
        self.city_level = [e for e in self.companies
                           if e.parts.region in (e.region.city_short, e.region.city, e.region.province_short)]
        self.renamed = [e for e in entities if e.former]
        self.latin = [e for e in entities if e.parts.trade.isascii()]
        self.limited = [e for e in self.companies if e.parts.form in _LOWER_FORMS]
        self.characters = "".join(sorted({ch for t in self.state.trades[:5000] for ch in t}))
        self.chinese = [e for e in self.companies if not e.parts.trade.isascii()]
        self.synonymous = [e for e in self.companies if e.parts.industry in names.INDUSTRY_SYNONYMS]
        self.shared_line = [e for e in self.companies if self.others_in_line(e)]
        # characters of 字号 by their common reading, for misspelling one as a bidder would
        self.by_reading: dict[str, list[str]] = defaultdict(list)
        for ch in self.characters:
            found = names.readings(ch)
            if found:
                self.by_reading[found[0]].append(ch)
        self.negative_keys: set[tuple[str, str, str, str]] = set()
        self.by_id = {e.entity_id: e for e in entities}
        self.by_province: dict[str, list[Region]] = defaultdict(list)
        for region in self.state.regions:
            self.by_province[region.province_code].append(region)

    def pick(self, pool: Sequence[ListedEntity]) -> ListedEntity:
        return self.rng.choice(pool or self.state.entities)

    def positive(self, family: str, entity: ListedEntity, name: str | None, code: str | None = None,
                 relation: Relation = "self", parts: NameParts | None = None) -> LabelledQuery:
        found_at: FoundAt = "possible" if family in REVIEW_FAMILIES else "strong"
        return LabelledQuery(Query(name=name, code=code), family, entity.entity_id, relation,
                             parts=parts, region=entity.region.code if parts else None, found_at=found_at)

    def others_in_line(self, e: ListedEntity) -> list[int]:
        """Other listed entities with `e`'s 字号 in its line of business (elsewhere, by
        construction)."""
        sector = sector_of(e.parts.industry)
        return [eid for _, s, eid in self.state.trade_entries.get(e.parts.trade, ())
                if s == sector and eid != e.entity_id]

    def slipped(self, trade: str) -> str | None:
        """`trade` with one character replaced as a bidder might: mostly by another with the same
        reading (合胜 for 合晟), sometimes by a look-alike form (已 for 己)."""
        rng = self.rng
        alike = [i for i, ch in enumerate(trade) if ch in names.look_alikes()]
        if alike and rng.random() < 0.3:
            i = rng.choice(alike)
            return trade[:i] + rng.choice(names.look_alikes()[trade[i]]) + trade[i + 1:]
        i = rng.randrange(len(trade))
        sounds = names.readings(trade[i])
        if not sounds:
            return None
        # the bidder types the reading they know (the common one) and picks a wrong character
        options = [ch for ch in self.by_reading.get(sounds[0], ()) if ch != trade[i]]
        return trade[:i] + rng.choice(options) + trade[i + 1:] if options else None

    def unmistakably_other(self, trade: str) -> str | None:
        """`trade` with one character replaced by one that neither sounds nor looks like it."""
        i = self.rng.randrange(len(trade))
        for _ in range(20):
            ch = self.rng.choice(self.characters)
            if ch != trade[i] and not mistakable(trade[i], ch):
                return trade[:i] + ch + trade[i + 1:]
        return None

    def loosely(self, parts: NameParts) -> NameParts:
        """Sometimes the legal form written the other way (有限公司 ↔ 有限责任公司)."""
        form = _LOWER_FORMS.get(parts.form)
        return replace(parts, form=form) if form and self.rng.random() < 0.2 else parts

    def written(self, parts: NameParts) -> str:
        """The name as a bidder types it: mostly as is, sometimes with spaces between the parts
        or in traditional characters."""
        roll = self.rng.random()
        if roll < 0.2:
            return self.spaced(parts) if parts.region else " ".join(parts.pieces()[1:])
        if roll < 0.35:
            return self.s2t(parts.text)
        return parts.text

    def free_name(self, parts: NameParts, e: ListedEntity) -> bool:
        """Whether a name made from `e`'s can still mean `e` only: it is no listed name, and no
        other listed entity with its 字号 works in its line of business where `e` is."""
        return parts.key not in self.state.keys and not same_line_nearby(
            self.state.trade_entries.get(parts.trade, ()), e.scopes, sector_of(parts.industry),
            besides=e.entity_id)

    def spaced(self, parts: NameParts) -> str:
        pieces = parts.pieces()
        gaps = self.rng.sample(range(1, len(pieces)), k=self.rng.choice((1, 2)))
        return "".join((self.rng.choice(_SPACES) if i in gaps else "") + p for i, p in enumerate(pieces))

    def misspelt(self, text: str, trade: str) -> str:
        """One slip in the 字号: a wrong character, one left out, or two swapped."""
        start = text.index(trade)
        i = start + self.rng.randrange(len(trade))
        roll = self.rng.random()
        if roll < 0.25 and len(trade) >= 3:
            return text[:i] + text[i + 1:]
        if roll < 0.5 and trade[0] != trade[1]:
            return text[:start] + trade[1] + trade[0] + text[start + 2:]
        others = self.characters.replace(text[i], "")
        return text[:i] + self.rng.choice(others) + text[i + 1:]

    def malformed_code(self, code: str) -> str:
        roll = self.rng.randrange(6)
        if roll == 0:
            return code[:-1]  # 17 characters
        if roll == 1:  # wrong check character
            wrong = uscc.ALPHABET[(uscc.ALPHABET.index(code[-1]) + 1) % len(uscc.ALPHABET)]
            return code[:-1] + wrong
        if roll == 2:
            return code[:10] + "O" + code[11:]  # O is not in the GB 32100 alphabet
        if roll == 3:  # its 组织机构代码 with a wrong check character
            check = code[16]
            return code[8:16] + ("0" if check == "X" else "X" if check == "9" else str(int(check) + 1))
        if roll == 4:  # a 注册号 with a wrong check digit
            body = code[2:8] + "".join(self.rng.choice("0123456789") for _ in range(8))
            return body + str((int(mod_11_10.calc_check_digit(body)) + 1) % 10)
        return "12345"

    def make(self, family: str) -> LabelledQuery | None:
        rng = self.rng
        if family == "exact":
            e = self.pick(self.state.entities)
            return self.positive(family, e, e.name)
        if family == "bracket_width":
            e = self.pick(self.bracketed)
            if not e.parts.bracketed:
                return None
            roll = rng.random()
            if roll < 0.6:
                return self.positive(family, e, e.name.replace("（", "(").replace("）", ")"))
            if roll < 0.8:
                return self.positive(family, e, e.name.replace("（", "【").replace("）", "】"))
            return self.positive(family, e, e.name.replace("）", ")"))
        if family == "latin_width_case":
            e = self.pick(self.latin)
            if not e.parts.trade.isascii():
                return None
            roll = rng.random()
            trade = e.parts.trade.lower() if roll < 0.4 else e.parts.trade
            if roll >= 0.3:  # full-width forms: ＡＢＫ (U+FF21…)
                trade = "".join(chr(ord(ch) + 0xFEE0) for ch in trade)
            return self.positive(family, e, e.name.replace(e.parts.trade, trade))
        if family == "spaces":
            e = self.pick(self.state.entities)
            return self.positive(family, e, self.spaced(e.parts))
        if family == "traditional":
            e = self.pick(self.state.entities)
            text = self.s2t(e.name)
            return self.positive(family, e, text) if text != e.name else None
        if family == "legal_form":
            e = self.pick(self.limited)
            form = _LOWER_FORMS.get(e.parts.form)
            return self.positive(family, e, replace(e.parts, form=form).text) if form else None
        if family == "region_dropped":
            e = self.pick(self.companies)
            sector = sector_of(e.parts.industry)
            if any(s == sector and eid != e.entity_id for _, s, eid in self.state.trade_entries[e.parts.trade]):
                return None  # without its region, the name could mean another listed entity as well
            return self.positive(family, e, f"{e.parts.trade}{e.parts.industry}{e.parts.form}")
        if family == "region_moved":
            e = self.pick(self.city_level)  # （杭州）, （杭州市）, （浙江）: a county in brackets is rare
            moved = replace(e.parts, bracketed=not e.parts.bracketed).text
            if rng.random() < 0.3:
                moved = moved.replace("（", "(").replace("）", ")")
            return self.positive(family, e, moved)
        if family == "branch":
            e = self.pick(self.companies)
            city = rng.choice(self.state.regions).city_short
            suffix = rng.choice(("分公司", "分公司", "分公司", "办事处"))
            return self.positive(family, e, f"{e.name}{city}{suffix}", relation="branch_of")
        if family == "former_name":
            e = self.pick(self.renamed)
            if not e.former:
                return None
            return self.positive(family, e, e.former_names[0], relation="former_name")
        if family == "code_only":
            e = self.pick(self.state.entities)
            code = e.code
            if rng.random() < 0.3:
                code = f"{code[:6]} {code[6:12]} {code[12:]}".lower()  # pasted with spaces, in lower case
            return self.positive(family, e, None, code)
        if family == "code_misspelt_name":
            e = self.pick(self.state.entities)
            return self.positive(family, e, self.misspelt(e.name, e.parts.trade), e.code)
        if family == "combined":
            e = self.pick(self.limited)
            parts = replace(e.parts, form=_LOWER_FORMS.get(e.parts.form, e.parts.form))
            text = self.spaced(parts) if rng.random() < 0.6 else parts.text
            text = self.s2t(text).replace("（", "(").replace("）", ")")
            return self.positive(family, e, text)
        if family == "neg_same_trade_other_city":
            e = self.pick(self.companies)
            region = self.free_region(e.parts.trade, near=e.region if rng.random() < 0.6 else None)
            if region is None:
                return None
            parts = NameParts(region.city_short, e.parts.trade, e.parts.industry, e.parts.form)
            return self.negative(family, parts, region)
        if family == "neg_same_trade_region_other_industry":
            e = self.pick(self.companies)
            industry = weighted(rng, self.state.industries, self.state.industry_cum)
            if same_line_nearby(self.state.trade_entries.get(e.parts.trade, ()), e.scopes, sector_of(industry)):
                return None  # 软件 for 信息技术 might be one company written loosely; 建设工程 is not
            return self.negative(family, replace(e.parts, industry=industry), e.region)
        if family == "neg_same_region_industry":
            e = self.pick(self.companies)
            trade = rng.choice(self.state.trades)
            if overlap(self.state.trade_scopes.get(trade, ()), e.scopes):
                return None
            return self.negative(family, replace(e.parts, trade=trade), e.region)
        if family == "neg_random":
            trade = rng.choice(self.state.trades)
            region = self.free_region(trade)
            if region is None:
                return None
            industry = weighted(rng, self.state.industries, self.state.industry_cum)
            form = weighted(rng, self.state.forms, self.state.form_cum)
            return self.negative(family, NameParts(region.city_short, trade, industry, form), region)
        if family == "industry_synonym":
            e = self.pick(self.synonymous)
            synonyms = names.INDUSTRY_SYNONYMS.get(e.parts.industry)
            if not synonyms:
                return None
            parts = self.loosely(replace(e.parts, industry=rng.choice(synonyms)))
            if extra_word(parts.industry, e.parts.industry):
                family = "industry_synonym_extra_word"
            return self.positive(family, e, self.written(parts), parts=parts) if self.free_name(parts, e) else None
        if family == "homophone_trade":
            e = self.pick(self.chinese)
            trade = self.slipped(e.parts.trade) if not e.parts.trade.isascii() else None
            if trade is None:
                return None
            parts = self.loosely(replace(e.parts, trade=trade))
            if rng.random() < 0.15:  # and no region either
                parts = replace(parts, region="", bracketed=False)
            return self.positive(family, e, self.written(parts), parts=parts) if self.free_name(parts, e) else None
        if family == "region_dropped_shared":
            e = self.pick(self.shared_line)
            if not self.others_in_line(e):
                return None  # then it is plain region_dropped
            parts = self.loosely(replace(e.parts, region="", bracketed=False))
            return self.positive(family, e, self.written(parts), parts=parts)
        if family == "organisation_code":
            e = self.pick(self.state.entities)
            code = e.code[8:17]
            roll = rng.random()
            if roll < 0.3:
                code = f"{code[:8]}-{code[8]}"  # as printed on the old certificates
            if roll > 0.8:
                code = code.lower()
            return self.positive(family, e, None, code)
        if family == "registration_number_with_name":
            e = self.pick(self.state.entities)
            text = self.spaced(e.parts) if rng.random() < 0.3 else e.name
            return self.positive(family, e, text, registration_number(rng, e.region))
        if family == "neg_one_char_off_trade":
            e = self.pick(self.chinese)
            trade = self.unmistakably_other(e.parts.trade) if not e.parts.trade.isascii() else None
            if trade is None or overlap(self.state.trade_scopes.get(trade, ()), e.scopes):
                return None
            return self.negative(family, replace(e.parts, trade=trade), e.region)
        if family in distinction_families.WEIGHTS:
            return distinction_families.make(self, family)
        if family == "bad_empty":
            return LabelledQuery(Query(name="" if rng.random() < 0.5 else None), family, None)
        if family == "bad_whitespace":
            return LabelledQuery(Query(name=rng.choice(("   ", "\u3000", " \t ")), code=""), family, None)
        if family == "bad_placeholder":
            return LabelledQuery(Query(name=rng.choice(_PLACEHOLDERS)), family, None)
        if family == "bad_malformed_code":
            e = self.pick(self.state.entities)
            return LabelledQuery(Query(code=self.malformed_code(e.code)), family, None)
        if family == "bad_malformed_code_with_name":
            e = self.pick(self.state.entities)
            return self.positive(family, e, e.name, self.malformed_code(e.code))
        raise ValueError(f"unknown query family {family!r}")

    def free_region(self, trade: str, near: Region | None = None) -> Region | None:
        """A region where no listed entity with `trade` could be the same company: another city
        (of the province of `near`, when given and possible), never under a province-level name."""
        taken = self.state.trade_scopes.get(trade, set())
        pool: Sequence[Region] = self.state.regions
        if near is not None:
            pool = self.by_province.get(near.province_code, pool)
        for _ in range(20):
            region = self.rng.choice(pool)
            if not overlap(taken, scopes(region, region.city_short)):
                return region
        return None

    def negative(self, family: str, parts: NameParts, region: Region) -> LabelledQuery | None:
        if parts.key in self.state.keys or parts.key in self.negative_keys:
            return None
        self.negative_keys.add(parts.key)
        code = None
        if self.rng.random() < 0.3:  # bidders often give their (different, valid) code too
            code = self.state.code("91", region)
        return LabelledQuery(Query(name=parts.text, code=code), family, None, parts=parts, region=region.code)


def generate(entities: int, queries: int, *, seed: int = 2026,
             trades: tuple[str, ...] | None = None) -> Dataset:
    """The registry of `entities` listed entities and `queries` labelled queries, from `seed`."""
    state = generate_entities(entities, seed=seed, trades=trades)
    s2t, how = names.converter("s2t")
    maker = QueryMaker(state, random.Random(seed + 1), s2t)  # noqa: S311 (test data, not secrets)
    made: list[LabelledQuery] = []
    for family, count in _allocate(queries).items():
        done = 0
        for _ in range(count * 50):
            if done == count:
                break
            query = maker.make(family)
            if query is not None:
                made.append(query)
                done += 1
    maker.rng.shuffle(made)
    return Dataset(
        seed=seed,
        entities=state.entities,
        queries=made,
        trade_name_source=names.trade_name_source() if trades is None else "given",
        trade_name_count=len(state.trades),
        traditional=how,
        areas=state.areas,
    )


def check_labels(data: Dataset) -> list[str]:
    """Problems with the labels (an empty list when they are consistent)."""
    problems: list[str] = []
    by_id = {e.entity_id: e for e in data.entities}
    codes = {e.code for e in data.entities}
    regions_by_code = {r.code: r for r in names.regions()}
    regions_by_code.update((e.region.code, e.region) for e in data.entities)  # autonomous areas too
    keys: dict[tuple[str, str, str, str], int] = {}
    trade_entries: dict[str, list[Entry]] = defaultdict(list)
    for e in data.entities:
        if not uscc.is_valid(e.code):
            problems.append(f"entity {e.entity_id}: invalid code {e.code}")
        for parts in (e.parts, *e.former):
            if parts.key in keys:
                problems.append(f"entity {e.entity_id}: name {parts.text} also used by {keys[parts.key]}")
            keys[parts.key] = e.entity_id
            trade_entries[parts.trade].append((e.scopes, sector_of(parts.industry), e.entity_id))
    if len(codes) != len(data.entities):
        problems.append("two entities share a code")
    organisations = {e.code[8:17] for e in data.entities}
    if len(organisations) != len(data.entities):
        problems.append("two entities share a 组织机构代码 (characters 9–17 of the code)")
    for trade, entries in trade_entries.items():
        for i, (where, sector, eid) in enumerate(entries):
            if same_line_nearby(entries[i + 1:], where, sector, besides=eid):
                problems.append(f"entity {eid}: another listed {trade} works in its sector nearby")
    by_trade: dict[str, list[ListedEntity]] = defaultdict(list)
    for e in data.entities:
        by_trade[e.parts.trade].append(e)
    areas = data.areas
    for i, q in enumerate(data.queries):
        where = f"query {i} ({q.family})"
        name, code = q.query.name, q.query.code
        if q.family in distinction_families.WEIGHTS:
            problems += [f"{where}: {p}" for p in distinction_families.check(q, by_id, by_trade, areas, keys)]
            if q.expected is None and code is not None and (code in codes or not uscc.is_valid(code)):
                problems.append(f"{where}: code {code} is not a fresh valid code")
            continue
        if q.expected is not None:
            entity = by_id.get(q.expected)
            if (q.found_at == "possible") != (q.family in REVIEW_FAMILIES):
                problems.append(f"{where}: found at {q.found_at}, but the family says otherwise")
            if entity is None:
                problems.append(f"{where}: expected entity {q.expected} does not exist")
            elif q.family in ("industry_synonym", "industry_synonym_extra_word", "homophone_trade",
                              "region_dropped_shared"):
                problems += [f"{where}: {p}" for p in _check_variant(q, entity, keys, trade_entries)]
            elif q.family == "organisation_code" and (
                    name or (code or "").replace("-", "").upper() != entity.code[8:17]):
                problems.append(f"{where}: {code} is not entity {entity.entity_id}'s 组织机构代码")
            elif q.family == "registration_number_with_name" and not (
                    len(code or "") == 15 and mod_11_10.is_valid(code or "")
                    and "".join((name or "").split()) == entity.name):
                problems.append(f"{where}: needs a valid 注册号 and the entity's name")
            elif q.family in ("code_only", "code_misspelt_name") and uscc.normalise(code or "") != entity.code:
                problems.append(f"{where}: code {code} is not entity {entity.entity_id}'s")
            elif q.family == "former_name" and name not in entity.former_names:
                problems.append(f"{where}: {name} is not a former name of {entity.entity_id}")
            elif q.family == "bad_malformed_code_with_name" and (
                    uscc.is_valid(code or "") or _is_organisation_code(code or "") or name != entity.name):
                problems.append(f"{where}: needs a malformed code and the entity's name")
            elif q.family == "region_dropped" and any(
                    s == sector_of(entity.parts.industry) and eid != entity.entity_id
                    for _, s, eid in trade_entries[entity.parts.trade]):
                problems.append(f"{where}: without a region, {name} could mean another listed entity")
            elif q.kind == "negative":
                problems.append(f"{where}: a negative expects entity {q.expected}")
        elif q.kind == "negative":
            region = regions_by_code.get(q.region or "")
            if q.parts is None or region is None:
                problems.append(f"{where}: a negative needs the parts it was made of")
                continue
            if q.parts.key in keys:
                problems.append(f"{where}: {name} is a listed name")
            entries = trade_entries.get(q.parts.trade, [])
            here = scopes(region, q.parts.region)
            if q.family == "neg_same_trade_region_other_industry":
                if same_line_nearby(entries, here, sector_of(q.parts.industry)):
                    problems.append(f"{where}: a listed entity with this 字号 nearby works in the same sector")
            elif any(overlap(sc, here) for sc, _, _ in entries):
                problems.append(f"{where}: a listed entity carries {q.parts.trade} in the same city or province-wide")
            if q.family == "neg_one_char_off_trade" and not any(
                    (off := one_character_off(e.parts.trade, q.parts.trade)) and not mistakable(*off)
                    and e.parts.region == q.parts.region and e.parts.industry == q.parts.industry
                    for e in data.entities):
                problems.append(f"{where}: {q.parts.trade} is not one unmistakable character off a listed 字号 "
                                "in the same place and industry")
            if code is not None and (code in codes or not uscc.is_valid(code)):
                problems.append(f"{where}: code {code} is not a fresh valid code")
        elif q.kind == "bad":
            if q.family == "bad_placeholder":
                if name not in _PLACEHOLDERS:
                    problems.append(f"{where}: {name!r} is not a placeholder for a name")
            elif (name or "").strip():
                problems.append(f"{where}: a bad input expecting no match has a usable name")
            if code and (uscc.is_valid(code) or _is_organisation_code(code)):
                problems.append(f"{where}: code {code} is valid")
        else:
            problems.append(f"{where}: a positive family without an expected entity")
    return problems


def _check_variant(q: LabelledQuery, entity: ListedEntity, keys: dict[tuple[str, str, str, str], int],
                   trade_entries: dict[str, list[Entry]]) -> list[str]:
    """Problems with a positive built from its entity's name parts with one part changed."""
    parts = q.parts
    if parts is None or q.region != entity.region.code:
        return ["needs the parts it was made of and the entity's region"]
    problems = []
    if parts.key in keys:
        problems.append(f"{parts.text} is a listed name")
    if parts.region and same_line_nearby(trade_entries.get(parts.trade, ()), entity.scopes,
                                         sector_of(parts.industry), besides=entity.entity_id):
        problems.append(f"another listed {parts.trade} works in its line nearby: it could mean that one")
    # the entity's own name, but for the part the family changes (and a region left out)
    own = replace(parts, region=parts.region or entity.parts.region,
                  bracketed=parts.bracketed if parts.region else entity.parts.bracketed)
    if q.family in ("industry_synonym", "industry_synonym_extra_word") and (
            parts.industry not in names.INDUSTRY_SYNONYMS.get(entity.parts.industry, ())
            or replace(own, industry=entity.parts.industry).key != entity.parts.key):
        problems.append(f"{parts.industry} is not a synonym of {entity.parts.industry} in its name")
    if q.family == "region_dropped_shared":
        if parts.region or own.key != entity.parts.key:
            problems.append(f"{parts.text} is not the entity's name without its region")
        if not any(s == sector_of(entity.parts.industry) and eid != entity.entity_id
                   for _, s, eid in trade_entries[entity.parts.trade]):
            problems.append(f"no other listed entity shares {entity.parts.trade} and its line")
    if q.family == "homophone_trade":
        off = one_character_off(entity.parts.trade, parts.trade)
        if off is None or not mistakable(*off) or replace(own, trade=entity.parts.trade).key != entity.parts.key:
            problems.append(f"{parts.trade} is not {entity.parts.trade} with one character mistaken")
    t2s = names.converter("t2s")[0]
    if t2s("".join((q.query.name or "").split())) != t2s(parts.text):
        problems.append("the name is not the one its parts make")
    return problems
