"""The `cn-name-parts` scorer: parts, weights, evidence against, and its cheap pre-test."""

from __future__ import annotations

import itertools

import pytest

from matching.parse import parse_name
from matching.readings import readings, trade_with_region
from matching.scoring import (
    POSSIBLE,
    STRONG,
    Subject,
    assess,
    compare_names,
    could_reach_possible,
    level,
)
from matching.types import Query


def score(a, b):
    return compare_names(parse_name(a), parse_name(b)).score


def features(a, b):
    return {f.name: f for f in compare_names(parse_name(a), parse_name(b)).features}


def test_levels():
    assert level(100) == "strong"  # `exact` is decided by codes or the same name, not a score
    assert level(STRONG) == "strong"
    assert level(STRONG - 0.1) == "possible"
    assert level(POSSIBLE) == "possible"
    assert level(POSSIBLE - 0.1) is None


def test_the_same_name_scores_100():
    comparison = compare_names(parse_name("杭州合晟建设工程有限公司"), parse_name("杭州合晟建设工程有限责任公司"))
    assert comparison.score == 100.0
    assert comparison.same_name


def test_a_different_name_is_never_100():
    assert score("合晟建设工程（杭州）有限公司", "杭州合晟建设工程有限公司") == 99.0


def test_industries_of_the_same_trade_agree():
    f = features("杭州合晟建筑工程有限公司", "杭州合晟建设工程有限公司")["industry"]
    assert f.score == pytest.approx(0.9)
    assert score("杭州合晟商贸有限公司", "杭州合晟贸易有限公司") >= STRONG


def test_industries_of_different_trades_count_against():
    f = features("杭州合晟医药有限公司", "杭州合晟建设工程有限公司")["industry"]
    assert f.weight < 0
    assert score("杭州合晟医药有限公司", "杭州合晟建设工程有限公司") < STRONG


def test_a_company_against_a_shop_counts_against():
    f = features("杭州合晟建材店", "杭州合晟建材有限公司")["legal_form"]
    assert f.weight < 0
    assert "individual" in str(f.detail)
    assert score("杭州合晟建材店", "杭州合晟建材有限公司") < STRONG


def test_legal_forms_of_one_family_agree_in_part():
    assert features("杭州合晟建设工程股份有限公司", "杭州合晟建设工程有限公司")["legal_form"].score == 0.6
    assert score("杭州合晟建设工程股份有限公司", "杭州合晟建设工程有限公司") >= STRONG


def test_a_region_that_contains_the_other_agrees():
    f = features("浙江合晟建设工程有限公司", "杭州合晟建设工程有限公司")["region"]
    assert f.score == 0.7
    assert "contains" in str(f.detail)


def test_trade_name_similarity_is_squared():
    f = features("杭州合达建设工程有限公司", "杭州合晟建设工程有限公司")["trade_name"]
    assert f.score == pytest.approx(0.25)
    assert "0.50" in str(f.detail)


def test_a_trade_name_one_homophone_off_counts_as_a_slip_and_is_at_most_possible():
    f = features("杭州合胜建设工程有限公司", "杭州合晟建设工程有限公司")["trade_name"]
    assert f.score == pytest.approx(0.6)
    assert "「合胜」 ≈ 「合晟」 (same reading hé shèng)" in str(f.detail)
    comparison = compare_names(parse_name("杭州合胜建设工程有限公司"), parse_name("杭州合晟建设工程有限公司"))
    assert comparison.score == pytest.approx(80.0)
    # three characters, one a homophone: its similarity alone would be 72; as a slip it is 80
    assert score("杭州金元达科技有限公司", "杭州金源达科技有限公司") == pytest.approx(80.0)
    # a slip never makes a hit strong, however well the rest agrees
    assert score("杭州金源达利科技有限公司", "杭州金元达利科技有限公司") < STRONG


