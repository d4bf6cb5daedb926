"""Screening (资格审查信用核查) schemas: the request, the stored screening, verification, dispositions."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import Day, PageArgs, StrictSchema, one_of, page_of, ref_id, text
from api.schemas.evidence import InclusionOut
from registry.screening.service import DECISIONS, DISPOSITIONS, FINAL_DECISIONS, MAX_SUBJECTS, ScreeningRecord
from registry.vocab import DOMAINS


class PersonIn(StrictSchema):
    """A person behind a subject: name and ID document (the number is kept masked only)."""

    name = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"description": "姓名"})
    id_type = fields.String(
        allow_none=True,
        metadata={
            "description": "证件类型: resident_id (default when a number is given), passport, hk_macao_permit, "
            "taiwan_permit, foreign_permanent_residence, other"
        },
    )
    id_number = fields.String(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "证件号码: identifies the person; compared by keyed hash, stored masked only"},
    )


class SubjectIn(StrictSchema):
    """One subject: a bidder, a buyer, or one member of a consortium (联合体), by name and/or code."""

    name = fields.String(
        allow_none=True, validate=validate.Length(max=200), metadata={"description": "the name as the bidder wrote it"}
    )
    uscc = fields.String(
        allow_none=True, validate=validate.Length(max=50), metadata={"description": "统一社会信用代码 as given"}
    )
    role = fields.String(
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "e.g. 投标人, 供应商, 联合体牵头人, 联合体成员"},
    )
    consortium = fields.String(
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "members with the same label form one 联合体: one bad member flags all"},
    )
    legal_representative = fields.Nested(
        PersonIn,
        allow_none=True,
        metadata={
            "description": "法定代表人: looked up among the 失信相关人 of listed records (发改法规〔2018〕457号); "
            "by ID number a measure applies as the catalogue says, by name alone at most review"
        },
    )
    id_type = fields.String(
        allow_none=True,
        metadata={
            "description": "the subject's own 证件类型 (a natural person, e.g. a 评标评审专家 screened as a subject)"
        },
    )
    id_number = fields.String(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={
            "description": "the subject's own 证件号码: finds a listed person or a 失信相关人 by ID; stored masked only"
        },
    )


class ScreeningIn(StrictSchema):
    domain = one_of(DOMAINS, required=True, metadata={"description": "the trading domain of the project"})
    project_code = text(100, required=True, metadata={"description": "采购项目编号 / 项目报建编号 / 地块编号 …"})
    stage = fields.String(
        allow_none=True, validate=validate.Length(max=50), metadata={"description": "e.g. 资格审查, 评标, 定标"}
    )
    subjects = fields.List(
        fields.Nested(SubjectIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_SUBJECTS),
        metadata={"description": f"1 to {MAX_SUBJECTS}; each needs a name or a uscc"},
    )
    watch_until = Day(
        metadata={
            "description": "持续监测: watch every subject until this day (today to a year ahead, e.g. the expected "
            "award date); alerts at /api/v1/alerts. Kept beside the screening, not in its document"
        }
    )


class DispositionOut(ma.Schema):
    id = fields.Integer()
    screening_id = fields.Integer()
    subject_key = fields.String(metadata={"description": "the subject as dispositions know it: uscc:… or name:…"})
    entity_id = fields.Integer()
    disposition = fields.String(metadata={"description": "false_positive 误报 | confirmed 确认"})
    reason = fields.String()
    decided_by = fields.String()
    decided_at = fields.DateTime()


class FinalDecisionOut(ma.Schema):
    id = fields.Integer()
    screening_id = fields.Integer()
    subject_index = fields.Integer(metadata={"description": "the bidder's position in the request (0-based)"})
    decision = fields.String(metadata={"description": "admitted 准予参与 | rejected 不予参与"})
    reason = fields.String()
    decided_by = fields.String(metadata={"description": "the person who recorded it (or the key's holder)"})
    decided_at = fields.DateTime()


class ScreeningSummary(ma.Schema):
    id = fields.Integer()
    digest = fields.String(metadata={"description": "SHA-256 of the canonical JSON of `document`"})
    decision = fields.String(metadata={"description": "block | review | clear: the worst subject decision"})
    domain = fields.String()
    project_code = fields.String()
    stage = fields.String(allow_none=True)
    subject_count = fields.Integer()
    registry_seq = fields.Integer(metadata={"description": "the outbox sequence number the screening saw"})
    scorer = fields.String(metadata={"description": "the matcher's name and version"})
    screened_at = fields.DateTime()
    requested_by = fields.String()


class ScreeningOut(ScreeningSummary):
    document = fields.Dict(
        metadata={
            "description": "everything the screening saw and decided: request, subjects with hits, "
            "decisions and reasons, listed entities with their records as of then and measures. Format "
            "`screening/2` (its `format`): each subject's `reasons`, each feature's `detail`, each 失信相关人 link's "
            "and each triggering record's `reason` in Chinese, with `reasons_en`, `detail_en` and `reason_en` in "
            "English beside them (docs/screening.md). "
            "A screening stored before (`screening/1`) keeps them in English only, in `reasons`, `detail` and "
            "`reason`, without the `_en` fields: a stored document is never rewritten (its digest covers it)"
        }
    )
    dispositions = fields.List(
        fields.Nested(DispositionOut),
        metadata={
            "description": "dispositions made on this screening's hits since (kept beside it, not in the digest)"
        },
    )
    final_decisions = fields.List(
        fields.Nested(FinalDecisionOut),
        metadata={
            "description": "最终处理意见: the agency's final decisions on its bidders after a false positive, "
            "oldest first; the latest per bidder is in force (kept beside it, not in the digest)"
        },
    )

    @ma.pre_dump
    def _unpack(self, record: ScreeningRecord, **kwargs: Any) -> dict[str, Any]:
        s = record.screening
        return {
            **{f: getattr(s, f) for f in ScreeningSummary._declared_fields},
            "document": s.document,
            "dispositions": record.dispositions,
            "final_decisions": record.final_decisions,
        }


ScreeningPage = page_of(ScreeningSummary, "ScreeningPage")


class ScreeningFilter(PageArgs):
    project_code = text(100, metadata={"description": "every screening made for one project"})
    domain = one_of(DOMAINS)
    decision = one_of(DECISIONS)


class VerificationOut(InclusionOut):
    screening_id = fields.Integer()
    valid = fields.Boolean()
    stored_digest = fields.String()
    computed_digest = fields.String(metadata={"description": "SHA-256 of the stored document, computed now"})
    audit_seq = fields.Integer(
        allow_none=True, metadata={"description": "the audit row that anchors the digest in the hash chain"}
    )
    audit_digest = fields.String(allow_none=True)
    problems = fields.List(fields.String())


class DispositionIn(StrictSchema):
    subject_index = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=MAX_SUBJECTS - 1),
        metadata={"description": "the subject's position in the request (0-based)"},
    )
    entity_id = ref_id(required=True, metadata={"description": "the listed entity of the hit"})
    disposition = one_of(DISPOSITIONS, required=True)
    reason = text(2000, required=True)


class FinalDecisionIn(StrictSchema):
    subject_index = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=MAX_SUBJECTS - 1),
        metadata={"description": "the bidder's position in the request (0-based)"},
    )
    decision = one_of(FINAL_DECISIONS, required=True)
    reason = text(2000, required=True)
