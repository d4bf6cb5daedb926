"""Faults in the database link, with real processes: what a writer sees while PostgreSQL goes away.

1. The database "restarts" during writes. Instead of restarting the shared cluster, a small TCP
   proxy (threads and sockets, below) stands between a real gunicorn server and PostgreSQL; while
   clients write, every connection through it is cut and new ones are refused for a few seconds,
   then it lets them through again. Every request must either succeed with its record complete
   (the record, its audit row, its outbox event) or fail cleanly (503 with `Retry-After`, in the
   API's error shape): no 500, no answer slower than a bound, no partial record; and the same
   server processes serve writes again after the restore. (`benchmarks/pg_restart.py` does the
   same against a real `pg_ctlcluster … restart`, by hand.)
   A flapping link (many short cuts) follows the long one, so cuts also land inside requests.
2. A database that takes connections and never answers: a write gets a 503 within the connect
   timeout (registry.database), not a worker held for good.
3. The same penalty correction sent at once with the same If-Match: one 200, the rest 412.
   (tests/integration/test_concurrency.py proves this for entity updates; penalties have their
   own service and version check.)

The proxy tests run on PostgreSQL only (REGISTRY_TEST_DATABASE_URL); the race runs on both.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import TestResponse

from benchmarks.http_load import gunicorn
from registry import access
from registry.database import db
from registry.evidence.cli import anchor_backlog
from registry.ledger import verify_audit_chain
from registry.models import AuditLog, ChangeEvent, Entity, Penalty, Screening
from tests import factories
from tests.conftest import auth
from tests.integration.test_concurrency import Committed, _in_parallel, committed  # noqa: F401

# -- a TCP proxy that can cut the database link ------------------------------------------------


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the database; `cut()` drops every connection and refuses new
    ones (the listening socket is closed) until `restore()` listens on the same port again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self.port = 0
        self.accepted = 0
        self._stalled: socket.socket | None = None
        self._held: list[socket.socket] = []
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by cut()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    client.close()
                    upstream.close()
                    return
                self._open.update((client, upstream))
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            self._drop(source)
            self._drop(sink)

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with suppress(OSError):
            sock.close()

    def stall(self) -> int:
        """Drop every open connection, then accept new ones and never answer (a database that takes
        the connection but does not speak: a hung server, a half-dead network path)."""
        dropped = self.cut()
        self._held = []
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._stalled = listener

        def hold() -> None:
            while self._stalled is listener:
                try:
                    self._held.append(listener.accept()[0])
                except TimeoutError:
                    continue
                except OSError:
                    return

        threading.Thread(target=hold, daemon=True).start()
        return dropped

    def unstall(self) -> None:
        listener, self._stalled = self._stalled, None
        if listener is not None:
            listener.close()
        for sock in self._held:
            self._drop(sock)
        time.sleep(0.2)  # the holder thread sees the closed socket
        self.restore()

    def cut(self) -> int:
        """Refuse new connections and drop every open one; returns how many were dropped."""
        with self._lock:
            listener, self._listener = self._listener, None
            dropped = list(self._open)
        if listener is not None:
            listener.close()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
        for sock in dropped:
            self._drop(sock)
        return len(dropped) // 2

    def restore(self) -> None:
        self._listen()

    def close(self) -> None:
        self.cut()


@contextmanager
def cuttable_proxy(target: tuple[str, int]) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(target)
    try:
        yield proxy
    finally:
        proxy.close()


# -- clients that write while the link is cut -------------------------------------------------

REQUEST_BOUND = 20.0  # seconds: no answer by then is a hang, an error (the cut lasts OUTAGE)
OUTAGE = 3.0
FLAPS = 20
WRITERS = 6


@dataclass
class Sent:
    kind: str
    method: str
    path: str
    body: dict[str, Any]
    key: str
    started: float  # monotonic
    seconds: float = 0.0
    status: int = 0  # 0: no HTTP answer (connection error or timeout)
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def _send(port: int, sent: Sent, api_key: str, *, bound: float | None = None) -> Sent:
    """Send and record the answer; no answer within `bound` seconds (a hang) is recorded as an error."""
    headers = {**auth(api_key, Idempotency_Key=sent.key), "Content-Type": "application/json"}
    began = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=bound or REQUEST_BOUND)
    try:
        body = json.dumps(sent.body, ensure_ascii=False).encode() if sent.method == "POST" else None
        conn.request(sent.method, sent.path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        sent.status = response.status
        sent.headers = {k: v for k, v in response.getheaders()}
        try:
            sent.payload = json.loads(raw)
        except ValueError:
            sent.payload = raw[:300].decode(errors="replace")
    except OSError as exc:
        sent.error = f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
        sent.seconds = time.monotonic() - began
    return sent


def _penalty_body(entity_id: int, number: str) -> dict[str, Any]:
    body = factories.penalty_data(SimpleNamespace(id=entity_id), decision_number=number)  # type: ignore[arg-type]
    return {**body, "decided_on": body["decided_on"].isoformat()}


@dataclass
class Scene:
    committed: Committed
    supervisor_key: str
    screener_key: str
    entity_ids: list[int]
    listed_name: str


@pytest.fixture
def scene(committed: Committed) -> Scene:  # noqa: F811
    app = committed.app
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the database-outage proof runs on PostgreSQL only (REGISTRY_TEST_DATABASE_URL)")
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        entities = [factories.make_entity(db.session, f"杭州断链{i}号建设工程有限公司") for i in range(4)]
        factories.make_list_entry(db.session, finance, entities[0])
        supervisor_key = access.create_key(db.session, role="supervisor", name="财政厅", authority_id=finance.id)[1]
        screener_key = access.create_key(db.session, role="screener", name="交易中心")[1]
        db.session.commit()
        ids = [e.id for e in entities]
        db.session.remove()
    return Scene(committed, supervisor_key, screener_key, ids, "杭州断链0号建设工程有限公司")


KINDS = {2: "read", 3: "entity", 4: "screening"}  # by n % 5; the others are penalties


def _plan(scene: Scene, writer: int, n: int, kind: str | None = None) -> tuple[Sent, str]:
    """The n-th request of one writer: penalties mostly, a read, an entity or a screening now and then."""
    key = f"w{writer}-{n}"
    now = time.monotonic()
    kind = kind or KINDS.get(n % 5, "penalty")
    if kind == "read":  # the API (an entity) or a public page (the search)
        path = f"/api/v1/entities/{scene.entity_ids[0]}" if n % 2 else "/search?q=%E6%96%AD%E9%93%BE"
        return Sent("read", "GET", path, {}, key, now), scene.supervisor_key
    if kind == "entity":
        return Sent(
            "entity",
            "POST",
            "/api/v1/entities",
            {"kind": "legal_entity", "name": f"杭州断链新设{writer}号{n}有限公司", "uscc": factories.code()},
            key,
            now,
        ), scene.supervisor_key
    if kind == "screening":
        return Sent(
            "screening",
            "POST",
            "/api/v1/screenings",
            {
                "domain": "procurement",
                "project_code": f"ZJCG-FAULT-{writer}-{n}",
                "stage": "资格审查",
                "subjects": [{"name": scene.listed_name}, {"name": f"杭州无关{n}有限公司"}],
            },
            key,
            now,
        ), scene.screener_key
    entity = scene.entity_ids[n % len(scene.entity_ids)]
    return Sent(
        "penalty", "POST", "/api/v1/penalties", _penalty_body(entity, f"浙财断〔2026〕{writer}-{n}号"), key, now
    ), scene.supervisor_key


def _success(sent: Sent) -> int:
    return 200 if sent.kind == "read" else 201


def _is_clean_503(sent: Sent) -> bool:
    body = sent.payload if isinstance(sent.payload, dict) else {}
    return (
        sent.status == 503
        and sent.headers.get("Retry-After", "").isdigit()
        and body.get("code") == 503
        and body.get("status") == "Service Unavailable"
        and bool(body.get("message"))
    )


def _count(c: Committed, model: Any) -> int:
    return int(c.scalar(sa.select(sa.func.count()).select_from(model)))


@contextmanager
def database_behind_a_proxy(scene: Scene) -> Iterator[tuple[CuttableProxy, str]]:
    """A cuttable proxy in front of the test database, and the database's URL through it."""
    with scene.committed.app.app_context():
        url = db.engine.url
    assert url.host
    assert url.port
    with cuttable_proxy((url.host, url.port)) as proxy:
        yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def test_database_link_cut_during_writes(scene: Scene, tmp_path: Any) -> None:
    c = scene.committed
    with database_behind_a_proxy(scene) as (proxy, proxied):
        env = {
            "REGISTRY_DATABASE_URL": proxied,
            "REGISTRY_DATA_KEY": "test-data-protection-secret",
            # every request authenticates its key and every screening reads the outbox head in
            # the database (no cache hides the outage from them)
            "REGISTRY_KEY_CACHE_SECONDS": "0",
            "REGISTRY_INDEX_MAX_LAG_SECONDS": "0",
            # the clients hammer through the outage: the per-key limits are not under test
            "REGISTRY_RATE_LIMIT_SCREENING": "0",
            "REGISTRY_RATE_LIMIT_SEARCH": "0",
        }
        with gunicorn("wsgi:app", workers=2, env=env, ready_path="/readyz", start_timeout=60) as server:
            sent: list[Sent] = []
            final: list[Sent] = []
            lock = threading.Lock()
            stop = threading.Event()
            marks: dict[str, float] = {"flapped": 0}

            def writer(w: int) -> Callable[[], None]:
                def work() -> None:
                    n = 0
                    while not stop.is_set():
                        request, api_key = _plan(scene, w, n)
                        _send(server.port, request, api_key)
                        with lock:
                            sent.append(request)
                        n += 1
                        if request.status == 503:
                            time.sleep(0.15)  # a polite client would wait Retry-After; this one hammers
                    for kind in ("penalty", "entity", "screening", "read"):  # once the link is back a while
                        request, api_key = _plan(scene, w, n, kind)
                        with lock:
                            final.append(_send(server.port, request, api_key))
                        n += 1

                return work

            def conductor() -> None:
                time.sleep(1.5)
                marks["cut"] = time.monotonic()
                marks["dropped"] = proxy.cut()
                marks["cut_done"] = time.monotonic()
                time.sleep(OUTAGE)
                marks["restoring"] = time.monotonic()
                proxy.restore()
                marks["restored"] = time.monotonic()
                time.sleep(1.0)
                # then a flapping link: short cuts land inside requests, between a query and
                # the commit or the end of a read, not only between requests
                pace = random.Random(5)  # noqa: S311 (timing jitter, not a secret)
                for _ in range(FLAPS):
                    marks["flapped"] += proxy.cut()
                    time.sleep(pace.uniform(0.05, 0.25))
                    proxy.restore()
                    time.sleep(pace.uniform(0.1, 0.3))
                time.sleep(1.0)
                stop.set()

            _in_parallel([conductor, *(writer(w) for w in range(WRITERS))])
            # (b) the same server serves writes again, without a restart
            assert all(s.status == _success(s) for s in final), [(s.kind, s.status, s.payload) for s in final]
            sent += final

            # (a) every answer: 201 (200 for a read), or a clean 503; never a 500, a dropped
            # connection or a hang
            statuses = Counter(s.status for s in sent)
            print(
                f"answers {dict(statuses)}; {marks['dropped']} + {marks['flapped']} connections cut; "  # noqa: T201
                f"slowest {max(s.seconds for s in sent):.2f} s"
            )
            bad = [
                (s.kind, s.status, s.error, s.payload)
                for s in sent
                if not (s.status == _success(s) or _is_clean_503(s))
            ]
            assert not bad, f"{statuses}: {bad[:5]}"
            # a request sent while the link was down (and the server had noticed) cannot have succeeded
            during = [
                s for s in sent if marks["cut_done"] + 0.5 <= s.started and s.started + s.seconds < marks["restoring"]
            ]
            assert during
            assert all(s.status == 503 for s in during), [
                (s.kind, s.status, s.started - marks["cut"], s.seconds, s.headers) for s in during if s.status != 503
            ]
            assert marks["dropped"] > 0  # the server's pooled connections really were cut

            # (c) no partial record: a retry of every 503 with its Idempotency-Key answers 201; a
            # write that committed although its client saw the 503 is replayed, not made twice
            failed = [s for s in sent if s.status == 503 and s.kind != "read"]
            ok_before = sum(1 for s in sent if s.status == 201)
            records_before = _count(c, Penalty) + _count(c, Entity) - len(scene.entity_ids) + _count(c, Screening)
            assert ok_before <= records_before <= ok_before + len(failed)
            for s in failed:
                api_key = scene.screener_key if s.kind == "screening" else scene.supervisor_key
                retried = _send(server.port, Sent(s.kind, "POST", s.path, s.body, s.key, time.monotonic()), api_key)
                assert retried.status == 201, (retried.status, retried.payload)
            log = server.log_tail(400)
        assert "Traceback" not in log, log
        assert "WORKER TIMEOUT" not in log, log

    penalties = [s for s in sent if s.kind == "penalty"]
    stored = dict(c.rows(sa.select(Penalty.decision_number, Penalty.id)))
    assert set(stored) == {s.body["decision_number"] for s in penalties}
    new_entities = {s.body["uscc"] for s in sent if s.kind == "entity"}
    assert set(c.scalars(sa.select(Entity.uscc).where(Entity.uscc.in_(new_entities)))) == new_entities
    assert _count(c, Screening) == sum(1 for s in sent if s.kind == "screening")
    # every record with exactly one audit row and (for registry records) one outbox event
    audits = Counter(
        c.rows(sa.select(AuditLog.record_type, AuditLog.record_id).where(AuditLog.action.in_(("create", "screen"))))
    )
    events = Counter(c.rows(sa.select(ChangeEvent.record_type, ChangeEvent.record_id)))
    for penalty_id in stored.values():
        assert audits[("penalty", penalty_id)] == 1
        assert events[("penalty", penalty_id)] == 1
    for entity_id in c.scalars(sa.select(Entity.id)):
        assert events[("entity", entity_id)] == 1
    # Screenings have no audit row of their own: the anchoring step makes each a leaf of the
    # evidence tree, once, under one signed anchor row.
    with c.app.app_context():
        try:
            anchor_backlog()
        finally:
            db.session.remove()
    leaves = c.scalars(sa.select(Screening.leaf_index).order_by(Screening.leaf_index))
    assert leaves == list(range(len(leaves)))
    assert not any(record_type == "screening" for record_type, _ in audits)
    seqs = c.scalars(sa.select(ChangeEvent.seq).order_by(ChangeEvent.seq))
    assert seqs == list(range(1, len(seqs) + 1))
    with c.app.app_context():
        try:
            chain = verify_audit_chain(db.session)
        finally:
            db.session.remove()
    assert chain.ok, chain


