"""The screening benchmark past a million listed entities, as a national registry would run it:
the registry generated in chunks (`streamed_registry`), each chunk built into an index part
(`index_build.build_part`) in forked processes, the parts combined (`index_base.from_parts`) and
written as an index file (`index_file.write`), the file mapped as the API's workers map it
(`NamePartsMatcher.from_file`, its checksum checked) and the labelled queries searched against
it in this process.

    .venv/bin/python -m benchmarks.screening --sizes 10000000 --no-http
    .venv/bin/python -m benchmarks.screening --sizes 1000000 --no-http --streamed   # the same path at 1M

`benchmarks.screening` takes this path above `STREAM_ABOVE` entities, or with `--streamed`. The
labelled queries are those of a `--sizes 1000000` run (the registry's first million entities are
that run's), so recall and precision compare with it query for query. No brute-force baseline
and no HTTP here: the baseline would read every one of ten million names per query, and loading
them into a database is `benchmarks.registry_load`'s business.

Targets (issue 17, part 6, at 10,000,000 entities): the index file ≤ 6 GB, built (parts, merge
and write) in ≤ 5 minutes, p99 ≤ 5 ms per subject, recall and precision equal to those at 1M
(judged here when the same run measured a smaller streamed size on the same queries).
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import streamed_registry
from benchmarks.dataset_types import LabelledQuery
from benchmarks.index_memory import rollup
from benchmarks.inprocess import SearchResult, as_dict, evaluate, latency_figures, rss_bytes
from benchmarks.screening_measure import dataset_counts, mistakes
from matching import characters, index_base, index_file
from matching.index_build import Part, build_part, worker_count
from matching.matcher import NamePartsMatcher

STREAM_ABOVE = 2_000_000  # entities: larger registries are generated and built in chunks
TARGET_SIZE = 10_000_000
FILE_BYTES = 6 * 1024**3
FILE_BUILD_SECONDS = 300.0
P99_MS = 5.0
MB = 1024**2

_CHUNKS: list[bytes] = []  # the chunks of a build in progress, for its forked workers


def streams(size: int, forced: bool) -> bool:
    """Whether a registry of `size` entities takes this path."""
    return forced or size > STREAM_ABOVE


def _build_chunk(index: int) -> tuple[Part, float, float]:
    """In a forked worker: the index part of one chunk, and the CPU seconds spent reading the
    chunk's text into `Candidate` rows and building the part."""
    started = time.process_time()
    candidates = streamed_registry.candidates(_CHUNKS[index])
    read = time.process_time()
    part = build_part(candidates)
    return part, read - started, time.process_time() - read


def build_parts(chunks: list[bytes], workers: int, log: Callable[[str], None]) -> tuple[list[Part], dict[str, float]]:
    """The index parts of the chunks, in order, built by `workers` forked processes (each chunk
    read from this process's memory, inherited by the fork; each part sent back), and the CPU
    seconds the workers spent reading the chunks (`read_cpu_seconds`) and building the parts
    (`build_cpu_seconds`)."""
    global _CHUNKS
    characters.load()  # once here, rather than in each worker
    _CHUNKS = chunks
    parts: list[Part] = []
    cpu = {"read_cpu_seconds": 0.0, "build_cpu_seconds": 0.0}
    started = time.perf_counter()
    # The workers inherit this process's objects: frozen, the workers' collections pass them by
    # (and do not touch, and so copy, their pages).
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        built = pool.imap(_build_chunk, range(len(chunks))) if pool else map(_build_chunk, range(len(chunks)))
        for part, read, build in built:
            parts.append(part)
            cpu["read_cpu_seconds"] += read
            cpu["build_cpu_seconds"] += build
            log(f"  part {len(parts)}/{len(chunks)} built ({time.perf_counter() - started:.0f} s)")
        return parts, cpu
    finally:
        if pool:
            pool.close()
            pool.join()
        gc.unfreeze()
        _CHUNKS = []


def timed_search(
    matcher: NamePartsMatcher, labelled: list[LabelledQuery], warmup: int = 20
) -> tuple[list[SearchResult], list[float], list[float]]:
    """Search every query once (as `inprocess.measure_search`), timing each call by the wall
    clock and by this thread's CPU time (which other processes on the machine do not inflate)."""
    for q in labelled[:warmup]:
        try:
            matcher.search(q.query, 10)
        except Exception:  # noqa: S112 (warm-up only; errors are counted below)
            continue
    results: list[SearchResult] = []
    wall: list[float] = []
    cpu: list[float] = []
    for q in labelled:
        started, used = time.perf_counter_ns(), time.thread_time_ns()
        try:
            outcome: SearchResult = matcher.search(q.query, 10)
        except Exception as exc:  # a bad input may be refused: counted, not fatal
            outcome = exc
        cpu.append((time.thread_time_ns() - used) / 1e6)
        wall.append((time.perf_counter_ns() - started) / 1e6)
        results.append(outcome)
    return results, wall, cpu


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times) or [0.0]

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": ordered[-1]}


