"""The national format's column tables (全国信用信息共享平台 格式): each field's English name, standard
Chinese header, type and source, for penalties, list entries, name changes and evidence anchors, and
the envelope.

Pure data, in `registry/` because both the importer (an import reads what an export writes) and
`sync.national` (which renders outbox events through these tables) need them; docs/sync-format.md
is checked against them, so a header is named in this one place.
"""

from __future__ import annotations

from typing import NamedTuple

from registry.records.penalty_fields import PENALTY_FIELDS


class Column(NamedTuple):
    """One field of the national format.

    `type` says how exports write the cell: text, code (a registry code rendered as its Chinese
    term), date, datetime, amount (万元, numeric in CSV and XLSX), integer, boolean or list.
    """

    name: str
    header: str
    type: str
    source: str


# ---------------------------------------------------------------------------------------------
# The tables

_PENALTY_TYPES = {
    "subject_kind": "code",
    "legal_rep_id_type": "code",
    "id_type": "code",
    "categories": "list",
    "fine_amount": "amount",
    "confiscation_amount": "amount",
    "decided_on": "date",
    "valid_until": "date",
    "publication_ends_on": "date",
}
_PENALTY_SOURCES = {
    "subject_kind": "entity `kind` (法人及非法人组织 / 自然人 / 个体工商户)",
    "subject_uscc": "penalty; for a 个体工商户 without a code the placeholder 00000000000000000X",
    "legal_rep_id_type": "entity (Chinese document name)",
    "legal_rep_id_number": "entity `legal_rep_id_masked`: masked only",
    "id_type": "entity (Chinese document name)",
    "id_number": "entity `id_number_masked`: masked only",
    "categories": "penalty (a list)",
    "authority_name": "authority `authority_id` (the deciding authority)",
    "authority_uscc": "authority `authority_id`",
    "data_source_name": "authority `data_source_authority_id`",
    "data_source_uscc": "authority `data_source_authority_id`",
}

RESPONSIBLE_SOURCE = (
    "{kind} `responsible_persons` (失信相关人, 发改法规〔2018〕457号), each 角色:姓名:证件类型:证件号码 (masked only), "
    "then :至 and the last day when the decision set one; a registry field (the 双公示 format has none for them)"
)

PENALTY_COLUMNS: tuple[Column, ...] = (
    *(
        Column(
            f.name,
            f.header,
            _PENALTY_TYPES.get(f.name, "text"),
            _PENALTY_SOURCES.get(f.name, "entity (as it stood at the event)" if f.source == "entity" else f.source),
        )
        for f in PENALTY_FIELDS
    ),
    # The registry's additions after the 双公示 fields.
    Column("severity", "严重程度", "code", "penalty (轻微 / 一般 / 严重)"),
    Column("procedure", "处罚程序", "code", "penalty (简易程序 / 普通程序; empty where the decision did not say)"),
    Column("domain", "涉及领域", "code", "penalty (the trading domain)"),
    Column("project_code", "项目编号", "text", "penalty"),
    Column("status", "状态", "code", "penalty (有效 / 已撤销)"),
    Column("revoked_on", "撤销日期", "date", "penalty"),
    Column("revocation_reason", "撤销原因", "text", "penalty"),
    Column("repair_from", "可申请信用修复日期", "date", "penalty"),
    Column("repaired_on", "信用修复日期", "date", "penalty"),
    Column("publication_starts_on", "公示开始日期", "date", "penalty"),
    Column("publishable", "是否公示", "boolean", "penalty (false: the rules keep it unpublished, e.g. 轻微 or 仅警告)"),
    Column(
        "publication_note",
        "公示说明",
        "text",
        "penalty (why it is not published, or the local rule that set its period)",
    ),
    Column("first_published_at", "首次公开时间", "datetime", "penalty"),
    Column("is_public", "是否公开", "boolean", "penalty (false: not public, 保密审查)"),
    Column("not_public_reason", "不公开原因", "text", "penalty"),
    Column("responsible_persons", "失信相关人", "list", RESPONSIBLE_SOURCE.format(kind="penalty")),
    Column("entity_id", "主体编号", "integer", "penalty (the registry's entity id)"),
)

