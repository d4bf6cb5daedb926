"""Reference tables of the demo (演示数据的基础表): what the planner draws from, none of it drawn.

The authorities (机关) with their 文号 prefixes and the sectors they oversee; the cities and
districts; the sectors and how firms are named (行业, 组织形式, people's names, the bundled 字号
sample); the lists an authority keeps with their grounds (列入事由) and listing periods; and the
kinds of violation it penalises (违法行为类型). The planner walks these tuples in order, so their
order is part of what the seed decides: reordering an entry changes the demo data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Why a withheld record (list entry or penalty) is not public: the 保密审查 outcome.
NOT_PUBLIC_REASON = "涉及商业秘密，经保密审查不予公开"


@dataclass(frozen=True)
class AuthoritySpec:
    """A demo 机关: its 文号 prefixes for list decisions and penalty decisions, and the sectors it oversees."""

    key: str
    name: str
    region_code: str
    domains: tuple[str, ...]
    parent: str | None
    list_prefix: str
    penalty_prefix: str
    sectors: tuple[str, ...] | None  # None: every sector (market regulation)


_FINANCE_SECTORS = ("it", "services", "consulting", "construction", "medical")
_BUILDING_SECTORS = ("construction", "consulting", "property")

AUTHORITIES = (
    AuthoritySpec(
        "zj_finance", "浙江省财政厅", "330000", ("procurement",), None, "浙财采监", "浙财采罚", _FINANCE_SECTORS
    ),
    AuthoritySpec(
        "hz_finance", "杭州市财政局", "330100", ("procurement",), "zj_finance", "杭财采监", "杭财采罚", _FINANCE_SECTORS
    ),
    AuthoritySpec(
        "nb_finance", "宁波市财政局", "330200", ("procurement",), "zj_finance", "甬财采监", "甬财采罚", _FINANCE_SECTORS
    ),
    AuthoritySpec(
        "zj_housing",
        "浙江省住房和城乡建设厅",
        "330000",
        ("construction_bidding", "housing"),
        None,
        "浙建信",
        "浙建罚",
        _BUILDING_SECTORS,
    ),
    AuthoritySpec(
        "wz_housing",
        "温州市住房和城乡建设局",
        "330300",
        ("construction_bidding", "housing"),
        "zj_housing",
        "温住建信",
        "温住建罚",
        _BUILDING_SECTORS,
    ),
    AuthoritySpec(
        "zj_resources",
        "浙江省自然资源厅",
        "330000",
        ("land", "mining"),
        None,
        "浙自然资信",
        "浙自然资罚",
        ("property", "mining"),
    ),
    AuthoritySpec(
        "zj_development",
        "浙江省发展和改革委员会",
        "330000",
        ("construction_bidding",),
        None,
        "浙发改招",
        "浙发改罚",
        ("construction", "consulting"),
    ),
    AuthoritySpec(
        "zj_sasac",
        "浙江省人民政府国有资产监督管理委员会",
        "330000",
        ("state_assets",),
        None,
        "浙国资产权",
        "浙国资罚",
        ("investment", "property"),
    ),
    AuthoritySpec(
        "zj_healthcare_security",
        "浙江省医疗保障局",
        "330000",
        ("drug_procurement",),
        None,
        "浙医保招采",
        "浙医保罚",
        ("medical",),
    ),
    AuthoritySpec(
        "zj_ecology", "浙江省生态环境厅", "330000", ("emission_rights",), None, "浙环信", "浙环罚", ("industry",)
    ),
    # Market regulation supervises no trading domain itself; its lists are screened in several.
    AuthoritySpec("hz_market", "杭州市市场监督管理局", "330100", (), None, "杭市监信", "杭市监处罚", None),
)
AUTHORITY_BY_KEY = {a.key: a for a in AUTHORITIES}
FINANCE = ("zj_finance", "hz_finance", "nb_finance")
HOUSING = ("zj_housing", "wz_housing")


@dataclass(frozen=True)
class City:
    short: str  # 杭州
    code: str
    abbr: str  # one-character 简称 used in 文号: 杭, 甬 …
    pinyin: str  # used in procurement project numbers
    weight: int
    districts: tuple[str, ...]


CITIES = (
    City("杭州", "330100", "杭", "HZ", 30, ("330102", "330105", "330106", "330108", "330109", "330110")),
    City("宁波", "330200", "甬", "NB", 18, ("330203", "330205", "330206", "330211", "330212")),
    City("温州", "330300", "温", "WZ", 14, ("330302", "330303", "330304", "330381", "330382")),
    City("嘉兴", "330400", "嘉", "JX", 7, ("330402", "330411", "330482")),
    City("湖州", "330500", "湖", "HU", 5, ("330502", "330503")),
    City("绍兴", "330600", "绍", "SX", 8, ("330602", "330603", "330604")),
    City("金华", "330700", "金", "JH", 8, ("330702", "330782", "330783")),
    City("台州", "331000", "台", "TZ", 7, ("331002", "331003", "331081")),
)
CITY_BY_CODE = {c.code: c for c in CITIES}


@dataclass(frozen=True)
class Sector:
    industries: tuple[str, ...]  # 行业或经营特点 in the name
    short: str  # how people shorten it in an alias: 合晟建设
    weight: int


SECTORS = {
    "construction": Sector(
        ("建设工程", "建筑工程", "市政工程", "园林绿化工程", "建筑装饰工程", "水利水电工程", "交通工程"), "建设", 30
    ),
    "consulting": Sector(("工程咨询", "工程监理", "工程造价咨询", "招标代理", "规划设计"), "咨询", 10),
    "it": Sector(("信息技术", "网络科技", "智能科技", "软件", "电子科技", "数据技术"), "科技", 14),
    "services": Sector(("物业服务", "保洁服务", "印务", "办公设备", "文化传媒", "安保服务"), "服务", 10),
    "medical": Sector(("医药", "医疗器械", "生物医药", "药业", "医用耗材"), "医药", 10),
    "property": Sector(("房地产开发", "置业"), "地产", 6),
    "mining": Sector(("矿业", "石材", "建材"), "矿业", 4),
    "industry": Sector(("化工", "印染", "热电", "造纸", "电镀"), "实业", 8),
    "investment": Sector(("实业投资", "贸易", "资产管理"), "投资", 8),
}
LEGAL_FORMS = {"有限公司": 70, "有限责任公司": 12, "股份有限公司": 10, "集团有限公司": 8}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢傅钟姜崔谭陆范汪金石"
GIVEN_NAMES = (
    "伟",
    "芳",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "华",
    "秀英",
    "建国",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "雪梅",
    "国平",
    "卫东",
    "丽萍",
    "俊杰",
    "一鸣",
    "浩然",
    "欣怡",
    "佳怡",
    "文博",
    "宇轩",
    "立新",
    "红霞",
    "永康",
    "春生",
    "美玲",
    "家豪",
    "振华",
    "慧敏",
)
SHOP_GOODS = ("五金", "建材", "水电安装", "装潢材料", "劳保用品", "办公用品", "电器维修", "钢材")


@lru_cache(maxsize=1)
def trade_names() -> tuple[str, ...]:
    """The bundled sample of trade names (字号); see registry/demo_data/README.md."""
    text = resources.files("registry").joinpath("demo_data").joinpath("trade_names.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())
