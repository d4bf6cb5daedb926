"""The `cn-name-parts` matcher against every variant family bidders write."""

from __future__ import annotations

import itertools

import pytest

from matching import POSSIBLE, STRONG, Candidate, Matcher, NamePartsMatcher, NameRecord, Query
from matching.codes import check_character, organisation_check


def code(first8, organisation8):
    """A USCC: authority, category and region, then a 组织机构代码 (eight characters and its
    check character), then the check character."""
    first17 = first8 + organisation8 + organisation_check(organisation8)
    return first17 + check_character(first17)


HESHENG = code("91330106", "MA27XYW1")  # 杭州合晟建设工程有限公司
SH_HESHENG = code("91310000", "MA1FL4XX")  # 上海合晟建设工程有限公司, another company
HUAYU = code("91330106", "MA2H0000")
KEDA = code("91330500", "MA2B0000")
YUHONG = code("91110000", "MA00000X")
STRANGER = code("91330100", "MA2Q9999")  # valid, and nobody's in this registry

REGISTRY = [
    Candidate(
        1,
        (
            NameRecord("杭州合晟建设工程有限公司"),
            NameRecord("杭州合盛建筑有限公司", "former"),
            NameRecord("合晟建工", "alias"),
        ),
        HESHENG,
    ),
    Candidate(2, (NameRecord("上海合晟建设工程有限公司"),), SH_HESHENG),
    Candidate(3, (NameRecord("温州瑞丰建设工程有限公司瑞安分公司"),), None),  # a listed branch
    Candidate(4, (NameRecord("杭州华宇建设工程有限公司"),), HUAYU),
    Candidate(5, (NameRecord("科达电子（湖州）有限公司"),), KEDA),
    Candidate(6, (NameRecord("北京东方雨虹防水技术股份有限公司"),), YUHONG),
    Candidate(7, (NameRecord("杭州合晟医药有限公司"),), None),  # same 字号 and region, other trade
]
# Other companies, so that candidates must be found, not listed
_TRADES = ["宏达", "华远", "金源", "天成", "恒信", "新世纪", "绿源", "永盛", "博远", "鑫达"]
_REGIONS = ["杭州", "宁波", "温州", "绍兴", "南京", "苏州", "合肥", "福州"]
_INDUSTRIES = ["建设工程", "科技", "贸易", "物业管理", "园林绿化", "劳务"]
FILLER = [
    Candidate(100 + i, (NameRecord(f"{region}{trade}{industry}有限公司"),), None)
    for i, (region, trade, industry) in enumerate(itertools.product(_REGIONS, _TRADES, _INDUSTRIES))
]


@pytest.fixture(scope="module")
def matcher():
    m = NamePartsMatcher()
    m.build(REGISTRY + FILLER)
    return m


def hit_for(matcher, entity_id, **query):
    hits = matcher.search(Query(**query))
    return next((h for h in hits if h.entity_id == entity_id), None)


def feature(hit, name):
    return next(f for f in hit.features if f.name == name)


def test_it_is_a_matcher_with_a_name_and_a_version(matcher):
    as_protocol: Matcher = matcher
    assert (as_protocol.name, as_protocol.version) == ("cn-name-parts", "3")
    assert len(matcher) == len(REGISTRY) + len(FILLER)


def test_exact_name(matcher):
    hit = hit_for(matcher, 1, name="杭州合晟建设工程有限公司")
    assert (hit.score, hit.match, hit.relation) == (100.0, "exact", "self")
    assert hit.matched_name == "杭州合晟建设工程有限公司"
    assert matcher.search(Query(name="杭州合晟建设工程有限公司"))[0].entity_id == 1


@pytest.mark.parametrize(
    "written",
    [
        "科达电子(湖州)有限公司",  # half-width brackets
        "科达电子（湖州）有限公司",  # full-width
        "科达电子【湖州】有限公司",
        "科达电子〔湖州〕有限公司",
        "科达电子 （湖州） 有限公司",
        "科達電子（湖州）有限公司",  # and traditional
    ],
)
def test_brackets_of_any_width_and_kind(matcher, written):
    hit = hit_for(matcher, 5, name=written)
    assert (hit.match, hit.relation) == ("exact", "self")


@pytest.mark.parametrize(
    "written", ["杭州 合晟 建设工程 有限公司", " 杭州合晟建设工程有限公司 ", "杭州·合晟建设工程有限公司"]
)
def test_spaces_and_punctuation(matcher, written):
    assert hit_for(matcher, 1, name=written).match == "exact"


