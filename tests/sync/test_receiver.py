"""The reference receiver (参考接收端): signed batches applied once, refusals in the protocol's
shapes, faults injected on demand, and a real server that really drops connections."""

from __future__ import annotations

import json
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from sync.national import to_chinese
from sync.protocol import SEQ_KEYS, signature
from tools.receiver import DropUnsupported, create_receiver, main

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-receiver-secret-for-tests"
NOW = 1795435200.0  # 2026-11-23 12:00 UTC, the timestamp in docs/sync.md


def batch(first: int, last: int, seqs: list[int] | None = None, target: str = "t1", **extra: Any) -> dict[str, Any]:
    seqs = list(range(first, last + 1)) if seqs is None else seqs
    return {
        "target": target,
        "first_seq": first,
        "last_seq": last,
        "format": "json",
        "sent_at": "2026-11-23T12:00:00+00:00",
        "records": [{"seq": s, "record_type": "penalty", "operation": "create"} for s in seqs],
        **extra,
    }


def signed(
    document: Any, *, key: str | None = None, secret: str = SECRET, timestamp: float = NOW, body: bytes | None = None
) -> tuple[bytes, dict[str, str]]:
    """A body and the headers the push sends with it (docs/sync.md, "Request")."""
    body = json.dumps(document, ensure_ascii=False).encode() if body is None else body
    if key is None:
        key = f"{document['target']}:{document['first_seq']}-{document['last_seq']}"
    stamp = str(int(timestamp))
    return body, {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "X-Registry-Timestamp": stamp,
        "X-Registry-Signature": signature(secret, stamp, body),
    }


@pytest.fixture
def receiver(tmp_path: Path) -> Flask:
    return create_receiver(
        str(tmp_path / "receiver.db"), {"t1": SECRET, "t2": "another-secret"}, clock=lambda: NOW, control=True
    )


@pytest.fixture
def http(receiver: Flask) -> FlaskClient:
    return receiver.test_client()


def push(http: FlaskClient, document: Any, **options: Any) -> Any:
    body, headers = signed(document, **options)
    return http.post("/receive", data=body, headers=headers)


def stored(http: FlaskClient, target: str | None = "t1") -> list[tuple[int, str]]:
    answer = http.get("/_received", query_string={"target": target} if target else {})
    assert answer.status_code == 200
    return [(item["seq"], item["batch_key"]) for item in answer.get_json()]


def control(http: FlaskClient, **settings: Any) -> dict[str, Any]:
    answer = http.post("/_control", json=settings)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return dict(answer.get_json())


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    # Computed independently: printf '1795435200.{"target":"t1"}' | openssl dgst -sha256 -hmac a-secret
    assert signature("a-secret", "1795435200", b'{"target":"t1"}') == (
        "sha256=10da425d133548858c2bb01f129954b1379f7ecac3b9d7b2ee63bcba65de4dce"
    )


def test_a_good_batch_is_stored_in_order_with_its_key(http: FlaskClient) -> None:
    answer = push(http, batch(1, 4, [1, 3, 4]))
    assert (answer.status_code, answer.get_json()) == (200, {"accepted": 3, "idempotency_key": "t1:1-4"})
    assert stored(http) == [(1, "t1:1-4"), (3, "t1:1-4"), (4, "t1:1-4")]
    items = http.get("/_received", query_string={"target": "t1"}).get_json()
    assert items[1]["record"] == {"seq": 3, "record_type": "penalty", "operation": "create"}
    assert items[0]["received_at"] == "2026-11-23T12:00:00.000+00:00"


def test_an_empty_batch_is_acknowledged_so_the_cursor_can_move(http: FlaskClient) -> None:
    answer = push(http, batch(5, 9, []))
    assert (answer.status_code, answer.get_json()) == (200, {"accepted": 0, "idempotency_key": "t1:5-9"})
    assert stored(http) == []


