"""Names that are two registered names (`matching.distinctions`), autonomous-area regions
(`matching.regions`), role and seal notes (`matching.parentheticals`) and aliases
(`matching.aliases`). Each test's docstring states the rule it checks."""

from __future__ import annotations

import pytest

from matching import STRONG, Candidate, NamePartsMatcher, NameRecord, Query
from matching.distinctions import extra_characters, extra_industry
from matching.parentheticals import set_aside
from matching.parse import parse_name
from matching.regions import region_agreement
from matching.scoring import REVIEW_CAP, Subject, assess, compare_names
from matching.types import RELATION_FALLBACK, RELATIONS


def compared(a: str, b: str):
    return compare_names(parse_name(a), parse_name(b))


def detail(a: str, b: str, feature: str) -> str:
    return next(str(f.detail) for f in compared(a, b).features if f.name == feature)


# --- A. names registered at two levels ------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "listed"),
    [
        ("黑龙江省合晟建设工程有限公司", "哈尔滨合晟建设工程有限公司"),
        ("哈尔滨合晟建设工程有限公司", "黑龙江省合晟建设工程有限公司"),
        ("浙江合晟建设工程有限公司", "杭州合晟建设工程有限公司"),
        ("合晟建设工程（浙江）有限公司", "杭州合晟建设工程有限公司"),
        ("杭州市西湖区合晟建设工程有限公司", "杭州合晟建设工程有限公司"),
    ],
)
def test_names_at_two_levels_of_one_region_are_at_most_possible(subject, listed):
    """A region inside the other (province ⊃ city ⊃ district) is a name registered at another
    level: two registered names, at most `possible` (≤ 84) without codes, never strong."""
    comparison = compared(subject, listed)
    assert comparison.score <= REVIEW_CAP
    assert not comparison.same_name
    assert "two levels" in detail(subject, listed, "region")


def test_the_same_region_written_two_ways_is_not_two_levels():
    """浙江杭州 is 杭州 with its province, 杭州市 is 杭州: the same place, strong as before."""
    assert compared("浙江杭州合晟建设工程有限公司", "杭州合晟建设工程有限公司").score >= STRONG
    assert compared("杭州市合晟建设工程有限公司", "杭州合晟建设工程有限公司").score >= STRONG


# --- B. autonomous areas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("楚雄彝族自治州", "楚雄州"),
        ("楚雄彝族自治州", "楚雄"),
        ("延边朝鲜族自治州", "延边州"),
        ("延边朝鲜族自治州", "延边"),
        ("恩施土家族苗族自治州", "恩施州"),
        ("巴音郭楞蒙古自治州", "巴州"),
        ("巴音郭楞蒙古自治州", "巴音郭楞"),
        ("景宁畲族自治县", "景宁县"),
        ("莫力达瓦达斡尔族自治旗", "莫力达瓦旗"),
        ("莫力达瓦达斡尔族自治旗", "莫旗"),
        ("科尔沁右翼前旗", "科右前旗"),
    ],
)
def test_an_autonomous_area_is_one_region_in_all_its_forms(a, b):
    """An autonomous prefecture, county or banner is read as a region in every form it is
    written in (full, short + 州/县/旗, short, usual abbreviation), and two forms agree as one place."""
    name_a, name_b = parse_name(f"{a}合晟建设工程有限公司"), parse_name(f"{b}合晟建设工程有限公司")
    assert [m.text for m in name_a.regions] == [a]
    assert [m.text for m in name_b.regions] == [b]
    assert name_a.trade_name == name_b.trade_name == "合晟"
    assert region_agreement(name_a.region_codes, name_b.region_codes) == 1.0
    assert compare_names(name_b, name_a).score >= STRONG


@pytest.mark.parametrize("region", ["楚雄州", "楚雄彝族自治州", "楚雄", "巴州", "景宁县", "延边州"])
def test_an_autonomous_area_in_brackets_is_the_region(region):
    """After the 字号, in brackets, every form of an autonomous area is the region:
    合晟建设（楚雄州）有限公司 is the 楚雄彝族自治州 company of 合晟建设."""
    name = parse_name(f"合晟建设（{region}）有限公司")
    assert [m.text for m in name.regions] == [region]
    assert name.trade_name == "合晟"
    listed = {
        "楚雄": "楚雄彝族自治州",
        "巴州": "巴音郭楞蒙古自治州",
        "景宁": "景宁畲族自治县",
        "延边": "延边朝鲜族自治州",
    }
    full = next(v for k, v in listed.items() if region.startswith(k))
    assert compared(f"合晟建设（{region}）有限公司", f"{full}合晟建设有限公司").score >= STRONG


def test_a_leading_region_that_is_not_the_bracketed_one_begins_the_trade_name():
    """A name states its region once: 阿里家家…（墨江县） is the 字号 阿里家家 in 墨江县, not 阿里
    (a prefecture) and 墨江县 together."""
    name = parse_name("阿里家家工程监理（墨江县）有限公司")
    assert name.trade_name == "阿里家家"
    assert [m.text for m in name.regions] == ["墨江县"]
    assert compared("墨江哈尼族自治县阿里家家工程监理有限公司", "阿里家家工程监理（墨江县）有限公司").score >= STRONG