# -- the same correction of one penalty, sent at once ------------------------------------------

RACERS = 5


def test_racing_penalty_corrections_with_the_same_if_match_one_wins(committed: Committed) -> None:  # noqa: F811
    app = committed.app
    with app.app_context():
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        entity = factories.make_entity(db.session, "杭州竞改建设工程有限公司")
        penalty_id = factories.make_penalty(db.session, finance, entity).id
        key = access.create_key(db.session, role="supervisor", name="财政厅", authority_id=finance.id)[1]
        db.session.commit()
        db.session.remove()
    url = f"/api/v1/penalties/{penalty_id}"
    etag = app.test_client().get(url, headers=auth(key)).headers["ETag"]
    assert etag == '"v1"'

    def corrector(n: int) -> Callable[[], TestResponse]:
        def send() -> TestResponse:
            client = app.test_client()
            for _ in range(20):  # SQLite: a writer that still finds the database locked gets a 503
                response = client.patch(
                    url,
                    json={"content": f"罚款人民币五千元（更正{n}）", "reason": "笔误"},
                    headers=auth(key, If_Match=etag),
                )
                if response.status_code != 503:
                    return response
            raise AssertionError("still busy")

        return send

    responses = _in_parallel([corrector(n) for n in range(RACERS)])

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (RACERS - 1), [(r.status_code, r.json) for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    assert winner.headers["ETag"] == '"v2"'
    stored = app.test_client().get(url, headers=auth(key))
    assert stored.json["content"] == winner.json["content"]
    assert stored.json["version"] == 2
    corrections = committed.rows(
        sa.select(ChangeEvent.operation, ChangeEvent.record_version, ChangeEvent.payload)
        .where(ChangeEvent.record_type == "penalty", ChangeEvent.record_id == penalty_id)
        .order_by(ChangeEvent.seq)
    )
    assert [(op, v) for op, v, _ in corrections] == [("create", 1), ("correct", 2)]
    assert corrections[-1][2]["content"] == winner.json["content"]
    audits = committed.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.record_type == "penalty", AuditLog.record_id == penalty_id)
        .order_by(AuditLog.seq)
    )
    assert audits == ["create", "correct"]