def test_records_in_chinese_keys_carry_their_sequence_as_变更序号(http: FlaskClient) -> None:
    document = {
        **batch(1, 3, []),
        "format": "json-zh",
        "records": [{"变更序号": 1, "记录类型": "penalty"}, {"变更序号": 3, "记录类型": "list_entry"}],
    }
    assert push(http, document).get_json() == {"accepted": 2, "idempotency_key": "t1:1-3"}
    assert stored(http) == [(1, "t1:1-3"), (3, "t1:1-3")]
    wrong = push(http, {**batch(4, 4), "format": "json-zh"})  # English `seq` in a json-zh batch
    assert (wrong.status_code, wrong.get_json()["field"]) == (400, "records[0].变更序号")


def test_the_chinese_sequence_key_is_the_national_formats() -> None:
    rendered = {"seq": 7, "record_type": "penalty", "operation": "create"}
    assert to_chinese("penalties", rendered)[SEQ_KEYS["json-zh"]] == 7


def test_a_repeated_key_gets_the_same_answer_and_nothing_twice(http: FlaskClient) -> None:
    first = push(http, batch(1, 2))
    # A resend is signed afresh (a new timestamp) and may be rendered again: only the key counts.
    again = push(http, batch(1, 2, sent_at="2026-11-23T12:01:00+00:00"), timestamp=NOW + 60)
    assert again.status_code == first.status_code == 200
    assert again.get_json() == {**first.get_json(), "duplicate": True}
    assert stored(http) == [(1, "t1:1-2"), (2, "t1:1-2")]


def test_a_key_is_not_reused_for_another_range(http: FlaskClient) -> None:
    push(http, batch(1, 2))
    with_other_range = push(http, batch(1, 3), key="t1:1-2")
    # The key must name the batch's own range, so a stored answer always belongs to its batch.
    assert with_other_range.status_code == 400
    assert with_other_range.get_json()["field"] == "Idempotency-Key"
    assert stored(http) == [(1, "t1:1-2"), (2, "t1:1-2")]


def test_records_left_out_under_a_new_key_are_a_new_batch(http: FlaskClient) -> None:
    # After a dead letter the range is resent under `~digest`: a different batch to the receiver.
    push(http, batch(1, 3, [1]))
    answer = push(http, batch(1, 3, [1, 3]), key="t1:1-3~0123456789ab")
    assert answer.status_code == 200
    assert stored(http) == [(1, "t1:1-3"), (1, "t1:1-3~0123456789ab"), (3, "t1:1-3~0123456789ab")]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong secret", "does not match"),
        ("body changed after signing", "does not match"),
        ("no signature", "X-Registry-Signature"),
        ("not sha256=hex", "X-Registry-Signature"),
        ("no timestamp", "X-Registry-Timestamp"),
        ("timestamp not seconds", "X-Registry-Timestamp"),
        ("another target's secret", "does not match"),
    ],
)
def test_a_request_not_signed_by_the_target_is_401(http: FlaskClient, case: str, expected: str) -> None:
    body, headers = signed(batch(1, 2), secret="not-the-secret" if case == "wrong secret" else SECRET)
    if case == "body changed after signing":
        body = body.replace(b'"first_seq": 1', b'"first_seq": 2')
    elif case == "no signature":
        del headers["X-Registry-Signature"]
    elif case == "not sha256=hex":
        headers["X-Registry-Signature"] = headers["X-Registry-Signature"].removeprefix("sha256=")
    elif case == "no timestamp":
        del headers["X-Registry-Timestamp"]
    elif case == "timestamp not seconds":
        headers["X-Registry-Timestamp"] = "2026-11-23T08:00:00Z"
    elif case == "another target's secret":
        body, headers = signed(batch(1, 2), secret="another-secret")
    answer = http.post("/receive", data=body, headers=headers)
    assert answer.status_code == 401
    assert expected in answer.get_json()["error"]
    assert stored(http) == []


