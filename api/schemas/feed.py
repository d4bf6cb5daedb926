"""The pull feed's schemas: the cursor asked for, and one page of outbox events."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import StrictSchema, sequence_number
from sync.feed import DEFAULT_LIMIT, MAX_LIMIT


class FeedArgs(StrictSchema):
    after = sequence_number(
        load_default=0,
        metadata={
            "description": "the sequence number after which to read: 0 for the start, then the last page's next_after"
        },
    )
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))


class DataSourceOut(ma.Schema):
    name = fields.String(allow_none=True, metadata={"description": "数据来源单位"})
    uscc = fields.String(allow_none=True, metadata={"description": "数据来源单位统一社会信用代码"})


class FeedEventOut(ma.Schema):
    seq = fields.Integer(metadata={"description": "outbox sequence number: gap-free, in commit order"})
    occurred_at = fields.DateTime()
    record_type = fields.String(
        metadata={"description": "entity | list_entry | penalty | evidence_anchor | authority | repair_application"}
    )
    record_id = fields.Integer()
    record_version = fields.Integer()
    operation = fields.String(metadata={"description": "create, correct, remove, repair, revoke, recompute …"})
    authority_id = fields.Integer(allow_none=True)
    data_source = fields.Nested(DataSourceOut)
    record = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the record after the change in the national format (English keys, docs/sync-format.md), "
            "as the push sends it; only the envelope when withheld; null for an internal event"
        },
    )
    withheld = fields.Boolean(
        metadata={
            "description": "true: the record is not public (保密审查) and this registry does not send such records"
        }
    )
    internal = fields.Boolean(
        metadata={
            "description": "true: not a platform record (an entity's creation or update, an authority …); "
            "listed so that sequence numbers have no gaps"
        }
    )


class ChainHeadOut(ma.Schema):
    seq = fields.Integer(metadata={"description": "the audit chain's newest row"})
    hash = fields.String(metadata={"description": "that row's SHA-256 hash (hex)"})
    at = fields.DateTime(allow_none=True)


class FeedPageOut(ma.Schema):
    chain_head = fields.Nested(
        ChainHeadOut,
        metadata={
            "description": "全程留痕: the audit chain's head when this page was read. Keep every head you are given "
            "(seq, hash): `flask registry verify-audit --against FILE` checks the registry's chain "
            "against them, so a truncated or rewritten chain shows"
        },
    )
    events = fields.List(fields.Nested(FeedEventOut))
    after = fields.Integer()
    next_after = fields.Integer(metadata={"description": "ask for after=this next"})
    head = fields.Integer(metadata={"description": "the newest sequence number when this page was read"})
    has_more = fields.Boolean()
