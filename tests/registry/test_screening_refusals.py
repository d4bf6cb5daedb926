"""A screening request refused by the service itself (registry/screening/request.py, person_links.py): each
reason a catalogue message, said in Chinese for people and in English beside it. The API's schema refuses
most of these first (tests/api/test_screenings_refusals.py); the service holds the same rules for every
caller (the screening page, the CLI, a test)."""

from __future__ import annotations

from typing import Any

import pytest

from registry.errors import InvalidInput
from registry.messages import render, render_errors
from registry.screening.request import MAX_SUBJECTS, read_request


def refusal(data: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read_request(data)
    return caught.value


def request(*subjects: Any, **fields: Any) -> dict[str, Any]:
    return {"domain": "procurement", "project_code": "ZJCG-2026-0042", "subjects": list(subjects), **fields}


@pytest.mark.parametrize(
    ("data", "field", "chinese", "english"),
    [
        (
            request({"name": "甲公司"}, domain="fishing"),
            "domain",
            "须为以下之一：housing, land, mining, procurement",
            "must be one of housing, land, mining, procurement",
        ),
        (
            request({"name": "甲公司"}, project_code="  "),
            "project_code",
            "不能为空（采购项目编号",
            "must not be empty (",
        ),
        (request({"name": "甲公司"}, stage="阶" * 51), "stage", "最多 50 个字符。", "must be at most 50 characters"),
        (
            request(*({"name": f"公司{i}"} for i in range(MAX_SUBJECTS + 1))),
            "subjects",
            "须提交 1 至 1000 个主体，实际提交 1001 个。",
            "give 1 to 1000 subjects, got 1001",
        ),
        (request(), "subjects", "须提交 1 至 1000 个主体，实际提交 0 个。", "give 1 to 1000 subjects, got 0"),
        (
            {"domain": "procurement", "project_code": "X"},
            "subjects",
            "须以列表提交 1 至 1000 个主体。",
            "give 1 to 1000 subjects as a list",
        ),
        (request("甲公司"), "subjects.0", "须为对象，含名称（name）", "must be an object with name and/or uscc"),
        (request({"name": "甲公司", "nick": "甲"}), "subjects.0", "未知字段：nick。", "unknown field(s) nick"),
        (request({"name": 7, "uscc": "91330106MA2B00001X"}), "subjects.0.name", "须为字符串。", "must be a string"),
        (
            request({"name": "甲公司", "legal_representative": "张三"}),
            "subjects.0.legal_representative",
            "须为对象，含姓名（name）",
            "must be an object with name, id_type and id_number",
        ),
        (
            request({"name": "甲公司", "legal_representative": {"name": "张三", "born": 1970}}),
            "subjects.0.legal_representative",
            "未知字段：born。",
            "unknown field(s) born",
        ),
        (
            request({"name": "甲公司", "legal_representative": {"name": "张" * 101}}),
            "subjects.0.legal_representative.name",
            "最多 100 个字符。",
            "must be at most 100 characters",
        ),
        (
            request({"name": "张三", "id_type": "resident_id", "id_number": "110101199003078510"}),
            "subjects.0.id_number",
            "证件号码有误：校验码有误（GB 11643）。",
            "invalid ID document number: check digit is wrong (GB 11643)",
        ),
    ],
    ids=[
        "domain",
        "project-code",
        "stage",
        "1001-subjects",
        "no-subjects",
        "subjects-not-a-list",
        "subject-not-an-object",
        "unknown-field",
        "name-not-text",
        "representative-not-an-object",
        "representative-unknown-field",
        "representative-name-too-long",
        "own-id-check-digit",
    ],
)
def test_each_refusal_names_its_field_in_chinese_with_the_english_beside(
    data: dict[str, Any], field: str, chinese: str, english: str
) -> None:
    exc = refusal(data)
    assert list(exc.errors) == [field]
    assert render_errors(exc.reasons, "zh")[field][0].startswith(chinese)
    assert exc.errors[field][0].startswith(english)  # `errors` is the English, for logs and errors_en
    said = render(exc.text, "zh")
    assert said.startswith(f"输入有误：{field}: {chinese}")
    assert exc.message.startswith(f"invalid input: {field}: {english}")
    assert not any(ch in exc.message for ch in "须为最多未知")  # no Chinese mixed into the English by hand


def test_a_request_refused_on_many_fields_names_five_and_counts_the_others() -> None:
    exc = refusal(request(*({"role": "投标人"} for _ in range(8)), domain="fishing"))
    assert len(exc.errors) == 9
    said = render(exc.text, "zh")
    assert said.count("subjects.") == 4
    assert "domain: 须为以下之一" in said
    assert said.endswith("；另有 4 处错误")
    assert exc.message.endswith("; and 4 more")
