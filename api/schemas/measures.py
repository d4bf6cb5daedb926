"""Measure (联合惩戒/激励措施) schemas: the catalogue, and the measures that apply to an entity."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import Amount, Day, StrictSchema, one_of
from registry.screening.measures import EFFECTS
from registry.vocab import DOMAINS


class MeasureFilter(StrictSchema):
    domain = one_of(DOMAINS, metadata={"description": "only measures that apply in this trading domain"})
    effect = one_of(EFFECTS, metadata={"description": "block | review | incentive"})


class EntityMeasuresArgs(StrictSchema):
    domain = one_of(
        DOMAINS,
        metadata={
            "description": "the trading domain screened; leave out for every domain "
            "(the reach of the entity's records across the eight domains)"
        },
    )
    on = Day(metadata={"description": "the day asked about (default today, China time)"})


class PenaltyConditionOut(ma.Schema):
    categories_any = fields.List(fields.String(), metadata={"description": "at least one of these 处罚类别"})
    min_fine_wan = Amount(allow_none=True, metadata={"description": "a 罚款 of at least this many 万元"})
    severities = fields.List(fields.String())


class TriggerOut(ma.Schema):
    list_types = fields.List(fields.String())
    list_names = fields.List(fields.String())
    except_list_names = fields.List(fields.String())
    penalty = fields.Nested(PenaltyConditionOut, allow_none=True)
    record_scope = fields.String(
        metadata={
            "description": "screened: the record concerns the domain screened; any: a record of any domain; "
            "listed: a record of one of record_domains"
        }
    )
    record_domains = fields.List(fields.String())


class DurationOut(ma.Schema):
    kind = fields.String(metadata={"description": "while_listed | while_in_force | lookback_years"})
    years = fields.Integer(allow_none=True)


class PersonReachOut(ma.Schema):
    roles = fields.List(fields.String(), metadata={"description": "legal_representative, evaluation_expert …"})
    effect = fields.String(metadata={"description": "block | review, when the person is identified by ID number"})
    # Named apart from Schema.only (the schema's field filter); written as "only".
    reaches_only = fields.Boolean(
        attribute="only",
        data_key="only",
        metadata={"description": "true: the measure reaches the persons alone, not the listed entity"},
    )


class MeasureOut(ma.Schema):
    code = fields.String()
    name = fields.String()
    effect = fields.String(metadata={"description": "block | review | incentive"})
    triggers = fields.List(fields.Nested(TriggerOut), metadata={"description": "any one sets the measure off"})
    domains = fields.List(fields.String())
    duration = fields.Nested(DurationOut)
    implementing_authority = fields.String()
    legal_basis = fields.List(fields.String())
    certainty = fields.String(
        metadata={"description": "firm: read in the law; likely: secondary or extrapolated (see about)"}
    )
    about = fields.String(allow_none=True)
    persons = fields.Nested(
        PersonReachOut,
        allow_none=True,
        metadata={
            "description": "the 失信相关人 of a triggering record it also reaches (发改法规〔2018〕457号); null: the company only"
        },
    )


class MeasureList(ma.Schema):
    items = fields.List(fields.Nested(MeasureOut))
    total = fields.Integer()


class TriggeringRecordOut(ma.Schema):
    record_type = fields.String(metadata={"description": "list_entry | penalty"})
    id = fields.Integer()
    reason = fields.String()
    ends_on = Day(allow_none=True, metadata={"description": "first day the record no longer sets the measure off"})


class MeasureHitOut(ma.Schema):
    measure = fields.Nested(MeasureOut)
    records = fields.List(fields.Nested(TriggeringRecordOut))


class DomainReachOut(ma.Schema):
    domain = fields.String()
    domain_label = fields.String()
    decision = fields.String(
        metadata={"description": "what a screening identifying the entity would decide: block | review | clear"}
    )
    decision_label = fields.String()
    reasons = fields.List(
        fields.String(), metadata={"description": "each measure with its basis and the records behind it"}
    )
    incentives = fields.List(fields.String())
    persons = fields.List(fields.String(), metadata={"description": "what the measures do to the records' 失信相关人"})
    hits = fields.List(fields.Nested(MeasureHitOut))


class EntityReachOut(ma.Schema):
    entity_id = fields.Integer()
    entity_name = fields.String()
    on = Day()
    domain = fields.String(allow_none=True, metadata={"description": "the domain asked about; null: every domain"})
    effect = fields.String(
        allow_none=True, metadata={"description": "the strongest effect: block > review > incentive; null: none"}
    )
    hits = fields.List(
        fields.Nested(MeasureHitOut),
        metadata={
            "description": "the domain asked about: its measures, block first; every domain: empty (see domains)"
        },
    )
    domains = fields.List(fields.Nested(DomainReachOut), metadata={"description": "one item per domain asked about"})