def test_traditional_characters(matcher):
    hit = hit_for(matcher, 1, name="杭州合晟建設工程有限公司")
    assert (hit.match, hit.relation) == ("exact", "self")


def test_limited_company_forms_are_one(matcher):
    hit = hit_for(matcher, 1, name="杭州合晟建设工程有限责任公司")
    assert (hit.score, hit.match) == (100.0, "exact")
    assert "有限责任公司" in str(feature(hit, "legal_form").detail)


def test_a_name_without_region_cannot_tell_same_name_companies_apart(matcher):
    hit = hit_for(matcher, 1, name="合晟建设工程有限公司")
    assert hit.match == "possible"
    assert POSSIBLE <= hit.score < STRONG
    region = feature(hit, "region")
    assert region.weight > 0  # not evidence against: only not enough to block
    assert "region not given: cannot tell 「杭州合晟建设工程有限公司」 from a same-name company elsewhere" in str(
        region.detail
    )
    # without a region the subject may be either 合晟; both are shown, neither blocks
    assert hit_for(matcher, 2, name="合晟建设工程有限公司").match == "possible"
    # and a branch of a head company named without its region
    assert hit_for(matcher, 1, name="合晟建设工程有限公司宁波分公司").match == "possible"


def test_a_listed_name_without_region_against_a_subject_with_one():
    m = NamePartsMatcher()
    m.build([Candidate(1, (NameRecord("合晟建设工程有限公司"),), None), *FILLER])
    hit = hit_for(m, 1, name="杭州合晟建设工程有限公司")
    assert hit.match == "possible"
    assert "the listed name gives no region" in str(feature(hit, "region").detail)
    # equal names without region stay exact
    assert hit_for(m, 1, name="合晟建设工程有限公司").match == "exact"


def test_equal_codes_settle_a_name_without_region(matcher):
    hit = hit_for(matcher, 1, name="合晟建设工程有限公司", code=HESHENG)
    assert (hit.match, hit.score) == ("exact", 100.0)
    assert hit_for(matcher, 2, name="合晟建设工程有限公司", code=HESHENG) is None


def test_a_bare_trade_name_and_industry_is_at_most_possible(matcher):
    hit = hit_for(matcher, 1, name="合晟建设工程")
    assert hit.match == "possible"
    m = NamePartsMatcher()
    m.build([Candidate(1, (NameRecord("合晟建设工程有限公司"),), None), *FILLER])
    bare = hit_for(m, 1, name="合晟建设工程")
    assert bare.match == "possible"
    assert "states neither a legal form nor a region" in str(feature(bare, "legal_form").detail)
    # with its region, the same words are enough
    assert hit_for(matcher, 1, name="杭州合晟建设工程").match == "strong"


def test_region_in_brackets(matcher):
    hit = hit_for(matcher, 1, name="合晟建设工程（杭州）有限公司")
    assert hit.match == "strong"
    assert feature(hit, "region").score == 1.0
    other_city = hit_for(matcher, 2, name="合晟建设工程（杭州）有限公司")
    assert other_city is None or other_city.match == "possible"


def test_a_branch_of_a_listed_company(matcher):
    hit = hit_for(matcher, 1, name="杭州合晟建设工程有限公司宁波分公司")
    assert (hit.match, hit.relation) == ("strong", "branch_of")
    assert hit.matched_name == "杭州合晟建设工程有限公司"
    branch = feature(hit, "branch")
    assert "宁波分公司" in str(branch.detail)
    assert "head" in str(branch.detail)
    # its own code is not evidence against: a branch has a code of its own
    with_code = hit_for(matcher, 1, name="杭州合晟建设工程有限公司宁波分公司", code=STRANGER)
    assert (with_code.match, with_code.relation) == ("strong", "branch_of")
    assert feature(with_code, "code").weight == 0.0


def test_a_branch_of_a_listed_company_written_loosely(matcher):
    hit = hit_for(matcher, 1, name="杭州合晟建設工程有限責任公司 寧波分公司")
    assert (hit.match, hit.relation) == ("strong", "branch_of")


def test_the_head_company_of_a_listed_branch_is_for_review(matcher):
    hit = hit_for(matcher, 3, name="温州瑞丰建设工程有限公司")
    assert (hit.match, hit.relation) == ("possible", "branch_of")
    assert "瑞安分公司" in str(feature(hit, "branch").detail)


