"""One index per machine: the memory of worker processes that map one index file, against a
worker that builds and holds its own index.

    .venv/bin/python -m benchmarks.index_memory --entities 1000000
    .venv/bin/python -m benchmarks.index_memory --entities 100000 --workers 4 --json figures.json

In this process: generate the listed entities (`synthetic_registry.generate_entities`, as
`benchmarks.screening` does), build the in-memory index (`NamePartsMatcher.build`, timed) and
measure what it adds to this process's PSS; that is one worker's index today (the baseline).
Then write it as an index file (`write_file`, timed: the file's build is the build plus the
write) and start `--workers` fresh interpreters (spawned, like gunicorn workers without
preload). Each imports the matcher, maps the file (checking its checksum: every page is read),
answers its first screening (timed from the moment the process was started), applies
`--changes` upserts (its overlay, as the outbox would feed it), answers the queries, and reads
its PSS from /proc/self/smaps_rollup while every worker holds the mapping (a barrier). A
worker's index PSS is its PSS then minus its PSS before mapping (after the imports and the
character tables, which a worker holds either way).

Targets (issue 17): the file built in 30 s at 1,000,000 entities; the workers' index PSS in all
≤ 1.3 × one worker's in-memory index; a worker answers its first query within 2 s of its start.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from matching.types import Candidate, NameRecord, Query

MB = 1024 * 1024
TARGET_BUILD_SECONDS = 30.0  # at 1,000,000 entities
TARGET_RATIO = 1.3
TARGET_FIRST_ANSWER_SECONDS = 2.0


def rollup(field: str = "Pss") -> int:
    """A figure of this process's /proc/self/smaps_rollup, in bytes: Pss (proportional set size:
    private pages, and each shared page divided by the number of processes that map it), or
    Anonymous (memory not backed by a file: what an index built in memory takes)."""
    with open("/proc/self/smaps_rollup") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} line in smaps_rollup")


def mapping_pss(path: Path) -> int:
    """The PSS of this process's mappings of one file (/proc/self/smaps), in bytes."""
    total, inside = 0, False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            first = line.split(maxsplit=5)
            if "-" in first[0] and len(first) >= 5:  # a mapping's header line
                inside = len(first) == 6 and first[5].strip() == str(path)
            elif inside and first[0] == "Pss:":
                total += int(first[1]) * 1024
    return total


@dataclass
class WorkerFigures:
    pid: int
    first_answer_seconds: float  # from the process's start to its first answer
    map_seconds: float  # mapping and checking the file
    pss_bytes: int  # the whole process, with the index mapped, the changes applied and the queries answered
    file_pss_bytes: int  # its share of the mapped file
    private_bytes: int  # anonymous memory it added meanwhile (its changes, caches of parsed names)
    index_pss_bytes: int  # the two together
    changes: int
    queries: int
    median_ms: float
    hits: int


def _worker(
    directory: str,
    started: float,
    queries: list[Query],
    changes: list[Candidate],
    barrier: Any,
    results: Any,
) -> None:
    """A worker process: map the file, answer, change, answer, measure (see the module doc)."""
    from matching import characters, index_file
    from matching.matcher import NamePartsMatcher
    from matching.parse import parse_name

    characters.load()
    parse_name("杭州合晟建设工程有限公司")
    gc.collect()
    before = rollup("Anonymous")
    mapping = time.monotonic()
    manifest = index_file.read_manifest(Path(directory))
    assert manifest is not None  # noqa: S101 (the parent wrote it)
    matcher = NamePartsMatcher.from_file(manifest)
    mapped = time.monotonic()
    matcher.search(queries[0])
    first = time.monotonic() - started
    for candidate in changes:
        matcher.upsert(candidate)
    times, hits = [], 0
    for query in queries:
        t = time.perf_counter()
        hits += len(matcher.search(query))
        times.append(time.perf_counter() - t)
    gc.collect()
    barrier.wait()  # every worker holds the mapping now
    shared, private = mapping_pss(manifest.path), rollup("Anonymous") - before
    results.put(
        WorkerFigures(
            pid=os.getpid(),
            first_answer_seconds=first,
            map_seconds=mapped - mapping,
            pss_bytes=rollup("Pss"),
            file_pss_bytes=shared,
            private_bytes=private,
            index_pss_bytes=shared + private,
            changes=len(changes),
            queries=len(queries),
            median_ms=statistics.median(times) * 1000,
            hits=hits,
        )
    )
    barrier.wait()  # nobody lets go of the mapping before everyone has measured


