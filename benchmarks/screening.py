"""The screening benchmark: one command, every figure beside its target and the baseline.

    .venv/bin/python -m benchmarks.screening                      # 10k and 100k entities
    .venv/bin/python -m benchmarks.screening --sizes 1000000      # the targets' size (opt-in)

For each registry size: generate the registry and the labelled queries (benchmarks.dataset),
then measure, in this process and run, the real matcher (whatever class in matching/
implements the Matcher interface) and the brute-force rapidfuzz baseline (benchmarks.baseline):
index build time and memory, per-subject latency and throughput, recall and precision on the
labels. Then serve the registry (loaded with the same entities, all listed) and a minimal Flask
JSON endpoint with gunicorn on 127.0.0.1 and compare their requests per second. Prints a table
per size with the targets of issue 4 and PASS/FAIL; `--json FILE` keeps every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from benchmarks import dataset as ds
from benchmarks.baseline import BruteForceMatcher
from benchmarks.inprocess import (
    POSITIVE_LEVELS,
    MatcherFactory,
    SearchResult,
    as_dict,
    evaluate,
    find_matcher,
    latency_figures,
    measure_build,
    measure_search,
    peak_rss_bytes,
)

# Targets of issue 4, set for 1,000,000 listed entities on a 2-core machine.
TARGET_SIZE = 1_000_000
P99_MS = 2.0
THROUGHPUT_RATIO = 50.0
BUILD_SECONDS = 30.0
BUILD_BYTES = 1.5 * 1024**3
HTTP_RATIO = 0.5

DATA_KEY = "benchmark-data-protection-key-not-secret"
GB = 1024**3
MB = 1024**2

# Every figure a report must carry (dotted paths); `missing_figures` checks them.
REQUIRED_FIGURES = (
    "size", "dataset.queries", "dataset.positives", "dataset.negatives", "dataset.bad_inputs",
    "dataset.families", "dataset.label_problems", "dataset.generation_seconds",
    "baseline.build.seconds", "baseline.build.rss_delta_bytes", "baseline.search.p50_ms",
    "baseline.search.p99_ms", "baseline.search.per_second", "baseline.quality.recall",
    "baseline.quality.precision", "baseline.quality.recall_possible", "baseline.sample.queries",
    "matcher.available", "ratios.throughput", "http.measured", "targets",
)
REQUIRED_MATCHER_FIGURES = (
    "matcher.build.seconds", "matcher.build.rss_delta_bytes", "matcher.search.p50_ms",
    "matcher.search.p99_ms", "matcher.search.per_second", "matcher.quality.recall",
    "matcher.quality.precision", "matcher.quality.recall_possible", "matcher.on_baseline_sample.recall",
    "matcher.on_baseline_sample.per_second",
)
REQUIRED_HTTP_FIGURES = (
    "http.screening.per_second", "http.minimal.per_second", "http.ratio", "http.load.seconds",
)


def run_in_process(size: int, queries: int, *, seed: int = 2026, matcher: MatcherFactory | None,
                   matcher_source: str, baseline_budget: float = 60.0, min_baseline_sample: int = 200,
                   tracemalloc_max: int = 1_000_000, log: Callable[[str], None] = print,
                   data: ds.Dataset | None = None) -> tuple[dict[str, Any], ds.Dataset]:
    """Generate the registry and its queries; measure the matcher (if any) and the baseline."""
    started = time.perf_counter()
    data = data or ds.generate(size, queries, seed=seed)
    generation = time.perf_counter() - started
    problems = ds.check_labels(data)
    if problems:
        raise RuntimeError(f"inconsistent labels ({len(problems)}): {problems[:5]}")
    labelled = data.queries
    report: dict[str, Any] = {
        "size": size,
        "dataset": {
            "seed": seed, "queries": len(labelled),
            "positives": sum(1 for q in labelled if q.expected is not None),
            "negatives": sum(1 for q in labelled if q.expected is None and q.kind == "negative"),
            "bad_inputs": sum(1 for q in labelled if q.kind == "bad"),
            "families": data.family_counts(), "label_problems": len(problems),
            "generation_seconds": generation, "former_names": sum(len(e.former) for e in data.entities),
            "trade_names": f"{data.trade_name_count} from {data.trade_name_source}",
            "traditional": data.traditional,
        },
    }
    candidates = data.candidates()
    with_trace = size <= tracemalloc_max

    if matcher is not None:
        log(f"  matcher {matcher_source}: building the index over {size:,} entities")
        real, build = measure_build(matcher, candidates, with_tracemalloc=with_trace)
        log(f"  matcher: searching {len(labelled):,} queries")
        results, times, search = measure_search(real, labelled)
        report["matcher"] = {
            "available": True, "source": matcher_source,
            "name": getattr(real, "name", "?"), "version": getattr(real, "version", "?"),
            "build": as_dict(build), "search": as_dict(search), "quality": as_dict(evaluate(labelled, results)),
            "mistakes": mistakes(data, labelled, results),
        }
        del real
        gc.collect()
    else:
        report["matcher"] = {"available": False, "source": None, "missing": matcher_source}
        log(f"  matcher MISSING: {matcher_source}; measuring the baseline only")

    log("  baseline: building")
    base, base_build = measure_build(BruteForceMatcher, candidates, with_tracemalloc=with_trace)
    probe = min(len(labelled), 10)
    _, probe_times, _ = measure_search(base, labelled[:probe], warmup=2)
    per_query = max(sum(probe_times) / max(probe, 1) / 1000, 1e-6)
    sample_size = min(len(labelled), max(min(min_baseline_sample, len(labelled)), int(baseline_budget / per_query)))
    sample = labelled[:sample_size]  # the queries are shuffled when generated: a random sample
    log(f"  baseline: searching {sample_size:,} of {len(labelled):,} queries (~{per_query * 1000:.1f} ms each)")
    base_results, _, base_search = measure_search(base, sample, warmup=0)
    report["baseline"] = {
        "name": base.name, "version": base.version, "build": as_dict(base_build), "search": as_dict(base_search),
        "quality": as_dict(evaluate(sample, base_results)),
        "sample": {"queries": sample_size, "of": len(labelled), "sampled": sample_size < len(labelled),
                   "budget_seconds": baseline_budget},
    }
    del base
    gc.collect()

    ratio = None
    if matcher is not None:
        # The matcher on exactly the baseline's queries, so throughput and recall compare like with like.
        on_sample = latency_figures(times[:sample_size], results[:sample_size])
        quality = evaluate(sample, results[:sample_size])
        report["matcher"]["on_baseline_sample"] = {
            "queries": sample_size, "per_second": on_sample.per_second, "p99_ms": on_sample.p99_ms,
            "recall": quality.recall, "precision": quality.precision,
        }
        if base_search.per_second:
            ratio = on_sample.per_second / base_search.per_second
    report["ratios"] = {"throughput": ratio}
    report["peak_rss_bytes"] = peak_rss_bytes()
    return report, data


def mistakes(data: ds.Dataset, labelled: list[ds.LabelledQuery], results: list[SearchResult],
             limit: int = 40) -> list[str]:
    """Up to `limit` misses, false flags and extra exact/strong hits beside the right one, for a
    person to read (printed with --show-mistakes)."""
    names = {e.entity_id: e.name for e in data.entities}
    found: list[str] = []
    for q, result in zip(labelled, results, strict=True):
        if isinstance(result, BaseException):
            continue
        strong = [h for h in result if h.match in POSITIVE_LEVELS]
        accepted = [h for h in result if h.match in q.accepted]  # possible counts for the review families
        if q.expected is not None and all(h.entity_id != q.expected for h in accepted):
            got = "; ".join(f"{h.matched_name} {h.match} {h.score:.0f}" for h in result[:2]) or "no hits"
            found.append(f"miss  {q.family}: {q.query.name!r} {q.query.code or ''} → want "
                         f"{names[q.expected]}; got {got}")
        elif q.expected is None and strong:
            found.append(f"flag  {q.family}: {q.query.name!r} {q.query.code or ''} → "
                         f"{strong[0].matched_name} {strong[0].match} {strong[0].score:.0f}")
        elif q.expected is not None and len(strong) > 1:
            extra = [h for h in strong if h.entity_id != q.expected][0]
            found.append(f"extra {q.family}: {q.query.name!r} {q.query.code or ''} → also "
                         f"{extra.matched_name} {extra.match} {extra.score:.0f}")
        if len(found) >= limit:
            break
    return found


# --- HTTP ----------------------------------------------------------------------------------


def _subject(q: ds.LabelledQuery) -> dict[str, Any]:
    subject = {"name": q.query.name, "uscc": q.query.code, "role": "投标人"}
    return {k: v for k, v in subject.items() if v is not None}


def screening_bodies(data: ds.Dataset, subjects: int, count: int) -> list[dict[str, Any]]:
    """Screening requests of `subjects` subjects each, from the labelled queries with a name or code."""
    usable = [q for q in data.queries if (q.query.name or "").strip() or (q.query.code or "").strip()]
    bodies = []
    for i in range(count):
        chosen = [usable[(i * subjects + j) % len(usable)] for j in range(subjects)]
        bodies.append({"domain": "procurement", "project_code": f"BENCH-{len(data.entities)}-{i:05d}",
                       "stage": "资格审查", "subjects": [_subject(q) for q in chosen]})
    return bodies


def run_http(data: ds.Dataset, args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    """Serve the registry and the minimal endpoint with gunicorn; drive both the same way."""
    from flask_migrate import upgrade

    from api.app import create_app
    from benchmarks import http_load
    from benchmarks.registry_load import load_registry
    from registry.database import db

    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        url = url or f"sqlite:///{tmp}/registry.db"
        backend = url.split(":", 1)[0]
        try:
            app = create_app({"DATABASE_URL": url, "DATA_KEY": DATA_KEY})
        except Exception as exc:  # reported as "not measured", with the reason
            return {"measured": False, "reason": f"the app does not start: {type(exc).__name__}: {exc}"}
        routes = {(r.rule, m) for r in app.url_map.iter_rules() for m in (r.methods or ())}
        if ("/api/v1/screenings", "POST") not in routes:
            return {"measured": False, "reason": "POST /api/v1/screenings is not in the app yet"}
        with app.app_context():
            import sqlalchemy as sa

            tables = sa.inspect(db.engine).get_table_names()
            if tables and backend != "sqlite":
                if not args.reset_database:
                    return {"measured": False, "reason": "BENCH_DATABASE_URL names a database that is not "
                                                         "empty; pass --reset-database to empty it"}
                with db.engine.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                    conn.execute(sa.text("CREATE SCHEMA public"))
            upgrade()
        log(f"  http: loading {len(data.entities):,} listed entities into {backend}")
        load = load_registry(app, data)
        with app.app_context():
            db.engine.dispose()
        log(f"  http: loaded in {load.seconds:.1f} s")

        bodies = screening_bodies(data, args.http_subjects, min(args.http_requests, 1000))
        drive = {"count": args.http_requests, "concurrency": args.http_concurrency,
                 "time_limit": args.http_time_limit, "warmup": 4 * args.http_workers}
        log(f"  http: minimal Flask endpoint, {args.http_workers} gunicorn workers")
        with http_load.gunicorn("benchmarks.minimal_app:create_app()", workers=args.http_workers, env={},
                                ready_path="/readyz", start_timeout=120) as server:
            minimal = http_load.drive(server.port, "/api/v1/screenings", bodies, {}, **drive)
        log(f"  http: registry screening, {args.http_workers} gunicorn workers")
        # The benchmark drives one screener key flat out: the per-key limit would measure itself.
        env = {"REGISTRY_DATABASE_URL": url, "REGISTRY_DATA_KEY": DATA_KEY, "REGISTRY_RATE_LIMIT_SCREENING": "0"}
        with http_load.gunicorn("wsgi:app", workers=args.http_workers, env=env, ready_path="/readyz",
                                start_timeout=600) as server:
            headers = {"Authorization": f"Bearer {load.screener_key}"}
            screening = http_load.drive(server.port, "/api/v1/screenings", bodies, headers, **drive)
            server_log = server.log_tail() if screening.ok < screening.requests else ""
    figures = {
        "backend": backend, "workers": args.http_workers,
        "load": {"seconds": load.seconds, "entities": load.entities, "method": load.method},
        "screening": asdict(screening), "minimal": asdict(minimal), "server_log": server_log,
    }
    if not screening.ok:  # an endpoint that only fails has no throughput to compare
        return {"measured": False, **figures,
                "reason": f"no screening request succeeded ({json.dumps(screening.statuses)}): "
                          + (screening.errors[0] if screening.errors else "")[:200]}
    ratio = screening.per_second / minimal.per_second if minimal.per_second else None
    return {"measured": True, **figures, "ratio": ratio}


# --- targets and the table ------------------------------------------------------------------


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
        ("p99 latency per subject, in process", f"≤ {P99_MS:g} ms",
         m["search"]["p99_ms"] if have else None, lambda v: v <= P99_MS, "{:.3f} ms"),
        ("throughput vs brute force", f"≥ {THROUGHPUT_RATIO:g}×", ratio, lambda v: v >= THROUGHPUT_RATIO, "{:.1f}×"),
        ("recall vs brute force (same queries)", f"≥ {base_recall:.3f} (baseline)", recall,
         lambda v: v >= base_recall, "{:.3f}"),
        ("index build time", f"≤ {BUILD_SECONDS:g} s", build.get("seconds") if have else None,
         lambda v: v <= BUILD_SECONDS, "{:.2f} s"),
        ("index build memory", f"≤ {BUILD_BYTES / GB:g} GB", memory, lambda v: v <= BUILD_BYTES,
         "{:,.0f} B"),
        ("HTTP screening vs minimal Flask endpoint", f"≥ {HTTP_RATIO:g}×", http_ratio,
         lambda v: v >= HTTP_RATIO, "{:.2f}×"),
    ]
    targets = []
    for name, target, value, check, fmt in rows:
        ok = None if value is None else bool(check(value))
        shown = "not measured" if value is None else fmt.format(value)
        if name == "index build memory" and value is not None:
            shown = f"{value / MB:,.0f} MB"
        targets.append({"target": name, "goal": target, "value": value, "shown": shown,
                        "verdict": _verdict(ok), "binding": report["size"] >= TARGET_SIZE})
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
    lines.append(f"   baseline: {b['name']} {b['version']} on "
                 + (f"a sample of {sample['queries']:,} of {sample['of']:,} queries (time budget "
                    f"{sample['budget_seconds']:g} s)" if sample["sampled"] else f"all {sample['of']:,} queries"))
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
    row("negatives flagged exact/strong",
        lambda x: f"{x['quality']['negatives_flagged']} of {x['quality']['negatives']}")
    row("negatives with possible only",
        lambda x: f"{x['quality']['negatives_possible']} of {x['quality']['negatives']}")
    if have:
        s = m["on_baseline_sample"]
        rows.append(("on the baseline's queries: recall", f"{s['recall']:.3f}", f"{b['quality']['recall']:.3f}"))
        rows.append(("on the baseline's queries: /s", f"{s['per_second']:,.1f}", f"{b['search']['per_second']:,.1f}"))
    http = report.get("http", {})
    if http.get("measured"):
        sc, mi = http["screening"], http["minimal"]
        rows.append(("HTTP requests/s (registry | minimal)", f"{sc['per_second']:,.1f}", f"{mi['per_second']:,.1f}"))
        rows.append(("HTTP p50 / p99 (registry)", f"{sc['p50_ms']:,.1f} / {sc['p99_ms']:,.1f} ms",
                     f"{mi['p50_ms']:,.1f} / {mi['p99_ms']:,.1f} ms"))
        rows.append(("HTTP answers (registry | minimal)", json.dumps(sc["statuses"]), json.dumps(mi["statuses"])))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines += ["   " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if http.get("measured"):
        sc = http["screening"]
        lines.append(f"   HTTP: {http['workers']} gunicorn workers on {http['backend']}, {sc['concurrency']} client "
                     f"threads, {sc['subjects_per_request']} subject(s) per request, {sc['requests']} requests "
                     f"in {sc['seconds']:.1f} s; first screening after start {sc['first_request_ms']:,.0f} ms; "
                     f"registry loaded in {http['load']['seconds']:.1f} s")
        for err in sc["errors"]:
            lines.append(f"   HTTP error: {err}")
    else:
        lines.append(f"   HTTP: not measured — {http.get('reason', 'skipped (--no-http)')}")
    if http.get("server_log"):
        lines.append("   registry server log (tail):")
        lines += ["     " + line for line in http["server_log"].splitlines()[-12:]]

    lines.append("")
    lines.append("   per query family (found = the labelled entity among exact/strong hits, or possible ones "
                 "for the families labelled possible; "
                 "flagged = a negative got an exact/strong hit)")
    fam_rows = [("family", "n", "matcher", "baseline")]
    mf = m["quality"]["per_family"] if have else {}
    bf = b["quality"]["per_family"]
    for family, n in d["families"].items():
        negative = family in ds.NEGATIVE_FAMILIES or (family in ds.BAD_FAMILIES and family != "bad_malformed_code_with_name")
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
    lines.append("   targets (issue 4, set at 1,000,000 entities" + ("" if binding else "; informative at this size") + ")")
    t_rows = [("target", "goal", "measured", "verdict")]
    t_rows += [(t["target"], t["goal"], t["shown"], t["verdict"]) for t in report["targets"]]
    widths = [max(len(r[i]) for r in t_rows) for i in range(4)]
    lines += ["   " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in t_rows]
    return "\n".join(lines)


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,  # noqa: S607 (git from PATH, read-only)
                             check=False, timeout=10)
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screening", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000",
                        help="registry sizes, comma-separated (default 10000,100000; the targets are set at 1000000)")
    parser.add_argument("--queries", type=int, default=2000, help="labelled queries per size (default 2000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--matcher", help="module:attribute of the matcher class or factory "
                                          "(default: the class in matching/ implementing the interface)")
    parser.add_argument("--baseline-budget", type=float, default=60.0,
                        help="seconds the baseline may spend searching per size; it searches a sample "
                             "of the queries when all would take longer (default 60)")
    parser.add_argument("--tracemalloc-max", type=int, default=1_000_000,
                        help="measure the tracemalloc peak (a second, traced build) up to this size (default 1000000)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP part")
    parser.add_argument("--http-workers", type=int, default=2)
    parser.add_argument("--http-requests", type=int, default=2000, help="timed requests per server (default 2000)")
    parser.add_argument("--http-concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--http-time-limit", type=float, default=60.0, help="seconds per server (default 60)")
    parser.add_argument("--http-subjects", type=int, default=1, help="subjects per screening request (default 1)")
    parser.add_argument("--reset-database", action="store_true",
                        help="empty the PostgreSQL database named by BENCH_DATABASE_URL first (drops schema public)")
    parser.add_argument("--show-mistakes", type=int, default=0, metavar="N",
                        help="print up to N of the matcher's misses, false flags and extra strong hits per size")
    parser.add_argument("--json", help="write every figure to this JSON file")
    args = parser.parse_args(argv)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    factory, source = find_matcher(args.matcher)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731 (progress goes to stderr)
    run: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([os.path.basename(sys.executable), "-m", "benchmarks.screening", *(argv or sys.argv[1:])]),
        "commit": _commit(), "python": platform.python_version(), "cpus": os.cpu_count(),
        "machine": platform.machine(), "sizes": [],
    }
    print(f"screening benchmark · {run['date']} · commit {run['commit']} · Python {run['python']} · "
          f"{run['cpus']} CPUs")
    if factory is None:
        print(f"NOTE: the real matcher is missing ({source}). The baseline is measured alone; the "
              "matcher's figures and targets are 'not measured'.")
    for size in sizes:
        log(f"size {size:,}: generating")
        report, data = run_in_process(size, args.queries, seed=args.seed, matcher=factory, matcher_source=source,
                                      baseline_budget=args.baseline_budget, tracemalloc_max=args.tracemalloc_max,
                                      log=log)
        if args.no_http:
            report["http"] = {"measured": False, "reason": "skipped (--no-http)"}
        else:
            try:
                report["http"] = run_http(data, args, log)
            except Exception as exc:  # a failed HTTP run is reported, not hidden
                report["http"] = {"measured": False, "reason": f"failed: {type(exc).__name__}: {exc}"}
        del data
        gc.collect()
        report["targets"] = evaluate_targets(report)
        missing = missing_figures(report)
        if missing:
            raise RuntimeError(f"the report lacks {missing}")
        print()
        print(format_report(report), flush=True)
        if args.show_mistakes and report["matcher"].get("available"):
            print("\n   matcher mistakes (first of each):")
            for line in report["matcher"]["mistakes"][: args.show_mistakes]:
                print("     " + line)
        run["sizes"].append(report)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(run, fh, ensure_ascii=False, indent=1, default=str)
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
