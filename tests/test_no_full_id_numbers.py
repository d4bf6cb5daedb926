"""No full personal ID number (居民身份证号码) ever leaves the registry: not through any API operation,
page, export, the feed, the national rendering the push sends, an import report, the history
endpoints, or an error response.

A world of natural persons (one number with an X check character, registered as lowercase x),
a company's legal representative, a person registered by an import, a number typed into a record's
free text (facts, remarks, a correction's and a removal's reason), with penalties, list entries,
a repair application, a screening and failed requests on them; then every GET operation under
/api/v1 (read from the URL map, so a new endpoint is covered as soon as it exists: an unknown path
argument fails the test until it is taught here) with every role's key and none, every page with
every role signed in, every export in every format (XLSX unzipped, its XML searched), and the
rest. Each body is searched for each number, its lowercase-x form, its first 17 characters and the
6-8-4 grouping with spaces or hyphens. Each channel must show the masked form somewhere, so a
channel that showed nothing at all would fail rather than pass.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from stdnum.cn import ric

from registry.codes.idnumber import mask
from registry.ledger import Actor
from registry.models import Alert, AuditLog, ChangeEvent, IdempotencyRecord, Screening, WatchPerson
from registry.records import repairs
from sync.exports import FORMATS
from sync.national import KINDS, DataSource, to_chinese
from sync.outbox_rendering import render_events
from tests import factories
from tests.conftest import auth
from tests.import_sheets import PENALTY_HEADERS, company, csv_bytes, penalty_row, xlsx_bytes
from tests.pages.conftest import sign_in

PLATFORM = Actor(key_id=None, name="信用浙江", role="platform")
OPERATOR = DataSource("浙江省公共资源交易中心", "12330000MB0000000X")


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum ignores the last character


def resident_id_ending_in_x(prefix: str) -> str:
    """The first valid number after `prefix` (14 digits) whose check character is X."""
    for serial in range(1000):
        number = resident_id(f"{prefix}{serial:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character found")  # pragma: no cover


PERSON_X = resident_id_ending_in_x("33010619850315")  # registered as lowercase x
PERSON_D = resident_id("11010219790704221")
PERSON_D_NEW = resident_id("11010219790704239")  # person D's number after a correction
REP = resident_id("11010519800101123")  # the legal representative of a company
IMPORTED = resident_id("11010119880808456")  # a person registered by an import
STRAY = resident_id("11010519770707312")  # a number given for an organisation (refused)
TYPED = resident_id("11010519491231002")  # typed into free text (masked on the way in)
NUMBERS = (PERSON_X, PERSON_D, PERSON_D_NEW, REP, IMPORTED, STRAY, TYPED)
assert PERSON_X.endswith("X")
assert all(len(n) == 18 for n in NUMBERS)


def forms_of(number: str) -> set[str]:
    """The ways a full number could be written out."""
    grouped = (number[:6], number[6:14], number[14:])
    return {number, number.lower(), number[:17], " ".join(grouped), "-".join(grouped)}


FORBIDDEN = sorted({form for number in NUMBERS for form in forms_of(number)})


@dataclass
class Seen:
    """Every body read, by channel and what was asked."""

    bodies: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, channel: str, what: str, body: bytes | str) -> None:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        self.bodies.setdefault(channel, []).append((what, text))

    def leaks(self) -> list[str]:
        found = []
        for channel, bodies in self.bodies.items():
            for what, text in bodies:
                for form in FORBIDDEN:
                    if form in text:
                        found.append(f"{channel}: {what}: {form}")
        return found

    def shows(self, channel: str, text: str) -> bool:
        return any(text in body for _, body in self.bodies.get(channel, []))


@dataclass
class Ids:
    authorities: list[int]
    entities: list[int]
    penalties: list[int]
    list_entries: list[int]
    repairs: list[int]
    screenings: list[int]
    accounts: list[int]
    watches: list[int]
    alerts: list[int]
    reports: list[str]
    licences: list[int]


@dataclass
class PeopleWorld:
    world: factories.World
    ids: Ids
    person_x: int
    company_id: int
    keys: dict[str, str | None]  # role → key (None: anonymous)


def _post(client: FlaskClient, key: str, path: str, body: dict, seen: Seen, **headers: str):
    response = client.post(path, json=body, headers=auth(key, **headers))
    seen.add("api errors" if response.status_code >= 400 else "api writes", f"POST {path}", response.get_data())
    return response


def _import_sheet(world: factories.World) -> list[dict]:
    name, code = company(20)
    bad_day = penalty_row(
        world.finance,
        "李四",
        None,
        "浙财采罚〔2026〕5003号",
        **{
            "行政相对人类别": "自然人",
            "法定代表人": None,
            "证件类型": "居民身份证",
            "证件号码": IMPORTED,
            "处罚决定日期": "2026-02-30",
        },
    )
    return [
        penalty_row(
            world.finance,
            "李四",
            None,
            "浙财采罚〔2026〕5001号",
            **{"行政相对人类别": "自然人", "法定代表人": None, "证件类型": "居民身份证", "证件号码": IMPORTED},
        ),
        bad_day,
        # An organisation row carrying a personal number: refused, and the report must not echo it.
        penalty_row(
            world.finance, name, code, "浙财采罚〔2026〕5004号", **{"证件类型": "居民身份证", "证件号码": STRAY}
        ),
        # A person's number with another name: refused as a likely mistyped number.
        penalty_row(
            world.finance,
            "王五",
            None,
            "浙财采罚〔2026〕5005号",
            **{"行政相对人类别": "自然人", "法定代表人": None, "证件类型": "居民身份证", "证件号码": PERSON_D_NEW},
        ),
        # A legal representative's number on an organisation row.
        penalty_row(
            world.finance,
            company(21)[0],
            factories.code(),
            "浙财采罚〔2026〕5006号",
            **{"法定代表人证件类型": "居民身份证", "法定代表人证件号码": REP, "处罚决定日期": "2026-13-01"},
        ),
    ]


def _multipart(data: bytes, filename: str, **form: str) -> tuple[bytes, str]:
    boundary = "----registry-id-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in form.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def _typed_in_free_text(client: FlaskClient, key: str, firm: int, seen: Seen) -> tuple[int, int]:
    """A penalty and a list entry of the company whose free text holds TYPED, written every way."""
    grouped = f"{TYPED[:6]} {TYPED[6:14]} {TYPED[14:]}"
    penalty = _post(
        client,
        key,
        "/api/v1/penalties",
        {
            "entity_id": firm,
            "decision_number": "浙财采罚〔2026〕7001号",
            "violation_type": "提供虚假材料谋取中标",
            "facts": f"法定代表人（身份证号{TYPED}）提供虚假业绩证明材料",
            "basis": "《中华人民共和国政府采购法》第七十七条",
            "categories": ["罚款"],
            "content": "罚款人民币五千元",
            "fine_amount": "0.5",
            "decided_on": "2026-11-02",
            "severity": "general",
            "domain": "procurement",
            "remarks": f"经办人 {TYPED.lower()}",
        },
        seen,
    )
    assert penalty.status_code == 201, penalty.get_json()
    corrected = client.patch(
        f"/api/v1/penalties/{penalty.get_json()['id']}",
        json={"content": "罚款人民币伍仟元整", "reason": f"当事人 {grouped} 申请更正"},
        headers=auth(key, If_Match='"v1"'),
    )
    assert corrected.status_code == 200, corrected.get_json()
    seen.add("api writes", "PATCH penalty", corrected.get_data())
    entry = _post(
        client,
        key,
        "/api/v1/list-entries",
        {
            "entity_id": firm,
            "list_type": "black",
            "list_name": "政府采购严重违法失信行为记录名单",
            "domains": ["procurement"],
            "decision_number": "浙财采决〔2026〕7001号",
            "reason_category": "提供虚假材料谋取中标、成交",
            "facts": f"经办人{TYPED}提供虚假业绩",
            "legal_basis": "《中华人民共和国政府采购法》第七十七条",
            "listed_on": "2026-03-01",
            "expires_on": "2027-02-28",
            # 失信相关人: the legal representative's number (and the typed one) as responsible persons
            "responsible_persons": [
                {"role": "legal_representative", "name": "赵七", "id_type": "resident_id", "id_number": REP},
                {"role": "directly_responsible", "name": "钱八", "id_type": "resident_id", "id_number": TYPED.lower()},
            ],
        },
        seen,
    )
    assert entry.status_code == 201, entry.get_json()
    # A second entry, removed with the number in its reason (the first stays published).
    removed = _post(
        client,
        key,
        "/api/v1/list-entries",
        {
            "entity_id": firm,
            "list_type": "black",
            "list_name": "政府采购严重违法失信行为记录名单",
            "domains": ["procurement"],
            "decision_number": "浙财采决〔2026〕7002号",
            "reason_category": "提供虚假材料谋取中标、成交",
            "facts": "提供虚假业绩",
            "legal_basis": "《中华人民共和国政府采购法》第七十七条",
            "listed_on": "2026-03-01",
            "expires_on": "2027-02-28",
        },
        seen,
    )
    assert removed.status_code == 201, removed.get_json()
    moved = client.post(
        f"/api/v1/list-entries/{removed.get_json()['id']}/remove",
        json={"reason": f"经复核，当事人{TYPED}非失信主体"},
        headers=auth(key, If_Match='"v1"'),
    )
    assert moved.status_code == 200, moved.get_json()
    seen.add("api writes", "remove list entry", moved.get_data())
    return penalty.get_json()["id"], entry.get_json()["id"]


def build(client: FlaskClient, session: Session, seen: Seen) -> PeopleWorld:
    world = factories.build_world(session)
    fin = world.finance_key
    person_x = _post(
        client,
        fin,
        "/api/v1/entities",
        {
            "kind": "natural_person",
            "name": "张伟",
            "id_type": "resident_id",
            "id_number": PERSON_X.lower(),
        },
        seen,
        Idempotency_Key="person-x",
    )
    assert person_x.status_code == 201, person_x.get_json()
    # The retry is answered from the stored response.
    replay = _post(
        client,
        fin,
        "/api/v1/entities",
        {
            "kind": "natural_person",
            "name": "张伟",
            "id_type": "resident_id",
            "id_number": PERSON_X.lower(),
        },
        seen,
        Idempotency_Key="person-x",
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"
    person_d = _post(
        client,
        fin,
        "/api/v1/entities",
        {
            "kind": "natural_person",
            "name": "陈静",
            "id_type": "resident_id",
            "id_number": f"{PERSON_D[:6]} {PERSON_D[6:14]} {PERSON_D[14:]}",
        },
        seen,
    )
    assert person_d.status_code == 201, person_d.get_json()
    firm = _post(
        client,
        fin,
        "/api/v1/entities",
        {
            "kind": "legal_entity",
            "name": "杭州证件测试建设有限公司",
            "uscc": factories.code(),
            "legal_representative": "王建国",
            "legal_rep_id_type": "resident_id",
            "legal_rep_id_number": REP,
        },
        seen,
    )
    assert firm.status_code == 201, firm.get_json()
    d = person_d.get_json()
    patched = client.patch(
        f"/api/v1/entities/{d['id']}",
        json={"id_type": "resident_id", "id_number": PERSON_D_NEW},
        headers=auth(fin, If_Match='"v1"'),
    )
    assert patched.status_code == 200, patched.get_json()
    seen.add("api writes", "PATCH entity", patched.get_data())

    # Requests that fail with a full number in them: the error must not echo it.
    for body in (
        {"kind": "natural_person", "name": "张伟", "id_type": "resident_id", "id_number": PERSON_X},  # taken
        {
            "kind": "legal_entity",
            "name": "某公司",
            "uscc": factories.code(),
            "id_type": "resident_id",
            "id_number": STRAY,
        },  # an organisation has no personal number
        {"kind": "natural_person", "name": "某人", "id_type": "resident_card", "id_number": STRAY},
        {
            "kind": "natural_person",
            "name": "某人",
            "id_type": "resident_id",
            "id_number": STRAY[:-1] + "0" if STRAY[-1] != "0" else STRAY[:-1] + "1",
        },
        {"kind": "natural_person", "name": "某人" * 200, "id_type": "resident_id", "id_number": STRAY},
    ):
        assert _post(client, fin, "/api/v1/entities", body, seen).status_code >= 400
    stale = client.patch(f"/api/v1/entities/{d['id']}", json={"id_number": STRAY}, headers=auth(fin, If_Match='"v1"'))
    assert stale.status_code == 412
    seen.add("api errors", "PATCH stale", stale.get_data())

    from registry.models import Entity

    entities = [session.get_one(Entity, e["id"]) for e in (person_x.get_json(), d, firm.get_json())]
    typed_penalty, typed_entry = _typed_in_free_text(client, fin, firm.get_json()["id"], seen)
    penalties, entries = [], []
    for entity in entities:
        penalties.append(factories.make_penalty(session, world.finance, entity, facts=f"{entity.name}的违法事实"))
        entries.append(factories.make_list_entry(session, world.finance, entity, facts=f"{entity.name}的失信事实"))
    old = factories.make_penalty(session, world.finance, entities[0], decided_on=dt.date(2026, 5, 1))
    application = repairs.submit_repair(
        session,
        {
            "record_type": "penalty",
            "record_id": old.id,
            "statement": "已全额缴纳罚款并完成整改",
            "commitment": "承诺依法诚信经营",
        },
        PLATFORM,
        factories.TODAY,
        factories.rules(session),
    )
    session.commit()

    screening = client.post(
        "/api/v1/screenings",
        json={
            "domain": "procurement",
            "project_code": "ZJCG-ID-1",
            "subjects": [
                {"name": "张伟"},
                {"name": "杭州证件测试建设有限公司"},
                {"name": "陈静"},
                # a person's number typed into the code column
                {"name": "王芳", "uscc": PERSON_D},
                # a bidder's legal representative, an expert
                {"name": "宁波证件测试贸易有限公司", "legal_representative": {"name": "赵七", "id_number": REP}},
                {"name": "钱八", "role": "评标评审专家", "id_type": "resident_id", "id_number": TYPED},
            ],
        },
        headers=auth(world.screener_key),
    )
    assert screening.status_code == 201, screening.get_data(as_text=True)[:500]
    seen.add("api writes", "POST screening", screening.get_data())

    # The screening watched, and an alert on a watched person carrying what the screening saw.
    sid = screening.get_json()["id"]
    watched = client.post(
        "/api/v1/watches", json={"screening_id": sid, "watch_until": "2027-01-31"}, headers=auth(world.screener_key)
    )
    assert watched.status_code == 201, watched.get_data(as_text=True)[:500]
    seen.add("api writes", "POST watches", watched.get_data())
    document = screening.get_json()["document"]
    alert = Alert(
        watch_id=watched.get_json()[4]["id"],
        screening_id=sid,
        subject_index=4,
        api_key_id=session.get_one(Screening, sid).api_key_id,
        decision_then="clear",
        decision_now="review",
        change_seq=1,
        entity_id=entities[0].id,
        details={"subject": document["subjects"][4], "entities": document["entities"]},
    )
    session.add(alert)
    session.commit()
    # 行政许可 of the person, with a number typed into its content and remarks.
    licence = client.post(
        "/api/v1/licences",
        json={
            "entity_id": entities[0].id,
            "decision_document_name": "准予行政许可决定书",
            "decision_number": "浙许〔2026〕9号",
            "licence_category": "普通",
            "content": f"准予张伟（身份证号{PERSON_X}）从事经营",
            "remarks": f"证件号码 {TYPED}",
            "decided_on": "2026-11-02",
            "valid_from": "2026-11-02",
        },
        headers=auth(world.finance_key),
    )
    assert licence.status_code == 201, licence.get_data(as_text=True)[:500]
    seen.add("api writes", "POST licence", licence.get_data())
    # 专项信用报告: the person's (by an authority) and the company's (by the public).
    reports = []
    for key, entity in ((world.admin_key, entities[0]), (None, entities[2])):
        made = client.post(
            "/api/v1/credit-reports",
            json={"entity_id": entity.id, "purpose": "bidding", "from": "2022-01-01", "to": "2026-11-23"},
            headers=auth(key) if key else {},
        )
        assert made.status_code == 201, made.get_data(as_text=True)[:500]
        seen.add("api writes", "POST credit report", made.get_data())
        reports.append(made.get_json()["number"])
    ids = Ids(
        authorities=[world.finance.id, world.housing.id],
        entities=[e.id for e in entities],
        penalties=[typed_penalty, *(p.id for p in [*penalties, old])],
        list_entries=[typed_entry, *(e.id for e in entries)],
        repairs=[application.id],
        screenings=[screening.get_json()["id"]],
        # an officer whose name is a person's: the account pages must not leak an ID number either
        accounts=[factories.make_account(session, "zhangwei", "supervisor", name="张伟", authority=world.finance).id],
        watches=[w["id"] for w in watched.get_json()],
        alerts=[alert.id],
        reports=reports,
        licences=[licence.get_json()["id"]],
    )
    keys: dict[str, str | None] = {
        "anonymous": None,
        "admin": world.admin_key,
        "supervisor": world.finance_key,
        "other supervisor": world.housing_key,
        "screener": world.screener_key,
        "platform": world.platform_key,
    }
    return PeopleWorld(world, ids, entities[0].id, entities[2].id, keys)


# ---------------------------------------------------------------------------------------------
# Filling in paths from the URL map

_BY_COLLECTION = {
    "entities": "entities",
    "penalties": "penalties",
    "list-entries": "list_entries",
    "repairs": "repairs",
    "authorities": "authorities",
    "screenings": "screenings",
    "licences": "licences",
}
_BY_ARGUMENT = {
    "entity_id": "entities",
    "penalty_id": "penalties",
    "entry_id": "list_entries",
    "application_id": "repairs",
    "authority_id": "authorities",
    "screening_id": "screenings",
    "account_id": "accounts",
    "watch_id": "watches",
    "alert_id": "alerts",
    "licence_id": "licences",
}
QUERIES = {
    "/api/v1/entities": ["", "kind=natural_person", "name=张伟", "name=陈静"],
    "/api/v1/penalties": ["", "entity_id={person}"],
    "/api/v1/list-entries": ["", "entity_id={person}"],
    "/api/v1/reports/timeliness": ["from=2026-01-01&to=2026-12-31", "from=2026-01-01&to=2026-12-31&format=csv"],
    "/api/v1/reports/timeliness/overdue": ["from=2026-01-01&to=2026-12-31", "from=2026-01-01&to=2026-12-31&format=csv"],
    "/api/v1/feed": ["", "after=0&limit=1000"],
    "/api/v1/calendar/working-days": ["from=2026-11-02&add=5"],
    "/search": ["q=张伟", "q=陈静", "q=杭州证件测试建设有限公司"],
}


def _values(rule: str, argument: str, converter: object, ids: Ids) -> list[str]:
    if argument == "record_id":
        collection = rule.split("/")[3]
        return [str(i) for i in getattr(ids, _BY_COLLECTION[collection])]
    if argument in _BY_ARGUMENT:
        return [str(i) for i in getattr(ids, _BY_ARGUMENT[argument])]
    if argument == "year":
        return ["2026"]
    if argument == "name" and rule.startswith("/api/v1/exports/"):
        return [f"{kind}.{fmt}" for kind in KINDS for fmt in FORMATS]
    if argument == "list_type":
        return ["black", "red"]
    if argument == "number":
        return ids.reports
    raise AssertionError(f"{rule}: path argument {argument!r} is new; teach this test which values to try")


def urls(app: Flask, ids: Ids, *, api: bool, person: int) -> Iterator[str]:
    """Every GET URL of the API (api=True) or of the pages, its arguments filled from the world."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.rule.startswith("/static"):
            continue
        if rule.rule.startswith("/api/v1") != api or "<path:" in rule.rule:  # the docs' assets are files
            continue
        paths = [rule.rule]
        for argument, converter in rule._converters.items():  # noqa: SLF001 (werkzeug keeps no public list)
            pattern = re.compile(r"<(?:[^:<>]+:)?" + argument + r"(?:\([^)]*\))?>")
            paths = [
                pattern.sub(value, path, count=1)
                for path in paths
                for value in _values(rule.rule, argument, converter, ids)
            ]
        for path in paths:
            for query in QUERIES.get(rule.rule, [""]):
                query = query.replace("{person}", str(person))
                yield f"{path}?{query}" if query else path