@pytest.mark.parametrize(("offset", "status"), [(-301, 401), (301, 401), (-300, 200), (299, 200)])
def test_a_timestamp_more_than_300_s_off_the_clock_is_401(http: FlaskClient, offset: int, status: int) -> None:
    answer = push(http, batch(1, 1), timestamp=NOW + offset)
    assert answer.status_code == status
    if status == 401:
        assert "X-Registry-Timestamp" in answer.get_json()["error"]
        assert stored(http) == []


def test_the_allowed_skew_is_configurable(tmp_path: Path) -> None:
    strict = create_receiver(str(tmp_path / "r.db"), {"t1": SECRET}, max_skew_seconds=5, clock=lambda: NOW)
    assert push(strict.test_client(), batch(1, 1), timestamp=NOW - 6).status_code == 401
    assert push(strict.test_client(), batch(1, 1), timestamp=NOW - 5).status_code == 200


def test_an_unknown_target_is_404_naming_it(http: FlaskClient) -> None:
    answer = push(http, batch(1, 2, target="nobody"), secret="whatever")
    assert answer.status_code == 404
    assert "'nobody'" in answer.get_json()["error"]
    assert stored(http, None) == []


def _malformed(document: dict[str, Any], change: str) -> Any:
    if change == "records not a list":
        document["records"] = {"seq": 1}
    elif change == "record not an object":
        document["records"] = [1]
    elif change == "record without seq":
        del document["records"][0]["seq"]
    elif change == "seq a string":
        document["records"][0]["seq"] = "1"
    elif change == "seq outside the range":
        document["records"][1]["seq"] = 9
    elif change == "seqs not increasing":
        document["records"][1]["seq"] = 1
    elif change == "first_seq a string":
        document["first_seq"] = "1"
    elif change == "first_seq true":
        document["first_seq"] = True
    elif change == "last before first":
        document["last_seq"] = 0
    elif change == "unknown format":
        document["format"] = "xml"
    elif change == "sent_at a number":
        document["sent_at"] = 1
    elif change == "unknown field":
        document["extra"] = 1
    elif change == "no target":
        del document["target"]
    return document


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("records not a list", "records"),
        ("record not an object", "records[0]"),
        ("record without seq", "records[0].seq"),
        ("seq a string", "records[0].seq"),
        ("seq outside the range", "records[1].seq"),
        ("seqs not increasing", "records[1].seq"),
        ("first_seq a string", "first_seq"),
        ("first_seq true", "first_seq"),
        ("last before first", "last_seq"),
        ("unknown format", "format"),
        ("sent_at a number", "sent_at"),
        ("unknown field", "extra"),
        ("no target", "target"),
    ],
)
def test_a_malformed_batch_is_400_naming_the_field(http: FlaskClient, change: str, field: str) -> None:
    document = _malformed(batch(1, 2), change)
    answer = push(http, document, key="t1:1-2")
    assert answer.status_code == 400
    found = answer.get_json()
    assert found["field"] == field
    assert found["error"].startswith(f"{field}: ")
    assert "rejected" not in found  # that shape names records the platform refused
    assert stored(http) == []


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        (b"{not json", {}, "body"),
        (b"\xff\xfe", {}, "body"),
        (b"[1, 2]", {}, "body"),
        (None, {"Idempotency-Key": ""}, "Idempotency-Key"),
        (None, {"Idempotency-Key": "t1:1-3"}, "Idempotency-Key"),
        (None, {"Idempotency-Key": "t2:1-2"}, "Idempotency-Key"),
        (None, {"Idempotency-Key": "t1:1-2~xyz"}, "Idempotency-Key"),
    ],
)
def test_a_malformed_request_is_400_naming_the_part(
    http: FlaskClient,
    body: bytes | None,
    headers: dict[str, str],
    field: str,
) -> None:
    raw, signed_headers = signed(batch(1, 2), body=body)
    answer = http.post("/receive", data=raw, headers={**signed_headers, **headers})
    assert answer.status_code == 400
    assert answer.get_json()["field"] == field
    assert stored(http) == []


