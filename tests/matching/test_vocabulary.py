"""The curated words: industries (行业) and legal forms (组织形式, 分支机构)."""

from __future__ import annotations

import pytest

from matching.industries import head_group, industry_agreement, industry_suffix
from matching.legal_forms import branch_suffix, form_agreement, legal_form_suffix, legal_forms


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("合晟建设工程", "建设工程"),  # longest first, not 工程
        ("合晟建筑装饰工程", "建筑装饰工程"),
        ("合晟环保科技", "环保科技"),
        ("合晟电子科技", "电子科技"),
        ("合晟物业管理", "物业管理"),
        ("合晟", None),
        ("科技", None),  # a word must leave something before it
    ],
)
def test_industry_suffix_longest_first(text, word):
    assert industry_suffix(text, keep=1) == word


def test_industry_agreement():
    assert industry_agreement(("建设工程",), ("建设工程",)) == 1.0
    assert industry_agreement(("建设工程",), ("建筑工程",)) == 0.9
    assert industry_agreement(("商贸",), ("贸易",)) == 0.9
    assert industry_agreement(("科技",), ("电子科技",)) == 0.6  # a bare 科技 fits any technology
    assert industry_agreement(("科技",), ("信息技术",)) == 0.6
    assert industry_agreement(("科技",), ("建设工程",)) == 0.0  # …and nothing else
    assert industry_agreement(("实业",), ("建设工程",)) == 0.6  # 实业 says little
    assert industry_agreement(("工程咨询",), ("建筑装饰工程",)) == 0.0
    assert industry_agreement(("医药",), ("建设工程",)) == 0.0
    assert head_group(("信息技术", "服务")) == "it"
    assert industry_agreement(("建筑", "装饰工程"), ("装饰工程",)) == 0.75
    assert industry_agreement(("体育", "供应链管理"), ("电器", "供应链管理")) == 0.2


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("合晟建设工程有限公司", "有限公司"),
        ("合晟建设工程有限责任公司", "有限责任公司"),
        ("合晟建设工程股份有限公司", "股份有限公司"),
        ("合晟建设集团有限公司", "集团有限公司"),
        ("合晟投资合伙企业(有限合伙)", "合伙企业(有限合伙)"),
        ("合晟小吃店", "店"),
        ("合晟便利店", "便利店"),
        ("合晟", None),
        ("有限公司", "公司"),  # a form must leave something before it
    ],
)
def test_legal_form_suffix_longest_first(text, form):
    assert legal_form_suffix(text) == form


def test_equivalent_forms_share_a_canonical_name():
    forms = legal_forms()
    assert forms["有限责任公司"].canonical == forms["有限公司"].canonical == "有限公司"
    assert forms["集团有限公司"].canonical == forms["集团"].canonical == forms["集团公司"].canonical
    assert forms["股份公司"].canonical == "股份有限公司"


def test_form_agreement():
    assert form_agreement("有限公司", "有限公司") == 1.0
    assert form_agreement("有限公司", "公司") == 0.8
    assert form_agreement("有限公司", "股份有限公司") == 0.6
    assert form_agreement("经营部", "门市部") == 0.7
    assert form_agreement("有限公司", "店") == 0.0
    assert form_agreement("合伙企业", "有限公司") == 0.0


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        ("合晟有限公司宁波分公司", "分公司"),
        ("合晟有限公司城东分店", "分店"),
        ("合晟有限公司上海办事处", "办事处"),
        ("合晟证券营业部", "营业部"),
        ("合晟银行杭州分行", "分行"),
        ("合晟便利店", None),
        ("分公司", None),
    ],
)
def test_branch_suffix(text, suffix):
    assert branch_suffix(text) == suffix
