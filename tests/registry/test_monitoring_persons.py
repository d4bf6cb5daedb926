"""A watch follows the subject's persons too (持续监测 of 失信相关人, 发改法规〔2018〕457号): a watched
bidder's legal representative later named, by the same ID number, as a 失信相关人 of another
company's penalty or list entry raises one alert whose details show the person link. Another
person (another number) or a person named without a number raises none; the watch keeps the
person's masked number and keyed hash only, never the number."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from stdnum.cn import ric

from registry.codes.idnumber import mask
from registry.models import Alert, Screening, Watch, WatchPerson
from registry.monitoring.detect import check_watches
from registry.monitoring.watch_index import WatchIndex
from registry.runtime import Runtime
from registry.screening.name_index import NameIndex, default_matcher
from tests import factories
from tests.conftest import auth

TODAY = dt.date(2026, 11, 23)
BIDDER = "宁波新开元贸易有限公司"
OTHER_COMPANY = "杭州合晟建设工程有限公司"  # resembles the bidder in nothing: found through the person only


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


REP_ID = resident_id("33010619800101123")
OTHER_ID = resident_id("33010219750505432")
EXPERT_ID = resident_id("33010519700303111")


@pytest.fixture(autouse=True)
def index(runtime: Runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


def screen(client: Any, world: factories.World, subjects: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    r = client.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": "ZJCG-2026-0101", "subjects": subjects, **extra},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    assert r.json["decision"] == "clear"
    return dict(r.json)


def bidder(**rep: Any) -> dict[str, Any]:
    return {"name": BIDDER, "legal_representative": {"name": "张三", **rep}}


def name_the_person(session: Session, world: factories.World, kind: str = "penalty", **person: Any) -> int:
    """Another company's new serious penalty (or black-list entry) naming the person as its 失信相关人."""
    other = factories.make_entity(session, OTHER_COMPANY)
    persons = [{"role": "legal_representative", "name": "张三", **person}]
    if kind == "penalty":
        record: Any = factories.make_penalty(
            session, world.finance, other, severity="serious", responsible_persons=persons
        )
    else:
        record = factories.make_list_entry(session, world.finance, other, responsible_persons=persons)
    session.commit()
    return int(record.id)


def check(session: Session, runtime: Runtime, index: WatchIndex) -> list[Alert]:
    report = check_watches(session, index, runtime.name_index, runtime.measures, TODAY)
    session.commit()
    return report.alerts


