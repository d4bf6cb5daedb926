"""More than one machine: two API nodes and two sync workers on one PostgreSQL database.

Each node is a gunicorn server (two sync workers, each with its own name index and key cache)
serving `wsgi:app` on its own port, as two machines behind a proxy would. They share nothing
but the database. The tests prove:

- a black-list entry and a penalty recorded through node 1 block a screening on node 2, and their
  removal and revocation through node 2 clear it on node 1: each worker's index follows the outbox
  (REGISTRY_INDEX_MAX_LAG_SECONDS);
- a key revoked with `flask registry revoke-key` is refused by both nodes once their caches
  run out (REGISTRY_KEY_CACHE_SECONDS);
- while both nodes write at once, two `flask sync run` workers deliver every platform event
  exactly once, in order, and every batch is sent by one worker only (the worker logs add up
  to the receiver's batches: no batch was sent twice);
- a node killed outright leaves the other serving reads, writes and screenings.

The waits poll with generous deadlines; how long each change took to reach the other node is
printed (`pytest -s`), never asserted. PostgreSQL only (REGISTRY_TEST_DATABASE_URL), like the
fault proof whose receiver, workers and `world` fixture these reuse (test_push_faults.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from registry import access
from registry.database import db
from registry.models import ChangeEvent, Screening
from tests import factories
from tests.integration.test_concurrency import Committed, committed  # noqa: F401
from tests.integration.test_push_faults import ENTITIES, PYTHON, ROOT, World, free_port, world  # noqa: F401

DATA_KEY = "test-data-protection-secret"  # the session app's: every node must share it
KEY_CACHE_SECONDS = 3
INDEX_MAX_LAG_SECONDS = 1
GENEROUS = 60  # seconds any change may take to reach the other node before the test gives up
STEADY = 6  # consecutive identical answers from a node (both of its workers, most likely) before it counts


def wait_for(condition: Callable[[], bool], seconds: float, what: str, detail: Callable[[], str] = str) -> float:
    """Poll until `condition` holds; return how long that took; fail after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not {what} after {seconds} s. {detail()}")


