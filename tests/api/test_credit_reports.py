"""专项信用报告 through the API: a company with two penalties (one repaired) and a list entry asks
for a three-year bidding report; the public report shows what is published, the full one every
record labelled (the repaired one 已修复, without content); the report verifies, fails when one byte
of the stored document is altered, and says when the registry changed since; the PDF embeds its
Chinese font and carries its number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.credit_report_pdf import FONT_CANDIDATES
from registry.models import CreditReport, Penalty
from tests import factories
from tests.conftest import auth

URL = "/api/v1/credit-reports"


@pytest.fixture
def company(session, world) -> dict[str, Any]:
    entity = factories.make_entity(session, "杭州报告建设工程有限公司")
    fined = factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 10, 9), severity="general")
    repaired = factories.make_penalty(
        session, world.finance, entity, decided_on=dt.date(2024, 9, 1), severity="general"
    )
    session.get_one(Penalty, repaired.id).repaired_on = dt.date(2025, 3, 1)
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    return {"entity": entity, "fined": fined, "repaired": repaired}


def ask(client, key: str | None = None, **fields: Any):
    body = {"uscc": fields.pop("uscc", None), "purpose": "bidding", "from": "2023-11-24", "to": "2026-11-23", **fields}
    body = {k: v for k, v in body.items() if v is not None}
    return client.post(URL, json=body, headers=auth(key) if key else {})


def test_the_public_report_shows_only_what_is_published(client, company):
    r = ask(client, uscc=company["entity"].uscc)
    assert r.status_code == 201, r.json
    doc = r.json["document"]
    assert (r.json["audience"], doc["purpose_name"], doc["subject"]["name"]) == (
        "public",
        "招标投标",
        "杭州报告建设工程有限公司",
    )
    assert [p["decision_number"] for p in doc["penalties"]] == [company["fined"].decision_number]
    assert doc["penalties"][0]["state"] == "公示中"
    assert doc["list_entries"][0]["state"] == "有效"
    assert "报告期内有行政处罚记录 1 条。" in doc["statements"]
    # 发改财金〔2025〕565号 asks for 行政强制 and 刑事裁判 too: the registry holds neither and says so
    assert [s for s in doc["statements"] if s.startswith("本登记簿不归集")] == [
        "本登记簿不归集行政强制信息，本报告不证明该主体无行政强制记录，请向作出决定的机关或信用中国核实。",
        "本登记簿不归集刑事裁判（犯罪记录）信息，本报告不证明该主体无犯罪记录，请向公安机关或信用中国核实。",
    ]
    assert r.json["links"]["verify"].endswith(f"/api/v1/credit-reports/{r.json['number']}/verify")


def test_the_full_report_labels_a_repaired_penalty_without_its_content(client, session, world, company):
    r = ask(client, world.screener_key, entity_id=company["entity"].id)
    assert r.status_code == 201, r.json
    penalties = r.json["document"]["penalties"]
    assert [p["state"] for p in penalties] == ["已修复", "公示中"]  # oldest first
    old = factories.make_penalty(session, world.finance, company["entity"], decided_on=dt.date(2024, 1, 10))
    session.commit()
    states = {
        p["decision_number"]: p["state"]
        for p in ask(client, world.screener_key, entity_id=company["entity"].id).json["document"]["penalties"]
    }
    assert states[old.decision_number] == "已过公示期"  # in the full report, labelled; never in the public one
    public = ask(client, uscc=company["entity"].uscc).json["document"]["penalties"]
    assert old.decision_number not in [p["decision_number"] for p in public]
    assert set(penalties[0]) == {
        "decision_number",
        "authority",
        "decided_on",
        "procedure",
        "domain",
        "state",
        "repaired_on",
    }
    assert penalties[1]["content"]


def test_a_report_verifies_until_altered_and_says_when_the_registry_changed(client, session, world, company):
    made = ask(client, uscc=company["entity"].uscc).json
    check = client.get(f"{URL}/{made['number']}/verify").json
    assert (check["valid"], check["signature_valid"], check["changed_since"]) == (True, True, False)
    assert check["public_key"] == client.get("/api/v1/evidence/key").json["public_key"]

    factories.make_penalty(session, world.finance, company["entity"], decided_on=dt.date(2026, 11, 20))
    session.commit()
    assert client.get(f"{URL}/{made['number']}/verify").json["changed_since"] is True

    stored = session.scalars(sa.select(CreditReport)).one()
    altered = {**stored.document, "subject": {**stored.document["subject"], "name": "杭州报告建设工程有限公同"}}
    session.execute(sa.update(CreditReport).where(CreditReport.id == stored.id).values(document=altered))
    session.commit()
    check = client.get(f"{URL}/{made['number']}/verify").json
    assert (check["valid"], check["digest_matches"]) == (False, False)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"from": "2021-11-22"}, "from"),
        ({"to": "2026-11-24"}, "to"),
        ({"from": "2026-11-01", "to": "2026-10-01"}, "from"),
        ({"purpose": "gossip"}, "purpose"),
        ({"domains": ["fishing"]}, "domains"),
    ],
)
def test_a_bad_request_is_refused_naming_the_field(client, session, company, fields, field):
    r = ask(client, uscc=company["entity"].uscc, **fields)
    assert r.status_code == 422, r.json
    assert field in "".join(r.json["errors"])
    assert session.scalar(sa.select(sa.func.count()).select_from(CreditReport)) == 0


def test_a_natural_persons_report_is_never_given_to_the_public(client, session, world):
    person = factories.make_entity(
        session, "张伟", kind="natural_person", uscc=None, id_type="resident_id", id_number="110101199003074514"
    )
    session.commit()
    assert ask(client, entity_id=person.id).status_code == 403
    assert ask(client, world.finance_key, entity_id=person.id).status_code == 201


@pytest.mark.skipif(not any(Path(p).is_file() for p in FONT_CANDIDATES), reason="no CJK font on this machine")
def test_the_pdf_embeds_its_chinese_font_and_carries_its_number(client, company):
    made = ask(client, uscc=company["entity"].uscc).json
    r = client.get(f"{URL}/{made['number']}.pdf")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    pdf = r.get_data()
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # the TrueType font is embedded (subset)
    assert made["number"].encode() in pdf  # in the metadata: the verification page reads it from the file


def test_licences_are_listed_apart_and_counted_as_no_sanction(client, world, company):
    licence = {
        "entity_id": company["entity"].id,
        "decision_document_name": "建筑业企业资质证书核准决定书",
        "decision_number": "浙建许〔2026〕88号",
        "licence_category": "核准",
        "content": "建筑工程施工总承包贰级",
        "decided_on": "2026-11-02",
        "valid_from": "2026-11-02",
    }
    assert client.post("/api/v1/licences", json=licence, headers=auth(world.finance_key)).status_code == 201
    doc = ask(client, uscc=company["entity"].uscc).json["document"]
    assert [(x["decision_number"], x["state"]) for x in doc["licences"]] == [("浙建许〔2026〕88号", "有效")]
    assert "报告期内有行政许可记录 1 条（行政许可不是失信记录）。" in doc["statements"]
