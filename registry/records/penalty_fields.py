"""The 双公示 行政处罚 field set: the registry's English names beside the standard Chinese headers.

Order and headers follow the national 双公示 field list (docs/penalty-fields.md; likely). Each row is
(English name, standard header, older headers seen in earlier exports, where the value comes
from). Exports (issue 5) and importers read this one table, so a header is named in one place.
"""

from __future__ import annotations

from typing import NamedTuple


class PenaltyField(NamedTuple):
    name: str
    header: str
    older_headers: tuple[str, ...]
    source: str  # "penalty", "entity" (the subject's registration), or "authority"


PENALTY_FIELDS: tuple[PenaltyField, ...] = (
    PenaltyField("subject_name", "行政相对人名称", (), "penalty"),
    PenaltyField("subject_kind", "行政相对人类别", (), "entity"),
    PenaltyField("subject_uscc", "统一社会信用代码", ("行政相对人代码_1（统一社会信用代码）",), "penalty"),
    PenaltyField("business_registration_no", "工商注册号", ("行政相对人代码_2（工商注册号）",), "entity"),
    PenaltyField("organization_code", "组织机构代码", ("行政相对人代码_3（组织机构代码）",), "entity"),
    PenaltyField("tax_registration_no", "税务登记号", ("行政相对人代码_4（税务登记号）",), "entity"),
    PenaltyField("institution_certificate_no", "事业单位证书号", ("行政相对人代码_5（事业单位证书号）",), "entity"),
    PenaltyField("social_org_registration_no", "社会组织登记证号", ("行政相对人代码_6（社会组织登记证号）",), "entity"),
    PenaltyField("legal_representative", "法定代表人", (), "entity"),
    PenaltyField("legal_rep_id_type", "法定代表人证件类型", (), "entity"),
    PenaltyField("legal_rep_id_number", "法定代表人证件号码", (), "entity"),
    PenaltyField("id_type", "证件类型", (), "entity"),
    PenaltyField("id_number", "证件号码", (), "entity"),
    PenaltyField("decision_number", "行政处罚决定书文号", ("处罚决定书文号",), "penalty"),
    PenaltyField("violation_type", "违法行为类型", ("处罚名称",), "penalty"),
    PenaltyField("facts", "违法事实", ("处罚事由",), "penalty"),
    PenaltyField("basis", "处罚依据", (), "penalty"),
    PenaltyField("categories", "处罚类别", (), "penalty"),
    PenaltyField("content", "处罚内容", ("处罚结果",), "penalty"),
    PenaltyField("fine_amount", "罚款金额（万元）", (), "penalty"),
    PenaltyField("confiscation_amount", "没收违法所得、没收非法财物的金额（万元）", (), "penalty"),
    PenaltyField("licence_affected", "暂扣或吊销证照名称及编号", (), "penalty"),
    PenaltyField("decided_on", "处罚决定日期", ("处罚日期",), "penalty"),
    PenaltyField("valid_until", "处罚有效期", (), "penalty"),
    PenaltyField("publication_ends_on", "公示截止期", (), "penalty"),
    PenaltyField("authority_name", "处罚机关", (), "authority"),
    PenaltyField("authority_uscc", "处罚机关统一社会信用代码", (), "authority"),
    PenaltyField("data_source_name", "数据来源单位", (), "authority"),
    PenaltyField("data_source_uscc", "数据来源单位统一社会信用代码", (), "authority"),
    PenaltyField("remarks", "备注", ("当前状态",), "penalty"),
)


def by_header() -> dict[str, str]:
    """Every header, standard or older, mapped to the English field name (for importers)."""
    mapping: dict[str, str] = {}
    for field in PENALTY_FIELDS:
        mapping[field.header] = field.name
        for old in field.older_headers:
            mapping.setdefault(old, field.name)
    return mapping
