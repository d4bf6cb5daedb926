"""行政区划 names as they appear in enterprise names, with their GB/T 2260 codes.

Read once, lazily, from the administrative-division table python-stdnum ships
(`stdnum/cn/loc.dat`): about 7,000 codes including abolished ones, so an old name still
resolves. Each name maps to every code it may stand for (西湖区 is in 杭州 and in 南昌).

Full names (浙江省, 杭州市, 西湖区, 景宁畲族自治县) are known for every code, current or
abolished. Short forms (浙江, 杭州, 义乌, 景宁, 冷水滩) are known for current provinces,
prefectures, counties, county-level cities, banners and districts (寒亭区 → 寒亭). Autonomous
areas are known in every form they are written in (`autonomous_forms`): 楚雄彝族自治州, 楚雄州,
楚雄; 巴音郭楞蒙古自治州, 巴音郭楞, 巴州; 景宁畲族自治县, 景宁县, 景宁; 鄂温克族自治旗, 鄂温克旗;
and the banners' usual abbreviations (科右前旗); each form stands for the same code, so the
same area written two ways is the same region.
The parser reads a county-level short form as a region only after its parent region (浙江义乌,
永州冷水滩), in brackets or in a branch qualifier (see `RegionTable.county_short_forms`): alone
at the start of a name, 朝阳, 东山, 龙泉 are more often the beginning of a 字号. Generic
groupings (市辖区, 城区, 郊区 …) are not places.

Names are normalised like enterprise names (香港特別行政區 → 香港特别行政区), so both meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from matching.normalise import normalise

NATIONAL = "000000"  # 中国: contains every region
_NATIONAL_NAMES = ("中国", "中华人民共和国")

_LINE = re.compile(r'^(?P<indent>\s*)(?P<code>\d+)\s+\w+="(?P<names>[^"]*)"')
_YEARS = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\]")

# Table rows that are groupings, not places a company is named after.
_NOT_PLACES = frozenset(
    {
        "市辖区",
        "县",
        "省直辖县级行政单位",
        "省直辖县级行政区划",
        "自治区直辖县级行政区划",
        "城区",
        "郊区",
        "市区",
        "矿区",
        "新区",
        "东区",
        "西区",
        "南区",
        "北区",
        "中区",
    }
)

# The 56 recognised ethnic groups, longest first, for shortening autonomous-area names
# (延边朝鲜族自治州 → 延边, 景宁畲族自治县 → 景宁).
_ETHNIC_GROUPS: tuple[str, ...] = tuple(
    sorted(
        (
            "汉",
            "蒙古",
            "回",
            "藏",
            "维吾尔",
            "苗",
            "彝",
            "壮",
            "布依",
            "朝鲜",
            "满",
            "侗",
            "瑶",
            "白",
            "土家",
            "哈尼",
            "哈萨克",
            "傣",
            "黎",
            "傈僳",
            "佤",
            "畲",
            "高山",
            "拉祜",
            "水",
            "东乡",
            "纳西",
            "景颇",
            "柯尔克孜",
            "土",
            "达斡尔",
            "仫佬",
            "羌",
            "布朗",
            "撒拉",
            "毛南",
            "仡佬",
            "锡伯",
            "阿昌",
            "普米",
            "塔吉克",
            "怒",
            "乌孜别克",
            "俄罗斯",
            "鄂温克",
            "德昂",
            "保安",
            "裕固",
            "京",
            "塔塔尔",
            "独龙",
            "鄂伦春",
            "赫哲",
            "门巴",
            "珞巴",
            "基诺",
            "各",
        ),
        key=len,
        reverse=True,
    )
)

# Suffixes dropped to form the short name, per level, longest first.
_SHORTENING = {
    1: ("特别行政区", "自治区", "省", "市"),
    2: ("自治州", "地区", "盟", "市"),
    3: ("自治县", "自治旗", "县", "市", "旗"),
}


def _strip_ethnic(name: str) -> str:
    """景宁畲族 → 景宁; 恩施土家族苗族 → 恩施; 巴音郭楞蒙古 → 巴音郭楞 (a group of two characters
    or more may be written without 族: 新疆维吾尔, 伊犁哈萨克, 克孜勒苏柯尔克孜)."""
    changed = True
    while changed:
        changed = False
        for group in _ETHNIC_GROUPS:
            suffixes = (group + "族", group) if len(group) >= 2 else (group + "族",)
            suffix = next((s for s in suffixes if name.endswith(s) and len(name) - len(s) >= 2), None)
            if suffix is not None:
                name = name[: -len(suffix)]
                changed = True
                break
    return name


# How autonomous areas are also written: the short form with the level's word (楚雄彝族自治州 →
# 楚雄州, 景宁畲族自治县 → 景宁县, 鄂温克族自治旗 → 鄂温克旗), added for every current one; and the
# abbreviations in common use that no rule derives (巴州, 科右前旗), with their codes.
_AUTONOMOUS_WORD = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
_CONVENTIONAL: dict[str, str] = {
    "巴州": "652800",
    "博州": "652700",
    "克州": "653000",
    "版纳": "532800",
    "科右前旗": "152221",
    "科右中旗": "152222",
    "科左中旗": "150521",
    "科左后旗": "150522",
    "达茂旗": "150223",
    "土左旗": "150121",
    "土右旗": "150221",
    "阿左旗": "152921",
    "阿右旗": "152922",
    "鄂前旗": "150623",
    "乌前旗": "150823",
    "乌中旗": "150824",
    "乌后旗": "150825",
    "察右前旗": "150926",
    "察右中旗": "150927",
    "察右后旗": "150928",
    "东乌旗": "152525",
    "西乌旗": "152526",
    "莫旗": "150722",
    "新左旗": "150726",
    "新右旗": "150727",
    "陈旗": "150725",
    "苏左旗": "152523",
    "苏右旗": "152524",
}


def autonomous_forms(name: str, level: int) -> list[str]:
    """Other ways to write a current autonomous area's name besides its short form: 楚雄州 for
    楚雄彝族自治州, 景宁县 for 景宁畲族自治县, 莫力达瓦旗 for 莫力达瓦达斡尔族自治旗."""
    for suffix, word in _AUTONOMOUS_WORD.items():
        if name.endswith(suffix) and level >= 2:
            short = short_form(name, level)
            return [short + word] if short else []
    return []


def short_form(name: str, level: int) -> str | None:
    """The short form of a current full name at `level` (1 province, 2 prefecture, 3 county),
    or None when it has none (districts, or fewer than two characters would remain)."""
    for suffix in _SHORTENING[level]:
        if name.endswith(suffix) and len(name) > len(suffix):
            short = name[: -len(suffix)]
            if suffix.startswith("自治") or suffix == "特别行政区":
                short = _strip_ethnic(short)
            return short if len(short) >= 2 else None
    return None


def _level(code: str) -> int:
    if code.endswith("0000"):
        return 1
    if code.endswith("00"):
        return 2
    return 3


@dataclass(frozen=True, slots=True)
class RegionTable:
    """Name → the codes it may stand for."""

    names: dict[str, frozenset[str]]
    max_length: int
    first_pairs: dict[str, tuple[int, ...]]  # first two characters → lengths of such names, longest first
    short_forms: frozenset[str]  # names that are a short form (浙江, 杭州, 义乌)
    # Codes a name stands for only as a county-level short form (义乌, 东山, 冷水滩): at the start of
    # a name these are more often the first characters of a 字号 (东山峰, 龙泉寺) than a region, so
    # they count only after their parent region (浙江义乌), in brackets, or in a branch qualifier.
    county_short_forms: dict[str, frozenset[str]]

    def lookup(self, text: str) -> frozenset[str] | None:
        """The codes `text` stands for, or None if it is not a region name."""
        return self.names.get(text)

    def longest_prefixes(self, text: str, start: int) -> list[tuple[str, frozenset[str]]]:
        """Region names `text` has at `start`, longest first."""
        lengths = self.first_pairs.get(text[start : start + 2])
        if lengths is None:
            return []
        found = []
        for length in lengths:
            surface = text[start : start + length]
            codes = self.names.get(surface)
            if codes is not None and len(surface) == length:
                found.append((surface, codes))
        return found


def _read_table() -> dict[str, tuple[str, ...]]:
    """code → its names (oldest first) and whether the newest is still in use, from loc.dat."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    table: dict[str, tuple[str, ...]] = {}
    province = ""
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        if not m["indent"]:
            province = m["code"]
            table[province + "0000"] = (m["names"],)
            continue
        table[province + m["code"]] = tuple(m["names"].split(","))
    return table


