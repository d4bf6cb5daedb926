"""Parsing a name into 行政区划 + 字号 + 行业 + 组织形式 (+ 分支机构)."""

from __future__ import annotations

import pytest

from matching.parse import EMPTY, parse_name
from matching.readings import trade_with_region


def parts(name):
    p = parse_name(name)
    return p.region_text, p.trade_name, p.industry_text, p.legal_form


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("杭州合晟建设工程有限公司", ("杭州", "合晟", "建设工程", "有限公司")),
        ("杭州市合晟建设工程有限公司", ("杭州市", "合晟", "建设工程", "有限公司")),
        ("浙江省杭州市西湖区合晟电子科技有限公司", ("浙江省杭州市西湖区", "合晟", "电子科技", "有限公司")),
        ("浙江合晟建设工程有限公司", ("浙江", "合晟", "建设工程", "有限公司")),
        ("义乌市合晟贸易商行", ("义乌市", "合晟", "贸易", "商行")),
        ("浙江义乌合晟贸易商行", ("浙江义乌", "合晟", "贸易", "商行")),
        # a county-level short form alone at the start is more often a 字号 (东山峰, 龙泉寺)
        ("义乌合晟贸易商行", ("", "义乌合晟", "贸易", "商行")),
        ("永州冷水滩柔诺贸易有限公司", ("永州冷水滩", "柔诺", "贸易", "有限公司")),
        ("杭州西湖合晟科技有限公司", ("杭州西湖", "合晟", "科技", "有限公司")),
        ("西湖合晟科技有限公司", ("", "西湖合晟", "科技", "有限公司")),
        ("合晟建设工程有限公司", ("", "合晟", "建设工程", "有限公司")),
        ("华为技术有限公司", ("", "华为", "技术", "有限公司")),
        # the industry, longest match first
        ("杭州合晟建筑装饰工程有限公司", ("杭州", "合晟", "建筑装饰工程", "有限公司")),
        ("杭州合晟园林绿化有限公司", ("杭州", "合晟", "园林绿化", "有限公司")),
        ("杭州合晟物业管理有限公司", ("杭州", "合晟", "物业管理", "有限公司")),
        ("杭州合晟信息技术服务有限公司", ("杭州", "合晟", "信息技术服务", "有限公司")),
        ("杭州合晟有限公司", ("杭州", "合晟", "", "有限公司")),
        # a name without a legal form
        ("杭州合晟建设工程", ("杭州", "合晟", "建设工程", "")),
    ],
)
def test_parts(name, expected):
    assert parts(name) == expected


def test_region_in_brackets_after_the_trade_name():
    p = parse_name("合晟建设工程（杭州）有限公司")
    assert (p.trade_name, p.industry_text, p.legal_form) == ("合晟", "建设工程", "有限公司")
    assert [(m.text, m.bracketed) for m in p.regions] == [("杭州", True)]
    assert p.region_codes == frozenset({"330100"})
    assert parse_name("合晟(杭州)建设工程有限公司").region_codes == frozenset({"330100"})
    assert parse_name("合晟建设工程有限公司(杭州)").region_codes == frozenset({"330100"})


def test_bracketed_national_region():
    p = parse_name("阿里巴巴（中国）网络技术有限公司")
    assert p.industry_text == "网络技术"
    assert "中国" in p.region_text


def test_brackets_that_are_not_a_region_are_unwrapped():
    p = parse_name("合晟（亚太）物流有限公司")
    assert (p.region_text, p.trade_name, p.industry_text) == ("", "合晟亚太", "物流")


@pytest.mark.parametrize(
    ("name", "canonical", "written"),
    [
        ("杭州合晟建设工程有限公司", "有限公司", "有限公司"),
        ("杭州合晟建设工程有限责任公司", "有限公司", "有限责任公司"),
        ("杭州合晟建设工程股份有限公司", "股份有限公司", "股份有限公司"),
        ("杭州合晟建设集团有限公司", "集团", "集团有限公司"),
        ("杭州合晟建设集团", "集团", "集团"),
        ("浙江合晟建设（集团）有限公司", "集团", "集团有限公司"),
        ("杭州合晟投资合伙企业（有限合伙）", "合伙企业(有限合伙)", "合伙企业(有限合伙)"),
        ("杭州合晟会计师事务所（特殊普通合伙）", "合伙企业(特殊普通合伙)", "(特殊普通合伙)"),
        ("杭州合晟贸易个人独资企业", "个人独资企业", "个人独资企业"),
        ("杭州合晟小吃店", "店", "店"),
        ("杭州合晟五金经营部", "经营部", "经营部"),
        ("杭州合晟机械厂", "厂", "厂"),
        ("杭州合晟商行", "商行", "商行"),
    ],
)
def test_legal_forms(name, canonical, written):
    p = parse_name(name)
    assert (p.legal_form, p.legal_form_text) == (canonical, written)


def test_equivalent_legal_forms_give_the_same_key():
    assert parse_name("杭州合晟建设工程有限责任公司").key == parse_name("杭州合晟建设工程有限公司").key
    assert parse_name("浙江合晟建设（集团）有限公司").key == parse_name("浙江合晟建设集团").key
    assert parse_name("杭州合晟建设工程股份有限公司").key != parse_name("杭州合晟建设工程有限公司").key


