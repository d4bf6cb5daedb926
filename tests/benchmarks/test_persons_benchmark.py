"""The 失信相关人 benchmark at a tiny size: it loads, screens every family and reports each rate and
both latencies (it asserts the labels hold, nothing about timings)."""

from __future__ import annotations

from benchmarks import persons


def test_the_persons_benchmark_runs_and_every_family_meets_its_goal(capsys):
    assert persons.main(["--entities", "120", "--queries", "40"]) == 0
    out = capsys.readouterr().out
    for family in persons.GOALS:
        assert f"{family} " in out
    assert "PASS" in out
    assert "FAIL" not in out
    assert "baseline" in out
