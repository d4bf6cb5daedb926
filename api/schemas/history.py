"""Audit rows as a record's history."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import ID_MAX, StrictSchema


class AuditEntryOut(ma.Schema):
    seq = fields.Integer(metadata={"description": "position in the hash-chained audit log"})
    at = fields.DateTime()
    actor_name = fields.String()
    actor_role = fields.String()
    actor_authority_id = fields.Integer(allow_none=True)
    actor_account_id = fields.Integer(
        allow_none=True, metadata={"description": "the person's account, when a person signed in with one acted"}
    )
    action = fields.String(metadata={"description": "create, update, correct, rename, remove, repair, revoke …"})
    reason = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    hash = fields.String()


class HistoryOut(ma.Schema):
    record_type = fields.String()
    record_id = fields.Integer()
    items = fields.List(fields.Nested(AuditEntryOut))


class HistoryArgs(StrictSchema):
    since_version = fields.Integer(
        validate=validate.Range(min=0, max=ID_MAX),
        metadata={
            "description": "only the changes that made the record newer than this version (after a 412: "
            "what someone else changed since the ETag you read)"
        },
    )
