"""Natural persons (自然人) are not listed to the public or to screeners, and a public page shows
no personal ID number at all.

Reproduces the outside tester's findings: the anonymous GET /api/v1/penalties returned natural
persons' names (10 of the 59 demo penalties), though the README says natural persons are not
listed to the public or to screeners; and the public entity page showed the legal
representative's ID number (masked), which 双公示 does not publish. Visibility is decided once,
in `registry.records.record_rules.visible_to`: a natural person's penalty or list entry is read by
its own authority, administrators and the platform only.
"""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from registry.codes.idnumber import mask
from tests import factories
from tests.conftest import auth


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


PERSON_ID = resident_id("33010619850315123")
REP_ID = resident_id("11010519800101123")


@pytest.fixture
def records(session, world, entity):
    """A natural person's published penalty and list entry, and a company's, all by finance."""
    person = factories.make_entity(
        session, "张伟", kind="natural_person", uscc=None, id_type="resident_id", id_number=PERSON_ID
    )
    made = {
        "person_penalty": factories.make_penalty(session, world.finance, person).id,
        "person_entry": factories.make_list_entry(session, world.finance, person).id,
        "company_penalty": factories.make_penalty(session, world.finance, entity).id,
        "company_entry": factories.make_list_entry(session, world.finance, entity).id,
        "person": person.id,
    }
    session.commit()
    return made


def _ids(client, url: str, key: str | None) -> set[int]:
    r = client.get(url, headers=auth(key) if key else {})
    assert r.status_code == 200, r.json
    return {item["id"] for item in r.json["items"]}


KINDS = [
    ("/api/v1/penalties", "person_penalty", "company_penalty"),
    ("/api/v1/list-entries", "person_entry", "company_entry"),
]


@pytest.mark.parametrize(("url", "person", "company"), KINDS)
@pytest.mark.parametrize("role", ["anonymous", "screener", "other authority"])
def test_a_natural_persons_record_is_neither_listed_nor_read(client, world, records, url, person, company, role):
    """The tester's case: anonymous callers and screeners (and another authority's supervisor) do
    not find a natural person's published record in a list, by entity, or by id (404)."""
    key = {"anonymous": None, "screener": world.screener_key, "other authority": world.housing_key}[role]
    headers = auth(key) if key else {}
    assert records[company] in _ids(client, url, key)
    assert records[person] not in _ids(client, url, key)
    assert _ids(client, f"{url}?entity_id={records['person']}", key) == set()
    listed = client.get(url, headers=headers)
    assert "张伟" not in listed.get_data(as_text=True)
    one = client.get(f"{url}/{records[person]}", headers=headers)
    assert one.status_code == 404
    assert "张伟" not in one.get_data(as_text=True)
    assert client.get(f"{url}/{records[company]}", headers=headers).status_code == 200


@pytest.mark.parametrize(("url", "person", "company"), KINDS)
@pytest.mark.parametrize("role", ["admin", "platform", "own authority"])
def test_the_own_authority_administrators_and_the_platform_still_read_them(
    client, world, records, url, person, company, role
):
    key = {"admin": world.admin_key, "platform": world.platform_key, "own authority": world.finance_key}[role]
    assert {records[person], records[company]} <= _ids(client, url, key)
    r = client.get(f"{url}/{records[person]}", headers=auth(key))
    assert r.status_code == 200, r.json


def test_the_public_entity_page_shows_no_legal_representatives_id(client, session, world):
    """The public entity page names the legal representative but shows no ID number, masked or not."""
    company = factories.make_entity(
        session,
        "杭州证件测试建设有限公司",
        legal_representative="王建国",
        legal_rep_id_type="resident_id",
        legal_rep_id_number=REP_ID,
    )
    factories.make_penalty(session, world.finance, company)
    session.commit()
    r = client.get(f"/entities/{company.id}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "王建国" in page
    for form in (REP_ID, mask(REP_ID), REP_ID[:4] + "*", "居民身份证"):
        assert form not in page, form
