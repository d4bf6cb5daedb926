"""The push protocol (推送协议): what the registry and a receiving platform agree on, in one place.

The push (`sync.push`) composes and signs batches with these; the stand-in receiver checks them
with the same definitions, so the two cannot drift apart. docs/sync.md describes the protocol.

- A batch is a JSON document with the fields BODY_FIELDS; a heartbeat (nothing to send) has
  HEARTBEAT_FIELDS. Records carry their outbox sequence under SEQ_KEYS[format].
- `Idempotency-Key`: `{target}:{first_seq}-{last_seq}`, with `~` and 12 hex digits of a digest of
  the sequences left out of the range, if any (`idempotency_key`); a heartbeat's is
  `{target}:head-{seq}` (`heartbeat_key`).
- `X-Registry-Timestamp`: whole seconds since 1970; `X-Registry-Signature`: `sha256=<hex>`, an
  HMAC-SHA256 with the target's shared secret over `timestamp + "." + body` (`signature`).
"""

from __future__ import annotations

import hashlib
import hmac
import re

IDEMPOTENCY_HEADER = "Idempotency-Key"
TIMESTAMP_HEADER = "X-Registry-Timestamp"
SIGNATURE_HEADER = "X-Registry-Signature"

# Where each format keeps a record's outbox sequence: `seq`, or its standard Chinese header
# (变更序号, the envelope in sync/national.py) in the format with Chinese keys.
SEQ_KEYS = {"json": "seq", "json-zh": "变更序号"}
FORMATS = tuple(SEQ_KEYS)
BODY_FIELDS = ("target", "first_seq", "last_seq", "format", "sent_at", "chain_head", "records")
HEARTBEAT_FIELDS = ("target", "format", "sent_at", "heartbeat", "chain_head")
KEY_PATTERN = re.compile(r"(?P<target>.+):(?P<first>\d+)-(?P<last>\d+)(?:~[0-9a-f]{12})?")
SIGNATURE_PATTERN = re.compile(r"sha256=(?P<hex>[0-9a-fA-F]{64})")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the target's secret over `timestamp + "." + body`."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signature_matches(secret: str, timestamp: str, body: bytes, given: str) -> bool:
    """Whether `given` (as sent: `sha256=<hex>`, any case) is the batch's signature."""
    signed = SIGNATURE_PATTERN.fullmatch(given)
    return signed is not None and hmac.compare_digest(
        f"sha256={signed['hex'].lower()}", signature(secret, timestamp, body)
    )


def idempotency_key(target: str, first: int, last: int, excluded: tuple[int, ...]) -> str:
    """`{target}:{first}-{last}`, with `~` and a digest of the left-out sequences if any."""
    key = f"{target}:{first}-{last}"
    if excluded:
        key += "~" + hashlib.sha256(",".join(map(str, excluded)).encode()).hexdigest()[:12]
    return key


def heartbeat_key(target: str, head_seq: int) -> str:
    """A heartbeat's key: the audit chain head it carries names it."""
    return f"{target}:head-{head_seq}"
