"""A resident ID number (居民身份证号码) typed into a record's free text is masked on the way in.

Reproduces the outside tester's finding: a valid number written into the facts, remarks, basis,
reasons or a repair statement was published in full through the anonymous API, the
administrators' reads, the history, every export format, the feed, the push rendering and the
public pages. Now the services mask it before anything is stored (API, console forms and both
import writers go through the same checks), and keep the number as typed encrypted beside the
record, readable only by the deciding authority (`records.reveal_free_text_ids`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from stdnum.cn import ric

from registry.codes.idnumber import IdentityVault, mask, mask_resident_ids
from registry.errors import NotPermitted
from registry.imports.run import import_records
from registry.ledger import Actor
from registry.models import AuditLog, ChangeEvent, ListEntry, Penalty
from registry.records.record_rules import reveal_free_text_ids
from sync.exports import FORMATS
from sync.national import KINDS, DataSource, to_chinese
from sync.outbox_rendering import render_events
from tests import factories
from tests.conftest import auth
from tests.import_sheets import PENALTY_HEADERS, csv_bytes, penalty_row

VAULT = IdentityVault("test-data-protection-secret")  # the suite app's DATA_KEY
OPERATOR = DataSource("浙江省公共资源交易中心", "12330000MB0000000X")


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum ignores the last character


NUMBER = resident_id("11010519491231002")  # check character X
OTHER = resident_id("33010619850315123")
THIRD = resident_id("11010219790704221")
assert NUMBER.endswith("X")


def forms_of(number: str) -> set[str]:
    """The ways a full number could be written out."""
    grouped = (number[:6], number[6:14], number[14:])
    return {number, number.lower(), number[:17], " ".join(grouped), "-".join(grouped)}


def assert_masked(body: str, number: str, where: str) -> None:
    for form in forms_of(number):
        assert form not in body, f"{where}: {form}"
    assert mask(number) in body, f"{where}: the masked form is not shown"


def xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def penalty_body(entity_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "decision_number": "浙财采罚〔2026〕901号",
        "violation_type": "提供虚假材料谋取中标",
        "facts": "在某政府采购项目中提供虚假业绩证明材料",
        "basis": "《中华人民共和国政府采购法》第七十七条",
        "categories": ["罚款"],
        "content": "罚款人民币五千元",
        "fine_amount": "0.5",
        "decided_on": "2026-11-02",
        "severity": "general",
        "domain": "procurement",
        **fields,
    }


def entry_body(entity_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "list_type": "black",
        "list_name": "政府采购严重违法失信行为记录名单",
        "domains": ["procurement"],
        "decision_number": "浙财采决〔2026〕901号",
        "reason_category": "提供虚假材料谋取中标、成交",
        "facts": "提供虚假业绩证明材料",
        "legal_basis": "《中华人民共和国政府采购法》第七十七条",
        "listed_on": "2026-03-01",
        "expires_on": "2027-02-28",
        **fields,
    }


@pytest.fixture
def entity(session, world):
    """One organisation, committed, for records to be about."""
    made = factories.make_entity(session, "杭州合晟建设工程有限公司")
    session.commit()
    return made


def supervisor(authority_id: int) -> Actor:
    return Actor(key_id=None, name="supervisor", role="supervisor", authority_id=authority_id)


def test_a_number_in_the_facts_is_masked_in_every_read(client, session, world, entity):
    """The tester's case: a penalty whose facts hold a valid resident ID; every read shows it masked
    (anonymous and admin API, list and one, history, every export, the feed, the push rendering,
    the public page), and the audit log and outbox hold only the masked form."""
    created = client.post(
        "/api/v1/penalties",
        json=penalty_body(
            entity.id,
            facts=f"法定代表人张三（身份证号{NUMBER}）在某政府采购项目中提供虚假业绩证明材料",
            basis=f"《政府采购法》第七十七条；经办人 {OTHER.lower()}",
            remarks=f"联系人证件 {NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}",
        ),
        headers=auth(world.finance_key),
    )
    assert created.status_code == 201, created.json
    penalty_id = created.json["id"]
    assert created.json["facts"] == f"法定代表人张三（身份证号{mask(NUMBER)}）在某政府采购项目中提供虚假业绩证明材料"
    assert created.json["remarks"] == f"联系人证件 {mask(NUMBER)}"
    assert "free_text_ids_cipher" not in created.json

    bodies: dict[str, str] = {"POST response": created.get_data(as_text=True)}
    for role, key in (
        ("anonymous", None),
        ("admin", world.admin_key),
        ("platform", world.platform_key),
        ("screener", world.screener_key),
        ("supervisor", world.finance_key),
    ):
        headers = auth(key) if key else {}
        for url in (f"/api/v1/penalties/{penalty_id}", f"/api/v1/penalties?entity_id={entity.id}"):
            r = client.get(url, headers=headers)
            assert r.status_code == 200, (role, url)
            bodies[f"{role} {url}"] = r.get_data(as_text=True)
    history = client.get(f"/api/v1/penalties/{penalty_id}/history", headers=auth(world.admin_key))
    assert history.status_code == 200
    bodies["history"] = history.get_data(as_text=True)
    for fmt in FORMATS:
        r = client.get(f"/api/v1/exports/penalties.{fmt}", headers=auth(world.platform_key))
        assert r.status_code == 200, fmt
        bodies[f"export {fmt}"] = xlsx_text(r.get_data()) if fmt == "xlsx" else r.get_data(as_text=True)
    feed = client.get("/api/v1/feed?after=0&limit=1000", headers=auth(world.platform_key))
    assert feed.status_code == 200
    bodies["feed"] = feed.get_data(as_text=True)
    page = client.get(f"/entities/{entity.id}")
    assert page.status_code == 200
    bodies["public page"] = page.get_data(as_text=True)
    events = list(session.scalars(sa.select(ChangeEvent).order_by(ChangeEvent.seq)))
    rendered = render_events(session, events, include_not_public=True, operator=OPERATOR)
    bodies["push"] = json.dumps([to_chinese(r) for r in rendered], ensure_ascii=False, default=str)
    bodies["outbox"] = json.dumps([e.payload for e in events], ensure_ascii=False, default=str)
    bodies["audit"] = json.dumps(
        [(a.after, a.reason) for a in session.scalars(sa.select(AuditLog))], ensure_ascii=False, default=str
    )

    for where, body in bodies.items():
        assert_masked(body, NUMBER, where)
        for form in forms_of(OTHER):
            assert form not in body, f"{where}: {form}"

    # The numbers as typed are kept, encrypted, for the deciding authority.
    stored = session.get_one(Penalty, penalty_id)
    assert stored.free_text_ids_cipher
    assert NUMBER not in stored.free_text_ids_cipher
    assert reveal_free_text_ids(session, Penalty, penalty_id, supervisor(world.finance.id), VAULT) == {
        "facts": [NUMBER],
        "basis": [OTHER],
        "remarks": [NUMBER],
    }


def test_only_the_deciding_authority_reads_the_numbers_back(client, session, world, entity):
    """The kept numbers are for the authority that decided the record, not an administrator, the
    platform or another authority; a record without any keeps nothing (no ciphertext at all)."""
    with_number = client.post(
        "/api/v1/penalties", json=penalty_body(entity.id, facts=f"当事人{NUMBER}"), headers=auth(world.finance_key)
    ).json["id"]
    without = client.post(
        "/api/v1/penalties",
        json=penalty_body(entity.id, decision_number="浙财采罚〔2026〕902号"),
        headers=auth(world.finance_key),
    ).json["id"]
    assert session.get_one(Penalty, without).free_text_ids_cipher is None
    assert reveal_free_text_ids(session, Penalty, without, supervisor(world.finance.id), VAULT) == {}
    for actor in (
        factories.ADMIN,
        Actor(key_id=None, name="信用浙江", role="platform"),
        supervisor(world.housing.id),
        Actor(key_id=None, name="public", role="public"),
    ):
        with pytest.raises(NotPermitted):
            reveal_free_text_ids(session, Penalty, with_number, actor, VAULT)
    assert reveal_free_text_ids(session, Penalty, with_number, supervisor(world.finance.id), VAULT) == {
        "facts": [NUMBER]
    }


def test_corrections_and_revocations_keep_the_numbers_their_text_still_shows(client, session, world, entity):
    """A correction that keeps the masked text keeps the number; one that drops it drops it; a new
    number (in a field or in the reason) is masked and kept; a revocation reason too."""
    created = client.post(
        "/api/v1/penalties",
        json=penalty_body(entity.id, facts=f"当事人{NUMBER}提供虚假材料"),
        headers=auth(world.finance_key),
    ).json
    url = f"/api/v1/penalties/{created['id']}"
    finance = supervisor(world.finance.id)

    r = client.patch(
        url,
        json={"facts": created["facts"] + "。", "remarks": f"另查明{OTHER}", "reason": f"补充当事人{THIRD}的情况"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert r.status_code == 200, r.json
    assert r.json["facts"] == f"当事人{mask(NUMBER)}提供虚假材料。"
    assert r.json["remarks"] == f"另查明{mask(OTHER)}"
    assert reveal_free_text_ids(session, Penalty, created["id"], finance, VAULT) == {
        "facts": [NUMBER],
        "remarks": [OTHER],
        "correction_reason": [THIRD],
    }

    r = client.patch(
        url,
        json={"facts": "当事人提供虚假材料", "reason": "删去证件号码"},
        headers=auth(world.finance_key, If_Match='"v2"'),
    )
    assert r.status_code == 200, r.json
    assert reveal_free_text_ids(session, Penalty, created["id"], finance, VAULT) == {
        "remarks": [OTHER],
        "correction_reason": [THIRD],
    }

    r = client.post(
        f"{url}/revoke",
        json={"reason": f"复议撤销，申请人{NUMBER.lower()}"},
        headers=auth(world.finance_key, If_Match='"v3"'),
    )
    assert r.status_code == 200, r.json
    assert r.json["revocation_reason"] == f"复议撤销，申请人{mask(NUMBER)}"
    assert reveal_free_text_ids(session, Penalty, created["id"], finance, VAULT)["revocation_reason"] == [NUMBER]
    history = client.get(f"{url}/history", headers=auth(world.finance_key)).get_data(as_text=True)
    for number in (NUMBER, OTHER, THIRD):
        assert_masked(history, number, "history")


def test_list_entry_facts_and_status_reasons_are_masked(client, session, world, entity):
    """The same for a list entry: its facts, basis and the reason of its removal (status reason,
    transition and audit reason)."""
    created = client.post(
        "/api/v1/list-entries",
        json=entry_body(entity.id, facts=f"提供虚假业绩，经办人身份证{NUMBER}", legal_basis=f"依据…（{OTHER}）"),
        headers=auth(world.finance_key),
    )
    assert created.status_code == 201, created.json
    entry_id = created.json["id"]
    removed = client.post(
        f"/api/v1/list-entries/{entry_id}/remove",
        json={"reason": f"经复核移出 {THIRD}"},
        headers=auth(world.finance_key, If_Match='"v1"'),
    )
    assert removed.status_code == 200, removed.json
    assert removed.json["status_reason"] == f"经复核移出 {mask(THIRD)}"
    for number in (NUMBER, OTHER):
        assert_masked(created.get_data(as_text=True), number, "POST response")
    body = client.get(f"/api/v1/list-entries/{entry_id}", headers=auth(world.admin_key)).get_data(as_text=True)
    for number in (NUMBER, OTHER, THIRD):
        assert_masked(body, number, "admin read")
    assert reveal_free_text_ids(session, ListEntry, entry_id, supervisor(world.finance.id), VAULT) == {
        "facts": [NUMBER],
        "legal_basis": [OTHER],
        "status_reason": [THIRD],
    }


def test_a_repair_statement_is_masked(client, session, world, entity):
    """A repair application's statement, commitment and decision reason show a number masked only."""
    old = factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 5, 1))
    session.commit()
    r = client.post(
        "/api/v1/repairs",
        json={
            "record_type": "penalty",
            "record_id": old.id,
            "statement": f"申请人{NUMBER}已缴纳罚款",
            "commitment": f"承诺人 {OTHER}",
            "attachments": [{"name": "缴款凭证", "ref": f"付款人{THIRD}"}],
        },
        headers=auth(world.platform_key),
    )
    assert r.status_code == 201, r.json
    body = r.get_data(as_text=True)
    for number in (NUMBER, OTHER, THIRD):
        assert_masked(body, number, "repair application")


