"""A 行政许可 (licence) event in the national format: the 双公示 licensing fields (sync.national
renders every kind; this module holds the licences' own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.codes.idnumber import ID_TYPES
from registry.vocab import ENTITY_KINDS
from sync.national_terms import NO_SOURCE, DataSource, subject_uscc, term

LICENCE_STATES = {"effective": "有效", "revoked": "已撤销", "cancelled": "已注销"}


def licence_fields(
    payload: Mapping[str, Any],
    entity: Mapping[str, Any] | None,
    authorities: Mapping[int, DataSource],
) -> dict[str, Any]:
    subject: Mapping[str, Any] = entity or {}
    decider = authorities.get(payload.get("authority_id") or 0, NO_SOURCE)
    source = authorities.get(payload.get("data_source_authority_id") or 0, decider)
    names = (
        "decision_document_name",
        "decision_number",
        "licence_category",
        "licence_name",
        "licence_number",
        "content",
        "decided_on",
        "valid_from",
        "valid_to",
        "remarks",
        "status_changed_on",
        "status_reason",
        "first_published_at",
        "is_public",
        "not_public_reason",
        "entity_id",
    )
    values = {name: payload.get(name) for name in names}
    values.update(
        subject_name=payload.get("subject_name") or subject.get("name"),
        subject_uscc=subject_uscc(payload.get("subject_uscc") or subject.get("uscc"), entity),
        subject_kind=term(ENTITY_KINDS, subject.get("kind")),
        legal_representative=subject.get("legal_representative"),
        id_type=term(ID_TYPES, subject.get("id_type")),
        id_number=subject.get("id_number_masked"),
        authority_name=decider.name,
        authority_uscc=decider.uscc,
        status=term(LICENCE_STATES, payload.get("status")),
        data_source_name=source.name,
        data_source_uscc=source.uscc,
    )
    return values
