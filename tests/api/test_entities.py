"""Entities (市场主体 / 行政相对人): codes, protected ID numbers, names over time."""

from __future__ import annotations

import json

import pytest
from stdnum.cn import ric

from registry.codes import uscc
from registry.models import AuditLog, ChangeEvent, Entity
from tests.conftest import auth
from tests.factories import code


def resident_id(first17: str = "33010619851212001") -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def post(client, key, **body):
    return client.post("/api/v1/entities", json=body, headers=auth(key))


@pytest.mark.parametrize("first", ["A", "N", "Y"])
def test_letter_prefixed_codes_are_accepted(client, world, first):
    valid = uscc.complete(first + "1330100MA2XYW123")
    r = post(client, world.finance_key, kind="legal_entity", name="某集体经济组织", uscc=valid.lower())
    assert r.status_code == 201, r.json
    assert r.json["uscc"] == valid


def test_wrong_check_character_is_422_saying_so(client, world):
    r = post(client, world.finance_key, kind="legal_entity", name="某公司", uscc="91110000600037341M")
    assert r.status_code == 422
    assert r.json["errors"]["uscc"] == ["校验码有误：应为 'L'，实为 'M'"]
    assert r.json["errors_en"]["uscc"] == ["check character is wrong: expected 'L', got 'M'"]


def test_region_is_taken_from_the_code_when_not_given(client, world):
    r = post(client, world.finance_key, kind="legal_entity", name="某公司", uscc=code("91330106"))
    assert r.json["region_code"] == "330106"


def test_placeholder_only_for_individual_businesses(client, world):
    r = post(
        client, world.finance_key, kind="individual_business", name="杭州市西湖区张记五金店", uscc="00000000000000000X"
    )
    assert r.status_code == 201
    r2 = post(
        client, world.finance_key, kind="individual_business", name="杭州市西湖区李记小吃店", uscc="00000000000000000X"
    )
    assert r2.status_code == 201, "the placeholder is shared, not unique"
    r = post(client, world.finance_key, kind="legal_entity", name="某公司", uscc="00000000000000000X")
    assert r.status_code == 422
    assert "个体工商户" in r.json["errors"]["uscc"][0]


def test_organisation_needs_a_code_and_duplicates_conflict(client, world):
    r = post(client, world.finance_key, kind="legal_entity", name="某公司")
    assert r.status_code == 422
    assert "uscc" in r.json["errors"]
    same = code()
    assert post(client, world.finance_key, kind="legal_entity", name="甲公司", uscc=same).status_code == 201
    r = post(client, world.finance_key, kind="legal_entity", name="乙公司", uscc=same)
    assert r.status_code == 409
    assert "uscc" in r.json["errors"]


def test_natural_person_id_number_is_never_returned_or_stored_in_clear(client, session, world):
    number = resident_id()
    r = post(client, world.finance_key, kind="natural_person", name="王某", id_type="resident_id", id_number=number)
    assert r.status_code == 201, r.json
    assert r.json["id_number_masked"] == "3301**********" + number[-4:]
    assert number not in r.get_data(as_text=True)
    got = client.get(f"/api/v1/entities/{r.json['id']}", headers=auth(world.admin_key))
    assert number not in got.get_data(as_text=True)
    row = session.get(Entity, r.json["id"])
    assert number not in (row.id_number_cipher or "")
    assert row.id_number_hash
    for event in session.query(ChangeEvent).filter_by(record_type="entity", record_id=row.id):
        assert number not in json.dumps(event.payload, ensure_ascii=False)
    for audit in session.query(AuditLog).filter_by(record_type="entity", record_id=row.id):
        assert number not in json.dumps(audit.after, ensure_ascii=False)
    dup = post(client, world.finance_key, kind="natural_person", name="王某某", id_type="resident_id", id_number=number)
    assert dup.status_code == 409


def test_natural_person_rules(client, world):
    r = post(client, world.finance_key, kind="natural_person", name="王某")
    assert r.status_code == 422
    assert "id_number" in r.json["errors"]
    r = post(
        client,
        world.finance_key,
        kind="natural_person",
        name="王某",
        uscc=code(),
        id_type="resident_id",
        id_number=resident_id(),
    )
    assert r.status_code == 422
    assert "uscc" in r.json["errors"]
    r = post(
        client,
        world.finance_key,
        kind="natural_person",
        name="王某",
        id_type="resident_id",
        id_number=resident_id()[:-1] + "0" if not resident_id().endswith("0") else resident_id()[:-1] + "1",
    )
    assert r.status_code == 422
    assert r.json["errors"]["id_number"] == ["校验码有误（GB 11643）。"]
    assert "check digit" in r.json["errors_en"]["id_number"][0]


def test_legal_representative_id_is_masked(client, world):
    number = resident_id("11010119900307123")
    r = post(
        client,
        world.finance_key,
        kind="legal_entity",
        name="某公司",
        uscc=code(),
        legal_representative="张三",
        legal_rep_id_type="resident_id",
        legal_rep_id_number=number,
    )
    assert r.json["legal_rep_id_masked"].startswith("1101")
    assert number not in r.get_data(as_text=True)
    r = post(client, world.finance_key, kind="legal_entity", name="某公司", uscc=code(), legal_rep_id_number=number)
    assert r.status_code == 422
    assert "legal_rep_id_type" in r.json["errors"]


