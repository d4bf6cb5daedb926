"""The evidence tree through HTTP: screenings anchored in an RFC 9162 tree, signed anchors, proofs.

Every proof is checked by `docs/verify_evidence.py`, the stand-alone script the documentation gives
to people who do not trust the registry (its own RFC 9162 walk and `cryptography`'s Ed25519), and
consistency proofs by a transcription of RFC 9162 §2.1.4.2 written here, not by the registry's code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature

from registry.models import MerkleNode, Screening
from registry.screening.name_index import NameIndex, default_matcher
from tests.conftest import auth

URL = "/api/v1/screenings"
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_evidence.py"


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("verify_evidence", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify_evidence = _script()


@pytest.fixture(autouse=True)
def index(runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


def screen(client, key: str, name: str) -> dict[str, Any]:
    r = client.post(
        URL,
        json={"domain": "procurement", "project_code": "P-1", "subjects": [{"name": name}]},
        headers=auth(key),
    )
    assert r.status_code == 201, r.json
    return r.json


def anchor(app) -> str:
    result = app.test_cli_runner().invoke(args=["registry", "anchor"])
    assert result.exit_code == 0, result.output
    return result.output


def verified(client, key: str, screening_id: int) -> dict[str, Any]:
    r = client.get(f"{URL}/{screening_id}/verify", headers=auth(key))
    assert r.status_code == 200, r.json
    return r.json


def document_bytes(client, key: str, screening: dict[str, Any]) -> bytes:
    return json.dumps(screening["document"], ensure_ascii=False).encode()


def public_key(client) -> str:
    r = client.get("/api/v1/evidence/key")
    assert r.status_code == 200
    assert r.json["algorithm"] == "Ed25519"
    assert len(bytes.fromhex(r.json["public_key"])) == 32
    return str(r.json["public_key"])


def rfc9162_consistent(m: int, n: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, step by step."""
    h = lambda left, right: hashlib.sha256(b"\x01" + left + right).digest()  # noqa: E731
    if m == n:
        return not proof and old_root == new_root
    if not proof:
        return False
    if m & (m - 1) == 0:  # a power of two: the first subtree is the old root itself
        proof = [old_root, *proof]
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = h(c, fr), h(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = h(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def test_a_screening_is_anchored_and_its_proof_checks_out_with_the_published_key(app, client, world):
    first = screen(client, world.screener_key, "杭州甲建设有限公司")
    before = verified(client, world.screener_key, first["id"])
    assert before["valid"] is True
    assert before["anchored"] is False
    assert before["anchor"] is None
    assert before["leaf_index"] is None
    assert before["inclusion_proof"] == []
    assert before["expected_by"]  # when the next anchoring step is due

    second = screen(client, world.screener_key, "宁波乙贸易有限公司")
    assert "tree size 2" in anchor(app)
    key = public_key(client)
    for screening, leaf in ((first, 0), (second, 1)):
        answer = verified(client, world.screener_key, screening["id"])
        assert answer["valid"] is True, answer["problems"]
        assert answer["anchored"] is True
        assert answer["leaf_index"] == leaf
        assert answer["anchor"]["tree_size"] == 2
        assert isinstance(answer["anchor"]["audit_seq"], int)
        assert (
            verify_evidence.check(document_bytes(client, world.screener_key, screening), answer, key)
            == (screening["digest"])
        )

    # A later screening is anchored by the next anchor; the first anchor does not move.
    third = screen(client, world.screener_key, "温州丙电子科技有限公司")
    assert "tree size 3" in anchor(app)
    assert verified(client, world.screener_key, first["id"])["anchor"]["tree_size"] == 2
    answer = verified(client, world.screener_key, third["id"])
    assert answer["leaf_index"] == 2
    assert answer["anchor"]["tree_size"] == 3
    assert verify_evidence.check(document_bytes(client, world.screener_key, third), answer, key) == third["digest"]


def test_the_script_refuses_an_altered_document_a_forged_signature_and_another_key(app, client, world):
    screening = screen(client, world.screener_key, "杭州甲建设有限公司")
    screen(client, world.screener_key, "宁波乙贸易有限公司")
    anchor(app)
    answer = verified(client, world.screener_key, screening["id"])
    key = public_key(client)
    altered = json.dumps(dict(screening["document"], project_code="P-2"), ensure_ascii=False).encode()
    with pytest.raises(ValueError, match="root"):
        verify_evidence.check(altered, answer, key)
    forged = dict(answer, anchor=dict(answer["anchor"], timestamp="2020-01-01T00:00:00.000000+00:00"))
    with pytest.raises(InvalidSignature):
        verify_evidence.check(document_bytes(client, world.screener_key, screening), forged, key)
    other_key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
    with pytest.raises(InvalidSignature):
        verify_evidence.check(document_bytes(client, world.screener_key, screening), answer, other_key)


def test_verification_fails_when_a_document_or_a_tree_node_is_altered(app, client, session, world):
    screening = screen(client, world.screener_key, "杭州甲建设有限公司")
    other = screen(client, world.screener_key, "宁波乙贸易有限公司")
    anchor(app)
    tampered = dict(screening["document"], project_code="P-2")
    session.execute(sa.update(Screening).where(Screening.id == screening["id"]).values(document=tampered))
    session.commit()
    answer = verified(client, world.admin_key, screening["id"])
    assert answer["valid"] is False
    assert any("does not match the stored digest" in p for p in answer["problems"])
    assert any("differs from the document's digest" in p for p in answer["problems"])
    assert any("inclusion proof does not lead" in p for p in answer["problems"])

    # The other screening's proof runs through leaf 0: altering that node breaks it too.
    session.execute(sa.update(MerkleNode).where(MerkleNode.level == 0, MerkleNode.idx == 0).values(hash=b"\0" * 32))
    session.commit()
    answer = verified(client, world.admin_key, other["id"])
    assert answer["valid"] is False
    assert any("inclusion proof does not lead" in p for p in answer["problems"])


def test_anchors_are_listed_and_consistency_proofs_link_them(app, client, world):
    sizes = []
    for count in (1, 2, 3, 2):
        for i in range(count):
            screen(client, world.screener_key, f"杭州第{len(sizes)}批{i}号建设有限公司")
        anchor(app)
        sizes.append(sizes[-1] + count if sizes else count)
    assert sizes == [1, 3, 6, 8]
    listed = client.get("/api/v1/evidence/anchors?limit=3").json
    assert [a["tree_size"] for a in listed["items"]] == [1, 3, 6]
    assert listed["next_after"] == 6
    rest = client.get("/api/v1/evidence/anchors?after=6").json
    assert [a["tree_size"] for a in rest["items"]] == [8]
    assert rest["next_after"] is None
    roots = {a["tree_size"]: bytes.fromhex(a["root"]) for a in listed["items"] + rest["items"]}
    for m in sizes:
        for n in sizes:
            if m > n:
                continue
            r = client.get(f"/api/v1/evidence/consistency?from={m}&to={n}")
            assert r.status_code == 200, r.json
            proof = [bytes.fromhex(p) for p in r.json["proof"]]
            assert rfc9162_consistent(m, n, roots[m], roots[n], proof), (m, n)
            if m < n:
                assert not rfc9162_consistent(m, n, roots[n], roots[m], proof)


def test_consistency_is_refused_between_sizes_no_anchor_has(app, client, world):
    for name in ("杭州甲建设有限公司", "宁波乙贸易有限公司"):
        screen(client, world.screener_key, name)
    anchor(app)
    unanchored = client.get("/api/v1/evidence/consistency?from=1&to=2")
    assert unanchored.status_code == 422
    assert set(unanchored.json["errors"]) == {"from"}
    assert "没有树大小为 1 的锚点" in unanchored.json["errors"]["from"][0]
    r = client.get("/api/v1/evidence/consistency?from=3&to=2")
    assert r.status_code == 422
    assert "from" in json.dumps(r.json)
    assert client.get("/api/v1/evidence/consistency?from=0&to=2").status_code == 422
    assert client.get("/api/v1/evidence/consistency?to=2").status_code == 422


def test_anchoring_with_nothing_new_writes_nothing(app, client, world):
    assert "nothing to anchor" in anchor(app)
    screen(client, world.screener_key, "杭州甲建设有限公司")
    anchor(app)
    assert "nothing to anchor" in anchor(app)
    assert [a["tree_size"] for a in client.get("/api/v1/evidence/anchors").json["items"]] == [1]


def test_the_scheduled_step_anchors_and_a_failure_is_logged_not_raised(app, client, world, monkeypatch, caplog):
    from sync import cli as sync_cli

    screening = screen(client, world.screener_key, "杭州甲建设有限公司")
    sync_cli.anchor_job(app)
    assert verified(client, world.screener_key, screening["id"])["anchored"] is True

    def broken(**_: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(sync_cli, "anchor_backlog", broken)
    sync_cli.anchor_job(app)  # the pushes' schedules go on
    assert "anchoring failed" in caplog.text


def verify_audit(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["registry", "verify-audit"])
    return result.exit_code, result.output


def test_verify_audit_checks_the_whole_tree(app, client, world):
    for name in ("杭州甲建设有限公司", "宁波乙贸易有限公司", "温州丙电子科技有限公司"):
        screen(client, world.screener_key, name)
    anchor(app)
    code, output = verify_audit(app)
    assert code == 0, output
    assert "evidence tree intact: 3 leaves" in output
    assert "1 anchors signed" in output


def test_a_screening_re_anchored_under_a_rewritten_document_is_caught(app, client, session, world):
    """The operator clears a screening's leaf, rewrites document and digest, and lets the next
    anchor take it again: its own verification passes, but the tree check finds the orphan leaf."""
    from registry.ledger import row_hash

    first = screen(client, world.screener_key, "杭州甲建设有限公司")
    screen(client, world.screener_key, "宁波乙贸易有限公司")
    anchor(app)
    rewritten = dict(first["document"], project_code="P-2")
    session.execute(
        sa.update(Screening)
        .where(Screening.id == first["id"])
        .values(document=rewritten, digest=row_hash(rewritten), project_code="P-2", leaf_index=None)
    )
    session.commit()
    anchor(app)
    assert verified(client, world.admin_key, first["id"])["valid"] is True  # one proof cannot see it
    code, output = verify_audit(app)
    assert code == 1
    assert "leaf 0 belongs to no screening or report" in output


def test_leaves_beyond_the_anchored_screenings_are_caught(app, client, session, world):
    last = screen(client, world.screener_key, "杭州甲建设有限公司")
    screen(client, world.screener_key, "宁波乙贸易有限公司")
    anchor(app)
    session.execute(sa.delete(Screening).where(Screening.id > last["id"]))
    session.commit()
    code, output = verify_audit(app)
    assert code == 1
    assert "the tree holds 2 leaves but screenings and reports hold only the first 1" in output


def test_a_rewritten_node_or_anchor_is_caught(app, client, session, world):
    for name in ("杭州甲建设有限公司", "宁波乙贸易有限公司"):
        screen(client, world.screener_key, name)
    anchor(app)
    session.execute(sa.update(MerkleNode).where(MerkleNode.level == 1, MerkleNode.idx == 0).values(hash=b"\1" * 32))
    session.commit()
    code, output = verify_audit(app)
    assert code == 1
    assert "anchor 2: the stored nodes give another root than the signed one" in output


def test_an_anchor_event_does_not_make_the_index_forget_what_screenings_show(app, client, session, world, index):
    """Anchors enter the outbox every second: the index passes over them, so the dossiers it keeps
    fresh are not thrown away each time (only changes to listed entities do that)."""
    heard: list[set[int] | None] = []
    index.on_change(heard.append)
    screen(client, world.screener_key, "杭州甲建设有限公司")
    anchor(app)
    heard.clear()
    screen(client, world.screener_key, "宁波乙贸易有限公司")  # the index catches up over the anchor's event
    assert heard
    assert None not in heard
    assert all(not ids for ids in heard)


def test_the_script_runs_as_documented(app, client, world, tmp_path):
    import subprocess
    import sys

    screening = screen(client, world.screener_key, "杭州甲建设有限公司")
    anchor(app)
    (tmp_path / "document.json").write_bytes(document_bytes(client, world.screener_key, screening))
    answer = verified(client, world.screener_key, screening["id"])
    (tmp_path / "verify.json").write_text(json.dumps(answer), encoding="utf-8")
    key = public_key(client)
    run = [sys.executable, str(SCRIPT), str(tmp_path / "document.json"), str(tmp_path / "verify.json")]
    done = subprocess.run([*run, key], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"OK: {screening['digest']} is leaf 0")
    wrong = subprocess.run([*run, "00" * 32], capture_output=True, text=True, check=False, timeout=60)
    assert wrong.returncode != 0
    assert "InvalidSignature" in wrong.stderr


def test_an_idle_anchoring_step_writes_nothing(app, client, world):
    """It runs every second: with nothing to anchor it only reads (no lock, no fsync)."""
    from registry.database import db

    screen(client, world.screener_key, "杭州甲建设有限公司")
    anchor(app)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0].upper())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        assert "nothing to anchor" in anchor(app)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert statements
    assert set(statements) <= {"SELECT", "BEGIN"}, statements
