"""The parts Chinese enterprise names are made of (企业名称 = 行政区划 + 字号 + 行业 + 组织形式).

- Regions: the GB/T 2260 table python-stdnum ships (`stdnum/cn/loc.dat`), split into
  province, prefecture and county with the short forms names use (浙江, 杭州, 余杭).
- Trade names (字号): the demo's 3,000-name sample (registry/demo_data/trade_names.txt), or the
  list BENCH_TRADE_NAMES names (benchmarks/data/README.md: the 266,000-name list the documented
  figures were measured with); when a generator needs more fresh ones, `fresh_trade_names` composes
  them from the list's characters.
- Industries and legal forms: the common ones, weighted roughly as they occur.
- Simplified → traditional: OpenCC (s2t) when installed, else a built-in table of the
  characters company names use most.
- How a 字号 is misspelt: characters with the same reading (pypinyin, tones ignored) and
  look-alike forms (a short list of well-known 形近字 pairs).
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from benchmarks.name_tables import (
    BRANCH_SUFFIXES as BRANCH_SUFFIXES,
)
from benchmarks.name_tables import (
    COMPANY_FORMS as COMPANY_FORMS,
)

# The tables, importable from here as before (`names.INDUSTRIES` …).
from benchmarks.name_tables import (
    FORBIDDEN_IN_TRADE,
    SIMPLIFIED,
    TRADITIONAL,
)
from benchmarks.name_tables import (
    INDUSTRIES as INDUSTRIES,
)
from benchmarks.name_tables import (
    INDUSTRY_SYNONYMS as INDUSTRY_SYNONYMS,
)
from benchmarks.name_tables import (
    LIMITED_FORMS as LIMITED_FORMS,
)
from benchmarks.name_tables import (
    LOOK_ALIKE_PAIRS as LOOK_ALIKE_PAIRS,
)
from benchmarks.name_tables import (
    SECTOR_OF as SECTOR_OF,
)
from benchmarks.name_tables import (
    SECTORS as SECTORS,
)
from benchmarks.name_tables import (
    SHOP_FORMS as SHOP_FORMS,
)
from benchmarks.name_tables import (
    SHOP_GOODS as SHOP_GOODS,
)
from benchmarks.name_tables import (
    SYNONYM_SECTOR as SYNONYM_SECTOR,
)

# The list of trade names BENCH_TRADE_NAMES names (benchmarks/data/README.md: how to get back the
# 265,769-name list the documented figures were measured with); None: the demo's 3,000-name sample.
SHARED_TRADE_NAMES = Path(os.environ["BENCH_TRADE_NAMES"]) if os.environ.get("BENCH_TRADE_NAMES") else None
DEMO_TRADE_NAMES = "registry/demo_data/trade_names.txt"


@dataclass(frozen=True)
class Region:
    """A county-level division and the prefecture and province it lies in."""

    code: str  # 6-digit county code (registering region in the USCC)
    province: str  # 浙江省
    province_short: str  # 浙江
    city: str  # 杭州市 (the province for 北京, 上海, 天津, 重庆)
    city_short: str  # 杭州
    county: str  # 余杭区
    county_short: str | None  # 余杭 (None when too short to stand alone: 魏县)

    @property
    def province_code(self) -> str:
        return self.code[:2]


_LINE = re.compile(r'^(?P<indent>\s*)(?P<code>\d+)\s+\w+="(?P<name>[^"]*)"')
_YEARS = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\]")
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")
_SKIP_COUNTY = ("自治", "直辖", "开发区", "新区", "管理区", "管委会", "工业园")
_GENERIC_COUNTY_SHORT = {"城", "郊", "矿", "新城", "市中", "城关", "高新", "经济", "示范"}


@lru_cache(maxsize=1)
def _gb2260_rows() -> tuple[re.Match[str], ...]:
    """The rows of the GB/T 2260 table python-stdnum ships (`stdnum/cn/loc.dat`): indent, code, name."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    return tuple(m for line in text.splitlines() if (m := _LINE.match(line)))


def _current(name: str) -> str | None:
    """The name in use from a table cell like "[-2010]崇文区,[2010-]东城区", or None if abolished."""
    newest = name.split(",")[-1]
    years = _YEARS.match(newest)
    if years and years["end"]:
        return None
    return _YEARS.sub("", newest)


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """Every county-level division still in use on the mainland, with its prefecture and province."""
    found: list[Region] = []
    province_code, province = "", ""
    cities: dict[str, str] = {}
    for m in _gb2260_rows():
        if not m["indent"]:
            province_code, province = m["code"], m["name"]
            continue
        if province_code in ("71", "81", "82"):  # 台湾, 香港, 澳门: other registration systems
            continue
        name = _current(m["name"])
        code = province_code + m["code"]
        if name is None or code.endswith("0000"):
            continue
        if code.endswith("00"):
            cities[code[:4]] = name
            continue
        city = cities.get(code[:4], province)
        if city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") or not city.endswith("市"):
            # Municipalities' districts, and counties under 地区/盟/自治州: name them by the province.
            city = province if province.endswith("市") else city
        if not city.endswith("市") or name in ("市辖区", "县") or any(s in name for s in _SKIP_COUNTY):
            continue
        short = _strip(name, ("区", "县", "市"))
        county_short = short if short != name and short not in _GENERIC_COUNTY_SHORT else None
        found.append(
            Region(
                code=code,
                province=province,
                province_short=_strip(province, _PROVINCE_SUFFIXES),
                city=city,
                city_short=_strip(city, ("市",)),
                county=name,
                county_short=county_short,
            )
        )
    return tuple(found)


