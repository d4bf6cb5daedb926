"""The one formula guard every spreadsheet download uses (exports, import report, report CSVs)."""

from __future__ import annotations

import pytest

from api.csv_render import cell
from registry.imports.cells import guarded, xlsx_text


@pytest.mark.parametrize(
    "text",
    [
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(1)",
        "\t=1",
        "\r=1",
        "\x01=1+1",
        "\x00\x1f@A1",
        "\n-1",
    ],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert guarded(text) == "'" + text
    assert cell(text) == "'" + text  # the report CSVs (api/csv_render) use the same guard
    assert xlsx_text(text).startswith("'")  # control characters go only after the guard saw them


@pytest.mark.parametrize("text", ["杭州合晟建设工程有限公司", "浙财采罚〔2026〕1号", "a=b", "1-2", " x", ""])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert guarded(text) == text
    assert cell(text) == text
