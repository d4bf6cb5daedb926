"""What the import template's 填写说明 sheet says of each column, and its example row (导入模板说明).

Only what a person needs to fill a cell: what the column holds and when it may stay empty. Which
columns there are, which are required, their formats and their allowed values are the importer's
own (`registry.imports.columns`), read by `registry.imports.template`; a test checks that every
column the importer reads has a note here and that the example rows import cleanly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

# A made-up company with a valid 统一社会信用代码 (GB 32100 check character), for the example rows.
EXAMPLE_NAME = "杭州示例建设工程有限公司"
EXAMPLE_USCC = "91330106MA2H0C8K16"

_SUBJECT = {
    "subject_kind": "行政相对人类别；留空时按统一社会信用代码判断（92 开头或占位代码为个体工商户，其余为法人及非法人组织）",
    "subject_uscc": "18 位统一社会信用代码；个体工商户无代码的填 00000000000000000X，自然人留空",
    "business_registration_no": "工商注册号（尚无统一社会信用代码的老登记）",
    "organization_code": "组织机构代码",
    "tax_registration_no": "税务登记号",
    "institution_certificate_no": "事业单位证书号",
    "social_org_registration_no": "社会组织登记证号",
    "legal_representative": "法定代表人（负责人）姓名；自然人留空",
    "legal_rep_id_type": "法定代表人证件类型",
    "legal_rep_id_number": "法定代表人证件号码（加密保存，页面和导出只显示打码后的号码）",
    "id_type": "行政相对人为自然人时：证件类型",
    "id_number": "行政相对人为自然人时：证件号码（加密保存，只显示打码后的号码）",
}
_RECORD = {
    "project_code": "相关交易项目的编号",
    "is_public": "是否公开；留空为“是”。经保密审查不公开的填“否”，并填写不公开原因",
    "not_public_reason": "不公开原因（是否公开为“否”时填写）",
    "responsible_roles": (
        "失信相关人（发改法规〔2018〕457号）的角色，每人一项，与姓名同序，用“；”分隔；只填一项时适用于全部人员"
    ),
    "responsible_names": "失信相关人姓名，多人用“；”分隔；不涉及时此四列全部留空",
    "responsible_id_types": "失信相关人证件类型；填写证件号码而类型留空时按居民身份证",
    "responsible_id_numbers": "失信相关人证件号码，与姓名一一对应；也可全部留空",
}
NOTES: dict[str, dict[str, str]] = {
    "penalties": {
        "subject_name": "行政相对人（受处罚的企业、个体工商户或自然人）的名称或姓名，与登记一致",
        **_SUBJECT,
        "decision_number": "行政处罚决定书文号；同一机关的同一文号只登记一次，重复导入视为“未变”",
        "violation_type": "违法行为类型，如：提供虚假材料谋取中标",
        "facts": "违法事实",
        "basis": "处罚依据（法律、法规、规章及条款）",
        "categories": "处罚类别（行政处罚法第九条）；可填多个，用“；”分隔",
        "content": "处罚内容，如：罚款人民币伍仟元整",
        "fine_amount": "罚款金额，单位万元（罚款 2000 元填 0.2）",
        "confiscation_amount": "没收违法所得、没收非法财物的金额，单位万元",
        "licence_affected": "暂扣或吊销的证照名称及编号",
        "decided_on": "处罚决定日期",
        "valid_until": "处罚决定的有效期限（如有）",
        "publication_ends_on": "公示截止期；留空时按公示规则计算",
        "authority_name": "作出处罚决定的机关；只能是本机关（谁批准、谁公开），留空即本机关",
        "authority_uscc": "处罚机关的统一社会信用代码；留空即本机关",
        "data_source_name": "数据来源单位；留空即处罚机关，填其他单位的须已在本系统登记",
        "data_source_uscc": "数据来源单位的统一社会信用代码",
        "remarks": "备注",
        "severity": (
            "失信程度，决定公示期限；简易程序、警告、通报批评按规则为轻微。"
            "整表相同时可留空，上传时选择“失信程度”文件默认值"
        ),
        "procedure": "处罚程序；留空按普通程序",
        "domain": "涉及的公共资源交易领域；本机关只监管一个领域时可留空，也可上传时选择“交易领域”文件默认值",
        "status": "状态；新登记的处罚填“有效”或留空（撤销须另行办理并说明理由）",
        **_RECORD,
    },
    "list-entries": {
        "subject_name": "列入名单的主体（企业、个体工商户或自然人）的名称或姓名",
        "subject_uscc": _SUBJECT["subject_uscc"],
        "subject_kind": _SUBJECT["subject_kind"].replace("行政相对人", "主体"),
        "legal_representative": _SUBJECT["legal_representative"],
        "id_type": _SUBJECT["id_type"].replace("行政相对人", "主体"),
        "id_number": _SUBJECT["id_number"].replace("行政相对人", "主体"),
        "list_type": "名单类型；留空时按名单名称取名单目录中的类型",
        "list_name": "名单名称；下拉列表为名单目录中的名单，也可填写其他名单",
        "decision_number": "列入决定文书号；同一机关同一文号同一名单只登记一次",
        "reason_category": "列入事由类别，如：提供虚假材料谋取中标、成交",
        "facts": "失信（守信）事实",
        "legal_basis": "列入依据（法律、法规、规章及条款）",
        "authority_name": "作出认定的部门；只能是本机关（谁批准、谁公开），留空即本机关",
        "authority_uscc": "认定部门的统一社会信用代码；留空即本机关",
        "listed_on": "列入日期",
        "expires_on": "有效期截止日期（在名单上的最后一天）；有法定期限的名单必填",
        "status": "状态；新列入的填“有效”或留空（移出、修复、撤销须另行办理并说明理由）",
        "domains": "涉及的公共资源交易领域，可填多个，用“；”分隔；本机关只监管一个领域时可留空",
        **_RECORD,
    },
    "licences": {
        "subject_name": "行政相对人（取得许可的企业、个体工商户或自然人）的名称或姓名，与登记一致",
        **_SUBJECT,
        "decision_document_name": "行政许可决定文书名称，如：建筑业企业资质证书核准决定书",
        "decision_number": "行政许可决定文书号；同一机关的同一文号只登记一次，重复导入视为“未变”",
        "licence_category": "许可类别：普通、特许、认可、核准、登记或其他",
        "licence_name": "许可证书名称（如有）",
        "licence_number": "许可证书编号（如有）",
        "content": "许可内容",
        "decided_on": "许可决定日期；公开时效为决定之日起 7 个工作日",
        "valid_from": "有效期自",
        "valid_to": "有效期至；长期有效的留空",
        "authority_name": "作出许可决定的机关；只能是本机关（谁批准、谁公开），留空即本机关",
        "authority_uscc": "许可机关的统一社会信用代码；留空即本机关",
        "status": "当前状态；新登记的许可填“有效”或留空（有效期至已过的也可填“已过期”；撤销、注销须另行办理并说明理由）",
        "data_source_name": "数据来源单位；留空即许可机关，填其他单位的须已在本系统登记",
        "data_source_uscc": "数据来源单位的统一社会信用代码",
        "remarks": "备注",
        "is_public": _RECORD["is_public"],
        "not_public_reason": _RECORD["not_public_reason"],
    },
}

# One row of each kind, as a supervisor fills it (a test imports them).
EXAMPLES: dict[str, dict[str, Any]] = {
    "penalties": {
        "subject_name": EXAMPLE_NAME,
        "subject_kind": "法人及非法人组织",
        "subject_uscc": EXAMPLE_USCC,
        "legal_representative": "王建国",
        "decision_number": "浙财采罚〔2026〕1号",
        "violation_type": "提供虚假材料谋取中标",
        "facts": "在政府采购项目 ZJCG-2026-0183 中提供虚假业绩证明材料，谋取中标",
        "basis": "《中华人民共和国政府采购法》第七十七条第一款第（一）项",
        "categories": "罚款",
        "content": "罚款人民币伍仟元整",
        "fine_amount": Decimal("0.5"),
        "decided_on": dt.date(2026, 11, 2),
        "severity": "一般",
        "procedure": "普通程序",
        "domain": "政府采购",
        "project_code": "ZJCG-2026-0183",
    },
    "list-entries": {
        "subject_name": EXAMPLE_NAME,
        "subject_uscc": EXAMPLE_USCC,
        "subject_kind": "法人及非法人组织",
        "list_type": "黑名单",
        "list_name": "政府采购严重违法失信行为记录名单",
        "decision_number": "浙财采决〔2026〕1号",
        "reason_category": "提供虚假材料谋取中标、成交",
        "facts": "在政府采购项目 ZJCG-2026-0183 中提供虚假业绩证明材料",
        "legal_basis": "《中华人民共和国政府采购法》第七十七条",
        "listed_on": dt.date(2026, 11, 2),
        "expires_on": dt.date(2027, 11, 1),
        "domains": "政府采购",
        "project_code": "ZJCG-2026-0183",
    },
    "licences": {
        "subject_name": EXAMPLE_NAME,
        "subject_kind": "法人及非法人组织",
        "subject_uscc": EXAMPLE_USCC,
        "legal_representative": "王建国",
        "decision_document_name": "准予行政许可决定书",
        "decision_number": "浙建许〔2026〕21号",
        "licence_category": "核准",
        "licence_name": "建筑业企业资质证书",
        "licence_number": "D233098765",
        "content": "市政公用工程施工总承包叁级",
        "decided_on": dt.date(2026, 11, 2),
        "valid_from": dt.date(2026, 11, 2),
        "valid_to": dt.date(2031, 11, 1),
    },
}
