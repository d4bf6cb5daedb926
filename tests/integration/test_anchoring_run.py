"""The evidence tree anchored by the running scheduler, end to end, with real processes.

The registry is a gunicorn server (`wsgi:app`, as in test_multi_node.py); `flask --app wsgi sync
run` runs beside it with REGISTRY_ANCHOR_SECONDS=1 and one push target, the reference receiver
(`python -m tools.receiver`, pinned to the registry's public key with `--anchor-key`), as in
test_push_faults.py. Nobody runs `flask registry anchor`. The tests prove:

- a screening posted over HTTP is anchored by the scheduler alone: `GET /api/v1/screenings/{id}/verify`
  turns `anchored` within a generous deadline (the delay is reported, never asserted), and its answer
  checks out with the stand-alone docs/verify_evidence.py and the key of `GET /api/v1/evidence/key`;
- the push carries the anchor to the receiver, which keeps it (same tree size, root and signature,
  checked on receipt against the pinned key), and `python -m tools.receiver check-consistency`
  between two anchors it received, fetching the proof from the registry, exits 0;
- two schedulers at once still anchor one at a time: the anchors' tree sizes strictly increase,
  every screening has its own leaf and the leaves are 0..n-1, and the receiver keeps each anchor.

PostgreSQL only (REGISTRY_TEST_DATABASE_URL), like the other proofs with real processes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry import access
from registry.database import db
from registry.evidence.anchoring import ANCHOR_ACTION, ANCHOR_RECORD
from registry.models import AuditLog, ChangeEvent, LedgerCounter, MerkleNode, Screening
from tests.integration.test_concurrency import Committed, committed  # noqa: F401
from tests.integration.test_multi_node import DATA_KEY, Node, wait_for
from tests.integration.test_push_faults import PYTHON, ROOT, SECRET, Receiver, Workers, free_port, targets_file

SIGNING_KEY = "3c" * 32  # the Ed25519 private key the server and both schedulers share
SECRET_KEY = "anchoring-run-test-cookie-secret"
GENEROUS = 60  # seconds an anchor may take to appear before the test gives up (not a timing claim)
WRITERS, PER_WRITER = 4, 10  # the two-scheduler test: screenings posted from 4 threads, 10 each


def _script() -> Any:
    """docs/verify_evidence.py, loaded as tests/api/test_evidence.py loads it."""
    spec = importlib.util.spec_from_file_location("verify_evidence", ROOT / "docs" / "verify_evidence.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify_evidence = _script()


@dataclass
class AnchoringWorkers(Workers):
    """`flask sync run` schedulers that anchor every second with the server's signing key."""

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "REGISTRY_ANCHOR_SECONDS": "1",
            "REGISTRY_SIGNING_KEY": SIGNING_KEY,
            "REGISTRY_SECRET_KEY": SECRET_KEY,
        }


@dataclass
class PinnedReceiver(Receiver):
    """The reference receiver with the registry's public key pinned (`--anchor-key`)."""

    anchor_key: str = ""

    def start(self) -> None:
        log = self.log_path.open("a")
        self.files.append(log)
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "tools.receiver",
                "--port",
                str(self.port),
                "--db",
                str(self.db_path),
                "--secret",
                f"t1={SECRET}",
                "--anchor-key",
                self.anchor_key,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert "listening on" in line, f"receiver did not start: {line!r}; log: {self.log_path.read_text()}"

    def anchors(self) -> dict[str, Any]:
        r = httpx.get(f"{self.url}/_anchors", params={"target": "t1"}, timeout=10)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def kept(self) -> dict[int, dict[str, Any]]:
        """The anchors kept, by tree size."""
        return {int(a["tree_size"]): a for a in self.anchors()["anchors"]}