def test_a_trade_name_one_other_character_off_stays_below_possible():
    assert score("杭州合达建设工程有限公司", "杭州合晟建设工程有限公司") < POSSIBLE
    assert features("杭州合达建设工程有限公司", "杭州合晟建设工程有限公司")["trade_name"].score == pytest.approx(0.25)


def test_an_unknown_industry_word_both_names_end_with_is_not_part_of_the_trade_name():
    # 无人机 is no industry word the parser knows: it stays in the 字号
    assert parse_name("杭州合晟无人机有限公司").trade_name == "合晟无人机"
    assert score("杭州合达无人机有限公司", "杭州合晟无人机有限公司") < POSSIBLE  # 合达 is not 合晟
    f = features("杭州合胜无人机有限公司", "杭州合晟无人机有限公司")["trade_name"]
    assert f.score == pytest.approx(0.6)
    assert "the ending 「无人机」 of both read as an industry" in str(f.detail)
    assert score("杭州合晟无人机有限公司", "杭州合晟无人机有限责任公司") == 100.0


def test_a_region_on_one_side_only_caps_the_score():
    comparison = compare_names(parse_name("合晟建设工程有限公司"), parse_name("杭州合晟建设工程有限公司"))
    assert comparison.evidence >= STRONG
    assert POSSIBLE <= comparison.score < STRONG
    reverse = compare_names(parse_name("杭州合晟建设工程有限公司"), parse_name("合晟建设工程有限公司"))
    assert POSSIBLE <= reverse.score < STRONG
    # neither states one: nothing to tell apart
    assert score("合晟建设工程有限公司", "合晟建设工程有限公司") == 100.0
    assert score("合晟建设工程有限公司", "合晟建筑工程有限公司") >= STRONG


def test_a_bare_trade_name_and_industry_caps_the_score():
    assert POSSIBLE <= score("合晟建设工程", "合晟建设工程有限公司") < STRONG
    assert POSSIBLE <= score("合晟建设工程有限公司", "合晟建设") < STRONG
    assert score("合晟建设工程", "合晟建设工程") == 100.0
    f = features("合晟建设工程", "合晟建设工程有限公司")["legal_form"]
    assert "「合晟建设工程」 states neither a legal form nor a region" in str(f.detail)


def test_an_organisation_code_is_compared_with_the_listed_code():
    listed = "91330106MA27XYW11X"
    subject = Subject.of(Query(code="MA27XYW1-1"))
    assert assess(subject, parse_name("杭州合晟建设工程有限公司"), listed, "current").match == "exact"
    other = Subject.of(Query(name="杭州合晟建设工程有限公司", code="600037341"))
    assessment = assess(other, parse_name("杭州合晟建设工程有限公司"), listed, "current")
    assert (assessment.score, assessment.match) == (POSSIBLE, "possible")


def test_a_code_conflict_caps_even_the_same_name():
    subject = Subject.of(Query(name="杭州合晟建设工程有限公司", code="91110000600037341L"))
    other = "91330106MA27XYW121"
    assessment = assess(subject, parse_name("杭州合晟建设工程有限公司"), other, "current")
    assert (assessment.score, assessment.match) == (POSSIBLE, "possible")


def test_a_name_only_query_against_a_listed_code_is_not_penalised():
    subject = Subject.of(Query(name="杭州合晟建设工程有限公司"))
    assessment = assess(subject, parse_name("杭州合晟建设工程有限公司"), "91330106MA27XYW121", "current")
    assert assessment.match == "exact"


def test_a_former_name_relation():
    subject = Subject.of(Query(name="杭州合盛建筑有限公司"))
    assessment = assess(subject, parse_name("杭州合盛建筑有限公司"), None, "former")
    assert (assessment.match, assessment.relation) == ("exact", "former_name")


