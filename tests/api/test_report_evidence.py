"""专项信用报告 as evidence: each report is a leaf of the evidence tree beside the screenings,
anchored by the same step and signed by the same key; its verification carries the RFC 9162
inclusion proof, which the stand-alone script (docs/verify_evidence.py) checks without the
registry; the whole-tree check (verify-audit) catches a report rewritten after anchoring."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from registry.ledger import row_hash
from registry.models import CreditReport
from tests import factories
from tests.api.test_evidence import anchor, public_key, screen, verify_audit, verify_evidence
from tests.conftest import auth

URL = "/api/v1/credit-reports"


def issue(client, entity_id: int) -> dict[str, Any]:
    body = {"entity_id": entity_id, "purpose": "bidding", "from": "2023-11-24", "to": "2026-11-23"}
    r = client.post(URL, json=body)
    assert r.status_code == 201, r.json
    return r.json


def test_a_report_is_anchored_beside_screenings_and_its_proof_checks_out(app, client, session, world):
    company = factories.make_entity(session, "杭州存证建设工程有限公司")
    session.commit()
    report = issue(client, company.id)
    before = client.get(f"{URL}/{report['number']}/verify").json
    assert (before["valid"], before["anchored"], before["leaf_index"]) == (True, False, None)
    assert before["expected_by"]

    screening = screen(client, world.screener_key, "宁波乙贸易有限公司")
    assert "tree size 2" in anchor(app)
    answer = client.get(f"{URL}/{report['number']}/verify").json
    assert answer["valid"] is True, answer["problems"]
    assert answer["anchored"] is True
    # a batch takes the screenings first, then the reports
    assert answer["leaf_index"] == 1
    assert (
        client.get(f"/api/v1/screenings/{screening['id']}/verify", headers=auth(world.screener_key)).json["leaf_index"]
        == 0
    )
    document = json.dumps(report["document"], ensure_ascii=False).encode()
    assert verify_evidence.check(document, answer, public_key(client)) == report["digest"]
    assert answer["anchor"]["public_key"] == report["public_key"]  # one key signs reports and anchors


def test_a_report_rewritten_after_anchoring_fails_its_proof_and_the_tree_check(app, client, session, world):
    company = factories.make_entity(session, "温州改写科技有限公司")
    session.commit()
    report = issue(client, company.id)
    anchor(app)
    assert verify_audit(app)[0] == 0
    stored = session.scalars(sa.select(CreditReport)).one()
    altered = {**stored.document, "statements": ["报告期内无行政处罚记录。"]}
    session.execute(
        sa.update(CreditReport).where(CreditReport.id == stored.id).values(document=altered, digest=row_hash(altered))
    )
    session.commit()
    answer = client.get(f"{URL}/{report['number']}/verify").json
    assert answer["valid"] is False
    assert answer["digest_matches"] is True  # the digest was rewritten with it …
    assert any("differs from the document's digest" in p for p in answer["problems"])  # … the leaf was not
    code, output = verify_audit(app)
    assert code == 1
    assert f"leaf 0 is not the hash of credit report {stored.id}'s stored digest" in output


def test_a_licence_recorded_after_the_report_counts_as_a_change(client, session, world):
    company = factories.make_entity(session, "嘉兴许可建设有限公司")
    session.commit()
    report = issue(client, company.id)
    assert client.get(f"{URL}/{report['number']}/verify").json["changed_since"] is False
    licence = {
        "entity_id": company.id,
        "authority_id": world.finance.id,
        "decision_document_name": "准予行政许可决定书",
        "decision_number": "浙财许〔2026〕7号",
        "licence_category": "普通",
        "licence_name": "政府采购代理机构登记",
        "licence_number": "ZJCG-2026-007",
        "content": "准予登记",
        "decided_on": (dt.date(2026, 11, 20)).isoformat(),
        "valid_from": "2026-11-20",
    }
    r = client.post("/api/v1/licences", json=licence, headers=auth(world.finance_key))
    assert r.status_code == 201, r.json
    assert client.get(f"{URL}/{report['number']}/verify").json["changed_since"] is True