# -- a database that takes connections and never answers ---------------------------------------

STALL_BOUND = 15.0  # seconds without an answer: a hang (registry.database: a 5 s connect timeout)


def test_a_database_that_never_answers_gives_503_not_a_hang(scene: Scene) -> None:
    with database_behind_a_proxy(scene) as (proxy, proxied):
        env = {
            "REGISTRY_DATABASE_URL": proxied,
            "REGISTRY_DATA_KEY": "test-data-protection-secret",
            "REGISTRY_KEY_CACHE_SECONDS": "0",
        }
        with gunicorn("wsgi:app", workers=1, env=env, ready_path="/readyz", start_timeout=60) as server:
            first, key = _plan(scene, 0, 0, "penalty")
            assert _send(server.port, first, key).status == 201
            proxy.stall()
            try:
                stalled = [_send(server.port, *_plan(scene, 0, 1, "penalty"), bound=STALL_BOUND)]
            finally:
                proxy.unstall()
            for s in stalled:  # a hang shows as a timed-out request (no status), not a clean 503
                assert _is_clean_503(s), (s.status, s.error, s.payload)
            again, key = _plan(scene, 0, 3, "penalty")
            assert _send(server.port, again, key).status == 201
            log = server.log_tail(200)
        assert "Traceback" not in log, log
