"""Authority (机关) schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import PageArgs, StrictSchema, one_of, page_of, patch_of, ref_id, text
from registry.vocab import AUTHORITY_SECTORS, DOMAINS


class AuthorityIn(StrictSchema):
    name = text(200, required=True, metadata={"description": "机关名称"})
    uscc = text(40, required=True, metadata={"description": "统一社会信用代码 (机关: 11…)"})
    region_code = text(6, required=True, metadata={"description": "行政区划代码 GB/T 2260"})
    sector = one_of(
        AUTHORITY_SECTORS,
        metadata={
            "description": "所属系统; 不填则按机关名称推定（名称含“市场监督管理”即为 market_supervision），否则 other"
        },
    )
    domains = fields.List(one_of(DOMAINS), load_default=list, metadata={"description": "监管领域"})
    parent_id = ref_id(allow_none=True, metadata={"description": "上级机关"})


AuthorityPatch = patch_of(AuthorityIn, "AuthorityPatch")


class AuthorityOut(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    sector = fields.String(metadata={"description": "所属系统"})
    domains = fields.List(fields.String())
    parent_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


AuthorityPage = page_of(AuthorityOut, "AuthorityPage")


class AuthorityFilter(PageArgs):
    name = fields.String()
    uscc = fields.String()
    domain = one_of(DOMAINS)
    region_code = fields.String()