@lru_cache(maxsize=1)
def region_words() -> frozenset[str]:
    """Province and prefecture names, full and short: a trade name must not contain them."""
    words: set[str] = set()
    for r in regions():
        words.update((r.province, r.province_short, r.city, r.city_short, r.county))
        if r.county_short:
            words.add(r.county_short)
    return frozenset(w for w in words if len(w) >= 2)


def _substrings(word: str) -> set[str]:
    return {word[i:j] for i in range(len(word)) for j in range(i + 1, len(word) + 1)}


def _is_cjk(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


@lru_cache(maxsize=1)
def _trade_rules() -> tuple[frozenset[str], frozenset[str]]:
    """(words a 字号 must not contain, words it must not be). Province and prefecture names are
    excluded inside a 字号; county names only as the whole 字号 (新华, 长安 are both counties and
    common 字号, which is realistic and kept)."""
    big = {w for r in regions() for w in (r.province, r.province_short, r.city, r.city_short)}
    counties = frozenset(w for r in regions() for w in (r.county, r.county_short) if w)
    return frozenset(big | set(FORBIDDEN_IN_TRADE) | set(INDUSTRIES) | set(SHOP_GOODS)), counties


def usable_trade(word: str) -> bool:
    """Whether `word` may be a generated name's 字号: 2-4 CJK characters, no region, form or industry word."""
    blocked, counties = _trade_rules()
    return 2 <= len(word) <= 4 and _is_cjk(word) and word not in counties and not _substrings(word) & blocked


@lru_cache(maxsize=2)
def trade_names(path: Path | None = None) -> tuple[str, ...]:
    """字号 usable in generated names: 2-4 CJK characters without region, form or industry words.

    From the list BENCH_TRADE_NAMES names, else the demo's 3,000-name sample. The order of the file
    is kept, so a seeded generator picks the same names on every machine.
    """
    source = path or SHARED_TRADE_NAMES
    if source is not None and not source.is_file():
        raise SystemExit(f"BENCH_TRADE_NAMES names {source}, which is not a file")
    if source is not None:
        raw = source.read_text(encoding="utf-8").splitlines()
    else:
        raw = (
            resources.files("registry")
            .joinpath("demo_data")
            .joinpath("trade_names.txt")
            .read_text(encoding="utf-8")
            .splitlines()
        )
    return tuple(dict.fromkeys(word for line in raw if usable_trade(word := line.strip())))


def trade_name_source() -> str:
    return str(SHARED_TRADE_NAMES) if SHARED_TRADE_NAMES is not None else DEMO_TRADE_NAMES


def fresh_trade_names(
    seed: int | random.Random, taken: Container[str] = frozenset(), trades: Sequence[str] | None = None
) -> Iterator[str]:
    """An endless, deterministic stream of 字号 no generated name has used yet: first the list's
    names in its order (`trades`, else `trade_names()`), then names composed from them with a
    generator seeded by `seed` (or `seed` itself, drawn from only once the list has run out):
    a first and a last character of two of its names (金 + 达: 金达), a two-character name with a
    character before or after it (新合晟, 合晟达), or two two-character names (恒信 + 达通). Every
    composed one passes `usable_trade` and is none of the list's names; none is in `taken` (read as
    the stream goes on: a set or dict the caller fills works), none was given before."""
    source = tuple(trade_names() if trades is None else trades)
    given: set[str] = set()
    for word in source:
        if word not in given and word not in taken:
            given.add(word)
            yield word
    given.update(source)
    words = [w for w in source if 2 <= len(w) <= 4 and _is_cjk(w)]
    pairs = [w for w in words if len(w) == 2]
    if not words:
        raise ValueError("no 字号 to compose fresh ones from")
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)  # noqa: S311 (test data)
    misses = 0
    while True:
        roll = rng.random()
        if roll < 0.45 or not pairs:  # 2,3,4 characters about as often as in the demo's sample
            word = rng.choice(words)[0] + rng.choice(words)[-1]
        elif roll < 0.65:
            word = rng.choice(pairs) + rng.choice(words)[-1]
        elif roll < 0.85:
            word = rng.choice(words)[0] + rng.choice(pairs)
        else:
            word = rng.choice(pairs) + rng.choice(pairs)
        if word in given or word in taken or len(set(word)) < len(word) or not usable_trade(word):
            misses += 1
            if misses > 100_000:
                raise RuntimeError(f"cannot compose more fresh 字号 from {len(words)} names")
            continue
        misses = 0
        given.add(word)
        yield word