LIST_ENTRY_COLUMNS: tuple[Column, ...] = (
    Column("subject_name", "主体名称", "text", "entity `name` (as it stood at the event)"),
    Column(
        "subject_uscc",
        "统一社会信用代码",
        "text",
        "entity `uscc`; for a 个体工商户 without a code the placeholder 00000000000000000X",
    ),
    Column("subject_kind", "主体类别", "code", "entity `kind` (法人及非法人组织 / 自然人 / 个体工商户)"),
    Column("legal_representative", "法定代表人", "text", "entity"),
    Column("id_type", "证件类型", "code", "entity (natural persons; Chinese document name)"),
    Column("id_number", "证件号码", "text", "entity `id_number_masked`: masked only"),
    Column("list_type", "名单类型", "code", "list entry (黑名单 / 红名单 / 重点关注名单)"),
    Column("list_name", "名单名称", "text", "list entry"),
    Column("decision_number", "列入决定文书号", "text", "list entry"),
    Column("reason_category", "列入事由类别", "text", "list entry"),
    Column("facts", "失信（守信）事实", "text", "list entry"),
    Column("legal_basis", "列入依据", "text", "list entry"),
    Column("authority_name", "认定部门", "text", "authority `authority_id` (the deciding authority)"),
    Column("authority_uscc", "认定部门统一社会信用代码", "text", "authority `authority_id`"),
    Column("listed_on", "列入日期", "date", "list entry"),
    Column(
        "expires_on", "有效期截止日期", "date", "list entry: the last day in force (expiry is a date, not an event)"
    ),
    Column("status", "状态", "code", "list entry (有效 / 已移出 / 已信用修复 / 已撤销; never 已到期)"),
    Column("status_changed_on", "状态变更日期", "date", "list entry"),
    Column("status_reason", "状态变更原因", "text", "list entry"),
    Column("domains", "涉及领域", "list", "list entry (Chinese domain names)"),
    Column("project_code", "项目编号", "text", "list entry"),
    Column("data_source_name", "数据来源单位", "text", "authority `authority_id`"),
    Column("data_source_uscc", "数据来源单位统一社会信用代码", "text", "authority `authority_id`"),
    # The registry's additions.
    Column("repair_from", "可申请信用修复日期", "date", "list entry"),
    Column("first_published_at", "首次公开时间", "datetime", "list entry"),
    Column("is_public", "是否公开", "boolean", "list entry (false: not public, 保密审查)"),
    Column("not_public_reason", "不公开原因", "text", "list entry"),
    Column("responsible_persons", "失信相关人", "list", RESPONSIBLE_SOURCE.format(kind="list entry")),
    Column("entity_id", "主体编号", "integer", "list entry (the registry's entity id)"),
)

