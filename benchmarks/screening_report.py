"""The screening benchmark's report: the targets of issue 4 and the figures a report must carry,
each target's verdict (`evaluate_targets`), and the printed table (`format_report`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from benchmarks import dataset as ds

# Targets of issue 4, set for 1,000,000 listed entities on a 2-core machine.
TARGET_SIZE = 1_000_000
P99_MS = 2.0
THROUGHPUT_RATIO = 50.0
BUILD_SECONDS = 30.0
BUILD_BYTES = 1.5 * 1024**3
HTTP_RATIO = 0.5

GB = 1024**3
MB = 1024**2

# Every figure a report must carry (dotted paths); `missing_figures` checks them.
REQUIRED_FIGURES = (
    "size",
    "dataset.queries",
    "dataset.positives",
    "dataset.negatives",
    "dataset.bad_inputs",
    "dataset.families",
    "dataset.label_problems",
    "dataset.generation_seconds",
    "baseline.build.seconds",
    "baseline.build.rss_delta_bytes",
    "baseline.search.p50_ms",
    "baseline.search.p99_ms",
    "baseline.search.per_second",
    "baseline.quality.recall",
    "baseline.quality.precision",
    "baseline.quality.recall_possible",
    "baseline.sample.queries",
    "matcher.available",
    "ratios.throughput",
    "http.measured",
    "targets",
)
REQUIRED_MATCHER_FIGURES = (
    "matcher.build.seconds",
    "matcher.build.rss_delta_bytes",
    "matcher.search.p50_ms",
    "matcher.search.p99_ms",
    "matcher.search.per_second",
    "matcher.quality.recall",
    "matcher.quality.precision",
    "matcher.quality.recall_possible",
    "matcher.on_baseline_sample.recall",
    "matcher.on_baseline_sample.per_second",
)
REQUIRED_HTTP_FIGURES = (
    "http.screening.per_second",
    "http.minimal.per_second",
    "http.ratio",
    "http.load.seconds",
)


def _get(report: dict[str, Any], path: str) -> Any:
    value: Any = report
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def missing_figures(report: dict[str, Any]) -> list[str]:
    """The figures a report should carry and does not (an empty list when complete)."""
    paths = list(REQUIRED_FIGURES)
    if report.get("matcher", {}).get("available"):
        paths += REQUIRED_MATCHER_FIGURES
    if report.get("http", {}).get("measured"):
        paths += REQUIRED_HTTP_FIGURES
    missing = []
    for path in paths:
        try:
            _get(report, path)
        except KeyError:
            missing.append(path)
    return missing


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 4 with the figure measured for it and PASS, FAIL or n/a (not measured)."""
    m = report["matcher"]
    have = bool(m.get("available"))
    build = m.get("build", {})
    memory = max(build.get("rss_delta_bytes") or 0, build.get("tracemalloc_peak_bytes") or 0) if have else None
    ratio = report["ratios"]["throughput"]
    base_recall = report["baseline"]["quality"]["recall"]
    recall = m["on_baseline_sample"]["recall"] if have else None
    http = report.get("http", {})
    http_ratio = http.get("ratio") if http.get("measured") else None
    rows = [
        (
            "p99 latency per subject, in process",
            f"≤ {P99_MS:g} ms",
            m["search"]["p99_ms"] if have else None,
            lambda v: v <= P99_MS,
            "{:.3f} ms",
        ),
        ("throughput vs brute force", f"≥ {THROUGHPUT_RATIO:g}×", ratio, lambda v: v >= THROUGHPUT_RATIO, "{:.1f}×"),
        (
            "recall vs brute force (same queries)",
            f"≥ {base_recall:.3f} (baseline)",
            recall,
            lambda v: v >= base_recall,
            "{:.3f}",
        ),
        (
            "index build time",
            f"≤ {BUILD_SECONDS:g} s",
            build.get("seconds") if have else None,
            lambda v: v <= BUILD_SECONDS,
            "{:.2f} s",
        ),
        ("index build memory", f"≤ {BUILD_BYTES / GB:g} GB", memory, lambda v: v <= BUILD_BYTES, "{:,.0f} B"),
        (
            "HTTP screening vs minimal Flask endpoint",
            f"≥ {HTTP_RATIO:g}×",
            http_ratio,
            lambda v: v >= HTTP_RATIO,
            "{:.2f}×",
        ),
    ]
    targets = []
    for name, target, value, check, fmt in rows:
        ok = None if value is None else bool(check(value))
        shown = "not measured" if value is None else fmt.format(value)
        if name == "index build memory" and value is not None:
            shown = f"{value / MB:,.0f} MB"
        targets.append(
            {
                "target": name,
                "goal": target,
                "value": value,
                "shown": shown,
                "verdict": _verdict(ok),
                "binding": report["size"] >= TARGET_SIZE,
            }
        )
    return targets


def _ms(v: float) -> str:
    return f"{v:.3f} ms" if v < 10 else f"{v:,.1f} ms"


def _bytes(v: int | None) -> str:
    return "—" if v is None else f"{v / MB:,.0f} MB"