@pytest.mark.parametrize("writer", ["batched", "services"])
def test_both_import_writers_mask_and_keep_the_number(app, session, world, entity, writer):
    """An imported 双公示 row with a number in its facts: either writer stores it masked and keeps it."""
    row = penalty_row(
        world.finance,
        entity.name,
        entity.uscc,
        "浙财采罚〔2026〕903号",
        **{"违法事实": f"法定代表人（{NUMBER}）提供虚假业绩证明材料"},
    )
    with app.app_context():
        report = import_records(
            session,
            io.BytesIO(csv_bytes(PENALTY_HEADERS, [row])),
            "one.csv",
            actor=supervisor(world.finance.id),
            today=factories.TODAY,
            rules=factories.rules(session),
            vault=VAULT,
            writer=writer,
        )
    assert report.created == 1, report.problems
    penalty = session.scalars(sa.select(Penalty).where(Penalty.decision_number == "浙财采罚〔2026〕903号")).one()
    assert penalty.facts == f"法定代表人（{mask(NUMBER)}）提供虚假业绩证明材料"
    assert reveal_free_text_ids(session, Penalty, penalty.id, supervisor(world.finance.id), VAULT) == {
        "facts": [NUMBER]
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"号码{NUMBER}。", f"号码{mask(NUMBER)}。"),
        (f"ID{NUMBER.lower()}", f"ID{mask(NUMBER)}"),
        (f"{NUMBER[:6]}-{NUMBER[6:14]}-{NUMBER[14:]}", mask(NUMBER)),
        (NUMBER.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")), mask(NUMBER)),
        # Not a resident ID: a wrong check digit, a longer account number, an 18-digit project code
        # whose date is impossible; left as written.
        (NUMBER[:-1] + "1", NUMBER[:-1] + "1"),
        ("6222021001" + NUMBER[:12], "6222021001" + NUMBER[:12]),
        ("330106202613451234", "330106202613451234"),
    ],
)
def test_what_counts_as_a_number_in_free_text(text, expected):
    """GB 11643 numbers are masked however they are written; anything failing the check stays."""
    assert mask_resident_ids(text) == expected


def test_every_export_kind_masks_list_entry_text(client, session, world, entity):
    """The list-entry and name-change exports as well as the penalties' show only the masked form."""
    created = client.post(
        "/api/v1/list-entries", json=entry_body(entity.id, facts=f"经办人{NUMBER}"), headers=auth(world.finance_key)
    )
    assert created.status_code == 201, created.json
    shown = ""
    for kind in KINDS:
        for fmt in FORMATS:
            r = client.get(f"/api/v1/exports/{kind}.{fmt}", headers=auth(world.platform_key))
            assert r.status_code == 200, (kind, fmt)
            text = xlsx_text(r.get_data()) if fmt == "xlsx" else r.get_data(as_text=True)
            for form in forms_of(NUMBER):
                assert form not in text, (kind, fmt, form)
            shown += text
    assert mask(NUMBER) in shown