class TestNames:
    def test_rename_keeps_the_former_name_and_search_finds_it(self, client, world):
        created = post(
            client,
            world.finance_key,
            kind="legal_entity",
            name="杭州合晟建设工程有限公司",
            uscc=code(),
            name_since="2015-04-01",
        )
        eid = created.json["id"]
        r = client.patch(
            f"/api/v1/entities/{eid}",
            json={"name": "浙江合晟建设集团有限公司", "renamed_on": "2024-06-30"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        )
        assert r.status_code == 200, r.json
        names = {(n["name"], n["kind"], n["valid_from"], n["valid_to"]) for n in r.json["names"]}
        assert ("杭州合晟建设工程有限公司", "former", "2015-04-01", "2024-06-30") in names
        assert ("浙江合晟建设集团有限公司", "current", "2024-06-30", None) in names
        found = client.get("/api/v1/entities", query_string={"name": "杭州合晟"}).json
        assert [e["id"] for e in found["items"]] == [eid]

    def test_rename_before_the_current_name_started_is_refused(self, client, world):
        eid = post(
            client, world.finance_key, kind="legal_entity", name="甲公司", uscc=code(), name_since="2020-01-01"
        ).json["id"]
        r = client.patch(
            f"/api/v1/entities/{eid}",
            json={"name": "乙公司", "renamed_on": "2019-01-01"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        )
        assert r.status_code == 422
        assert "renamed_on" in r.json["errors"]

    def test_add_and_remove_an_alias(self, client, session, world):
        eid = post(client, world.finance_key, kind="legal_entity", name="甲公司", uscc=code()).json["id"]
        r = client.post(
            f"/api/v1/entities/{eid}/names",
            json={"name": "甲建设", "kind": "alias"},
            headers=auth(world.finance_key, If_Match='"v1"'),
        )
        assert r.status_code == 201
        assert r.headers["ETag"] == '"v2"'
        alias = next(n for n in r.json["names"] if n["kind"] == "alias")
        again = client.post(
            f"/api/v1/entities/{eid}/names",
            json={"name": "甲建设", "kind": "alias"},
            headers=auth(world.finance_key, If_Match='"v2"'),
        )
        assert again.status_code == 409
        current = next(n for n in r.json["names"] if n["kind"] == "current")
        r = client.delete(
            f"/api/v1/entities/{eid}/names/{current['id']}",
            json={"reason": "误录"},
            headers=auth(world.finance_key, If_Match='"v2"'),
        )
        assert r.status_code == 409
        r = client.delete(
            f"/api/v1/entities/{eid}/names/{alias['id']}",
            json={"reason": "误录"},
            headers=auth(world.finance_key, If_Match='"v2"'),
        )
        assert r.status_code == 200
        assert r.headers["ETag"] == '"v3"'
        last = session.query(AuditLog).order_by(AuditLog.seq.desc()).first()
        assert (last.action, last.reason) == ("remove_name", "误录")

    def test_names_need_if_match(self, client, world):
        eid = post(client, world.finance_key, kind="legal_entity", name="甲公司", uscc=code()).json["id"]
        r = client.post(
            f"/api/v1/entities/{eid}/names", json={"name": "甲", "kind": "alias"}, headers=auth(world.finance_key)
        )
        assert r.status_code == 428


def test_kind_cannot_change(client, world):
    eid = post(client, world.finance_key, kind="legal_entity", name="甲公司", uscc=code()).json["id"]
    r = client.patch(
        f"/api/v1/entities/{eid}",
        json={"kind": "individual_business"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 422
    assert "kind" in r.json["errors"]


def test_filter_by_code_kind_and_region(client, world):
    target = code("91330200")
    post(client, world.finance_key, kind="legal_entity", name="宁波甲公司", uscc=target)
    post(client, world.finance_key, kind="legal_entity", name="杭州乙公司", uscc=code("91330100"))
    by_code = client.get("/api/v1/entities", query_string={"uscc": target.lower()}).json
    assert [e["uscc"] for e in by_code["items"]] == [target]
    by_region = client.get("/api/v1/entities", query_string={"region_code": "330200"}).json
    assert {e["name"] for e in by_region["items"]} == {"宁波甲公司"}
    paged = client.get("/api/v1/entities", query_string={"per_page": 1, "page": 2}).json
    assert paged["total"] == 2
    assert len(paged["items"]) == 1
    assert paged["page"] == 2


def test_natural_persons_are_not_listed_to_the_public_or_screeners(client, world):
    person = post(
        client, world.finance_key, kind="natural_person", name="王某", id_type="resident_id", id_number=resident_id()
    ).json["id"]
    company = post(client, world.finance_key, kind="legal_entity", name="某公司", uscc=code()).json["id"]
    for headers in ({}, auth(world.screener_key)):
        listed = {e["id"] for e in client.get("/api/v1/entities", headers=headers).json["items"]}
        assert listed == {company}
        assert client.get(f"/api/v1/entities/{person}", headers=headers).status_code == 404
    for key in (world.admin_key, world.housing_key, world.platform_key):
        listed = {e["id"] for e in client.get("/api/v1/entities", headers=auth(key)).json["items"]}
        assert listed == {company, person}
        assert client.get(f"/api/v1/entities/{person}", headers=auth(key)).status_code == 200


def test_rename_in_the_future_is_refused(client, world):
    eid = post(client, world.finance_key, kind="legal_entity", name="甲公司", uscc=code()).json["id"]
    r = client.patch(
        f"/api/v1/entities/{eid}",
        json={"name": "乙公司", "renamed_on": "2026-11-24"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 422
    assert r.json["errors"]["renamed_on"] == ["2026-11-24 晚于今天（2026-11-23）。"]
    assert "future" in r.json["errors_en"]["renamed_on"][0]