def test_the_body_target_must_match_the_url_target(http: FlaskClient) -> None:
    body, headers = signed(batch(1, 2))
    assert http.post("/receive/t1", data=body, headers=headers).status_code == 200
    body, headers = signed(batch(3, 4))
    answer = http.post("/receive/t2", data=body, headers=headers)
    assert (answer.status_code, answer.get_json()["field"]) == (400, "target")
    assert stored(http) == [(1, "t1:1-2"), (2, "t1:1-2")]


def test_rejected_records_are_named_in_a_422_and_nothing_is_applied(http: FlaskClient) -> None:
    control(http, reject_seqs=[3, 5, 99])
    answer = push(http, batch(1, 6))
    assert answer.status_code == 422
    assert [(item["seq"], bool(item["reason"])) for item in answer.get_json()["rejected"]] == [(3, True), (5, True)]
    assert set(answer.get_json()) == {"rejected"}
    assert push(http, batch(7, 8)).status_code == 200  # a batch without them goes through
    assert stored(http) == [(7, "t1:7-8"), (8, "t1:7-8")]
    # A refusal is not remembered under the key: once the platform relents, the resend applies.
    control(http, reject_seqs=[])
    assert push(http, batch(1, 6)).get_json() == {"accepted": 6, "idempotency_key": "t1:1-6"}


def test_a_duplicate_is_answered_from_memory_even_if_its_records_are_now_rejected(http: FlaskClient) -> None:
    push(http, batch(1, 2))
    control(http, reject_seqs=[2])
    answer = push(http, batch(1, 2))
    assert (answer.status_code, answer.get_json()["duplicate"]) == (200, True)


def test_a_batch_is_applied_all_or_nothing(http: FlaskClient, tmp_path: Path) -> None:
    # The database fails on the batch's second record, after its first record and its row went in.
    with closing(sqlite3.connect(tmp_path / "receiver.db")) as conn:
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON records WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        push(http, batch(1, 2))
    assert stored(http) == []
    with closing(sqlite3.connect(tmp_path / "receiver.db")) as conn:
        assert conn.execute("SELECT count(*) FROM batches").fetchone() == (0,)
        conn.execute("DROP TRIGGER full")
    # Nothing was remembered under the key either: the resend is applied.
    assert push(http, batch(1, 2)).get_json() == {"accepted": 2, "idempotency_key": "t1:1-2"}
    assert stored(http) == [(1, "t1:1-2"), (2, "t1:1-2")]


def _outcomes(http: FlaskClient, count: int) -> list[int]:
    return [push(http, batch(n, n), timestamp=NOW).status_code for n in range(1, count + 1)]


def test_fail_rate_with_a_seed_repeats_and_applies_nothing_it_fails(http: FlaskClient, tmp_path: Path) -> None:
    control(http, seed=7, fail_rate=0.5, fail_status=502)
    first = _outcomes(http, 24)
    assert set(first) == {200, 502}
    assert [seq for seq, _ in stored(http)] == [
        n for n, status in zip(range(1, 25), first, strict=True) if status == 200
    ]
    # Same seed, fresh database: the same requests meet the same fates.
    other = create_receiver(str(tmp_path / "other.db"), {"t1": SECRET}, clock=lambda: NOW, control=True).test_client()
    control(other, seed=7, fail_rate=0.5, fail_status=502)
    assert _outcomes(other, 24) == first
    # Naming the seed again restarts the draws; batches already applied now answer as duplicates.
    control(http, seed=7)
    assert _outcomes(http, 24) == first
    control(http, seed=8)
    assert _outcomes(http, 24) != first


