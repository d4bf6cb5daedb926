"""The public pages (no key): search by name or code, an entity's published records, the black and red lists.

What must hold: only records published today appear (nothing hidden is shown or counted), natural
persons are never found, ID numbers appear masked only, hostile names stay text, and bad query
strings get a page, never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from stdnum.cn import ric

from registry.codes.idnumber import IdentityVault
from registry.ledger import Actor
from registry.models import Entity, ListEntry, Penalty
from registry.records import list_entries, penalties, public_lookup, repairs
from tests import factories
from tests.factories import TODAY

PLATFORM = Actor(key_id=None, name="信用浙江", role="platform")
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'


def resident_id(first17: str) -> str:
    """A valid 居民身份证 number (GB 11643 check digit)."""
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum ignores the last character


REP_ID = resident_id("11010519800101123")  # the legal representative of the company
PERSON_ID = resident_id("11010219750505432")  # a natural person with a published penalty


def text(r: object) -> str:
    page: str = r.get_data(as_text=True)  # type: ignore[attr-defined]
    return page


def hidden(page: str, *needles: str) -> None:
    for needle in needles:
        assert needle not in page, needle


# --- the scenario -----------------------------------------------------------------------------------


@dataclass
class Scenario:
    company: Entity
    shown_penalty: Penalty
    shown_entry: ListEntry
    hidden_numbers: list[str]  # decision numbers of records not published today
    hidden_facts: list[str]
    quiet: Entity  # an organisation whose only records are all hidden
    person: Entity

    @property
    def code(self) -> str:
        """The company's 统一社会信用代码."""
        assert self.company.uscc is not None
        return self.company.uscc


def _supervisor(world: factories.World) -> Actor:
    return factories.supervisor_of(world.finance)


def _repaired_penalty(session: Session, world: factories.World, entity: Entity, facts: str) -> Penalty:
    """A 一般 penalty decided 2026-05-01 (repairable from 2026-08-01), repaired today through the service."""
    penalty = factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 5, 1), facts=facts)
    application = repairs.submit_repair(
        session,
        {
            "record_type": "penalty",
            "record_id": penalty.id,
            "statement": "已全额缴纳罚款并完成整改",
            "commitment": "承诺依法诚信经营",
        },
        PLATFORM,
        TODAY,
        factories.rules(session),
    )
    repairs.accept_repair(session, application.id, _supervisor(world), 1, TODAY)
    repairs.complete_repair(session, application.id, "已履行处罚并作出信用承诺", _supervisor(world), 2, TODAY)
    assert penalty.repaired_on == TODAY
    return penalty


def _hidden_records(session: Session, world: factories.World, entity: Entity, tag: str) -> list[Penalty | ListEntry]:
    """One record of each kind the public must not see: out of period, repaired, not public, revoked."""
    sup = _supervisor(world)
    old = factories.make_penalty(
        session, world.finance, entity, decided_on=dt.date(2024, 3, 1), facts=f"{tag}公示期已满的违法事实"
    )
    assert old.publication_ends_on is not None
    assert old.publication_ends_on < TODAY
    repaired = _repaired_penalty(session, world, entity, f"{tag}已信用修复的违法事实")
    secret = factories.make_penalty(
        session,
        world.finance,
        entity,
        facts=f"{tag}不公开的违法事实",
        is_public=False,
        not_public_reason="涉及商业秘密",
    )
    revoked = factories.make_penalty(session, world.finance, entity, facts=f"{tag}已撤销的违法事实")
    penalties.revoke_penalty(session, revoked.id, "复议撤销", None, sup, revoked.version, TODAY)
    expired = factories.make_list_entry(
        session,
        world.finance,
        entity,
        facts=f"{tag}已到期的失信事实",
        listed_on=dt.date(2025, 1, 1),
        expires_on=TODAY - dt.timedelta(days=1),
    )
    removed = factories.make_list_entry(session, world.finance, entity, facts=f"{tag}已移出的失信事实")
    list_entries.remove_list_entry(session, removed.id, "提前移出", None, sup, removed.version, TODAY)
    revoked_entry = factories.make_list_entry(session, world.finance, entity, facts=f"{tag}已撤销的失信事实")
    list_entries.revoke_list_entry(session, revoked_entry.id, "决定撤销", None, sup, revoked_entry.version, TODAY)
    repaired_entry = factories.make_list_entry(
        session, world.finance, entity, list_name="重大税收违法失信主体名单", facts=f"{tag}已修复的失信事实"
    )
    list_entries.repair_list_entry(session, repaired_entry.id, "已补缴税款", None, sup, repaired_entry.version, TODAY)
    secret_entry = factories.make_list_entry(
        session,
        world.finance,
        entity,
        facts=f"{tag}不公开的失信事实",
        is_public=False,
        not_public_reason="涉及国家秘密",
    )
    return [old, repaired, secret, revoked, expired, removed, revoked_entry, repaired_entry, secret_entry]