# --- C. a region in brackets is compared as a region -------------------------------------------


def test_a_national_name_in_brackets_is_another_legal_person():
    """（中国） is the national level, not the region of a 上海 company: 字号（上海）行业有限公司 and
    字号（中国）行业有限公司 are two legal persons, at most `possible`, and the detail says why."""
    subject, listed = "合晟建设工程（上海）有限公司", "合晟建设工程（中国）有限公司"
    assert compared(subject, listed).score <= REVIEW_CAP
    assert compared(listed, subject).score <= REVIEW_CAP
    assert "national level" in detail(subject, listed, "region")


def test_two_bracketed_regions_that_differ_contradict():
    """（北京） against （上海）: two places, evidence against, below `possible`."""
    subject, listed = "合晟建设工程（北京）有限公司", "合晟建设工程（上海）有限公司"
    assert compared(subject, listed).score < 70
    assert "different places" in detail(subject, listed, "region")


# --- D. a different 字号 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "listed"),
    [
        ("杭州新合晟建设工程有限公司", "杭州合晟建设工程有限公司"),
        ("杭州合晟达建设工程有限公司", "杭州合晟建设工程有限公司"),
        ("杭州大合晟建设工程有限公司", "杭州合晟建设工程有限公司"),
        ("杭州合晟达科建设工程有限公司", "杭州合晟达建设工程有限公司"),  # 0.86 similar: strong before
        ("杭州合新晟达建设工程有限公司", "杭州合晟达建设工程有限公司"),  # a character between
        ("杭州东方合晟达建设工程有限公司", "杭州东合晟达建设工程有限公司"),
    ],
)
def test_a_trade_name_with_more_characters_is_another_trade_name(subject, listed):
    """A 字号 that holds all of the other's characters, in order, and more is a different 字号,
    whatever the similarity or a homophone says: at most `possible`."""
    assert compared(subject, listed).score <= REVIEW_CAP
    assert compared(listed, subject).score <= REVIEW_CAP
    assert "another 字号" in detail(subject, listed, "trade_name")


def test_extra_characters():
    """The characters one 字号 has beyond the other, in front, after or between; None when
    neither holds the other."""
    assert extra_characters("新合晟", "合晟") == "新"
    assert extra_characters("合晟", "合晟达") == "达"
    assert extra_characters("合新晟", "合晟") == "新"
    assert extra_characters("合晟", "合胜") is None
    assert extra_characters("合晟", "合晟") is None


# --- E. an extra industry word ------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "listed"),
    [
        ("杭州合晟咨询管理有限公司", "杭州合晟咨询有限公司"),
        ("杭州合晟建设工程有限公司", "杭州合晟建设有限公司"),
        ("杭州合晟建筑装饰工程有限公司", "杭州合晟装饰工程有限公司"),
        ("杭州合晟有限公司", "杭州合晟建设工程有限公司"),
        ("杭州合晟实业有限公司", "杭州合晟建设工程有限公司"),  # says little against a trade
    ],
)
def test_an_extra_industry_word_is_another_registered_name(subject, listed):
    """An industry with words added, or stated on one side only, or a word that says little
    against a trade: two registered names, at most `possible`."""
    assert compared(subject, listed).score <= REVIEW_CAP
    assert compared(listed, subject).score <= REVIEW_CAP
    assert "at most possible" in detail(subject, listed, "industry")


@pytest.mark.parametrize(
    ("subject", "listed"),
    [
        ("杭州合晟建设工程有限责任公司", "杭州合晟建设工程有限公司"),
        ("杭州合晟建筑工程有限公司", "杭州合晟建设工程有限公司"),  # one trade in other words
        ("杭州合晟商贸有限公司", "杭州合晟贸易有限公司"),
        ("杭州合晟建筑材料有限公司", "杭州合晟建材有限公司"),  # an abbreviation, not a word added
    ],
)
def test_equivalent_forms_and_industries_of_one_trade_still_match(subject, listed):
    """有限公司 ≡ 有限责任公司 is one legal form, and industries of one trade written otherwise are
    one statement: these stay as strong as before."""
    assert compared(subject, listed).score >= STRONG


def test_extra_industry():
    """What one industry statement says beyond the other (the whole of it against none)."""
    assert extra_industry("咨询管理", "咨询") == "管理"
    assert extra_industry("建设", "建设工程") == "工程"
    assert extra_industry("", "建设工程") == "建设工程"
    assert extra_industry("建筑工程", "建设工程") is None
    assert extra_industry("建材", "建筑材料") is None


