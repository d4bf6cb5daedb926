"""Entity (市场主体 / 行政相对人) schemas. ID numbers go in; only masked forms come out."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import Day, PageArgs, StrictSchema, one_of, page_of, patch_of, text
from registry.codes.idnumber import ID_TYPES
from registry.vocab import ENTITY_KINDS

_OTHER_NAME_KINDS = ("former", "alias")


class NameIn(StrictSchema):
    name = text(200, required=True)
    kind = one_of(_OTHER_NAME_KINDS, required=True, metadata={"description": "former 曾用名 | alias 别名"})
    valid_from = Day(allow_none=True)
    valid_to = Day(allow_none=True)


class EntityIn(StrictSchema):
    kind = one_of(ENTITY_KINDS, required=True, metadata={"description": "行政相对人类别"})
    name = text(200, required=True, metadata={"description": "现用名称"})
    name_since = Day(allow_none=True, metadata={"description": "现用名称启用日期"})
    uscc = fields.String(allow_none=True, metadata={"description": "统一社会信用代码"})
    region_code = fields.String(allow_none=True)
    business_registration_no = fields.String(allow_none=True, metadata={"description": "工商注册号"})
    organization_code = fields.String(allow_none=True, metadata={"description": "组织机构代码"})
    tax_registration_no = fields.String(allow_none=True, metadata={"description": "税务登记号"})
    institution_certificate_no = fields.String(allow_none=True, metadata={"description": "事业单位证书号"})
    social_org_registration_no = fields.String(allow_none=True, metadata={"description": "社会组织登记证号"})
    legal_representative = fields.String(allow_none=True, metadata={"description": "法定代表人"})
    legal_rep_id_type = one_of(ID_TYPES, allow_none=True, metadata={"description": "法定代表人证件类型"})
    legal_rep_id_number = fields.String(
        allow_none=True, load_only=True, metadata={"description": "法定代表人证件号码 (stored encrypted)"}
    )
    id_type = one_of(ID_TYPES, allow_none=True, metadata={"description": "证件类型 (自然人)"})
    id_number = fields.String(
        allow_none=True, load_only=True, metadata={"description": "证件号码 (自然人; stored encrypted)"}
    )
    names = fields.List(fields.Nested(NameIn), load_default=list, metadata={"description": "曾用名、别名"})


EntityPatch = patch_of(
    EntityIn,
    "EntityPatch",
    exclude=("names", "name_since"),
    extra={"renamed_on": Day(metadata={"description": "更名日期 (with a new name; default today)"})},
)


class NameOut(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    valid_from = Day(allow_none=True)
    valid_to = Day(allow_none=True)


class EntityOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    uscc = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    business_registration_no = fields.String(allow_none=True)
    organization_code = fields.String(allow_none=True)
    tax_registration_no = fields.String(allow_none=True)
    institution_certificate_no = fields.String(allow_none=True)
    social_org_registration_no = fields.String(allow_none=True)
    legal_representative = fields.String(allow_none=True)
    legal_rep_id_type = fields.String(allow_none=True)
    legal_rep_id_masked = fields.String(allow_none=True, metadata={"description": "masked: 1101**********1234"})
    id_type = fields.String(allow_none=True)
    id_number_masked = fields.String(allow_none=True, metadata={"description": "masked: 1101**********1234"})
    names = fields.List(fields.Nested(NameOut))
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


EntityPage = page_of(EntityOut, "EntityPage")


class EntityFilter(PageArgs):
    name = fields.String(metadata={"description": "part of a current, former or alias name"})
    uscc = fields.String()
    kind = one_of(ENTITY_KINDS)
    region_code = fields.String()


class NameRemoval(StrictSchema):
    reason = text(2000, required=True)
