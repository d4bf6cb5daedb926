"""Screening (资格审查信用核查): decisions, consortia, evidence and its verification, the name index."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from registry import access
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.evidence.anchoring import anchor
from registry.evidence.signing import EvidenceSigner
from registry.ledger import Actor, verify_audit_chain
from registry.messages import render
from registry.models import AuditLog, Screening
from registry.records import entities as entity_service
from registry.records import list_entries as entry_service
from registry.screening import service
from registry.screening.measures import load_measures
from registry.screening.name_index import NameIndex, candidates_from_db, default_matcher
from tests import factories
from tests.exact_matcher import ExactMatcher

MEASURES = load_measures()
TODAY = factories.TODAY
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
RED = {
    "list_type": "red",
    "list_name": "守信激励对象名单",
    "domains": ["procurement", "construction_bidding"],
    "reason_category": "守信激励",
    "facts": "连续三年信用评价AAA",
}


@pytest.fixture
def index():
    """An index over the exact-only test double: decisions without fuzzy matching in the way."""
    return NameIndex(ExactMatcher)


@pytest.fixture
def real_index():
    """An index over the real matcher (`matching.NamePartsMatcher`), for what needs fuzzy matching."""
    return NameIndex(default_matcher)


@pytest.fixture
def screener(session, world) -> Actor:
    found = access.authenticate(session, world.screener_key)
    assert found is not None
    return found


def screen(session, actor, index, subjects, *, domain="procurement", project_code="ZJCG-2026-001", **extra):
    data = {"domain": domain, "project_code": project_code, "subjects": subjects, **extra}
    return service.screen_subjects(session, data, actor, TODAY, index, MEASURES, now=NOW)


def subject(screening: Screening, i: int = 0) -> dict:
    return screening.document["subjects"][i]


@pytest.fixture
def blacklisted(session, world):
    """An entity on the procurement blacklist (政府采购严重违法失信行为记录名单), in force today."""
    entity = factories.make_entity(session, "杭州合晟建设工程有限公司")
    factories.make_list_entry(session, world.finance, entity)
    return entity


# --- decisions ----------------------------------------------------------------------------------


def test_exact_code_match_of_a_procurement_blacklisted_entity_blocks_in_procurement(
    session, screener, index, blacklisted
):
    screening = screen(session, screener, index, [{"name": "某某公司", "uscc": blacklisted.uscc, "role": "投标人"}])
    s = subject(screening)
    assert screening.decision == s["decision"] == "block"
    hit = s["hits"][0]
    assert (hit["entity_id"], hit["match"], hit["effect"]) == (blacklisted.id, "exact", "block")
    assert "procurement.debarment" in hit["measures"]
    assert any(r.startswith("block:") and "procurement.debarment" in r for r in s["reasons_en"])
    listed = screening.document["entities"][str(blacklisted.id)]
    assert [r["record_type"] for r in listed["records"]] == ["list_entry"]
    assert listed["records"][0]["snapshot"]["list_name"] == "政府采购严重违法失信行为记录名单"
    assert screening.document["scorer"] == {"name": "exact-test-double", "version": "0"}
    assert screening.registry_seq == screening.document["registry_seq"] > 0


def test_the_stored_document_says_reasons_and_explanations_in_chinese_with_the_english_beside(
    session, screener, real_index, blacklisted
):
    """Document format screening/2: `reasons` and each feature's `detail` in Chinese, as a person reads
    them; `reasons_en` and `detail_en` in English, as the code says them."""
    screening = screen(session, screener, real_index, [{"name": "杭州合晟科技有限公司", "uscc": "330106000123458"}])
    document = screening.document
    assert document["format"] == service.DOCUMENT_FORMAT == "screening/2"
    s = subject(screening)
    n, number = blacklisted.id, document["entities"][str(blacklisted.id)]["records"][0]["snapshot"]["decision_number"]
    assert s["reasons"] == [
        "所填代码 330106000123458 是 15 位注册号（营业执照注册号），统一社会信用代码中不含注册号：无法与名单主体的代码比对，"
        "不使用该代码；仅按名称核查",
        f"需复核：疑似命中的杭州合晟建设工程有限公司（登记主体编号 {n}；疑似，得分 70.0）带有禁止性惩戒措施 "
        "procurement.debarment 列入政府采购严重违法失信行为记录名单期间禁止参加政府采购活动（政府采购法第七十七条、"
        f"政府采购法实施条例第七十二条、财库〔2016〕125号）：由浙江省财政厅以{number}列入政府采购严重违法失信"
        "行为记录名单（黑名单），列入日期 2026-03-01，有效期至 2027-03-01；须由经办人判断是否为同一主体",
    ]
    assert s["reasons_en"] == [
        "uscc 330106000123458 is a 15-digit 注册号 (business-licence number), which no 统一社会信用代码 contains: it "
        "cannot be compared with listed codes and is not used; screened by name only",
        f"review: possible match 杭州合晟建设工程有限公司 (entity {n}; possible match, score 70.0) carries a block measure, "
        "procurement.debarment 列入政府采购严重违法失信行为记录名单期间禁止参加政府采购活动 (政府采购法第七十七条、"
        "政府采购法实施条例第七十二条、财库〔2016〕125号): on 政府采购严重违法失信行为记录名单 (黑名单) by "
        f"{number} of 浙江省财政厅, listed 2026-03-01 through 2027-03-01; a person decides whether it is "
        "the same entity",
    ]
    said = {f["name"]: (f["detail"], f["detail_en"]) for f in s["hits"][0]["features"]}
    assert said["code"] == (
        "投标人所填代码 330106000123458 是 15 位注册号，统一社会信用代码中不含注册号，无法比对（既不支持也不否定为同一主体）",
        "the subject's code 330106000123458 is a 15-digit 注册号, which a 统一社会信用代码 does not contain: it cannot "
        "be compared (no evidence either way)",
    )
    assert said["trade_name"] == (
        "字号「合晟」与「合晟」：相似度 1.00，按 1.00 计",
        "字号 「合晟」 vs 「合晟」: similarity 1.00, counts as 1.00",
    )
    assert said["industry"] == (
        "行业「科技」与「建设工程」：分属不同行业（反向证据）",
        "行业 「科技」 vs 「建设工程」: different trades (evidence against)",
    )
    listed = document["entities"][str(blacklisted.id)]["measures"][0]["records"][0]
    assert listed["reason"].startswith(f"由浙江省财政厅以{number}列入政府采购严重违法失信行为记录名单")
    assert listed["reason_en"].startswith(f"on 政府采购严重违法失信行为记录名单 (黑名单) by {number}")


def test_same_entity_is_clear_in_a_domain_where_no_measure_applies(session, screener, index, blacklisted):
    """No MOU item that could be read reaches 国有产权交易 from a procurement listing."""
    screening = screen(session, screener, index, [{"uscc": blacklisted.uscc}], domain="state_assets")
    s = subject(screening)
    assert screening.decision == "clear"
    # the hit is still shown, with the record in force, and the reason says why nothing applies
    assert s["hits"][0]["entity_id"] == blacklisted.id
    assert s["hits"][0]["effect"] is None
    assert any(r.startswith("no measure:") and "state_assets" in r for r in s["reasons_en"])


@pytest.mark.parametrize(
    ("domain", "item"),
    [
        ("construction_bidding", "发改财金〔2018〕1614号 惩戒措施（二）"),
        ("land", "发改财金〔2018〕1614号 惩戒措施（三）"),
    ],
)
def test_a_procurement_blacklisting_reaches_works_bidding_and_land_for_review_naming_the_mou_item(
    session, screener, index, blacklisted, domain, item
):
    """发改财金〔2018〕1614号: 依法限制参与政府投资工程建设项目投标活动 / 依法限制取得政府供应土地. 依法限制 is
    applied as the law and the tender conditions allow: a person decides, and the reason names the item
    and the deciding authority."""
    s = subject(screen(session, screener, index, [{"uscc": blacklisted.uscc}], domain=domain))
    assert s["decision"] == "review"
    reason = next(r for r in s["reasons_en"] if r.startswith("review:"))
    assert item in reason
    assert "浙江省财政厅" in reason


def test_a_possible_match_with_a_block_measure_asks_for_review(session, screener, real_index, blacklisted):
    # same trade name and city, another industry: the matcher says `possible`
    screening = screen(session, screener, real_index, [{"name": "杭州合晟科技有限公司"}])
    s = subject(screening)
    assert s["hits"][0]["match"] == "possible"
    assert screening.decision == "review"
    assert any(r.startswith("review: possible match") for r in s["reasons_en"])


def test_the_real_matcher_finds_variants_and_branches_but_not_namesakes_elsewhere(
    session, screener, real_index, blacklisted
):
    screening = screen(
        session,
        screener,
        real_index,
        [
            {"name": "杭州合晟建設工程有限責任公司"},  # traditional characters, 有限责任公司 ≡ 有限公司
            {"name": "合晟建设工程（杭州）有限公司"},  # the region in brackets after the trade name
            {"name": "杭州合晟建设工程有限公司滨江分公司"},  # a branch: its head company's record concerns it
            {"name": "温州合晟建设工程有限公司"},  # the same trade name in another city: another company
            {"name": "某某公司", "uscc": blacklisted.uscc},  # the code decides
        ],
    )
    found = [(h["match"], h["relation"]) for s in screening.document["subjects"] for h in s["hits"]]
    assert found == [("exact", "self"), ("strong", "self"), ("strong", "branch_of"), ("exact", "self")]
    assert [subject(screening, i)["decision"] for i in range(5)] == ["block", "block", "block", "clear", "block"]
    assert screening.document["scorer"] == {
        "name": "cn-name-parts",
        "version": real_index.search(session, []).scorer_version,
    }


def test_a_red_list_entity_gets_incentives_and_is_never_blocked(session, screener, index, world):
    entity = factories.make_entity(session, "宁波诚信建设有限公司")
    factories.make_list_entry(session, world.finance, entity, **RED)
    screening = screen(session, screener, index, [{"uscc": entity.uscc}])
    s = subject(screening)
    assert screening.decision == "clear"
    assert s["hits"][0]["effect"] == "incentive"
    assert {i["code"] for i in s["incentives"]} >= {"trading.green_channel", "trading.fast_acceptance"}
    assert not any(r.startswith(("block", "review")) for r in s["reasons_en"])


def test_an_incentive_is_not_offered_on_a_possible_match(session, screener, real_index, world):
    entity = factories.make_entity(session, "宁波诚信建设有限公司")
    factories.make_list_entry(session, world.finance, entity, **RED)
    s = subject(screen(session, screener, real_index, [{"name": "宁波诚信科技有限公司"}]))
    assert s["hits"][0]["match"] == "possible"
    assert s["decision"] == "clear"
    assert s["incentives"] == []
    assert any(r.startswith("incentive not offered") for r in s["reasons_en"])


def test_one_bad_member_flags_every_member_of_its_consortium(session, screener, index, blacklisted):
    clean_a = factories.make_entity(session, "温州清白设计有限公司")
    screening = screen(
        session,
        screener,
        index,
        [
            {"name": "温州清白设计有限公司", "uscc": clean_a.uscc, "consortium": "联合体A", "role": "联合体牵头人"},
            {"name": "杭州合晟建设工程有限公司", "consortium": "联合体A", "role": "联合体成员"},
            {"name": "丽水独立投标有限公司", "role": "投标人"},
        ],
    )
    lead, member, alone = (subject(screening, i) for i in range(3))
    assert member["own_decision"] == member["decision"] == "block"
    assert lead["own_decision"] == "clear"
    assert lead["decision"] == "block"
    assert any("consortium 联合体A: member subjects.1" in r and "联合体" in r for r in lead["reasons_en"])
    assert alone["decision"] == "clear"
    assert screening.decision == "block"
    assert screening.document["consortia"] == [{"label": "联合体A", "members": [0, 1], "decision": "block"}]


def test_a_renamed_entity_is_found_by_its_former_name(session, screener, real_index, blacklisted):
    screen(session, screener, real_index, [{"name": "无关公司"}])  # the index is built before the rename
    entity_service.update_entity(
        session, blacklisted.id, {"name": "杭州新晟建设工程有限公司"}, factories.ADMIN, blacklisted.version, None, TODAY
    )
    s = subject(screen(session, screener, real_index, [{"name": "杭州合晟建设工程有限公司"}]))
    hit = s["hits"][0]
    assert (hit["entity_id"], hit["relation"], hit["entity_name"]) == (
        blacklisted.id,
        "former_name",
        "杭州新晟建设工程有限公司",
    )
    assert s["decision"] == "block"


def test_a_new_list_entry_is_seen_by_the_next_screening_without_a_restart(session, screener, index, world):
    entity = factories.make_entity(session, "嘉兴后来建设有限公司")
    first = screen(session, screener, index, [{"uscc": entity.uscc}])
    assert first.decision == "clear"
    assert subject(first)["hits"] == []
    factories.make_list_entry(session, world.finance, entity)
    second = screen(session, screener, index, [{"uscc": entity.uscc}])
    assert second.decision == "block"
    assert second.registry_seq > first.registry_seq
    assert index.rebuilds == 1  # caught up from the outbox, not rebuilt


def test_a_natural_persons_name_alone_never_blocks(session, screener, real_index, world):
    from registry.codes.idnumber import IdentityVault

    person = entity_service.create_entity(
        session,
        {"kind": "natural_person", "name": "张伟", "id_type": "resident_id", "id_number": "11010519491231002X"},
        factories.ADMIN,
        IdentityVault("test-data-protection-secret"),
    )
    factories.make_list_entry(session, world.finance, person)
    s = subject(screen(session, screener, real_index, [{"name": "张伟"}]))
    assert (s["hits"][0]["match"], s["hits"][0]["counts_as"]) == ("exact", "possible")
    assert s["decision"] == "review"


def test_records_that_no_longer_count_leave_no_hit(session, screener, index, world):
    entity = factories.make_entity(session, "衢州过期建设有限公司")
    factories.make_list_entry(
        session, world.finance, entity, listed_on=dt.date(2024, 1, 1), expires_on=dt.date(2025, 1, 1)
    )
    assert subject(screen(session, screener, index, [{"uscc": entity.uscc}]))["hits"] == []


def test_unusable_input_is_noted_and_a_subject_with_nothing_usable_goes_to_review(session, screener, real_index):
    screening = screen(
        session,
        screener,
        real_index,
        [
            {"uscc": "91330106MA2XXXXXX1"},
            {"name": "个体户小吃店", "uscc": "00000000000000000X"},
            {"name": "（）……"},
            {"name": "杭州\x00合晟建设工程有限公司", "uscc": "123"},
        ],
    )
    bad, placeholder, punctuation, mixed = (subject(screening, i) for i in range(4))
    assert bad["decision"] == "review"
    assert "not a valid" in bad["reasons_en"][0]
    assert placeholder["decision"] == "clear"
    assert "placeholder" in placeholder["reasons_en"][0]
    assert placeholder["subject_key"] == "name:个体户小吃店"
    assert punctuation["decision"] == "review"
    assert "nothing to compare" in punctuation["reasons_en"][0]
    assert mixed["name"] == "杭州合晟建设工程有限公司"  # control characters dropped
    assert mixed["decision"] == "clear"
    assert "not a valid" in mixed["reasons_en"][0]


# --- codes used before the 统一社会信用代码 ------------------------------------------------------------


def organisation_coded(session, world, first8: str, name: str):
    """A listed entity (procurement blacklist) whose USCC holds a valid 组织机构代码 built from `first8`.

    GB 32100-2015: characters 9–17 of a 统一社会信用代码 are the organisation's 组织机构代码
    (GB 11714-1997: eight characters and a check character, weights 3, 7, 9, 10, 5, 8, 4, 2 mod 11).
    """
    from matching.codes import organisation_check
    from registry.codes.uscc import complete

    organisation = first8 + organisation_check(first8)
    entity = factories.make_entity(session, name, uscc=complete("91330106" + organisation))
    factories.make_list_entry(session, world.finance, entity)
    return entity, organisation


def test_an_organisation_code_alone_screens_against_the_listed_codes_and_blocks(session, screener, real_index, world):
    """GB 11714-1997 组织机构代码 given alone (no name): GB 32100-2015 makes it characters 9–17 of
    the USCC, so it finds the listed entity like a USCC would, and the block measure applies."""
    entity, organisation = organisation_coded(session, world, "72631281", "杭州旧码建设工程有限公司")
    screening = screen(
        session,
        screener,
        real_index,
        [
            {"uscc": organisation, "role": "投标人"},
            {"uscc": f"{organisation[:8]}-{organisation[8]}"},  # as printed on an old 组织机构代码证
        ],
    )
    for s in screening.document["subjects"]:
        assert s["decision"] == "block"
        hit = s["hits"][0]
        assert (hit["entity_id"], hit["match"], hit["effect"]) == (entity.id, "exact", "block")
        assert any(r.startswith("block:") and "procurement.debarment" in r for r in s["reasons_en"])
        assert not any("can match no listed entity" in r for r in s["reasons_en"])
        assert not any("could not be screened" in r for r in s["reasons_en"])
        assert any("组织机构代码" in r and "characters 9–17" in r for r in s["reasons_en"])
        assert s["subject_key"] == f"uscc:{organisation}"
    assert screening.decision == "block"


def test_an_organisation_code_is_decided_by_the_measures_of_the_screened_domain(session, screener, real_index, world):
    """GB 11714-1997 code, GB 32100-2015 characters 9–17: a hit like any other, so a procurement
    blacklisting is shown but sets off nothing in state-asset trading; an unlisted code is clear."""
    entity, organisation = organisation_coded(session, world, "MA27Y9XK", "杭州旧码二建设有限公司")
    from matching.codes import organisation_check

    stranger = "12345678" + organisation_check("12345678")
    screening = screen(
        session, screener, real_index, [{"uscc": organisation}, {"uscc": stranger}], domain="state_assets"
    )
    found, unknown = subject(screening, 0), subject(screening, 1)
    assert found["hits"][0]["entity_id"] == entity.id
    assert found["decision"] == "clear"
    assert unknown["hits"] == []
    assert unknown["decision"] == "clear"
    assert "no listed entity matched this subject" in unknown["reasons_en"]
    assert not any("could not be screened" in r for r in unknown["reasons_en"])


def test_an_organisation_code_with_a_wrong_check_character_is_noted_and_not_used(session, screener, real_index, world):
    """GB 11714-1997: the 9th character checks the first eight; a code failing it is not used, and
    the note says so (alone: review; with a name: screened by the name)."""
    entity, organisation = organisation_coded(session, world, "72631282", "杭州错码建设工程有限公司")
    wrong = organisation[:8] + ("0" if organisation[8] != "0" else "1")
    screening = screen(
        session,
        screener,
        real_index,
        [
            {"uscc": wrong},
            {"name": "杭州错码建设工程有限公司", "uscc": wrong},
        ],
    )
    alone, named = subject(screening, 0), subject(screening, 1)
    assert alone["decision"] == "review"
    assert alone["hits"] == []
    assert "组织机构代码" in alone["reasons_en"][0]
    assert "check character" in alone["reasons_en"][0]
    assert "not used" in alone["reasons_en"][0]
    assert any("could not be screened" in r for r in alone["reasons_en"])
    assert alone["subject_key"] == f"uscc:{wrong}"
    assert named["hits"][0]["entity_id"] == entity.id
    assert named["decision"] == "block"
    assert named["subject_key"] == "name:杭州错码建设工程有限公司"
    assert "not used" in named["reasons_en"][0]
    for s in (alone, named):
        assert not any("can match no listed entity" in r for r in s["reasons_en"])


def test_subject_key_takes_a_valid_organisation_code():
    """GB 11714-1997 code given with a name: the code identifies the subject, as a USCC does."""
    from registry.screening.request import read_subject

    s = read_subject(0, {"name": "杭州某某有限公司", "uscc": "726312812"}, {})
    assert s is not None
    assert (s.key, s.screenable, s.query_code) == ("uscc:726312812", True, "726312812")


def test_a_registration_number_alone_is_noted_as_not_comparable():
    """A 15-digit 注册号 (ISO 7064 MOD 11,10) is not in a GB 32100-2015 USCC, unlike the GB 11714-1997
    组织机构代码: it is said to be unusable for comparing codes, and the subject is not screenable."""
    from registry.screening.request import read_subject

    s = read_subject(0, {"uscc": "330106000123458"}, {})
    assert s is not None
    assert not s.screenable
    notes = [str(n) for n in s.notes]
    assert notes == [
        "uscc 330106000123458 is a 15-digit 注册号 (business-licence number), which no 统一社会信用代码 contains: it "
        "cannot be compared with listed codes and is not used",
        "no usable name and no usable code: this subject could not be screened",
    ]
    assert [render(n, "zh") for n in s.notes] == [
        "所填代码 330106000123458 是 15 位注册号（营业执照注册号），统一社会信用代码中不含注册号：无法与名单主体的代码比对，"
        "不使用该代码",
        "没有可比对的名称，也没有可用的代码：无法核查该投标人",
    ]


# --- the request ---------------------------------------------------------------------------------


def test_1001_subjects_are_refused(session, screener, index):
    with pytest.raises(InvalidInput) as caught:
        screen(session, screener, index, [{"name": f"公司{i}"} for i in range(1001)])
    assert "subjects" in caught.value.errors


def test_a_subject_with_neither_name_nor_code_is_refused_by_its_index(session, screener, index):
    subjects = [{"name": "甲公司"}, {"name": "乙公司"}, {"uscc": "  "}, {"role": "投标人"}]
    with pytest.raises(InvalidInput) as caught:
        screen(session, screener, index, subjects)
    assert set(caught.value.errors) == {"subjects.2", "subjects.3"}
    assert "subjects.3" in caught.value.message


def test_unknown_domain_is_refused(session, screener, index):
    with pytest.raises(InvalidInput) as caught:
        screen(session, screener, index, [{"name": "甲公司"}], domain="fishing")
    assert "domain" in caught.value.errors


def test_only_screeners_and_admins_screen(session, world, index):
    supervisor = factories.supervisor_of(world.finance)
    with pytest.raises(NotPermitted):
        screen(session, supervisor, index, [{"name": "甲公司"}])
    assert screen(session, factories.ADMIN, index, [{"name": "甲公司"}]).decision == "clear"


# --- evidence --------------------------------------------------------------------------------------


def test_a_screening_verifies_after_its_records_change_but_not_after_tampering(
    session, screener, index, world, blacklisted
):
    screening = screen(session, screener, index, [{"uscc": blacklisted.uscc}])
    result = verify(session, screening.id, screener)
    assert result.valid
    assert result.stored_digest == result.computed_digest == screening.digest
    assert result.audit_seq is None
    assert verify_audit_chain(session).ok

    entry_id = screening.document["entities"][str(blacklisted.id)]["records"][0]["id"]
    entry = entry_service.correct_list_entry(
        session,
        entry_id,
        {"facts": "更正后的事实"},
        "更正",
        factories.supervisor_of(world.finance),
        _version(session, entry_id),
        TODAY,
        rules=factories.rules(session),
    )
    assert entry.facts == "更正后的事实"
    assert verify(session, screening.id, screener).valid
    kept = service.get_screening(session, screening.id, screener).document
    assert kept["entities"][str(blacklisted.id)]["records"][0]["snapshot"]["facts"] == "提供虚假业绩证明材料"

    tampered = dict(screening.document, decision="clear")
    session.execute(sa.update(Screening).where(Screening.id == screening.id).values(document=tampered))
    result = verify(session, screening.id, screener)
    assert not result.valid
    assert result.computed_digest != result.stored_digest
    assert any("altered" in p for p in result.problems)


SIGNER = EvidenceSigner.from_hex("11" * 32)


def verify(session, screening_id: int, actor: Actor) -> service.Verification:
    return service.verify_screening(
        session,
        screening_id,
        actor,
        now=dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC),
        anchor_interval=dt.timedelta(seconds=1),
    )


def _version(session, entry_id):
    from registry.models import ListEntry

    return session.get(ListEntry, entry_id).version


def test_rewriting_a_document_and_its_digest_together_is_caught_by_the_anchor(session, screener, index, blacklisted):
    screening = screen(session, screener, index, [{"uscc": blacklisted.uscc}])
    assert anchor(session, SIGNER) is not None
    document = dict(screening.document, decision="clear")
    from registry.ledger import row_hash

    session.execute(
        sa.update(Screening)
        .where(Screening.id == screening.id)
        .values(document=document, digest=row_hash(document), decision="clear")
    )
    result = verify(session, screening.id, screener)
    assert not result.valid
    assert result.stored_digest == result.computed_digest
    assert any("differs from the document's digest" in p for p in result.problems)
    assert any("inclusion proof does not lead" in p for p in result.problems)


def test_a_screening_stored_before_the_evidence_tree_has_its_audit_row_checked(session, screener, index, blacklisted):
    """Screenings stored before the tree carry an audit row: rewriting it together with the
    document is still caught, by the row's own hash."""
    from registry.ledger import append_audit, row_hash

    screening = screen(session, screener, index, [{"uscc": blacklisted.uscc}])
    after = {"id": screening.id, "digest": screening.digest, "project_code": "ZJCG-2026-001", "decision": "block"}
    stamp = append_audit(
        session,
        actor=screener,
        action="screen",
        record_type="screening",
        record_id=screening.id,
        before=None,
        after=after,
    )
    assert verify(session, screening.id, screener).audit_seq == stamp.seq
    assert verify(session, screening.id, screener).valid
    document = dict(screening.document, decision="clear")
    session.execute(
        sa.update(Screening)
        .where(Screening.id == screening.id)
        .values(document=document, digest=row_hash(document), decision="clear")
    )
    assert any("digest in audit row" in p for p in verify(session, screening.id, screener).problems)
    session.execute(
        sa.update(AuditLog).where(AuditLog.seq == stamp.seq).values(after={**after, "digest": row_hash(document)})
    )
    result = verify(session, screening.id, screener)
    assert not result.valid
    assert any("does not match its own hash" in p for p in result.problems)


