"""Query families for what makes two names two registered names, and for how names are written
in autonomous areas and on bid forms (generated here, from the trade names `names` reads).

Negatives (labelled "no match": an `exact`/`strong` hit is a false block; a `possible` one is the
review these names call for):

- `neg_cross_level`: a listed company's name at another level of its own region: 浙江合晟… or
  浙江省合晟… for a listed 杭州合晟…, 杭州合晟… for a listed 浙江合晟…, 杭州市余杭区合晟… for a
  listed 杭州合晟…;
- `neg_bracket_national`: （中国） for a listed company's region (合晟建设工程（中国）有限公司 for
  杭州合晟建设工程有限公司), or a city in brackets for a listed （中国） company;
- `neg_trade_extra_char`: the 字号 with one character more, in front, after or between
  (新合晟, 合晟达, 合新晟 for 合晟), region, industry and form as listed;
- `neg_extra_industry`: the industry with a word added (建设工程管理 for 建设工程) or its last
  word taken off (建设 for 建设工程), the rest as listed.

Positives (the entity, as `exact`/`strong`):

- `autonomous_region`: a company listed in an autonomous prefecture, county or banner, written
  with another form of the same region (楚雄州 or 楚雄 for 楚雄彝族自治州, 景宁县 for 景宁畲族自治县),
  in front or in brackets after the industry;
- `role_note`: the listed name with a role, seal or consortium note (（联合体成员）, （牵头人）,
  （盖章）, （联合体：A、B）, 联合体牵头人：…).

Listed entities for the first and for `neg_bracket_national` are added to the registry
(`add_entities`: about 2 % of it, with 字号 no other listed entity carries).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from benchmarks import names
from benchmarks.name_rules import same_line_nearby, sector_of

if TYPE_CHECKING:
    from benchmarks.dataset_types import LabelledQuery, ListedEntity, NameParts
    from benchmarks.query_maker import QueryMaker
    from benchmarks.synthetic_registry import SyntheticRegistry

POSITIVES = ("autonomous_region", "role_note")
NEGATIVES = ("neg_cross_level", "neg_bracket_national", "neg_trade_extra_char", "neg_extra_industry")
WEIGHTS = {
    "autonomous_region": 8,
    "role_note": 8,
    "neg_cross_level": 8,
    "neg_bracket_national": 8,
    "neg_trade_extra_char": 8,
    "neg_extra_industry": 8,
}
EXTRA_SHARE = 0.02  # of the registry: companies in autonomous areas, and registered as （中国）
NOTES = (
    "（联合体成员）",
    "（联合体牵头人）",
    "（牵头人）",
    "（成员）",
    "（盖章）",
    "（公章）",
    "（主体）",
    "（投标人）",
    "（供应商）",
    "(联合体成员)",
    "【盖章】",
    "（成员单位）",
    "（牵头方）",
)
LABELS = ("联合体牵头人：", "联合体成员：", "投标人：")
ADDED_WORDS = ("管理", "服务", "咨询", "科技", "发展")
LAST_WORDS = ("工程", "科技", "技术", "服务", "管理", "开发", "咨询", "设备")


def extras(count: int) -> int:
    """How many of `count` listed entities are this module's (at least 2 when there are 50)."""
    return max(2, round(count * EXTRA_SHARE)) if count >= 50 else 0


def add_entities(state: SyntheticRegistry, first_id: int, count: int) -> None:
    """`count` companies with fresh 字号: three in four in an autonomous area (its name written
    in one of its forms), one in four registered as （中国）."""
    # imported here: the families of this module are part of the query families, which the
    # records and the registry import
    from benchmarks.dataset_types import ListedEntity, NameParts
    from benchmarks.synthetic_registry import weighted

    rng = state.rng
    areas = names.autonomous_areas()
    # 字号 no listed name carries yet: the list's, then composed ones (drawing on `rng` only then)
    fresh = names.fresh_trade_names(rng, taken=state.trade_scopes, trades=state.trades)
    for entity_id in range(first_id, first_id + count):
        industry = weighted(rng, state.industries, state.industry_cum)
        form = weighted(rng, state.forms, state.form_cum)
        national = rng.random() < 0.25
        if national:
            region = rng.choice(state.regions)
            text, bracketed = "中国", True
        else:
            area = rng.choice(areas)
            region = names.Region(
                code=area.code,
                province=area.province,
                province_short=area.province[:2],
                city=area.full,
                city_short=area.place,
                county=area.full,
                county_short=None,
            )
            text = rng.choice(area.forms)
            bracketed = text != area.place and rng.random() < 0.15
        for _ in range(100):
            parts = NameParts(text, next(fresh), industry, form, bracketed)
            if state.claim(parts, region, entity_id):
                break
        else:
            raise RuntimeError("no fresh trade name could be claimed")
        entity = ListedEntity(entity_id, "legal_entity", state.code("91", region), region, parts)
        state.entities.append(entity)
        if national:
            state.national.append(entity)
        else:
            state.areas[entity_id] = area


def _level(e: ListedEntity, text: str) -> str:
    r = e.region
    if text in (r.province, r.province_short):
        return "province"
    if text in (r.city, r.city_short):
        return "city"
    return "county"


