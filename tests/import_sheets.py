"""Spreadsheets for the import tests, built as supervisors' offices build them.

Enterprise names are region + 字号 + industry + form with 字号 taken from the repository's sample of
trade names (registry/demo_data/trade_names.txt, so every checkout builds the same sheets), codes are
valid 统一社会信用代码, and `shuanggongshi_sheet` is a 双公示 penalty sheet with good rows and a
few broken ones, as a real office's sheet has them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from registry.models import Authority
from registry.records.penalty_fields import PENALTY_FIELDS
from tests import factories

DEMO_NAMES = Path(__file__).resolve().parents[1] / "registry" / "demo_data" / "trade_names.txt"
STANDARD = [f.header for f in PENALTY_FIELDS]
PENALTY_HEADERS = [*STANDARD, "严重程度", "涉及领域"]
PERSON_ID = "110101199003078515"  # a valid 居民身份证 number (GB 11643 check digit)


@cache
def trade_names() -> tuple[str, ...]:
    """字号 of 2-3 Chinese characters, the same ones on every machine (every 997th usable line)."""
    words = [w.strip() for w in DEMO_NAMES.read_text(encoding="utf-8").splitlines()]
    usable = [w for w in words if 2 <= len(w) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in w)]
    return tuple(usable[:: max(1, len(usable) // 60)][:60])


def company(i: int, region: str = "杭州", industry: str = "建设工程") -> tuple[str, str]:
    """The i-th generated company: its name and a fresh valid code."""
    return f"{region}{trade_names()[i]}{industry}有限公司", factories.code()


def penalty_row(authority: Authority, name: str, code: str | None, number: str, **fields: Any) -> dict[str, Any]:
    """One 双公示 penalty row by standard header: a 罚款 of 0.5 万元 decided on 2026-11-02."""
    row: dict[str, Any] = {
        "行政相对人名称": name,
        "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": code,
        "法定代表人": "王建国",
        "行政处罚决定书文号": number,
        "违法行为类型": "提供虚假材料谋取中标",
        "违法事实": "在浙江省政府采购项目ZJCG-2026-0183中提供虚假业绩证明材料，谋取中标",
        "处罚依据": "《中华人民共和国政府采购法》第七十七条第一款第（一）项",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币伍仟元整",
        "罚款金额（万元）": 0.5,
        "处罚决定日期": dt.datetime(2026, 11, 2),
        "处罚机关": authority.name,
        "处罚机关统一社会信用代码": authority.uscc,
        "数据来源单位": authority.name,
        "数据来源单位统一社会信用代码": authority.uscc,
        "严重程度": "一般",
        "涉及领域": "政府采购",
    }
    row.update(fields)
    return row


def shuanggongshi_sheet(finance: Authority, housing: Authority) -> tuple[list[str], list[dict[str, Any]]]:
    """A 双公示 sheet of the finance authority: rows 2-7 and 12 are good, rows 8-11 are broken.

    Row 2 and row 12 are the same company (one subject, two decisions); row 3 is a 个体工商户
    without a code; row 5 is a natural person; row 8 gives its fine in 元; row 9 a day that does
    not exist; row 10 names the housing authority as 处罚机关; row 11 has a check character wrong.
    """
    first, first_code = company(0)
    second, _ = company(1, "杭州市西湖区", "五金")
    third, third_code = company(2, "宁波", "工程咨询")
    fourth, fourth_code = company(3, "温州", "物业管理")
    fifth, fifth_code = company(4, "绍兴", "园林绿化")
    broken = factories.code()
    rows = [
        penalty_row(finance, first, first_code, "浙财采罚〔2026〕101号"),
        penalty_row(
            finance,
            second.replace("有限公司", "店"),
            "00000000000000000X",
            "浙财采罚〔2026〕102号",
            **{
                "行政相对人类别": "个体工商户",
                "法定代表人": None,
                "处罚类别": "警告",
                "处罚内容": "警告",
                "罚款金额（万元）": None,
                "处罚决定日期": "2026/10/9",
                "严重程度": "轻微",
            },
        ),
        penalty_row(
            finance,
            third,
            third_code,
            "浙财采罚〔2026〕103号",
            **{
                "处罚类别": "罚款；没收违法所得",
                "处罚内容": "罚款人民币二万元，没收违法所得八千元",
                "罚款金额（万元）": "2",
                "没收违法所得、没收非法财物的金额（万元）": 0.8,
                "处罚决定日期": "2026年9月30日",
                "严重程度": "严重",
            },
        ),
        penalty_row(
            finance,
            "张伟",
            None,
            "浙财采罚〔2026〕104号",
            **{
                "行政相对人类别": "自然人",
                "法定代表人": None,
                "证件类型": "居民身份证",
                "证件号码": PERSON_ID,
                "违法行为类型": "评审专家违规评审",
                "处罚依据": "《中华人民共和国政府采购法实施条例》第七十五条",
                "罚款金额（万元）": "0.2",
            },
        ),
        penalty_row(finance, fourth, fourth_code, "浙财采罚〔2026〕105号", **{"处罚决定日期": "2026-10-20"}),
        penalty_row(finance, fifth, fifth_code, "浙财采罚〔2026〕106号", **{"罚款金额（万元）": "1.5万元"}),
        penalty_row(finance, fifth, fifth_code, "浙财采罚〔2026〕107号", **{"罚款金额（万元）": "2000元"}),
        penalty_row(finance, fourth, fourth_code, "浙财采罚〔2026〕108号", **{"处罚决定日期": "2026-02-30"}),
        penalty_row(
            finance,
            first,
            first_code,
            "浙建罚〔2026〕109号",
            **{"处罚机关": housing.name, "处罚机关统一社会信用代码": housing.uscc},
        ),
        penalty_row(
            finance, "宁波某某贸易有限公司", broken[:-1] + ("0" if broken[-1] != "0" else "1"), "浙财采罚〔2026〕110号"
        ),
        penalty_row(
            finance,
            first,
            first_code,
            "浙财采罚〔2026〕111号",
            **{
                "违法行为类型": "未按规定签订合同",
                "处罚类别": "警告",
                "处罚内容": "警告",
                "罚款金额（万元）": None,
                "严重程度": "轻微",
            },
        ),
    ]
    return PENALTY_HEADERS, rows


def xlsx_bytes(
    headers: Sequence[str],
    rows: Sequence[dict[str, Any] | Sequence[Any]],
    *,
    title: str | None = None,
    sheets: Sequence[str] = (),
) -> bytes:
    """An XLSX workbook as Excel writes one (shared strings): an optional title row, the header
    row, then the rows (dicts by header, or lists in header order)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "行政处罚"
    if title is not None:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    for name in sheets:
        book.create_sheet(name).append(["备注"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def csv_bytes(
    headers: Sequence[str], rows: Sequence[dict[str, Any] | Sequence[Any]], *, encoding: str = "utf-8-sig"
) -> bytes:
    """A CSV file: UTF-8 with a BOM by default (our exports), or GB18030 (Excel on a Chinese Windows)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(row.get(h)) for h in headers] if isinstance(row, dict) else [_text(v) for v in row])
    return text.getvalue().encode(encoding)
