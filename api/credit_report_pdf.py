"""A 专项信用报告 as PDF (ReportLab): A4, the Chinese font embedded (a subset of the machine's CJK
TrueType font), the report's number, digest and signature, and a QR code with the address where
anyone can verify it. The PDF carries the number in its metadata (Subject) too, so the verification
page can read it from an uploaded file.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "RegistryCJK"
# Where Debian keeps CJK TrueType fonts (fonts-wqy-microhei, fonts-noto-cjk, fonts-droid-fallback);
# REGISTRY_REPORT_FONT names another file.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
BEIJING = dt.timezone(dt.timedelta(hours=8))


class NoChineseFont(RuntimeError):
    """No CJK font on this machine: a PDF without one would show empty boxes."""


def _register_font(configured: str | None) -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if path and Path(path).is_file():
            pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
            return
    raise NoChineseFont("no Chinese TrueType font found (install fonts-wqy-microhei, or set REGISTRY_REPORT_FONT)")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=1, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "mono": ParagraphStyle("mono", parent=base, fontSize=7.5, leading=10, wordWrap="CJK"),
    }


def _table(rows: list[list[str]], widths: list[float], style: ParagraphStyle) -> Table:
    cells = [[Paragraph(str(c), style) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url)
    left, bottom, right, top = widget.getBounds()
    size = 32 * mm
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    return drawing


def _penalty_rows(doc: dict[str, Any]) -> list[list[str]]:
    rows = [["决定文书号", "处罚机关", "决定日期", "程序", "状态", "内容"]]
    for p in doc["penalties"]:
        content = (
            ""
            if p["state"] == "已修复"
            else "；".join(
                x for x in (p.get("violation_type"), "、".join(p.get("categories") or []), p.get("content")) if x
            )
        )
        rows.append([p["decision_number"], p["authority"], p["decided_on"], p["procedure"], p["state"], content])
    return rows


def _entry_rows(doc: dict[str, Any]) -> list[list[str]]:
    rows = [["名单", "决定文书号", "认定部门", "列入日期", "有效期至", "状态"]]
    for e in doc["list_entries"]:
        rows.append(
            [
                f"{e['list_name']}（{e['list_type']}）",
                e["decision_number"],
                e["authority"],
                e["listed_on"],
                e["expires_on"] or "未定",
                e["state"],
            ]
        )
    return rows


def render_pdf(report: Any, verify_url: str, *, font: str | None = None) -> bytes:
    """The report as an A4 PDF (raises NoChineseFont when the machine has none)."""
    _register_font(font)
    s = _styles()
    doc: dict[str, Any] = report.document
    subject = doc["subject"]
    issued = dt.datetime.fromisoformat(doc["issued_at"]).astimezone(BEIJING)
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"专项信用报告 {report.number}",
        subject=report.number,
        author=doc["issuer"],
    )
    width = A4[0] - 36 * mm
    story: list[Any] = [
        Paragraph(f"专项信用报告（{doc['purpose_name']}）", s["title"]),
        Paragraph(f"报告编号：{report.number}　　出具单位：{doc['issuer']}", s["base"]),
        Paragraph(
            f"出具时间：{issued:%Y年%m月%d日 %H:%M}（北京时间）　数据截至变更序号 {doc['data_as_of_seq']}　"
            f"报告范围：{'公开信息' if doc['audience'] == 'public' else '完整信息'}",
            s["base"],
        ),
        Spacer(1, 4 * mm),
        _table(
            [
                ["主体名称", subject["name"]],
                ["统一社会信用代码", subject.get("uscc") or "—"],
                ["主体类别", subject["kind"]],
                ["报告期", f"{doc['period']['from']} 至 {doc['period']['to']}"],
                ["涉及领域", "、".join(doc["domains"])],
            ],
            [35 * mm, width - 35 * mm],
            s["base"],
        ),
        Paragraph("一、结论", s["h2"]),
        *[Paragraph(text, s["base"]) for text in doc["statements"]],
        Paragraph("二、行政处罚", s["h2"]),
    ]
    if doc["penalties"]:
        story.append(
            _table(_penalty_rows(doc), [30 * mm, 28 * mm, 20 * mm, 16 * mm, 18 * mm, width - 112 * mm], s["small"])
        )
    else:
        story.append(Paragraph("报告期内无行政处罚记录。", s["base"]))
    story.append(Paragraph("三、失信主体名单", s["h2"]))
    if doc["list_entries"]:
        story.append(
            _table(_entry_rows(doc), [42 * mm, 28 * mm, 28 * mm, 20 * mm, 20 * mm, width - 138 * mm], s["small"])
        )
    else:
        story.append(Paragraph("报告期内无列入失信主体名单记录。", s["base"]))
    story.append(Paragraph("四、行政许可（不是失信记录）", s["h2"]))
    if doc.get("licences"):
        rows = [["许可决定文书号", "许可类别", "许可证书名称及编号", "许可机关", "决定日期", "有效期", "状态"]]
        for x in doc["licences"]:
            rows.append(
                [
                    x["decision_number"],
                    x["licence_category"],
                    f"{x.get('licence_name') or ''} {x.get('licence_number') or ''}",
                    x["authority"],
                    x["decided_on"],
                    f"{x['valid_from']} 至 {x['valid_to'] or '长期'}",
                    x["state"],
                ]
            )
        story.append(_table(rows, [26 * mm, 14 * mm, 30 * mm, 24 * mm, 18 * mm, 30 * mm, width - 142 * mm], s["small"]))
    else:
        story.append(Paragraph("报告期内无行政许可记录。", s["base"]))
    story += [
        Paragraph("五、核验", s["h2"]),
        Paragraph(f"SHA-256 摘要：{report.digest}", s["mono"]),
        Paragraph(f"Ed25519 签名：{report.signature}", s["mono"]),
        Paragraph(f"公钥：{report.public_key}", s["mono"]),
        Paragraph(
            f"扫描二维码或访问 {verify_url} 输入报告编号核验真伪，并查看出具后登记簿是否有新的变更。", s["small"]
        ),
        _qr(verify_url),
    ]
    pdf.build(story)
    return out.getvalue()