def format_report(report: dict[str, Any]) -> str:
    d, m, b = report["dataset"], report["matcher"], report["baseline"]
    have = m.get("available")
    lines = [
        f"== {report['size']:,} listed entities · {d['queries']:,} labelled queries "
        f"({d['positives']:,} naming a listed entity, {d['negatives']:,} negatives, {d['bad_inputs']:,} bad inputs) ==",
        f"   data: {d['trade_names']}; traditional: {d['traditional']}; generated in {d['generation_seconds']:.1f} s; "
        f"peak RSS of the benchmark process before HTTP {report['peak_rss_bytes'] / MB:,.0f} MB",
    ]
    if have:
        lines.append(f"   matcher: {m['name']} {m['version']} ({m['source']})")
    else:
        lines.append(f"   matcher: MISSING ({m['missing']}) — only the baseline was measured")
    sample = b["sample"]
    lines.append(
        f"   baseline: {b['name']} {b['version']} on "
        + (
            f"a sample of {sample['queries']:,} of {sample['of']:,} queries (time budget "
            f"{sample['budget_seconds']:g} s)"
            if sample["sampled"]
            else f"all {sample['of']:,} queries"
        )
    )
    rows = [("figure", "matcher", "baseline")]

    def row(label: str, fm: Callable[[dict[str, Any]], str], fb: Callable[[dict[str, Any]], str] | None = None) -> None:
        rows.append((label, fm(m) if have else "—", (fb or fm)(b)))

    row("index build time", lambda x: f"{x['build']['seconds']:.2f} s")
    row("index memory (RSS delta)", lambda x: _bytes(x["build"]["rss_delta_bytes"]))
    row("index memory (tracemalloc peak)", lambda x: _bytes(x["build"]["tracemalloc_peak_bytes"]))
    row("queries searched", lambda x: f"{x['search']['queries']:,}")
    row("latency p50 per subject", lambda x: _ms(x["search"]["p50_ms"]))
    row("latency p99 per subject", lambda x: _ms(x["search"]["p99_ms"]))
    row("latency max", lambda x: _ms(x["search"]["max_ms"]))
    row("throughput, 1 thread", lambda x: f"{x['search']['per_second']:,.1f} /s")
    row("searches that raised", lambda x: f"{x['search']['errors']}")
    row("recall (exact/strong; possible for review families)", lambda x: f"{x['quality']['recall']:.3f}")
    row("precision (exact/strong hits)", lambda x: f"{x['quality']['precision']:.3f}")
    row("recall incl. possible", lambda x: f"{x['quality']['recall_possible']:.3f}")
    row(
        "negatives flagged exact/strong",
        lambda x: f"{x['quality']['negatives_flagged']} of {x['quality']['negatives']}",
    )
    row(
        "negatives with possible only", lambda x: f"{x['quality']['negatives_possible']} of {x['quality']['negatives']}"
    )
    if have:
        s = m["on_baseline_sample"]
        rows.append(("on the baseline's queries: recall", f"{s['recall']:.3f}", f"{b['quality']['recall']:.3f}"))
        rows.append(("on the baseline's queries: /s", f"{s['per_second']:,.1f}", f"{b['search']['per_second']:,.1f}"))
    http = report.get("http", {})
    if http.get("measured"):
        sc, mi = http["screening"], http["minimal"]
        rows.append(("HTTP requests/s (registry | minimal)", f"{sc['per_second']:,.1f}", f"{mi['per_second']:,.1f}"))
        rows.append(
            (
                "HTTP p50 / p99 (registry)",
                f"{sc['p50_ms']:,.1f} / {sc['p99_ms']:,.1f} ms",
                f"{mi['p50_ms']:,.1f} / {mi['p99_ms']:,.1f} ms",
            )
        )
        rows.append(("HTTP answers (registry | minimal)", json.dumps(sc["statuses"]), json.dumps(mi["statuses"])))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines += ["   " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if http.get("measured"):
        sc = http["screening"]
        lines.append(
            f"   HTTP: {http['workers']} gunicorn workers on {http['backend']}, {sc['concurrency']} client "
            f"threads, {sc['subjects_per_request']} subject(s) per request, {sc['requests']} requests "
            f"in {sc['seconds']:.1f} s; first screening after start {sc['first_request_ms']:,.0f} ms; "
            f"registry loaded in {http['load']['seconds']:.1f} s"
        )
        for err in sc["errors"]:
            lines.append(f"   HTTP error: {err}")
    else:
        lines.append(f"   HTTP: not measured — {http.get('reason', 'skipped (--no-http)')}")
    if http.get("server_log"):
        lines.append("   registry server log (tail):")
        lines += ["     " + line for line in http["server_log"].splitlines()[-12:]]

    lines.append("")
    lines.append(
        "   per query family (found = the labelled entity among exact/strong hits, or possible ones "
        "for the families labelled possible; "
        "flagged = a negative got an exact/strong hit)"
    )
    fam_rows = [("family", "n", "matcher", "baseline")]
    mf = m["quality"]["per_family"] if have else {}
    bf = b["quality"]["per_family"]
    for family, n in d["families"].items():
        negative = family in ds.NEGATIVE_FAMILIES or (
            family in ds.BAD_FAMILIES and family != "bad_malformed_code_with_name"
        )
        key = "flagged" if negative else "found"
        verb = "flagged" if negative else "found"

        def cell(stats: dict[str, dict[str, float]], family: str = family, key: str = key, verb: str = verb) -> str:
            row_ = stats.get(family)
            if not row_ or not row_["queries"]:
                return "—"
            extra = f", {int(row_['errors'])} raised" if row_["errors"] else ""
            return f"{int(row_[key])}/{int(row_['queries'])} {verb}{extra}"

        fam_rows.append((family, str(n), cell(mf) if have else "—", cell(bf)))
    widths = [max(len(r[i]) for r in fam_rows) for i in range(4)]
    lines += ["   " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in fam_rows]

    lines.append("")
    binding = report["size"] >= TARGET_SIZE
    lines.append(
        "   targets (issue 4, set at 1,000,000 entities" + ("" if binding else "; informative at this size") + ")"
    )
    t_rows = [("target", "goal", "measured", "verdict")]
    t_rows += [(t["target"], t["goal"], t["shown"], t["verdict"]) for t in report["targets"]]
    widths = [max(len(r[i]) for r in t_rows) for i in range(4)]
    lines += ["   " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in t_rows]
    return "\n".join(lines)