def _text_of(response) -> str:
    body = response.get_data()
    if body[:2] == b"PK":
        return _xlsx_text(body)
    return body.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# The test


@pytest.fixture
def people(app: Flask, client: FlaskClient, session: Session) -> tuple[PeopleWorld, Seen]:
    seen = Seen()
    return build(client, session, seen), seen


def test_the_world_holds_the_numbers_it_hides(session, people):
    """The numbers are really there, protected: the test below is about something real."""
    made, _ = people
    from registry.models import Entity

    person = session.get_one(Entity, made.person_x)
    assert person.id_number_masked == mask(PERSON_X)
    assert person.id_number_cipher
    assert PERSON_X not in person.id_number_cipher


def test_no_full_id_number_leaves_through_any_channel(app, client, session, people):
    made, seen = people
    ids = made.ids

    # Every GET operation of the API, with every role's key and with none.
    api_urls = list(urls(app, ids, api=True, person=made.person_x))
    assert any("/history" in u for u in api_urls)
    assert any("/exports/" in u for u in api_urls)
    for role, key in made.keys.items():
        for url in api_urls:
            response = client.get(url, headers=auth(key) if key else {})
            assert response.status_code < 500, (role, url, response.get_data()[:500])
            seen.add("api reads", f"{role} GET {url}", _text_of(response))
            if url.endswith(".xlsx") and response.status_code == 200:
                seen.add("exports", f"{role} GET {url}", _text_of(response))
            elif "/exports/" in url and response.status_code == 200:
                seen.add("exports", f"{role} GET {url}", response.get_data())
            if url.startswith("/api/v1/feed") and response.status_code == 200:
                seen.add("feed", f"{role} GET {url}", response.get_data())
            if "/history" in url and response.status_code == 200:
                seen.add("history", f"{role} GET {url}", response.get_data())

    # Every page, signed in as each role (and as nobody).
    page_urls = list(urls(app, ids, api=False, person=made.person_x))
    for role, key in made.keys.items():
        browser = app.test_client()
        browser.environ_base["wsgi.url_scheme"] = "https"
        if key is not None:
            assert sign_in(browser, key).status_code == 303, role
        for url in page_urls:
            response = browser.get(url)
            assert response.status_code < 500, (role, url, response.get_data()[:500])
            seen.add("pages", f"{role} GET {url}", response.get_data())

    # The national rendering the push sends (English and Chinese keys), every event, not-public too.
    events = list(session.scalars(sa.select(ChangeEvent).order_by(ChangeEvent.seq)))
    rendered = render_events(session, events, include_not_public=True, operator=OPERATOR)
    assert rendered
    seen.add("national", "render_events", json.dumps(rendered, ensure_ascii=False, default=str))
    seen.add("national", "to_chinese", json.dumps([to_chinese(r) for r in rendered], ensure_ascii=False, default=str))

    # The import report as JSON, CSV and XLSX (mode all: refused, nothing written), then imported.
    rows = _import_sheet(made.world)
    for filename, data in (
        ("people.csv", csv_bytes(PENALTY_HEADERS, rows)),
        ("people.xlsx", xlsx_bytes(PENALTY_HEADERS, rows)),
    ):
        for report in ("", "?report=csv", "?report=xlsx"):
            body, content_type = _multipart(data, filename, mode="all")
            response = client.post(
                f"/api/v1/imports{report}", data=body, content_type=content_type, headers=auth(made.world.finance_key)
            )
            assert response.status_code == 422, response.get_data()[:1000]
            seen.add("import report", f"{filename}{report}", _text_of(response))
    body, content_type = _multipart(csv_bytes(PENALTY_HEADERS, rows[:1]), "one.csv", mode="skip")
    imported = client.post(
        "/api/v1/imports", data=body, content_type=content_type, headers=auth(made.world.finance_key)
    )
    assert imported.status_code == 200, imported.get_json()
    seen.add("import report", "written", imported.get_data())
    person_pages = client.get("/api/v1/entities?kind=natural_person&name=李四", headers=auth(made.world.admin_key))
    seen.add("api reads", "imported person", person_pages.get_data())

    # What the feed, the push and the history are made of.
    for event in session.scalars(sa.select(ChangeEvent)):
        seen.add("outbox", f"event {event.seq}", json.dumps(event.payload, ensure_ascii=False, default=str))
    for row in session.scalars(sa.select(AuditLog)):
        seen.add(
            "audit",
            f"audit {row.seq}",
            json.dumps(
                {c.key: getattr(row, c.key) for c in sa.inspect(AuditLog).column_attrs}, ensure_ascii=False, default=str
            ),
        )
    for record in session.scalars(sa.select(IdempotencyRecord)):
        seen.add("idempotency", record.key, record.response_body)
    # What a watch keeps of the persons it follows (the masked number and the keyed hash), and the
    # keyed hashes kept beside a screening's document for a watch made later.
    for person in session.scalars(sa.select(WatchPerson)):
        columns = {c.key: getattr(person, c.key) for c in sa.inspect(WatchPerson).column_attrs}
        seen.add("watched persons", f"watch person {person.id}", json.dumps(columns, ensure_ascii=False))
    for screening in session.scalars(sa.select(Screening)):
        seen.add("watched persons", f"screening {screening.id}", json.dumps(screening.person_fingerprints))

    assert seen.leaks() == []
    assert seen.shows("watched persons", mask(REP))
    assert seen.shows("watched persons", mask(TYPED))  # the expert screened with its own number

    # Each channel shows the masked form (or, where no person may appear, the records themselves).
    masked_x, masked_rep = mask(PERSON_X), mask(REP)
    for channel in ("api writes", "api reads", "pages", "exports", "feed", "national", "outbox", "history"):
        assert seen.shows(channel, masked_x) or seen.shows(channel, masked_rep), channel
    assert seen.shows("api reads", mask(PERSON_D_NEW))
    # The number typed into free text is shown masked wherever the record is.
    for channel in ("api writes", "api reads", "pages", "exports", "feed", "national", "outbox", "history"):
        assert seen.shows(channel, mask(TYPED)), channel
    assert seen.shows("api reads", mask(IMPORTED))
    assert seen.shows("import report", "2026-02-30")  # the reports hold the rows' problems
    assert seen.shows("import report", "陈静")  # …including the person whose number another name used
    assert seen.shows("api errors", "id_number")