def test_dispositions_are_shown_on_the_next_screening_of_the_same_pair(session, screener, real_index, blacklisted):
    first = screen(session, screener, real_index, [{"name": "杭州合晟建设工程有限公司"}])
    row = service.dispose_hit(
        session, first.id, blacklisted.id, 0, "false_positive", "同名不同主体，经核实代码不同", screener
    )
    assert row.subject_key == "name:杭州合晟建设工程有限公司"
    # written with spaces and traditional characters it is the same subject
    second = screen(session, screener, real_index, [{"name": "杭州 合晟建設工程 有限公司"}])
    s = subject(second)
    assert s["decision"] == "block"  # shown, not applied
    assert s["hits"][0]["dispositions"][0]["disposition"] == "false_positive"
    assert any("false_positive" in r and "shown, not applied" in r for r in s["reasons_en"])
    assert [d.id for d in service.read_screening(session, first.id, screener).dispositions] == [row.id]


def test_dispositions_name_a_hit_of_the_screening(session, screener, index, blacklisted, world):
    screening = screen(session, screener, index, [{"name": "杭州合晟建设工程有限公司"}])
    with pytest.raises(InvalidInput, match="subject_index"):
        service.dispose_hit(session, screening.id, blacklisted.id, 1, "confirmed", "核实", screener)
    with pytest.raises(InvalidInput, match="entity_id"):
        service.dispose_hit(session, screening.id, blacklisted.id + 999, 0, "confirmed", "核实", screener)
    with pytest.raises(InvalidInput, match="disposition"):
        service.dispose_hit(session, screening.id, blacklisted.id, 0, "maybe", "核实", screener)
    platform = access.authenticate(session, world.platform_key)
    with pytest.raises(NotPermitted):
        service.dispose_hit(session, screening.id, blacklisted.id, 0, "confirmed", "核实", platform)


