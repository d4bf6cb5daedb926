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
    AuthoritySpec("zj_finance", "浙江省财政厅", "330000", ("procurement",), None,
                  "浙财采监", "浙财采罚", _FINANCE_SECTORS),
    AuthoritySpec("hz_finance", "杭州市财政局", "330100", ("procurement",), "zj_finance",
                  "杭财采监", "杭财采罚", _FINANCE_SECTORS),
    AuthoritySpec("nb_finance", "宁波市财政局", "330200", ("procurement",), "zj_finance",
                  "甬财采监", "甬财采罚", _FINANCE_SECTORS),
    AuthoritySpec("zj_housing", "浙江省住房和城乡建设厅", "330000", ("construction_bidding", "housing"), None,
                  "浙建信", "浙建罚", _BUILDING_SECTORS),
    AuthoritySpec("wz_housing", "温州市住房和城乡建设局", "330300", ("construction_bidding", "housing"),
                  "zj_housing", "温住建信", "温住建罚", _BUILDING_SECTORS),
    AuthoritySpec("zj_resources", "浙江省自然资源厅", "330000", ("land", "mining"), None,
                  "浙自然资信", "浙自然资罚", ("property", "mining")),
    AuthoritySpec("zj_development", "浙江省发展和改革委员会", "330000", ("construction_bidding",), None,
                  "浙发改招", "浙发改罚", ("construction", "consulting")),
    AuthoritySpec("zj_sasac", "浙江省人民政府国有资产监督管理委员会", "330000", ("state_assets",), None,
                  "浙国资产权", "浙国资罚", ("investment", "property")),
    AuthoritySpec("zj_healthcare_security", "浙江省医疗保障局", "330000", ("drug_procurement",), None,
                  "浙医保招采", "浙医保罚", ("medical",)),
    AuthoritySpec("zj_ecology", "浙江省生态环境厅", "330000", ("emission_rights",), None,
                  "浙环信", "浙环罚", ("industry",)),
    # Market regulation supervises no trading domain itself; its lists are screened in several.
    AuthoritySpec("hz_market", "杭州市市场监督管理局", "330100", (), None,
                  "杭市监信", "杭市监处罚", None),
)
AUTHORITY_BY_KEY = {a.key: a for a in AUTHORITIES}
_FINANCE = ("zj_finance", "hz_finance", "nb_finance")
_HOUSING = ("zj_housing", "wz_housing")


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
    "construction": Sector(("建设工程", "建筑工程", "市政工程", "园林绿化工程", "建筑装饰工程", "水利水电工程",
                            "交通工程"), "建设", 30),
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
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "华", "秀英", "建国",
    "建华", "志强", "海燕", "晓东", "雪梅", "国平", "卫东", "丽萍", "俊杰", "一鸣", "浩然", "欣怡", "佳怡",
    "文博", "宇轩", "立新", "红霞", "永康", "春生", "美玲", "家豪", "振华", "慧敏",
)
SHOP_GOODS = ("五金", "建材", "水电安装", "装潢材料", "劳保用品", "办公用品", "电器维修", "钢材")


@dataclass(frozen=True)
class Ground:
    """A ground for listing (列入事由): category, facts ({project} is filled in) and legal basis."""

    category: str
    facts: str
    basis: str
    people: bool = False  # a ground against natural persons (评标专家), not organisations


@dataclass(frozen=True)
class ListKind:
    """A named list an authority keeps, how long an entry stays, and when it can be repaired."""

    authorities: tuple[str, ...]
    list_type: str
    list_name: str
    domains: tuple[str, ...]
    months: tuple[int, int] | None  # listing period (multiples of 6 months); None: until removed
    grounds: tuple[Ground, ...]
    subjects: tuple[str, ...] = ("legal_entity",)


