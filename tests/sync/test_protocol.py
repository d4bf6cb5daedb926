"""The push protocol's one definition (sync.protocol): the push signs and keys with it, and the
stand-in receiver checks with it, so a change to either side changes both."""

from __future__ import annotations

import pytest

from sync import push_http as push
from sync.protocol import heartbeat_key, idempotency_key, signature, signature_matches
from tools.receiver import app as receiver


def test_the_push_and_the_receiver_use_the_same_definitions():
    assert push.signature is signature
    assert receiver.signature_matches is signature_matches
    assert not hasattr(receiver, "signature")  # no second copy in the stand-in


@pytest.mark.parametrize(
    ("given", "ok"),
    [
        (signature("s3cret", "1795435200", b"{}"), True),
        (signature("s3cret", "1795435200", b"{}").upper().replace("SHA256=", "sha256="), True),  # hex in any case
        (signature("other", "1795435200", b"{}"), False),
        (signature("s3cret", "1795435201", b"{}"), False),
        ("sha256=" + "0" * 63, False),
        ("", False),
    ],
)
def test_a_signature_is_checked_over_the_timestamp_and_the_body(given, ok):
    assert signature_matches("s3cret", "1795435200", b"{}", given) is ok


def test_keys_name_the_range_the_left_out_sequences_and_the_head():
    assert idempotency_key("t1", 1, 4, ()) == "t1:1-4"
    assert idempotency_key("t1", 1, 4, (2,)).startswith("t1:1-4~")
    assert idempotency_key("t1", 1, 4, (2,)) != idempotency_key("t1", 1, 4, (3,))
    assert heartbeat_key("t1", 42) == "t1:head-42"
