"""失信相关人 found behind a screened subject (发改法规〔2018〕457号, 一、联合惩戒对象).

A bidder's legal representative who is a responsible person of a listed company, or an expert
screened as a subject who is one, gets the measure that reaches their role: as the catalogue says
when identified by ID number, at most review by name alone, and never when the ID numbers differ.
The measures here are the shipped ones with a `persons` reach added, so the rule is tested apart
from what the catalogue says of each MOU item.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from stdnum.cn import ric

from registry import access
from registry.catalogue.measures import PersonReach
from registry.codes.idnumber import mask
from registry.errors import InvalidInput
from registry.screening import service
from registry.screening.measures import load_measures
from registry.screening.name_index import NameIndex
from tests import factories
from tests.exact_matcher import ExactMatcher

TODAY = factories.TODAY
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


REP_ID = resident_id("33010619800101123")
OTHER_ID = resident_id("33010219750505432")
EXPERT_ID = resident_id("33010519700303111")


def _measures(effect: str = "block"):
    reach = PersonReach(("legal_representative", "evaluation_expert"), effect)
    return tuple(
        dataclasses.replace(m, persons=reach) if m.code == "procurement.debarment" else m for m in load_measures()
    )


@pytest.fixture
def screener(session, world):
    return access.authenticate(session, world.screener_key)


@pytest.fixture
def listed(session, world):
    """杭州合晟 on the procurement blacklist; its legal representative 张三 and an expert 王五 named."""
    entity = factories.make_entity(session, "杭州合晟建设工程有限公司")
    entry = factories.make_list_entry(
        session,
        world.finance,
        entity,
        responsible_persons=[
            {"role": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number": REP_ID},
            {"role": "evaluation_expert", "name": "王五", "id_type": "resident_id", "id_number": EXPERT_ID},
        ],
    )
    session.commit()
    return entry


def screen(session, actor, subjects, measures=None, domain="procurement"):
    data = {"domain": domain, "project_code": "ZJCG-2026-009", "subjects": subjects}
    draft = service.evaluate_screening(
        session, data, actor, TODAY, NameIndex(ExactMatcher), measures or _measures(), now=NOW, vault=factories.VAULT
    )
    return service.store_screening(session, draft, actor)


def _bidder(**rep):
    return {"name": "宁波新开元贸易有限公司", "role": "投标人", "legal_representative": rep}


def test_a_legal_representative_identified_by_id_number_sets_off_the_measure(session, screener, listed):
    s = screen(session, screener, [_bidder(name="张三", id_type="resident_id", id_number=REP_ID)]).document["subjects"][
        0
    ]
    assert s["decision"] == "block"
    [link] = s["person_links"]
    assert (link["identified_by"], link["role"], link["effect"]) == ("id_number", "legal_representative", "block")
    assert link["measures"][0] == "procurement.debarment"  # the block first, then the 457号 review
    reason = next(r for r in s["reasons"] if r.startswith("禁止："))
    for words in (
        "法定代表人 张三",
        mask(REP_ID),
        "杭州合晟建设工程有限公司",
        "政府采购严重违法失信行为记录名单",
        listed.decision_number,
        "浙江省财政厅",
        "证件号码一致",
    ):
        assert words in reason


def test_the_stored_screening_keeps_the_number_masked_only(session, screener, listed):
    screening = screen(session, screener, [_bidder(name="张三", id_number=REP_ID)])
    text = str(screening.document)
    assert REP_ID not in text
    assert screening.document["request"]["subjects"][0]["legal_representative"]["id_number_masked"] == mask(REP_ID)


def test_by_name_only_it_is_at_most_review(session, screener, listed):
    s = screen(session, screener, [_bidder(name="张三")]).document["subjects"][0]
    assert s["decision"] == "review"
    [link] = s["person_links"]
    assert (link["identified_by"], link["effect"]) == ("name", "review")
    assert any("仅姓名相同" in r for r in s["reasons"])


def test_the_same_name_with_another_id_number_is_another_person(session, screener, listed):
    s = screen(session, screener, [_bidder(name="张三", id_number=OTHER_ID)]).document["subjects"][0]
    assert s["decision"] == "clear"
    assert s["person_links"] == []


def test_an_expert_screened_as_a_subject_is_found_by_id(session, screener, listed):
    expert = {"name": "王五", "role": "评标评审专家", "id_type": "resident_id", "id_number": EXPERT_ID}
    s = screen(session, screener, [expert]).document["subjects"][0]
    assert s["decision"] == "block"
    assert s["person_links"][0]["role"] == "evaluation_expert"
    assert s["id_number_masked"] == mask(EXPERT_ID)


def test_a_measure_reaching_persons_for_review_reviews(session, screener, listed):
    s = screen(session, screener, [_bidder(id_number=REP_ID)], measures=_measures("review")).document["subjects"][0]
    assert s["decision"] == "review"


def test_no_link_once_the_record_or_the_persons_period_has_ended(session, screener, world):
    entity = factories.make_entity(session, "杭州旧事建设有限公司")
    factories.make_list_entry(
        session,
        world.finance,
        entity,
        listed_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2025, 12, 31),
        responsible_persons=[
            {"role": "legal_representative", "name": "张三", "id_number": REP_ID, "id_type": "resident_id"}
        ],
    )
    other = factories.make_entity(session, "杭州另案建设有限公司")
    factories.make_list_entry(
        session,
        world.finance,
        other,
        responsible_persons=[
            {
                "role": "legal_representative",
                "name": "张三",
                "id_type": "resident_id",
                "id_number": REP_ID,
                "ends_on": TODAY - dt.timedelta(days=1),
            }
        ],
    )
    session.commit()
    s = screen(session, screener, [_bidder(id_number=REP_ID)]).document["subjects"][0]
    assert s["decision"] == "clear"
    assert s["person_links"] == []


def test_a_listed_natural_person_with_the_same_id_number_is_an_exact_hit(session, screener, world):
    person = factories.make_entity(
        session, "赵六", kind="natural_person", uscc=None, id_type="resident_id", id_number=OTHER_ID
    )
    factories.make_list_entry(session, world.finance, person)
    session.commit()
    by_id = screen(session, screener, [{"name": "赵六", "id_number": OTHER_ID}]).document["subjects"][0]
    assert by_id["decision"] == "block"
    assert by_id["hits"][0]["counts_as"] == "exact"
    by_name = screen(session, screener, [{"name": "赵六"}]).document["subjects"][0]
    assert by_name["decision"] == "review"  # a name alone never blocks a person


@pytest.mark.parametrize(
    ("rep", "field"),
    [
        (
            {"name": "张三", "id_type": "resident_id", "id_number": "330106198001011230"},
            "subjects.0.legal_representative.id_number",
        ),
        ({"name": "张三", "id_type": "resident_id"}, "subjects.0.legal_representative.id_number"),
        ({"name": "张三", "phone": "1"}, "subjects.0.legal_representative"),
    ],
)
def test_a_wrong_legal_representative_is_refused_naming_the_field(session, screener, listed, rep, field):
    with pytest.raises(InvalidInput) as caught:
        screen(session, screener, [_bidder(**rep)])
    assert field in caught.value.errors


def test_a_common_name_alone_is_reported_a_few_times_and_says_how_many_more(session, screener, world):
    """张三 by name alone is many people: five links at most, the last saying how many were left out."""
    for i in range(7):
        entity = factories.make_entity(session, f"杭州同名{i}号建设有限公司")
        factories.make_list_entry(
            session, world.finance, entity, responsible_persons=[{"role": "legal_representative", "name": "张三"}]
        )
    session.commit()
    s = screen(session, screener, [_bidder(name="张三")]).document["subjects"][0]
    assert s["decision"] == "review"
    assert len(s["person_links"]) == 5
    assert "另有 2 名同名失信相关人未列出" in s["person_links"][-1]["reason"]
