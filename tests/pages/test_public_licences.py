"""The public entity page shows the company's 行政许可 (双公示's other half), with its state, and
says a licence is no credit failing; a licence kept from the public (保密审查) is not shown."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests import factories
from tests.conftest import auth


def test_the_entity_page_lists_its_published_licences(
    pages: FlaskClient, client: FlaskClient, world: factories.World, session
) -> None:
    entity = factories.make_entity(session, "杭州许可建设工程有限公司")
    session.commit()
    base = {
        "entity_id": entity.id,
        "decision_document_name": "建筑业企业资质证书核准决定书",
        "licence_category": "核准",
        "licence_name": "建筑业企业资质证书",
        "content": "建筑工程施工总承包贰级",
        "decided_on": "2026-11-02",
        "valid_from": "2026-11-02",
    }
    for number, extra in (
        ("浙建许〔2026〕88号", {}),
        ("浙建许〔2026〕89号", {"is_public": False, "not_public_reason": "涉及国家秘密"}),
    ):
        r = client.post(
            "/api/v1/licences", json={**base, "decision_number": number, **extra}, headers=auth(world.finance_key)
        )
        assert r.status_code == 201, r.json
    page = pages.get(f"/entities/{entity.id}").get_data(as_text=True)
    assert "行政许可（1 条）" in page
    assert "浙建许〔2026〕88号" in page
    assert "浙建许〔2026〕89号" not in page
    assert "不是失信记录" in page
    assert "有效" in page