def test_a_screener_reads_only_its_own_screenings(session, screener, index, world):
    screening = screen(session, screener, index, [{"name": "甲公司"}])
    access.create_key(session, role="screener", name="另一代理")
    other = Actor(key_id=screener.key_id + 100, name="另一代理", role="screener")
    with pytest.raises(NotFound):
        service.get_screening(session, screening.id, other)
    with pytest.raises(NotPermitted):
        service.get_screening(session, screening.id, factories.supervisor_of(world.finance))
    for reader in (access.authenticate(session, world.platform_key), factories.ADMIN, screener):
        assert service.get_screening(session, screening.id, reader).id == screening.id
    assert service.list_screenings(session, other).total == 0


def test_listing_by_project_code_shows_every_check_for_the_project(session, screener, index, world):
    made = [
        screen(session, screener, index, [{"name": "甲公司"}], project_code=code).id for code in ("P-1", "P-2", "P-1")
    ]
    platform = access.authenticate(session, world.platform_key)
    page = service.list_screenings(session, platform, project_code="P-1")
    assert [s.id for s in page.items] == [made[0], made[2]]
    assert page.total == 2


# --- the name index ----------------------------------------------------------------------------------


def test_candidates_are_the_listed_entities_with_all_names_and_usable_codes(session, world):
    listed = factories.make_entity(
        session, "杭州甲建设有限公司", names=[{"name": "杭州甲建筑有限公司", "kind": "former"}]
    )
    factories.make_list_entry(session, world.finance, listed)
    factories.make_entity(session, "杭州未列入有限公司")
    shop = factories.make_entity(session, "西湖区张三小吃店", kind="individual_business", uscc="00000000000000000X")
    factories.make_penalty(session, world.finance, shop)
    found = {c.entity_id: c for c in candidates_from_db(session)}
    assert set(found) == {listed.id, shop.id}
    assert [(n.name, n.kind) for n in found[listed.id].names] == [
        ("杭州甲建设有限公司", "current"),
        ("杭州甲建筑有限公司", "former"),
    ]
    assert found[listed.id].code == listed.uscc
    assert found[shop.id].code is None