# --- simplified → traditional -----------------------------------------------------------

# Simplified → traditional for the characters company names use most (tables in name_tables), without OpenCC.
_S2T = {s: t for s, t in zip(SIMPLIFIED, TRADITIONAL, strict=True) if s != t}
_T2S = {t: s for s, t in _S2T.items()}


@lru_cache(maxsize=2)
def converter(direction: str) -> tuple[Callable[[str], str], str]:
    """(convert, how) for "s2t" or "t2s": OpenCC when installed, else the built-in table."""
    try:
        import opencc  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        table = str.maketrans(_S2T if direction == "s2t" else _T2S)
        return (lambda text: text.translate(table)), f"built-in table ({len(_S2T)} characters)"
    engine = opencc.OpenCC(direction)
    return engine.convert, f"OpenCC {direction}"


# --- misspelling a 字号 ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _pinyin() -> Callable[[str], list[str]]:
    """Every reading of a character without tones (pypinyin; 晟 → cheng, sheng, jing)."""
    from pypinyin import Style, pinyin

    def readings(ch: str) -> list[str]:
        found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
        return list(dict.fromkeys(found[0])) if found else []

    return readings


@lru_cache(maxsize=65536)
def readings(ch: str) -> tuple[str, ...]:
    """The readings of a character without tones, the common one first ((), if unknown)."""
    return tuple(_pinyin()(ch))


@lru_cache(maxsize=1)
def look_alikes() -> dict[str, str]:
    """Character → the characters it looks like (from `LOOK_ALIKE_PAIRS`)."""
    found: dict[str, str] = {}
    for a, b in LOOK_ALIKE_PAIRS:
        found[a] = found.get(a, "") + b
        found[b] = found.get(b, "") + a
    return found


def sound_alike(a: str, b: str) -> bool:
    """Whether two characters share a reading (tones ignored)."""
    return bool(set(readings(a)) & set(readings(b)))


# --- autonomous areas ----------------------------------------------------------------------

# The ethnic groups as autonomous areas' names carry them, longest first (the groups of two
# characters or more are sometimes written without 族: 巴音郭楞蒙古自治州).
_ETHNIC_GROUPS = "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 普米 塔吉克 怒 鄂温克 保安 裕固 独龙 鄂伦春 各"
_ETHNIC = tuple(sorted(_ETHNIC_GROUPS.split(), key=len, reverse=True))
_AUTONOMOUS_WORDS = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


@dataclass(frozen=True)
class AutonomousArea:
    """An autonomous prefecture, county or banner and the ways names write it: the full name
    (楚雄彝族自治州), with the level's word after the place (楚雄州), the place alone (楚雄)."""

    code: str
    province: str
    full: str
    with_word: str  # 楚雄州, 景宁县, 鄂温克旗
    place: str  # 楚雄, 景宁, 鄂温克
    level: str  # prefecture | county | banner
    # the place alone also names a province or another prefecture (河南 for 河南蒙古族自治县, 本溪
    # for 本溪满族自治县 in 本溪市): a name written with it means that one, so it is not generated
    place_ambiguous: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        if self.place_ambiguous:
            return (self.full, self.with_word)
        return (self.full, self.with_word, self.place)


def _place_of(name: str) -> str:
    """恩施土家族苗族 → 恩施; 巴音郭楞蒙古 → 巴音郭楞 (at least two characters kept)."""
    changed = True
    while changed:
        changed = False
        for group in _ETHNIC:
            for suffix in (group + "族", group) if len(group) >= 2 else (group + "族",):
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    name, changed = name[: -len(suffix)], True
                    break
            if changed:
                break
    return name


@lru_cache(maxsize=1)
def autonomous_areas() -> tuple[AutonomousArea, ...]:
    """The autonomous prefectures, counties and banners in use, from the GB/T 2260 table."""
    found: list[AutonomousArea] = []
    province_code, province = "", ""
    bigger: dict[str, str] = {}  # province and prefecture short names → code
    for m in _gb2260_rows():
        if not m["indent"]:
            province_code, province = m["code"], m["name"]
            bigger[_strip(province, _PROVINCE_SUFFIXES)] = province_code + "0000"
            continue
        name = _current(m["name"])
        if name is None:
            continue
        if m["code"].endswith("00"):
            bigger.setdefault(_place_of(_strip(name, ("自治州", "地区", "盟", "市"))), province_code + m["code"])
        for suffix, word in _AUTONOMOUS_WORDS.items():
            if name.endswith(suffix):
                place = _place_of(name[: -len(suffix)])
                level = {"州": "prefecture", "县": "county", "旗": "banner"}[word]
                found.append(AutonomousArea(province_code + m["code"], province, name, place + word, place, level))
                break
    return tuple(replace(a, place_ambiguous=bigger.get(a.place, a.code) != a.code) for a in found if len(a.place) >= 2)