def test_the_draws_do_not_depend_on_which_rates_are_set(http: FlaskClient) -> None:
    control(http, seed=3, fail_rate=0.5)
    alone = _outcomes(http, 16)
    # Adding a rate (too small to fire here) must not shift fail_rate's draws.
    control(http, seed=3, fail_rate=0.5, drop_rate=1e-9, drop_after_apply_rate=1e-9)
    assert _outcomes(http, 16) == alone


def test_down_answers_503_to_everything_but_control(http: FlaskClient) -> None:
    push(http, batch(1, 1))
    control(http, down=True)
    for answer in (push(http, batch(2, 2)), http.get("/_received"), http.get("/")):
        assert answer.status_code == 503
        assert "down" in answer.get_json()["error"]
    assert control(http, down=False)["down"] is False
    assert stored(http) == [(1, "t1:1-1")]


def test_control_settings_are_checked_and_reset(http: FlaskClient) -> None:
    settings = control(http, fail_rate=1, reject_seqs=[4, 2, 4], delay_seconds=0.5, seed=1)
    assert (settings["fail_rate"], settings["reject_seqs"], settings["delay_seconds"]) == (1.0, [2, 4], 0.5)
    for bad, field in [
        ({"fail_rate": 1.5}, "fail_rate"),
        ({"drop_rate": "0.1"}, "drop_rate"),
        ({"fail_status": 200}, "fail_status"),
        ({"reject_seqs": [1, "2"]}, "reject_seqs"),
        ({"down": 1}, "down"),
        ({"delay_seconds": -1}, "delay_seconds"),
        ({"seed": 1.5}, "seed"),
        ({"explode": True}, "explode"),
    ]:
        answer = http.post("/_control", json={"fail_rate": 0, **bad})
        assert (answer.status_code, answer.get_json()["field"]) == (400, field)
    assert http.post("/_control", data="[]", content_type="application/json").status_code == 400
    assert http.get("/_control").get_json()["fail_rate"] == 1.0  # a refused change changes nothing
    assert control(http, reset=True) == {
        "fail_rate": 0.0,
        "fail_status": 503,
        "delay_seconds": 0.0,
        "drop_rate": 0.0,
        "drop_after_apply_rate": 0.0,
        "reject_seqs": [],
        "down": False,
        "seed": None,
    }


def test_control_is_off_unless_asked_for(tmp_path: Path) -> None:
    plain = create_receiver(str(tmp_path / "r.db"), {"t1": SECRET}, clock=lambda: NOW).test_client()
    assert plain.get("/_control").status_code == 404
    assert plain.post("/_control", json={"down": True}).status_code == 404
    assert push(plain, batch(1, 1)).status_code == 200


@pytest.mark.parametrize("setting", ["drop_rate", "drop_after_apply_rate"])
def test_a_drop_without_a_client_socket_is_a_clear_error_before_applying(http: FlaskClient, setting: str) -> None:
    control(http, **{setting: 1})
    with pytest.raises(DropUnsupported, match="werkzeug.socket or gunicorn.socket"):
        push(http, batch(1, 1))
    control(http, **{setting: 0})
    assert stored(http) == []


def test_the_page_lists_targets_counts_and_escaped_records(http: FlaskClient) -> None:
    document = batch(1, 2)
    document["records"][1]["name"] = "<script>alert(1)</script>杭州建设"
    push(http, document)
    page = http.get("/")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "<td>t1</td><td>1</td><td>2</td>" in text
    assert "<td>t2</td><td>0</td><td>0</td>" in text  # configured, nothing received yet
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;杭州建设" in text


def test_received_without_a_target_lists_all_in_arrival_order(http: FlaskClient) -> None:
    push(http, batch(1, 1))
    push(http, batch(1, 1, target="t2"), secret="another-secret")
    push(http, batch(2, 2))
    assert [(item["target"], item["seq"]) for item in http.get("/_received").get_json()] == [
        ("t1", 1),
        ("t2", 1),
        ("t1", 2),
    ]
    assert stored(http, "t2") == [(1, "t2:1-1")]