@pytest.fixture
def scenario(session: Session, world: factories.World) -> Scenario:
    company = factories.make_entity(
        session,
        "杭州合晟建设工程有限公司",
        legal_representative="王建国",
        legal_rep_id_type="resident_id",
        legal_rep_id_number=REP_ID,
        names=[{"name": "杭州合胜土木工程有限公司", "kind": "former"}],
    )
    # The data source (数据来源单位) differs from the deciding authority: both must be named.
    shown_penalty = factories.make_penalty(
        session,
        world.finance,
        company,
        data_source_authority_id=world.housing.id,
        facts="在杭州某学校采购项目中提供虚假业绩证明材料",
    )
    shown_entry = factories.make_list_entry(session, world.finance, company)
    hidden = _hidden_records(session, world, company, "合晟")
    quiet = factories.make_entity(session, "宁波静安贸易有限公司")
    quiet_hidden = _hidden_records(session, world, quiet, "静安")
    person = factories.make_entity(
        session, "张伟", kind="natural_person", uscc=None, id_type="resident_id", id_number=PERSON_ID
    )
    factories.make_penalty(session, world.finance, person, facts="自然人张伟的违法事实")
    factories.make_list_entry(session, world.finance, person, facts="自然人张伟的失信事实")
    session.commit()
    return Scenario(
        company=company,
        shown_penalty=shown_penalty,
        shown_entry=shown_entry,
        hidden_numbers=[r.decision_number for r in (*hidden, *quiet_hidden)],
        hidden_facts=[r.facts for r in (*hidden, *quiet_hidden)],
        quiet=quiet,
        person=person,
    )


# --- the entity page --------------------------------------------------------------------------------


def test_entity_page_shows_the_published_records_with_authority_and_data_source(
    pages: FlaskClient,
    scenario: Scenario,
    world: factories.World,
) -> None:
    r = pages.get(f"/entities/{scenario.company.id}")
    assert r.status_code == 200
    page = text(r)
    p = scenario.shown_penalty
    assert "<title>杭州合晟建设工程有限公司 · 公共资源交易信用信息</title>" in page
    assert scenario.code in page
    assert "杭州合胜土木工程有限公司" in page  # 曾用名
    assert p.decision_number in page
    assert p.facts in page
    assert "《中华人民共和国政府采购法》第七十七条" in page
    assert "罚款人民币五千元" in page
    assert "0.5 万元" in page
    assert "2026年11月2日" in page  # decided_on
    assert p.publication_ends_on is not None
    assert f"{p.publication_ends_on.year}年{p.publication_ends_on.month}月{p.publication_ends_on.day}日" in page
    assert re.search(r"处罚机关</dt><dd>浙江省财政厅", page)
    assert re.search(r"数据来源单位</dt><dd>浙江省住房和城乡建设厅", page)
    assert scenario.shown_entry.decision_number in page
    assert "政府采购严重违法失信行为记录名单" in page
    assert "2026年3月1日" in page  # listed
    assert "2027年3月1日" in page  # its last day in force (有效期截止日期), as the decision gives it
    assert "行政处罚（1 条）" in page
    assert "黑名单（1 条）" in page
    assert r.headers["Cache-Control"] == "no-store"
    assert "noindex" in r.headers["X-Robots-Tag"]
    assert "Content-Security-Policy" in r.headers


