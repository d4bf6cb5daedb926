"""The reference receiver (参考接收端): a small stand-in for the credit platform's endpoint
(信用中国 / 全国信用信息共享平台) that takes the registry's signed push batches (docs/sync.md).

It does a receiver's duties by the protocol: it verifies the HMAC signature and the timestamp,
remembers each idempotency key with its answer and answers a repeated key again without applying
anything twice, and applies a batch (its `batches` row and all its `records`) in one SQLite
transaction. It keeps the audit chain heads the batches carry, and the evidence anchors: each
anchor's Ed25519 signature is checked on receipt, and two kept anchors can be checked against the
registry's RFC 9162 consistency proof (`/_anchors/consistency`, `check-consistency`). Integration tests run it as an HTTP server (`python -m tools.receiver`) and inject
faults through `/_control`; a person trying the product can watch batches arrive at `/`.

The package: `app` (the HTTP application), `batches` (reading a batch by the protocol), `store`
(the SQLite store), `anchors` (the evidence anchors and consistency checks), `faults` (what
`/_control` injects), `cli` (the command line), `consistency` (the `check-consistency` command).

The `records` table is deliberately not unique on (target, seq): a batch delivered twice under
two keys shows up as two rows, which is what the tests look for.
"""

from __future__ import annotations

from tools.receiver.anchors import CheckRefused, ReceivedAnchor
from tools.receiver.app import MAX_BODY_BYTES, ReceiverApp, create_receiver
from tools.receiver.batches import Answer, BadBatch, Batch, parse_batch
from tools.receiver.cli import main
from tools.receiver.consistency import check_main
from tools.receiver.faults import (
    ConnectionDropped,
    DropUnsupported,
    Faults,
    FaultSettings,
    InvalidSetting,
)
from tools.receiver.store import Store

__all__ = [
    "MAX_BODY_BYTES",
    "Answer",
    "BadBatch",
    "Batch",
    "CheckRefused",
    "ConnectionDropped",
    "DropUnsupported",
    "FaultSettings",
    "Faults",
    "InvalidSetting",
    "ReceiverApp",
    "ReceivedAnchor",
    "Store",
    "check_main",
    "create_receiver",
    "main",
    "parse_batch",
]