# --- F. role, seal and consortium notes ------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "（联合体成员）",
        "（联合体牵头人）",
        "（牵头人）",
        "（成员）",
        "（盖章）",
        "（公章）",
        "（主体）",
        "（投标人）",
        "（供应商）",
        "(成员单位)",
        "【盖章】",
        "（聯合體成員）",
        "（联合体：杭州华宇建设工程有限公司、宁波某某有限公司）",
        "（联合体：杭州华宇建设工程（杭州）有限公司、宁波某某有限公司）",
    ],
)
def test_a_role_or_seal_note_is_set_aside_and_said(note):
    """A role, seal or consortium note in brackets is no part of a registered name: it is set
    aside, the subject is found as without it (exact), and a feature says what was set aside."""
    m = NamePartsMatcher()
    m.build(
        [
            Candidate(1, (NameRecord("杭州合晟建设工程有限公司"),), None),
            Candidate(2, (NameRecord("杭州华宇建设工程有限公司"),), None),
        ]
    )
    hits = m.search(Query(name=f"杭州合晟建设工程有限公司{note}"))
    assert (hits[0].entity_id, hits[0].match, hits[0].relation) == (1, "exact", "self")
    assert all(h.match == "possible" or h.entity_id == 1 for h in hits)
    said = [f for f in hits[0].features if f.name == "set_aside"]
    assert len(said) == 1
    assert "set aside" in str(said[0].detail)
    assert said[0].weight == 0.0


def test_a_leading_role_label_is_set_aside():
    """联合体牵头人：杭州合晟… is the company 杭州合晟…: the label before the colon is set aside."""
    assert set_aside("联合体牵头人：杭州合晟建设工程有限公司") == ("杭州合晟建设工程有限公司", ("联合体牵头人：",))
    subject = Subject.of(Query(name="联合体牵头人：杭州合晟建设工程有限公司"))
    assessment = assess(subject, parse_name("杭州合晟建设工程有限公司"), None, "current")
    assert assessment.match == "exact"


@pytest.mark.parametrize(
    "name",
    [
        "合晟建设工程（杭州）有限公司",
        "杭州合晟投资合伙企业（有限合伙）",
        "合晟建设（集团）有限公司",
        "杭州合晟建设工程有限公司（宁波）分公司",
        "杭州合晟建设工程有限公司",
    ],
)
def test_brackets_of_registered_names_stay(name):
    """A bracket holding a region, a legal form, 集团 or a branch qualifier is part of a
    registered name: nothing is set aside."""
    assert set_aside(name) == (name, ())
    assert Subject.of(Query(name=name)).set_aside == ()


def test_a_note_keeps_a_bracketed_region():
    """合晟建设工程（杭州）有限公司（牵头人）: the note goes, the region stays."""
    subject = Subject.of(Query(name="合晟建设工程（杭州）有限公司（牵头人）"))
    assert subject.set_aside == ("(牵头人)",)
    assert [m.text for m in subject.name.regions] == ["杭州"]
    assessment = assess(subject, parse_name("合晟建设工程（杭州）有限公司"), None, "current")
    assert assessment.match == "exact"


# --- G. aliases ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_aliases():
    m = NamePartsMatcher()
    m.build(
        [
            Candidate(1, (NameRecord("上海鸿展实业有限公司"), NameRecord("鸿展实业", "alias")), None),
            Candidate(
                2,
                (
                    NameRecord("杭州合晟建设工程有限公司"),
                    NameRecord("合晟建工", "alias"),
                    NameRecord("杭州合盛建筑有限公司", "former"),
                ),
                None,
            ),
        ]
    )
    return m


def _best(m, name, entity_id):
    return next(h for h in m.search(Query(name=name)) if h.entity_id == entity_id)


@pytest.mark.parametrize(
    ("subject", "entity_id", "fuller"),
    [
        ("鸿展实业", 1, "鸿展实业有限公司"),
        ("上海鸿展实业", 1, "上海鸿展实业有限公司"),
        ("合晟建工", 2, "杭州合晟建工有限公司"),
        ("合晟建工有限公司", 2, "杭州合晟建工有限公司"),
    ],
)
def test_a_bare_alias_decides_no_more_strongly_than_its_fuller_name(with_aliases, subject, entity_id, fuller):
    """An alias (no registered name) is read as its fuller name, with the current name's region
    and legal form: a subject never scores higher on the alias than on that fuller name."""
    hit = _best(with_aliases, subject, entity_id)
    assert hit.score <= compared(subject, fuller).score
    if subject in ("鸿展实业", "合晟建工"):
        assert hit.match == "possible"


def test_an_alias_hit_is_reported_as_an_alias(with_aliases):
    """A hit through an alias has the relation `alias` (not `former_name`), and says how the
    alias was read; a former name is still `former_name`."""
    hit = _best(with_aliases, "杭州合晟建工有限公司", 2)
    assert (hit.relation, hit.matched_name, hit.match) == ("alias", "合晟建工", "exact")
    said = [str(f.detail) for f in hit.features if f.name == "alias"]
    assert said
    assert "杭州合晟建工有限公司" in said[0]
    former = _best(with_aliases, "杭州合盛建筑有限公司", 2)
    assert former.relation == "former_name"


def test_a_caller_that_does_not_know_alias_has_a_fallback():
    """`alias` is one of the relations; a caller showing only the older ones may show it as
    `former_name`."""
    assert "alias" in RELATIONS
    assert RELATION_FALLBACK["alias"] == "former_name"
    assert all(RELATION_FALLBACK.get(r, r) in ("self", "former_name", "branch_of") for r in RELATIONS)