def test_the_key_keeps_a_bracketed_region():
    assert parse_name("合晟建设工程（杭州）有限公司").key != parse_name("合晟建设工程（宁波）有限公司").key
    assert parse_name("合晟建设工程（杭州）有限公司").key == parse_name("合晟建设工程有限公司(杭州)").key


@pytest.mark.parametrize(
    ("name", "head", "qualifier", "suffix"),
    [
        ("杭州合晟建设工程有限公司宁波分公司", "杭州合晟建设工程有限公司", "宁波", "分公司"),
        ("杭州合晟建设工程有限责任公司宁波市鄞州区分公司", "杭州合晟建设工程有限责任公司", "宁波市鄞州区", "分公司"),
        ("杭州合晟建设工程有限公司第一分公司", "杭州合晟建设工程有限公司", "第一", "分公司"),
        ("杭州合晟建设工程有限公司分公司", "杭州合晟建设工程有限公司", "", "分公司"),
        ("杭州合晟餐饮管理有限公司城东分店", "杭州合晟餐饮管理有限公司", "城东", "分店"),
        ("杭州合晟建设工程有限公司上海办事处", "杭州合晟建设工程有限公司", "上海", "办事处"),
        ("合晟证券股份有限公司杭州延安路证券营业部", "合晟证券股份有限公司", "杭州延安路证券", "营业部"),
        ("杭州合晟机械有限公司萧山分厂", "杭州合晟机械有限公司", "萧山", "分厂"),
        # no legal form before the qualifier: the qualifier is the trailing region
        ("合晟建设宁波分公司", "合晟建设", "宁波", "分公司"),
    ],
)
def test_branches_link_to_their_head_company(name, head, qualifier, suffix):
    p = parse_name(name)
    assert p.branch is not None
    assert (p.branch.head.text, p.branch.qualifier, p.branch.suffix) == (head, qualifier, suffix)
    # the parts are the head company's, the region the branch's own
    assert p.trade_name == p.branch.head.trade_name


def test_a_branch_region_is_its_own_and_its_head_key_is_the_head_name():
    p = parse_name("杭州合晟建设工程有限公司宁波分公司")
    assert p.region_codes == frozenset({"330200"})
    assert p.branch.head.region_codes == frozenset({"330100"})
    assert p.branch.head.key == parse_name("杭州合晟建设工程有限公司").key


def test_a_shop_is_not_a_branch():
    assert parse_name("杭州合晟便利店").branch is None
    assert parse_name("杭州合晟五金经营部").branch is None


@pytest.mark.parametrize(
    ("name", "region", "trade", "industry"),
    [
        # a "region" that would leave less than two characters is the trade name
        ("杭州湾有限公司", "", "杭州湾", ""),
        ("金华建设有限公司", "", "金华", "建设"),
        ("浙江金华建设有限公司", "浙江", "金华", "建设"),
        # one character left: the first industry word belongs to the trade name,
        # so the parse does not depend on whether the region was written
        ("和文化生物科技有限公司", "", "和文化", "生物科技"),
        ("沅陵县和文化生物科技有限公司", "沅陵县", "和文化", "生物科技"),
        # …but after a short region, the region is part of it
        ("金昌利医药集团有限公司", "", "金昌利", "医药"),
        ("甘肃金昌利医药集团有限公司", "甘肃", "金昌利", "医药"),
        ("东山峰食品有限公司", "", "东山峰", "食品"),
        ("兴和东山峰食品有限公司", "", "兴和东山峰", "食品"),
        ("内蒙古兴和东山峰食品有限公司", "内蒙古兴和", "东山峰", "食品"),
        # a region only chains when each lies inside the one before
        ("北京东方雨虹防水技术股份有限公司", "北京", "东方雨虹", "防水技术"),
        # unbracketed, 中国 begins a trade name
        ("中国建筑第八工程局有限公司", "", "中国建筑第八工程局", ""),
    ],
)
def test_trade_names_have_two_characters_at_least(name, region, trade, industry):
    assert parts(name)[:3] == (region, trade, industry)


def test_trade_with_region():
    assert trade_with_region(parse_name("中山合晟科技有限公司")) == ("中山合晟", 2)
    assert trade_with_region(parse_name("东方雨虹防水技术股份有限公司")) == ("东方雨虹", 0)
    assert trade_with_region(parse_name("合晟建设工程（杭州）有限公司")) == ("合晟", 0)
    assert trade_with_region(parse_name("杭州合晟建设工程有限公司宁波分公司")) == ("杭州合晟", 2)


def test_traditional_and_full_width_names_parse_the_same():
    assert parse_name("杭州合晟建設工程有限責任公司") == parse_name("杭州合晟建设工程有限责任公司")
    assert parse_name("合晟建设工程（杭州）有限公司").key == parse_name("合晟建设工程【杭州】有限公司").key


@pytest.mark.parametrize("name", ["", "   ", "（）", "。，！"])
def test_nothing_left_is_empty(name):
    assert parse_name(name) is EMPTY or parse_name(name).is_empty
