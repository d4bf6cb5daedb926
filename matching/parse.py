"""Parsing an enterprise name into 行政区划 + 字号 + 行业或经营特点 + 组织形式 (+ 分支机构).

企业名称登记管理规定: a name is region + trade name + industry + legal form, e.g.
杭州 + 合晟 + 建设工程 + 有限公司; the region may instead stand in brackets after the trade name
(合晟建设工程（杭州）有限公司). A branch adds its own qualifier and a suffix after the head
company's full name: 杭州合晟建设工程有限公司 + 宁波 + 分公司.

The parser works from both ends of the normalised name: the branch suffix and the legal form
from the end, bracketed regions wherever they stand, industry words from the end of what is
left (longest first), the region chain from the start; the trade name is what remains. A trade
name has at least two characters (the rules require it), so when a leading "region" would
leave less, it is the trade name after all (杭州湾建设 is trade name 杭州湾, not 杭州 + 湾).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from matching.industries import industry_suffix
from matching.legal_forms import HEAD_ENDINGS, branch_suffix, legal_form_suffix, legal_forms
from matching.normalise import bracket_groups, normalise, normalise_many, without_brackets
from matching.regions import NATIONAL, contains, region_table, within

MAX_INDUSTRY_WORDS = 3


@dataclass(frozen=True, slots=True)
class RegionMention:
    """A 行政区划 named in an enterprise name, and every code it may stand for."""

    text: str  # as written (normalised): 浙江, 杭州市
    codes: frozenset[str]
    bracketed: bool = False  # stood in brackets after the trade name
    inherited: bool = False  # not in this name: taken from the entity's current name


@dataclass(frozen=True, slots=True)
class Branch:
    """The 分支机构 part of a branch's name: its head company, qualifier and suffix."""

    head: ParsedName  # 杭州合晟建设工程有限公司
    qualifier: str  # 宁波 (the branch's own region or other distinguishing words; may be "")
    suffix: str  # 分公司


@dataclass(frozen=True, slots=True)
class ParsedName:
    """An enterprise name in parts. For a branch, the parts are the head company's, except
    `regions`, which are the branch's own (from its qualifier)."""

    text: str  # the normalised name, brackets kept
    key: str  # the exact-match key: no brackets, legal form canonical (有限责任公司 → 有限公司)
    regions: tuple[RegionMention, ...]
    trade_name: str  # 字号
    industry: tuple[str, ...]  # 行业或经营特点, as words: ("建筑", "装饰工程") or ("建筑装饰工程",)
    legal_form: str  # canonical, "" when the name has none
    legal_form_text: str  # as written
    branch: Branch | None = None

    @property
    def industry_text(self) -> str:
        return "".join(self.industry)

    @property
    def core(self) -> str:
        """字号 + 行业: the part that tells enterprises apart."""
        return self.trade_name + self.industry_text

    @property
    def region_text(self) -> str:
        return "".join(m.text for m in self.regions)

    @property
    def region_codes(self) -> frozenset[str]:
        """The codes of the most specific region named (the national 中国 only if nothing else)."""
        return most_specific(self.regions)

    @property
    def is_empty(self) -> bool:
        return not self.key


def most_specific(regions: tuple[RegionMention, ...]) -> frozenset[str]:
    """The codes of the last region named that is not the national 中国 (else 中国, else none)."""
    for mention in reversed(regions):
        if NATIONAL not in mention.codes:
            return mention.codes
    return regions[0].codes if regions else frozenset()


EMPTY = ParsedName(text="", key="", regions=(), trade_name="", industry=(), legal_form="", legal_form_text="")


def leading_regions(text: str, bracketed: bool = False, alone: bool = False) -> list[RegionMention]:
    """The chain of region names `text` starts with, each inside the one before (浙江 杭州 西湖区).

    At the start of a name, a county-level short form (义乌, 东山) counts only after its parent
    region, and the national 中国 not at all: they begin trade names (东山峰, 中国建筑). In
    brackets (`bracketed`) or where nothing else can follow (`alone`: a branch qualifier), they
    count.
    """
    table = region_table()
    lenient = bracketed or alone
    mentions: list[RegionMention] = []
    parents: frozenset[str] | None = None
    pos = 0
    while pos < len(text):
        for surface, codes in table.longest_prefixes(text, pos):
            if parents is not None:
                codes = within(codes, parents)
            elif not lenient:
                if NATIONAL in codes:
                    continue
                county = table.county_short_forms.get(surface)
                if county:
                    codes = codes - county
            if not codes:
                continue
            mentions.append(RegionMention(surface, codes, bracketed))
            pos += len(surface)
            parents = codes
            break
        else:
            break
    return mentions


def county_at_start(trade_name: str) -> tuple[frozenset[str], str] | None:
    """The other reading of a 字号 that begins with a county-level short form: 漾濞正灿 as 漾濞
    (漾濞彝族自治县) and 正灿. `leading_regions` does not read such a form as a region at the start
    of a name (东山峰, 龙泉寺 are 字号); the candidate search also looks this reading up, so the
    county's listed 正灿 is found however long the bigram lists grow. The county's codes and the
    rest, or None (no such form, or fewer than two characters would remain)."""
    table = region_table()
    for surface, _ in table.longest_prefixes(trade_name, 0):
        county = table.county_short_forms.get(surface)
        if county and len(trade_name) - len(surface) >= 2:
            return county, trade_name[len(surface) :]
    return None


def _whole_region(text: str) -> list[RegionMention]:
    """The region chain that is all of `text` (a bracket's content), or []."""
    mentions = leading_regions(text, bracketed=True)
    return mentions if sum(len(m.text) for m in mentions) == len(text) else []