# 行政许可 (双公示 licensing fields, in the standard order), then the registry's additions.
LICENCE_COLUMNS: tuple[Column, ...] = (
    Column("subject_name", "行政相对人名称", "text", "licence `subject_name`"),
    Column("subject_kind", "行政相对人类别", "code", "entity `kind` (法人及非法人组织 / 自然人 / 个体工商户)"),
    Column(
        "subject_uscc",
        "统一社会信用代码",
        "text",
        "licence `subject_uscc`; for a 个体工商户 without a code the placeholder 00000000000000000X",
    ),
    Column("legal_representative", "法定代表人", "text", "entity"),
    Column("id_type", "证件类型", "code", "entity (natural persons; Chinese document name)"),
    Column("id_number", "证件号码", "text", "entity `id_number_masked`: masked only"),
    Column("decision_document_name", "行政许可决定文书名称", "text", "licence"),
    Column("decision_number", "行政许可决定文书号", "text", "licence"),
    Column("licence_category", "许可类别", "text", "licence (普通 / 特许 / 认可 / 核准 / 登记 / 其他)"),
    Column("licence_name", "许可证书名称", "text", "licence"),
    Column("licence_number", "许可编号", "text", "licence"),
    Column("content", "许可内容", "text", "licence"),
    Column("decided_on", "许可决定日期", "date", "licence"),
    Column("valid_from", "有效期自", "date", "licence"),
    Column("valid_to", "有效期至", "date", "licence (empty: 长期)"),
    Column("authority_name", "许可机关", "text", "authority `authority_id`"),
    Column("authority_uscc", "许可机关统一社会信用代码", "text", "authority `authority_id`"),
    Column("status", "当前状态", "code", "licence (有效 / 已撤销 / 已注销; expiry is read from 有效期至)"),
    Column("data_source_name", "数据来源单位", "text", "authority `data_source_authority_id`"),
    Column("data_source_uscc", "数据来源单位统一社会信用代码", "text", "authority `data_source_authority_id`"),
    Column("remarks", "备注", "text", "licence"),
    # The registry's additions.
    Column("status_changed_on", "状态变更日期", "date", "licence"),
    Column("status_reason", "状态变更原因", "text", "licence"),
    Column("first_published_at", "首次公开时间", "datetime", "licence"),
    Column("is_public", "是否公开", "boolean", "licence (false: not public, 保密审查)"),
    Column("not_public_reason", "不公开原因", "text", "licence"),
    Column("entity_id", "主体编号", "integer", "licence (the registry's entity id)"),
)

# 数据来源单位 of what the registry itself keeps (name changes, anchors): its operator.
REGISTRY_SOURCE: tuple[Column, ...] = (
    Column("data_source_name", "数据来源单位", "text", "the registry's operator (`REGISTRY_DATA_SOURCE_NAME`)"),
    Column(
        "data_source_uscc",
        "数据来源单位统一社会信用代码",
        "text",
        "the registry's operator (`REGISTRY_DATA_SOURCE_USCC`)",
    ),
)

NAME_CHANGE_COLUMNS: tuple[Column, ...] = (
    Column("subject_name", "主体名称", "text", "entity `name` after the change"),
    Column(
        "subject_uscc",
        "统一社会信用代码",
        "text",
        "entity `uscc`; for a 个体工商户 without a code the placeholder 00000000000000000X",
    ),
    Column("subject_kind", "主体类别", "code", "entity `kind`"),
    Column("change_type", "名称变更类型", "code", "the operation (更名 / 增加名称 / 删除名称)"),
    Column("previous_name", "变更前名称", "text", "rename: the entity's name before (its previous outbox event)"),
    Column(
        "changed_name",
        "变更涉及名称",
        "text",
        "rename: the new name; add_name / remove_name: the name added or removed",
    ),
    Column("changed_name_kind", "名称类型", "code", "现用名 / 曾用名 / 别名"),
    Column("changed_on", "变更日期", "date", "rename: the new name's `valid_from`; add_name: the added name's"),
    Column("former_names", "曾用名", "list", "entity `names` of kind former, after the change"),
    Column("aliases", "别名", "list", "entity `names` of kind alias, after the change"),
    Column("entity_id", "主体编号", "integer", "entity `id`"),
    *REGISTRY_SOURCE,
)

# The evidence tree's signed heads (存证锚点, registry.evidence.anchoring): what is signed, with the
# key that signed it, so the platform can check each one and keep it outside the registry.
ANCHOR_COLUMNS: tuple[Column, ...] = (
    Column("tree_size", "树大小", "integer", "anchor: how many screenings (leaves) the evidence tree holds"),
    Column("root", "根哈希", "text", "anchor: the RFC 9162 root hash of those leaves (64 hex digits)"),
    Column("timestamp", "锚定时间", "datetime", "anchor: when it was signed, ISO 8601 in UTC, exactly as signed"),
    Column(
        "signature",
        "签名",
        "text",
        'anchor: Ed25519 over the canonical JSON of {"root", "timestamp", "tree_size"} (hex)',
    ),
    Column("algorithm", "签名算法", "text", "anchor (Ed25519)"),
    Column("public_key", "签名公钥", "text", "anchor: the key that signed it (hex of its 32 raw bytes)"),
    *REGISTRY_SOURCE,
)

