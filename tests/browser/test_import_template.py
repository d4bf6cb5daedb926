"""The import template in a real browser: a supervisor downloads it from the console's import page,
fills in two rows (openpyxl standing in for Excel), uploads it with a file-wide 失信程度 and reads the
result, in Chinese. Screenshots are kept beside the other pages'."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from registry.imports.columns import COLUMNS
from tests import factories
from tests.browser.conftest import Site, screenshot, sign_in

# Latin words a Chinese page may show: file formats and encodings, the template's file name.
ALLOWED_LATIN = {"Excel", "XLSX", "CSV", "UTF", "GB18030", "xlsx"}


def _rows() -> list[dict[str, Any]]:
    rows = []
    for i, (name, categories) in enumerate(
        [("杭州模板一建设工程有限公司", "罚款"), ("宁波模板二市政工程有限公司", "警告；罚款")]
    ):
        rows.append(
            {
                "subject_name": name,
                "subject_uscc": factories.code("91330206"),
                "subject_kind": "法人及非法人组织",
                "decision_number": f"浙财采罚〔2026〕{961 + i}号",
                "violation_type": "提供虚假材料谋取中标",
                "facts": "在政府采购项目中提供虚假业绩证明材料",
                "basis": "《中华人民共和国政府采购法》第七十七条",
                "categories": categories,
                "content": "罚款人民币伍仟元整",
                "fine_amount": 0.5,
                "decided_on": dt.date(2026, 11, 2 + i),
            }
        )
    return rows


def test_the_template_downloaded_filled_and_imported(page: Any, site: Site, tmp_path: Path) -> None:
    sign_in(page, site, "supervisor")
    page.goto(site.url + "/console/import")
    assert page.get_by_role("heading", name="导入模板").is_visible()
    screenshot(page, "50-import-form-with-templates")

    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile("下载行政处罚导入模板")).click()
    download = started.value
    assert download.suggested_filename == "行政处罚导入模板.xlsx"
    template = tmp_path / download.suggested_filename
    download.save_as(template)

    book = load_workbook(template)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS["penalties"]]
    for row in _rows():  # 严重程度 and 涉及领域 left empty: the file-wide default and the authority's one domain
        sheet.append([row.get(c.name) for c in COLUMNS["penalties"]])
    book.save(template)

    page.set_input_files("#file", str(template))
    page.select_option("#default_severity", "general")
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    main = page.locator("main")
    text = main.inner_text()
    assert "导入结果：已导入" in text
    result = main.locator("section.import-report table").first
    assert result.locator("tr", has_text="新登记").inner_text().split()[-1] == "2"
    assert "文件默认失信程度" in text
    assert "只读取了第一个工作表「行政处罚」，其余工作表未读取" in text
    assert "校验报告（" not in main.locator("section.import-report").inner_text()  # no problem to report
    latin = set(re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", text)) - ALLOWED_LATIN
    assert not latin, f"English on the page: {latin}"
    screenshot(page, "51-import-template-result")

    # The same file again: every row already recorded, nothing written twice.
    page.set_input_files("#file", str(template))
    page.select_option("#default_severity", "general")
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    again = page.locator("main section.import-report table").first
    assert again.locator("tr", has_text="已登记且内容相同").inner_text().split()[-1] == "2"
    assert again.locator("tr", has_text="新登记").inner_text().split()[-1] == "0"
    screenshot(page, "52-import-template-again")
