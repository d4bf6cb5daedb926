"""Who may change what an entity is (谁批准、谁公开), through the HTTP client.

The fault an outside tester reported: a supervisor of one authority renamed and re-coded an
entity another authority had black-listed, deleted its former name, and screenings by the name
and code the listing was decided under went from block to clear.
"""

from __future__ import annotations

from typing import Any

import pytest

from registry.models import AuditLog, Entity
from tests import factories
from tests.conftest import auth
from tests.factories import code

ORIGINAL = "杭州合晟建设工程有限公司"
FORMER = "杭州合晟建筑有限公司"
SCREENINGS = "/api/v1/screenings"


@pytest.fixture
def blacklisted(session, world):
    """An entity with a former name, black-listed by finance (authority B)."""
    entity = factories.make_entity(session, ORIGINAL, names=[{"name": FORMER, "kind": "former"}])
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    return entity


def url(entity: Entity, *rest: object) -> str:
    return "/".join([f"/api/v1/entities/{entity.id}", *(str(r) for r in rest)])


def read(client, world, entity: Entity) -> dict[str, Any]:
    r = client.get(url(entity), headers=auth(world.admin_key))
    assert r.status_code == 200
    return r.json


def former_row(entity_json: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in entity_json["names"] if n["name"] == name and n["kind"] == "former")


def screen(client, world, **subject: str) -> dict[str, Any]:
    body = {
        "domain": "procurement",
        "project_code": "ZJCG-2026-0042",
        "stage": "资格审查",
        "subjects": [{"role": "投标人", **subject}],
    }
    r = client.post(SCREENINGS, json=body, headers=auth(world.screener_key))
    assert r.status_code == 201, r.json
    return r.json


def hit_ids(screening: dict[str, Any]) -> set[int]:
    return {h["entity_id"] for h in screening["document"]["subjects"][0]["hits"]}


def patch(client, key: str, entity: Entity, version: str, **body: Any):
    return client.patch(url(entity), json=body, headers=auth(key, If_Match=version))


def test_another_authority_cannot_rename_recode_or_unname_a_listed_entity(client, session, world, blacklisted):
    """Reproduces the reported fault: housing (A) renames and re-codes the entity finance (B)
    black-listed and deletes its former name; each is 403 naming the reason, nothing changes,
    and screenings by the original name, code and former name still block."""
    before = read(client, world, blacklisted)
    assert screen(client, world, name=ORIGINAL)["decision"] == "block"

    r = patch(client, world.housing_key, blacklisted, '"v1"', name="浙江新名建设有限公司", uscc=code())
    assert r.status_code == 403, r.json
    assert "谁批准、谁公开" in r.json["message"]
    assert f"其他机关（机关 {world.finance.id}）" in r.json["message"]
    assert "只有系统管理员可以更改其身份信息（name, uscc）" in r.json["message"]
    assert f"authority {world.finance.id}" in r.json["message_en"]
    assert "only an administrator" in r.json["message_en"]
    assert "(name, uscc)" in r.json["message_en"]

    for change in ({"name": "浙江新名建设有限公司"}, {"uscc": code()}):
        r = patch(client, world.housing_key, blacklisted, '"v1"', **change)
        assert r.status_code == 403, (change, r.json)

    former = former_row(before, FORMER)
    r = client.delete(
        url(blacklisted, "names", former["id"]),
        json={"reason": "误录"},
        headers=auth(world.housing_key, If_Match='"v1"'),
    )
    assert r.status_code == 403, r.json
    assert "谁批准、谁公开" in r.json["message"]
    assert "删除其曾用名、别名" in r.json["message"]
    assert f"authority {world.finance.id}" in r.json["message_en"]

    after = read(client, world, blacklisted)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert after["version"] == 1
    assert session.query(AuditLog).filter_by(record_type="entity", record_id=blacklisted.id).count() == 1  # create
    for subject in ({"name": ORIGINAL}, {"uscc": blacklisted.uscc}, {"name": FORMER}):
        screening = screen(client, world, **subject)
        assert screening["decision"] == "block", subject
        assert blacklisted.id in hit_ids(screening)


@pytest.mark.parametrize(
    "field",
    [
        "business_registration_no",
        "organization_code",
        "tax_registration_no",
        "institution_certificate_no",
        "social_org_registration_no",
    ],
)
def test_another_authority_cannot_change_the_older_codes(client, world, blacklisted, field):
    """Reproduces the fault for the other identity codes (工商注册号, 组织机构代码, 税务登记号 …):
    changing any of them on an entity finance listed is 403 for housing."""
    r = patch(client, world.housing_key, blacklisted, '"v1"', **{field: "330106000012345"})
    assert r.status_code == 403, r.json
    assert field in r.json["message"]
    assert read(client, world, blacklisted)[field] is None


