"""The mixed-load clients: the weighted mix of requests (`MIX`), one simulated caller
(`Client`), one request sent (`send`) and the loop that runs the clients in threads and tallies
what they get (`run_clients`)."""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from benchmarks.load_world import Supervisor, World

REQUEST_TIMEOUT = 60.0

# (label, weight): the share of each request kind in the mix
MIX: tuple[tuple[str, int], ...] = (
    ("screening", 35),
    ("entity search (API)", 15),
    ("search page", 10),
    ("penalty create", 8),
    ("list entry create", 5),
    ("penalty correct", 7),
    ("entity read", 12),
    ("feed read", 8),
)
EXPECTED = {"screening": 201, "penalty create": 201, "list entry create": 201}  # else 200


@dataclass
class Call:
    label: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    throttled: int = 0
    samples: list[str] = field(default_factory=list)


def send(port: int, call: Call, timeout: float = REQUEST_TIMEOUT) -> tuple[int, dict[str, str], bytes]:
    headers = dict(call.headers)
    if call.key:
        headers["Authorization"] = f"Bearer {call.key}"
    body = None
    if call.body is not None:
        body = json.dumps(call.body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(call.method, call.path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def screening_body(world: World, rng: random.Random, project: str) -> dict[str, Any]:
    subjects = []
    for _ in range(rng.randint(1, 20)):
        roll = rng.random()
        if roll < 0.25 and world.listed_names:
            subjects.append({"name": rng.choice(world.listed_names), "role": "投标人"})
        elif roll < 0.35 and world.listed_codes:
            subjects.append({"uscc": rng.choice(world.listed_codes), "role": "投标人"})
        else:
            subjects.append({"name": rng.choice(world.other_names), "role": "投标人"})
    return {"domain": "construction_bidding", "project_code": project, "stage": "资格审查", "subjects": subjects}


class Client:
    """One simulated caller: picks a kind of request by weight, sends it, remembers what it made."""

    _numbers = itertools.count(1)

    def __init__(self, world: World, number: int, seed: int) -> None:
        self.world = world
        self.number = number
        self.rng = random.Random(seed * 1000 + number)  # noqa: S311 (a reproducible mix, not a secret)
        self.made: list[tuple[Supervisor, int]] = []  # penalties this client recorded, not yet corrected
        self.labels = [label for label, _ in MIX]
        self.weights = [weight for _, weight in MIX]

    def _decision(self, prefix: str) -> str:
        return f"压测{prefix}〔{dt.date.today().year}〕{self.number}-{next(self._numbers)}号"

    def next_call(self) -> Call:
        w, rng = self.world, self.rng
        label = rng.choices(self.labels, self.weights)[0]
        if label == "penalty correct" and not self.made:
            label = "penalty create"
        writers_p = [s for s in w.supervisors if s.penalty_template]
        writers_e = [s for s in w.supervisors if s.entry_template]
        if label == "penalty create" and not writers_p or label == "list entry create" and not writers_e:
            label = "screening"
        if label == "screening":
            return Call(
                label,
                "POST",
                "/api/v1/screenings",
                screening_body(w, rng, f"LOAD-{self.number}-{next(self._numbers)}"),
                w.screener_key,
            )
        if label == "entity search (API)":
            return Call(label, "GET", f"/api/v1/entities?name={quote(rng.choice(w.search_terms))}&per_page=20")
        if label == "search page":
            return Call(label, "GET", f"/search?q={quote(rng.choice(w.search_terms))}")
        if label == "entity read":
            return Call(label, "GET", f"/api/v1/entities/{rng.choice(w.entity_ids)}")
        if label == "feed read":
            after = rng.randint(0, max(0, w.feed_head - 1))
            return Call(label, "GET", f"/api/v1/feed?after={after}&limit=50", key=w.platform_key)
        if label == "penalty create":
            sup = rng.choice(writers_p)
            assert sup.penalty_template is not None  # noqa: S101
            body = {
                **sup.penalty_template,
                "decision_number": self._decision("罚"),
                "entity_id": rng.choice(w.entity_ids),
            }
            return Call(label, "POST", "/api/v1/penalties", body, sup.key)
        if label == "list entry create":
            sup = rng.choice(writers_e)
            assert sup.entry_template is not None  # noqa: S101
            body = {
                **sup.entry_template,
                "decision_number": self._decision("决"),
                "entity_id": rng.choice(w.entity_ids),
            }
            return Call(label, "POST", "/api/v1/list-entries", body, sup.key)
        sup, penalty_id = self.made.pop(rng.randrange(len(self.made)))
        return Call(
            label,
            "PATCH",
            f"/api/v1/penalties/{penalty_id}",
            {"content": f"罚款（更正{self.number}）", "reason": "压测更正"},
            sup.key,
            {"If-Match": '"v1"'},
        )

    def answered(self, call: Call, status: int, body: bytes) -> None:
        if call.label == "penalty create" and status == 201:
            sup = next(s for s in self.world.supervisors if s.key == call.key)
            self.made.append((sup, int(json.loads(body)["id"])))


def run_clients(
    port: int,
    clients: Sequence[Any],
    seconds: float,
    next_call: Callable[[Any], Call],
    answered: Callable[[Any, Call, int, bytes], None],
    expected: Callable[[Call], int],
) -> tuple[dict[str, Tally], float]:
    """Each client in its own thread, sending one request after another until `seconds` pass."""
    tallies: dict[str, Tally] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def work(client: Any) -> None:
        barrier.wait()
        while time.monotonic() < deadline[0]:
            call = next_call(client)
            began = time.perf_counter()
            try:
                status, _, body = send(port, call)
                key = str(status)
            except OSError as exc:  # refused, reset, timed out
                status, body, key = 0, str(exc).encode(), type(exc).__name__
            took = (time.perf_counter() - began) * 1000
            answered(client, call, status, body)
            with lock:
                tally = tallies.setdefault(call.label, Tally())
                tally.latencies.append(took)
                tally.statuses[key] += 1
                if status == 429:
                    tally.throttled += 1
                elif status != expected(call):
                    tally.errors += 1
                    if len(tally.samples) < 3:
                        tally.samples.append(f"{key}: {body[:200].decode(errors='replace')}")

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    began = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=seconds + REQUEST_TIMEOUT + 30)
    return tallies, time.perf_counter() - began
