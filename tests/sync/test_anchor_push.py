"""Evidence anchors pushed to the reference receiver: each arrives in outbox order beside the chain
head, is checked (signature, pinned key, one root per tree size) and kept; two kept anchors are
checked against the registry's consistency proof, by the endpoint and by `check-consistency`.

The receiver is the real one (`tools.receiver`) behind httpx's WSGI transport, as in test_push.py;
the registry's proof comes from its own API, the same way.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from flask import Flask

from registry.database import db
from registry.evidence.anchoring import ANCHOR_RECORD, Anchor, anchor
from registry.evidence.signing import EvidenceSigner, anchor_time
from registry.models import ChangeEvent, SyncDeadLetter, SyncState
from registry.screening.name_index import NameIndex, default_matcher
from sync.feed import DataSource
from sync.national import kind_of
from sync.push import RunReport, push_target
from sync.targets import Target
from tests import factories
from tests.conftest import auth
from tests.integration.test_concurrency import Committed, committed  # noqa: F401
from tests.sync.test_receiver import NOW, SECRET, signed
from tools.receiver import check_main, create_receiver, main

OPERATOR_SOURCE = DataSource("浙江省公共资源交易信用平台", None)
SIZES = [1, 3, 6]  # three anchors: of 1, 2 and 3 new screenings


@dataclass
class Anchored:
    committed: Committed
    receiver_db: Path
    receiver: Flask
    http: httpx.Client  # to the receiver
    registry: httpx.Client  # to the registry's API
    anchors: list[Anchor]

    def target(self, **settings: Any) -> Target:
        defaults: dict[str, Any] = {
            "name": "t1",
            "url": "http://receiver/receive",
            "secret": SECRET,
            "batch_size": 4,
            "attempts": 1,
            "backoff_initial_seconds": 0,
            "backoff_max_seconds": 0,
            "timeout_seconds": 5,
        }
        return Target(**{**defaults, **settings})

    def push(self, target: Target | None = None, client: httpx.Client | None = None) -> RunReport:
        with self.committed.app.app_context():
            return push_target(
                db.engine,
                target or self.target(),
                include_not_public=False,
                operator=OPERATOR_SOURCE,
                client=client or self.http,
                sleep=lambda _: None,
            )

    def kept(self, http: httpx.Client | None = None) -> dict[str, Any]:
        r = (http or self.http).get("/_anchors", params={"target": "t1"})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def anchor_seqs(self) -> list[int]:
        return [
            int(seq)
            for seq in self.committed.scalars(
                sa.select(ChangeEvent.seq).where(ChangeEvent.record_type == ANCHOR_RECORD).order_by(ChangeEvent.seq)
            )
        ]

    def platform_seqs(self) -> list[int]:
        rows = self.committed.rows(
            sa.select(ChangeEvent.seq, ChangeEvent.record_type, ChangeEvent.operation).order_by(ChangeEvent.seq)
        )
        return [seq for seq, kind, op in rows if kind_of(kind, op) is not None]

    def proof(self, old: int, new: int) -> list[str]:
        r = self.registry.get("/api/v1/evidence/consistency", params={"from": old, "to": new})
        assert r.status_code == 200, r.text
        return list(r.json()["proof"])

    def check(self, **body: Any) -> httpx.Response:
        return self.http.post("/_anchors/consistency", json=body)

    def swap_kept_roots(self, first: int, second: int) -> None:
        """What a receiver would hold had the registry rewritten its tree: other roots for two sizes."""
        with closing(sqlite3.connect(self.receiver_db)) as conn:
            roots = dict(conn.execute("SELECT tree_size, root FROM anchors"))
            for size, other in ((first, second), (second, first)):
                conn.execute("UPDATE anchors SET root = ? WHERE tree_size = ?", (roots[other], size))
            conn.commit()


@pytest.fixture
def anchored(committed: Committed, tmp_path: Path) -> Iterator[Anchored]:  # noqa: F811
    app = committed.app
    runtime = app.extensions["registry"]
    kept_index, runtime.name_index = runtime.name_index, NameIndex(default_matcher)
    client = app.test_client()
    made = []
    try:
        for count in (1, 2, 3):
            for i in range(count):
                r = client.post(
                    "/api/v1/screenings",
                    json={
                        "domain": "procurement",
                        "project_code": "P-1",
                        "subjects": [{"name": f"杭州锚{count}{i}有限公司"}],
                    },
                    headers=auth(committed.admin_key),
                )
                assert r.status_code == 201, r.json
            with app.app_context():
                found = anchor(db.session, runtime.signer)
                assert found is not None
                # A penalty after each anchor: the anchors go out among other records, in outbox order.
                authority = factories.make_authority(db.session, f"浙江省第{count}厅", ("procurement",))
                factories.make_penalty(
                    db.session, authority, factories.make_entity(db.session, f"杭州罚{count}有限公司")
                )
                db.session.commit()
                db.session.remove()
            made.append(found)
        assert [a.tree_size for a in made] == SIZES
        path = tmp_path / "receiver.db"
        receiver = create_receiver(str(path), {"t1": SECRET}, control=True)
        with (
            httpx.Client(transport=httpx.WSGITransport(app=receiver), base_url="http://receiver") as http,
            httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://registry") as registry,
        ):
            yield Anchored(committed, path, receiver, http, registry, made)
    finally:
        runtime.name_index = kept_index


@pytest.mark.parametrize("fmt", ["json", "json-zh"])
def test_every_anchor_reaches_the_receiver_in_order_and_is_kept(anchored: Anchored, fmt: str) -> None:
    report = anchored.push(anchored.target(format=fmt))
    assert report.error is None
    received = anchored.http.get("/_received", params={"target": "t1"}).json()
    assert [item["seq"] for item in received] == anchored.platform_seqs()  # in outbox order, with the rest
    type_key = "record_type" if fmt == "json" else "记录类型"
    pushed = [item for item in received if item["record"][type_key] == ANCHOR_RECORD]
    assert [item["seq"] for item in pushed] == anchored.anchor_seqs()
    size_key = "tree_size" if fmt == "json" else "树大小"
    assert [item["record"][size_key] for item in pushed] == SIZES
    kept = anchored.kept()
    assert kept["problems"] == []
    assert kept["refused"] == []
    assert [(a["tree_size"], a["root"], a["signature"]) for a in kept["anchors"]] == [
        (a.tree_size, a.root, a.signature) for a in anchored.anchors
    ]
    assert [a["seq"] for a in kept["anchors"]] == anchored.anchor_seqs()
    # The audit chain's head still comes with every batch.
    heads = anchored.http.get("/_heads", params={"target": "t1"}).json()
    assert heads
    assert all(len(h["hash"]) == 64 for h in heads)
    again = anchored.push(anchored.target(format=fmt))
    assert (again.batches, again.error) == (0, None)
    assert len(anchored.kept()["anchors"]) == len(SIZES)


def test_a_forged_anchor_is_refused_named_and_dead_lettered_and_the_rest_goes_on(anchored: Anchored) -> None:
    forged_seq = anchored.anchor_seqs()[1]
    payload = dict(anchored.committed.scalar(sa.select(ChangeEvent.payload).where(ChangeEvent.seq == forged_seq)))
    payload["root"] = "00" * 32  # another tree, under the registry's signature of the real one
    with anchored.committed.app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.update(ChangeEvent).where(ChangeEvent.seq == forged_seq).values(payload=payload))

    target = anchored.target(reject_limit=2)
    first = anchored.push(target)
    assert first.error is not None
    assert "422" in first.error
    assert "forged or altered anchor" in first.error
    second = anchored.push(target)
    assert second.error is None
    assert second.dead_lettered == [forged_seq]
    letter = anchored.committed.scalars(sa.select(SyncDeadLetter))[0]
    assert "does not verify" in letter.reason

    kept = anchored.kept()
    assert [a["tree_size"] for a in kept["anchors"]] == [1, 6]
    [refused] = kept["refused"]
    assert (refused["seq"], refused["tree_size"], refused["root"]) == (forged_seq, 3, "00" * 32)
    assert kept["problems"] == [f"refused anchor (seq {forged_seq}): {refused['reason']}"]
    page = anchored.http.get("/").text
    assert "color:#b00" in page
    assert "forged or altered anchor" in page


def test_a_pinned_key_refuses_anchors_signed_by_another(anchored: Anchored, tmp_path: Path) -> None:
    other = EvidenceSigner.from_hex("5a" * 32).public_key_hex
    with pytest.raises(ValueError, match="64 hex digits"):
        create_receiver(str(tmp_path / "bad.db"), {"t1": SECRET}, anchor_key="not-a-key")
    for key, refused in ((other, True), (anchored.anchors[0].public_key.upper(), False)):
        receiver = create_receiver(str(tmp_path / f"{key[:4]}.db"), {"t1": SECRET}, anchor_key=key)
        with httpx.Client(transport=httpx.WSGITransport(app=receiver), base_url="http://receiver") as http:
            report = anchored.push(client=http)
            kept = anchored.kept(http)
        if refused:
            assert report.error is not None
            assert "not by the key this receiver pins" in report.error
            assert kept["anchors"] == []
            assert kept["refused"][0]["seq"] == anchored.anchor_seqs()[0]
        else:
            assert report.error is None
            assert [a["tree_size"] for a in kept["anchors"]] == SIZES
        with anchored.committed.app.app_context(), db.engine.begin() as conn:
            conn.execute(sa.delete(SyncState))  # the next receiver starts from the beginning


def test_the_consistency_of_kept_anchors_checks_out_with_the_registrys_proofs(anchored: Anchored) -> None:
    assert anchored.push().error is None
    for old, new in ((1, 3), (3, 6), (1, 6), (6, 6), (1, 1)):
        r = anchored.check(**{"from": old, "to": new, "proof": anchored.proof(old, new)})
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["consistent"] is True, (old, new)
        assert (answer["from"], answer["to"], answer["target"], answer["problem"]) == (old, new, "t1", None)
        assert answer["old_root"] == anchored.anchors[SIZES.index(old)].root
    assert anchored.kept()["problems"] == []
    assert len(anchored.kept()["checks"]) == 5


def test_a_tampered_proof_or_swapped_roots_fail_the_check_loudly(anchored: Anchored) -> None:
    assert anchored.push().error is None
    proof = anchored.proof(3, 6)
    tampered = [("ff" if proof[0][:2] != "ff" else "00") + proof[0][2:], *proof[1:]]
    r = anchored.check(**{"from": 3, "to": 6, "proof": tampered})
    assert r.status_code == 200
    assert r.json()["consistent"] is False
    assert r.json()["problem"].startswith("INCONSISTENT (t1)")
    assert anchored.check(**{"from": 3, "to": 6, "proof": proof[:-1]}).json()["consistent"] is False
    assert anchored.check(**{"from": 3, "to": 6, "proof": []}).json()["consistent"] is False

    anchored.swap_kept_roots(3, 6)
    swapped = anchored.check(**{"from": 3, "to": 6, "proof": proof}).json()
    assert swapped["consistent"] is False
    assert "the registry rewrote its evidence tree after signing anchor 3" in swapped["problem"]
    kept = anchored.kept()
    assert len(kept["problems"]) == 4
    assert all(p.startswith("INCONSISTENT") for p in kept["problems"])
    assert "INCONSISTENT (t1)" in anchored.http.get("/").text


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"from": 2, "to": 3, "proof": []}, 404, None),
        ({"from": 6, "to": 3, "proof": []}, 400, "from"),
        ({"from": 0, "to": 3, "proof": []}, 400, "from"),
        ({"from": 1, "to": "3", "proof": []}, 400, "to"),
        ({"from": 1, "to": 3, "proof": ["xyz"]}, 400, "proof[0]"),
        ({"from": 1, "to": 3, "proof": "ab"}, 400, "proof"),
        ({"from": 1, "to": 3, "proof": [], "target": "t9"}, 404, None),
    ],
)
def test_a_check_that_cannot_be_made_says_why(
    anchored: Anchored, body: dict[str, Any], status: int, field: str
) -> None:
    assert anchored.push().error is None
    r = anchored.check(**body)
    assert r.status_code == status, r.text
    assert r.json().get("field") == field
    assert anchored.http.post("/_anchors/consistency", content=b"[]").status_code == 400


def _run(anchored: Anchored, *args: str, client: httpx.Client | None = None) -> int:
    argv = ["--db", str(anchored.receiver_db), "--registry", "http://registry/", *args]
    return check_main(argv, client=client or anchored.registry)


def test_the_check_consistency_command(anchored: Anchored, capsys: pytest.CaptureFixture[str]) -> None:
    assert anchored.push().error is None
    assert _run(anchored, "--from", "1", "--to", "6") == 0
    out = capsys.readouterr().out
    assert out.startswith("consistent (t1): the tree of 6 leaves")
    assert anchored.anchors[0].root in out

    assert _run(anchored, "--from", "2", "--to", "6") == 2  # the registry anchored no tree of 2
    assert "the registry answered HTTP 4" in capsys.readouterr().err

    def disowning(request: httpx.Request) -> httpx.Response:
        answer = anchored.registry.get(request.url.path, params=request.url.params).json()
        return httpx.Response(200, json={**answer, "old_root": "11" * 32})

    with httpx.Client(transport=httpx.MockTransport(disowning), base_url="http://registry") as lying:
        assert _run(anchored, "--from", "1", "--to", "3", client=lying) == 1
    assert "DISOWNED ROOT (t1): the registry now gives root " + "11" * 32 in capsys.readouterr().err

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(down)) as unreachable:
        assert _run(anchored, "--from", "1", "--to", "3", client=unreachable) == 2
    assert "cannot reach the registry" in capsys.readouterr().err

    anchored.swap_kept_roots(1, 3)
    assert _run(anchored, "--from", "1", "--to", "3") == 1
    err = capsys.readouterr().err
    assert "INCONSISTENT (t1)" in err
    assert "DISOWNED ROOT" in err  # the registry names its real roots, not the ones kept here
    assert any(p.startswith("INCONSISTENT") for p in anchored.kept()["problems"])


def test_the_command_line_dispatches_and_checks_its_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.db")
    assert main(["check-consistency", "--db", missing, "--registry", "http://x", "--from", "1", "--to", "2"]) == 2
    assert "no receiver database" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["check-consistency", "--db", missing, "--registry", "http://x", "--from", "one", "--to", "2"])
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(tmp_path / "r.db"), "--secret", "t1=a", "--anchor-key", "abc"])
    assert exited.value.code != 0
    assert "--anchor-key" in capsys.readouterr().err


# Anchors sent straight to the receiver, without a registry: what a push could never produce.

SIGNER = EvidenceSigner.from_hex("3c" * 32)


def _anchor_record(seq: int, size: int, root: str, *, signer: EvidenceSigner = SIGNER) -> dict[str, Any]:
    timestamp = anchor_time(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))
    return {
        "tree_size": size,
        "root": root,
        "timestamp": timestamp,
        "signature": signer.sign(size, bytes.fromhex(root), timestamp),
        "algorithm": "Ed25519",
        "public_key": signer.public_key_hex,
        "data_source_name": None,
        "data_source_uscc": None,
        "seq": seq,
        "record_type": "evidence_anchor",
        "operation": "anchor",
        "record_id": size,
        "version": 1,
        "occurred_at": "2026-11-23T02:00:00+00:00",
        "withheld": False,
    }


def _send(http: Any, seq: int, records: list[dict[str, Any]]) -> Any:
    document = {"target": "t1", "first_seq": seq, "last_seq": seq, "format": "json", "records": records}
    body, headers = signed(document)
    return http.post("/receive", data=body, headers=headers)


def test_one_tree_size_with_two_roots_is_refused_and_a_resend_is_kept_once(tmp_path: Path) -> None:
    receiver = create_receiver(str(tmp_path / "r.db"), {"t1": SECRET}, clock=lambda: NOW)
    http = receiver.test_client()
    assert _send(http, 1, [_anchor_record(1, 4, "aa" * 32)]).status_code == 200
    assert _send(http, 2, [_anchor_record(2, 4, "aa" * 32)]).status_code == 200  # the same anchor again: kept once
    other = _send(http, 3, [_anchor_record(3, 4, "bb" * 32)])  # validly signed, another root for size 4
    assert other.status_code == 422
    [named] = other.get_json()["rejected"]
    assert named["seq"] == 3
    assert "received before with root " + "aa" * 32 in named["reason"]
    assert _send(http, 3, [_anchor_record(3, 4, "bb" * 32)]).status_code == 422  # resent: refused again…
    kept = http.get("/_anchors").get_json()
    assert [(a["tree_size"], a["root"], a["seq"]) for a in kept["anchors"]] == [(4, "aa" * 32, 1)]
    assert len(kept["refused"]) == 1  # …and remembered once
    forged = _anchor_record(4, 5, "cc" * 32)
    forged["signature"] = _anchor_record(4, 5, "dd" * 32)["signature"]
    bad_root = _anchor_record(5, 6, "ee" * 32) | {"root": "EE"}
    answer = _send(http, 4, [forged]).get_json()
    assert "forged or altered anchor" in answer["rejected"][0]["reason"]
    assert "not a SHA-256 root hash" in _send(http, 5, [bad_root]).get_json()["rejected"][0]["reason"]
    assert len(http.get("/_anchors").get_json()["problems"]) == 3