@dataclass
class Stand:
    committed: Committed
    node: Node
    receiver: PinnedReceiver
    workers: AnchoringWorkers
    screener_key: str
    public_key: str

    def screen(self, name: str) -> dict[str, Any]:
        r = self.node.request(
            "POST",
            "/screenings",
            self.screener_key,
            json={"domain": "procurement", "project_code": "ANCHOR-RUN-1", "subjects": [{"name": name}]},
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def verify(self, screening_id: int) -> dict[str, Any]:
        r = self.node.request("GET", f"/screenings/{screening_id}/verify", self.screener_key)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def anchored(self, screening: dict[str, Any]) -> tuple[dict[str, Any], float]:
        """Poll verify until an anchor covers the screening; the answer and how long it took."""
        answers: list[dict[str, Any]] = []

        def covered() -> bool:
            answers.append(self.verify(screening["id"]))
            return bool(answers[-1]["anchored"])

        took = wait_for(covered, GENEROUS, f"screening {screening['id']} anchored", self.detail)
        return answers[-1], took

    def checked(self, screening: dict[str, Any], answer: dict[str, Any]) -> None:
        """The verify answer checks out with docs/verify_evidence.py and the published key."""
        assert answer["valid"] is True, answer["problems"]
        assert answer["problems"] == []
        document = httpx.get(
            f"{self.node.url}/api/v1/screenings/{screening['id']}",
            headers={"Authorization": f"Bearer {self.screener_key}"},
            timeout=30,
        ).json()["document"]
        assert document == screening["document"]
        raw = json.dumps(document, ensure_ascii=False).encode()
        assert verify_evidence.check(raw, answer, self.public_key) == screening["digest"]
        assert answer["anchor"]["public_key"] == self.public_key

    def received(self, tree_size: int) -> dict[str, Any]:
        """Wait until the receiver keeps the anchor of `tree_size`; return it."""
        wait_for(lambda: tree_size in self.receiver.kept(), GENEROUS, f"anchor {tree_size} received", self.detail)
        return self.receiver.kept()[tree_size]

    def detail(self) -> str:
        receiver = self.receiver.log_path.read_text(errors="replace")[-1500:] if self.receiver.log_path.exists() else ""
        return f"worker logs:\n{self.workers.logs()[-3000:]}\nreceiver log:\n{receiver}\nserver log:\n{self.node.log()}"


@pytest.fixture
def stand(committed: Committed, tmp_path: Path) -> Iterator[Stand]:  # noqa: F811
    app = committed.app
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip(
                "the anchoring run proof uses real processes on PostgreSQL (REGISTRY_TEST_DATABASE_URL); "
                "this is the SQLite run"
            )
        url = db.engine.url.render_as_string(hide_password=False)
        _, screener_key = access.create_key(db.session, role="screener", name="交易中心（锚定）")
        db.session.commit()
        db.session.remove()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_DATA_KEY": DATA_KEY,
        "REGISTRY_SECRET_KEY": SECRET_KEY,
        "REGISTRY_SIGNING_KEY": SIGNING_KEY,
        "REGISTRY_ANCHOR_SECONDS": "1",
        "REGISTRY_RATE_LIMIT_SCREENING": "0",
        "FLASK_APP": "wsgi",
    }
    env.pop("REGISTRY_SYNC_TARGETS", None)
    node = Node("registry", free_port(), env, tmp_path / "server.log")
    receiver_port = free_port()
    receiver = PinnedReceiver(receiver_port, tmp_path / "receiver.db", tmp_path / "receiver.log")
    workers = AnchoringWorkers(url, targets_file(tmp_path, receiver_port, batch_size=25), tmp_path)
    try:
        node.start()
        wait_for(node.ready, GENEROUS, "the registry server ready", node.log)
        r = node.request("GET", "/evidence/key")
        assert r.status_code == 200, r.text
        assert r.json()["algorithm"] == "Ed25519"
        public_key = str(r.json()["public_key"])
        expected = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(SIGNING_KEY)).public_key().public_bytes_raw()
        assert public_key == expected.hex(), "the server does not sign with REGISTRY_SIGNING_KEY"
        receiver.anchor_key = public_key
        receiver.start()
        yield Stand(committed, node, receiver, workers, screener_key, public_key)
    finally:
        workers.stop_all()
        receiver.stop()
        node.stop()
        node.wait_stopped()


