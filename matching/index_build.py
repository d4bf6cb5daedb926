"""Building the candidate index's rows for many candidates at once: each share of them into
array buffers (`build_part`, a `Part`), and for a large build the shares in forked processes
(`build_in_processes`); `index_store` merges the parts.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import threading
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.index_arrays import IntArray, RowArray
from matching.index_rows import candidate_rows
from matching.parse import ParsedName, parse_many
from matching.types import Candidate


def _numpy(values: array[int], dtype: Any) -> np.ndarray[Any, Any]:
    """A numpy copy of an array.array (same item size: the buffer is reinterpreted)."""
    return np.frombuffer(values, dtype=dtype).copy() if len(values) else np.zeros(0, dtype=dtype)


def _parsed_in_batches(
    candidates: Iterable[Candidate], batch: int = 2000
) -> Iterator[tuple[Candidate, list[ParsedName]]]:
    """Each candidate with its names parsed, `batch` candidates' names at a time (see
    `parse_many`)."""
    chunk: list[Candidate] = []
    for candidate in itertools.chain(candidates, [None]):
        if candidate is not None:
            chunk.append(candidate)
            if len(chunk) < batch:
                continue
        parsed = iter(parse_many([r.name for c in chunk for r in c.names]))
        for c in chunk:
            yield c, [next(parsed) for _ in c.names]
        chunk = []


@dataclass
class Part:
    """The rows built for a share of the candidates, in arrays; part ids are local to it
    (`parts[id]` is the value) until the index merges it."""

    entity: IntArray
    kind: np.ndarray[Any, Any]
    code: np.ndarray[Any, Any]
    trade: IntArray
    industry: np.ndarray[Any, Any]
    region: np.ndarray[Any, Any]
    form: np.ndarray[Any, Any]
    skip: np.ndarray[Any, Any]
    names: bytearray
    name_ends: IntArray
    trades: bytearray
    trade_ends: IntArray
    exact_keys: IntArray
    exact_rows: RowArray
    gram_keys: IntArray
    gram_rows: RowArray
    slip_keys: IntArray
    slip_rows: RowArray
    parts: list[object]


def build_part(candidates: Sequence[Candidate]) -> Part:
    """Build the rows of these candidates.

    In array.array buffers (a few bytes an entry, no Python objects), then numpy. The cyclic
    garbage collector is paused meanwhile: a build allocates millions of short-lived objects and
    no cycles, and full collections over the caller's million Candidate objects would cost more
    than the build itself."""
    part_ids: dict[object, int] = {}
    parts: list[object] = []

    def part_id(value: object) -> int:
        found = part_ids.get(value)
        if found is None:
            found = part_ids[value] = len(parts)
            parts.append(value)
        return found

    entity, kind, trade = array("q"), array("B"), array("q")
    industry, region, form, skip = array("I"), array("I"), array("I"), array("B")
    codes = bytearray()
    names, name_ends = bytearray(), array("q")
    trades, trade_ends = bytearray(), array("q")
    exact_keys, exact_rows = array("q"), array("I")
    gram_keys, gram_rows = array("q"), array("I")
    slip_keys, slip_rows = array("q"), array("I")
    collecting = gc.isenabled()
    gc.disable()
    try:
        row = 0
        for candidate, parsed in _parsed_in_batches(candidates):
            for r in candidate_rows(candidate, parsed, part_id):
                entity.append(r.entity)
                kind.append(r.kind)
                codes += r.code.ljust(18, b"\0")
                trade.append(r.trade)
                industry.append(r.industry)
                region.append(r.region)
                form.append(r.form)
                skip.append(r.trade_skip)
                names += r.text.encode()
                name_ends.append(len(names))
                trades += r.trade_ext.encode()
                trade_ends.append(len(trades))
                for key in r.exact:
                    exact_keys.append(key)
                    exact_rows.append(row)
                for key in r.grams:
                    gram_keys.append(key)
                    gram_rows.append(row)
                slip_keys.extend(r.slips)
                slip_rows.extend(itertools.repeat(row, len(r.slips)))
                row += 1
    finally:
        if collecting:
            gc.enable()
    return Part(
        entity=_numpy(entity, np.int64),
        kind=_numpy(kind, np.uint8),
        code=np.frombuffer(bytes(codes), dtype="S18").copy(),
        trade=_numpy(trade, np.int64),
        industry=_numpy(industry, np.uint32),
        region=_numpy(region, np.uint32),
        form=_numpy(form, np.uint32),
        skip=_numpy(skip, np.uint8),
        names=names,
        name_ends=_numpy(name_ends, np.int64),
        trades=trades,
        trade_ends=_numpy(trade_ends, np.int64),
        exact_keys=_numpy(exact_keys, np.int64),
        exact_rows=_numpy(exact_rows, np.uint32),
        gram_keys=_numpy(gram_keys, np.int64),
        gram_rows=_numpy(gram_rows, np.uint32),
        slip_keys=_numpy(slip_keys, np.int64),
        slip_rows=_numpy(slip_rows, np.uint32),
        parts=parts,
    )


PARALLEL_FROM = 200_000  # entities: below this a build is not worth forking for
_SHARED: list[Candidate] = []  # the candidates of a build in progress, for its forked workers


def worker_count(entities: int, workers: int | None) -> int:
    """How many processes to build with (see `CandidateIndex.build`)."""
    if workers is not None:
        wanted = min(workers, entities)
    elif entities < PARALLEL_FROM:
        return 1
    else:
        wanted = min(os.cpu_count() or 1, 4)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    # forking a process that runs other threads can copy a lock one of them holds
    return wanted if wanted > 1 and forkable and threading.active_count() == 1 else 1


def _build_share(bounds: tuple[int, int]) -> Part:
    """In a forked worker: build the rows of its share of the candidates."""
    start, stop = bounds
    return build_part(_SHARED[start:stop])


def _as_a_plain_worker() -> None:
    """In a forked worker: the default signal handlers, not the parent's (a gunicorn worker's
    SIGTERM handler only sets a flag, and would keep a worker alive that should stop)."""
    for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def build_in_processes(candidates: list[Candidate], workers: int) -> list[Part] | None:
    """The rows of the candidates built by `workers` forked processes, in order; None if the
    processes could not be used (the caller then builds alone)."""
    global _SHARED
    step = -(-len(candidates) // workers)
    shares = [(i, min(i + step, len(candidates))) for i in range(0, len(candidates), step)]
    _SHARED = candidates  # forked workers inherit it: nothing is pickled on the way in
    try:
        pool = multiprocessing.get_context("fork").Pool(len(shares), _as_a_plain_worker)
    except OSError:
        _SHARED = []
        return None
    try:
        built: list[Part] = pool.map(_build_share, shares)
        return built
    except (OSError, multiprocessing.ProcessError):
        return None
    finally:
        # close and join, not terminate: the workers finish their loop and exit by themselves
        pool.close()
        pool.join()
        _SHARED = []