def test_the_listed_branch_itself_and_a_sibling_branch(matcher):
    same = hit_for(matcher, 3, name="温州瑞丰建设工程有限公司瑞安分公司")
    assert (same.match, same.relation) == ("exact", "self")
    sibling = hit_for(matcher, 3, name="温州瑞丰建设工程有限公司乐清分公司")
    assert (sibling.match, sibling.relation) == ("possible", "branch_of")


def test_former_name(matcher):
    hit = hit_for(matcher, 1, name="杭州合盛建筑有限公司")
    assert (hit.match, hit.relation) == ("exact", "former_name")
    assert hit.matched_name == "杭州合盛建筑有限公司"
    loosely = hit_for(matcher, 1, name="杭州合盛建築有限責任公司")
    assert (loosely.match, loosely.relation) == ("exact", "former_name")


def test_alias(matcher):
    """An alias is no registered name: a hit on it has the relation `alias`, and the bare alias
    decides no more strongly than its fuller name (杭州合晟建工有限公司) would: `possible`."""
    hit = hit_for(matcher, 1, name="合晟建工")
    assert (hit.match, hit.relation, hit.matched_name) == ("possible", "alias", "合晟建工")
    fuller = hit_for(matcher, 1, name="杭州合晟建工有限公司")
    assert (fuller.match, fuller.relation, fuller.matched_name) == ("exact", "alias", "合晟建工")


def test_an_alias_without_region_takes_the_entity_region(matcher):
    # 合晟建工 names no region, but it is the 杭州 company's alias: a 南京 合晟 is not it
    hit = hit_for(matcher, 1, name="南京合晟建工有限公司")
    assert hit is None or hit.match == "possible"


def test_code_only(matcher):
    hit = hit_for(matcher, 1, code=HESHENG)
    assert (hit.score, hit.match, hit.relation) == (100.0, "exact", "self")
    assert hit.matched_name == "杭州合晟建设工程有限公司"  # the current name
    assert [f.name for f in hit.features] == ["code"]
    assert "decisive" in str(hit.features[0].detail)


def test_code_only_written_loosely(matcher):
    assert hit_for(matcher, 1, code=" " + HESHENG.lower()[:9] + " " + HESHENG.lower()[9:]).match == "exact"


def test_code_with_a_misspelt_name(matcher):
    hit = hit_for(matcher, 1, name="杭州合胜建设有限公司", code=HESHENG)
    assert (hit.score, hit.match) == (100.0, "exact")
    trade = feature(hit, "trade_name")
    assert trade.score < 1.0
    assert "合胜" in str(trade.detail)
    assert "合晟" in str(trade.detail)
    assert matcher.search(Query(name="杭州合胜建设有限公司", code=HESHENG))[0].entity_id == 1


def test_code_with_a_former_name_reports_the_former_name(matcher):
    hit = hit_for(matcher, 1, name="杭州合盛建筑有限公司", code=HESHENG)
    assert (hit.match, hit.relation, hit.matched_name) == ("exact", "former_name", "杭州合盛建筑有限公司")


def test_a_different_valid_code_is_evidence_against(matcher):
    same_name = hit_for(matcher, 1, name="杭州合晟建设工程有限公司", code=STRANGER)
    assert same_name.match == "possible"
    assert same_name.score <= POSSIBLE
    against = feature(same_name, "code")
    assert against.weight < 0
    assert "evidence against" in str(against.detail)
    # a name that is close but not the same, with another company's code: not a hit
    assert hit_for(matcher, 1, name="杭州合晟建设有限公司", code=STRANGER) is None
    assert hit_for(matcher, 1, name="合晟建设工程有限公司", code=STRANGER) is None


def test_equal_codes_decide_even_against_the_name(matcher):
    hit = hit_for(matcher, 2, name="杭州合晟建设工程有限公司", code=SH_HESHENG)
    assert (hit.score, hit.match) == (100.0, "exact")
    # and the company whose name it is, with another company's code, is for review at most
    assert hit_for(matcher, 1, name="杭州合晟建设工程有限公司", code=SH_HESHENG).match == "possible"


