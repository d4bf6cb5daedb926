"""The console shows a record's 失信相关人 to its own authority, and the reach of an entity's
records across the eight trading domains (issue 15, item 6)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests import factories
from tests.pages.conftest import sign_in

REP_ID = "110101199003078515"


def _listed(session: Session, world: factories.World):
    entity = factories.make_entity(session, "杭州合晟建设工程有限公司")
    entry = factories.make_list_entry(
        session,
        world.finance,
        entity,
        responsible_persons=[
            {"role": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number": REP_ID}
        ],
    )
    session.commit()
    return entity, entry


def test_the_own_authority_sees_the_persons_masked_and_a_link_to_the_reach(
    pages: FlaskClient, session: Session, world: factories.World
) -> None:
    entity, entry = _listed(session, world)
    sign_in(pages, world.finance_key)
    page = pages.get(f"/console/list-entries/{entry.id}").get_data(as_text=True)
    assert "失信相关人" in page
    assert "张三" in page
    assert "1101**********8515" in page
    assert REP_ID not in page
    assert f"/console/entities/{entity.id}/measures" in page


def test_the_reach_page_gives_each_domain_its_decision_and_basis(
    pages: FlaskClient, session: Session, world: factories.World
) -> None:
    entity, _ = _listed(session, world)
    sign_in(pages, world.finance_key)
    r = pages.get(f"/console/entities/{entity.id}/measures")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    procurement = page[page.index('id="domain-procurement"') :]
    procurement = procurement[: procurement.index("</tr>")]
    assert "不得参加" in procurement
    assert "政府采购法第七十七条" in procurement
    bidding = page[page.index('id="domain-construction_bidding"') :]
    bidding = bidding[: bidding.index("</tr>")]
    assert "重点核查" in bidding
    assert "发改财金〔2018〕1614号 惩戒措施（二）" in bidding
    assert "延及所涉记录的失信相关人" in bidding
    assert "按证件号码核实时为“需复核”，仅姓名相同时为“需复核”" in bidding  # in Chinese, from the catalogue
    assert "禁止：procurement.debarment 列入政府采购严重违法失信行为记录名单期间禁止参加政府采购活动" in procurement
    state_assets = page[page.index('id="domain-state_assets"') :]
    state_assets = state_assets[: state_assets.index("</tr>")]
    assert "无措施：本主体在力的 1 条记录在国有产权交易领域不触发任何惩戒或激励措施" in state_assets
    assert page.count('<tr id="domain-') == 8


def test_a_screener_is_not_let_into_the_console(pages: FlaskClient, session: Session, world: factories.World) -> None:
    entity, _ = _listed(session, world)
    sign_in(pages, world.screener_key)
    assert pages.get(f"/console/entities/{entity.id}/measures").status_code in (302, 403)


def test_another_authority_is_refused_the_record_page_and_so_its_persons(
    pages: FlaskClient, session: Session, world: factories.World
) -> None:
    _, entry = _listed(session, world)
    sign_in(pages, world.housing_key)
    r = pages.get(f"/console/list-entries/{entry.id}")
    assert r.status_code == 403
    assert "张三" not in r.get_data(as_text=True)