ENVELOPE: tuple[Column, ...] = (
    Column("seq", "变更序号", "integer", "outbox `seq`: gap-free, in commit order"),
    Column("record_type", "记录类型", "text", "outbox `record_type` (penalty / list_entry / entity / evidence_anchor)"),
    Column("operation", "变更操作", "text", "outbox `operation` (create, correct, revoke, rename, anchor …)"),
    Column("record_id", "记录编号", "integer", "outbox `record_id`"),
    Column("version", "版本号", "integer", "outbox `record_version`: the record's version after the change"),
    Column("occurred_at", "变更时间", "datetime", "outbox `occurred_at` (UTC)"),
    Column(
        "withheld",
        "是否暂缓公开",
        "boolean",
        "true: not public (保密审查) and not configured to be sent; the record then has no fields",
    ),
)

FIELDS: dict[str, tuple[Column, ...]] = {
    "penalties": PENALTY_COLUMNS,
    "list-entries": LIST_ENTRY_COLUMNS,
    "name-changes": NAME_CHANGE_COLUMNS,
    "evidence-anchors": ANCHOR_COLUMNS,
    "licences": LICENCE_COLUMNS,
}
KINDS = tuple(FIELDS)
ANCHORS = "evidence-anchors"
# registry.evidence.anchoring's ANCHOR_RECORD and ANCHOR_ACTION (this module is data only; a test
# checks they agree).
ANCHOR_RECORD_TYPE = "evidence_anchor"
ANCHOR_OPERATION = "anchor"
RECORD_TYPES = {
    "penalties": "penalty",
    "list-entries": "list_entry",
    "name-changes": "entity",
    ANCHORS: ANCHOR_RECORD_TYPE,
    "licences": "licence",
}
NAME_CHANGE_OPERATIONS = ("rename", "add_name", "remove_name")
NAME_CHANGE_TYPES = {"rename": "更名", "add_name": "增加名称", "remove_name": "删除名称"}
# Operations of a record type that reach the platform; None: all of them.
PLATFORM_OPERATIONS: dict[str, tuple[str, ...] | None] = {
    "penalty": None,
    "list_entry": None,
    "entity": NAME_CHANGE_OPERATIONS,
    ANCHOR_RECORD_TYPE: (ANCHOR_OPERATION,),
    "licence": None,
}


def columns(kind: str) -> tuple[Column, ...]:
    """Every column of `kind` in the standard order: its fields, then the envelope."""
    return FIELDS[kind] + ENVELOPE


def headers(kind: str) -> list[str]:
    """The Chinese headers of `kind` in the standard order (CSV and XLSX header row)."""
    return [c.header for c in columns(kind)]


def kind_of(record_type: str, operation: str) -> str | None:
    """The export kind an outbox event belongs to, or None when the event is internal."""
    if record_type not in PLATFORM_OPERATIONS:
        return None
    operations = PLATFORM_OPERATIONS[record_type]
    if operations is not None and operation not in operations:
        return None
    return next(kind for kind, rt in RECORD_TYPES.items() if rt == record_type)


def markdown_table(kind: str) -> str:
    """The fields of `kind` (or, for "envelope", the envelope) as docs/sync-format.md shows them
    (a test checks the doc against this)."""
    table = ENVELOPE if kind == "envelope" else FIELDS[kind]
    lines = ["| English name | Chinese header | type | from |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.header} | {c.type} | {c.source} |" for c in table]
    return "\n".join(lines)
