"""The screening benchmark: one command, every figure beside its target and the baseline.

    .venv/bin/python -m benchmarks.screening                      # 10k and 100k entities
    .venv/bin/python -m benchmarks.screening --sizes 1000000      # the targets' size (opt-in)
    .venv/bin/python -m benchmarks.screening --sizes 10000000 --no-http   # a national registry, streamed

For each registry size: generate the registry and the labelled queries (benchmarks.dataset),
then measure, in this process and run, the real matcher (whatever class in matching/
implements the Matcher interface) and the brute-force rapidfuzz baseline (benchmarks.baseline):
index build time and memory, per-subject latency and throughput, recall and precision on the
labels. Then serve the registry (loaded with the same entities, all listed) and a minimal Flask
JSON endpoint with gunicorn on 127.0.0.1 and compare their requests per second. Prints a table
per size with the targets of issue 4 and PASS/FAIL; `--json FILE` keeps every figure.

Above 2,000,000 entities (or with `--streamed`) the registry is generated and built in chunks,
written as an index file and searched mapped, in process only (`benchmarks.screening_streamed`).
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
from pathlib import Path
from typing import Any

# The measurement (`screening_measure`), the HTTP part (`screening_http`) and the report
# (`screening_report`) live in their own modules; their public names are re-exported here, where
# the tests and scratch scripts have always found them (`screening.run_http`, …).
from benchmarks import screening_streamed
from benchmarks.inprocess import find_matcher
from benchmarks.screening_http import DATA_KEY, run_http, screening_bodies
from benchmarks.screening_measure import mistakes, run_in_process
from benchmarks.screening_report import (
    BUILD_BYTES,
    BUILD_SECONDS,
    GB,
    HTTP_RATIO,
    MB,
    P99_MS,
    REQUIRED_FIGURES,
    REQUIRED_HTTP_FIGURES,
    REQUIRED_MATCHER_FIGURES,
    TARGET_SIZE,
    THROUGHPUT_RATIO,
    evaluate_targets,
    format_report,
    missing_figures,
)

__all__ = [
    "BUILD_BYTES",
    "BUILD_SECONDS",
    "DATA_KEY",
    "GB",
    "HTTP_RATIO",
    "MB",
    "P99_MS",
    "REQUIRED_FIGURES",
    "REQUIRED_HTTP_FIGURES",
    "REQUIRED_MATCHER_FIGURES",
    "TARGET_SIZE",
    "THROUGHPUT_RATIO",
    "evaluate_targets",
    "format_report",
    "main",
    "missing_figures",
    "mistakes",
    "run_http",
    "run_in_process",
    "screening_bodies",
]


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH, read-only)
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.screening", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="registry sizes, comma-separated (default 10000,100000; the targets are set at 1000000)",
    )
    parser.add_argument("--queries", type=int, default=2000, help="labelled queries per size (default 2000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--matcher",
        help="module:attribute of the matcher class or factory "
        "(default: the class in matching/ implementing the interface)",
    )
    parser.add_argument(
        "--baseline-budget",
        type=float,
        default=60.0,
        help="seconds the baseline may spend searching per size; it searches a sample "
        "of the queries when all would take longer (default 60)",
    )
    parser.add_argument(
        "--tracemalloc-max",
        type=int,
        default=1_000_000,
        help="measure the tracemalloc peak (a second, traced build) up to this size (default 1000000)",
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP part")
    parser.add_argument("--http-workers", type=int, default=2)
    parser.add_argument("--http-requests", type=int, default=2000, help="timed requests per server (default 2000)")
    parser.add_argument(
        "--http-concurrency", type=int, default=16, help="client threads (default 16, as issue 17 measures)"
    )
    parser.add_argument("--http-time-limit", type=float, default=60.0, help="seconds per server (default 60)")
    parser.add_argument("--http-subjects", type=int, default=1, help="subjects per screening request (default 1)")
    parser.add_argument(
        "--reset-database",
        action="store_true",
        help="empty the PostgreSQL database named by BENCH_DATABASE_URL first (drops schema public)",
    )
    parser.add_argument(
        "--show-mistakes",
        type=int,
        default=0,
        metavar="N",
        help="print up to N of the matcher's misses, false flags and extra strong hits per size",
    )
    parser.add_argument("--json", help="write every figure to this JSON file")
    parser.add_argument(
        "--streamed",
        action="store_true",
        help="generate and build in chunks, write the index file and search it mapped, in process only "
        "(the default above 2,000,000 entities; matching.matcher:NamePartsMatcher, no baseline)",
    )
    parser.add_argument("--chunk", type=int, default=500_000, help="entities per chunk when streamed (default 500000)")
    parser.add_argument(
        "--query-base",
        type=int,
        default=1_000_000,
        help="when streamed: the first entities and the labelled queries are a run's at this size "
        "(default 1000000, or the size if smaller)",
    )
    parser.add_argument(
        "--index-dir",
        type=str,
        help="when streamed: write the index file into this directory and keep it (default: a temporary one)",
    )
    args = parser.parse_args(argv)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    factory, source = find_matcher(args.matcher)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731 (progress goes to stderr)
    run: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([os.path.basename(sys.executable), "-m", "benchmarks.screening", *(argv or sys.argv[1:])]),
        "commit": _commit(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "sizes": [],
    }
    print(f"screening benchmark · {run['date']} · commit {run['commit']} · Python {run['python']} · {run['cpus']} CPUs")
    if factory is None:
        print(
            f"NOTE: the real matcher is missing ({source}). The baseline is measured alone; the "
            "matcher's figures and targets are 'not measured'."
        )
    for size in sizes:
        if screening_streamed.streams(size, args.streamed):
            streamed = screening_streamed.run_streamed(
                size,
                args.queries,
                seed=args.seed,
                base=args.query_base,
                chunk=args.chunk,
                directory=Path(args.index_dir) if args.index_dir else None,
                earlier=[r for r in run["sizes"] if r.get("streamed")],
                log=log,
            )
            streamed["http"] = {
                "measured": False,
                "reason": "skipped (--no-http)" if args.no_http else "in process only",
            }
            print()
            print(screening_streamed.format_report(streamed, args.show_mistakes), flush=True)
            run["sizes"].append(streamed)
            continue
        log(f"size {size:,}: generating")
        report, data = run_in_process(
            size,
            args.queries,
            seed=args.seed,
            matcher=factory,
            matcher_source=source,
            baseline_budget=args.baseline_budget,
            tracemalloc_max=args.tracemalloc_max,
            log=log,
        )
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
