"""A push batch as the receiver reads it: the body's fields and heartbeat, checked against the protocol
(`sync.protocol`), with the reason for a refusal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flask import Response

from sync.protocol import (
    BODY_FIELDS,
    FORMATS,
    HEARTBEAT_FIELDS,
    SEQ_KEYS,
    heartbeat_key,
)
from tools.receiver.faults import is_int


@dataclass(frozen=True)
class Batch:
    target: str
    first_seq: int
    last_seq: int
    records: list[dict[str, Any]]
    seqs: list[int]  # each record's sequence, whichever key its format keeps it under
    chain_head: tuple[int, str] | None = None  # the registry's audit chain head (seq, hash), kept
    format: str = "json"  # the records' keys: English names (json) or Chinese headers (json-zh)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    applied: bool = False  # true only for the request that stored the batch


class BadBatch(ValueError):
    """A malformed request: answered 400 with the field's name (never in the `rejected` shape,
    which names records the platform refused)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def parse_batch(document: object, path_target: str | None = None) -> Batch:
    """Check a batch body's fields (docs/sync.md, "Request"); raises BadBatch naming the field."""
    if not isinstance(document, dict):
        raise BadBatch("body", "must be a JSON object")
    unknown = sorted(set(document) - set(BODY_FIELDS))
    if unknown:
        raise BadBatch(unknown[0], "is not a field of a batch; known: " + ", ".join(BODY_FIELDS))
    target = document.get("target")
    if not isinstance(target, str) or not target:
        raise BadBatch("target", "must be the target's name")
    if path_target is not None and path_target != target:
        raise BadBatch("target", f"is {target!r} but the URL names {path_target!r}")
    first, last = document.get("first_seq"), document.get("last_seq")
    if not is_int(first) or first < 1:
        raise BadBatch("first_seq", "must be a sequence number (an integer from 1)")
    if not is_int(last) or last < first:
        raise BadBatch("last_seq", "must be an integer no less than first_seq")
    format_ = document.get("format")
    if format_ not in SEQ_KEYS:
        raise BadBatch("format", "must be one of " + ", ".join(FORMATS))
    seq_key = SEQ_KEYS[format_]
    if "sent_at" in document and not isinstance(document["sent_at"], str):
        raise BadBatch("sent_at", "must be a date-time string")
    records = document.get("records")
    if not isinstance(records, list):
        raise BadBatch("records", "must be a list (empty when the range holds no platform record)")
    previous, seqs = first - 1, []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise BadBatch(f"records[{index}]", "must be a JSON object")
        seq, field = record.get(seq_key), f"records[{index}].{seq_key}"
        if not is_int(seq):
            raise BadBatch(field, "must be the record's sequence number")
        if not first <= seq <= last:
            raise BadBatch(field, f"{seq} is outside {first}-{last}")
        if seq <= previous:
            raise BadBatch(field, f"{seq} does not follow {previous}: not increasing")
        seqs.append(seq)
        previous = seq
    head = document.get("chain_head")
    if head is not None and not (
        isinstance(head, dict)
        and is_int(head.get("seq"))
        and head["seq"] >= 0
        and isinstance(head.get("hash"), str)
        and re.fullmatch(r"[0-9a-f]{64}", head["hash"])
    ):
        raise BadBatch("chain_head", "must be {seq, hash}: the audit chain's newest row and its SHA-256 hash")
    return Batch(target, first, last, records, seqs, (head["seq"], head["hash"]) if head else None, format_)


def check_heartbeat(document: dict[str, Any], key: str, path_target: str | None) -> Response | tuple[str, Batch]:
    """A heartbeat: the registry's audit chain head alone, sent while there is nothing to push; its
    key is `{target}:head-{seq}`. It is kept like a batch's head and applies no record."""
    unknown = sorted(set(document) - set(HEARTBEAT_FIELDS))
    if unknown:
        return error_answer(400, f"{unknown[0]}: is not a field of a heartbeat", unknown[0])
    target = str(document["target"])
    if path_target is not None and path_target != target:
        return error_answer(400, f"target: is {target!r} but the URL names {path_target!r}", "target")
    head = document.get("chain_head")
    if not (
        isinstance(head, dict)
        and is_int(head.get("seq"))
        and head["seq"] >= 0
        and isinstance(head.get("hash"), str)
        and re.fullmatch(r"[0-9a-f]{64}", head["hash"])
    ):
        return error_answer(400, "chain_head: must be {seq, hash}", "chain_head")
    if key != heartbeat_key(target, head["seq"]):
        return error_answer(400, f"Idempotency-Key: {key!r} is not {target}:head-{head['seq']}", "Idempotency-Key")
    return key, Batch(target, 0, 0, [], [], (head["seq"], head["hash"]))


def json_answer(status: int, body: object) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def error_answer(status: int, message: str, field: str | None = None) -> Response:
    return json_answer(status, {"error": message} if field is None else {"error": message, "field": field})
