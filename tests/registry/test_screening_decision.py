"""Deciding a screening (registry.screening.decision) on plain values: no database, no app.

The rules: an `exact` or `strong` hit with a block measure blocks; a block measure behind a
`possible` hit only asks for review; a review measure asks for review; an incentive is offered on a
firm hit only; a natural person found by name alone counts as `possible`; a subject that could not
be screened is reviewed; one bad member of a 联合体 counts against every member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from matching.types import Feature, Hit, explain
from registry.catalogue.measures import Duration, Measure
from registry.messages import render
from registry.screening.decision import (
    apply_consortia,
    counts_as,
    decide_subject,
    hit_document,
    worst_of,
)
from registry.screening.dossiers import Dossier
from registry.screening.measures import MeasureHit, TriggeringRecord
from registry.screening.request import Subject


def _measure(code: str, effect: str) -> Measure:
    return Measure(
        code=code,
        name=f"措施 {code}",
        effect=effect,
        triggers=(),
        domains=("procurement",),
        duration=Duration("while_listed"),
        implementing_authority="财政部门",
        legal_basis=("政府采购法 第七十七条",),
        certainty="certain",
    )


def _dossier(entity_id: int, *effects: str, kind: str = "legal_entity") -> Dossier:
    hits = tuple(
        MeasureHit(
            _measure(f"m.{effect}", effect),
            (TriggeringRecord("list_entry", 10 + i, "政府采购严重违法失信行为记录名单", dt.date(2027, 1, 1)),),
        )
        for i, effect in enumerate(effects)
    )
    return Dossier(
        entity_id, kind, f"主体{entity_id}", hits, {"entity": {}, "records": [{}] * len(hits), "measures": []}
    )


def _subject(*, screenable: bool = True, notes: tuple[str, ...] = ()) -> Subject:
    return Subject(
        index=0,
        name="杭州合晟建设工程有限公司",
        uscc=None,
        role=None,
        consortium=None,
        query_code=None,
        key="name:杭州合晟建设工程有限公司",
        notes=list(notes),
        usable_name=screenable,
        screenable=screenable,
    )


def _hit(entity_id: int, match: str, *features: Feature) -> Hit:
    return Hit(
        entity_id,
        {"exact": 100.0, "strong": 90.0, "possible": 70.0}[match],
        match,  # type: ignore[arg-type]
        "self",
        f"主体{entity_id}",
        features,
    )


def _document(hit: Hit, dossier: Dossier) -> dict[str, Any]:
    return hit_document(hit, dossier, counts_as(hit, dossier), [])


def test_the_worst_decision_wins_and_nothing_is_clear() -> None:
    assert worst_of(["clear", "block", "review"]) == "block"
    assert worst_of(["clear", "review"]) == "review"
    assert worst_of([]) == "clear"


def test_a_firm_hit_with_a_block_measure_blocks() -> None:
    listed = {7: _dossier(7, "block")}
    decision, reasons, incentives = decide_subject(
        _subject(), [_document(_hit(7, "strong"), listed[7])], listed, "procurement"
    )
    assert decision == "block"
    assert render(reasons[0], "en") == (
        "block: 主体7 (entity 7; strong match, score 90.0): m.block 措施 m.block (政府采购法 第七十七条): "
        "政府采购严重违法失信行为记录名单"
    )
    assert render(reasons[0], "zh") == (
        "禁止：主体7（登记主体编号 7；高度相似，得分 90.0）：m.block 措施 m.block（政府采购法 第七十七条）："
        "政府采购严重违法失信行为记录名单"
    )
    assert incentives == []


def test_a_possible_hit_with_a_block_measure_is_only_reviewed() -> None:
    listed = {7: _dossier(7, "block")}
    decision, reasons, _ = decide_subject(
        _subject(), [_document(_hit(7, "possible"), listed[7])], listed, "procurement"
    )
    assert decision == "review"
    assert render(reasons[0], "en") == (
        "review: possible match 主体7 (entity 7; possible match, score 70.0) carries a block measure, m.block 措施 "
        "m.block (政府采购法 第七十七条): 政府采购严重违法失信行为记录名单; a person decides whether it is the same entity"
    )
    assert render(reasons[0], "zh") == (
        "需复核：疑似命中的主体7（登记主体编号 7；疑似，得分 70.0）带有禁止性惩戒措施 m.block 措施 m.block"
        "（政府采购法 第七十七条）：政府采购严重违法失信行为记录名单；须由经办人判断是否为同一主体"
    )


def test_an_incentive_is_offered_on_a_firm_hit_only() -> None:
    listed = {7: _dossier(7, "incentive"), 8: _dossier(8, "incentive")}
    firm, _, offered = decide_subject(_subject(), [_document(_hit(7, "exact"), listed[7])], listed, "procurement")
    loose, reasons, none = decide_subject(
        _subject(), [_document(_hit(8, "possible"), listed[8])], listed, "procurement"
    )
    assert (firm, loose) == ("clear", "clear")
    assert offered == [{"entity_id": 7, "code": "m.incentive", "name": "措施 m.incentive"}]
    assert none == []
    assert render(reasons[0], "en") == (
        "incentive not offered: possible match 主体8 (entity 8; possible match, score 70.0) carries m.incentive "
        "措施 m.incentive (政府采购法 第七十七条); confirm the identity first"
    )


def test_a_natural_person_named_alike_counts_as_possible_unless_the_id_matches() -> None:
    person = _dossier(9, "block", kind="natural_person")
    by_name = _hit(9, "exact")
    by_id = _hit(9, "exact", Feature("id_number", 1.0, 1.0, explain("the same ID document number")))
    assert counts_as(by_name, person) == "possible"
    assert counts_as(by_id, person) == "exact"
    decision, reasons, _ = decide_subject(_subject(), [_document(by_name, person)], {9: person}, "procurement")
    assert decision == "review"
    assert render(reasons[0], "en").startswith("review: possible match 主体9 (entity 9; exact match, counted as ")
    assert render(reasons[0], "zh").startswith(
        "需复核：疑似命中的主体9（登记主体编号 9；精确匹配，按“疑似”计，得分 100.0）"
    )
    assert decide_subject(_subject(), [_document(by_id, person)], {9: person}, "procurement")[0] == "block"


def test_a_subject_that_could_not_be_screened_is_reviewed_with_its_note() -> None:
    decision, reasons, _ = decide_subject(
        _subject(screenable=False, notes=("注册号不能用于比对",)), [], {}, "procurement"
    )
    assert decision == "review"
    assert reasons == ["注册号不能用于比对"]


def test_no_hit_is_clear_and_says_so() -> None:
    decision, reasons, _ = decide_subject(_subject(), [], {}, "procurement")
    assert decision == "clear"
    assert [render(r, "en") for r in reasons] == ["no listed entity matched this subject"]
    assert [render(r, "zh") for r in reasons] == ["未命中任何名单主体"]


def test_a_hit_document_keeps_each_feature_in_chinese_and_in_english() -> None:
    listed = {7: _dossier(7, "block")}
    feature = Feature("code", 1.0, 1.0, explain("统一社会信用代码 {code} on both sides: decisive", code="91330100X"))
    [document] = hit_document(_hit(7, "exact", feature), listed[7], "exact", [])["features"]
    assert document["detail_en"] == "统一社会信用代码 91330100X on both sides: decisive"
    assert document["detail"] == "统一社会信用代码 91330100X 双方一致：据此即可确认为同一主体"


def test_one_bad_member_counts_against_its_whole_consortium_and_no_other() -> None:
    subjects = [
        {"index": 0, "name": "甲", "uscc": None, "consortium": "联合体1", "own_decision": "block", "reasons": []},
        {"index": 1, "name": "乙", "uscc": None, "consortium": "联合体1", "own_decision": "clear", "reasons": []},
        {
            "index": 2,
            "name": "丙",
            "uscc": None,
            "consortium": None,
            "own_decision": "clear",
            "reasons": [],
            "decision": "clear",
        },
    ]
    summary = apply_consortia(subjects)
    assert summary == [{"label": "联合体1", "members": [0, 1], "decision": "block"}]
    assert [s["decision"] for s in subjects] == ["block", "block", "clear"]
    assert [render(r, "en") for r in subjects[1]["reasons"]] == [
        "consortium 联合体1: member subjects.0 (甲) is block; one bad member counts against every member of a 联合体"
    ]
    assert [render(r, "zh") for r in subjects[1]["reasons"]] == [
        "联合体「联合体1」：成员（投标人序号 0，甲）自身结论为“禁止”；联合体中一方不良，各成员均按最严重的结论处理"
    ]
    assert subjects[2]["reasons"] == []
