"""失信相关人 on penalties and list entries (发改法规〔2018〕457号, 一、联合惩戒对象).

A record names the persons responsible for the conduct (负有责任的法定代表人、自然人股东、评标评审专家
及其他相关人员): role, name and ID document. The number is validated, kept encrypted and shown
masked; the persons are read by the deciding authority, administrators and the platform, never by
the public or a screener, and they travel in the audit row and the outbox masked only.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from stdnum.cn import ric

from registry.codes.idnumber import mask
from registry.models import AuditLog, ChangeEvent, ResponsiblePerson
from tests import factories
from tests.conftest import auth


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


REP_ID = resident_id("33010619800101123")
SHAREHOLDER_ID = resident_id("33010219750505432")


def _persons() -> list[dict]:
    return [
        {"role": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number": REP_ID},
        {
            "role": "自然人股东",
            "name": "李四",
            "id_type": "resident_id",
            "id_number": SHAREHOLDER_ID,
            "ends_on": "2027-02-28",
        },
    ]


def _payload(entity, kind: str, **fields) -> dict:
    maker = factories.penalty_data if kind == "penalties" else factories.list_entry_data
    data = maker(entity, **fields)
    return json.loads(json.dumps(data, default=str))


@pytest.fixture(params=["penalties", "list-entries"])
def kind(request):
    return request.param


def _create(client, world, entity, kind, persons):
    r = client.post(
        f"/api/v1/{kind}", json=_payload(entity, kind, responsible_persons=persons), headers=auth(world.finance_key)
    )
    assert r.status_code == 201, r.json
    return r


def test_the_deciding_authority_records_and_reads_them_masked(client, world, entity, kind, session):
    r = _create(client, world, entity, kind, _persons())
    persons = r.json["responsible_persons"]
    assert [(p["role"], p["name"], p["id_number_masked"]) for p in persons] == [
        ("legal_representative", "张三", mask(REP_ID)),
        ("natural_person_shareholder", "李四", mask(SHAREHOLDER_ID)),
    ]
    assert persons[0]["role_label"] == "法定代表人"
    assert persons[1]["ends_on"] == "2027-02-28"
    assert REP_ID not in r.get_data(as_text=True)
    stored = session.scalars(sa.select(ResponsiblePerson).order_by(ResponsiblePerson.position)).all()
    assert len(stored) == 2
    assert REP_ID not in (stored[0].id_number_cipher or "")
    assert stored[0].id_number_hash
    assert stored[0].id_number_hash != stored[1].id_number_hash
    # The audit row and the outbox event carry the masked form only.
    for model in (AuditLog, ChangeEvent):
        text = json.dumps(
            [row.__dict__.get("after") or row.__dict__.get("payload") for row in session.scalars(sa.select(model))],
            default=str,
            ensure_ascii=False,
        )
        assert mask(REP_ID) in text
        assert REP_ID not in text


@pytest.mark.parametrize("role", ["anonymous", "screener", "other authority"])
def test_the_public_screeners_and_other_authorities_never_see_them(client, world, entity, kind, role):
    record_id = _create(client, world, entity, kind, _persons()).json["id"]
    key = {"anonymous": None, "screener": world.screener_key, "other authority": world.housing_key}[role]
    headers = auth(key) if key else {}
    for url in (f"/api/v1/{kind}/{record_id}", f"/api/v1/{kind}"):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.json
        text = r.get_data(as_text=True)
        assert "responsible_persons" not in text
        assert "张三" not in text
        assert mask(REP_ID) not in text


@pytest.mark.parametrize("role", ["admin", "platform"])
def test_administrators_and_the_platform_see_them(client, world, entity, kind, role):
    record_id = _create(client, world, entity, kind, _persons()).json["id"]
    key = world.admin_key if role == "admin" else world.platform_key
    r = client.get(f"/api/v1/{kind}/{record_id}", headers=auth(key))
    assert [p["name"] for p in r.json["responsible_persons"]] == ["张三", "李四"]


@pytest.mark.parametrize(
    ("person", "field", "words"),
    [
        ({"role": "boss", "name": "张三"}, "responsible_persons.0.role", "角色"),
        ({"role": "legal_representative", "name": " "}, "responsible_persons.0.name", "姓名"),
        (
            {
                "role": "legal_representative",
                "name": "张三",
                "id_type": "resident_id",
                "id_number": "330106198001011230",
            },
            "responsible_persons.0.id_number",
            "check digit",
        ),
        (
            {"role": "legal_representative", "name": "张三", "id_number": REP_ID},
            "responsible_persons.0.id_type",
            "证件类型",
        ),
        (
            {"role": "legal_representative", "name": "张三", "id_type": "resident_id"},
            "responsible_persons.0.id_number",
            "证件号码",
        ),
        (
            {"role": "legal_representative", "name": "张三", "ends_on": "2020-01-01"},
            "responsible_persons.0.ends_on",
            "早于",
        ),
    ],
)
def test_a_wrong_person_is_refused_naming_the_field(client, world, entity, kind, person, field, words, session):
    r = client.post(
        f"/api/v1/{kind}", json=_payload(entity, kind, responsible_persons=[person]), headers=auth(world.finance_key)
    )
    assert r.status_code == 422, r.json
    assert field in json.dumps(r.json, ensure_ascii=False)
    assert words in json.dumps(r.json, ensure_ascii=False)
    assert session.scalar(sa.select(sa.func.count()).select_from(ResponsiblePerson)) == 0


def test_a_correction_replaces_them_and_keeps_a_number_it_only_saw_masked(client, world, entity, kind, session):
    created = _create(client, world, entity, kind, _persons())
    record_id, etag = created.json["id"], created.headers["ETag"]
    kept_hash = session.scalar(sa.select(ResponsiblePerson.id_number_hash).where(ResponsiblePerson.name == "张三"))
    # The same person given again without the number keeps it; 李四 goes; an expert comes.
    change = {
        "reason": "补录评标专家",
        "responsible_persons": [
            {"role": "legal_representative", "name": "张三", "id_type": "resident_id"},
            {"role": "evaluation_expert", "name": "王五"},
        ],
    }
    r = client.patch(f"/api/v1/{kind}/{record_id}", json=change, headers={**auth(world.finance_key), "If-Match": etag})
    assert r.status_code == 200, r.json
    assert [(p["name"], p["id_number_masked"]) for p in r.json["responsible_persons"]] == [
        ("张三", mask(REP_ID)),
        ("王五", None),
    ]
    session.expire_all()
    rows = session.scalars(sa.select(ResponsiblePerson)).all()
    assert len(rows) == 2
    assert {r.id_number_hash for r in rows} == {kept_hash, None}
    history = client.get(f"/api/v1/{kind}/{record_id}/history", headers=auth(world.finance_key))
    assert history.status_code == 200
    assert "李四" in history.get_data(as_text=True)  # the earlier state is kept (全程留痕)


# --- as an agency tries it (issue 15, "How it is checked") -----------------------------------------


@pytest.fixture
def blacklisted(client, world, entity):
    """The entity on the procurement blacklist, naming its legal representative 张三 (by ID)."""
    payload = _payload(
        entity,
        "list-entries",
        responsible_persons=[{"role": "法定代表人", "name": "张三", "id_type": "resident_id", "id_number": REP_ID}],
    )
    r = client.post("/api/v1/list-entries", json=payload, headers=auth(world.finance_key))
    assert r.status_code == 201, r.json
    return entity


def _screen(client, world, domain, subjects):
    r = client.post(
        "/api/v1/screenings",
        json={"domain": domain, "project_code": "ZJ-2026-77", "subjects": subjects},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    return r.json["document"]["subjects"]


@pytest.mark.parametrize(
    ("domain", "decision", "words"),
    [
        ("procurement", "block", "政府采购法第七十七条"),
        ("construction_bidding", "review", "发改财金〔2018〕1614号 惩戒措施（二）"),
        ("land", "review", "发改财金〔2018〕1614号 惩戒措施（三）"),
        ("state_assets", "clear", "no measure"),
        ("drug_procurement", "clear", "no measure"),
    ],
)
def test_a_procurement_blacklisting_screened_in_each_domain(client, world, blacklisted, domain, decision, words):
    [s] = _screen(client, world, domain, [{"name": blacklisted.name, "uscc": blacklisted.uscc}])
    assert s["decision"] == decision
    reason = " ".join(s["reasons_en"])
    assert words in reason
    if decision != "clear":
        assert "浙江省财政厅" in reason  # the deciding authority


def test_a_bidder_whose_legal_representative_is_the_responsible_person(client, world, blacklisted):
    by_id, by_name, other = _screen(
        client,
        world,
        "procurement",
        [
            {"name": "宁波新开元贸易有限公司", "legal_representative": {"name": "张三", "id_number": REP_ID}},
            {"name": "宁波新开元贸易有限公司", "legal_representative": {"name": "张三"}},
            {"name": "宁波新开元贸易有限公司", "legal_representative": {"name": "张三", "id_number": SHAREHOLDER_ID}},
        ],
    )
    assert by_id["decision"] == "review"
    assert by_id["person_links"][0]["identified_by"] == "id_number"
    assert mask(REP_ID) in " ".join(by_id["reasons"])
    assert by_name["decision"] == "review"
    assert by_name["person_links"][0]["identified_by"] == "name"
    assert other["decision"] == "clear"


def test_an_expert_screened_as_a_subject(client, world, entity):
    payload = _payload(
        entity,
        "penalties",
        severity="serious",
        responsible_persons=[
            {"role": "evaluation_expert", "name": "王五", "id_type": "resident_id", "id_number": SHAREHOLDER_ID}
        ],
    )
    assert client.post("/api/v1/penalties", json=payload, headers=auth(world.finance_key)).status_code == 201
    [s] = _screen(
        client,
        world,
        "construction_bidding",
        [{"name": "王五", "role": "评标评审专家", "id_type": "resident_id", "id_number": SHAREHOLDER_ID}],
    )
    assert s["decision"] == "review"
    assert s["person_links"][0]["role"] == "evaluation_expert"
    assert SHAREHOLDER_ID not in json.dumps(s, ensure_ascii=False)
