"""The screening benchmark's measurement in this process: the real matcher and the brute-force
baseline built over one generated registry and searched with its labelled queries
(`run_in_process`), and the matcher's mistakes for a person to read (`mistakes`)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from benchmarks import dataset as ds
from benchmarks.baseline import BruteForceMatcher
from benchmarks.inprocess import (
    POSITIVE_LEVELS,
    MatcherFactory,
    SearchResult,
    as_dict,
    evaluate,
    latency_figures,
    measure_build,
    measure_search,
    peak_rss_bytes,
)


def dataset_counts(data: ds.Dataset, seed: int, label_problems: int) -> dict[str, Any]:
    """The labelled queries counted as every report states them (in-memory and streamed runs)."""
    labelled = data.queries
    return {
        "seed": seed,
        "queries": len(labelled),
        "positives": sum(1 for q in labelled if q.expected is not None),
        "negatives": sum(1 for q in labelled if q.expected is None and q.kind == "negative"),
        "bad_inputs": sum(1 for q in labelled if q.kind == "bad"),
        "families": data.family_counts(),
        "label_problems": label_problems,
    }


def run_in_process(
    size: int,
    queries: int,
    *,
    seed: int = 2026,
    matcher: MatcherFactory | None,
    matcher_source: str,
    baseline_budget: float = 60.0,
    min_baseline_sample: int = 200,
    tracemalloc_max: int = 1_000_000,
    log: Callable[[str], None] = print,
    data: ds.Dataset | None = None,
) -> tuple[dict[str, Any], ds.Dataset]:
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
            **dataset_counts(data, seed, len(problems)),
            "generation_seconds": generation,
            "former_names": sum(len(e.former) for e in data.entities),
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
            "available": True,
            "source": matcher_source,
            "name": getattr(real, "name", "?"),
            "version": getattr(real, "version", "?"),
            "build": as_dict(build),
            "search": as_dict(search),
            "quality": as_dict(evaluate(labelled, results)),
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
        "name": base.name,
        "version": base.version,
        "build": as_dict(base_build),
        "search": as_dict(base_search),
        "quality": as_dict(evaluate(sample, base_results)),
        "sample": {
            "queries": sample_size,
            "of": len(labelled),
            "sampled": sample_size < len(labelled),
            "budget_seconds": baseline_budget,
        },
    }
    del base
    gc.collect()

    ratio = None
    if matcher is not None:
        # The matcher on exactly the baseline's queries, so throughput and recall compare like with like.
        on_sample = latency_figures(times[:sample_size], results[:sample_size])
        quality = evaluate(sample, results[:sample_size])
        report["matcher"]["on_baseline_sample"] = {
            "queries": sample_size,
            "per_second": on_sample.per_second,
            "p99_ms": on_sample.p99_ms,
            "recall": quality.recall,
            "precision": quality.precision,
        }
        if base_search.per_second:
            ratio = on_sample.per_second / base_search.per_second
    report["ratios"] = {"throughput": ratio}
    report["peak_rss_bytes"] = peak_rss_bytes()
    return report, data


def mistakes(
    data: ds.Dataset, labelled: list[ds.LabelledQuery], results: list[SearchResult], limit: int = 40
) -> list[str]:
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
            found.append(
                f"miss  {q.family}: {q.query.name!r} {q.query.code or ''} → want {names[q.expected]}; got {got}"
            )
        elif q.expected is None and strong:
            found.append(
                f"flag  {q.family}: {q.query.name!r} {q.query.code or ''} → "
                f"{strong[0].matched_name} {strong[0].match} {strong[0].score:.0f}"
            )
        elif q.expected is not None and len(strong) > 1:
            extra = [h for h in strong if h.entity_id != q.expected][0]
            found.append(
                f"extra {q.family}: {q.query.name!r} {q.query.code or ''} → also "
                f"{extra.matched_name} {extra.match} {extra.score:.0f}"
            )
        if len(found) >= limit:
            break
    return found