# The real server, as the integration tests and a person trying the product run it.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    stderr: Path

    def control(self, **settings: Any) -> None:
        assert httpx.post(f"{self.url}/_control", json=settings, timeout=5).status_code == 200

    def push(self, document: dict[str, Any], timeout: float = 5) -> httpx.Response:
        body, headers = signed(document, timestamp=time.time())
        return httpx.post(f"{self.url}/receive", content=body, headers=headers, timeout=timeout)

    def stored(self) -> list[tuple[int, str]]:
        answer = httpx.get(f"{self.url}/_received", params={"target": "t1"}, timeout=5)
        return [(item["seq"], item["batch_key"]) for item in answer.json()]


@contextmanager
def serve(tmp_path: Path) -> Iterator[Server]:
    stderr = tmp_path / "receiver.log"
    port = _free_port()
    with stderr.open("w") as log:
        # The test starts its own interpreter on the module under test: no untrusted input.
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "tools.receiver",
                "--port",
                str(port),
                "--db",
                str(tmp_path / "r.db"),
                "--secret",
                f"t1={SECRET}",
                "--control",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 10)
        line = process.stdout.readline() if ready else ""
        assert line == f"listening on http://127.0.0.1:{port}\n", f"{line!r}; {stderr.read_text()}"
        yield Server(process, f"http://127.0.0.1:{port}", stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def test_the_server_really_drops_connections_and_applies_a_lost_answer_once(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        assert server.push(batch(1, 2)).json() == {"accepted": 2, "idempotency_key": "t1:1-2"}

        server.control(drop_rate=1)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            server.push(batch(3, 4))
        server.control(drop_rate=0)
        assert server.stored() == [(1, "t1:1-2"), (2, "t1:1-2")]  # dropped before applying

        server.control(drop_after_apply_rate=1)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            server.push(batch(3, 4))
        assert server.stored()[2:] == [(3, "t1:3-4"), (4, "t1:3-4")]  # applied, answer lost
        # The client resends under the same key: the stored answer comes back, nothing is applied
        # again (and only a newly applied batch loses its answer, so the resend gets through).
        resent = server.push(batch(3, 4))
        assert (resent.status_code, resent.json()) == (
            200,
            {"accepted": 2, "idempotency_key": "t1:3-4", "duplicate": True},
        )
        assert server.stored() == [(1, "t1:1-2"), (2, "t1:1-2"), (3, "t1:3-4"), (4, "t1:3-4")]

        server.control(drop_after_apply_rate=0, delay_seconds=0.6)
        with pytest.raises(httpx.ReadTimeout):
            server.push(batch(5, 5), timeout=0.2)
        server.control(delay_seconds=0)
        deadline = time.monotonic() + 5
        while len(server.stored()) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.stored()[4:] == [(5, "t1:5-5")]  # a slow endpoint still applies what timed out

        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0
    log = server.stderr.read_text()
    assert "Traceback" not in log, log
    assert "Error on request" not in log, log
    assert log.count("dropping the connection") == 2
    assert log.rstrip().endswith("stopped")


def test_the_server_stops_on_sigint(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--db", "r.db"], "--secret TARGET=SECRET"),
        (["--db", "r.db", "--secret", "t1"], "TARGET=VALUE"),
        (["--db", "r.db", "--secret", "t1=a", "--secret", "t1=b"], "twice"),
        (["--db", "r.db", "--secret-env", "t1=REGISTRY_TEST_NO_SUCH_VARIABLE"], "is not set"),
        (["--secret", "t1=a"], "--db"),
        (["--db", "r.db", "--secret", "t1=a", "--port", "70000"], "--port"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_message(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REGISTRY_TEST_NO_SUCH_VARIABLE", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code != 0
    assert message in capsys.readouterr().err


def test_a_database_that_cannot_be_opened_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "missing" / "r.db"), "--secret", "t1=a", "--port", "0"]) == 1
    assert "cannot start the receiver" in capsys.readouterr().err
