"""The demo's penalty cases (处罚案由): what was done, under which article, and the outcomes it may have."""

from __future__ import annotations

from dataclasses import dataclass

from registry.demo.reference import FINANCE, HOUSING
from registry.demo.reference_lists import ZJ_PROCUREMENT_BASIS


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
    Case(
        FINANCE,
        "procurement",
        "提供虚假材料谋取中标",
        "在{project}中提供虚假的业绩证明材料谋取中标",
        ZJ_PROCUREMENT_BASIS,
    ),
    Case(FINANCE, "procurement", "恶意串通", "在{project}中与其他供应商恶意串通投标", ZJ_PROCUREMENT_BASIS),
    Case(
        FINANCE,
        "procurement",
        "评审专家违规评审",
        "担任{project}评审专家期间未按照采购文件规定的评审程序、方法和标准进行独立评审",
        "《中华人民共和国政府采购法实施条例》第七十五条",
        ("natural_person",),
    ),
    Case(
        HOUSING,
        "construction_bidding",
        "违法分包",
        "将{project}主体结构施工分包给不具备相应资质的单位",
        "《建设工程质量管理条例》第六十二条",
    ),
    Case(
        HOUSING,
        "construction_bidding",
        "未取得施工许可擅自施工",
        "{project}未取得施工许可证擅自施工",
        "《建筑工程施工许可管理办法》",
    ),
    Case(
        HOUSING,
        "housing",
        "擅自转租保障性住房",
        "将承租的{project}房源擅自转租",
        "《公共租赁住房管理办法》",
        ("natural_person",),
        ("其他", "责令退回所承租的公共租赁住房，{years}年内不得再次申请"),
    ),
    Case(
        ("zj_development",),
        "construction_bidding",
        "串通投标",
        "在{project}投标中与其他投标人串通投标报价",
        "《中华人民共和国招标投标法》第五十三条",
    ),
    Case(
        ("zj_development",),
        "construction_bidding",
        "评标委员会成员收受财物",
        "担任{project}评标委员会成员期间收受投标人财物",
        "《中华人民共和国招标投标法》第五十六条",
        ("natural_person",),
    ),
    Case(
        ("zj_resources",),
        "land",
        "未按期缴纳土地出让价款",
        "竞得{project}后未按出让合同约定期限缴纳土地出让价款",
        "《中华人民共和国城镇国有土地使用权出让和转让暂行条例》",
    ),
    Case(("zj_resources",), "mining", "越界开采", "超越{project}批准的矿区范围采矿", "《中华人民共和国矿产资源法》"),
    Case(
        ("zj_sasac",),
        "state_assets",
        "未经评估备案擅自转让国有产权",
        "在{project}中未经资产评估备案擅自转让",
        "《企业国有资产交易监督管理办法》",
    ),
    Case(
        ("zj_healthcare_security",),
        "drug_procurement",
        "串换药品结算",
        "将医保目录外药品串换为目录内药品进行结算",
        "《医疗保障基金使用监督管理条例》第三十八条",
        ("legal_entity", "individual_business"),
    ),
    Case(
        ("zj_ecology",),
        "emission_rights",
        "超过许可排放量排放污染物",
        "实际排放量超过排污许可证载明的许可排放量",
        "《排污许可管理条例》第三十四条",
    ),
    Case(
        ("zj_ecology",),
        "emission_rights",
        "未按规定开展自行监测",
        "未按照排污许可证规定开展自行监测",
        "《排污许可管理条例》",
    ),
    Case(
        ("hz_market",),
        "procurement",
        "虚假宣传",
        "在{project}投标文件及公司网站中虚构获奖和业绩",
        "《中华人民共和国反不正当竞争法》",
        ("legal_entity", "individual_business"),
    ),
    Case(
        ("hz_market",),
        "construction_bidding",
        "销售不合格产品",
        "向{project}供应的钢筋经监督抽检不合格",
        "《中华人民共和国产品质量法》第四十九条",
        ("legal_entity", "individual_business"),
    ),
)