def test_records_not_published_today_are_neither_shown_nor_counted(pages: FlaskClient, scenario: Scenario) -> None:
    pages_seen = [
        text(pages.get(f"/entities/{scenario.company.id}")),
        text(pages.get(f"/entities/{scenario.quiet.id}")),
        text(pages.get("/search?q=杭州合晟建设工程有限公司")),
        text(pages.get(f"/search?q={scenario.quiet.uscc}")),
        text(pages.get("/lists/black")),
    ]
    for page in pages_seen:
        hidden(page, *scenario.hidden_numbers, *scenario.hidden_facts, "商业秘密", "国家秘密", "复议撤销", "已补缴税款")
        hidden(page, "重大税收违法失信主体名单", "已撤销", "已修复", "不公开")
    quiet = pages_seen[1]
    assert "该主体目前没有公示中的信用信息" in quiet
    assert "条）" not in quiet  # no section, no count
    search = pages_seen[2]
    assert "黑名单 1 条，行政处罚 1 条" in search  # the shown ones only


def test_a_penalty_is_published_through_the_last_day_of_its_period_and_not_after(
    pages: FlaskClient,
    session: Session,
    world: factories.World,
) -> None:
    company = factories.make_entity(session, "温州边界测试科技有限公司")
    ends_today = factories.make_penalty(session, world.finance, company, decided_on=dt.date(2025, 11, 23))
    ended = factories.make_penalty(session, world.finance, company, decided_on=dt.date(2025, 11, 22))
    assert ends_today.publication_ends_on == TODAY
    assert ended.publication_ends_on is not None
    assert ended.publication_ends_on < TODAY
    # One-year bans (政府采购法 Art. 77): the last day in force of one is today, of the other yesterday.
    tomorrow = factories.make_list_entry(
        session, world.finance, company, listed_on=dt.date(2025, 11, 24), expires_on=TODAY
    )
    today = factories.make_list_entry(
        session, world.finance, company, listed_on=dt.date(2025, 11, 23), expires_on=TODAY - dt.timedelta(days=1)
    )
    session.commit()
    page = text(pages.get(f"/entities/{company.id}"))
    assert ends_today.decision_number in page
    assert tomorrow.decision_number in page
    assert "2026年11月23日" in page  # the last day of both
    hidden(page, ended.decision_number, today.decision_number)


def test_a_natural_person_is_never_found_nor_shown(pages: FlaskClient, scenario: Scenario) -> None:
    r = pages.get(f"/entities/{scenario.person.id}")
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    assert "张伟" not in text(r)
    for query in ("张伟", "张伟的违法事实"):
        page = text(pages.get("/search", query_string={"q": query}))
        assert _hit_names(page) == []
        assert "没有找到" in page
        hidden(page, f'/entities/{scenario.person.id}"', PERSON_ID, "自然人张伟的")
    for url in ("/lists/black", "/lists/red", "/lists/black?domain=procurement"):
        page = text(pages.get(url))
        hidden(page, "张伟", f'/entities/{scenario.person.id}"', PERSON_ID)
    # The person's entry is published (public, in force): only the person filter keeps it off.
    assert _row_numbers(text(pages.get("/lists/black"))) == [scenario.shown_entry.decision_number]


def test_unknown_and_oversized_entity_ids_are_404(pages: FlaskClient, scenario: Scenario) -> None:
    for url in ("/entities/987654321", f"/entities/{2**70}", "/entities/-1", "/entities/abc"):
        r = pages.get(url)
        assert r.status_code == 404, url
        assert "页面不存在（404）" in text(r)