@dataclass
class Node:
    """One API node: gunicorn with two workers serving wsgi:app on 127.0.0.1:port."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    files: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.files.append(log)
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: `kill` can take the workers down with it
        )

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited ({self.process.returncode}): {self.log()}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def request(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kwargs)

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: a machine lost, not a graceful stop."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Quick shutdown (SIGINT): the test is over, nothing in flight matters."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def wait_stopped(self) -> None:
        if self.process is not None:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        for file in self.files:
            file.close()
        self.files.clear()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


@dataclass
class Cluster:
    committed: Committed
    nodes: list[Node]
    admin_key: str
    finance_key: str
    screener_key: str
    screener_key_id: int
    finance_id: int
    database_url: str
    today: dt.date

    def env(self) -> dict[str, str]:
        return self.nodes[0].env


@pytest.fixture
def cluster(committed: Committed, tmp_path: Path) -> Iterator[Cluster]:  # noqa: F811
    app = committed.app
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip(
                "several nodes share one PostgreSQL database (REGISTRY_TEST_DATABASE_URL); this is the SQLite run"
            )
        url = db.engine.url.render_as_string(hide_password=False)
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        _, finance_key = access.create_key(db.session, role="supervisor", name="财政厅", authority_id=finance.id)
        screener, screener_key = access.create_key(db.session, role="screener", name="交易中心")
        finance_id, screener_id = finance.id, screener.id
        db.session.commit()
        db.session.remove()
    today: dt.date = app.extensions["registry"].clock.today()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_DATA_KEY": DATA_KEY,
        "REGISTRY_SECRET_KEY": "multi-node-test-cookie-secret",  # the same on every node
        "REGISTRY_KEY_CACHE_SECONDS": str(KEY_CACHE_SECONDS),
        "REGISTRY_INDEX_MAX_LAG_SECONDS": str(INDEX_MAX_LAG_SECONDS),
        "FLASK_APP": "wsgi",
        # The polls screen far more often than any tender agency: per-worker limits off.
        "REGISTRY_RATE_LIMIT_SCREENING": "0",
        "REGISTRY_RATE_LIMIT_SEARCH": "0",
    }
    env.pop("REGISTRY_SYNC_TARGETS", None)
    nodes = [Node(f"node {n}", free_port(), env, tmp_path / f"node-{n}.log") for n in (1, 2)]
    try:
        for node in nodes:
            node.start()
        for node in nodes:
            wait_for(node.ready, GENEROUS, f"{node.name} ready", node.log)
        yield Cluster(
            committed, nodes, committed.admin_key, finance_key, screener_key, screener_id, finance_id, url, today
        )
    finally:
        for node in nodes:
            node.stop()
        for node in nodes:
            node.wait_stopped()


# -- what the tests send ---------------------------------------------------------------------


def create_entity(node: Node, key: str, name: str) -> dict[str, Any]:
    r = node.request("POST", "/entities", key, json={"kind": "legal_entity", "name": name, "uscc": factories.code()})
    assert r.status_code == 201, r.text
    return dict(r.json())


def black_list(node: Node, key: str, entity_id: int, today: dt.date) -> httpx.Response:
    r = node.request(
        "POST",
        "/list-entries",
        key,
        json={
            "entity_id": entity_id,
            "list_type": "black",
            "list_name": "政府采购严重违法失信行为记录名单",
            "domains": ["procurement"],
            "decision_number": f"浙财采决〔2026〕多节点{entity_id}号",
            "reason_category": "提供虚假材料谋取中标、成交",
            "facts": "提供虚假业绩证明材料",
            "legal_basis": "《中华人民共和国政府采购法》第七十七条",
            "listed_on": (today - dt.timedelta(days=3)).isoformat(),
            "expires_on": (today + dt.timedelta(days=400)).isoformat(),  # a ban of a little over a year
        },
    )
    assert r.status_code == 201, r.text
    return r


def large_fine(node: Node, key: str, entity_id: int, today: dt.date) -> httpx.Response:
    """A 300万元 fine: a major violation that blocks procurement (procurement.major_violation.large_fine)."""
    r = node.request(
        "POST",
        "/penalties",
        key,
        json={
            "entity_id": entity_id,
            "decision_number": f"浙财采罚〔2026〕多节点{entity_id}号",
            "violation_type": "提供虚假材料谋取中标",
            "facts": "在某政府采购项目中提供虚假业绩证明材料",
            "basis": "《中华人民共和国政府采购法》第七十七条",
            "categories": ["罚款"],
            "content": "罚款人民币三百万元",
            "fine_amount": "300",
            "decided_on": (today - dt.timedelta(days=5)).isoformat(),
            "severity": "general",
            "domain": "procurement",
        },
    )
    assert r.status_code == 201, r.text
    return r


def screen(node: Node, key: str, subjects: list[dict[str, Any]], screenings: list[int]) -> list[str]:
    """Each subject's own decision on this node (block, review, clear …); the stored id is kept."""
    r = node.request(
        "POST", "/screenings", key, json={"domain": "procurement", "project_code": "MULTI-NODE-1", "subjects": subjects}
    )
    assert r.status_code == 201, r.text
    screenings.append(r.json()["id"])
    return [s["own_decision"] for s in r.json()["document"]["subjects"]]


def steadily(ask: Callable[[], Any], expected: Any) -> Callable[[], bool]:
    """A condition: the last STEADY answers were all `expected` (a node's workers have all caught up)."""
    streak = [0]

    def check() -> bool:
        streak[0] = streak[0] + 1 if ask() == expected else 0
        return streak[0] >= STEADY

    return check


# -- (a) a record made on one node is screened on the other ----------------------------------


