"""The columns of a bidder list (投标人名单) as people head them: each field's accepted headers (名称,
投标人名称, 统一社会信用代码 …), its Chinese name in messages, and its length limit, which is the API's
(`api.schemas.screenings.SubjectIn`).
"""

from __future__ import annotations

from typing import Any

from marshmallow import validate
from marshmallow.fields import Field

from api.schemas.screenings import PersonIn, SubjectIn
from registry.codes.idnumber import ID_TYPES


def max_length(schema_field: Field[Any]) -> int:
    """The API's limit for a text field, read from its schema so the page and the API never differ."""
    for rule in schema_field.validators:
        if isinstance(rule, validate.Length) and rule.max is not None:
            return int(rule.max)
    raise LookupError(f"{schema_field.name} has no maximum length")


LIMITS = {f: max_length(SubjectIn().fields[f]) for f in ("name", "uscc", "role", "consortium")} | {
    "legal_rep_name": max_length(PersonIn().fields["name"]),
    "legal_rep_id_number": max_length(PersonIn().fields["id_number"]),
    "id_number": max_length(SubjectIn().fields["id_number"]),
}
FIELD_NAMES = {
    "name": "名称",
    "uscc": "统一社会信用代码",
    "role": "角色",
    "consortium": "联合体",
    "legal_rep_name": "法定代表人",
    "legal_rep_id_type": "法定代表人证件类型",
    "legal_rep_id_number": "法定代表人证件号码",
    "id_type": "证件类型",
    "id_number": "证件号码",
}
# The service's names for a subject's parts, as a person reads them in an error.
PART_NAMES = {
    "legal_representative": "法定代表人",
    "legal_representative.name": "法定代表人姓名",
    "legal_representative.id_type": "法定代表人证件类型",
    "legal_representative.id_number": "法定代表人证件号码",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "name": "名称",
    "uscc": "统一社会信用代码",
}

# Header variants accepted in files (and in a pasted header line), compared after `header_key`.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "名称",
        "单位名称",
        "投标人名称",
        "投标人",
        "投标单位",
        "投标单位名称",
        "供应商",
        "供应商名称",
        "企业名称",
        "公司名称",
        "竞买人",
        "竞买人名称",
        "申请人名称",
        "主体名称",
        "市场主体名称",
        "成员名称",
        "联合体成员名称",
        "name",
    ),
    "uscc": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "组织机构代码",
        "注册号",
        "营业执照注册号",
        "uscc",
    ),
    "role": ("角色", "身份", "投标角色", "投标身份", "主体角色", "role"),
    "consortium": ("联合体", "联合体名称", "联合体编号", "所属联合体", "联合体标识", "consortium"),
    # 失信相关人 look-up (发改法规〔2018〕457号): the bidder's legal representative, or an expert's own ID.
    "legal_rep_name": ("法定代表人", "法定代表人姓名", "法人代表", "法定代表人（负责人）", "负责人"),
    "legal_rep_id_type": ("法定代表人证件类型", "法人代表证件类型"),
    "legal_rep_id_number": (
        "法定代表人证件号码",
        "法定代表人身份证号码",
        "法定代表人身份证号",
        "法人代表身份证号",
        "法人身份证号",
    ),
    "id_type": ("证件类型", "专家证件类型"),
    "id_number": ("证件号码", "身份证号码", "身份证号", "专家身份证号", "专家证件号码"),
}
_ID_TYPE_BY_LABEL = {label: code for code, label in ID_TYPES.items()} | {"身份证": "resident_id"}
HEADER_FIELDS = {alias: f for f, aliases in HEADERS.items() for alias in aliases}
# Columns a bidder table often has that say nothing about the bidder: not reported as ignored.
QUIET_HEADERS = {"序号", "编号", "no", "no.", "备注"}


def id_type_code(text: str | None) -> str | None:
    """证件类型 as a person writes it (居民身份证, 身份证, 护照 …) as the API's code; unknown text is
    passed on for the API to refuse with its list."""
    if not text:
        return None
    return text if text in ID_TYPES else _ID_TYPE_BY_LABEL.get(text.strip(), text)