def test_pages_show_no_id_numbers_not_even_masked(pages: FlaskClient, scenario: Scenario) -> None:
    """The public sees the legal representative's name, never an ID number, not even masked (an
    outside test found the masked one on the public page)."""
    entity_page = text(pages.get(f"/entities/{scenario.company.id}"))
    masked = REP_ID[:4] + "*" * 10 + REP_ID[-4:]
    assert scenario.company.legal_rep_id_masked == masked
    assert "王建国" in entity_page
    assert masked not in entity_page
    for page in (
        entity_page,
        text(pages.get("/search?q=杭州合晟建设工程有限公司")),
        text(pages.get("/lists/black")),
        text(pages.get(f"/search?q={scenario.company.uscc}")),
    ):
        hidden(page, REP_ID, PERSON_ID, REP_ID[4:14], PERSON_ID[4:14])


# --- search -----------------------------------------------------------------------------------------


def _hit_names(page: str) -> list[str]:
    return re.findall(r'<p class="hit-name"><a href="/entities/\d+">([^<]*)</a>', page)


def test_search_form_has_a_label_and_autofocus(pages: FlaskClient, runtime: object) -> None:
    r = pages.get("/search")
    assert r.status_code == 200
    page = text(r)
    assert '<label for="q">企业名称或统一社会信用代码</label>' in page
    assert re.search(r'<input type="search" id="q" name="q" value=""[^>]* autofocus', page)
    assert "没有找到" not in page


@pytest.mark.parametrize(
    ("query", "how"),
    [
        ("杭州合晟建设工程有限公司", "名称一致"),
        ("合晟建设工程（杭州）有限公司", "名称高度相似"),  # the region in brackets after the trade name
        ("杭州合晟建设有限公司", "名称相近"),  # one industry word fewer: another registered name may exist (possible)
        ("杭州合胜土木工程有限公司", "与其曾用名“杭州合胜土木工程有限公司”相符"),
        ("杭州合晟建设工程有限公司宁波分公司", "与查询名称存在总公司与分支机构关系"),
    ],
)
def test_search_by_name_finds_current_fuzzy_and_former_names(
    pages: FlaskClient,
    scenario: Scenario,
    query: str,
    how: str,
) -> None:
    page = text(pages.get("/search", query_string={"q": query}))
    assert _hit_names(page) == ["杭州合晟建设工程有限公司"]
    assert how in page
    assert scenario.code in page
    assert "黑名单 1 条，行政处罚 1 条" in page


def test_search_by_name_lists_no_organisation_with_nothing_published(pages: FlaskClient, scenario: Scenario) -> None:
    page = text(pages.get("/search?q=宁波静安贸易有限公司"))
    assert _hit_names(page) == []
    assert "没有找到名称与“宁波静安贸易有限公司”相符、目前有公示信用信息的市场主体" in page


def test_search_by_code_finds_the_organisation_as_pasted(pages: FlaskClient, scenario: Scenario) -> None:
    code = scenario.code
    pasted = f" {code[:6].lower()} {code[6:12]} {code[12:].lower()} "
    page = text(pages.get("/search", query_string={"q": pasted}))
    assert _hit_names(page) == ["杭州合晟建设工程有限公司"]
    assert "黑名单 1 条，行政处罚 1 条" in page
    # An organisation with nothing published answers too: the clean bill a bidder prints.
    quiet = text(pages.get("/search", query_string={"q": scenario.quiet.uscc}))
    assert _hit_names(quiet) == ["宁波静安贸易有限公司"]
    assert "目前没有公示中的信用信息" in quiet


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("91330106000000001", "统一社会信用代码为18位，您输入的是17位"),
        ("91330106000000001O", "不使用字母 I、O、Z、S、V"),
        ("00000000000000000X", "未赋码个体工商户共用的占位代码"),
        ("!!!（）", "请输入企业名称"),
        ("Microsoft China Ltd", "没有找到"),  # letters only: a name, not a mistyped code
        ("有限公司", "没有找到"),
        ("合" * 101, "查询内容过长"),
        ("\x07\x1b", ""),  # only control characters: the empty form
    ],
)
def test_bad_queries_get_a_friendly_message(pages: FlaskClient, scenario: Scenario, query: str, message: str) -> None:
    r = pages.get("/search", query_string={"q": query})
    assert r.status_code == 200
    assert message in text(r)
    assert _hit_names(text(r)) == []


