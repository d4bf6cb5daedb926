"""The parts Chinese enterprise names are made of (企业名称 = 行政区划 + 字号 + 行业 + 组织形式).

- Regions: the GB/T 2260 table python-stdnum ships (`stdnum/cn/loc.dat`), split into
  province, prefecture and county with the short forms names use (浙江, 杭州, 余杭).
- Trade names (字号): benchmarks/data/company-short-names.txt (about 266,000; its README says where
  it comes from), or the list BENCH_TRADE_NAMES names.
- Industries and legal forms: the common ones, weighted roughly as they occur.
- Simplified → traditional: OpenCC (s2t) when installed, else a built-in table of the
  characters company names use most.
- How a 字号 is misspelt: characters with the same reading (pypinyin, tones ignored) and
  look-alike forms (a short list of well-known 形近字 pairs).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

# The benchmarks' list of 265,769 trade names (benchmarks/data/README.md says where it comes
# from), or another list BENCH_TRADE_NAMES names.
SHARED_TRADE_NAMES = Path(
    os.environ.get("BENCH_TRADE_NAMES", str(Path(__file__).resolve().parent / "data" / "company-short-names.txt"))
)

# 行业或经营特点 with a relative weight.
INDUSTRIES: dict[str, int] = {
    "建设工程": 10,
    "建筑工程": 8,
    "市政工程": 5,
    "园林绿化工程": 4,
    "建筑装饰工程": 5,
    "水利水电工程": 2,
    "交通工程": 2,
    "电力工程": 3,
    "消防工程": 2,
    "钢结构工程": 2,
    "通信工程": 2,
    "工程咨询": 3,
    "工程监理": 3,
    "工程造价咨询": 2,
    "招标代理": 2,
    "规划设计": 2,
    "信息技术": 6,
    "网络科技": 6,
    "智能科技": 5,
    "软件": 3,
    "电子科技": 4,
    "数据技术": 2,
    "环保科技": 4,
    "新能源": 3,
    "节能科技": 2,
    "检测技术": 2,
    "物业服务": 4,
    "保洁服务": 2,
    "印务": 1,
    "办公设备": 2,
    "文化传媒": 4,
    "安保服务": 1,
    "人力资源": 2,
    "教育科技": 2,
    "医药": 3,
    "医疗器械": 4,
    "生物医药": 2,
    "药业": 2,
    "医用耗材": 1,
    "房地产开发": 2,
    "置业": 2,
    "矿业": 1,
    "石材": 1,
    "建材": 3,
    "化工": 2,
    "印染": 1,
    "热电": 1,
    "造纸": 1,
    "机械设备": 4,
    "汽车服务": 2,
    "物流": 3,
    "供应链管理": 2,
    "实业投资": 2,
    "贸易": 6,
    "商贸": 5,
    "资产管理": 1,
    "农业开发": 2,
    "食品": 2,
    "餐饮管理": 2,
    "家具": 1,
    "服饰": 1,
}
# Lines of business that a bidder might write for one another (软件 for 信息技术): a company in
# another sector with the same 字号 and region is a different company beyond doubt.
SECTORS: dict[str, tuple[str, ...]] = {
    "construction": (
        "建设工程",
        "建筑工程",
        "市政工程",
        "园林绿化工程",
        "建筑装饰工程",
        "水利水电工程",
        "交通工程",
        "电力工程",
        "消防工程",
        "钢结构工程",
        "通信工程",
    ),
    "consulting": ("工程咨询", "工程监理", "工程造价咨询", "招标代理", "规划设计", "检测技术"),
    "it": ("信息技术", "网络科技", "智能科技", "软件", "电子科技", "数据技术", "教育科技"),
    "energy": ("环保科技", "新能源", "节能科技", "热电"),
    "services": (
        "物业服务",
        "保洁服务",
        "印务",
        "办公设备",
        "文化传媒",
        "安保服务",
        "人力资源",
        "汽车服务",
        "餐饮管理",
    ),
    "medical": ("医药", "医疗器械", "生物医药", "药业", "医用耗材"),
    "property": ("房地产开发", "置业"),
    "materials": ("矿业", "石材", "建材", "化工", "印染", "造纸", "机械设备", "家具", "服饰", "食品"),
    "trade": ("物流", "供应链管理", "实业投资", "贸易", "商贸", "资产管理", "农业开发"),
}
SECTOR_OF = {industry: sector for sector, industries in SECTORS.items() for industry in industries}
# How bidders write a line of business for another of the same meaning (软件 for 信息技术, 建设 for
# 建设工程): the listed entity's industry → what may be written instead.
INDUSTRY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "建设工程": ("建筑工程", "建设", "建筑"),
    "建筑工程": ("建设工程", "建筑", "建设"),
    "市政工程": ("市政建设", "市政"),
    "园林绿化工程": ("园林绿化",),
    "电力工程": ("电力建设",),
    "信息技术": ("软件", "信息科技", "软件技术"),
    "网络科技": ("网络技术",),
    "软件": ("软件技术", "信息技术"),
    "电子科技": ("电子技术",),
    "数据技术": ("数据科技",),
    "智能科技": ("智能技术",),
    "环保科技": ("环保技术", "环境科技"),
    "新能源": ("新能源科技",),
    "检测技术": ("检验检测",),
    "物业服务": ("物业管理",),
    "文化传媒": ("文化传播",),
    "人力资源": ("人力资源服务",),
    "保洁服务": ("清洁服务",),
    "餐饮管理": ("餐饮服务",),
    "医药": ("药业",),
    "药业": ("医药",),
    "房地产开发": ("房地产",),
    "建材": ("建筑材料",),
    "机械设备": ("机械",),
    "商贸": ("贸易",),
    "贸易": ("商贸",),
    "供应链管理": ("供应链",),
    "物流": ("物流服务",),
}
SYNONYM_SECTOR = {
    synonym: SECTOR_OF[industry] for industry, synonyms in INDUSTRY_SYNONYMS.items() for synonym in synonyms
}
# 形近字 that a name copied by hand or from a scan may carry for one another.
LOOK_ALIKE_PAIRS = (
    "己已",
    "末未",
    "士土",
    "日曰",
    "大太",
    "王玉",
    "千干",
    "天夭",
    "木本",
    "白自",
    "由申",
    "晴睛",
    "候侯",
    "拔拨",
    "宇字",
    "往住",
    "鸣呜",
    "亨享",
    "竞竟",
    "贝见",
    "元无",
    "今令",
    "延廷",
    "秦泰",
    "昊吴",
    "锦绵",
    "徽微",
    "颖颍",
)

# 组织形式 of companies with a relative weight; 有限公司 ≡ 有限责任公司 (公司法).
COMPANY_FORMS: dict[str, int] = {
    "有限公司": 62,
    "有限责任公司": 16,
    "股份有限公司": 12,
    "集团有限公司": 5,
    "集团股份有限公司": 1,
}
# 个体工商户: what the shop sells and how it calls itself.
SHOP_GOODS = (
    "五金",
    "建材",
    "水电安装",
    "装潢材料",
    "劳保用品",
    "办公用品",
    "电器维修",
    "钢材",
    "日用百货",
    "机电设备",
    "电线电缆",
    "管材",
)
SHOP_FORMS: dict[str, int] = {"经营部": 5, "商行": 3, "店": 2}
LIMITED_FORMS = ("有限公司", "有限责任公司")
BRANCH_SUFFIXES = ("分公司", "分店", "办事处")

# A 字号 may not carry these (企业名称登记管理规定: no region, no 中国/国际, no legal form), nor
# words that say the industry (方正证券, 恒德投资): such entries of the list are brand phrases, and
# as 字号 they would make the industry part of the generated name ambiguous, blurring the labels.
_FORBIDDEN_IN_TRADE = (
    "中国",
    "中华",
    "国家",
    "国际",
    "全国",
    "公司",
    "集团",
    "有限",
    "分店",
    "办事处",
    "经营部",
    "商行",
    "股份",
    "控股",
    "店",
    "厂",
    "部",
    "工程",
    "建设",
    "建筑",
    "科技",
    "高科",
    "医药",
    "药业",
    "药房",
    "医疗",
    "医用",
    "器械",
    "生物",
    "矿业",
    "投资",
    "实业",
    "贸易",
    "商贸",
    "置业",
    "地产",
    "房产",
    "物业",
    "信息",
    "网络",
    "软件",
    "电子",
    "电脑",
    "电力",
    "电气",
    "电缆",
    "机电",
    "机械",
    "设备",
    "通信",
    "通讯",
    "资讯",
    "数据",
    "数码",
    "智能",
    "技术",
    "检测",
    "物流",
    "快运",
    "快递",
    "货运",
    "运输",
    "供应链",
    "劳务",
    "人力",
    "印刷",
    "印务",
    "印染",
    "纸业",
    "造纸",
    "化工",
    "石化",
    "能源",
    "环保",
    "节能",
    "热电",
    "电镀",
    "金属",
    "钢材",
    "钢结构",
    "石材",
    "农业",
    "食品",
    "餐饮",
    "家具",
    "家居",
    "服饰",
    "服装",
    "装饰",
    "设计",
    "咨询",
    "监理",
    "造价",
    "招标",
    "代理",
    "规划",
    "园林",
    "绿化",
    "市政",
    "水利",
    "交通",
    "消防",
    "安保",
    "保洁",
    "教育",
    "培训",
    "传媒",
    "文化",
    "广告",
    "汽车",
    "管理",
    "服务",
    "开发",
    "证券",
    "银行",
    "保险",
    "基金",
    "金融",
    "资产",
    "五金",
    "百货",
    "超市",
    "商城",
)


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


@lru_cache(maxsize=2)
def trade_names(path: Path | None = None) -> tuple[str, ...]:
    """字号 usable in generated names: 2-4 CJK characters without region, form or industry words.

    From benchmarks/data (or the list BENCH_TRADE_NAMES names), else the demo's 3,000-name sample.
    The order of the file is kept, so a seeded generator picks the same names on every machine.
    """
    source = path or SHARED_TRADE_NAMES
    if "BENCH_TRADE_NAMES" in os.environ and path is None and not source.is_file():
        raise SystemExit(f"BENCH_TRADE_NAMES names {source}, which is not a file")
    if source.is_file():
        raw = source.read_text(encoding="utf-8").splitlines()
    else:
        raw = (
            resources.files("registry")
            .joinpath("demo_data")
            .joinpath("trade_names.txt")
            .read_text(encoding="utf-8")
            .splitlines()
        )
    # Province and prefecture names are excluded inside a 字号; county names only as the whole
    # 字号 (新华, 长安 are both counties and common 字号, which is realistic and kept).
    big = {w for r in regions() for w in (r.province, r.province_short, r.city, r.city_short)}
    counties = {w for r in regions() for w in (r.county, r.county_short) if w}
    blocked = big | set(_FORBIDDEN_IN_TRADE) | set(INDUSTRIES) | set(SHOP_GOODS)
    seen: set[str] = set()
    kept: list[str] = []
    for line in raw:
        word = line.strip()
        if not (2 <= len(word) <= 4) or not _is_cjk(word) or word in seen or word in counties:
            continue
        if _substrings(word) & blocked:
            continue
        seen.add(word)
        kept.append(word)
    return tuple(kept)


def trade_name_source() -> str:
    return str(SHARED_TRADE_NAMES) if SHARED_TRADE_NAMES.is_file() else "registry/demo_data/trade_names.txt"


# --- simplified → traditional -----------------------------------------------------------

# Characters common in company names whose traditional form differs (used without OpenCC).
_SIMPLIFIED = (
    "设计业发务贸电机械网络软数据药疗实资产环开门东华国际广场乐汇联创达龙凤鸿宝丰兴运输车铁钢铝银锦"
    "绣云飞鹏腾亿万远迈进讯视听传读书学习检测监规划区县镇乡园农饮馆厅厂矿热纸织纺丝线红绿蓝黄长时现"
    "为与专结构装饰筑经营销综总归团责权质价询评认证验劳货储仓库湾岛滨阳闽苏赣鲁贵陕宁辽气厦顺丽欢庆"
    "凯杰伟荣严义艺亚阁楼轩鸣韵顾圣汉启纳维润泽洁净灵缘赢锋铭钧链峰盖卫尔兴泰顺达鑫"
)
_TRADITIONAL = (
    "設計業發務貿電機械網絡軟數據藥療實資產環開門東華國際廣場樂匯聯創達龍鳳鴻寶豐興運輸車鐵鋼鋁銀錦"
    "繡雲飛鵬騰億萬遠邁進訊視聽傳讀書學習檢測監規劃區縣鎮鄉園農飲館廳廠礦熱紙織紡絲線紅綠藍黃長時現"
    "為與專結構裝飾築經營銷綜總歸團責權質價詢評認證驗勞貨儲倉庫灣島濱陽閩蘇贛魯貴陝寧遼氣廈順麗歡慶"
    "凱傑偉榮嚴義藝亞閣樓軒鳴韻顧聖漢啟納維潤澤潔淨靈緣贏鋒銘鈞鏈峰蓋衛爾興泰順達鑫"
)
_S2T = {s: t for s, t in zip(_SIMPLIFIED, _TRADITIONAL, strict=True) if s != t}
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
_ETHNIC = tuple(
    sorted(
        (
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
            "普米",
            "塔吉克",
            "怒",
            "鄂温克",
            "保安",
            "裕固",
            "独龙",
            "鄂伦春",
            "各",
        ),
        key=len,
        reverse=True,
    )
)
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
