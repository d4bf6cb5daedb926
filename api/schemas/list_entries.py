"""List entry (名单) schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.lifecycle import actor as current_actor
from api.schemas.common import (
    Day,
    PageArgs,
    ReasonArgs,
    StrictSchema,
    one_of,
    page_of,
    patch_of,
    ref_id,
    text,
)
from api.schemas.penalties import MASKED
from api.schemas.responsible import WithResponsiblePersons, persons_in, persons_out
from registry.models import ListEntry, ListEntryTransition
from registry.runtime import current_runtime
from registry.vocab import DOMAINS, LIST_ENTRY_STATES, LIST_TYPES


class ListEntryIn(StrictSchema):
    entity_id = ref_id(required=True, metadata={"description": "the listed entity"})
    authority_id = ref_id(metadata={"description": "决定机关; a supervisor's own by default"})
    list_type = one_of(
        LIST_TYPES, required=True, metadata={"description": "black 黑名单 | red 红名单 | watch 重点关注"}
    )
    list_name = text(200, required=True, metadata={"description": "名单名称, e.g. 政府采购严重违法失信行为记录名单"})
    domains = fields.List(one_of(DOMAINS), required=True, validate=ma.validate.Length(min=1))
    decision_number = text(100, required=True, metadata={"description": "决定文书号"})
    reason_category = text(100, required=True, metadata={"description": "列入事由类别" + MASKED})
    facts = text(10000, required=True, metadata={"description": "失信（守信）事实" + MASKED})
    legal_basis = text(4000, required=True, metadata={"description": "列入依据" + MASKED})
    project_code = fields.String(allow_none=True, metadata={"description": "项目编号"})
    listed_on = Day(required=True, metadata={"description": "列入日期"})
    expires_on = Day(
        allow_none=True,
        metadata={
            "description": "有效期截止日期: the last day the entry is in force (inclusive; expired from the next day). "
            "Lists with a legal period (政府采购 1–3 年, 招标投标 by 列入事由) require it within that period"
        },
    )
    is_public = fields.Boolean(load_default=True)
    not_public_reason = fields.String(allow_none=True, metadata={"description": "不公开理由" + MASKED})
    responsible_persons = persons_in()


ListEntryCorrection = patch_of(
    ListEntryIn,
    "ListEntryCorrection",
    exclude=("authority_id", "list_type"),
    extra={"reason": text(2000, required=True, metadata={"description": "更正理由" + MASKED})},
)


class TransitionIn(ReasonArgs):
    effective_on = Day(metadata={"description": "生效日期 (default today)"})


class TransitionOut(ma.Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    effective_on = Day()
    reason = fields.String()
    actor = fields.Method("_actor", metadata={"description": "who recorded it (not shown to the public)"})
    at = fields.DateTime()

    def _actor(self, transition: ListEntryTransition) -> str | None:
        # Key holders' names are internal; the public and screeners see the authority on the entry.
        return transition.actor if current_actor().role in ("admin", "supervisor", "platform") else None


class ListEntryOut(WithResponsiblePersons, ma.Schema):
    """A list entry as read. Free text and reasons show a personal ID number only masked; a natural
    person's entry is read only by its own authority, administrators and the platform."""

    id = fields.Integer()
    entity_id = fields.Integer()
    entity_name = fields.String(attribute="entity.name", metadata={"description": "主体名称: the entity's name now"})
    entity_uscc = fields.String(
        attribute="entity.uscc",
        allow_none=True,
        metadata={"description": "统一社会信用代码 of the entity (null for a natural person)"},
    )
    authority_id = fields.Integer()
    list_type = fields.String()
    list_name = fields.String()
    domains = fields.List(fields.String())
    decision_number = fields.String()
    reason_category = fields.String()
    facts = fields.String()
    legal_basis = fields.String()
    project_code = fields.String(allow_none=True)
    listed_on = Day()
    expires_on = Day(allow_none=True)
    status = fields.Method(
        "_status_today", metadata={"description": "as of today: active | expired | removed | repaired | revoked"}
    )
    status_changed_on = Day(allow_none=True)
    status_reason = fields.String(allow_none=True)
    repair_from = Day(
        allow_none=True, metadata={"description": "earliest day credit repair may be applied for; null: not repairable"}
    )
    publication_due_on = Day(allow_none=True, metadata={"description": "公开时效: had to be published by"})
    due_provisional = fields.Boolean(
        metadata={
            "description": "the due date rests on a provisional calendar (a year whose 放假安排 notice is not loaded)"
        }
    )
    is_public = fields.Boolean()
    not_public_reason = fields.String(allow_none=True)
    first_published_at = fields.DateTime(allow_none=True)
    transitions = fields.List(fields.Nested(TransitionOut))
    responsible_persons = persons_out()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _status_today(self, entry: ListEntry) -> str:
        return entry.status_on(current_runtime().clock.today())


ListEntryPage = page_of(ListEntryOut, "ListEntryPage")


class ListEntryFilter(PageArgs):
    uscc = fields.String()
    name = fields.String(metadata={"description": "part of the entity's current, former or alias name"})
    entity_id = ref_id()
    authority_id = ref_id()
    domain = one_of(DOMAINS)
    list_type = one_of(LIST_TYPES)
    list_name = fields.String()
    project_code = fields.String()
    decision_number = fields.String(
        validate=validate.Length(max=100), metadata={"description": "part of the 决定文书号"}
    )
    status = one_of(LIST_ENTRY_STATES)
    listed_from = Day()
    listed_to = Day()
    expires_from = Day()
    expires_to = Day()