def test_a_penalty_of_another_authority_protects_the_entity_too(client, session, world):
    """An administrative penalty decided by finance, not only a list entry, keeps housing from
    renaming the entity."""
    entity = factories.make_entity(session, "宁波甲建设有限公司")
    factories.make_penalty(session, world.finance, entity)
    session.commit()
    r = patch(client, world.housing_key, entity, '"v1"', name="宁波乙建设有限公司")
    assert r.status_code == 403, r.json
    assert f"authority {world.finance.id}" in r.json["message_en"]
    assert f"机关 {world.finance.id}" in r.json["message"]


def test_admin_may_change_identity_and_the_old_name_stays_a_former_name(client, world, blacklisted):
    """What housing may not do an administrator may: the rename keeps the old name as 曾用名,
    so a screening by the old name still finds and blocks the listed entity."""
    new_code = code()
    r = patch(
        client,
        world.admin_key,
        blacklisted,
        '"v1"',
        name="浙江合晟集团有限公司",
        uscc=new_code,
        renamed_on="2026-10-01",
    )
    assert r.status_code == 200, r.json
    assert (r.json["name"], r.json["uscc"]) == ("浙江合晟集团有限公司", new_code)
    kept = former_row(r.json, ORIGINAL)
    assert kept["valid_to"] == "2026-10-01"
    screening = screen(client, world, name=ORIGINAL)
    assert blacklisted.id in hit_ids(screening)
    assert screening["decision"] == "block"

    former = former_row(r.json, FORMER)
    r = client.delete(
        url(blacklisted, "names", former["id"]),
        json={"reason": "误录"},
        headers=auth(world.admin_key, If_Match=r.headers["ETag"]),
    )
    assert r.status_code == 200, r.json
    assert FORMER not in {n["name"] for n in r.json["names"]}


def test_an_authority_may_change_an_entity_carrying_only_its_own_records(client, session, world):
    """Housing listed the entity itself (and no one else recorded anything): it may rename and
    re-code it and delete its former names; the old name is kept as 曾用名."""
    entity = factories.make_entity(session, ORIGINAL)
    factories.make_list_entry(session, world.housing, entity)
    session.commit()
    new_code = code()
    r = patch(
        client,
        world.housing_key,
        entity,
        '"v1"',
        name="浙江合晟集团有限公司",
        uscc=new_code,
        organization_code="MA2B00001",
    )
    assert r.status_code == 200, r.json
    assert r.json["uscc"] == new_code
    former = former_row(r.json, ORIGINAL)
    r = client.delete(
        url(entity, "names", former["id"]),
        json={"reason": "误录"},
        headers=auth(world.housing_key, If_Match=r.headers["ETag"]),
    )
    assert r.status_code == 200, r.json


def test_an_authority_may_change_an_entity_with_no_records(client, session, world):
    """An entity no authority has recorded anything about stays editable by any supervisor."""
    entity = factories.make_entity(session, ORIGINAL)
    session.commit()
    r = patch(client, world.housing_key, entity, '"v1"', name="浙江合晟集团有限公司", uscc=code())
    assert r.status_code == 200, r.json
    assert former_row(r.json, ORIGINAL)["valid_to"] == "2026-11-23"


def test_legal_representative_changes_stay_allowed_and_audited(client, session, world, blacklisted):
    """The 法定代表人 is not identity: housing may still change it on finance's listed entity,
    and the change is audited as before. Resending the unchanged name and code (another spelling
    of the same code included) is no identity change either."""
    r = patch(
        client,
        world.housing_key,
        blacklisted,
        '"v1"',
        legal_representative="李四",
        name=f" {ORIGINAL} ",
        uscc=blacklisted.uscc.lower(),
    )
    assert r.status_code == 200, r.json
    assert (r.json["legal_representative"], r.json["name"]) == ("李四", ORIGINAL)
    last = (
        session.query(AuditLog)
        .filter_by(record_type="entity", record_id=blacklisted.id)
        .order_by(AuditLog.seq.desc())
        .first()
    )
    assert last.action == "update"
    assert last.after["legal_representative"] == "李四"
    assert last.before["legal_representative"] is None


def test_adding_a_name_stays_allowed(client, world, blacklisted):
    """Adding an alias takes nothing away from a screening: housing may still do it."""
    r = client.post(
        url(blacklisted, "names"),
        json={"name": "合晟建设", "kind": "alias"},
        headers=auth(world.housing_key, If_Match='"v1"'),
    )
    assert r.status_code == 201, r.json
