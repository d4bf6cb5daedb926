"""行政区划 names from python-stdnum's table: full names, short forms, containment."""

from __future__ import annotations

import pytest

from matching.regions import NATIONAL, contains, region_agreement, region_table, short_form


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("浙江省", "330000"),
        ("浙江", "330000"),
        ("杭州市", "330100"),
        ("杭州", "330100"),
        ("西湖区", "330106"),
        ("义乌市", "330782"),
        ("义乌", "330782"),
        ("桐庐县", "330122"),
        ("桐庐", "330122"),
        ("广西壮族自治区", "450000"),
        ("广西", "450000"),
        ("新疆", "650000"),
        ("内蒙古", "150000"),
        ("延边", "222400"),
        ("景宁", "331127"),
        ("香港", "810000"),  # the table writes 香港特別行政區: normalised to simplified
        ("北京", "110000"),
        ("崇文区", "110103"),  # abolished in 2010: old records still resolve
    ],
)
def test_full_and_short_names(name, code):
    assert code in region_table().lookup(name)


def test_a_name_keeps_every_code_it_may_stand_for():
    assert {"330106", "360103"} <= region_table().lookup("西湖区")  # 杭州 and 南昌


@pytest.mark.parametrize("name", ["市辖区", "县", "城区", "郊区", "有限公司", "高新"])
def test_groupings_are_not_places(name):
    assert region_table().lookup(name) is None


@pytest.mark.parametrize(
    ("name", "code"), [("西湖", "330106"), ("余杭", "330110"), ("义乌", "330782"), ("寒亭", "370703")]
)
def test_county_level_short_forms_count_only_after_their_parent(name, code):
    table = region_table()
    assert code in table.county_short_forms[name]
    assert code in table.lookup(name)


def test_short_form_rules():
    assert short_form("浙江省", 1) == "浙江"
    assert short_form("宁夏回族自治区", 1) == "宁夏"
    assert short_form("恩施土家族苗族自治州", 2) == "恩施"
    assert short_form("阿里地区", 2) == "阿里"
    assert short_form("沙县", 3) is None  # one character would remain


def test_containment():
    assert contains("330000", "330106")
    assert contains("330100", "330106")
    assert contains("330106", "330106")
    assert not contains("330100", "330200")
    assert not contains("330106", "330100")
    assert contains(NATIONAL, "330106")


def test_region_agreement():
    zhejiang, hangzhou, ningbo = frozenset({"330000"}), frozenset({"330100"}), frozenset({"330200"})
    assert region_agreement(hangzhou, hangzhou) == 1.0
    assert region_agreement(zhejiang, hangzhou) == 0.7
    assert region_agreement(ningbo, zhejiang) == 0.7
    assert region_agreement(hangzhou, ningbo) == 0.0
    assert region_agreement(frozenset({"310000"}), hangzhou) == 0.0