def _one_chain(leading: list[RegionMention], bracketed: list[RegionMention]) -> bool:
    """Whether a leading region and a bracketed one can be one place, or one inside the other."""
    inner = most_specific(tuple(bracketed))
    return any(contains(a, b) or contains(b, a) for a in most_specific(tuple(leading)) for b in inner)


def _trailing_region(text: str) -> str:
    """The longest region name `text` ends with, leaving something before it ("" if none)."""
    table = region_table()
    for start in range(max(1, len(text) - table.max_length), len(text) - 1):
        if table.lookup(text[start:]) is not None:
            return text[start:]
    return ""


# Legal forms written in brackets at the end of a name: these brackets are part of the form.
_BRACKETED_FORMS = ("(有限合伙)", "(普通合伙)", "(特殊普通合伙)")


def _unwrap_brackets(text: str) -> tuple[str, list[RegionMention]]:
    """Take the first bracketed region out of `text` and unwrap the other brackets, keeping a
    bracketed partnership form at the end: (name without them, the bracketed region)."""
    found: list[RegionMention] = []
    pieces: list[str] = []
    last = 0
    for start, end, content in bracket_groups(text):
        pieces.append(text[last:start])
        region = _whole_region(content) if not found else []
        if region:
            found = region
        elif end == len(text) and text[start:] in _BRACKETED_FORMS:
            pieces.append(text[start:])
        else:
            pieces.append(content)
        last = end
    pieces.append(text[last:])
    return "".join(pieces), found


def _parse_entity(text: str) -> ParsedName:
    """Parse a name that is not a branch (or a branch's head)."""
    flat = text
    if "(集团)" in flat or "(股份)" in flat:  # 合晟建设（集团）有限公司 is 合晟建设集团有限公司
        flat = flat.replace("(集团)", "集团").replace("(股份)", "股份")
    bracket_regions: list[RegionMention] = []
    if "(" in flat:
        flat, bracket_regions = _unwrap_brackets(flat)
    form_text = legal_form_suffix(flat) or ""
    body = without_brackets(flat[: len(flat) - len(form_text)])

    # Industry words from the end, longest first, at most three, always leaving a character.
    words: list[str] = []
    rest = body
    while len(words) < MAX_INDUSTRY_WORDS:
        word = industry_suffix(rest, keep=1)
        if word is None:
            break
        words.insert(0, word)
        rest = rest[: -len(word)]

    regions = leading_regions(rest)
    if regions and bracket_regions and not _one_chain(regions, bracket_regions):
        # a name states its region once, in front or in brackets: a leading "region" that is not
        # the bracketed one's is the 字号's beginning (阿里家家…（墨江县）: 阿里 is not 墨江县's)
        regions = []
    trade = rest[sum(len(m.text) for m in regions) :]
    # A trade name has two characters at least. With one character left, a region written short
    # before it is part of it (金昌 + 利 is 金昌利, 杭州 + 湾 is 杭州湾); after a full region name
    # the first industry word is (沅陵县 + 和 + 文化生物科技 is 和文化 + 生物科技), so the parse
    # does not depend on whether the region was written. Nothing left: the region is the trade
    # name (金华建设).
    short_forms = region_table().short_forms
    while len(trade) < 2:
        if regions and (not trade or not words or regions[-1].text in short_forms):
            trade = regions.pop().text + trade
        elif words:
            trade += words.pop(0)
        else:
            break

    form = legal_forms()[form_text].canonical if form_text else ""
    # The key keeps a bracketed region, after the form: 合晟建设工程（杭州）有限公司 and
    # 合晟建设工程有限公司（杭州） are one name, 合晟建设工程（宁波）有限公司 another.
    key = body + form + "".join(m.text for m in bracket_regions)
    return ParsedName(
        text=text,
        key=key,
        regions=tuple(regions + bracket_regions),
        trade_name=trade,
        industry=tuple(words),
        legal_form=form,
        legal_form_text=form_text,
    )


def _split_branch(body: str) -> tuple[str, str]:
    """(head company name, qualifier) of a branch name without its suffix."""
    for ending in HEAD_ENDINGS:
        at = body.rfind(ending)
        if at > 0:
            end = at + len(ending)
            return body[:end], body[end:]
    qualifier = _trailing_region(body)
    return body[: len(body) - len(qualifier)], qualifier


def _parse_normalised(text: str) -> ParsedName:
    if not text:
        return EMPTY
    suffix = branch_suffix(text)
    if suffix:
        head_text, qualifier = _split_branch(text[: -len(suffix)])
        head = _parse_entity(head_text)
        if len(head.core) >= 2:
            qualifier_plain = without_brackets(qualifier)
            return ParsedName(
                text=text,
                key=head.key + qualifier_plain + suffix,
                regions=tuple(leading_regions(qualifier_plain, alone=True)),
                trade_name=head.trade_name,
                industry=head.industry,
                legal_form=head.legal_form,
                legal_form_text=head.legal_form_text,
                branch=Branch(head=head, qualifier=qualifier_plain, suffix=suffix),
            )
    return _parse_entity(text)


def parse_uncached(raw: str) -> ParsedName:
    """Normalise and parse an enterprise name as written; EMPTY when nothing is left."""
    return _parse_normalised(normalise(raw))


def parse_many(raw: list[str]) -> list[ParsedName]:
    """`parse_uncached` for many names at once (for building an index)."""
    return [_parse_normalised(text) for text in normalise_many(raw)]


@lru_cache(maxsize=4096)
def parse_name(raw: str) -> ParsedName:
    """`parse_uncached`, remembering the last few thousand names: searches parse the same listed
    names again and again (a build parses each once, uncached)."""
    return parse_uncached(raw)
