"""The mixed-load figures: count, errors, throttled, p50/p99 and requests/s per kind of request
and in total (`figures`), and the printed table (`format_table`)."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.load_clients import MIX, Tally


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def figures(tallies: dict[str, Tally], seconds: float) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    everything = Tally()
    for label in [label for label, _ in MIX if label in tallies] + [k for k in tallies if k not in dict(MIX)]:
        t = tallies[label]
        everything.latencies += t.latencies
        everything.errors += t.errors
        everything.throttled += t.throttled
        everything.statuses.update(t.statuses)
        rows[label] = _row(t, seconds)
    rows["total"] = _row(everything, seconds)
    return rows


def _row(t: Tally, seconds: float) -> dict[str, Any]:
    return {
        "count": len(t.latencies),
        "errors": t.errors,
        "throttled": t.throttled,
        "p50_ms": statistics.median(t.latencies) if t.latencies else 0.0,
        "p99_ms": _pct(t.latencies, 0.99),
        "per_second": len(t.latencies) / seconds if seconds else 0.0,
        "statuses": dict(t.statuses),
        "samples": t.samples,
    }


def format_table(rows: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'endpoint':<22} {'count':>7} {'errors':>6} {'429':>5} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}"]
    for label, r in rows.items():
        lines.append(
            f"{label:<22} {r['count']:>7} {r['errors']:>6} {r['throttled']:>5} {r['p50_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {r['per_second']:>8.1f}"
        )
    return "\n".join(lines)
