"""监测预警 and 持续监测 pages: a screener watches a screening from its result page, sees the alert
when a bidder is listed, acknowledges it (refused without a reason, what was typed kept), and ends
a watch early."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.codes.idnumber import mask
from registry.models import Alert, Watch
from registry.monitoring.detect import check_watches
from registry.monitoring.watch_index import WatchIndex
from registry.runtime import Runtime
from registry.screening.name_index import NameIndex, default_matcher
from tests import factories
from tests.conftest import auth
from tests.pages.conftest import csrf_of, sign_in

BIDDERS = ["杭州合晟建设工程有限公司", "温州清白科技有限公司"]


@pytest.fixture(autouse=True)
def index(runtime: Runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


@pytest.fixture
def screener(pages: FlaskClient, world: factories.World) -> FlaskClient:
    sign_in(pages, world.screener_key)
    return pages


@pytest.fixture
def screening_id(client: FlaskClient, world: factories.World) -> int:
    r = client.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": "ZJCG-2026-0099", "subjects": [{"name": n} for n in BIDDERS]},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    return int(r.json["id"])


def test_watched_from_the_result_then_alerted_and_acknowledged(
    screener: FlaskClient, session: Session, runtime: Runtime, world: factories.World, screening_id: int
) -> None:
    result = screener.get(f"/screening/{screening_id}").get_data(as_text=True)
    assert 'id="watch_until" name="watch_until" value="2026-12-23"' in result  # a month on, offered
    token = csrf_of(result)
    bad = screener.post(f"/screening/{screening_id}/watch", data={"csrf": token, "watch_until": "明年"})
    assert bad.status_code == 303
    assert "请按 YYYY-MM-DD 填写监测截止日期" in screener.get(bad.headers["Location"]).get_data(as_text=True)
    r = screener.post(f"/screening/{screening_id}/watch", data={"csrf": token, "watch_until": "2027-01-15"})
    assert (r.status_code, r.headers["Location"]) == (303, "/watches")
    page = screener.get("/watches").get_data(as_text=True)
    assert f"已开始监测核查 {screening_id} 的 2 个投标人，至 2027-01-15（含）" in page
    assert all(name in page for name in BIDDERS)
    result = screener.get(f"/screening/{screening_id}").get_data(as_text=True)
    assert "本次核查的 2 个投标人在监测中，至 2027-01-15（含）" in result

    listed = factories.make_entity(session, BIDDERS[0])
    factories.make_list_entry(session, world.finance, listed)
    session.commit()
    check_watches(session, WatchIndex(), runtime.name_index, runtime.measures, dt.date(2026, 11, 23))
    session.commit()
    alert_id = session.scalars(sa.select(Alert.id)).one()

    page = screener.get("/alerts").get_data(as_text=True)
    assert "待处理的预警（1）" in page
    assert f"预警 {alert_id}：{BIDDERS[0]}" in page
    assert "政府采购严重违法失信行为记录名单" in page  # the record that set it off
    token = csrf_of(page)
    refused = screener.post(f"/alerts/{alert_id}/acknowledge", data={"csrf": token, "reason": " "})
    assert refused.status_code == 422
    assert "请写明理由" in refused.get_data(as_text=True)
    done = screener.post(f"/alerts/{alert_id}/acknowledge", data={"csrf": token, "reason": "已取消其中标候选人资格"})
    assert done.status_code == 303
    page = screener.get("/alerts").get_data(as_text=True)
    assert "没有待处理的预警" in page
    assert "已取消其中标候选人资格" in page


def test_a_watch_is_ended_early_with_a_reason(screener: FlaskClient, session: Session, screening_id: int) -> None:
    token = csrf_of(screener.get(f"/screening/{screening_id}").get_data(as_text=True))
    screener.post(f"/screening/{screening_id}/watch", data={"csrf": token, "watch_until": "2027-01-15"})
    first = session.scalars(sa.select(Watch.id).order_by(Watch.id)).first()
    page = screener.get("/watches").get_data(as_text=True)
    refused = screener.post(f"/watches/{first}/end", data={"csrf": csrf_of(page), "reason": ""})
    assert refused.status_code == 422
    assert (
        screener.post(f"/watches/{first}/end", data={"csrf": csrf_of(page), "reason": "合同已签订"}).status_code == 303
    )
    page = screener.get("/watches").get_data(as_text=True)
    assert "监测中（1）" in page
    assert "已结束或已到期" in page


def test_a_watch_from_the_result_page_follows_the_legal_representative(
    screener: FlaskClient, client: FlaskClient, session: Session, runtime: Runtime, world: factories.World
) -> None:
    """The result page's form watches the bidder's 法定代表人 too; named later, by the same ID number,
    as a 失信相关人 of another company's penalty, the alert on /alerts says who and where."""
    rep_id = "330106198001011235"
    r = client.post(
        "/api/v1/screenings",
        json={
            "domain": "procurement",
            "project_code": "ZJCG-2026-0100",
            "subjects": [
                {"name": "宁波新开元贸易有限公司", "legal_representative": {"name": "张三", "id_number": rep_id}}
            ],
        },
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    result = screener.get(f"/screening/{r.json['id']}").get_data(as_text=True)
    watched = screener.post(
        f"/screening/{r.json['id']}/watch", data={"csrf": csrf_of(result), "watch_until": "2027-01-15"}
    )
    assert watched.status_code == 303
    index = WatchIndex()
    check_watches(session, index, runtime.name_index, runtime.measures, dt.date(2026, 11, 23))
    other = factories.make_entity(session, BIDDERS[0])
    persons = [{"role": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number": rep_id}]
    factories.make_penalty(session, world.finance, other, severity="serious", responsible_persons=persons)
    session.commit()
    check_watches(session, index, runtime.name_index, runtime.measures, dt.date(2026, 11, 23))
    session.commit()
    page = screener.get("/alerts").get_data(as_text=True)
    assert "待处理的预警（1）" in page
    assert f"失信相关人：法定代表人 张三（{mask(rep_id)}） 是 {BIDDERS[0]}" in page
    assert f"{BIDDERS[0]} 的记录变更" in page  # the company whose penalty names the person
    assert rep_id not in page