def test_same_trade_name_in_another_city_is_not_strong(matcher):
    for name in ("宁波合晟建设工程有限公司", "合晟建设工程（宁波）有限公司", "上海合晟建设工程有限公司"):
        hit = hit_for(matcher, 1, name=name)
        assert hit is None or hit.match == "possible", name
    hit = hit_for(matcher, 2, name="杭州合晟建设工程有限公司")
    assert hit is None or hit.match == "possible"


def test_region_disagreement_is_explained_as_evidence_against(matcher):
    from matching.parse import parse_name
    from matching.scoring import compare_names

    comparison = compare_names(parse_name("宁波合晟建设工程有限公司"), parse_name("杭州合晟建设工程有限公司"))
    region = next(f for f in comparison.features if f.name == "region")
    assert region.weight < 0
    assert "宁波" in str(region.detail)
    assert "杭州" in str(region.detail)
    assert comparison.score < STRONG


def test_same_region_and_industry_but_another_trade_name(matcher):
    hit = hit_for(matcher, 1, name="杭州华远建设工程有限公司")
    assert hit is None or hit.match == "possible"
    assert hit_for(matcher, 4, name="杭州华远建设工程有限公司") is None
    assert hit_for(matcher, 1, name="杭州宏图建设工程有限公司") is None


def test_same_trade_name_and_region_in_another_trade_is_for_review(matcher):
    hit = hit_for(matcher, 7, name="杭州合晟建设工程有限公司")
    assert hit is None or hit.match == "possible"
    industry = feature(hit, "industry") if hit else None
    assert industry is None or industry.weight < 0


def test_a_region_read_as_part_of_the_trade_name(matcher):
    hit = hit_for(matcher, 6, name="东方雨虹防水技术股份有限公司")
    assert hit.match == "possible"  # found, but 北京 is not said: a same-name company may be elsewhere
    assert "东方 read as part of the 字号" not in str(feature(hit, "trade_name").detail)
    assert hit_for(matcher, 6, name="北京东方雨虹防水技术有限公司").match == "strong"


def test_hits_explain_every_part_in_chinese(matcher):
    hit = hit_for(matcher, 1, name="合晟建设工程（杭州）有限公司")
    names = [f.name for f in hit.features]
    assert names == ["code", "trade_name", "industry", "region", "legal_form"]
    assert "「合晟」" in str(feature(hit, "trade_name").detail)
    assert "「建设工程」" in str(feature(hit, "industry").detail)
    assert "「杭州」" in str(feature(hit, "region").detail)
    assert "「有限公司」" in str(feature(hit, "legal_form").detail)
    assert all(0.0 <= f.score <= 1.0 for f in hit.features)


def test_hits_are_ordered_and_limited(matcher):
    hits = matcher.search(Query(name="合晟建设工程有限公司"), limit=1)
    assert len(hits) == 1
    hits = matcher.search(Query(name="合晟建设工程有限公司"))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score >= POSSIBLE for h in hits)
    assert matcher.search(Query(name="合晟建设工程有限公司"), limit=0) == []


@pytest.mark.parametrize("query", [Query(), Query(name=""), Query(name="   "), Query(name="（）！"), Query(code="  ")])
def test_no_name_and_no_code_is_a_value_error(matcher, query):
    with pytest.raises(ValueError, match="needs a name or a code"):
        matcher.search(query)


@pytest.mark.parametrize("bad", ["12345", "91330106MA27XYW12X", "not a code", "00000000000000000X"])
def test_a_malformed_code_is_ignored_not_an_error(matcher, bad):
    assert matcher.search(Query(code=bad)) == []
    hit = hit_for(matcher, 1, name="杭州合晟建设工程有限公司", code=bad)
    assert hit.match == "exact"
    assert "no evidence" in str(feature(hit, "code").detail)


def test_nothing_like_it(matcher):
    assert matcher.search(Query(name="乌鲁木齐天山雪莲乳业有限公司")) == []


# --- keeping the index fresh ------------------------------------------------------------------


def fresh():
    m = NamePartsMatcher()
    m.build(REGISTRY + FILLER)
    return m


def test_upsert_adds_an_entity():
    m = fresh()
    m.upsert(Candidate(999, (NameRecord("嘉兴恒通物流有限公司"),), None))
    assert len(m) == len(REGISTRY) + len(FILLER) + 1
    assert hit_for(m, 999, name="嘉兴恒通物流有限公司").match == "exact"
    assert hit_for(m, 999, name="嘉兴恒通物流有限责任公司").match == "exact"
    assert hit_for(m, 999, name="恒通物流（嘉兴）有限公司").match == "strong"
    assert hit_for(m, 999, name="恒通物流有限公司").match == "possible"
    assert hit_for(m, 999, name="嘉兴恒同物流有限公司").match == "possible"  # 同 for 通: a slip