def make(maker: QueryMaker, family: str) -> LabelledQuery | None:
    """One query of a family of this module, or None when the pick does not suit it."""
    rng, state = maker.rng, maker.state
    if family == "autonomous_region":
        if not state.areas:
            return None
        entity_id = rng.choice(sorted(state.areas))
        e, area = maker.by_id[entity_id], state.areas[entity_id]
        text = rng.choice([f for f in area.forms if f != e.parts.region])
        parts = replace(e.parts, region=text, bracketed=rng.random() < 0.3)
        if parts.key in state.keys:
            return None
        return maker.positive(family, e, maker.written(parts), parts=parts)
    if family == "role_note":
        e = maker.pick(maker.state.entities)
        roll = rng.random()
        if roll < 0.7:
            text = e.name + rng.choice(NOTES)
        elif roll < 0.85:
            other = maker.pick(maker.state.entities)
            text = f"{e.name}（联合体：{e.name}、{other.name}）"
        else:
            text = rng.choice(LABELS) + e.name
        return maker.positive(family, e, text)
    if family == "neg_cross_level":
        e = maker.pick(maker.companies)
        r, level = e.region, _level(e, e.parts.region)
        if level == "province":
            text = r.city_short
        elif level == "city":
            text = rng.choice((r.province_short, r.province_short, r.province, r.city + r.county))
        else:
            return None
        if text == e.parts.region or r.city_short in (r.province_short,):  # 北京, 上海: one level
            return None
        parts = replace(e.parts, region=text)
        if same_line_nearby(
            state.trade_entries.get(e.parts.trade, ()), e.scopes, sector_of(e.parts.industry), besides=e.entity_id
        ):
            return None
        return maker.negative(family, parts, r)
    if family == "neg_bracket_national":
        if rng.random() < 0.5 and state.national:
            e = rng.choice(state.national)
            parts = replace(e.parts, region=rng.choice(state.regions).city_short, bracketed=rng.random() < 0.7)
        else:
            e = maker.pick(maker.chinese)
            parts = replace(e.parts, region="中国", bracketed=True)
        return maker.negative(family, parts, e.region)
    if family == "neg_trade_extra_char":
        e = maker.pick(maker.chinese)
        trade = e.parts.trade
        at = rng.randrange(len(trade) + 1)
        longer = trade[:at] + rng.choice(maker.characters) + trade[at:]
        if longer in state.trade_scopes:
            return None
        return maker.negative(family, replace(e.parts, trade=longer), e.region)
    if family == "neg_extra_industry":
        e = maker.pick(maker.companies)
        industry = e.parts.industry
        last = [w for w in LAST_WORDS if industry.endswith(w) and len(industry) - len(w) >= 2]
        if last and rng.random() < 0.4:
            other = industry[: -len(last[0])]
        else:
            other = industry + rng.choice([w for w in ADDED_WORDS if not industry.endswith(w)])
        if other in names.INDUSTRIES or same_line_nearby(
            state.trade_entries.get(e.parts.trade, ()), e.scopes, sector_of(industry), besides=e.entity_id
        ):
            return None
        return maker.negative(family, replace(e.parts, industry=other), e.region)
    raise ValueError(f"unknown query family {family!r}")


def _added(short: str, long: str) -> bool:
    """Whether `long` is `short` with characters added (in order)."""
    it = iter(long)
    return len(long) > len(short) and all(ch in it for ch in short)


def check(
    q: LabelledQuery,
    by_id: dict[int, ListedEntity],
    by_trade: dict[str, list[ListedEntity]],
    areas: dict[int, names.AutonomousArea],
    keys: dict[tuple[str, str, str, str], int],
) -> list[str]:
    """Problems with a query of this module's families (an empty list when its label holds)."""
    p = q.parts
    if q.family == "role_note":
        e = by_id[q.expected or 0]
        name = q.query.name or ""
        rest = name[len(e.name) :] if name.startswith(e.name) else ""
        ok = (rest in NOTES or rest.startswith("（联合体：")) or any(name == label + e.name for label in LABELS)
        return [] if ok else [f"{name} is not {e.name} with a note"]
    if p is None:
        return ["needs the parts it was made of"]
    if p.key in keys:
        return [f"{p.text} is a listed name"]
    trades = [p.trade]
    if q.family == "neg_trade_extra_char":
        trades = [p.trade[:i] + p.trade[i + 1 :] for i in range(len(p.trade))]
    same: list[tuple[ListedEntity, NameParts]] = [(e, e.parts) for t in trades for e in by_trade.get(t, ())]
    if q.family == "autonomous_region":
        area = areas.get(q.expected or -1)
        e = by_id[q.expected or 0]
        if (
            area is None
            or p.region not in area.forms
            or e.parts.region not in area.forms
            or p.region == e.parts.region
            or replace(p, region=e.parts.region, bracketed=e.parts.bracketed).key != e.parts.key
        ):
            return [f"{p.text} is not {e.name} with its autonomous area written another way"]
        return []
    if q.family == "neg_cross_level":
        ok = any(
            ep.trade == p.trade
            and ep.industry == p.industry
            and ep.region != p.region
            and _level(e, ep.region) != _level(e, p.region)
            and e.region.code == q.region
            for e, ep in same
        )
        return [] if ok else [f"{p.text} is no listed name at another level"]
    if q.family == "neg_bracket_national":
        ok = any(
            ep.trade == p.trade and ep.industry == p.industry and (ep.region == "中国") != (p.region == "中国")
            for _, ep in same
        )
        return [] if ok else [f"{p.text} is no listed name with （中国） for its region or the reverse"]
    if q.family == "neg_trade_extra_char":
        ok = any(
            ep.region == p.region
            and ep.industry == p.industry
            and len(p.trade) == len(ep.trade) + 1
            and _added(ep.trade, p.trade)
            for _, ep in same
        )
        return [] if ok else [f"{p.trade} is no listed 字号 with one character added"]
    if q.family == "neg_extra_industry":
        ok = any(
            ep.region == p.region
            and ep.trade == p.trade
            and ep.industry != p.industry
            and (ep.industry in p.industry or p.industry in ep.industry)
            for _, ep in same
        )
        return [] if ok else [f"{p.industry} is no listed industry with a word added or taken off"]
    return [f"unknown family {q.family}"]
