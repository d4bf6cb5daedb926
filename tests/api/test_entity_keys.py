"""A market entity's own key (role "entity", 信用代证): it asks for its own full credit report and
reads it back; about anyone else it gets what the public gets; it opens nothing else (the access
matrix, tests/api/test_access_matrix.py, holds it to the public's statuses on every operation).
Made by `flask registry create-key --role entity --entity <USCC or id>`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import Flask

from registry import access
from registry.errors import InvalidInput
from registry.models import ApiKey
from tests import factories
from tests.conftest import auth

URL = "/api/v1/credit-reports"
PERSON_ID = "110101199003074514"


def _report(client, key: str | None, entity_id: int):
    body = {"entity_id": entity_id, "purpose": "bidding", "from": "2023-11-24", "to": "2026-11-23"}
    return client.post(URL, json=body, headers=auth(key) if key else {})


@pytest.fixture
def companies(session, world):
    own = factories.make_entity(session, "杭州自证建设工程有限公司")
    other = factories.make_entity(session, "宁波他人贸易有限公司")
    # decided 2024-01-10: past its publication period, so in the full report only
    old = factories.make_penalty(session, world.finance, own, decided_on=dt.date(2024, 1, 10), severity="general")
    hidden = factories.make_penalty(
        session, world.finance, own, decided_on=dt.date(2026, 10, 9), is_public=False, not_public_reason="保密审查"
    )
    key = access.create_key(session, role="entity", name="杭州自证建设工程有限公司", entity_id=own.id)[1]
    session.commit()
    return {"own": own, "other": other, "old": old, "hidden": hidden, "key": key}


def test_the_entity_gets_its_own_full_report_and_reads_it_back(client, companies):
    r = _report(client, companies["key"], companies["own"].id)
    assert r.status_code == 201, r.json
    assert r.json["audience"] == "full"
    numbers = {p["decision_number"] for p in r.json["document"]["penalties"]}
    assert numbers == {companies["old"].decision_number, companies["hidden"].decision_number}
    public = _report(client, None, companies["own"].id).json["document"]["penalties"]
    assert public == []  # neither is published
    number = r.json["number"]
    assert client.get(f"{URL}/{number}", headers=auth(companies["key"])).status_code == 200
    assert client.get(f"{URL}/{number}").status_code == 404  # a full report is not the public's
    assert client.get(f"{URL}/{number}/verify").json["valid"] is True


def test_about_another_entity_it_gets_only_what_the_public_gets(client, session, companies):
    r = _report(client, companies["key"], companies["other"].id)
    assert r.status_code == 201, r.json
    assert r.json["audience"] == "public"
    # and another entity's key does not read this entity's full report
    _, stranger = access.create_key(session, role="entity", name="宁波他人", entity_id=companies["other"].id)
    session.commit()
    number = _report(client, companies["key"], companies["own"].id).json["number"]
    assert client.get(f"{URL}/{number}", headers=auth(stranger)).status_code == 404


def test_a_person_asks_for_their_own_report_and_no_one_elses(client, session, world):
    person = factories.make_entity(
        session, "张伟", kind="natural_person", uscc=None, id_type="resident_id", id_number=PERSON_ID
    )
    other = factories.make_entity(
        session, "李娜", kind="natural_person", uscc=None, id_type="resident_id", id_number="11010119881111222X"
    )
    key = access.create_key(session, role="entity", name="张伟", entity_id=person.id)[1]
    session.commit()
    r = _report(client, key, person.id)
    assert r.status_code == 201, r.json
    assert r.json["audience"] == "full"
    refused = _report(client, key, other.id)
    assert refused.status_code == 403
    assert refused.json["message"] == "自然人的信用报告只向本人或行政机关提供。"


def test_an_entity_key_screens_nothing_and_writes_nothing(client, companies):
    screening = {"domain": "procurement", "project_code": "P-1", "stage": "资格审查", "subjects": [{"name": "某公司"}]}
    r = client.post("/api/v1/screenings", json=screening, headers=auth(companies["key"]))
    assert r.status_code == 403
    assert "市场主体（本主体）" in r.json["message"]
    hidden = companies["hidden"].id
    assert client.get(f"/api/v1/penalties/{hidden}", headers=auth(companies["key"])).status_code == 404


@pytest.mark.parametrize(
    ("role", "bound", "field"),
    [("entity", False, "entity"), ("supervisor", True, "authority"), ("screener", True, "entity")],
)
def test_only_an_entity_key_is_bound_to_an_entity(session, world, role, bound, field):
    entity = factories.make_entity(session, "温州绑定科技有限公司")
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        access.create_key(session, role=role, name="x", entity_id=entity.id if bound else None)
    assert field in refused.value.errors
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey).where(ApiKey.name == "x")) == 0


def test_the_cli_binds_a_key_by_uscc_and_refuses_an_unknown_one(app: Flask, client, session):
    entity = factories.make_entity(session, "嘉兴命令行建设有限公司")
    session.commit()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["registry", "create-key", "--role", "entity", "--entity", entity.uscc.lower()])
    assert made.exit_code == 0, made.output
    assert re.fullmatch(r"crk_[A-Za-z0-9_-]{43}", made.stdout.strip())
    stored = session.scalars(sa.select(ApiKey).where(ApiKey.role == "entity")).one()
    assert stored.entity_id == entity.id
    unknown = runner.invoke(args=["registry", "create-key", "--role", "entity", "--entity", "91330000MA0000000X"])
    assert unknown.exit_code == 2
    assert "登记簿中没有此统一社会信用代码或编号的主体" in unknown.stderr
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey).where(ApiKey.role == "entity")) == 1