def test_upsert_replaces_names_and_keeps_the_old_as_former_when_told():
    m = fresh()
    m.upsert(
        Candidate(
            1,
            (NameRecord("杭州合晟智造科技有限公司"), NameRecord("杭州合晟建设工程有限公司", "former")),
            HESHENG,
        )
    )
    assert len(m) == len(REGISTRY) + len(FILLER)
    assert hit_for(m, 1, name="杭州合晟智造科技有限公司").relation == "self"
    assert hit_for(m, 1, name="杭州合晟建设工程有限公司").relation == "former_name"
    assert hit_for(m, 1, name="合晟建工").matched_name != "合晟建工"  # the alias was not given again
    assert hit_for(m, 1, code=HESHENG).matched_name == "杭州合晟智造科技有限公司"


def test_remove_forgets_an_entity():
    m = fresh()
    m.remove(1)
    m.remove(1)  # twice is fine
    m.remove(123456)  # unknown is fine
    assert len(m) == len(REGISTRY) + len(FILLER) - 1
    assert hit_for(m, 1, name="杭州合晟建设工程有限公司") is None
    assert hit_for(m, 1, code=HESHENG) is None


def test_compacting_keeps_every_lookup():
    m = fresh()
    m.upsert(Candidate(999, (NameRecord("嘉兴恒通物流有限公司"),), STRANGER))
    m.remove(4)
    m._index.compact()
    assert m.stats()["pending_additions"] == 0
    assert hit_for(m, 999, code=STRANGER).match == "exact"
    assert hit_for(m, 999, name="恒通物流（嘉兴）有限公司").match == "strong"
    assert hit_for(m, 999, name="嘉兴恒同物流有限公司").match == "possible"
    assert hit_for(m, 4, code=HUAYU) is None
    assert hit_for(m, 1, name="杭州合晟建设工程有限公司宁波分公司").relation == "branch_of"


def test_many_upserts_compact_themselves():
    m = NamePartsMatcher()
    m.build([])
    for i in range(10_050):
        m.upsert(Candidate(i, (NameRecord(f"杭州{i:05d}号科技有限公司"),), None))
    assert len(m) == 10_050
    assert m.stats()["pending_additions"] < 10_050
    assert hit_for(m, 7, name="杭州00007号科技有限公司").match == "exact"


def test_build_replaces_everything_and_a_later_row_wins():
    m = fresh()
    m.build(
        [
            Candidate(1, (NameRecord("杭州旧名科技有限公司"),), None),
            Candidate(1, (NameRecord("杭州新名科技有限公司"),), None),
        ]
    )
    assert len(m) == 1
    assert hit_for(m, 1, name="杭州新名科技有限公司").match == "exact"
    assert m.search(Query(name="杭州合晟建设工程有限公司")) == []


def test_names_that_normalise_to_nothing_are_skipped():
    m = NamePartsMatcher()
    m.build([Candidate(1, (NameRecord("（）"),), None), Candidate(2, (NameRecord("杭州合晟科技有限公司"),), None)])
    assert len(m) == 1


def test_stats_report_memory():
    stats = fresh().stats()
    assert stats["entities"] == len(REGISTRY) + len(FILLER)
    assert stats["names"] == len(REGISTRY) + len(FILLER) + 2
    assert stats["approx_bytes"] > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_larger_than_one_parsing_batch(workers):
    m = NamePartsMatcher(build_workers=workers)
    m.build(
        [
            Candidate(i, (NameRecord(f"杭州{i:05d}号科技有限公司"), NameRecord(f"{i:05d}号", "alias")), None)
            for i in range(4500)
        ]
    )
    assert len(m) == 4500
    assert m.stats()["names"] == 9000
    for i in (0, 1999, 2000, 4499):
        assert hit_for(m, i, name=f"杭州{i:05d}号科技有限公司").match == "exact"