@lru_cache(maxsize=1)
def region_table() -> RegionTable:
    """The region names, built on first use (a few milliseconds) and kept."""
    collected: dict[str, set[str]] = {}
    shorts: set[str] = set()
    county_shorts: dict[str, set[str]] = {}

    def add(name: str, code: str) -> bool:
        if len(name) >= 2 and name not in _NOT_PLACES:
            collected.setdefault(name, set()).add(code)
            return True
        return False

    for code, entries in _read_table().items():
        level = _level(code)
        for i, entry in enumerate(entries):
            years = _YEARS.match(entry)
            name = normalise(_YEARS.sub("", entry))
            add(name, code)
            in_use = i == len(entries) - 1 and not (years and years["end"])
            if not in_use:
                continue
            if level == 3 and name.endswith("区"):  # 冷水滩区 → 冷水滩, only after 永州
                short = name[:-1] if len(name) >= 3 else None
            else:
                short = short_form(name, level)
            if short and add(short, code):
                shorts.add(short)
                if level == 3:
                    county_shorts.setdefault(short, set()).add(code)
            for other in autonomous_forms(name, level):  # written like a full name: 楚雄州
                add(other, code)
    for name, code in _CONVENTIONAL.items():
        add(name, code)
    for name in _NATIONAL_NAMES:
        collected[name] = {NATIONAL}
    names = {name: frozenset(codes) for name, codes in collected.items()}
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[:2], set()).add(len(name))
    first_pairs = {pair: tuple(sorted(found, reverse=True)) for pair, found in lengths.items()}
    return RegionTable(
        names=names,
        max_length=max(map(len, names)),
        first_pairs=first_pairs,
        short_forms=frozenset(shorts),
        county_short_forms={name: frozenset(codes) for name, codes in county_shorts.items()},
    )


def contains(outer: str, inner: str) -> bool:
    """True when region `outer` is `inner` or contains it (浙江 330000 contains 杭州 330100)."""
    if outer in (inner, NATIONAL):
        return True
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    if outer.endswith("00"):
        return inner[:4] == outer[:4]
    return False


def within(codes: frozenset[str], parents: frozenset[str]) -> frozenset[str]:
    """The codes that lie inside one of `parents` (for 浙江杭州: 杭州 inside 浙江)."""
    return frozenset(c for c in codes if any(contains(p, c) and p != c for p in parents))


@lru_cache(maxsize=65536)
def region_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    """1.0 for the same region; 0.7 when one contains the other (浙江 ⊃ 杭州: not a
    contradiction, but not the same region either); 0.0 when they differ."""
    if a & b:
        return 1.0
    if any(contains(x, y) or contains(y, x) for x in a for y in b):
        return 0.7
    return 0.0