def test_a_record_made_on_one_node_blocks_on_the_other_and_its_removal_clears_there(cluster: Cluster) -> None:
    node1, node2 = cluster.nodes
    admin, finance, screener = cluster.admin_key, cluster.finance_key, cluster.screener_key
    listed = create_entity(node1, admin, "杭州多节点名单建设工程有限公司")
    fined = create_entity(node1, admin, "杭州多节点处罚建设工程有限公司")
    subjects = [{"name": e["name"], "uscc": e["uscc"]} for e in (listed, fined)]
    screenings: list[int] = []

    # Both nodes' workers have built their index and see nothing against either company.
    for node in (node1, node2):
        wait_for(
            steadily(lambda node=node: screen(node, screener, subjects, screenings), ["clear", "clear"]),
            GENEROUS,
            f"{node.name} clear before anything is recorded",
        )

    entry = black_list(node1, finance, listed["id"], cluster.today)
    penalty = large_fine(node1, finance, fined["id"], cluster.today)
    took = wait_for(
        steadily(lambda: screen(node2, screener, subjects, screenings), ["block", "block"]),
        GENEROUS,
        "blocked on node 2 after node 1 recorded the entry and the penalty",
    )
    print(f"\nnode 2 blocked steadily {took:.2f} s after node 1's writes (max lag {INDEX_MAX_LAG_SECONDS} s)")
    wait_for(
        steadily(lambda: screen(node1, screener, subjects, screenings), ["block", "block"]),
        GENEROUS,
        "blocked on node 1, which recorded them",
    )

    # Removed and revoked through node 2: node 1 clears.
    removed = node2.request(
        "POST",
        f"/list-entries/{entry.json()['id']}/remove",
        finance,
        headers={"If-Match": entry.headers["ETag"]},
        json={"reason": "处罚期满前经复议撤销列入决定，提前移出"},
    )
    assert removed.status_code == 200, removed.text
    revoked = node2.request(
        "POST",
        f"/penalties/{penalty.json()['id']}/revoke",
        finance,
        headers={"If-Match": penalty.headers["ETag"]},
        json={"reason": "行政复议撤销处罚决定"},
    )
    assert revoked.status_code == 200, revoked.text
    took = wait_for(
        steadily(lambda: screen(node1, screener, subjects, screenings), ["clear", "clear"]),
        GENEROUS,
        "cleared on node 1 after node 2 removed the entry and revoked the penalty",
    )
    print(f"node 1 cleared steadily {took:.2f} s after node 2's writes")

    # Every screening either node made is one stored evidence record in the one database.
    stored = cluster.committed.scalars(sa.select(Screening.id).order_by(Screening.id))
    assert stored == sorted(screenings)
    assert len(set(screenings)) == len(screenings)


# -- (b) a revoked key is refused everywhere -------------------------------------------------