def test_a_nul_in_the_query_is_refused_by_name(pages: FlaskClient, scenario: Scenario) -> None:
    r = pages.get("/search", query_string={"q": "合晟\x00"})  # no browser sends one: a crafted URL
    assert r.status_code == 422
    assert "q" in text(r)
    assert _hit_names(text(r)) == []


def test_a_valid_code_nobody_has_says_so(pages: FlaskClient, scenario: Scenario) -> None:
    unknown = factories.code()
    page = text(pages.get(f"/search?q={unknown}"))
    assert f'本平台没有登记统一社会信用代码为 <span class="code">{unknown}</span> 的市场主体' in page
    code = scenario.code
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    assert "校验位不正确" in text(pages.get(f"/search?q={wrong_check}"))


def test_search_results_are_paged(
    pages: FlaskClient,
    session: Session,
    world: factories.World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for city in ("杭州", "宁波", "温州", "嘉兴", "湖州"):
        factories.make_list_entry(session, world.finance, factories.make_entity(session, f"{city}合晟建设工程有限公司"))
    session.commit()
    monkeypatch.setattr(public_lookup, "PER_PAGE", 2)
    first = text(pages.get("/search?q=合晟建设工程有限公司"))
    assert "共 5 个主体" in first
    assert len(_hit_names(first)) == 2
    assert 'href="/search?page=2&amp;q=' in first
    seen = _hit_names(first) + _hit_names(text(pages.get("/search?q=合晟建设工程有限公司&page=2")))
    seen += _hit_names(text(pages.get("/search?q=合晟建设工程有限公司&page=3")))
    assert sorted(seen) == sorted(f"{c}合晟建设工程有限公司" for c in ("杭州", "宁波", "温州", "嘉兴", "湖州"))
    assert "没有第 9 页" in text(pages.get("/search?q=合晟建设工程有限公司&page=9"))
    for bad in ("0", "-1", "abc", "1.5", "99999999999999999999"):
        r = pages.get(f"/search?q=合晟&page={bad}")
        assert r.status_code == 400, bad
        assert "页码应为" in text(r)


# --- hostile names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", [XSS_SCRIPT, XSS_IMG])
def test_a_hostile_company_name_renders_as_text_everywhere(
    pages: FlaskClient,
    session: Session,
    world: factories.World,
    hostile: str,
) -> None:
    name = f"杭州{hostile}科技有限公司"
    company = factories.make_entity(session, name)
    factories.make_list_entry(session, world.finance, company, facts=f"事实{hostile}")
    factories.make_penalty(session, world.finance, company)
    session.commit()
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    for url in (f"/entities/{company.id}", "/lists/black", f"/search?q={company.uscc}"):
        page = text(pages.get(url))
        assert escaped in page, url
        assert hostile not in page, url
        hidden(page, "<script>alert", "<img src=x")
    by_name = pages.get("/search", query_string={"q": name})
    assert by_name.status_code == 200
    page = text(by_name)
    assert escaped in page  # in the hit and in the form's value
    assert hostile not in page


# --- the lists --------------------------------------------------------------------------------------


@pytest.fixture
def listed(session: Session, world: factories.World) -> dict[str, ListEntry]:
    """Black entries by two authorities in two domains, a red one, and a watch one."""
    a = factories.make_entity(session, "杭州甲建设有限公司")
    b = factories.make_entity(session, "宁波乙建设有限公司")
    c = factories.make_entity(session, "温州丙科技有限公司")
    d = factories.make_entity(session, "嘉兴丁贸易有限公司", kind="individual_business")
    entries = {
        "finance_procurement": factories.make_list_entry(
            session, world.finance, a, listed_on=dt.date(2026, 5, 1), expires_on=dt.date(2027, 4, 30)
        ),
        "housing_bidding": factories.make_list_entry(
            session,
            world.housing,
            b,
            list_name="招标投标违法行为记录名单",
            domains=["construction_bidding"],
            listed_on=dt.date(2026, 7, 1),
            expires_on=dt.date(2027, 6, 30),
        ),
        "housing_both": factories.make_list_entry(
            session,
            world.housing,
            c,
            list_name="招标投标违法行为记录名单",
            domains=["construction_bidding", "procurement"],
            listed_on=dt.date(2026, 6, 1),
            expires_on=dt.date(2027, 5, 31),
        ),
        "red": factories.make_list_entry(
            session,
            world.finance,
            d,
            list_type="red",
            list_name="守信激励对象名单",
            reason_category="诚信履约",
            expires_on=None,
        ),
        "watch": factories.make_list_entry(
            session,
            world.finance,
            a,
            list_type="watch",
            list_name="重点关注名单",
            decision_number="浙财关注〔2026〕1号",
        ),
    }
    session.commit()
    return entries


def _row_numbers(page: str) -> list[str]:
    return re.findall(r'<span class="muted small">([^<]*)</span></td>', page)


def test_black_list_shows_published_entries_newest_first_linking_to_entities(
    pages: FlaskClient,
    listed: dict[str, ListEntry],
) -> None:
    r = pages.get("/lists/black")
    assert r.status_code == 200
    page = text(r)
    assert "<h1>黑名单</h1>" in page
    assert _row_numbers(page) == [
        listed[k].decision_number for k in ("housing_bidding", "housing_both", "finance_procurement")
    ]
    assert f'href="/entities/{listed["housing_bidding"].entity_id}"' in page
    assert "共 3 条" in page
    hidden(page, listed["red"].decision_number, "浙财关注")
    red = text(pages.get("/lists/red"))
    assert _row_numbers(red) == [listed["red"].decision_number]
    assert "未设期限（至移出为止）" in red
    assert pages.get("/lists/watch").status_code == 404
    # A watch entry its authority made public shows on the entity page, as the API shows it.
    entity_page = text(pages.get(f"/entities/{listed['watch'].entity_id}"))
    assert "重点关注名单（1 条）" in entity_page
    assert "浙财关注〔2026〕1号" in entity_page
    assert "黑名单（1 条）" in entity_page
    red_holder = text(pages.get(f"/entities/{listed['red'].entity_id}"))
    assert "红名单（1 条）" in red_holder
    assert "个体工商户" in red_holder


def test_list_filters_by_domain_and_authority(
    pages: FlaskClient,
    listed: dict[str, ListEntry],
    world: factories.World,
) -> None:
    def rows(**params: object) -> list[str]:
        r = pages.get("/lists/black", query_string=params)
        assert r.status_code == 200
        return _row_numbers(text(r))

    number = {k: e.decision_number for k, e in listed.items()}
    assert rows(domain="construction_bidding") == [number["housing_bidding"], number["housing_both"]]
    assert rows(domain="procurement") == [number["housing_both"], number["finance_procurement"]]
    assert rows(authority=world.finance.id) == [number["finance_procurement"]]
    assert rows(authority=world.housing.id, domain="procurement") == [number["housing_both"]]
    assert rows(domain="land") == []
    assert rows(authority=world.finance.id, domain="construction_bidding") == []
    assert rows(authority=987654321) == []  # an authority with nothing on this list: empty, no query
    page = text(pages.get("/lists/black", query_string={"domain": "procurement", "authority": world.housing.id}))
    assert '<option value="procurement" selected>政府采购</option>' in page
    assert f'<option value="{world.housing.id}" selected>浙江省住房和城乡建设厅</option>' in page
    assert "清除筛选" in page
    # The authority filter offers the authorities with entries on this list only.
    red = text(pages.get("/lists/red"))
    assert f'<option value="{world.finance.id}">浙江省财政厅</option>' in red
    assert "浙江省住房和城乡建设厅" not in red


@pytest.mark.parametrize(
    "query",
    [
        "domain=nowhere",
        "domain=%3Cscript%3E",
        "authority=abc",
        "authority=-1",
        "authority=1.0",
        "page=0",
        "page=-3",
        "page=abc",
        "page=99999999999999999999999",
    ],
)
def test_bad_list_parameters_are_a_clean_400(pages: FlaskClient, listed: dict[str, ListEntry], query: str) -> None:
    r = pages.get(f"/lists/black?{query}")
    assert r.status_code == 400
    assert r.mimetype == "text/html"
    page = text(r)
    assert 'role="alert"' in page
    assert "<script>" not in page
    assert _row_numbers(page) == []


def test_list_pages_are_paged(
    pages: FlaskClient,
    listed: dict[str, ListEntry],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(public_lookup, "PER_PAGE", 2)
    number = {k: e.decision_number for k, e in listed.items()}
    first = text(pages.get("/lists/black"))
    assert "共 3 条，第 1 / 2 页" in first
    assert _row_numbers(first) == [number["housing_bidding"], number["housing_both"]]
    assert 'href="/lists/black?page=2"' in first
    assert _row_numbers(text(pages.get("/lists/black?page=2"))) == [number["finance_procurement"]]
    filtered = text(pages.get("/lists/black?domain=construction_bidding"))
    assert "第 1 / 2 页" not in filtered  # two entries: one page
    beyond = pages.get("/lists/black?page=7")
    assert beyond.status_code == 200
    assert "没有第 7 页" in text(beyond)
    assert _row_numbers(text(beyond)) == []


# --- cost ---------------------------------------------------------------------------------------------


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_each_page_costs_a_handful_of_queries_whatever_the_records(
    pages: FlaskClient,
    session: Session,
    world: factories.World,
) -> None:
    small = factories.make_entity(session, "杭州小合晟建设工程有限公司")
    factories.make_penalty(session, world.finance, small)
    factories.make_list_entry(session, world.finance, small)
    big = factories.make_entity(session, "杭州大合晟建设工程有限公司")
    for _ in range(6):
        factories.make_penalty(session, world.finance, big, data_source_authority_id=world.housing.id)
        factories.make_list_entry(
            session,
            world.housing,
            big,
            list_name="招标投标违法行为记录名单",
            domains=["construction_bidding", "procurement"],
        )
    session.commit()
    pages.get("/search?q=合晟")  # build the name index first: a process does it once

    def cost(url: str) -> int:
        with counted(session) as statements:
            assert pages.get(url).status_code == 200
        return len(statements)

    assert cost(f"/entities/{small.id}") == cost(f"/entities/{big.id}") <= 5
    assert cost("/lists/black?page=1") <= 4
    assert cost("/search?q=杭州大合晟建设工程有限公司") <= 5
    assert cost(f"/search?q={big.uscc}") <= 4


def test_pages_are_not_kept_by_caches_or_robots(pages: FlaskClient, runtime: object) -> None:
    for url in ("/search", "/lists/black", "/entities/987654321"):
        r = pages.get(url)
        assert r.headers["Cache-Control"] == "no-store", url
        assert r.headers["X-Robots-Tag"] == "noindex, noarchive", url


def test_the_vault_never_reaches_a_page(pages: FlaskClient, scenario: Scenario) -> None:
    """The full number is recoverable only through the vault; the page shows the stored mask."""
    stored = scenario.company.legal_rep_id_cipher
    assert stored is not None
    assert IdentityVault("test-data-protection-secret").reveal(stored) == REP_ID
    page = text(pages.get(f"/entities/{scenario.company.id}"))
    hidden(page, stored, REP_ID)
