"""The import benchmark at a tiny size: the generated sheet imports whole, in both formats, with its
ledgers; it asserts nothing about timings (performance is the benchmark's business)."""

from __future__ import annotations

from benchmarks import imports


def test_the_generated_sheet_imports_in_both_formats():
    results = imports.run(40, ["xlsx", "csv"], log=lambda *_: None)
    assert [r["format"] for r in results] == ["xlsx", "csv"]
    for result in results:
        assert (result["rows"], result["created"], result["penalties"]) == (40, 40, 40)
        assert result["entities_created"] == 30  # three new subjects in four rows
        assert result["outbox_events"] == result["audit_rows"] == 1 + 30 + 40  # the authority, subjects, penalties
        assert result["rows_per_second"] > 0
        assert result["parse_only_rows_per_second"] > 0
