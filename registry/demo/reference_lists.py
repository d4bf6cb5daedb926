"""The demo's lists (名单): each list kind with its type, domains and deciding authorities, and the
grounds (列入事由) an entry is made on, with their legal basis.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.demo.reference import FINANCE, HOUSING


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
ZJ_PROCUREMENT_BASIS = "《中华人民共和国政府采购法》第七十七条"
_DRUG_BASIS = "《国家医疗保障局关于建立医药价格和招采信用评价制度的指导意见》（医保发〔2020〕34号）"

LISTS = (
    ListKind(
        FINANCE,
        "black",
        "政府采购严重违法失信行为记录名单",
        ("procurement",),
        (12, 36),
        (
            Ground(
                "提供虚假材料谋取中标、成交",
                "在{project}中提供虚假的业绩证明和社保缴纳证明材料，谋取中标",
                ZJ_PROCUREMENT_BASIS,
            ),
            Ground(
                "与其他供应商恶意串通",
                "在{project}中与其他供应商事先约定投标报价，相互串通投标",
                ZJ_PROCUREMENT_BASIS + "；《中华人民共和国政府采购法实施条例》第七十四条",
            ),
            Ground(
                "中标后无正当理由拒不签订政府采购合同",
                "{project}中标后无正当理由拒不与采购人签订政府采购合同",
                "《中华人民共和国政府采购法实施条例》第七十二条",
            ),
        ),
    ),
    ListKind(
        HOUSING,
        "black",
        "工程建设领域严重失信主体名单",
        ("construction_bidding",),
        (12, 36),
        (
            Ground(
                "转包、违法分包",
                "承接{project}后将主体结构施工违法分包给不具备相应资质的单位",
                "《中华人民共和国建筑法》第二十八条、第二十九条；《建筑市场信用管理暂行办法》",
            ),
            Ground(
                "拖欠农民工工资",
                "在{project}中拖欠农民工工资，经责令限期支付逾期仍未支付",
                "《保障农民工工资支付条例》第四十八条",
            ),
            Ground(
                "发生较大生产安全事故",
                "{project}施工中发生较大生产安全事故，负有主要责任",
                "《建筑市场信用管理暂行办法》",
            ),
        ),
    ),
    ListKind(
        HOUSING,
        "watch",
        "重点关注名单",
        ("construction_bidding", "housing"),
        (6, 12),
        (
            Ground(
                "资质条件不符合要求",
                "经动态核查，企业注册建造师人数等资质条件不再满足要求，整改期间列入重点关注",
                "《建筑业企业资质管理规定》",
            ),
            Ground(
                "保障性住房工程质量问题",
                "承建的{project}存在质量问题，经责令整改未按期完成",
                "《建设工程质量管理条例》",
            ),
        ),
    ),
    ListKind(
        (*HOUSING, "zj_development"), "red", "守信激励对象名单", ("construction_bidding",), (24, 36), _RED_GROUNDS
    ),
    # 招标投标 bans run as long as the law allows for what was done (lists.json periods).
    ListKind(
        ("zj_development",),
        "black",
        "招标投标违法行为记录名单",
        ("construction_bidding",),
        (12, 24),
        (
            Ground(
                "串通投标",
                "在{project}投标中与其他投标人相互串通投标报价",
                "《中华人民共和国招标投标法》第五十三条；《中华人民共和国招标投标法实施条例》第六十七条",
            ),
        ),
    ),
    ListKind(
        ("zj_development",),
        "black",
        "招标投标违法行为记录名单",
        ("construction_bidding",),
        (12, 36),
        (
            Ground(
                "弄虚作假骗取中标",
                "在{project}投标中使用伪造的项目经理业绩证明，骗取中标",
                "《中华人民共和国招标投标法》第五十四条；《中华人民共和国招标投标法实施条例》第六十八条",
            ),
        ),
    ),
    # 招标投标法 Art. 56 takes a 评标 member off every 评标 for good: no term, so no bidding-ban list.
    ListKind(
        ("zj_development",),
        "black",
        "评标专家不良行为记录名单",
        ("construction_bidding",),
        None,
        (
            Ground(
                "评标委员会成员收受投标人财物",
                "担任{project}评标委员会成员期间收受投标人财物",
                "《中华人民共和国招标投标法》第五十六条",
                people=True,
            ),
        ),
    ),
    ListKind(
        ("zj_resources",),
        "black",
        "国有建设用地使用权出让失信行为名单",
        ("land",),
        (12, 36),
        (
            Ground(
                "竞得后不签订出让合同",
                "竞得{project}后逾期未签订国有建设用地使用权出让合同",
                "《招标拍卖挂牌出让国有建设用地使用权规定》",
            ),
            Ground(
                "未按期缴纳土地出让价款",
                "{project}出让合同签订后未按约定期限缴纳土地出让价款",
                "《招标拍卖挂牌出让国有建设用地使用权规定》",
            ),
        ),
    ),
    ListKind(
        ("zj_resources",),
        "watch",
        "矿业权人勘查开采信息公示异常名录",
        ("mining",),
        (12, 36),
        (
            Ground(
                "未按期公示勘查开采信息",
                "未按规定期限填报并公示上一年度勘查开采信息",
                "《矿业权人勘查开采信息公示办法》",
            ),
            Ground("公示信息不实", "公示的{project}勘查开采信息与实地核查情况不符", "《矿业权人勘查开采信息公示办法》"),
        ),
    ),
    ListKind(
        ("zj_sasac",),
        "black",
        "国有产权交易失信行为记录名单",
        ("state_assets",),
        (12, 36),
        (
            Ground(
                "恶意串通压低交易价格",
                "在{project}中与其他意向受让方恶意串通，压低交易价格",
                "《企业国有资产交易监督管理办法》",
            ),
            Ground(
                "逾期未支付交易价款",
                "受让{project}后逾期未支付转让价款，经催告仍未履行",
                "《企业国有资产交易监督管理办法》",
            ),
        ),
    ),
    ListKind(
        ("zj_healthcare_security",),
        "black",
        "医药价格和招采严重失信主体名单",
        ("drug_procurement",),
        (12, 24),
        (
            Ground("给予回扣或其他不正当利益", "在{project}中向医疗机构有关人员给予回扣", _DRUG_BASIS),
            Ground("中选后未按协议保障供应", "{project}中选后未按协议约定保障供应，累计断供超过规定时限", _DRUG_BASIS),
        ),
    ),
    ListKind(
        ("zj_healthcare_security",),
        "watch",
        "重点关注名单",
        ("drug_procurement",),
        (6, 12),
        (Ground("挂网价格异常", "在{project}中挂网价格明显高于周边省份同品规价格，经约谈未及时调整", _DRUG_BASIS),),
    ),
    ListKind(
        ("zj_ecology",),
        "black",
        "排污权交易严重失信主体名单",
        ("emission_rights",),
        (12, 36),
        (
            Ground("篡改、伪造自动监测数据", "篡改污染物排放自动监测数据，逃避监管", "《排污许可管理条例》第三十四条"),
            Ground(
                "超过许可排放量排放污染物",
                "实际排放量超过排污许可证载明的许可排放量，且未在{project}中购入相应排污权",
                "《排污许可管理条例》第三十四条",
            ),
        ),
    ),
    ListKind(
        ("zj_ecology",),
        "watch",
        "重点关注名单",
        ("emission_rights",),
        (6, 12),
        (Ground("未按时提交排污许可证执行报告", "未按排污许可证规定的频次提交执行报告", "《排污许可管理条例》"),),
    ),
    ListKind(
        ("hz_market",),
        "black",
        "严重违法失信名单",
        ("procurement", "construction_bidding"),
        (36, 36),
        (
            Ground(
                "提交虚假材料取得登记",
                "提交虚假材料骗取变更登记，被撤销登记",
                "《市场监督管理严重违法失信名单管理办法》",
            ),
            Ground(
                "列入经营异常名录届满三年仍未履行义务",
                "列入经营异常名录届满三年仍未履行公示义务",
                "《市场监督管理严重违法失信名单管理办法》",
            ),
        ),
        subjects=("legal_entity", "individual_business"),
    ),
    ListKind(
        ("hz_market",),
        "watch",
        "经营异常名录",
        ("procurement",),
        None,
        (
            Ground(
                "通过登记的住所无法联系",
                "经实地核查，通过登记的住所或者经营场所无法联系",
                "《企业经营异常名录管理暂行办法》第四条",
            ),
            Ground(
                "未按规定报送年度报告", "未按规定期限报送上一年度年度报告", "《企业经营异常名录管理暂行办法》第四条"
            ),
        ),
        subjects=("legal_entity", "individual_business"),
    ),
)
