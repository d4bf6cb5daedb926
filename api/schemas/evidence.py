"""Evidence tree (存证默克尔树) schemas: the signing key, anchors, proofs."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import StrictSchema

# Tree sizes are leaf counts: far below 2^63 for any registry, and they are database keys.
TREE_SIZE = validate.Range(min=1, max=2**62)


class KeyOut(ma.Schema):
    algorithm = fields.String(metadata={"description": "always Ed25519"})
    public_key = fields.String(metadata={"description": "hex of the 32 raw bytes of the Ed25519 public key"})


class AnchorOut(ma.Schema):
    """One signed tree head: the signature covers the canonical JSON of {root, timestamp, tree_size}."""

    tree_size = fields.Integer()
    root = fields.String(metadata={"description": "the RFC 9162 root hash of the first tree_size leaves, hex"})
    timestamp = fields.String(metadata={"description": "ISO 8601, UTC, exactly as signed"})
    signature = fields.String(metadata={"description": "Ed25519 signature, hex"})
    algorithm = fields.String()
    public_key = fields.String(metadata={"description": "the key that signed it, hex"})
    audit_seq = fields.Integer(metadata={"description": "the audit-chain row that records the anchor"})


class InclusionOut(ma.Schema):
    """A document's place in the evidence tree (a screening's or a credit report's verification):
    read from the object's `anchored` and `inclusion` (registry.evidence.proofs.Inclusion)."""

    anchored = fields.Boolean(metadata={"description": "a signed anchor of the evidence tree covers the document"})
    leaf_index = fields.Integer(attribute="inclusion.leaf_index", allow_none=True)
    inclusion_proof = fields.List(
        fields.String(),
        attribute="inclusion.inclusion_proof",
        metadata={"description": "RFC 9162 §2.1.3 audit path from the leaf to the anchor's root, hex hashes"},
    )
    anchor = fields.Nested(AnchorOut, attribute="inclusion.anchor", allow_none=True)
    expected_by = fields.DateTime(
        attribute="inclusion.expected_by",
        allow_none=True,
        metadata={"description": "not anchored yet: when the next anchoring step is due"},
    )


class AnchorArgs(StrictSchema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**62),
        metadata={"description": "list anchors of a larger tree size than this (a cursor)"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class AnchorList(ma.Schema):
    items = fields.List(fields.Nested(AnchorOut))
    next_after = fields.Integer(
        allow_none=True, metadata={"description": "pass as `after` for the next page; null on the last"}
    )


class ConsistencyArgs(StrictSchema):
    from_ = fields.Integer(
        required=True, data_key="from", validate=TREE_SIZE, metadata={"description": "an anchored tree size"}
    )
    to = fields.Integer(
        required=True, validate=TREE_SIZE, metadata={"description": "a larger or equal anchored tree size"}
    )


class ConsistencyOut(ma.Schema):
    from_ = fields.Integer(data_key="from", attribute="old_size")
    to = fields.Integer(attribute="new_size")
    old_root = fields.String()
    new_root = fields.String()
    proof = fields.List(fields.String(), metadata={"description": "RFC 9162 §2.1.4 consistency proof, hex hashes"})
