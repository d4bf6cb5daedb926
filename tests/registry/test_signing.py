"""The evidence signing key: configured, or generated once into instance/ (mode 600) and kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask

from registry import instance_secret
from registry.evidence.signing import EvidenceSigner, new_private_key_hex, signature_valid, statement


def test_a_generated_key_is_written_once_owner_only_and_reused(tmp_path: Path) -> None:
    app = Flask("signing", instance_path=str(tmp_path / "instance"))
    first = instance_secret(app, "SIGNING_KEY", "signing_key", new_private_key_hex)
    again = instance_secret(app, "SIGNING_KEY", "signing_key", new_private_key_hex)
    assert first == again
    assert len(bytes.fromhex(first)) == 32
    path = tmp_path / "instance" / "signing_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        EvidenceSigner.from_hex(first).public_key_hex != EvidenceSigner.from_hex(new_private_key_hex()).public_key_hex
    )


def test_a_configured_key_wins_and_a_malformed_one_is_refused(tmp_path: Path) -> None:
    app = Flask("signing", instance_path=str(tmp_path / "instance"))
    app.config["SIGNING_KEY"] = "ab" * 32
    assert instance_secret(app, "SIGNING_KEY", "signing_key", new_private_key_hex) == "ab" * 32
    assert not (tmp_path / "instance" / "signing_key").exists()
    for bad in ("ab" * 31, "zz" * 32, "", "ab" * 33):
        with pytest.raises(ValueError, match="REGISTRY_SIGNING_KEY must be the 64 hex digits"):
            EvidenceSigner.from_hex(bad)


def test_what_is_signed_is_the_canonical_json_of_root_timestamp_and_size() -> None:
    signer = EvidenceSigner.from_hex("01" * 32)
    root = bytes(range(32))
    assert statement(5, root, "2026-12-04T10:00:00.000000+00:00") == (
        b'{"root":"' + root.hex().encode() + b'","timestamp":"2026-12-04T10:00:00.000000+00:00","tree_size":5}'
    )
    signature = signer.sign(5, root, "2026-12-04T10:00:00.000000+00:00")
    assert signature_valid(signer.public_key_hex, 5, root, "2026-12-04T10:00:00.000000+00:00", signature)
    assert not signature_valid(signer.public_key_hex, 6, root, "2026-12-04T10:00:00.000000+00:00", signature)
    assert not signature_valid(signer.public_key_hex, 5, root, "2026-12-04T10:00:00.000001+00:00", signature)
    assert not signature_valid("00" * 32, 5, root, "2026-12-04T10:00:00.000000+00:00", signature)
    assert not signature_valid(signer.public_key_hex, 5, root, "2026-12-04T10:00:00.000000+00:00", "nothex")