NAMES = [
    f"{region}{trade}{industry}{form}"
    for region, trade, industry, form in itertools.product(
        ["", "杭州", "宁波", "东方", "浙江", "兴和", "中山", "马边彝族自治县"],
        [
            "合晟",
            "合胜",
            "合达",
            "雨虹",
            "东方雨虹",
            "合晟达",
            "合胜达",
            "华宇",
            "华字",
            "兴和合晟",
            "合作金库",
            "合晟无人机",
        ],
        ["", "建设工程", "医药"],
        ["有限公司", "", "店"],
    )
] + ["杭州合晟建设工程有限公司宁波分公司", "合晟建设工程（杭州）有限公司", "温州合晟建设工程有限公司瑞安分公司"]


def test_the_cheap_pre_test_never_drops_a_possible_hit():
    """`could_reach_possible` is a bound: whatever it rejects must score below `possible`."""
    for a, b in itertools.product(NAMES[::7], NAMES):
        q, listed = parse_name(a), parse_name(b)
        l_ext, skip = trade_with_region(listed)
        q_regions = (q.branch.head if q.branch else q).region_codes
        l_regions = frozenset() if listed.branch else listed.region_codes
        unplaced = not (listed.branch.head if listed.branch else listed).regions
        if not could_reach_possible(readings(q), q_regions, l_ext[skip:], l_ext, l_regions, unplaced):
            assert compare_names(q, listed).score < POSSIBLE, (a, b)


def test_a_region_name_that_begins_a_trade_name_may_be_read_as_a_region():
    comparison = compare_names(parse_name("东山峰食品有限公司"), parse_name("兴和东山峰食品有限公司"))
    assert comparison.evidence >= STRONG
    trade = next(f for f in comparison.features if f.name == "trade_name")
    assert "兴和 read as a region" in str(trade.detail)
    # then only the listed name states a region: at most possible
    assert POSSIBLE <= comparison.score < STRONG
    assert score("兴和东山峰食品有限公司", "兴和东山峰食品有限公司") == 100.0


def test_a_short_region_before_the_trade_name_may_be_read_as_part_of_it():
    comparison = compare_names(parse_name("中山雨虹科技有限公司"), parse_name("北京中山雨虹科技有限公司"))
    trade = next(f for f in comparison.features if f.name == "trade_name")
    assert trade.score == 1.0
    assert "中山 read as" in str(trade.detail)
    assert comparison.evidence >= STRONG
    assert POSSIBLE <= comparison.score < STRONG  # read so, the subject states no region
    comparison = compare_names(
        parse_name("东方雨虹防水技术股份有限公司"), parse_name("北京东方雨虹防水技术股份有限公司")
    )
    assert POSSIBLE <= comparison.score < STRONG


def test_reading_a_region_otherwise_on_both_sides_does_not_make_names_alike():
    assert score("杭州合达建设工程有限公司", "杭州合晟建设工程有限公司") < POSSIBLE


def test_a_region_that_begins_both_trade_names_is_not_part_of_either():
    assert score("钟祥百晋汽车销售有限公司", "钟祥比泰汽车销售有限公司") < POSSIBLE
    # and two different regions taken off: the regions are compared
    assert score("钟祥微笑咖啡生物科技有限公司", "阿尔山微笑咖啡生物科技有限公司") < POSSIBLE


def test_compound_industries_compare_by_their_head_word():
    f = features("杭州瑞德电子装饰工程有限公司", "杭州瑞德电子物业管理有限公司")["industry"]
    assert f.weight < 0
    assert features("杭州合晟建筑装饰工程有限公司", "杭州合晟装饰工程有限公司")["industry"].score == 0.9


def test_a_region_name_in_the_trade_name_does_not_hide_the_stated_regions():
    assert score("马边彝族自治县合作金库建材集团有限公司", "武都区合作金库建材股份有限公司") < POSSIBLE


def test_a_region_written_in_full_is_never_read_as_part_of_the_trade_name():
    assert score("盐津县平安之星汽车销售有限公司", "平安区节能之星汽车销售有限公司") < POSSIBLE
    assert trade_with_region(parse_name("杭州市合晟建设工程有限公司")) == ("合晟", 0)