@pytest.mark.parametrize("kind", ["penalty", "list_entry"])
def test_the_watched_bidders_representative_named_elsewhere_raises_one_alert(
    client: Any, session: Session, runtime: Runtime, world: factories.World, kind: str
) -> None:
    made = screen(client, world, [bidder(id_type="resident_id", id_number=REP_ID)], watch_until="2027-01-31")
    (watch,) = session.scalars(sa.select(Watch).where(Watch.screening_id == made["id"]))
    assert [p.shown() for p in watch.persons] == [
        {"capacity": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number_masked": mask(REP_ID)}
    ]
    index = WatchIndex()
    assert check(session, runtime, index) == []  # the screening's own events raise nothing

    record_id = name_the_person(session, world, kind, id_type="resident_id", id_number=REP_ID)
    (alert,) = check(session, runtime, index)
    assert (alert.watch_id, alert.decision_then, alert.decision_now) == (watch.id, "clear", "review")
    assert alert.details["hits"] == []  # not found by name: by the person
    (link,) = alert.details["person_links"]
    assert (link["identified_by"], link["role"], link["record_type"], link["record_id"]) == (
        "id_number",
        "legal_representative",
        kind,
        record_id,
    )
    assert (link["entity_name"], link["id_number_masked"]) == (OTHER_COMPANY, mask(REP_ID))
    assert alert.entity_id == link["entity_id"]
    assert any("法定代表人 张三" in r and OTHER_COMPANY in r for r in alert.details["reasons"])
    assert alert.details["persons"][0]["id_number_masked"] == mask(REP_ID)
    assert check(session, runtime, index) == []  # raised once

    # The agency reads it, with the link, through the API and on its page.
    (shown,) = client.get("/api/v1/alerts", headers=auth(world.screener_key)).json["items"]
    assert shown["details"]["person_links"][0]["record_id"] == record_id


@pytest.mark.parametrize(
    "person",
    [
        {"id_type": "resident_id", "id_number": OTHER_ID},  # the same name, another number: another person
        {},  # named without a number: not followed
    ],
)
def test_another_person_or_a_name_alone_raises_nothing(
    client: Any, session: Session, runtime: Runtime, world: factories.World, person: dict[str, Any]
) -> None:
    screen(client, world, [bidder(id_number=REP_ID)], watch_until="2027-01-31")
    index = WatchIndex()
    check(session, runtime, index)
    name_the_person(session, world, **person)
    assert check(session, runtime, index) == []


def test_a_representative_given_by_name_alone_is_not_followed(
    client: Any, session: Session, runtime: Runtime, world: factories.World
) -> None:
    made = screen(client, world, [bidder()], watch_until="2027-01-31")
    (watch,) = session.scalars(sa.select(Watch).where(Watch.screening_id == made["id"]))
    assert watch.persons == []
    kept = sa.select(Screening.id).where(Screening.id == made["id"], Screening.person_fingerprints.is_(None))
    assert session.scalar(kept) == made["id"]  # no hash to keep: SQL NULL
    index = WatchIndex()
    check(session, runtime, index)
    name_the_person(session, world, id_type="resident_id", id_number=REP_ID)
    assert check(session, runtime, index) == []


def test_a_watch_made_later_follows_the_person_and_an_expert_too(
    client: Any, session: Session, runtime: Runtime, world: factories.World
) -> None:
    expert = {"name": "王五", "role": "评标评审专家", "id_type": "resident_id", "id_number": EXPERT_ID}
    made = screen(client, world, [bidder(id_number=REP_ID), {"name": "温州清白科技有限公司"}, expert])
    watched = client.post(
        "/api/v1/watches",
        json={"screening_id": made["id"], "watch_until": "2027-01-31"},
        headers=auth(world.screener_key),
    )
    assert watched.status_code == 201, watched.json
    assert [[p["capacity"] for p in w["persons"]] for w in watched.json] == [["legal_representative"], [], ["self"]]
    assert watched.json[2]["persons"][0]["id_number_masked"] == mask(EXPERT_ID)
    index = WatchIndex()
    check(session, runtime, index)

    other = factories.make_entity(session, OTHER_COMPANY)
    factories.make_list_entry(
        session,
        world.finance,
        other,
        responsible_persons=[
            {"role": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number": REP_ID},
            {"role": "evaluation_expert", "name": "王五", "id_type": "resident_id", "id_number": EXPERT_ID},
        ],
    )
    session.commit()
    alerts = check(session, runtime, index)
    assert sorted((a.subject_index, a.decision_now) for a in alerts) == [(0, "review"), (2, "review")]
    listed = client.get("/api/v1/watches?active=true", headers=auth(world.screener_key)).json["items"]
    assert {w["subject_index"]: w["alerted_decision"] for w in listed} == {0: "review", 1: None, 2: "review"}


def test_ended_watches_do_not_follow_their_persons(
    client: Any, session: Session, runtime: Runtime, world: factories.World
) -> None:
    made = screen(client, world, [bidder(id_number=REP_ID)], watch_until="2027-01-31")
    (watch,) = session.scalars(sa.select(Watch).where(Watch.screening_id == made["id"]))
    ended = client.post(
        f"/api/v1/watches/{watch.id}/end", json={"reason": "合同已签订"}, headers=auth(world.screener_key)
    )
    assert ended.status_code == 200, ended.json
    index = WatchIndex()
    check(session, runtime, index)
    name_the_person(session, world, id_type="resident_id", id_number=REP_ID)
    assert check(session, runtime, index) == []


def test_the_number_is_stored_nowhere_in_clear(
    client: Any, session: Session, runtime: Runtime, world: factories.World
) -> None:
    made = screen(client, world, [bidder(id_number=REP_ID)], watch_until="2027-01-31")
    index = WatchIndex()
    check(session, runtime, index)
    name_the_person(session, world, id_type="resident_id", id_number=REP_ID)
    (alert,) = check(session, runtime, index)
    screening = session.get_one(Screening, made["id"])
    (kept,) = screening.person_fingerprints or []
    (person,) = session.scalars(sa.select(WatchPerson))
    assert kept == {"subject_index": 0, "capacity": "legal_representative", "fingerprint": person.fingerprint}
    assert person.fingerprint == factories.VAULT.fingerprint("resident_id", REP_ID)
    assert "fingerprint" not in json.dumps(screening.document)  # the signed document: the masked number only
    stored = json.dumps(
        [screening.document, screening.person_fingerprints, alert.details, person.shown(), person.fingerprint],
        ensure_ascii=False,
    )
    for form in (REP_ID, REP_ID[:17], REP_ID.lower()):
        assert form not in stored
    page = client.get(f"/api/v1/watches?screening_id={made['id']}", headers=auth(world.screener_key))
    assert REP_ID not in page.get_data(as_text=True)
    assert person.fingerprint not in page.get_data(as_text=True)
    assert person.fingerprint not in client.get(
        f"/api/v1/screenings/{made['id']}", headers=auth(world.screener_key)
    ).get_data(as_text=True)
