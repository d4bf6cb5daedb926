"""What makes two names two registered names, however alike their parts are.

企业名称登记管理规定: a name is registered at one level (a province, a city, a county: its
行政区划), with one 字号, one statement of its industry and one legal form; two names that
differ in any of these can both be registered, by two different companies. The scorer measures
how alike two names are; these rules say when alike is not enough to call them one company, so
that without equal codes the hit is at most `possible` (a person looks) and never blocks:

- **another level** (`cross_level`): one name's region contains the other's (黑龙江省 ⊃ 哈尔滨,
  浙江 ⊃ 杭州, 杭州 ⊃ 杭州市西湖区), so the names were registered at two levels: 黑龙江省合晟…
  and 哈尔滨合晟… are two names, even when the city is inside the province. A region in brackets
  is a region like any other: （中国） is the national level, which contains every region but is
  none of them (合晟…（中国）有限公司 against 合晟…（上海）有限公司); two regions that cannot be
  one place (（北京） against （上海）) are a contradiction, as before;
- **a 字号 with more characters** (`extra_characters`): one 字号 is the other with characters
  added in front, after or between (新合晟, 合晟达, 合新晟 against 合晟): another 字号, whatever
  the similarity or a homophone says;
- **an extra industry word** (`extra_industry`): one name's industry is the other's with words
  added before or after it (咨询管理 against 咨询, 建设工程 against 建设, 建筑装饰工程 against
  装饰工程; not 建筑材料 against 建材, an abbreviation of the same words), or one
  name states an industry and the other none, or one says little where the other names a
  trade (实业 or 信息 against 园林绿化工程). Industries of one trade in other words (建设工程 ~
  建筑工程, 商贸 ~ 贸易: `industries`) are the same statement; different trades count against.

Legal forms are not among these: 有限公司 ≡ 有限责任公司 is one form (`legal_forms`).
"""

from __future__ import annotations

from dataclasses import replace

from matching.parse import ParsedName
from matching.regions import NATIONAL
from matching.types import Explanation, Feature, explain

NONE = explain("(none)")  # a part a name does not state

SAME_TRADE = 0.9  # `industries.industry_agreement` of two industries of one trade (建设工程 ~ 建筑工程)


def _added(short: str, long: str) -> str | None:
    """The characters of `long` left over when `short` is read in it in order, or None when
    `short` is not in `long` that way."""
    extra: list[str] = []
    i = 0
    for ch in long:
        if i < len(short) and ch == short[i]:
            i += 1
        else:
            extra.append(ch)
    return "".join(extra) if i == len(short) else None


def extra_characters(a: str, b: str) -> str | None:
    """The characters one 字号 has beyond the other when it holds all of the other's, in order,
    and more (新合晟 against 合晟: 新); None when neither holds the other or they are equal."""
    if not a or not b or len(a) == len(b):
        return None
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return _added(short, long)


def extra_industry(a: str, b: str) -> str | None:
    """What one industry statement says beyond the other: the words added before or after it
    (咨询管理 against 咨询: 管理), or the whole statement when the other name states none; None
    when they are equal or neither holds the other as a whole (建筑材料 against 建材)."""
    if a == b:
        return None
    if not a or not b:
        return a or b
    short, long = (a, b) if len(a) < len(b) else (b, a)
    at = long.find(short)
    return long[:at] + long[at + len(short) :] if at >= 0 else None


def cross_level(agreement: float) -> bool:
    """Whether two stated regions, agreeing to `agreement` (`regions.region_agreement`), are
    one inside the other rather than one place: names registered at two levels."""
    return 0.0 < agreement < 1.0


def national(codes: frozenset[str]) -> bool:
    """Whether the most specific region a name states is the national 中国."""
    return NATIONAL in codes


def show(text: str) -> str | Explanation:
    """A part of a name as the explanations quote it: 「合晟」, or (none)."""
    return f"「{text}」" if text else NONE


def level_note(q_codes: frozenset[str], l_codes: frozenset[str], q_text: str, l_text: str) -> Explanation:
    """Why two regions, one inside the other, make two registered names (a region feature's
    detail)."""
    if national(q_codes) != national(l_codes):
        wide, narrow = (q_text, l_text) if national(q_codes) else (l_text, q_text)
        return explain(
            "{national} is the national level, not the region {region}: a name registered nationally and one "
            "registered there are two legal persons (at most possible)",
            national=show(wide),
            region=show(narrow),
        )
    return explain(
        "one contains the other: names registered at two levels (province, city, county) are two registered names "
        "(at most possible)"
    )


def set_apart(
    features: list[Feature], q_trade: str, l_trade: str, q: ParsedName, listed: ParsedName
) -> tuple[list[Feature], bool]:
    """The features with the rules that make two names two registered names said in their
    details, and whether any applied (then the hit is at most `possible`). `q_trade`, `l_trade`:
    the 字号 as compared (the reading that agreed best)."""
    distinct = False
    out: list[Feature] = []
    for feature in features:
        note: Explanation | None = None
        if feature.name == "trade_name":
            added = extra_characters(q_trade, l_trade)
            if added:
                longer, shorter = (q_trade, l_trade) if len(q_trade) > len(l_trade) else (l_trade, q_trade)
                note = explain(
                    "{longer} is {shorter} with {added} added: another 字号 (at most possible)",
                    longer=show(longer),
                    shorter=show(shorter),
                    added=show(added),
                )
        elif feature.name == "industry":
            qi, li = q.industry_text, listed.industry_text
            added = extra_industry(qi, li)
            if added and (not qi or not li):
                note = explain("a name with an industry and one without are two registered names (at most possible)")
            elif added:
                longer, shorter = (qi, li) if len(qi) > len(li) else (li, qi)
                note = explain(
                    "{longer} says {added} more than {shorter}: an extra industry word makes another registered name "
                    "(at most possible)",
                    longer=show(longer),
                    added=show(added),
                    shorter=show(shorter),
                )
            elif feature.weight > 0 and feature.score < SAME_TRADE:
                note = explain(
                    "two different statements of the industry, neither of the same trade as the other: two registered "
                    "names (at most possible)"
                )
        elif feature.name == "region" and cross_level(feature.score) and feature.weight > 0:
            distinct = True
        if note is not None:
            distinct = True
            feature = replace(feature, detail=explain("{first}; {then}", first=feature.detail, then=note))
        out.append(feature)
    return out, distinct
