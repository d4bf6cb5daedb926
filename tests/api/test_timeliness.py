"""/api/v1/reports/timeliness: the disclosure timeliness report (公开时效) as JSON and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from api.csv_render import cell
from tests import factories, timeliness_scenario
from tests.conftest import auth

PATH = "/api/v1/reports/timeliness"
PERIOD = {"from": "2026-09-01", "to": "2026-11-30"}


@pytest.fixture
def scenario(session, world):
    return timeliness_scenario.build(session, world)


def rows_of(response):
    """The CSV body as Excel would read it: the BOM marks UTF-8."""
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_json_report_per_authority_with_totals_and_overdue(client, scenario, world):
    r = client.get(PATH, query_string=PERIOD, headers=auth(world.admin_key))
    assert r.status_code == 200, r.json
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Vary"] == "Accept"
    body = r.json
    assert (body["from"], body["to"], body["as_of"]) == ("2026-09-01", "2026-11-30", "2026-11-23")
    land = next(a for a in body["authorities"] if a["authority_id"] == scenario.land.id)
    assert land["authority_name"] == "浙江省自然资源厅"
    assert {k: land[k] for k in ("on_time", "late", "overdue", "pending", "exempt")} == {
        "on_time": 2,
        "late": 2,
        "overdue": 1,
        "pending": 1,
        "exempt": 2,
    }
    assert (land["exempt_not_public"], land["exempt_not_publishable"]) == (1, 1)
    assert land["on_time_rate"] == 0.4
    assert (land["median_delay_working_days"], land["median_working_days_late"]) == (7.5, 2.5)
    assert body["total"]["records"] == 11
    assert body["total"]["authority_id"] is None
    assert [(o["record_type"], o["record_id"], o["working_days_overdue"]) for o in body["overdue"]] == [
        ("penalty", scenario.unpublished.id, 25),
        ("list_entry", scenario.entry_unpublished.id, 12),
    ]
    assert body["overdue"][0]["due_on"] == "2026-10-19"


def test_platform_reads_it_too(client, scenario, world):
    r = client.get(PATH, query_string=PERIOD, headers=auth(world.platform_key))
    assert r.status_code == 200
    assert len(r.json["authorities"]) == 2


def test_a_supervisor_reads_its_own_authority_only(client, scenario, world):
    own = client.get(PATH, query_string=PERIOD, headers=auth(world.finance_key))
    assert own.status_code == 200
    assert [a["authority_id"] for a in own.json["authorities"]] == [world.finance.id]
    assert [o["record_type"] for o in own.json["overdue"]] == ["list_entry"]
    other = client.get(PATH, query_string={**PERIOD, "authority_id": scenario.land.id}, headers=auth(world.housing_key))
    assert other.status_code == 403
    assert f"不能查看机关 {scenario.land.id} 的统计" in other.json["message"]
    assert f"authority {scenario.land.id}" in other.json["message_en"]


def test_screeners_and_the_public_are_refused(client, scenario, world):
    assert client.get(PATH, query_string=PERIOD, headers=auth(world.screener_key)).status_code == 403
    assert client.get(PATH, query_string=PERIOD).status_code == 401
    assert client.get(f"{PATH}/overdue", query_string=PERIOD).status_code == 401


def test_record_type_narrows_the_report(client, scenario, world):
    r = client.get(PATH, query_string={**PERIOD, "record_type": "list_entry"}, headers=auth(world.admin_key))
    assert r.status_code == 200
    assert r.json["record_types"] == ["list_entry"]
    assert r.json["total"]["records"] == 3
    both = client.get(
        f"{PATH}?from=2026-09-01&to=2026-11-30&record_type=penalty&record_type=list_entry",
        headers=auth(world.admin_key),
    )
    assert both.json["total"]["records"] == 11


def test_csv_has_bilingual_headers_one_row_per_authority_and_a_total(client, scenario, world):
    r = client.get(PATH, query_string={**PERIOD, "format": "csv"}, headers=auth(world.admin_key))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="timeliness_2026-09-01_2026-11-30_as-of-2026-11-23.csv"'
    )
    assert b"\r\n" in r.data  # Excel's line ends
    header, *rows = rows_of(r)
    assert header[:6] == [
        "机关名称 Authority",
        "机关编号 Authority ID",
        "记录数 Records",
        "按时公开 On time",
        "逾期公开 Late",
        "逾期未公开 Overdue",
    ]
    assert "按时公开率 On-time rate" in header
    assert [row[0] for row in rows] == ["浙江省财政厅", "浙江省自然资源厅", "合计 Total"]
    land = dict(zip(header, rows[1], strict=True))
    assert land["按时公开 On time"] == "2"
    assert land["按时公开率 On-time rate"] == "40.00%"
    assert land["公开用时中位数（工作日） Median working days to publish"] == "7.5"
    assert land["含推定日历 Provisional calendar"] == "否 no"
    total = dict(zip(header, rows[2], strict=True))
    assert (total["机关编号 Authority ID"], total["记录数 Records"], total["按时公开率 On-time rate"]) == (
        "",
        "11",
        "37.50%",
    )


def test_accept_text_csv_gets_csv(client, scenario, world):
    r = client.get(PATH, query_string=PERIOD, headers=auth(world.admin_key, Accept="text/csv"))
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    explicit = client.get(
        PATH, query_string={**PERIOD, "format": "json"}, headers=auth(world.admin_key, Accept="text/csv")
    )
    assert explicit.mimetype == "application/json"


def test_overdue_records_as_csv(client, scenario, world):
    r = client.get(
        f"{PATH}/overdue",
        query_string={**PERIOD, "format": "csv", "authority_id": scenario.land.id},
        headers=auth(world.admin_key),
    )
    assert r.status_code == 200
    assert 'filename="timeliness-overdue_2026-09-01_2026-11-30_authority-' in r.headers["Content-Disposition"]
    header, *rows = rows_of(r)
    assert header == [
        "记录类型 Record type",
        "记录编号 Record ID",
        "机关名称 Authority",
        "机关编号 Authority ID",
        "行政相对人名称 Subject",
        "决定书文号 Decision number",
        "决定日期 Decided on",
        "应公开日期 Due on",
        "逾期工作日 Working days overdue",
        "含推定日历 Provisional calendar",
    ]
    assert rows == [
        [
            "行政处罚 penalty",
            str(scenario.unpublished.id),
            "浙江省自然资源厅",
            str(scenario.land.id),
            "杭州合晟置业有限公司",
            "浙自然资罚〔2026〕5号",
            "2026-10-09",
            "2026-10-19",
            "25",
            "否 no",
        ]
    ]


def test_overdue_records_as_json(client, scenario, world):
    r = client.get(f"{PATH}/overdue", query_string=PERIOD, headers=auth(world.finance_key))
    assert r.status_code == 200
    assert set(r.json) == {"from", "to", "as_of", "record_types", "overdue"}
    [entry] = r.json["overdue"]
    assert (entry["record_id"], entry["subject_name"], entry["due_on"]) == (
        scenario.entry_unpublished.id,
        "宁波甬达信息技术有限公司",
        "2026-11-05",
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-10-01", "to": "2026-09-30"}, "to"),
        ({"from": "2024-01-01", "to": "2027-01-01"}, "to"),
        ({"from": "2026-13-01", "to": "2026-12-31"}, "from"),
        ({"to": "2026-12-31"}, "from"),
        ({**PERIOD, "record_type": "screening"}, "record_type.0"),
        ({**PERIOD, "format": "xlsx"}, "format"),
        ({**PERIOD, "authority": "3"}, "authority"),
    ],
)
def test_bad_arguments_are_422_naming_the_field(client, world, query, field):
    r = client.get(PATH, query_string=query, headers=auth(world.admin_key))
    assert r.status_code == 422, r.json
    assert field in r.json["errors"], r.json


def test_an_unknown_authority_is_422(client, world):
    r = client.get(PATH, query_string={**PERIOD, "authority_id": 999_999}, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert "authority_id" in r.json["errors"]


def test_the_openapi_document_names_both_formats(client):
    spec = client.get("/api/v1/openapi.json").json
    content = spec["paths"][PATH]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv"}
    assert f"{PATH}/overdue" in spec["paths"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 571", "'+86 571"),
        ("浙自然资罚〔2026〕5号", "浙自然资罚〔2026〕5号"),
        (-3, -3),
        (2.0, 2),
        (None, ""),
        (True, "是 yes"),
    ],
)
def test_cells_are_safe_to_open_in_excel(value, shown):
    assert cell(value) == shown


def test_by_default_the_report_counts_licences_too(client, session, scenario, world):
    """双公示 is penalties and licences: a licence is counted without being asked for by name."""
    entity = factories.make_entity(session, "杭州时效许可科技有限公司")
    session.commit()
    body = {
        "entity_id": entity.id,
        "authority_id": world.finance.id,
        "decision_document_name": "准予行政许可决定书",
        "decision_number": "浙财许〔2026〕31号",
        "licence_category": "登记",
        "content": "准予登记",
        "decided_on": "2026-11-02",
        "valid_from": "2026-11-02",
    }
    assert client.post("/api/v1/licences", json=body, headers=auth(world.finance_key)).status_code == 201
    r = client.get(PATH, query_string=PERIOD, headers=auth(world.admin_key))
    assert r.status_code == 200, r.json
    assert r.json["record_types"] == ["penalty", "list_entry", "licence"]
    asked = client.get(
        PATH, query_string={**PERIOD, "record_type": ["penalty", "list_entry"]}, headers=auth(world.admin_key)
    )
    assert r.json["total"]["records"] == asked.json["total"]["records"] + 1
    assert r.json["total"]["late"] == asked.json["total"]["late"] + 1  # due 2026-11-11, published 2026-11-23
