"""The generated registry of listed entities: companies and 个体工商户 with unique names and
valid, unique codes (统一社会信用代码, and the 组织机构代码 inside each), some with a former
name, some sharing a 字号 with an entity listed elsewhere. `generate_entities` makes them;
the `SyntheticRegistry` it returns is the state the query maker draws on."""

from __future__ import annotations

import bisect
import itertools
import random
import string
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from stdnum.iso7064 import mod_11_10

from benchmarks import distinction_families, names
from benchmarks.dataset_types import ListedEntity, NameParts
from benchmarks.name_rules import Entry, canonical_form, same_line_nearby, scopes, sector_of
from benchmarks.names import AutonomousArea, Region
from registry.codes import uscc

_SHOP_SHARE = 0.06  # 个体工商户 among the listed
_CONFUSER_SHARE = 0.12  # entities that reuse the 字号 of an entity listed elsewhere
_LATIN_SHARE = 0.03  # a 字号 in Latin letters: 杭州ABK科技有限公司
_FORMER_SHARE = 0.12  # companies with a former name
_BRACKETED_SHARE = 0.10  # 合晟建设工程（杭州）有限公司
_REGION_FORMS = ("city", "province", "city_full", "county", "city_county")
_REGION_FORM_WEIGHTS = (60, 10, 10, 10, 10)


def weighted(rng: random.Random, options: Sequence[str], cum: Sequence[float]) -> str:
    return options[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _cum(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def registration_number(rng: random.Random, region: Region) -> str:
    """A 15-digit 注册号 as issued before the USCC: region, sequence, ISO 7064 MOD 11,10 check."""
    body = region.code + "".join(rng.choice("0123456789") for _ in range(8))
    return body + str(mod_11_10.calc_check_digit(body))


def is_organisation_code(code: str) -> bool:
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
            self.trade_entries.get(parts.trade, ()), where, sector_of(parts.industry), besides=entity_id
        ):
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


# The pool of distinct 字号 a registry is drawn from: the 266,000-name list the figures in
# docs/performance.md were first measured with. A shorter list (the demo's 3,000-name sample, the
# default) is topped up with names composed from its own (names.fresh_trade_names), so a registry
# of any size has as many distinct 字号 to draw from, and as few namesakes, as with that list.
TRADE_POOL = 266_000


def trade_pool(trades: tuple[str, ...], seed: int) -> tuple[str, ...]:
    """`trades`, topped up to TRADE_POOL distinct names when shorter (deterministic for `seed`)."""
    if len(trades) >= TRADE_POOL:
        return trades
    return tuple(itertools.islice(names.fresh_trade_names(seed, trades=trades), TRADE_POOL))


def generate_entities(count: int, *, seed: int = 2026, trades: tuple[str, ...] | None = None) -> SyntheticRegistry:
    """`count` listed entities with ids 1…count; returns the generator state for making queries."""
    pool = trade_pool(trades or names.trade_names(), seed)
    state = SyntheticRegistry(random.Random(seed), pool, names.regions())  # noqa: S311 (test data, not secrets)
    extra = distinction_families.extras(count)
    for entity_id in range(1, count - extra + 1):
        make = state.shop if state.rng.random() < _SHOP_SHARE else state.company
        state.entities.append(make(entity_id))
    distinction_families.add_entities(state, count - extra + 1, extra)
    return state
