"""Demo data (演示数据): a small, realistic registry for trying the API, built through the services.

Every record is written by the service that writes it in production, so each one gets its
audit row and its outbox event, and the service rules hold. `plan_demo` decides everything
from a seeded PRNG without touching the database; `seed_demo` carries the plan out and
flushes (the caller commits). Names, codes, ID numbers and decisions are all invented.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

from sqlalchemy.orm import Session
from stdnum.cn import ric

from registry import access
from registry.catalogue import Catalogue, load_catalogue
from registry.clock import CHINA
from registry.codes import idnumber, region, uscc
from registry.codes.idnumber import IdentityVault
from registry.database import plain_amount, utcnow
from registry.errors import InvalidInput
from registry.ledger import OPERATOR, Actor
from registry.models import Entity
from registry.publication import Rules
from registry.records.authorities import create_authority
from registry.records.entities import add_entity_name, create_entity, update_entity
from registry.records.list_entries import (
    create_list_entry,
    remove_list_entry,
    repair_list_entry,
    revoke_list_entry,
)
from registry.records.penalties import correct_penalty, record_penalty, revoke_penalty

MIN_ENTITIES = 20  # enough for every sector, list, state and severity to appear at least once
SEED_ADMIN = Actor(key_id=None, name="seed-demo", role="admin")
NOT_PUBLIC_REASON = "涉及商业秘密，经保密审查不予公开"


class DemoKey(NamedTuple):
    """An API key made for the demo; `key` is the secret, shown once."""

    role: str
    authority_id: int | None
    name: str
    key: str


@dataclass(frozen=True)
class DemoSummary:
    """What `seed_demo` loaded."""

    authorities: int
    entities: int
    list_entries: int
    penalties: int
    keys: list[DemoKey]
    # One 失信相关人 to try screening with: (name, ID number, company, list) of an entry in force.
    responsible_person: tuple[str, str, str, str] | None = None


# --- reference tables -------------------------------------------------------------------


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
_AUTHORITY = {a.key: a for a in AUTHORITIES}
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
_CITY = {c.code: c for c in CITIES}


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

# 处罚类别 combinations by severity; amounts, licences and periods are filled in per record.
_FIRM_OUTCOMES = {
    "minor": (("警告",), ("通报批评",), ("罚款",), ("警告", "罚款")),
    "general": (("罚款",), ("警告", "罚款"), ("罚款", "没收违法所得"), ("没收非法财物", "罚款")),
    "serious": (("罚款", "吊销许可证件"), ("罚款", "责令停产停业"), ("罚款", "没收违法所得"),
                ("罚款", "限制开展生产经营活动"), ("罚款", "没收违法所得", "降低资质等级")),
}
_PERSON_OUTCOMES = {
    "minor": (("警告",), ("罚款",)),
    "general": (("罚款",), ("警告", "罚款")),
    "serious": (("罚款", "RESTRICTION"), ("警告", "罚款", "RESTRICTION")),  # see Case.restriction
}
# Fine ranges in yuan and the step they are rounded to.
_FINES = {
    ("legal_entity", "minor"): (500, 3_000, 100),
    ("legal_entity", "general"): (5_000, 500_000, 1_000),
    ("legal_entity", "serious"): (500_000, 5_000_000, 10_000),
    ("individual_business", "minor"): (500, 3_000, 100),
    ("individual_business", "general"): (5_000, 100_000, 1_000),
    ("individual_business", "serious"): (100_000, 500_000, 1_000),
    ("natural_person", "minor"): (200, 1_000, 100),
    ("natural_person", "general"): (1_000, 30_000, 1_000),
    ("natural_person", "serious"): (30_000, 100_000, 1_000),
}
# 公示期 by severity (国办发〔2025〕22号): publication stops by itself at the maximum.
_PUBLICATION_MONTHS = {"minor": 3, "general": 12, "serious": 36}
_SEIZED_GOODS = {"drug_procurement": "不合格医疗器械一批", "construction_bidding": "不合格钢筋一批",
                 "mining": "违法开采的矿产品一批"}
_SEVERITY_WEIGHTS = {"minor": 25, "general": 45, "serious": 30}
_STATE_WEIGHTS = {"active": 50, "expired": 18, "removed": 14, "repaired": 18, "revoked": 3}
_REVOCATION_REASON = "行政复议决定撤销原列入决定"
# Working days from decision to first publication in the demo, and how often each occurs.
_PUBLISH_DELAYS = (0, 1, 2, 3, 5, 7, 9, 12, 20)
_PUBLISH_DELAY_WEIGHTS = (25, 25, 15, 10, 8, 6, 5, 4, 2)
_REVOCATION_REASONS = ("经行政复议，原处罚决定被撤销", "经行政诉讼判决撤销原处罚决定", "处罚机关自行纠错，撤销原处罚决定")
_REPAIR_REASON = "信用修复：已纠正失信行为、履行法定义务并作出信用承诺，经审核同意修复"
_REMOVAL_REASONS = {
    "black": ("已履行处罚决定并完成整改，依申请提前移出", "原列入决定经行政复议被撤销，予以移出"),
    "watch": ("整改到位，移出{list_name}", "已补正相关信息并经核实，移出{list_name}"),
    "red": ("激励期内发生失信行为，移出{list_name}", "经复核不再符合激励条件，移出{list_name}"),
}


@lru_cache(maxsize=1)
def trade_names() -> tuple[str, ...]:
    """The bundled sample of trade names (字号); see registry/demo_data/README.md."""
    text = resources.files("registry").joinpath("demo_data").joinpath("trade_names.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


# --- the plan ---------------------------------------------------------------------------


@dataclass
class EntityPlan:
    """One entity: the create_entity payload, and what later happens to its names."""

    data: dict[str, Any]
    sector: str | None = None
    trade: str | None = None
    industry: str | None = None
    registrar: str = "hz_market"  # the authority whose supervisor registers it
    alias: str | None = None
    former: tuple[str, dt.date, dt.date] | None = None  # an older 曾用名 recorded as such
    rename: tuple[str, dt.date] | None = None  # renamed after its records were decided

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def name(self) -> str:
        """The name the entity is registered under."""
        return str(self.data["name"])

    @property
    def final_name(self) -> str:
        """The current name once the demo is loaded."""
        return self.rename[0] if self.rename else self.name


@dataclass
class ListEntryPlan:
    authority: str
    entity: int  # index into DemoPlan.entities
    data: dict[str, Any]  # the create_list_entry payload without entity_id
    state: str  # the state on `today`: active, expired, removed, repaired or revoked
    transition: tuple[str, dt.date, str] | None = None  # (removed | repaired | revoked, effective_on, reason)


@dataclass
class PenaltyPlan:
    authority: str
    entity: int
    data: dict[str, Any]  # the record_penalty payload without entity_id and data source
    data_source: str | None = None  # 数据来源单位 when not the deciding authority
    correction: tuple[dict[str, Any], str] | None = None  # (changes, reason)
    revocation: tuple[dt.date, str] | None = None  # (revoked_on, reason)


@dataclass
class DemoPlan:
    today: dt.date
    authority_usccs: dict[str, str]
    entities: list[EntityPlan]
    list_entries: list[ListEntryPlan]
    penalties: list[PenaltyPlan]


def plan_demo(
    *, today: dt.date, rng_seed: int = 2026, entities: int = 300, catalogue: Catalogue | None = None
) -> DemoPlan:
    """Decide the whole demo registry from `rng_seed`, without touching the database.

    When entries may be repaired comes from the list catalogue (lists.json), as the services
    enforce it."""
    if entities < MIN_ENTITIES:
        raise InvalidInput.field("entities", f"must be at least {MIN_ENTITIES}")
    planner = _Planner(random.Random(rng_seed), today, catalogue or load_catalogue())
    usccs = planner.authority_codes()
    planner.make_entities(entities)
    penalties = planner.make_penalties(max(len(CASES) + 3, round(entities * 0.6)))
    list_entries = planner.make_list_entries(max(32, round(entities * 0.5)))
    planner.finish_entities(list_entries, penalties)
    return DemoPlan(today, usccs, planner.entities, list_entries, penalties)


@dataclass(frozen=True)
class _Project:
    name: str
    code: str

    @property
    def label(self) -> str:
        return f"“{self.name}”" if self.code in self.name else f"“{self.name}”（项目编号：{self.code}）"


@dataclass
class _Planner:
    rng: random.Random
    today: dt.date
    catalogue: Catalogue
    usccs: set[str] = field(default_factory=set)
    id_numbers: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    numbers: dict[tuple[str, int], int] = field(default_factory=dict)
    offenders: set[int] = field(default_factory=set)
    entities: list[EntityPlan] = field(default_factory=list)

    # authorities

    def authority_codes(self) -> dict[str, str]:
        codes = {}
        for spec in AUTHORITIES:
            body = "00" + "".join(self.rng.choice("0123456789") for _ in range(6))
            codes[spec.key] = self._unique_uscc("11" + spec.region_code, body)
        return codes

    def _unique_uscc(self, head: str, body: str | None = None) -> str:
        """A fresh valid code: head (registration authority, category, region) + organisation code + check."""
        while True:
            code = uscc.complete(head + _organisation_code(body or self._org_body()))
            if code not in self.usccs:
                self.usccs.add(code)
                return code
            body = None

    def _org_body(self) -> str:
        """Eight characters of a GB 11714 organisation code: digits (older) or MA… (since 2015)."""
        if self.rng.random() < 0.5:
            return "".join(self.rng.choice("0123456789") for _ in range(8))
        return "MA" + "".join(self.rng.choice(uscc.ALPHABET) for _ in range(6))

    # entities

    def make_entities(self, count: int) -> None:
        people = max(2, count // 20)
        shops = max(3, count // 15)
        firms = count - people - shops
        sectors = list(SECTORS)
        weights = [s.weight for s in SECTORS.values()]
        plans = [self._firm(sectors[i] if i < len(sectors) else self._pick(sectors, weights)) for i in range(firms)]
        plans += [self._shop() for _ in range(shops)]
        plans += [self._person() for _ in range(people)]
        if not any(p.alias for p in plans):
            plans[0].alias = f"{plans[0].trade}{SECTORS[sectors[0]].short}"
        self.rng.shuffle(plans)
        self.entities = plans

    def _city(self) -> City:
        return self.rng.choices(CITIES, weights=[c.weight for c in CITIES])[0]

    def _pick(self, options: list[str], weights: list[int]) -> str:
        return self.rng.choices(options, weights=weights)[0]

    def _trade(self) -> str:
        return self.rng.choice(trade_names())

    def _person_name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    def _company_name(self, sector: str, trade: str, city: City) -> tuple[str, str]:
        """(name, industry): 行政区划 + 字号 + 行业 + 组织形式, sometimes with the region in brackets."""
        industry = self.rng.choice(SECTORS[sector].industries)
        form = self._pick(list(LEGAL_FORMS), list(LEGAL_FORMS.values()))
        place = "浙江" if form == "集团有限公司" or self.rng.random() < 0.08 else city.short
        if self.rng.random() < 0.15:
            return f"{trade}{industry}（{place}）{form}", industry
        return f"{place}{trade}{industry}{form}", industry

    def _fresh_company_name(self, sector: str, city: City, trade: str | None = None) -> tuple[str, str, str]:
        for _ in range(50):
            trade = trade or self._trade()
            name, industry = self._company_name(sector, trade, city)
            if name not in self.names:
                self.names.add(name)
                return name, trade, industry
            trade = None
        raise RuntimeError("ran out of distinct demo company names")  # 3,000 trade names: never in practice

    def _firm(self, sector: str) -> EntityPlan:
        city = self._city()
        district = self.rng.choice(city.districts)
        name, trade, industry = self._fresh_company_name(sector, city)
        code = self._unique_uscc("91" + district)
        founded = self.today - dt.timedelta(days=self.rng.randint(2 * 365, 20 * 365))
        data: dict[str, Any] = {"kind": "legal_entity", "name": name, "uscc": code, "name_since": founded}
        roll = self.rng.random()
        if roll < 0.75:
            data["legal_representative"] = self._person_name()
        if roll < 0.35:
            data["legal_rep_id_type"] = "resident_id"
            data["legal_rep_id_number"] = self._id_number(district)
        if code[8:10] != "MA" and self.rng.random() < 0.3:
            data["organization_code"] = f"{code[8:16]}-{code[16]}"  # the pre-2015 组织机构代码 inside the USCC
        plan = EntityPlan(data, sector=sector, trade=trade, industry=industry)
        roll = self.rng.random()
        if roll < 0.10:
            plan.alias = trade + SECTORS[sector].short
        elif roll < 0.14:
            former, _, _ = self._fresh_company_name(sector, city, trade)
            since = founded - dt.timedelta(days=self.rng.randint(2 * 365, 8 * 365))
            plan.former = (former, since, founded)
        return plan

    def _shop(self) -> EntityPlan:
        """个体工商户: 杭州市西湖区张记五金店; some registered before codes and so on the placeholder."""
        city = self._city()
        district = self.rng.choice(city.districts)
        surname = self.rng.choice(SURNAMES)
        place = _place(district)
        while True:
            style = self.rng.random()
            if style < 0.5:
                name = f"{place}{surname}记{self.rng.choice(SHOP_GOODS)}店"
            elif style < 0.8:
                name = f"{place}{self._trade()}{self.rng.choice(SHOP_GOODS)}经营部"
            else:
                name = f"{place}{self._trade()}大药房"
            if name not in self.names:
                self.names.add(name)
                break
        data: dict[str, Any] = {
            "kind": "individual_business", "name": name, "region_code": district,
            "legal_representative": surname + self.rng.choice(GIVEN_NAMES),
        }
        if self.rng.random() < 0.4:
            data["uscc"] = uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER
            data["business_registration_no"] = _registration_number(
                district + "600" + "".join(self.rng.choice("0123456789") for _ in range(5))
            )
        else:
            data["uscc"] = self._unique_uscc("92" + district, "MA" + "".join(
                self.rng.choice(uscc.ALPHABET) for _ in range(6)))
        return EntityPlan(data)

    def _person(self) -> EntityPlan:
        district = self.rng.choice(self._city().districts)
        return EntityPlan({
            "kind": "natural_person", "name": self._person_name(), "region_code": district,
            "id_type": "resident_id", "id_number": self._id_number(district),
        })

    def _id_number(self, district: str) -> str:
        """A valid 18-digit 居民身份证号码 (GB 11643) of someone born in 1960-2004.

        GB 11643 (and stdnum) want the region code to have existed in the birth year; several
        districts are younger than that (萧山区 2001, 柯桥区 2013), so after enough tries the
        number falls back to the city's oldest district.
        """
        city = _CITY[district[:4] + "00"]
        for attempt in range(200):
            place = district if attempt < 100 else city.districts[0]
            born = dt.date(1960, 1, 1) + dt.timedelta(days=self.rng.randint(0, 45 * 365))
            first17 = f"{place}{born:%Y%m%d}{self.rng.randint(1, 999):03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")
            if number in self.id_numbers:
                continue
            try:
                idnumber.validate("resident_id", number)
            except idnumber.IdNumberError:
                continue  # the district did not exist yet in that year
            self.id_numbers.add(number)
            return number
        raise RuntimeError(f"could not make a resident ID number for region {district}")

    # subjects

    def _pool(self, spec: AuthoritySpec, kinds: tuple[str, ...]) -> list[int]:
        pool = [
            i for i, e in enumerate(self.entities)
            if e.kind in kinds and (e.kind != "legal_entity" or spec.sectors is None or e.sector in spec.sectors)
        ]
        return pool or [i for i, e in enumerate(self.entities) if e.kind in kinds]

    def _offender(self, pool: list[int]) -> int:
        """Pick a subject; repeat offenders are likelier, as under 联合惩戒 one firm is on several lists."""
        again = sorted(self.offenders.intersection(pool))
        chosen = self.rng.choice(again) if again and self.rng.random() < 0.3 else self.rng.choice(pool)
        self.offenders.add(chosen)
        return chosen

    def _commendable(self, pool: list[int]) -> int:
        clean = [i for i in pool if i not in self.offenders]
        return self.rng.choice(clean or pool)

    # shared record details

    def _number(self, prefix: str, year: int) -> str:
        """The next 文号 of a series: 浙财采罚〔2025〕17号."""
        n = self.numbers.get((prefix, year)) or self.rng.randint(1, 30)
        self.numbers[(prefix, year)] = n + 1
        return f"{prefix}〔{year}〕{n}号"

    def _between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def _project(self, domain: str, spec: AuthoritySpec, year: int) -> _Project:
        """A project named the way its domain numbers projects (采购项目编号, 地块编号, 投资项目代码 …)."""
        city = _CITY.get(spec.region_code[:4] + "00") or self._city()
        district = self.rng.choice(city.districts)
        place = _place(district)
        n = self.rng.randint(1, 999)
        if domain == "procurement":
            name = self.rng.choice((
                f"{place}{year}年度办公设备采购项目", f"{place}智慧校园信息化建设项目",
                f"{place}机关物业管理服务采购项目", f"{place}医疗设备采购项目", f"{place}道路保洁服务采购项目",
            ))
            return _Project(name, f"{city.pinyin}CG-{year}-{n:04d}")
        if domain in ("construction_bidding", "housing"):
            if domain == "housing":
                name = self.rng.choice((f"{place}保障性租赁住房项目", f"{place}公共租赁住房（{n % 9 + 1}期）"))
            else:
                name = self.rng.choice((
                    f"{place}道路综合整治工程", f"{place}安置房（二期）工程施工", f"{place}第{n % 20 + 1}中学新建工程",
                    f"{place}污水管网提升改造工程", f"{place}综合交通枢纽工程",
                ))
            industry = "47" if domain == "housing" else "48"  # GB/T 4754: 房屋建筑业, 土木工程建筑业
            return _Project(name, f"{year}-{district}-{industry}-01-{self.rng.randint(1, 999_999):06d}")
        if domain == "land":
            code = f"{city.abbr}政储出〔{year}〕{n % 80 + 1}号"
            return _Project(f"{code}地块", code)
        if domain == "mining":
            return _Project(f"{place}建筑用石料（凝灰岩）矿采矿权出让", f"{city.abbr}矿出〔{year}〕{n % 20 + 1}号")
        if domain == "drug_procurement":
            what = self.rng.choice(("药品", "医用耗材", "骨科医用耗材", "药品（第二轮）"))
            return _Project(f"浙江省{what}集中带量采购", f"ZJYC-{year}-{n % 60 + 1:03d}")
        if domain == "state_assets":
            owner = self.rng.choice(("城建", "交通", "水务", "文旅"))
            share = self.rng.choice((10, 15, 20, 30, 51))
            return _Project(f"{city.short}市{owner}集团所持{self._trade()}公司{share}%股权转让项目",
                            f"ZJCQ-{year}-{n:04d}")
        return _Project(f"浙江省排污权交易（{year}年第{n % 12 + 1}期）", f"ZJPW-{year}-{n % 300 + 1:03d}")

    # penalties

    def make_penalties(self, count: int) -> list[PenaltyPlan]:
        severities = list(_SEVERITY_WEIGHTS)
        cases = list(CASES) + [self.rng.choice(CASES) for _ in range(count - len(CASES))]
        self.rng.shuffle(cases)
        levels = severities + self.rng.choices(
            severities, weights=list(_SEVERITY_WEIGHTS.values()), k=count - len(severities))
        self.rng.shuffle(levels)
        plans = [self._penalty(case, level) for case, level in zip(cases, levels, strict=True)]
        # At least one of each: corrected (更正), revoked (撤销), not public (保密审查).
        order = list(range(count))
        self.rng.shuffle(order)
        corrected = order[: max(1, count // 12)]
        revocable = [i for i in order[len(corrected):] if plans[i].data["decided_on"] <= self.today - dt.timedelta(days=30)]
        revoked = revocable[: max(1, count // 20)]
        for i in corrected:
            self._plan_correction(plans[i])
        for i in revoked:
            decided = plans[i].data["decided_on"]
            day = self._between(decided + dt.timedelta(days=20), min(decided + dt.timedelta(days=240), self.today))
            plans[i].revocation = (day, self.rng.choice(_REVOCATION_REASONS))
        hidden = [i for i in order if i not in revoked][: max(1, count // 20)]
        for i in hidden:
            plans[i].data.update(is_public=False, not_public_reason=NOT_PUBLIC_REASON)
        return plans

    def _penalty(self, case: Case, severity: str) -> PenaltyPlan:
        key = self.rng.choice(case.authorities)
        spec = _AUTHORITY[key]
        index = self._offender(self._pool(spec, case.subjects))
        subject = self.entities[index]
        decided_on = self.today - dt.timedelta(days=self.rng.randint(0, 3 * 365 + 120))
        project = self._project(case.domain, spec, decided_on.year) if "{project}" in case.facts else None
        offence_on = decided_on - dt.timedelta(days=self.rng.randint(20, 200))
        facts = f"{_cn_date(offence_on)}，" + case.facts.format(project=project.label if project else "") + "。"
        data: dict[str, Any] = {
            "decision_number": self._number(spec.penalty_prefix, decided_on.year),
            "violation_type": case.violation_type,
            "facts": facts,
            "basis": case.basis,
            "decided_on": decided_on,
            "publication_ends_on": _add_months(decided_on, _PUBLICATION_MONTHS[severity]),
            "severity": severity,
            "domain": case.domain,
            "project_code": project.code if project else None,
            **self._outcome(case, severity, subject, decided_on),
        }
        if self.rng.random() < 0.2:
            data["remarks"] = self.rng.choice(("已缴纳罚款", "已履行完毕", "当事人已申请行政复议，复议期间不停止执行"))
        plan = PenaltyPlan(key, index, data)
        if spec.parent is not None and self.rng.random() < 0.3:
            plan.data_source = spec.parent  # pushed to the platform through the provincial department
        return plan

    def _outcome(self, case: Case, severity: str, subject: EntityPlan, decided_on: dt.date) -> dict[str, Any]:
        """处罚类别 and what goes with them: amounts in 万元, the licence, 处罚内容, 处罚有效期."""
        domain = case.domain
        person = subject.kind == "natural_person"
        options = [
            combo for combo in (_PERSON_OUTCOMES if person else _FIRM_OUTCOMES)[severity]
            if ("降低资质等级" not in combo or domain in ("construction_bidding", "housing"))
            and ("没收非法财物" not in combo or domain in _SEIZED_GOODS)
        ]
        restriction, restriction_text = case.restriction
        categories = [restriction if c == "RESTRICTION" else c for c in self.rng.choice(options)]
        parts: list[str] = []
        out: dict[str, Any] = {"categories": categories}
        valid_until: dt.date | None = None
        for category in categories:
            if category == "罚款":
                low, high, step = _FINES[(subject.kind, severity)]
                yuan = self.rng.randint(low // step, high // step) * step
                out["fine_amount"] = _wan(yuan)
                parts.append(_fine_text(yuan))
            elif category in ("没收违法所得", "没收非法财物"):
                gained = Decimal(self.rng.randint(100_000, 20_000_000)) / 100  # yuan, to the fen
                out["confiscation_amount"] = _wan(gained)
                value = f"人民币{gained:,.2f}元"
                parts.append(f"没收违法所得{value}" if category == "没收违法所得"
                             else f"没收非法财物（{_SEIZED_GOODS[domain]}，货值{value}）")
            elif category == "吊销许可证件":
                out["licence_affected"] = self._licence(domain, subject)
                parts.append(f"吊销{out['licence_affected']}")
            elif category in ("责令停产停业", "限制开展生产经营活动"):
                months = self.rng.choice((1, 3, 6))
                valid_until = _add_months(decided_on, months)
                parts.append(f"{category}{months}个月")
            elif category == restriction and person:
                years = self.rng.choice((1, 2, 3, 5))
                valid_until = _add_months(decided_on, 12 * years)
                parts.append(restriction_text.format(years=years))
            elif category == "降低资质等级":
                parts.append("降低建筑业企业资质等级（施工总承包二级降为三级）")
            else:
                parts.append(category)
        out["content"] = "；".join(parts)
        out["valid_until"] = valid_until
        return out

    def _licence(self, domain: str, subject: EntityPlan) -> str:
        code = subject.data.get("uscc") or ""
        digits = "".join(self.rng.choice("0123456789") for _ in range(10))
        if domain in ("construction_bidding", "housing"):
            return f"安全生产许可证（（浙）JZ安许证字〔{self.rng.randint(2015, 2023)}〕{digits[:6]}）"
        if domain == "drug_procurement":
            return f"药品经营许可证（浙AA571{digits[:4]}）"
        if domain == "mining":
            return f"采矿许可证（C330000{self.rng.randint(2010, 2022)}{digits}）"
        if domain == "emission_rights" and code and code != uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER:
            return f"排污许可证（{code}001P）"
        if code and code != uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER:
            return f"营业执照（统一社会信用代码{code}）"
        return f"营业执照（注册号{subject.data.get('business_registration_no', '')}）"

    def _plan_correction(self, plan: PenaltyPlan) -> None:
        """更正: the record was entered with a mistake, later corrected from the written decision."""
        data = plan.data
        fine = data.get("fine_amount")
        if fine is not None and self.rng.random() < 0.6:
            yuan = int(fine * 10_000)
            changes = {"fine_amount": fine, "content": data["content"]}
            data["fine_amount"] = _wan(yuan * 10)  # entered with one zero too many
            data["content"] = data["content"].replace(_fine_text(yuan), _fine_text(yuan * 10))
            plan.correction = (changes, "罚款金额录入时多输一位，按处罚决定书原件更正")
        elif data.get("project_code") and self.rng.random() < 0.5:
            changes = {"project_code": data["project_code"]}
            data["project_code"] = data["project_code"][::-1]  # entered back to front
            plan.correction = (changes, "项目编号录入错误，按处罚决定书原件更正")
        else:
            first, rest = data["facts"].split("，", 1)
            changes = {"facts": data["facts"]}
            day = _parse_cn_date(first) - dt.timedelta(days=self.rng.randint(1, 15))
            data["facts"] = f"{_cn_date(day)}，{rest}"
            plan.correction = (changes, "违法事实中的发生日期录入错误，按处罚决定书原件更正")

    # list entries

    def make_list_entries(self, count: int) -> list[ListEntryPlan]:
        states = list(_STATE_WEIGHTS)
        specs: list[tuple[ListKind, str, str]] = []
        for kind in LISTS:  # every list of every authority that keeps it
            for key in kind.authorities:
                specs.append((kind, key, self._state_for(kind)))
        for state in states:  # every state
            kind = self.rng.choice([k for k in LISTS if self._fits(k, state)])
            specs.append((kind, self.rng.choice(kind.authorities), state))
        while len(specs) < count:
            kind = self.rng.choice(LISTS)
            specs.append((kind, self.rng.choice(kind.authorities), self._state_for(kind)))
        self.rng.shuffle(specs)
        grounds = [self.rng.choice(kind.grounds) for kind, _, _ in specs]
        subjects: dict[int, int] = {}
        # Offenders first, so the red lists can prefer entities with a clean record.
        for red in (False, True):
            for i, (kind, key, _) in enumerate(specs):
                if (kind.list_type == "red") != red:
                    continue
                pool = self._pool(_AUTHORITY[key], ("natural_person",) if grounds[i].people else kind.subjects)
                subjects[i] = self._commendable(pool) if red else self._offender(pool)
        return [self._list_entry(kind, key, state, grounds[i], subjects[i])
                for i, (kind, key, state) in enumerate(specs)]

    def _state_for(self, kind: ListKind) -> str:
        states = [s for s in _STATE_WEIGHTS if self._fits(kind, s)]
        return self.rng.choices(states, weights=[_STATE_WEIGHTS[s] for s in states])[0]

    def _list_entry(self, kind: ListKind, key: str, state: str, ground: Ground, entity: int) -> ListEntryPlan:
        spec = _AUTHORITY[key]
        listed_on, expires_on, changed_on = self._list_dates(kind, state)
        project = self._project(kind.domains[0], spec, listed_on.year) if "{project}" in ground.facts else None
        facts = ground.facts.format(project=project.label if project else "")
        if kind.list_type != "red":
            facts = f"{_cn_date(listed_on - dt.timedelta(days=self.rng.randint(30, 240)))}，{facts}"
        data: dict[str, Any] = {
            "list_type": kind.list_type,
            "list_name": kind.list_name,
            "domains": list(kind.domains),
            "decision_number": self._number(spec.list_prefix, listed_on.year),
            "reason_category": ground.category,
            "facts": facts + "。",
            "legal_basis": ground.basis,
            "project_code": project.code if project else None,
            "listed_on": listed_on,
            "expires_on": expires_on,
        }
        if kind.list_type != "red" and self.rng.random() < 0.04:
            data.update(is_public=False, not_public_reason=NOT_PUBLIC_REASON)
        subject = self.entities[entity].data
        if kind.list_type == "black" and subject.get("legal_rep_id_number"):
            # 失信相关人 (发改法规〔2018〕457号): the decision names the company's legal representative.
            data["responsible_persons"] = [{
                "role": "legal_representative", "name": subject["legal_representative"],
                "id_type": subject["legal_rep_id_type"], "id_number": subject["legal_rep_id_number"],
            }]
        plan = ListEntryPlan(key, entity, data, state)
        if state == "removed" and changed_on is not None:
            reason = self.rng.choice(_REMOVAL_REASONS[kind.list_type]).format(list_name=kind.list_name)
            plan.transition = ("removed", changed_on, reason)
        elif state == "repaired" and changed_on is not None:
            plan.transition = ("repaired", changed_on, _REPAIR_REASON)
        elif state == "revoked" and changed_on is not None:
            plan.transition = ("revoked", changed_on, _REVOCATION_REASON)
        return plan

    def _list_dates(self, kind: ListKind, state: str) -> tuple[dt.date, dt.date | None, dt.date | None]:
        """(listed_on, expires_on, the day of removal or repair) that put the entry in `state` today."""
        today = self.today
        months: int | None = None
        if kind.months is not None:
            low, high = kind.months
            months = self.rng.choice(range(low, high + 1, 6))
            if state == "repaired" and months <= self._repair_after(kind):
                months = high
        if state == "expired" and months is not None:
            listed_on = _add_months(today, -months) - dt.timedelta(days=self.rng.randint(0, 720))
        else:
            earliest = (_add_months(today, -months) if months else today - dt.timedelta(days=3 * 365)) + dt.timedelta(days=1)
            latest = _add_months(today, -self._repair_after(kind)) if state == "repaired" else today
            listed_on = self._between(earliest, latest)
        expires_on = None
        if months is not None:
            # expires_on is the last day in force: a 12-month ban listed 2026-03-01 ends 2027-02-28.
            expires_on = _add_months(listed_on, months) - dt.timedelta(days=1)
            # Month ends can land the last day of an entry meant to be current before today
            # (listed 2023-08-30 for 6 months ends 2024-02-28): list it a day later.
            while state != "expired" and expires_on < today:
                listed_on += dt.timedelta(days=1)
                expires_on = _add_months(listed_on, months) - dt.timedelta(days=1)
        changed_on = None
        if state in ("removed", "revoked"):
            changed_on = self._between(listed_on, today)
        elif state == "repaired":
            changed_on = self._between(min(_add_months(listed_on, self._repair_after(kind)), today), today)
        return listed_on, expires_on, changed_on

    def _repair_after(self, kind: ListKind) -> int:
        months = self.catalogue.list_repair_after_months(kind.list_name)
        if months is None:
            raise ValueError(f"{kind.list_name} cannot be repaired")
        return months

    def _fits(self, kind: ListKind, state: str) -> bool:
        """Whether an entry of `kind` can be in `state`: no expiry, no expired; repaired only where
        the list catalogue allows repair (never red lists) within the listing period."""
        if state == "expired":
            return kind.months is not None
        if state == "repaired":
            months = self.catalogue.list_repair_after_months(kind.list_name)
            return (kind.list_type != "red" and months is not None
                    and (kind.months is None or kind.months[1] > months))
        return True

    # after the records: who registers each entity, and which are renamed

    def finish_entities(self, list_entries: list[ListEntryPlan], penalties: list[PenaltyPlan]) -> None:
        latest: dict[int, dt.date] = {}
        records: list[ListEntryPlan | PenaltyPlan] = [*list_entries, *penalties]
        for record in records:  # in the order seed_demo writes them
            if record.entity not in latest:
                self.entities[record.entity].registrar = record.authority  # whoever first records it
            days = [record.data.get("listed_on") or record.data["decided_on"]]
            if isinstance(record, ListEntryPlan) and record.transition:
                days.append(record.transition[1])
            if isinstance(record, PenaltyPlan) and record.revocation:
                days.append(record.revocation[0])
            latest[record.entity] = max([*days, latest.get(record.entity, dt.date.min)])
        # 更名: a few firms were renamed after their last record, which keeps the name it was decided under.
        starts: dict[int, tuple[dt.date, str]] = {}
        for i, plan in enumerate(self.entities):
            if plan.kind == "legal_entity" and plan.sector is not None:
                start = max(latest.get(i, dt.date.min), plan.data["name_since"] + dt.timedelta(days=365))
                if start < self.today:
                    starts[i] = (start, plan.sector)
        renamed = [i for i in starts if self.rng.random() < 0.08] or list(starts)[:1]
        for i in renamed:
            plan, (start, sector) = self.entities[i], starts[i]
            city = next((c for c in CITIES if plan.data["uscc"][2:6] == c.code[:4]), CITIES[0])
            if plan.trade and plan.industry and self.rng.random() < 0.4 and "集团" not in plan.name:
                new_name = f"浙江{plan.trade}{plan.industry}集团有限公司"
                if new_name in self.names:
                    new_name = self._fresh_company_name(sector, city)[0]
                self.names.add(new_name)
            else:
                new_name = self._fresh_company_name(sector, city)[0]
            plan.rename = (new_name, self._between(start + dt.timedelta(days=1), self.today))


# --- small helpers ----------------------------------------------------------------------


def _organisation_code(body: str) -> str:
    """Append the GB 11714 check character to an eight-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(w * (int(c) if c.isdigit() else ord(c) - 55) for w, c in zip(weights, body, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def _registration_number(first14: str) -> str:
    """Append the check digit (ISO 7064 MOD 11,10) to a 15-digit 工商注册号."""
    product = 10
    for ch in first14:
        total = (product + int(ch)) % 10 or 10
        product = (2 * total) % 11
    return first14 + str((11 - product) % 10)


def _place(code: str) -> str:
    """How a shop or project names its place: 杭州市西湖区, or 瑞安市 for a county-level city."""
    full = (region.region_name(code) or "").removeprefix("浙江省")
    city = (region.region_name(code[:4] + "00") or "").removeprefix("浙江省")
    rest = full.removeprefix(city)
    return rest if rest.endswith("市") else full


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _parse_cn_date(text: str) -> dt.date:
    year, rest = text.split("年")
    month, rest = rest.split("月")
    return dt.date(int(year), int(month), int(rest.rstrip("日")))


def _wan(yuan: int | Decimal) -> Decimal:
    """Yuan as 万元, the unit of the 双公示 fields: 2,000 yuan is 0.2."""
    return plain_amount(Decimal(yuan) / Decimal(10_000))


def _fine_text(yuan: int) -> str:
    return f"罚款人民币{yuan:,}元"


# --- loading ----------------------------------------------------------------------------


def _supervisor(spec: AuthoritySpec, authority_id: int) -> Actor:
    return Actor(key_id=None, name=f"{spec.name}（演示）", role="supervisor", authority_id=authority_id)


def seed_demo(
    session: Session, *, vault: IdentityVault, rules: Rules, today: dt.date, rng_seed: int = 2026,
    entities: int = 300,
) -> DemoSummary:
    """Load the demo registry through the services; flushes, never commits. Keys are returned in clear, once."""
    plan = plan_demo(today=today, rng_seed=rng_seed, entities=entities, catalogue=rules.catalogue)
    ids: dict[str, int] = {}
    actors: dict[str, Actor] = {}
    for spec in AUTHORITIES:
        authority = create_authority(session, {
            "name": spec.name, "uscc": plan.authority_usccs[spec.key], "region_code": spec.region_code,
            "domains": list(spec.domains), "parent_id": ids[spec.parent] if spec.parent else None,
        }, SEED_ADMIN)
        ids[spec.key] = authority.id
        actors[spec.key] = _supervisor(spec, authority.id)

    created: list[Entity] = []
    for subject in plan.entities:
        actor = actors[subject.registrar]
        entity = create_entity(session, subject.data, actor, vault)
        if subject.alias:
            entity = add_entity_name(session, entity.id, {"name": subject.alias, "kind": "alias"}, actor,
                                     entity.version)
        if subject.former:
            name, valid_from, valid_to = subject.former
            entity = add_entity_name(session, entity.id, {
                "name": name, "kind": "former", "valid_from": valid_from, "valid_to": valid_to,
            }, actor, entity.version)
        created.append(entity)
    entity_ids = [e.id for e in created]

    # When each record was first published: mostly within its deadline, some late (公开时效).
    delays = random.Random(rng_seed * 31 + 7)

    def published_at(decided_on: dt.date) -> dt.datetime:
        delay = delays.choices(_PUBLISH_DELAYS, weights=_PUBLISH_DELAY_WEIGHTS)[0]
        day = min(rules.calendar.add_working_days(decided_on, delay).value, today)
        if day == today:
            return utcnow()
        return dt.datetime.combine(day, dt.time(9, 30), tzinfo=CHINA).astimezone(dt.UTC)

    for listing in plan.list_entries:
        actor = actors[listing.authority]
        entry = create_list_entry(session, {**listing.data, "entity_id": entity_ids[listing.entity]}, actor, today,
                                  rules=rules, now=published_at(listing.data["listed_on"]), vault=vault)
        if listing.transition is not None:
            status, day, reason = listing.transition
            change = {"removed": remove_list_entry, "repaired": repair_list_entry,
                      "revoked": revoke_list_entry}[status]
            change(session, entry.id, reason, day, actor, entry.version, today)

    for decision in plan.penalties:
        actor = actors[decision.authority]
        data = {**decision.data, "entity_id": entity_ids[decision.entity]}
        if decision.data_source:
            data["data_source_authority_id"] = ids[decision.data_source]
        penalty = record_penalty(session, data, actor, today, rules=rules, now=published_at(data["decided_on"]),
                                 vault=vault)
        if decision.correction is not None:
            changes, reason = decision.correction
            penalty = correct_penalty(session, penalty.id, changes, reason, actor, penalty.version, today,
                                      rules=rules)
        if decision.revocation is not None:
            revoked_on, reason = decision.revocation
            revoke_penalty(session, penalty.id, reason, revoked_on, actor, penalty.version, today)

    # Renamed after their records were decided: the records keep the name they were decided under.
    # A rename of an entity that carries several authorities' records is an administrator's
    # (the registration authority's change, entered centrally), never one supervisor's.
    for entity, subject in zip(created, plan.entities, strict=True):
        if subject.rename is not None:
            name, renamed_on = subject.rename
            update_entity(session, entity.id, {"name": name, "renamed_on": renamed_on},
                          OPERATOR, entity.version, vault, today)

    example = next((
        (person["name"], person["id_number"], created[listing.entity].name, listing.data["list_name"])
        for listing in plan.list_entries
        if listing.transition is None and (listing.data["expires_on"] or today) >= today
        for person in listing.data.get("responsible_persons", [])
    ), None)
    keys = [_key(session, "admin", "演示管理员", None)]
    keys += [_key(session, "supervisor", f"{spec.name}（演示）", ids[spec.key]) for spec in AUTHORITIES]
    keys.append(_key(session, "screener", "杭州市公共资源交易中心（演示）", None))
    keys.append(_key(session, "platform", "信用浙江（演示）", None))
    session.flush()
    return DemoSummary(
        authorities=len(AUTHORITIES),
        entities=len(plan.entities),
        list_entries=len(plan.list_entries),
        penalties=len(plan.penalties),
        keys=keys,
        responsible_person=example,
    )


def _key(session: Session, role: str, name: str, authority_id: int | None) -> DemoKey:
    key, secret = access.create_key(session, role=role, name=name, authority_id=authority_id, actor=SEED_ADMIN)
    return DemoKey(role, authority_id, key.name, secret)
