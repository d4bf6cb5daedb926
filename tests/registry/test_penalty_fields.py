"""The 双公示 field table and its documentation agree, and name real fields."""

from __future__ import annotations

from pathlib import Path

from api.schemas.entities import EntityIn
from api.schemas.penalties import PenaltyOut
from registry.records.penalty_fields import PENALTY_FIELDS, by_header

DOC = Path(__file__).resolve().parents[2] / "docs" / "penalty-fields.md"


def test_every_field_is_documented_in_order():
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [f.name for f in PENALTY_FIELDS]
    for row, field in zip(rows, PENALTY_FIELDS, strict=True):
        assert f"| {field.header} |" in row


def test_penalty_and_entity_fields_exist_where_the_table_says():
    penalty_fields = set(PenaltyOut().fields)
    entity_fields = set(EntityIn().fields) | {"subject_kind"}
    for field in PENALTY_FIELDS:
        if field.source == "penalty":
            assert field.name in penalty_fields, field
        elif field.source == "entity":
            assert field.name in entity_fields, field


def test_older_headers_map_to_the_same_field():
    mapping = by_header()
    assert mapping["处罚事由"] == mapping["违法事实"] == "facts"
    assert mapping["处罚结果"] == "content"
    assert mapping["行政相对人代码_1（统一社会信用代码）"] == "subject_uscc"