def make_queries(state: Any, count: int, seed: int) -> list[Query]:
    """Subjects as bidders write them, of every family with a name or a code (`benchmarks.dataset`)."""
    from benchmarks.dataset import BAD_FAMILIES, FAMILY_WEIGHTS, QueryMaker
    from benchmarks.names import converter

    maker = QueryMaker(state, random.Random(seed + 1), converter("s2t")[0])  # noqa: S311 (test data)
    families = sorted(set(FAMILY_WEIGHTS) - set(BAD_FAMILIES))  # not the bad inputs, which raise
    made: list[Query] = []
    for i in range(count * 20):
        if len(made) == count:
            break
        found = maker.make(families[i % len(families)])
        if found is not None:
            made.append(found.query)
    return made


def make_changes(candidates: list[Candidate], count: int, seed: int) -> list[Candidate]:
    """Upserts as the outbox would bring them: renamed entities (the old name becomes a 曾用名)."""
    rng = random.Random(seed + 2)  # noqa: S311 (test data)
    picked = rng.sample(candidates, min(count, len(candidates)))
    return [
        Candidate(c.entity_id, (NameRecord(c.names[0].name.replace("有限", "实业有限", 1)), *c.names[:1]), c.code)
        for c in picked
    ]


def measure(entities: int, workers: int, queries: int, changes: int, seed: int, directory: Path) -> dict[str, Any]:
    # imported here: a spawned worker imports this module, and needs none of these
    from benchmarks.synthetic_registry import generate_entities
    from matching import characters
    from matching.matcher import NamePartsMatcher
    from matching.parse import parse_name

    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    log(f"generating {entities:,} entities")
    t = time.perf_counter()
    state = generate_entities(entities, seed=seed)
    candidates = [e.candidate() for e in state.entities]
    asked = make_queries(state, queries, seed)
    changed = make_changes(candidates, changes, seed)
    del state
    log(f"  {time.perf_counter() - t:.1f} s; building in memory")
    characters.load()
    parse_name("杭州合晟建设工程有限公司")
    gc.collect()
    before, anonymous = rollup("Pss"), rollup("Anonymous")
    t = time.perf_counter()
    matcher = NamePartsMatcher()
    matcher.build(candidates)
    build_seconds = time.perf_counter() - t
    log(f"  {build_seconds:.1f} s; writing the file")
    t = time.perf_counter()
    manifest = matcher.write_file(directory, {"benchmark": "index_memory"})
    write_seconds = time.perf_counter() - t
    log(f"  {write_seconds:.1f} s, {manifest.size / MB:.0f} MB; the in-memory worker's changes and queries")
    for candidate in changed:  # what a worker does after its build, as the workers below do
        matcher.upsert(candidate)
    for query in asked:
        matcher.search(query)
    gc.collect()
    memory_index = rollup("Anonymous") - anonymous
    memory_pss = rollup("Pss") - before
    approx = matcher.stats()["approx_bytes"]
    del matcher, candidates
    gc.collect()
    log(f"  index {memory_index / MB:.0f} MB; starting {workers} workers")
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers), context.Queue()
    processes = []
    for _ in range(workers):
        started = time.monotonic()
        process = context.Process(target=_worker, args=(str(directory), started, asked, changed, barrier, results))
        process.start()
        processes.append(process)
    figures = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(60)
    total = sum(f.index_pss_bytes for f in figures)
    return {
        "entities": entities,
        "names": manifest.counts["rows"],
        "build_seconds": build_seconds,
        "write_seconds": write_seconds,
        "file_build_seconds": build_seconds + write_seconds,
        "file_bytes": manifest.size,
        "memory_index_bytes": memory_index,
        "memory_index_pss_bytes": memory_pss,
        "memory_index_approx_bytes": approx,
        "workers": [asdict(f) for f in figures],
        "workers_index_pss_bytes": total,
        "ratio": total / memory_index if memory_index > 0 else float("nan"),
        "ratio_to_arrays": total / approx,
        "in_memory_workers_bytes": workers * memory_index,
    }