def test_a_build_shared_among_processes_is_the_same_build():
    candidates = REGISTRY + FILLER
    alone, shared = NamePartsMatcher(build_workers=1), NamePartsMatcher(build_workers=2)
    alone.build(candidates)
    shared.build(candidates)
    assert alone.stats() == shared.stats()
    for query in (
        Query(name="合晟建设工程有限公司"),
        Query(code=HESHENG),
        Query(name="杭州合晟建设工程有限公司宁波分公司"),
    ):
        assert alone.search(query) == shared.search(query)


@pytest.mark.parametrize("workers", [None, 1, 2, 3])
def test_tiny_and_empty_builds_with_any_number_of_workers(workers):
    for candidates in ([], REGISTRY[:1], REGISTRY[:3]):
        m = NamePartsMatcher(build_workers=workers)
        m.build(candidates)
        assert len(m) == len(candidates)


def test_a_technology_company_is_not_the_construction_company_of_the_same_name(matcher):
    hit = hit_for(matcher, 1, name="杭州合晟科技有限公司")
    assert hit.match == "possible"
    assert feature(hit, "industry").weight < 0


# --- a 字号 one slip away, without a code ------------------------------------------------------


def test_a_homophone_trade_name_is_found_for_review(matcher):
    # 合胜 shares no bigram with 合晟: only the slip postings can find it
    hit = hit_for(matcher, 1, name="杭州合胜建设工程有限公司")
    assert (hit.match, hit.relation) == ("possible", "self")
    assert POSSIBLE <= hit.score < STRONG
    trade = feature(hit, "trade_name")
    assert "字号 「合胜」 ≈ 「合晟」 (same reading hé shèng)" in str(trade.detail)
    assert "at most possible" in str(trade.detail)
    # the other 合晟 is in another city: not a hit
    assert hit_for(matcher, 2, name="杭州合胜建设工程有限公司") is None


def test_a_look_alike_trade_name_is_found_for_review():
    m = NamePartsMatcher()
    m.build([Candidate(1, (NameRecord("杭州华宇建设工程有限公司"),), None), *FILLER])
    hit = hit_for(m, 1, name="杭州华字建设工程有限公司")
    assert hit.match == "possible"
    assert "字号 「华字」 ≈ 「华宇」 (字 and 宇 look alike)" in str(feature(hit, "trade_name").detail)


def test_a_slip_is_never_strong_without_a_code(matcher):
    for name in ("杭州合胜建设工程有限公司", "杭州合胜建设工程有限责任公司", "杭州市合胜建设工程有限公司"):
        assert hit_for(matcher, 1, name=name).match == "possible", name
    # with the code, the code decides
    assert hit_for(matcher, 1, name="杭州合胜建设工程有限公司", code=HESHENG).match == "exact"


@pytest.mark.parametrize(
    "name",
    [
        "杭州合达建设工程有限公司",  # 达 neither sounds nor looks like 晟: another company
        "宁波合胜建设工程有限公司",  # a slip, and another city
        "杭州合胜医药有限公司",  # a slip, and another trade (entity 7 is 杭州合晟医药, see below)
    ],
)
def test_a_one_character_difference_without_more_is_not_a_hit(matcher, name):
    assert hit_for(matcher, 1, name=name) is None


def test_a_slip_in_the_same_place_and_trade_as_another_listed_entity(matcher):
    hit = hit_for(matcher, 7, name="杭州合胜医药有限公司")
    assert hit.match == "possible"


def test_a_name_listed_as_written_is_not_also_a_slip_of_another():
    m = NamePartsMatcher()
    m.build(
        [
            Candidate(1, (NameRecord("杭州合晟建设工程有限公司"),), None),
            Candidate(2, (NameRecord("杭州合胜建设工程有限公司"),), None),
            *FILLER,
        ]
    )
    assert [(h.entity_id, h.match) for h in m.search(Query(name="杭州合胜建设工程有限公司"))] == [(2, "exact")]
    assert {h.entity_id for h in m.search(Query(name="杭州合盛建设工程有限公司"))} == {1, 2}


# --- codes used before the 统一社会信用代码 --------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        HESHENG[8:17],
        f"{HESHENG[8:16]}-{HESHENG[16]}",
        HESHENG[8:17].lower(),
        f" {HESHENG[8:12]} {HESHENG[12:17]} ",  # spaced, as pasted from a 组织机构代码证
        "".join(chr(ord(ch) + 0xFEE0) for ch in HESHENG[8:17]),  # full-width
    ],
)
def test_an_organisation_code_finds_the_entity(matcher, written):
    hit = hit_for(matcher, 1, code=written)
    assert (hit.score, hit.match, hit.matched_name) == (100.0, "exact", "杭州合晟建设工程有限公司")
    assert "characters 9–17" in str(feature(hit, "code").detail)


