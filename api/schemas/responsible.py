"""失信相关人 (responsible persons) as a penalty or list entry names them, in and out."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from api.lifecycle import actor as current_actor
from api.schemas.common import Day, StrictSchema
from registry.codes.idnumber import ID_TYPES
from registry.models import ListEntry, Penalty
from registry.records.responsible_persons import MAX_PERSONS, shown_persons
from registry.vocab import RESPONSIBLE_ROLES

_ROLES = "; ".join(f"{code} {label}" for code, label in RESPONSIBLE_ROLES.items())


class ResponsiblePersonIn(StrictSchema):
    role = fields.String(required=True, metadata={"description": f"角色 (code or Chinese name): {_ROLES}"})
    name = fields.String(required=True, validate=validate.Length(max=100), metadata={"description": "姓名"})
    id_type = fields.String(allow_none=True, metadata={"description": "证件类型: " + ", ".join(ID_TYPES)})
    id_number = fields.String(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={
            "description": "证件号码: stored encrypted, shown masked; in a correction, leave it out to keep "
            "the number stored for the same name and 证件类型"
        },
    )
    ends_on = Day(
        allow_none=True,
        metadata={
            "description": "the last day the person counts, if the decision sets one; "
            "default: while the record is in force"
        },
    )


def persons_in() -> fields.List[Any]:
    return fields.List(
        fields.Nested(ResponsiblePersonIn),
        allow_none=True,
        validate=validate.Length(max=MAX_PERSONS),
        metadata={
            "description": "失信相关人 (发改法规〔2018〕457号): 负有责任的法定代表人、自然人股东、"
            "评标评审专家及其他相关人员. Never shown to the public or to screeners; "
            "a correction that gives the list replaces it"
        },
    )


def persons_out() -> fields.Method:
    return fields.Method(
        "_responsible_persons",
        metadata={
            "description": "失信相关人 with masked ID numbers; present only for the deciding authority, "
            "administrators and the platform"
        },
    )


class WithResponsiblePersons:
    """Mixed into an Out schema: the persons for those who may see them, else the field is left out."""

    def _responsible_persons(self, record: Penalty | ListEntry) -> Any:
        shown = shown_persons(current_actor(), record)
        return ma.missing if shown is None else shown