def report(figures: dict[str, Any]) -> str:
    n = len(figures["workers"])
    first = max(w["first_answer_seconds"] for w in figures["workers"])
    at_target = figures["entities"] >= 1_000_000
    lines = [
        f"index memory · {figures['entities']:,} entities ({figures['names']:,} names) · {n} workers",
        f"  file build        {figures['file_build_seconds']:7.1f} s  (build {figures['build_seconds']:.1f} s "
        f"+ write {figures['write_seconds']:.1f} s; {figures['file_bytes'] / MB:.0f} MB)"
        + (
            f"  target ≤ {TARGET_BUILD_SECONDS:.0f} s: {_pass(figures['file_build_seconds'] <= TARGET_BUILD_SECONDS)}"
            if at_target
            else ""
        ),
        f"  in-memory index   {figures['memory_index_bytes'] / MB:7.0f} MB in one worker (PSS "
        f"{figures['memory_index_pss_bytes'] / MB:.0f} MB; stats {figures['memory_index_approx_bytes'] / MB:.0f} MB); "
        f"{n} such workers: {figures['in_memory_workers_bytes'] / MB:.0f} MB",
    ]
    for w in figures["workers"]:
        lines.append(
            f"  worker {w['pid']:>7}    {w['index_pss_bytes'] / MB:7.0f} MB index PSS "
            f"(file {w['file_pss_bytes'] / MB:.0f} + own {w['private_bytes'] / MB:.0f}; process {w['pss_bytes'] / MB:.0f} MB); "
            f"first answer {w['first_answer_seconds']:.2f} s after start (map {w['map_seconds'] * 1000:.0f} ms); "
            f"{w['changes']} upserts; median {w['median_ms']:.1f} ms/query"
        )
    lines += [
        f"  {n} workers' index {figures['workers_index_pss_bytes'] / MB:7.0f} MB PSS = "
        f"{figures['ratio']:.2f} × one in-memory index  target ≤ {TARGET_RATIO}: {_pass(figures['ratio'] <= TARGET_RATIO)}",
        f"                    (= {figures['ratio_to_arrays']:.2f} × the in-memory index's arrays alone, "
        f"{figures['memory_index_approx_bytes'] / MB:.0f} MB by its stats)",
        f"  first answer      {first:7.2f} s after a worker's start (slowest)  "
        f"target ≤ {TARGET_FIRST_ANSWER_SECONDS:.0f} s: {_pass(first <= TARGET_FIRST_ANSWER_SECONDS)}",
    ]
    return "\n".join(lines)


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.index_memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--entities", type=lambda s: int(s.replace("_", "")), default=100_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--queries", type=int, default=500, help="screenings each worker answers (default 500)")
    parser.add_argument("--changes", type=int, default=1000, help="upserts each worker applies (default 1000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--directory", type=Path, help="where to write the file (default: a temporary directory)")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} · {os.cpu_count()} CPUs · {platform.machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="index-memory-") as tmp:
        directory = args.directory or Path(tmp)
        figures = measure(args.entities, args.workers, args.queries, args.changes, args.seed, directory)
    print(report(figures), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