def test_the_index_rebuilds_when_the_outbox_is_not_the_one_it_applied(session, world):
    index = NameIndex(ExactMatcher)
    entity = factories.make_entity(session, "杭州回滚建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    nested = session.begin_nested()
    other = factories.make_entity(session, "杭州幻影建设有限公司")
    factories.make_list_entry(session, world.finance, other)
    index.ensure_fresh(session)
    assert len(index) == 2
    nested.rollback()  # the events it applied are gone; new ones reuse their numbers
    third = factories.make_entity(session, "杭州第三建设有限公司")
    factories.make_list_entry(session, world.finance, third)
    index.ensure_fresh(session)
    assert index.rebuilds == 2
    assert len(index) == 2
    assert index.search(session, [sa_query("杭州幻影建设有限公司")]).hits == [[]]


def test_the_index_rebuilds_when_too_many_events_are_pending(session, world):
    index = NameIndex(ExactMatcher, max_pending=3)
    index.ensure_fresh(session)
    for i in range(3):
        factories.make_list_entry(session, world.finance, factories.make_entity(session, f"杭州批量{i}有限公司"))
    index.ensure_fresh(session)
    assert index.rebuilds == 2
    assert len(index) == 3
    seq = index.seq
    assert index.ensure_fresh(session) == seq
    assert index.rebuilds == 2


def sa_query(name):
    from matching.types import Query

    return Query(name=name)


def test_a_personal_id_number_typed_into_a_subject_is_kept_masked() -> None:
    """A screening is evidence shown to administrators and the platform: a resident ID number typed
    in by mistake (in the code column, the name, spaced or in full-width digits) is stored masked."""
    from registry.codes.idnumber import mask
    from registry.screening.request import read_subject

    number = "11010519491231002X"
    spaced, wide = "110105 19491231 002X", "１１０１０５１９４９１２３１００２Ｘ"
    raws = [
        {"uscc": number},
        {"uscc": spaced},
        {"uscc": wide},
        {"name": f"张三 {number}"},
        {"name": "杭州合晟建设工程有限公司", "uscc": "91330106MA27Y9XK1L"},
    ]
    subjects = [read_subject(i, raw, {}) for i, raw in enumerate(raws)]
    stored = repr([(s.request_form(), s.notes, s.key, s.query_code) for s in subjects if s is not None])
    assert "0519491231" not in stored
    assert "０５１９４９" not in stored
    assert stored.count(mask(number)) >= 4
    assert subjects[4] is not None
    assert subjects[4].uscc == "91330106MA27Y9XK1L"
