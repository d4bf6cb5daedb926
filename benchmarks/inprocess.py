"""In-process measurements: index build time and memory, per-subject latency, recall and precision.

Everything here takes a matcher behind the `matching.types.Matcher` interface, so the real
matcher and the brute-force baseline are measured by the same code in the same process.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import os
import pkgutil
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.dataset import BAD_FAMILIES, NEGATIVE_FAMILIES, POSITIVE_FAMILIES, LabelledQuery
from matching.types import Candidate, Hit, Matcher

POSITIVE_LEVELS = ("exact", "strong")  # a hit at these levels counts as "the subject is this entity"
_PAGE = os.sysconf("SC_PAGE_SIZE")

MatcherFactory = Callable[[], Matcher]


def rss_bytes() -> int:
    """Resident set size of this process now (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (VmHWM)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


# --- finding the matcher -------------------------------------------------------------------


_REQUIRED_METHODS = ("build", "upsert", "remove", "search", "__len__")


def _looks_like_matcher(obj: Any) -> bool:
    return (
        inspect.isclass(obj)
        and not getattr(obj, "_is_protocol", False)
        and all(callable(getattr(obj, m, None)) for m in _REQUIRED_METHODS)
    )


def find_matcher(spec: str | None = None) -> tuple[MatcherFactory | None, str]:
    """The real matcher's factory and where it came from, or (None, why it is missing).

    `spec` is "module:attribute" (a class or a function returning a matcher). Without it, the
    modules of the `matching` package are searched for a class implementing the interface.
    """
    if spec:
        module_name, _, attr = spec.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            return None, f"--matcher {spec}: {exc}"
        return factory, spec
    import matching

    found: list[tuple[str, Any]] = []
    problems: list[str] = []
    for info in pkgutil.iter_modules(matching.__path__):
        if info.name == "types":
            continue
        module_name = f"matching.{info.name}"
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # a half-written module must not stop the benchmark
            problems.append(f"{module_name} does not import: {type(exc).__name__}: {exc}")
            continue
        for attr, obj in vars(module).items():
            if _looks_like_matcher(obj) and obj.__module__ == module_name:
                found.append((f"{module_name}:{attr}", obj))
    if not found:
        why = "no class in matching/ implements the Matcher interface (build, upsert, remove, search, __len__)"
        return None, "; ".join([why, *problems])
    found.sort(key=lambda item: (not item[0].endswith("Matcher"), item[0]))
    return found[0][1], found[0][0]


# --- figures -----------------------------------------------------------------------------


@dataclass
class BuildFigures:
    entities: int
    seconds: float
    rss_delta_bytes: int  # resident memory the build added (what the OS sees)
    tracemalloc_peak_bytes: int | None  # Python allocations at the build's peak, from a second build


@dataclass
class SearchFigures:
    queries: int
    seconds: float  # sum of per-query times
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    per_second: float  # queries per second, one thread
    errors: int  # searches that raised
    error_examples: list[str] = field(default_factory=list)


@dataclass
class QualityFigures:
    """Recall and precision against the labels.

    A positive is found when its entity is among the hits at the levels its label accepts:
    exact/strong, or any level for the review families (`dataset.REVIEW_FAMILIES`: no region,
    or a 字号 one homophone off, where the right answer is `possible`). Per family: `found`,
    `found_possible` (at any level), `flagged` (a negative with an exact/strong hit),
    `wrong_strong` (a positive with an exact/strong hit on another entity: a false block),
    `errors`."""

    positives: int  # labelled queries that name a listed entity
    negatives: int  # labelled queries that name none (including bad inputs)
    true_positives: int  # positives whose entity is among the hits at a level their label accepts
    positive_hits: int  # exact/strong hits over all queries
    correct_positive_hits: int  # of which: the labelled entity
    recall: float
    precision: float
    recall_possible: float  # positives whose entity is among any hit, `possible` included
    negatives_flagged: int  # negatives with an exact/strong hit
    negatives_possible: int  # negatives with only `possible` hits
    per_family: dict[str, dict[str, float]] = field(default_factory=dict)


def measure_build(
    factory: MatcherFactory, candidates: list[Candidate], *, with_tracemalloc: bool
) -> tuple[Matcher, BuildFigures]:
    """Build an index from `candidates`, timing it and measuring what memory it adds."""
    gc.collect()
    before = rss_bytes()
    matcher = factory()
    started = time.perf_counter()
    matcher.build(candidates)
    seconds = time.perf_counter() - started
    gc.collect()
    delta = rss_bytes() - before
    peak = None
    if with_tracemalloc:  # a second, separate build: tracing slows a build several times over
        gc.collect()
        tracemalloc.start()
        traced = factory()
        traced.build(candidates)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del traced
        gc.collect()
    return matcher, BuildFigures(len(matcher), seconds, delta, peak)


SearchResult = list[Hit] | BaseException


def measure_search(
    matcher: Matcher, queries: Sequence[LabelledQuery], *, limit: int = 10, warmup: int = 20
) -> tuple[list[SearchResult], list[float], SearchFigures]:
    """Search every query once, timing each call; a call that raises is kept as its exception."""
    for q in queries[:warmup]:
        try:
            matcher.search(q.query, limit)
        except Exception:  # noqa: S112 (warm-up only; errors are counted below)
            continue
    results: list[SearchResult] = []
    times: list[float] = []
    clock = time.perf_counter_ns
    for q in queries:
        started = clock()
        try:
            outcome: SearchResult = matcher.search(q.query, limit)
        except Exception as exc:  # a bad input may be refused: counted, not fatal
            outcome = exc
        times.append((clock() - started) / 1e6)
        results.append(outcome)
    return results, times, latency_figures(times, results)


def latency_figures(times: Sequence[float], results: Sequence[SearchResult]) -> SearchFigures:
    ordered = sorted(times)
    total = sum(ordered) / 1000

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    errors = [r for r in results if isinstance(r, BaseException)]
    examples = sorted({f"{type(e).__name__}: {e}"[:160] for e in errors})[:5]
    return SearchFigures(
        queries=len(ordered),
        seconds=total,
        p50_ms=statistics.median(ordered) if ordered else 0.0,
        p95_ms=pct(0.95),
        p99_ms=pct(0.99),
        max_ms=ordered[-1] if ordered else 0.0,
        per_second=len(ordered) / total if total else 0.0,
        errors=len(errors),
        error_examples=examples,
    )


def evaluate(queries: Sequence[LabelledQuery], results: Sequence[SearchResult]) -> QualityFigures:
    """Recall and precision against the labels (see `QualityFigures`); a refused bad input counts
    as "no hits"."""
    families = (*POSITIVE_FAMILIES, *NEGATIVE_FAMILIES, *BAD_FAMILIES)
    per_family: dict[str, dict[str, float]] = {
        f: {"queries": 0, "found": 0, "found_possible": 0, "flagged": 0, "wrong_strong": 0, "errors": 0}
        for f in families
    }
    positives = negatives = tp = hits = correct = found_any = flagged = possible_only = 0
    for q, result in zip(queries, results, strict=True):
        row = per_family[q.family]
        row["queries"] += 1
        if isinstance(result, BaseException):
            row["errors"] += 1
            result = []
        strong = [h for h in result if h.match in POSITIVE_LEVELS]
        hits += len(strong)
        if q.expected is not None:
            positives += 1
            correct += sum(1 for h in strong if h.entity_id == q.expected)
            if any(h.entity_id != q.expected for h in strong):
                row["wrong_strong"] += 1
            if any(h.entity_id == q.expected and h.match in q.accepted for h in result):
                tp += 1
                row["found"] += 1
            if any(h.entity_id == q.expected for h in result):
                found_any += 1
                row["found_possible"] += 1
        else:
            negatives += 1
            if strong:
                flagged += 1
                row["flagged"] += 1
            elif result:
                possible_only += 1
    return QualityFigures(
        positives=positives,
        negatives=negatives,
        true_positives=tp,
        positive_hits=hits,
        correct_positive_hits=correct,
        recall=tp / positives if positives else 0.0,
        precision=correct / hits if hits else 1.0,
        recall_possible=found_any / positives if positives else 0.0,
        negatives_flagged=flagged,
        negatives_possible=possible_only,
        per_family=per_family,
    )


def as_dict(figures: Any) -> dict[str, Any]:
    return asdict(figures)