def _load() -> float:
    """The machine's load average over the last minute (other work shares the CPUs)."""
    with open("/proc/loadavg") as fh:
        return float(fh.read().split()[0])


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _peak(who: int) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # Linux: kilobytes


def run_streamed(
    size: int,
    queries: int,
    *,
    seed: int = 2026,
    base: int = streamed_registry.BASE,
    chunk: int = streamed_registry.CHUNK,
    directory: Path | None = None,  # where to write the index file and keep it (None: a temporary directory)
    earlier: list[dict[str, Any]] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Generate, build, write, map and search (see the module's doc); the report."""
    log(
        f"size {size:,}: generating in chunks of {chunk:,} (the first {min(base, size):,} and the queries as at that size)"
    )
    made = streamed_registry.generate(size, queries, seed=seed, base=base, chunk=chunk, log=log)
    started = time.perf_counter()
    problems = made.check_labels()
    label_check = time.perf_counter() - started
    if problems:
        raise RuntimeError(f"inconsistent labels ({len(problems)}): {problems[:5]}")
    data, labelled = made.data, made.data.queries
    checked_on = len(data.entities) + len(made.checked)
    # Held from all over the generator's memory, these would keep most of it from being freed.
    made.checked.clear()
    generation = sum(made.seconds.values())
    log(f"  generated in {generation:.0f} s ({len(made.chunks)} chunks); labels checked in {label_check:.0f} s")
    gc.collect()
    rss_generated = rss_bytes()
    report: dict[str, Any] = {
        "size": size,
        "streamed": True,
        "dataset": {
            **dataset_counts(data, seed, len(problems)),
            "labels_checked_on": checked_on,
            "label_check_seconds": label_check,
            "generation_seconds": generation,
            "generation": made.seconds,
            "queries_made_at": made.base,
            "chunk": chunk,
            "chunks": len(made.chunks),
            "chunk_bytes": sum(len(c) for c in made.chunks),
            "trade_names": f"{data.trade_name_count} from {data.trade_name_source}",
            "traditional": data.traditional,
        },
    }
    load = {"generated": _load()}
    workers = worker_count(size, None)
    log(f"  building {len(made.chunks)} parts in {workers} processes")
    cpu_before = _cpu_seconds(resource.RUSAGE_CHILDREN) + _cpu_seconds(resource.RUSAGE_SELF)
    started = time.perf_counter()
    parts, parts_cpu = build_parts(made.chunks, workers, log)
    parts_seconds = time.perf_counter() - started
    parts_cpu["cpu_seconds"] = _cpu_seconds(resource.RUSAGE_CHILDREN) + _cpu_seconds(resource.RUSAGE_SELF) - cpu_before
    rows = sum(len(p.entity) for p in parts)
    load["parts_built"] = _load()
    del made
    started = time.perf_counter()
    merged = index_base.from_parts(parts)
    merge_seconds = time.perf_counter() - started
    del parts
    log(f"  parts {parts_seconds:.0f} s, merged in {merge_seconds:.0f} s; writing the file")
    where = tempfile.TemporaryDirectory(prefix="screening-index-") if directory is None else nullcontext(directory)
    with where as kept:
        started = time.perf_counter()
        manifest = index_file.write(Path(kept), merged, NamePartsMatcher.identity(), {"benchmark": "screening"})
        write_seconds = time.perf_counter() - started
        del merged
        gc.collect()
        rss_built = rss_bytes()
        log(f"  written in {write_seconds:.0f} s, {manifest.size / MB:,.0f} MB; mapping it")
        started = time.perf_counter()
        matcher = NamePartsMatcher.from_file(manifest)  # checks the CRC-32: reads every page once
        map_seconds = time.perf_counter() - started
        rss_mapped, anonymous_mapped = rss_bytes(), rollup("Anonymous")
        log(f"  mapped in {map_seconds:.1f} s; searching {len(labelled):,} queries")
        load["search_start"] = _load()
        results, wall, cpu = timed_search(matcher, labelled)
        load["search_end"] = _load()
        search = latency_figures(wall, results)
        rss_searched = rss_bytes()
        entities = len(matcher)
        del matcher
    seconds = parts_seconds + merge_seconds
    report["matcher"] = {
        "available": True,
        "source": "matching.matcher:NamePartsMatcher (index file, mapped)",
        "name": NamePartsMatcher.name,
        "version": NamePartsMatcher.version,
        "build": {
            "entities": entities,
            "rows": rows,
            "workers": workers,
            "parts_seconds": parts_seconds,
            "parts_cpu_seconds": parts_cpu["cpu_seconds"],  # the workers' and this process's
            "parts_read_cpu_seconds": parts_cpu["read_cpu_seconds"],  # of which reading the chunks' text
            "parts_build_cpu_seconds": parts_cpu["build_cpu_seconds"],  # and building the parts
            "merge_seconds": merge_seconds,
            "write_seconds": write_seconds,
            "seconds": seconds,
            "file_seconds": seconds + write_seconds,
        },
        "file": {
            "bytes": manifest.size,
            "rows": manifest.counts["rows"],
            "entities": manifest.counts["entities"],
            "fingerprint": manifest.matcher["fingerprint"],  # a digest of matching/'s code
            "array_bytes": {  # what each array of the file takes
                name: length * np.dtype(dtype).itemsize for name, (_, dtype, length) in manifest.arrays.items()
            },
            "parts_json_bytes": manifest.parts[1],
        },
        "map": {"seconds": map_seconds, "rss_bytes": rss_mapped, "anonymous_bytes": anonymous_mapped},
        "search": as_dict(search),
        "search_cpu": percentiles(cpu),  # the same calls timed by this thread's CPU time
        "quality": as_dict(evaluate(labelled, results)),
        "mistakes": mistakes(data, labelled, results),
    }
    report["memory"] = {
        "peak_rss_bytes": _peak(resource.RUSAGE_SELF),
        "build_workers_peak_rss_bytes": _peak(resource.RUSAGE_CHILDREN),
        "rss_after_generation_bytes": rss_generated,
        "rss_after_build_bytes": rss_built,
        "rss_after_map_bytes": rss_mapped,
        "anonymous_after_map_bytes": anonymous_mapped,
        "rss_after_search_bytes": rss_searched,
    }
    report["peak_rss_bytes"] = report["memory"]["peak_rss_bytes"]
    report["load_average"] = load  # 1-minute load average of the machine at each phase (2 CPUs)
    report["baseline"] = {"measured": False, "reason": "not on the streamed path (every name read per query)"}
    report["targets"] = targets(report, earlier or [])
    return report


def targets(report: dict[str, Any], earlier: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets of issue 17, part 6, each with its figure and PASS, FAIL or n/a; recall and
    precision against the largest smaller streamed size of the same run on the same queries."""
    m, d = report["matcher"], report["dataset"]
    same = [
        r
        for r in earlier
        if r["size"] < report["size"]
        and all(r["dataset"][k] == d[k] for k in ("seed", "queries", "queries_made_at", "families"))
    ]
    reference = max(same, key=lambda r: r["size"]) if same else None
    rows: list[tuple[str, str, Any, bool | None, str]] = [
        (
            "index file size",
            f"≤ {FILE_BYTES / 1024**3:g} GB",
            m["file"]["bytes"],
            m["file"]["bytes"] <= FILE_BYTES,
            f"{m['file']['bytes'] / MB:,.0f} MB",
        ),
        (
            "index file build (parts, merge, write)",
            f"≤ {FILE_BUILD_SECONDS:g} s",
            m["build"]["file_seconds"],
            m["build"]["file_seconds"] <= FILE_BUILD_SECONDS,
            f"{m['build']['file_seconds']:.1f} s",
        ),
        (
            "p99 latency per subject, mapped file",
            f"≤ {P99_MS:g} ms",
            m["search"]["p99_ms"],
            m["search"]["p99_ms"] <= P99_MS,
            f"{m['search']['p99_ms']:.3f} ms",
        ),
    ]
    for figure in ("recall", "precision"):
        value = m["quality"][figure]
        if reference is None:
            rows.append((figure, "= at 1M (same queries)", value, None, f"{value:.4f} (no smaller size in this run)"))
        else:
            then = reference["matcher"]["quality"][figure]
            rows.append((figure, f"= at {reference['size']:,}: {then:.4f}", value, value == then, f"{value:.4f}"))
    return [
        {
            "target": name,
            "goal": goal,
            "value": value,
            "shown": shown,
            "verdict": "n/a" if ok is None else "PASS" if ok else "FAIL",
            "binding": report["size"] >= TARGET_SIZE,
        }
        for name, goal, value, ok, shown in rows
    ]


def format_report(report: dict[str, Any], show_mistakes: int = 0) -> str:
    d, m, mem = report["dataset"], report["matcher"], report["memory"]
    b, s, c, q = m["build"], m["search"], m["search_cpu"], m["quality"]
    g = d["generation"]
    lines = [
        f"== {report['size']:,} listed entities, streamed · {d['queries']:,} labelled queries made at "
        f"{d['queries_made_at']:,} ({d['positives']:,} naming a listed entity, {d['negatives']:,} negatives, "
        f"{d['bad_inputs']:,} bad inputs) ==",
        f"   data: {d['trade_names']}; {d['chunks']} chunks of {d['chunk']:,} ({d['chunk_bytes'] / MB:,.0f} MB of text); "
        f"labels checked on {d['labels_checked_on']:,} entities in {d['label_check_seconds']:.1f} s",
        f"   matcher: {m['name']} {m['version']} ({m['source']})",
        f"   generation            {d['generation_seconds']:8.1f} s  (first {d['queries_made_at']:,}: {g['base']:.1f} s; "
        f"queries {g['queries']:.1f} s; the rest {g['rest']:.1f} s)",
        f"   index build           {b['seconds']:8.1f} s  (parts {b['parts_seconds']:.1f} s in {b['workers']} "
        f"process(es), {b['parts_cpu_seconds']:.0f} s of CPU: reading the chunks {b['parts_read_cpu_seconds']:.0f} s, "
        f"building {b['parts_build_cpu_seconds']:.0f} s; merge {b['merge_seconds']:.1f} s)",
        f"   index file write      {b['write_seconds']:8.1f} s  (file build in all {b['file_seconds']:.1f} s)",
        f"   index file            {m['file']['bytes'] / MB:8,.0f} MB  ({m['file']['rows']:,} names of "
        f"{m['file']['entities']:,} entities; {m['file']['bytes'] / m['file']['rows']:.0f} bytes a name)",
        f"   map (CRC-32 checked)  {m['map']['seconds']:8.2f} s",
        f"   latency per subject   p50 {s['p50_ms']:.3f} · p95 {s['p95_ms']:.3f} · p99 {s['p99_ms']:.3f} · "
        f"max {s['max_ms']:.1f} ms; {s['per_second']:,.0f} /s on 1 thread; {s['errors']} raised",
        f"   by CPU time           p50 {c['p50_ms']:.3f} · p95 {c['p95_ms']:.3f} · p99 {c['p99_ms']:.3f} · "
        f"max {c['max_ms']:.1f} ms (this thread's CPU; other work on the machine does not inflate it)",
        "   load average (1 min) "
        + ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in report["load_average"].items()),
        f"   recall {q['recall']:.4f} · precision {q['precision']:.4f} · recall incl. possible "
        f"{q['recall_possible']:.4f} · negatives flagged {q['negatives_flagged']} of {q['negatives']}, "
        f"possible only {q['negatives_possible']}",
        f"   memory: peak RSS {mem['peak_rss_bytes'] / MB:,.0f} MB (build workers' peak "
        f"{mem['build_workers_peak_rss_bytes'] / MB:,.0f} MB); RSS after generation "
        f"{mem['rss_after_generation_bytes'] / MB:,.0f} MB, after the build {mem['rss_after_build_bytes'] / MB:,.0f} MB, "
        f"after mapping {mem['rss_after_map_bytes'] / MB:,.0f} MB (anonymous {mem['anonymous_after_map_bytes'] / MB:,.0f} MB), "
        f"after searching {mem['rss_after_search_bytes'] / MB:,.0f} MB",
        f"   HTTP: not measured — {report.get('http', {}).get('reason', 'in process only')}",
        "   per query family:",
    ]
    for family, row in q["per_family"].items():
        if row["queries"]:
            lines.append(
                f"     {family:<40} {int(row['queries']):>4}  found {int(row['found'])}  "
                f"flagged {int(row['flagged'])}  wrong strong {int(row['wrong_strong'])}"
            )
    lines.append("   targets (issue 17, part 6, at 10,000,000 entities)")
    t_rows = [("target", "goal", "measured", "verdict")]
    t_rows += [(t["target"], t["goal"], t["shown"], t["verdict"]) for t in report["targets"]]
    widths = [max(len(r[i]) for r in t_rows) for i in range(4)]
    lines += ["   " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in t_rows]
    if show_mistakes:
        lines.append("   matcher mistakes (first of each):")
        lines += ["     " + line for line in m["mistakes"][:show_mistakes]]
    return "\n".join(lines)