def _check_consistency(stand: Stand, old_size: int, new_size: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            PYTHON,
            "-m",
            "tools.receiver",
            "check-consistency",
            "--db",
            str(stand.receiver.db_path),
            "--registry",
            stand.node.url,
            "--from",
            str(old_size),
            "--to",
            str(new_size),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _assert_receiver_clean(stand: Stand) -> None:
    anchors = stand.receiver.anchors()
    assert anchors["refused"] == [], anchors["refused"]
    assert anchors["problems"] == [], anchors["problems"]


def _assert_same_anchor(kept: dict[str, Any], anchor: dict[str, Any]) -> None:
    for field in ("tree_size", "root", "timestamp", "signature", "algorithm", "public_key"):
        assert kept[field] == anchor[field], (field, kept, anchor)


def test_the_scheduler_anchors_screenings_and_the_receiver_keeps_consistent_anchors(stand: Stand) -> None:
    stand.workers.start()

    first = stand.screen("杭州锚定甲建设工程有限公司")
    answer, took = stand.anchored(first)
    stand.checked(first, answer)
    assert answer["leaf_index"] == 0
    old = answer["anchor"]
    assert old["tree_size"] == 1, f"anchored {took:.2f} s after its 201, in {old}"
    kept = stand.received(old["tree_size"])
    _assert_same_anchor(kept, old)

    second = stand.screen("宁波锚定乙贸易有限公司")
    third = stand.screen("温州锚定丙电子科技有限公司")
    answers = {s["id"]: stand.anchored(s) for s in (second, third)}
    for screening in (second, third):
        stand.checked(screening, answers[screening["id"]][0])
    assert sorted(answers[s["id"]][0]["leaf_index"] for s in (second, third)) == [1, 2]
    new = max((a for a, _ in answers.values()), key=lambda a: a["anchor"]["tree_size"])["anchor"]
    assert new["tree_size"] == 3
    _assert_same_anchor(stand.received(new["tree_size"]), new)
    # The first anchor covers the first screening still: it does not move to a later one.
    assert stand.verify(first["id"])["anchor"]["tree_size"] == 1

    result = _check_consistency(stand, old["tree_size"], new["tree_size"])
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{stand.detail()}"
    assert result.stdout.startswith("consistent"), result.stdout
    _assert_receiver_clean(stand)
    logs = stand.workers.logs()
    assert "anchored: tree size 1," in logs
    assert "anchoring failed" not in logs
    print(
        f"\nfirst screening anchored {took:.2f} s after its 201; the next two "
        f"{', '.join(f'{t:.2f} s' for _, t in answers.values())}; check-consistency: {result.stdout.strip()}"
    )


def test_two_schedulers_anchor_each_screening_once_in_increasing_tree_sizes(stand: Stand) -> None:
    stand.workers.start()
    stand.workers.start()
    wait_for(
        lambda: stand.workers.logs().count("anchoring new screenings every") == 2,
        GENEROUS,
        "both schedulers running",
        stand.detail,
    )
    posted: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def write(part: int) -> None:
        try:
            for n in range(PER_WRITER):
                screening = stand.screen(f"杭州双调度{part}{n:02d}号建设工程有限公司")
                with lock:
                    posted.append(screening)
                time.sleep(0.4)  # spread over several anchoring rounds of both schedulers
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(part,)) for part in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    total = WRITERS * PER_WRITER
    assert len(posted) == total

    c = stand.committed
    unanchored = sa.select(sa.func.count()).select_from(Screening).where(Screening.leaf_index.is_(None))
    took = wait_for(lambda: c.scalar(unanchored) == 0, GENEROUS, "every screening anchored", stand.detail)

    leaves = c.rows(sa.select(Screening.leaf_index, Screening.digest).order_by(Screening.leaf_index))
    assert [leaf for leaf, _ in leaves] == list(range(total)), leaves
    # The tree holds each leaf once, at the screening's index: SHA-256(0x00 ‖ digest), nothing more.
    stored = c.rows(sa.select(MerkleNode.idx, MerkleNode.hash).where(MerkleNode.level == 0).order_by(MerkleNode.idx))
    assert stored == [(leaf, hashlib.sha256(b"\x00" + bytes.fromhex(digest)).digest()) for leaf, digest in leaves]
    anchors = c.rows(
        sa.select(AuditLog.seq, AuditLog.record_id, AuditLog.after)
        .where(AuditLog.record_type == ANCHOR_RECORD, AuditLog.action == ANCHOR_ACTION)
        .order_by(AuditLog.seq)
    )
    sizes = [int(after["tree_size"]) for _, _, after in anchors]
    assert [int(record_id) for _, record_id, _ in anchors] == sizes
    assert all(a < b for a, b in zip(sizes, sizes[1:], strict=False)), f"tree sizes not strictly increasing: {sizes}"
    assert sizes[-1] == total
    assert c.scalar(sa.select(LedgerCounter.value).where(LedgerCounter.name == "evidence")) == total
    events = c.scalars(
        sa.select(ChangeEvent.record_id).where(ChangeEvent.record_type == ANCHOR_RECORD).order_by(ChangeEvent.seq)
    )
    assert [int(e) for e in events] == sizes  # one outbox event per anchor, in the same order

    # Each screening's verify answer names its own leaf and checks out on its own.
    for screening in posted:
        answer = stand.verify(screening["id"])
        assert answer["anchored"] is True
        raw = json.dumps(screening["document"], ensure_ascii=False).encode()
        assert verify_evidence.check(raw, answer, stand.public_key) == screening["digest"]

    # The push (one runner at a time) brings every anchor to the receiver, each kept once and checked.
    wait_for(lambda: sorted(stand.receiver.kept()) == sizes, GENEROUS, "every anchor received", stand.detail)
    kept = stand.receiver.kept()
    for _, _, after in anchors:
        _assert_same_anchor(kept[int(after["tree_size"])], after)
    _assert_receiver_clean(stand)

    logs = [p.read_text() for p in sorted(stand.workers.tmp.glob("worker-*.log"))]
    assert all("anchoring failed" not in log for log in logs), stand.detail()
    made = [log.count("anchored: tree size") for log in logs]  # one line per step, which may make several
    print(
        f"\n{total} screenings from {WRITERS} threads, 2 schedulers: {len(sizes)} anchors {sizes} "
        f"(anchoring steps logged by each scheduler: {made}); the last anchored {took:.2f} s after the last 201"
    )