_RED_GROUNDS = (
    Ground("诚信示范企业", "近三年无不良信用记录，获评省级建筑市场诚信示范企业", "《浙江省公共信用信息管理条例》"),
    Ground("守合同重信用企业", "连续三年被认定为“守合同重信用”企业，无行政处罚记录", "《浙江省公共信用信息管理条例》"),
)
_ZJ_PROCUREMENT_BASIS = "《中华人民共和国政府采购法》第七十七条"
_DRUG_BASIS = "《国家医疗保障局关于建立医药价格和招采信用评价制度的指导意见》（医保发〔2020〕34号）"

LISTS = (
    ListKind(_FINANCE, "black", "政府采购严重违法失信行为记录名单", ("procurement",), (12, 36), (
        Ground("提供虚假材料谋取中标、成交", "在{project}中提供虚假的业绩证明和社保缴纳证明材料，谋取中标",
               _ZJ_PROCUREMENT_BASIS),
        Ground("与其他供应商恶意串通", "在{project}中与其他供应商事先约定投标报价，相互串通投标",
               _ZJ_PROCUREMENT_BASIS + "；《中华人民共和国政府采购法实施条例》第七十四条"),
        Ground("中标后无正当理由拒不签订政府采购合同", "{project}中标后无正当理由拒不与采购人签订政府采购合同",
               "《中华人民共和国政府采购法实施条例》第七十二条"),
    )),
    ListKind(_HOUSING, "black", "工程建设领域严重失信主体名单", ("construction_bidding",), (12, 36), (
        Ground("转包、违法分包", "承接{project}后将主体结构施工违法分包给不具备相应资质的单位",
               "《中华人民共和国建筑法》第二十八条、第二十九条；《建筑市场信用管理暂行办法》"),
        Ground("拖欠农民工工资", "在{project}中拖欠农民工工资，经责令限期支付逾期仍未支付",
               "《保障农民工工资支付条例》第四十八条"),
        Ground("发生较大生产安全事故", "{project}施工中发生较大生产安全事故，负有主要责任",
               "《建筑市场信用管理暂行办法》"),
    )),
    ListKind(_HOUSING, "watch", "重点关注名单", ("construction_bidding", "housing"), (6, 12), (
        Ground("资质条件不符合要求", "经动态核查，企业注册建造师人数等资质条件不再满足要求，整改期间列入重点关注",
               "《建筑业企业资质管理规定》"),
        Ground("保障性住房工程质量问题", "承建的{project}存在质量问题，经责令整改未按期完成",
               "《建设工程质量管理条例》"),
    )),
    ListKind((*_HOUSING, "zj_development"), "red", "守信激励对象名单", ("construction_bidding",), (24, 36),
             _RED_GROUNDS),
    # 招标投标 bans run as long as the law allows for what was done (lists.json periods).
    ListKind(("zj_development",), "black", "招标投标违法行为记录名单", ("construction_bidding",), (12, 24), (
        Ground("串通投标", "在{project}投标中与其他投标人相互串通投标报价",
               "《中华人民共和国招标投标法》第五十三条；《中华人民共和国招标投标法实施条例》第六十七条"),
    )),
    ListKind(("zj_development",), "black", "招标投标违法行为记录名单", ("construction_bidding",), (12, 36), (
        Ground("弄虚作假骗取中标", "在{project}投标中使用伪造的项目经理业绩证明，骗取中标",
               "《中华人民共和国招标投标法》第五十四条；《中华人民共和国招标投标法实施条例》第六十八条"),
    )),
    # 招标投标法 Art. 56 takes a 评标 member off every 评标 for good: no term, so no bidding-ban list.
    ListKind(("zj_development",), "black", "评标专家不良行为记录名单", ("construction_bidding",), None, (
        Ground("评标委员会成员收受投标人财物", "担任{project}评标委员会成员期间收受投标人财物",
               "《中华人民共和国招标投标法》第五十六条", people=True),
    )),
    ListKind(("zj_resources",), "black", "国有建设用地使用权出让失信行为名单", ("land",), (12, 36), (
        Ground("竞得后不签订出让合同", "竞得{project}后逾期未签订国有建设用地使用权出让合同",
               "《招标拍卖挂牌出让国有建设用地使用权规定》"),
        Ground("未按期缴纳土地出让价款", "{project}出让合同签订后未按约定期限缴纳土地出让价款",
               "《招标拍卖挂牌出让国有建设用地使用权规定》"),
    )),
    ListKind(("zj_resources",), "watch", "矿业权人勘查开采信息公示异常名录", ("mining",), (12, 36), (
        Ground("未按期公示勘查开采信息", "未按规定期限填报并公示上一年度勘查开采信息", "《矿业权人勘查开采信息公示办法》"),
        Ground("公示信息不实", "公示的{project}勘查开采信息与实地核查情况不符", "《矿业权人勘查开采信息公示办法》"),
    )),
    ListKind(("zj_sasac",), "black", "国有产权交易失信行为记录名单", ("state_assets",), (12, 36), (
        Ground("恶意串通压低交易价格", "在{project}中与其他意向受让方恶意串通，压低交易价格",
               "《企业国有资产交易监督管理办法》"),
        Ground("逾期未支付交易价款", "受让{project}后逾期未支付转让价款，经催告仍未履行",
               "《企业国有资产交易监督管理办法》"),
    )),
    ListKind(("zj_healthcare_security",), "black", "医药价格和招采严重失信主体名单", ("drug_procurement",),
             (12, 24), (
        Ground("给予回扣或其他不正当利益", "在{project}中向医疗机构有关人员给予回扣", _DRUG_BASIS),
        Ground("中选后未按协议保障供应", "{project}中选后未按协议约定保障供应，累计断供超过规定时限", _DRUG_BASIS),
    )),
    ListKind(("zj_healthcare_security",), "watch", "重点关注名单", ("drug_procurement",), (6, 12), (
        Ground("挂网价格异常", "在{project}中挂网价格明显高于周边省份同品规价格，经约谈未及时调整", _DRUG_BASIS),
    )),
    ListKind(("zj_ecology",), "black", "排污权交易严重失信主体名单", ("emission_rights",), (12, 36), (
        Ground("篡改、伪造自动监测数据", "篡改污染物排放自动监测数据，逃避监管", "《排污许可管理条例》第三十四条"),
        Ground("超过许可排放量排放污染物", "实际排放量超过排污许可证载明的许可排放量，且未在{project}中购入相应排污权",
               "《排污许可管理条例》第三十四条"),
    )),
    ListKind(("zj_ecology",), "watch", "重点关注名单", ("emission_rights",), (6, 12), (
        Ground("未按时提交排污许可证执行报告", "未按排污许可证规定的频次提交执行报告", "《排污许可管理条例》"),
    )),
    ListKind(("hz_market",), "black", "严重违法失信名单", ("procurement", "construction_bidding"), (36, 36), (
        Ground("提交虚假材料取得登记", "提交虚假材料骗取变更登记，被撤销登记", "《市场监督管理严重违法失信名单管理办法》"),
        Ground("列入经营异常名录届满三年仍未履行义务", "列入经营异常名录届满三年仍未履行公示义务",
               "《市场监督管理严重违法失信名单管理办法》"),
    ), subjects=("legal_entity", "individual_business")),
    ListKind(("hz_market",), "watch", "经营异常名录", ("procurement",), None, (
        Ground("通过登记的住所无法联系", "经实地核查，通过登记的住所或者经营场所无法联系", "《企业经营异常名录管理暂行办法》第四条"),
        Ground("未按规定报送年度报告", "未按规定期限报送上一年度年度报告", "《企业经营异常名录管理暂行办法》第四条"),
    ), subjects=("legal_entity", "individual_business")),
)