def test_a_revoked_key_is_refused_by_both_nodes(cluster: Cluster) -> None:
    key, key_id = cluster.screener_key, cluster.screener_key_id

    def status(node: Node) -> int:
        return node.request("GET", "/screenings", key).status_code

    # Cached in every worker of both nodes (each answers from its cache for KEY_CACHE_SECONDS).
    for node in cluster.nodes:
        wait_for(steadily(lambda node=node: status(node), 200), GENEROUS, f"{node.name} accepting the key")

    revoked = subprocess.run(
        [PYTHON, "-m", "flask", "--app", "wsgi", "registry", "revoke-key", str(key_id)],
        cwd=ROOT,
        env=cluster.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert revoked.returncode == 0, revoked.stderr
    start = time.monotonic()
    for node in cluster.nodes:
        wait_for(steadily(lambda node=node: status(node), 401), GENEROUS, f"{node.name} refusing the revoked key")
        print(
            f"\n{node.name} refused the key steadily {time.monotonic() - start:.2f} s after the revocation "
            f"(key cache {KEY_CACHE_SECONDS} s)"
        )
    # Other keys are untouched.
    for node in cluster.nodes:
        assert node.request("GET", "/screenings", cluster.admin_key).status_code == 200


# -- (c) both nodes write while two workers push ---------------------------------------------

BATCH_LINE = re.compile(r"t1: (\d+) batch\(es\), (\d+) event\(s\), \d+ record\(s\) sent")


def sent_by_workers(logs: str) -> tuple[int, int]:
    """Batches and events the workers' logs say they sent (a run logs one line when it ends)."""
    found = [tuple(map(int, m.groups())) for m in BATCH_LINE.finditer(logs)]
    return sum(b for b, _ in found), sum(e for _, e in found)


def test_two_nodes_write_while_two_workers_push_each_batch_once(cluster: Cluster, world: World) -> None:  # noqa: F811
    node1, node2 = cluster.nodes
    world.receiver.start()
    world.receiver.control(delay_seconds=0.05)  # a batch takes a moment: the workers' runs overlap
    world.workers.start()
    world.workers.start()
    failures: list[str] = []

    def writer(node: Node, n: int) -> None:
        try:
            for i in range(6):
                entity = create_entity(node, cluster.admin_key, f"杭州{node.name[-1]}号节点{n}写{i}建设工程有限公司")
                black_list(node, cluster.finance_key, entity["id"], cluster.today)
                large_fine(node, cluster.finance_key, entity["id"], cluster.today)
        except AssertionError as exc:  # reported below: a thread's exception would otherwise vanish
            failures.append(f"{node.name} writer {n}: {exc}")

    threads = [threading.Thread(target=writer, args=(node, n)) for node in (node1, node2) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    written = cluster.committed.scalar(
        sa.select(sa.func.count())
        .select_from(ChangeEvent)
        .where(ChangeEvent.record_type.in_(("penalty", "list_entry")))
    )
    assert written == 2 * ENTITIES + 2 * 2 * 6 * 2  # the fixture's records and every one the nodes wrote

    head = world.head()
    world.wait_until(lambda: world.cursor() == head, GENEROUS * 2, "caught up")
    world.wait_until(lambda: sent_by_workers(world.workers.logs())[1] == head, GENEROUS, "logged by the workers")
    world.assert_exactly_once_in_order()

    # Each batch went out once, from one worker: the batches and events the two workers say they
    # sent add up to what the receiver applied. A batch sent by both would be counted twice here
    # and once there (the receiver answers a repeated idempotency key without applying it).
    batches, events = sent_by_workers(world.workers.logs())
    with sqlite3.connect(world.receiver.db_path) as conn:
        received_batches = conn.execute("SELECT count(*) FROM batches WHERE target = 't1'").fetchone()[0]
    assert (batches, events) == (received_batches, head)
    busy = world.workers.logs().count("another runner is pushing")
    per_worker = [sent_by_workers(p.read_text())[0] for p in sorted(world.workers.tmp.glob("worker-*.log"))]
    print(f"\n{head} events in {batches} batches; batches per worker {per_worker}; {busy} run(s) found the target busy")


# -- (d) one node lost -----------------------------------------------------------------------


def test_the_other_node_keeps_serving_when_one_is_killed(cluster: Cluster) -> None:
    node1, node2 = cluster.nodes
    entity = create_entity(node1, cluster.admin_key, "杭州多节点存活建设工程有限公司")
    node1.kill()
    # Refused, or reset when the request met a socket the dying workers had not yet closed.
    with pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
        node1.request("GET", "/authorities")

    assert httpx.get(f"{node2.url}/readyz", timeout=10).status_code == 200
    black_list(node2, cluster.finance_key, entity["id"], cluster.today)
    wait_for(
        steadily(lambda: screen(node2, cluster.screener_key, [{"uscc": entity["uscc"]}], []), ["block"]),
        GENEROUS,
        "blocked on node 2 after node 1 was lost",
    )
    got = node2.request("GET", f"/entities/{entity['id']}", cluster.admin_key)
    assert got.status_code == 200
    assert got.json()["name"] == entity["name"]
