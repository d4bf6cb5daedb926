"""A seeded registry of listed entities with realistic names, and a labelled set of queries.

Entities: 行政区划 + 字号 + 行业 + 组织形式 (杭州合晟建设工程有限公司, sometimes
合晟建设工程（杭州）有限公司), a valid 统一社会信用代码 each, some with a former name (曾用名),
some sharing a 字号 with another listed entity elsewhere (the confusers a matcher must keep
apart), a few 个体工商户 (西湖区合晟五金经营部).

Queries: for sampled listed entities, the name as bidders write it (every variant family in
`POSITIVE_FAMILIES`), each labelled with the entity it must find; companies that are *not*
listed but share a 字号, a region or an industry with one that is, labelled "no match"; and bad
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

from benchmarks import names
from benchmarks.names import Region
from matching.types import Candidate, NameRecord, Query, Relation
from registry.codes import uscc

POSITIVE_FAMILIES = (
    "exact", "bracket_width", "latin_width_case", "spaces", "traditional", "legal_form",
    "region_dropped", "region_moved", "branch", "former_name", "code_only", "code_misspelt_name",
    "combined",
)
NEGATIVE_FAMILIES = ("neg_same_trade_other_city", "neg_same_trade_region_other_industry",
                     "neg_same_region_industry", "neg_random")
BAD_FAMILIES = ("bad_empty", "bad_whitespace", "bad_malformed_code", "bad_malformed_code_with_name")
FAMILY_WEIGHTS: dict[str, float] = {
    "exact": 4, "bracket_width": 5, "latin_width_case": 3, "spaces": 6, "traditional": 7, "legal_form": 6,
    "region_dropped": 6, "region_moved": 6, "branch": 7, "former_name": 6, "code_only": 5,
    "code_misspelt_name": 5, "combined": 6,
    "neg_same_trade_other_city": 10, "neg_same_trade_region_other_industry": 5,
    "neg_same_region_industry": 7, "neg_random": 4,
    "bad_empty": 1.5, "bad_whitespace": 1, "bad_malformed_code": 1.5, "bad_malformed_code_with_name": 1.5,
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
    return names.SECTOR_OF.get(industry, "shop")  # a 个体工商户's goods


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


@dataclass(frozen=True)
class LabelledQuery:
    """A subject as a bidder wrote it, and the listed entity it is (None: not listed)."""

    query: Query
    family: str
    expected: int | None
    relation: Relation | None = None  # how the expected entity relates to the subject
    parts: NameParts | None = None  # what a negative's name was built from (for label checks)
    region: str | None = None  # a negative's region code (6 digits)

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

    def candidates(self) -> list[Candidate]:
        return [e.candidate() for e in self.entities]

    def family_counts(self) -> dict[str, int]:
        counts = Counter(q.family for q in self.queries)
        return {f: counts[f] for f in (*POSITIVE_FAMILIES, *NEGATIVE_FAMILIES, *BAD_FAMILIES)}


def _weighted(rng: random.Random, options: Sequence[str], cum: Sequence[float]) -> str:
    return options[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _cum(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _organisation_code(body: str) -> str:
    """GB 11714 组织机构代码: eight characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(w * (int(c) if c.isdigit() else ord(c) - 55) for w, c in zip(weights, body, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


@dataclass
class _Registry:
    """The generator's state: what is taken, so every name and code is unique."""

    rng: random.Random
    trades: tuple[str, ...]
    regions: tuple[Region, ...]
    keys: set[tuple[str, str, str, str]] = field(default_factory=set)
    trade_scopes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    trade_entries: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    codes: set[str] = field(default_factory=set)
    used_trades: list[str] = field(default_factory=list)
    entities: list[ListedEntity] = field(default_factory=list)

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
            code = uscc.complete(category + region.code + _organisation_code(body))
            if code not in self.codes:
                self.codes.add(code)
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
        region_form = _weighted(self.rng, _REGION_FORMS, self.region_form_cum)
        text = self.region_text(region, region_form)
        industry = _weighted(self.rng, self.industries, self.industry_cum)
        form = _weighted(self.rng, self.forms, self.form_cum)
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
            return replace(parts, industry=_weighted(self.rng, self.industries, self.industry_cum))
        if canonical_form(parts.form) == "股份有限公司":
            return replace(parts, form="有限公司")
        return replace(parts, form="股份有限公司")  # 股改: a limited company became a joint-stock one

    def shop(self, entity_id: int) -> ListedEntity:
        region = self.rng.choice(self.regions)
        text = region.county if self.rng.random() < 0.5 else region.city + region.county
        goods = self.rng.choice(names.SHOP_GOODS)
        form = _weighted(self.rng, self.shop_forms, self.shop_form_cum)
        for _ in range(100):
            parts = NameParts(text, self.trade(), goods, form)
            if self.claim(parts, region, entity_id):
                break
        else:
            raise RuntimeError("ran out of distinct shop names")
        self.used_trades.append(parts.trade)
        return ListedEntity(entity_id, "individual_business", self.code("92", region), region, parts)


def generate_entities(count: int, *, seed: int = 2026, trades: tuple[str, ...] | None = None) -> _Registry:
    """`count` listed entities with ids 1…count; returns the generator state for making queries."""
    state = _Registry(random.Random(seed), trades or names.trade_names(), names.regions())  # noqa: S311 (test data, not secrets)
    for entity_id in range(1, count + 1):
        make = state.shop if state.rng.random() < _SHOP_SHARE else state.company
        state.entities.append(make(entity_id))
    return state


# --- queries -----------------------------------------------------------------------------


def _allocate(total: int) -> dict[str, int]:
    """Split `total` queries over the families by weight (largest remainder, deterministic)."""
    weight_sum = sum(FAMILY_WEIGHTS.values())
    exact = {f: total * w / weight_sum for f, w in FAMILY_WEIGHTS.items()}
    counts = {f: int(v) for f, v in exact.items()}
    for f in sorted(exact, key=lambda f: (counts[f] - exact[f], f))[: total - sum(counts.values())]:
        counts[f] += 1
    return counts


@dataclass
class _QueryMaker:
    state: _Registry
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
        self.negative_keys: set[tuple[str, str, str, str]] = set()
        self.by_province: dict[str, list[Region]] = defaultdict(list)
        for region in self.state.regions:
            self.by_province[region.province_code].append(region)

    def pick(self, pool: Sequence[ListedEntity]) -> ListedEntity:
        return self.rng.choice(pool or self.state.entities)

    def positive(self, family: str, entity: ListedEntity, name: str | None, code: str | None = None,
                 relation: Relation = "self") -> LabelledQuery:
        return LabelledQuery(Query(name=name, code=code), family, entity.entity_id, relation)

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
        roll = self.rng.randrange(4)
        if roll == 0:
            return code[:-1]  # 17 characters
        if roll == 1:  # wrong check character
            wrong = uscc.ALPHABET[(uscc.ALPHABET.index(code[-1]) + 1) % len(uscc.ALPHABET)]
            return code[:-1] + wrong
        if roll == 2:
            return code[:10] + "O" + code[11:]  # O is not in the GB 32100 alphabet
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
            industry = _weighted(rng, self.state.industries, self.state.industry_cum)
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
            industry = _weighted(rng, self.state.industries, self.state.industry_cum)
            form = _weighted(rng, self.state.forms, self.state.form_cum)
            return self.negative(family, NameParts(region.city_short, trade, industry, form), region)
        if family == "bad_empty":
            return LabelledQuery(Query(name="" if rng.random() < 0.5 else None), family, None)
        if family == "bad_whitespace":
            return LabelledQuery(Query(name=rng.choice(("   ", "\u3000", " \t ")), code=""), family, None)
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
    maker = _QueryMaker(state, random.Random(seed + 1), s2t)  # noqa: S311 (test data, not secrets)
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
    )


def check_labels(data: Dataset) -> list[str]:
    """Problems with the labels (an empty list when they are consistent)."""
    problems: list[str] = []
    by_id = {e.entity_id: e for e in data.entities}
    codes = {e.code for e in data.entities}
    regions_by_code = {r.code: r for r in names.regions()}
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
    for trade, entries in trade_entries.items():
        for i, (where, sector, eid) in enumerate(entries):
            if same_line_nearby(entries[i + 1:], where, sector, besides=eid):
                problems.append(f"entity {eid}: another listed {trade} works in its sector nearby")
    for i, q in enumerate(data.queries):
        where = f"query {i} ({q.family})"
        name, code = q.query.name, q.query.code
        if q.expected is not None:
            entity = by_id.get(q.expected)
            if entity is None:
                problems.append(f"{where}: expected entity {q.expected} does not exist")
            elif q.family in ("code_only", "code_misspelt_name") and uscc.normalise(code or "") != entity.code:
                problems.append(f"{where}: code {code} is not entity {entity.entity_id}'s")
            elif q.family == "former_name" and name not in entity.former_names:
                problems.append(f"{where}: {name} is not a former name of {entity.entity_id}")
            elif q.family == "bad_malformed_code_with_name" and (uscc.is_valid(code or "") or name != entity.name):
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
            if code is not None and (code in codes or not uscc.is_valid(code)):
                problems.append(f"{where}: code {code} is not a fresh valid code")
        elif q.kind == "bad":
            if (name or "").strip():
                problems.append(f"{where}: a bad input expecting no match has a usable name")
            if code and uscc.is_valid(code):
                problems.append(f"{where}: code {code} is valid")
        else:
            problems.append(f"{where}: a positive family without an expected entity")
    return problems
