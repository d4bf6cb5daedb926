"""The registry's evidence signing key (存证签名密钥): Ed25519, signing each anchor of the evidence tree.

Anyone holding the public key (`GET /api/v1/evidence/key`) can check an anchor without trusting the
registry's database: the operator who could rewrite screenings cannot forge a signature over a
different root. The private key is given by configuration (REGISTRY_SIGNING_KEY: the 64 hex digits
of the 32-byte Ed25519 private key) or generated once into ``instance/signing_key`` (mode 600), as
the data key is; losing it loses nothing stored, but later anchors are signed by a new key, which
the published key then names.

What is signed is the canonical JSON (sorted keys, no spaces, UTF-8) of
``{"root": <hex>, "timestamp": <ISO 8601>, "tree_size": <n>}``: `statement` builds exactly those bytes,
and a verifier rebuilds them from the anchor it was given.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from registry.ledger import canonical_json

ALGORITHM = "Ed25519"


def new_private_key_hex() -> str:
    """A fresh private key as the 64 hex digits the setting and the key file hold."""
    return secrets.token_bytes(32).hex()


def anchor_time(at: dt.datetime) -> str:
    """An anchor's timestamp as signed: UTC, ISO 8601, whole microseconds, with its offset."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def statement(tree_size: int, root: bytes, timestamp: str) -> bytes:
    """The bytes an anchor's signature covers."""
    return canonical_json({"root": root.hex(), "timestamp": timestamp, "tree_size": tree_size})


@dataclass(frozen=True)
class EvidenceSigner:
    """The private key that signs anchors, and its public half."""

    private_key: Ed25519PrivateKey

    @classmethod
    def from_hex(cls, text: str, *, source: str = "REGISTRY_SIGNING_KEY") -> EvidenceSigner:
        """Read the 64 hex digits of a private key; anything else is refused with where it came from."""
        cleaned = text.strip()
        try:
            raw = bytes.fromhex(cleaned)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise ValueError(f"{source} must be the 64 hex digits of an Ed25519 private key")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_hex(self) -> str:
        """The 32 raw bytes of the public key, in hex (what the key endpoint publishes)."""
        return self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def sign(self, tree_size: int, root: bytes, timestamp: str) -> str:
        """The anchor's signature, in hex."""
        return self.private_key.sign(statement(tree_size, root, timestamp)).hex()

    def sign_bytes(self, data: bytes) -> str:
        """A signature over other evidence the registry issues (a credit report's canonical JSON), in hex."""
        return self.private_key.sign(data).hex()


def signature_valid(public_key_hex: str, tree_size: int, root: bytes, timestamp: str, signature_hex: str) -> bool:
    """Whether `signature_hex` is the key's signature over the anchor (what an outside verifier does)."""
    return bytes_signature_valid(public_key_hex, statement(tree_size, root, timestamp), signature_hex)


def bytes_signature_valid(public_key_hex: str, data: bytes, signature_hex: str) -> bool:
    """Whether `signature_hex` is the key's Ed25519 signature over `data`."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), data)
    except (InvalidSignature, ValueError):
        return False
    return True
