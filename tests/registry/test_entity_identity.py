"""Who may change what an entity is (谁批准、谁公开), at the service level (CLI, imports, demo)."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from registry.codes.idnumber import IdentityVault
from registry.errors import NotPermitted
from registry.messages import render
from registry.records.entities import (
    IDENTITY_FIELDS,
    other_authorities,
    remove_entity_name,
    update_entity,
)
from tests import factories
from tests.factories import ADMIN, TODAY, supervisor_of

VAULT = IdentityVault("test-data-protection-secret")


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


@pytest.fixture
def two(session):
    """Two authorities: finance (B), which lists, and housing (A), which tries to edit."""
    return factories.make_authority(session, "浙江省财政厅"), factories.make_authority(
        session, "浙江省住房和城乡建设厅"
    )


def test_other_authorities_are_those_deciding_list_entries_or_penalties(session, two):
    """The rule reads both record kinds, whatever their state, and leaves out the caller's own."""
    finance, housing = two
    entity = factories.make_entity(session)
    assert other_authorities(session, entity.id, housing.id) == []
    factories.make_penalty(session, housing, entity)
    assert other_authorities(session, entity.id, housing.id) == []
    factories.make_list_entry(session, finance, entity)
    assert other_authorities(session, entity.id, housing.id) == [finance.id]
    assert other_authorities(session, entity.id, None) == sorted([finance.id, housing.id])


def test_identity_fields_cover_every_code_the_entity_holds():
    """名称, 统一社会信用代码, 工商注册号, 组织机构代码, 税务登记号, 事业单位证书号, 社会组织登记证号,
    证件 and kind are identity; the 法定代表人 and the region are not."""
    assert set(IDENTITY_FIELDS) == {
        "kind",
        "name",
        "uscc",
        "business_registration_no",
        "organization_code",
        "tax_registration_no",
        "institution_certificate_no",
        "social_org_registration_no",
        "id_type",
        "id_number",
    }
    assert "legal_representative" not in IDENTITY_FIELDS


def test_supervisor_of_another_authority_is_refused_by_the_service(session, two):
    """Reproduces the fault below the API: housing's supervisor renames finance's listed entity
    and deletes its former name; both raise NotPermitted naming finance, in Chinese and English."""
    finance, housing = two
    entity = factories.make_entity(session, "甲公司", names=[{"name": "甲旧公司", "kind": "former"}])
    factories.make_list_entry(session, finance, entity)
    session.commit()
    with pytest.raises(NotPermitted, match=f"谁批准、谁公开.*authority {finance.id}.*only an administrator"):
        update_entity(session, entity.id, {"name": "乙公司"}, supervisor_of(housing), entity.version, VAULT, TODAY)
    session.rollback()  # as the request would: the refusal keeps nothing
    session.refresh(entity)
    assert entity.name == "甲公司"
    assert {n.name for n in entity.names} == {"甲公司", "甲旧公司"}
    former = next(n for n in entity.names if n.kind == "former")
    with pytest.raises(NotPermitted, match="delete its former names or aliases") as refused:
        remove_entity_name(session, entity.id, former.id, supervisor_of(housing), entity.version, "误录")
    assert "只有系统管理员可以删除其曾用名、别名" in render(refused.value.text, "zh")


def test_a_natural_persons_document_is_identity_too(session, two):
    """A person listed by finance: housing may not change the 证件号码 (403), but resending the
    same number is no change."""
    finance, housing = two
    number = resident_id("33010619851212001")
    person = factories.make_entity(
        session, "王某", kind="natural_person", uscc=None, id_type="resident_id", id_number=number
    )
    factories.make_list_entry(session, finance, person)
    same = update_entity(
        session,
        person.id,
        {"id_type": "resident_id", "id_number": number},
        supervisor_of(housing),
        person.version,
        VAULT,
        TODAY,
    )
    assert same.id_number_hash == VAULT.fingerprint("resident_id", number)
    with pytest.raises(NotPermitted, match="id_number"):
        update_entity(
            session,
            person.id,
            {"id_type": "resident_id", "id_number": resident_id("33010619851212002")},
            supervisor_of(housing),
            person.version,
            VAULT,
            TODAY,
        )


def test_a_rename_keeps_the_old_name_even_without_a_current_name_row(session):
    """A rename always keeps the old name as 曾用名, also for an entity whose names lack the
    current-name row (older data): the old name is added as former rather than lost."""
    entity = factories.make_entity(session, "甲公司")
    entity.names.clear()
    session.flush()
    renamed = update_entity(session, entity.id, {"name": "乙公司"}, ADMIN, entity.version, VAULT, TODAY)
    assert {(n.name, n.kind, n.valid_to) for n in renamed.names} == {
        ("甲公司", "former", TODAY),
        ("乙公司", "current", None),
    }
