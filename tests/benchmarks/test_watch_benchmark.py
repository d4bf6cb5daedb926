"""The watch benchmark runs end to end at a tiny size: the scheduler as deployed, the receiver over
HTTP, every watched bidder listed raises its alert and no unrelated company does (the figures
themselves are the benchmark's to print, not this test's to time)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import watch


def test_every_listed_bidder_is_alerted_and_the_report_has_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "watch.json"
    code = watch.main(
        ["--listed", "1500", "--watched", "300", "--changes", "3", "--spacing", "0.2", "--json", str(out)]
    )
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    assert (figures["alerts_received"], figures["false_alerts"]) == (3, 0)
    assert figures["alert_seconds"]["count"] == 3
    assert figures["alert_seconds"]["p99"] > 0
    assert figures["baseline_push_seconds"]["count"] == 6  # the bidders' and the unrelated companies' entries
    assert figures["watch_index"]["subjects"] == 300
