"""行政许可 sheets for the licence import tests, as a licensing office keeps them: the standard 双公示
行政许可 headers (written out here, not read from the importer, so a header the importer stops reading
fails the tests), one licence a row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.models import Authority

# The standard 双公示 行政许可 sheet, in its order.
LICENCE_HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "工商注册号",
    "组织机构代码",
    "税务登记号",
    "事业单位证书号",
    "社会组织登记证号",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]
# Headers an older sheet carries for the same fields (the 2015 standard and local variants).
OLDER = {
    "行政许可决定文书号": "行政许可决定书文号",
    "许可机关": "许可决定机关",
    "许可类别": "审批类别",
    "有效期至": "许可截止期",
}


def licence_row(authority: Authority, name: str, code: str | None, number: str, **fields: Any) -> dict[str, Any]:
    """One 行政许可 row by standard header: a 核准 decided on Monday 2026-11-02, valid five years."""
    row: dict[str, Any] = {
        "行政相对人名称": name,
        "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": code,
        "法定代表人": "李建华",
        "行政许可决定文书名称": "建筑业企业资质证书核准决定书",
        "行政许可决定文书号": number,
        "许可类别": "核准",
        "许可证书名称": "建筑业企业资质证书",
        "许可编号": f"D2330{number[-4:-1]}",
        "许可内容": "建筑工程施工总承包贰级",
        "许可决定日期": dt.datetime(2026, 11, 2),
        "有效期自": dt.datetime(2026, 11, 2),
        "有效期至": dt.datetime(2031, 11, 1),
        "许可机关": authority.name,
        "许可机关统一社会信用代码": authority.uscc,
        "当前状态": "有效",
        "数据来源单位": authority.name,
        "数据来源单位统一社会信用代码": authority.uscc,
        "备注": None,
    }
    row.update(fields)
    return row
