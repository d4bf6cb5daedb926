"""最终处理意见 on the result page: offered only after a hit of the bidder was marked a false positive;
refused with the typed values kept; once recorded, shown on the bidder, in the summary and on the
print, beside (never inside) the digested document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.models import Entity, FinalDecision, Screening
from tests import factories
from tests.pages.conftest import csrf_of, sign_in
from tests.pages.test_screening_pages import LISTED, screening_id, subject_section, submit

REASON = "经核对营业执照，统一社会信用代码不同，非名单主体"


@pytest.fixture
def listed(session: Session, world: factories.World) -> Entity:
    entity = factories.make_entity(session, LISTED)
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    return entity


@pytest.fixture
def screener(pages: FlaskClient, world: factories.World) -> FlaskClient:
    sign_in(pages, world.screener_key)
    return pages


def _mark_false_positive(screener: FlaskClient, sid: int, entity: Entity) -> None:
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    form = {"csrf": csrf_of(page), "subject_index": "0", "entity_id": str(entity.id), "disposition": "false_positive"}
    assert screener.post(f"/screening/{sid}/dispositions", data={**form, "reason": "同名不同主体"}).status_code == 303


def test_the_form_comes_after_a_false_positive_and_the_decision_is_shown_beside(
    screener: FlaskClient, session: Session, listed: Entity
) -> None:
    sid = screening_id(submit(screener, bidders=LISTED))
    before = subject_section(screener.get(f"/screening/{sid}").get_data(as_text=True), 0)
    assert 'action="/screening/' + str(sid) + '/final-decisions"' not in before
    assert "请先在该命中下方标记“误报”，再记录最终处理意见" in before

    _mark_false_positive(screener, sid, listed)
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    assert f'action="/screening/{sid}/final-decisions"' in subject_section(page, 0)
    form = {"csrf": csrf_of(page), "subject_index": "0"}
    refused = screener.post(f"/screening/{sid}/final-decisions", data={**form, "reason": REASON})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "最终处理意见未保存" in body
    assert "请选择：准予参与或不予参与" in body
    assert REASON in body  # what was typed is kept
    assert session.scalar(sa.select(sa.func.count()).select_from(FinalDecision)) == 0

    done = screener.post(f"/screening/{sid}/final-decisions", data={**form, "decision": "admitted", "reason": REASON})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/screening/{sid}#final-0"
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    assert "最终处理意见：准予参与</strong>" in subject_section(page, 0)
    assert REASON in subject_section(page, 0)
    summary = page[: page.index('class="details-title"')]
    assert "最终处理意见：准予参与</strong>" in summary
    assert '<span class="tag decision-block">禁止</span>' in subject_section(page, 0)  # the decision stays
    evidence = screener.get(f"/screening/{sid}/evidence").get_data(as_text=True)
    assert "最终处理意见：准予参与" in evidence
    assert "与存证文档分开保存" in evidence
    stored = session.get_one(Screening, sid)
    assert "final" not in str(stored.document)  # never inside the digested document