def test_an_organisation_code_of_another_company_is_evidence_against(matcher):
    hit = hit_for(matcher, 1, name="杭州合晟建设工程有限公司", code=SH_HESHENG[8:17])
    assert hit.match == "possible"
    assert feature(hit, "code").weight < 0
    assert hit_for(matcher, 2, name="杭州合晟建设工程有限公司", code=SH_HESHENG[8:17]).match == "exact"


def test_a_malformed_organisation_code_is_no_evidence(matcher):
    wrong = HESHENG[8:16] + ("0" if HESHENG[16] != "0" else "1")
    assert matcher.search(Query(code=wrong)) == []
    assert hit_for(matcher, 1, name="杭州合晟建设工程有限公司", code=wrong).match == "exact"


def test_an_old_registration_number_is_recognised_and_no_evidence(matcher):
    number = "330106000123458"  # 15 digits, ISO 7064 MOD 11,10 check digit
    assert matcher.search(Query(code=number)) == []
    hit = hit_for(matcher, 1, name="杭州合晟建设工程有限公司", code=number)
    assert hit.match == "exact"
    assert "15-digit 注册号" in str(feature(hit, "code").detail)
    assert feature(hit, "code").weight == 0.0


def test_a_slip_is_looked_for_unless_the_trade_name_is_listed_here_in_that_industry():
    m = NamePartsMatcher()
    m.build(
        [
            Candidate(1, (NameRecord("杭州合晟建设工程有限公司"),), None),
            Candidate(2, (NameRecord("杭州合胜医药有限公司"),), None),  # 合胜 here, another trade
            Candidate(3, (NameRecord("杭州合盛建设工程股份有限公司"),), None),  # 合盛 here, this trade
            *FILLER,
        ]
    )
    assert hit_for(m, 1, name="杭州合胜建设工程有限公司").match == "possible"
    # 杭州合盛建设工程 is listed: a bidder of that name is that company (or its namesake), and
    # 杭州合晟建设工程 is another company
    assert hit_for(m, 3, name="杭州合盛建设工程有限公司").match == "strong"
    assert hit_for(m, 1, name="杭州合盛建设工程有限公司") is None


def test_slips_of_names_added_and_removed_after_the_build():
    m = NamePartsMatcher()
    m.build([Candidate(1, (NameRecord("杭州合晟建设工程有限公司"),), None), *FILLER])
    m.upsert(Candidate(2, (NameRecord("杭州合盛建设工程有限公司"),), None))
    assert {h.entity_id: h.match for h in m.search(Query(name="杭州合胜建设工程有限公司"))} == {
        1: "possible",
        2: "possible",
    }
    m.remove(1)
    m._index.compact()
    assert [h.entity_id for h in m.search(Query(name="杭州合胜建设工程有限公司"))] == [2]


def test_county_short_form_at_the_start_finds_the_county_listed_name_past_a_long_bigram_list(monkeypatch):
    """漾濞正灿 (漾濞 read as part of the 字号, since a county's short form alone at the start more
    often begins a 字号) still finds the listed 漾濞彝族自治县正灿… when 正灿's bigram list is longer
    than a query reads (at 10M listed names it is 6,887 rows, over `MAX_POSTINGS`)."""
    monkeypatch.setattr("matching.index.MAX_POSTINGS", 4)
    listed = Candidate(1, (NameRecord("漾濞彝族自治县正灿信息技术集团有限公司"),), None)
    others = [
        Candidate(10 + i, (NameRecord(f"{region}正灿{industry}有限公司"),), None)
        for i, (region, industry) in enumerate(itertools.product(_REGIONS, _INDUSTRIES))
    ] + [Candidate(200, (NameRecord("漾濞河山科技有限公司"),), None)]  # 漾濞's own bigram list
    m = NamePartsMatcher()
    m.build([listed, *others])
    hits = m.search(Query(name="漾濞正灿信息技术集团有限公司"))
    assert hits
    assert hits[0].entity_id == 1
    assert hits[0].match == "strong"
    # the same 字号 in another county is not taken for it
    hits = m.search(Query(name="峨边正灿信息技术集团有限公司"))
    assert all(h.entity_id != 1 for h in hits if h.match == "strong")