@dataclass(frozen=True)
class Case:
    """A kind of violation an authority penalises (违法行为类型): facts ({project} is filled in) and basis."""

    authorities: tuple[str, ...]
    domain: str
    violation_type: str
    facts: str
    basis: str
    subjects: tuple[str, ...] = ("legal_entity",)
    # What a serious case bars a natural person from ({years} is filled in), and its 处罚类别.
    restriction: tuple[str, str] = ("限制从业", "{years}年内不得担任评标评审专家（限制从业）")


CASES = (
    Case(_FINANCE, "procurement", "提供虚假材料谋取中标", "在{project}中提供虚假的业绩证明材料谋取中标",
         _ZJ_PROCUREMENT_BASIS),
    Case(_FINANCE, "procurement", "恶意串通", "在{project}中与其他供应商恶意串通投标", _ZJ_PROCUREMENT_BASIS),
    Case(_FINANCE, "procurement", "评审专家违规评审",
         "担任{project}评审专家期间未按照采购文件规定的评审程序、方法和标准进行独立评审",
         "《中华人民共和国政府采购法实施条例》第七十五条", ("natural_person",)),
    Case(_HOUSING, "construction_bidding", "违法分包", "将{project}主体结构施工分包给不具备相应资质的单位",
         "《建设工程质量管理条例》第六十二条"),
    Case(_HOUSING, "construction_bidding", "未取得施工许可擅自施工", "{project}未取得施工许可证擅自施工",
         "《建筑工程施工许可管理办法》"),
    Case(_HOUSING, "housing", "擅自转租保障性住房", "将承租的{project}房源擅自转租", "《公共租赁住房管理办法》",
         ("natural_person",), ("其他", "责令退回所承租的公共租赁住房，{years}年内不得再次申请")),
    Case(("zj_development",), "construction_bidding", "串通投标", "在{project}投标中与其他投标人串通投标报价",
         "《中华人民共和国招标投标法》第五十三条"),
    Case(("zj_development",), "construction_bidding", "评标委员会成员收受财物",
         "担任{project}评标委员会成员期间收受投标人财物", "《中华人民共和国招标投标法》第五十六条",
         ("natural_person",)),
    Case(("zj_resources",), "land", "未按期缴纳土地出让价款", "竞得{project}后未按出让合同约定期限缴纳土地出让价款",
         "《中华人民共和国城镇国有土地使用权出让和转让暂行条例》"),
    Case(("zj_resources",), "mining", "越界开采", "超越{project}批准的矿区范围采矿", "《中华人民共和国矿产资源法》"),
    Case(("zj_sasac",), "state_assets", "未经评估备案擅自转让国有产权", "在{project}中未经资产评估备案擅自转让",
         "《企业国有资产交易监督管理办法》"),
    Case(("zj_healthcare_security",), "drug_procurement", "串换药品结算", "将医保目录外药品串换为目录内药品进行结算",
         "《医疗保障基金使用监督管理条例》第三十八条", ("legal_entity", "individual_business")),
    Case(("zj_ecology",), "emission_rights", "超过许可排放量排放污染物", "实际排放量超过排污许可证载明的许可排放量",
         "《排污许可管理条例》第三十四条"),
    Case(("zj_ecology",), "emission_rights", "未按规定开展自行监测", "未按照排污许可证规定开展自行监测",
         "《排污许可管理条例》"),
    Case(("hz_market",), "procurement", "虚假宣传", "在{project}投标文件及公司网站中虚构获奖和业绩",
         "《中华人民共和国反不正当竞争法》", ("legal_entity", "individual_business")),
    Case(("hz_market",), "construction_bidding", "销售不合格产品", "向{project}供应的钢筋经监督抽检不合格",
         "《中华人民共和国产品质量法》第四十九条", ("legal_entity", "individual_business")),
)


@lru_cache(maxsize=1)
def trade_names() -> tuple[str, ...]:
    """The bundled sample of trade names (字号); see registry/demo_data/README.md."""
    text = resources.files("registry").joinpath("demo_data").joinpath("trade_names.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())
