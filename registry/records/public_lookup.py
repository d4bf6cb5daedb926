"""What the public reads (公众查询): credit lookup by name or code, an entity's published records,
and the black and red lists (黑名单 / 红名单公示); the pages of `api.pages.public` render it.

What the pages show is what an anonymous caller reads through the JSON API on the same day:
records published today (`published(today)` of `registry.records.penalties` and
`registry.records.list_entries`: public, in force, not repaired, not revoked, within the
publication period; for a list entry also listed on or before today). Nothing about any other
record is shown or counted, so a page cannot tell a record kept from the public (保密审查), a
repaired one (信用修复) or a revoked one (撤销) from no record at all.

Decisions a reader should know:

- **Search by name lists only organisations and 个体工商户 that have something published today.**
  The name index (`registry.screening.name_index`) holds exactly the entities that have *any* record,
  whatever its state. Listing every name it finds would tell the public that a company had a
  record, even one that was repaired, revoked, kept from the public or past its period: the very
  hint the law forbids (publication ends with the period or a repair). So a name search shows an
  entity only when it has a record published today.
- **Search by 统一社会信用代码 always answers**, as the national 信用中国 lookup does: the
  registered organisation with its published records, or "目前没有公示中的信用信息". A bidder or
  agency needs that clean answer to print; and every registered organisation answers the same way
  whatever records it has or had, so it hints at nothing (the entity directory is public through
  `GET /api/v1/entities` already).
- **Natural persons (自然人) are never findable nor shown**: not by name, not on list pages, and
  their entity page is 404, as `GET /api/v1/entities` treats them (个人信息保护). A person can be
  identified only by an ID document, which the public does not give; a name alone (张伟) would
  expose every namesake.
- **Only the black and red lists have list pages.** 重点关注名单 (watch) is a pre-warning kept
  for supervision, not a published sanction list; a watch entry that its authority made public
  still shows on the entity page, as the API shows it.
- **No personal ID number at all**: the legal representative is shown by name only; the ID number
  (法定代表人证件号码) is not published under 双公示, not even in its masked form, and the full
  number is never read here. A number typed into a record's free text was masked on the way in
  (`registry.records.record_rules.protect_free_text`).
- **Not kept by robots or caches**: every page answers `Cache-Control: no-store` and
  `X-Robots-Tag: noindex, noarchive`. A record must stop being shown when its period ends or it
  is repaired; a search engine's copy or a proxy's cache would keep showing it.
- Dates are written 2026年11月23日 everywhere; "today" is the registry clock's date in China.

Queries per page (counted with the SQLAlchemy statement hook once the name index is built; the
tests hold the pages to these numbers, and an entity page with many records to the same count as
one with few): search by name 5 (the newest outbox event, read by the name index at most once a
second; published list entries and penalties counted for the hits; the page's entities; their
names); search by code 4 (the entity, its names, the two counts); an entity page 5 (the entity,
its names, its published list entries with their authority, their domains, its published
penalties with both authorities); a list page 4 (the authorities for the filter, the count, the
page's entries with entity and authority, their domains). No query per row.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, lazyload

from matching.parse import parse_name
from matching.types import Hit, Query
from registry.codes.uscc import (
    ALPHABET,
    INDIVIDUAL_BUSINESS_PLACEHOLDER,
    REGISTRATION_AUTHORITIES,
    check_character,
)
from registry.codes.uscc import normalise as normalise_uscc
from registry.models import Authority, Entity, ListEntry, ListEntryDomain, Penalty
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.screening.name_index import NameIndex
from registry.vocab import LIST_TYPES

PUBLIC_KINDS = ("legal_entity", "individual_business")  # never natural_person
PUBLIC_LISTS = ("black", "red")
MAX_QUERY = 100  # characters: a Chinese enterprise name is rarely over 50
SEARCH_HITS = 100  # the matcher's limit: more is not a search but a directory
PER_PAGE = 20
MAX_ID = 2**63 - 1  # an id beyond every backend's integer: no such entity (SQLite cannot even bind it)


# --- what is published today ----------------------------------------------------------------------


def entry_published(today: dt.date) -> sa.ColumnElement[bool]:
    """List entries the public sees today: the API's rule, and listed on or before today."""
    return sa.and_(entry_service.published(today), ListEntry.listed_on <= today)


def penalty_published(today: dt.date) -> sa.ColumnElement[bool]:
    """Penalties the public sees today (公示期内, 未修复, 未撤销, 公开)."""
    return penalty_service.published(today)


@dataclass(frozen=True)
class AuthorityRef:
    """A deciding authority or data source (数据来源单位) as shown: name and 统一社会信用代码."""

    name: str
    uscc: str


@dataclass(frozen=True)
class ShownEntry:
    entry: ListEntry
    authority: AuthorityRef


@dataclass(frozen=True)
class ShownPenalty:
    penalty: Penalty
    authority: AuthorityRef
    data_source: AuthorityRef


@dataclass
class Counts:
    """An entity's records published today, by kind."""

    lists: dict[str, int] = field(default_factory=dict)  # list type -> entries
    penalties: int = 0

    @property
    def total(self) -> int:
        return sum(self.lists.values()) + self.penalties

    @property
    def summary(self) -> list[str]:
        """In words: 黑名单 1 条, 行政处罚 2 条."""
        parts = [f"{label} {self.lists[t]} 条" for t, label in LIST_TYPES.items() if self.lists.get(t)]
        return parts + ([f"行政处罚 {self.penalties} 条"] if self.penalties else [])


def published_counts(session: Session, entity_ids: list[int], today: dt.date) -> dict[int, Counts]:
    """Records published today per public entity (natural persons are left out): two queries."""
    counts: dict[int, Counts] = defaultdict(Counts)
    if not entity_ids:
        return {}
    public = Entity.kind.in_(PUBLIC_KINDS)
    for entity_id, list_type, n in session.execute(
        sa.select(ListEntry.entity_id, ListEntry.list_type, sa.func.count())
        .join(Entity, Entity.id == ListEntry.entity_id)
        .where(ListEntry.entity_id.in_(entity_ids), public, entry_published(today))
        .group_by(ListEntry.entity_id, ListEntry.list_type)
    ):
        counts[entity_id].lists[list_type] = n
    for entity_id, n in session.execute(
        sa.select(Penalty.entity_id, sa.func.count())
        .join(Entity, Entity.id == Penalty.entity_id)
        .where(Penalty.entity_id.in_(entity_ids), public, penalty_published(today))
        .group_by(Penalty.entity_id)
    ):
        counts[entity_id].penalties = n
    return dict(counts)


def public_entities(session: Session, entity_ids: list[int]) -> dict[int, Entity]:
    """Organisations and 个体工商户 by id, with their names (two queries); never a natural person."""
    if not entity_ids:
        return {}
    rows = session.scalars(sa.select(Entity).where(Entity.id.in_(entity_ids), Entity.kind.in_(PUBLIC_KINDS)))
    return {e.id: e for e in rows}


def published_entries(session: Session, entity_id: int, today: dt.date) -> list[ShownEntry]:
    """An entity's list entries published today, newest listing first, with the deciding authority."""
    rows = session.execute(
        sa.select(ListEntry, Authority.name, Authority.uscc)
        .join(Authority, Authority.id == ListEntry.authority_id)
        .where(ListEntry.entity_id == entity_id, entry_published(today))
        .order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())
        .options(lazyload(ListEntry.transitions), lazyload(ListEntry.responsible_persons))  # not public: not read
    )
    return [ShownEntry(entry, AuthorityRef(name, uscc)) for entry, name, uscc in rows]


def published_penalties(session: Session, entity_id: int, today: dt.date) -> list[ShownPenalty]:
    """An entity's penalties published today, newest decision first, with the deciding authority
    and the data source (数据来源单位)."""
    decider, source = aliased(Authority), aliased(Authority)
    rows = session.execute(
        sa.select(Penalty, decider.name, decider.uscc, source.name, source.uscc)
        .join(decider, decider.id == Penalty.authority_id)
        .join(source, source.id == Penalty.data_source_authority_id)
        .where(Penalty.entity_id == entity_id, penalty_published(today))
        .order_by(Penalty.decided_on.desc(), Penalty.id.desc())
        .options(lazyload(Penalty.responsible_persons))  # not public: not read
    )
    return [
        ShownPenalty(penalty, AuthorityRef(d_name, d_uscc), AuthorityRef(s_name, s_uscc))
        for penalty, d_name, d_uscc, s_name, s_uscc in rows
    ]


@dataclass(frozen=True)
class ListRow:
    entry: ListEntry
    entity_id: int
    entity_name: str
    entity_uscc: str | None
    authority: str


def list_authorities(session: Session, list_type: str, today: dt.date) -> list[tuple[int, str]]:
    """Authorities with entries published today on lists of `list_type`: the filter's choices."""
    return [
        (row.id, row.name)
        for row in session.execute(
            sa.select(Authority.id, Authority.name)
            .where(
                Authority.id.in_(
                    sa.select(ListEntry.authority_id)
                    .join(Entity, Entity.id == ListEntry.entity_id)
                    .where(ListEntry.list_type == list_type, Entity.kind.in_(PUBLIC_KINDS), entry_published(today))
                )
            )
            .order_by(Authority.name, Authority.id)
        )
    ]


def list_page(
    session: Session,
    list_type: str,
    today: dt.date,
    *,
    domain: str | None,
    authority_id: int | None,
    page: int,
) -> tuple[int, list[ListRow]]:
    """One page of a named list as published today, newest listing first, and the total count.

    The rows are read only when `page` holds any (a page past the end costs the count only)."""
    where = [ListEntry.list_type == list_type, Entity.kind.in_(PUBLIC_KINDS), entry_published(today)]
    if domain:
        where.append(ListEntry.id.in_(sa.select(ListEntryDomain.list_entry_id).where(ListEntryDomain.domain == domain)))
    if authority_id is not None:
        where.append(ListEntry.authority_id == authority_id)
    base = sa.select(ListEntry.id).join(Entity, Entity.id == ListEntry.entity_id).where(*where)
    total = session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    if (page - 1) * PER_PAGE >= total:
        return total, []
    rows = session.execute(
        sa.select(ListEntry, Entity.id, Entity.name, Entity.uscc, Authority.name)
        .join(Entity, Entity.id == ListEntry.entity_id)
        .join(Authority, Authority.id == ListEntry.authority_id)
        .where(*where)
        .order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
        .options(lazyload(ListEntry.transitions), lazyload(ListEntry.responsible_persons))
    )
    return total, [ListRow(entry, eid, name, uscc, authority) for entry, eid, name, uscc, authority in rows]


def public_entity(session: Session, entity_id: int) -> Entity | None:
    """An organisation or 个体工商户 by id; None for no such id and for a natural person alike
    (the page's 404 must not tell them apart)."""
    subject = session.get(Entity, entity_id) if 0 < entity_id <= MAX_ID else None
    return subject if subject is not None and subject.kind in PUBLIC_KINDS else None


# --- reading what a person typed ----------------------------------------------------------------


def clean_text(raw: str) -> str:
    """Control characters dropped, whitespace collapsed: how a pasted name arrives."""
    return " ".join("".join(ch for ch in raw if unicodedata.category(ch) != "Cc").split())


def pages_of(total: int) -> int:
    return max(1, math.ceil(total / PER_PAGE))


def looks_like_code(text: str) -> bool:
    """Whether a query is meant as a 统一社会信用代码: 15 to 20 letters and digits, nothing else,
    at least six of them digits (positions 3-8 are the region code; an English name such as
    "Microsoft China Ltd" has none). 18 is right; the margin catches a character dropped or
    added when typing one, which then gets a message instead of a name search."""
    code = normalise_uscc(text)
    return 15 <= len(code) <= 20 and code.isascii() and code.isalnum() and sum(ch.isdigit() for ch in code) >= 6


def code_problem(code: str) -> str | None:
    """Why `code` (normalised) is not a 统一社会信用代码, in words for the public; None if it is."""
    if code == INDIVIDUAL_BUSINESS_PLACEHOLDER:
        return "00000000000000000X 是未赋码个体工商户共用的占位代码，不能识别具体主体，请输入名称查询。"
    if len(code) != 18:
        return f"统一社会信用代码为18位，您输入的是{len(code)}位，请核对。"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"统一社会信用代码不使用字母 I、O、Z、S、V，您输入的代码含有 {'、'.join(bad)}，请核对。"
    if code[0] not in REGISTRATION_AUTHORITIES or not code[2:8].isdigit():
        return "该代码的登记管理部门或行政区划部分不符合国家标准，请核对。"
    if code[17] != check_character(code[:17]):
        return "该代码的校验位不正确，可能有字符输错，请核对。"
    return None


# --- search -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    entity: Entity
    counts: Counts
    match: str | None = None  # exact / strong / possible (None: found by code)
    relation: str | None = None  # self / former_name / alias / branch_of
    matched_name: str | None = None

    @property
    def matched_kind(self) -> str | None:
        """Whether the name that matched is the current one, a 曾用名 or an alias (别名)."""
        for n in self.entity.names:
            if n.name == self.matched_name:
                return n.kind
        return None


@dataclass
class SearchAnswer:
    query: str = ""
    by_code: str | None = None  # the normalised code searched for
    message: str | None = None  # why nothing was searched (a friendly word, not an error)
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    code_unknown: bool = False  # a valid code no registered organisation has

    @property
    def pages(self) -> int:
        return pages_of(self.total)


def search_by_code(session: Session, code: str, today: dt.date) -> SearchAnswer:
    """The registered organisation with this code, with what it has published today (or nothing)."""
    answer = SearchAnswer(query=code, by_code=code)
    entity = session.scalars(sa.select(Entity).where(Entity.uscc == code, Entity.kind.in_(PUBLIC_KINDS))).one_or_none()
    if entity is None:
        answer.code_unknown = True
        return answer
    counts = published_counts(session, [entity.id], today).get(entity.id, Counts())
    answer.hits, answer.total = [SearchHit(entity, counts)], 1
    return answer


def search_by_name(session: Session, index: NameIndex, name: str, today: dt.date, page: int) -> SearchAnswer:
    """Organisations whose current or former name (or alias, or head company) matches `name`,
    best first; only those with a record published today (see the module's docstring)."""
    answer = SearchAnswer(query=name, page=page)
    found = index.search(session, [Query(name=name)], SEARCH_HITS).hits[0]
    best: dict[int, Hit] = {}
    for hit in found:
        best.setdefault(hit.entity_id, hit)  # hits come best first: keep each entity's best
    counts = published_counts(session, list(best), today)
    shown = [hit for entity_id, hit in best.items() if counts.get(entity_id, Counts()).total > 0]
    answer.total = len(shown)
    on_page = shown[(page - 1) * PER_PAGE : page * PER_PAGE]
    entities = public_entities(session, [h.entity_id for h in on_page])
    answer.hits = [
        SearchHit(entities[h.entity_id], counts[h.entity_id], h.match, h.relation, h.matched_name)
        for h in on_page
        if h.entity_id in entities
    ]
    return answer


def find_entities(session: Session, index: NameIndex, raw: str, today: dt.date, page: int) -> SearchAnswer:
    """Read a query as a person typed it: a code finds by code, anything else by name."""
    text = clean_text(raw)
    if not text:
        return SearchAnswer()
    if len(text) > MAX_QUERY:
        return SearchAnswer(
            query=text[:MAX_QUERY],
            message=f"查询内容过长：请输入不超过{MAX_QUERY}个字的企业名称，或18位统一社会信用代码。",
        )
    if looks_like_code(text):
        code = normalise_uscc(text)
        problem = code_problem(code)
        if problem:
            return SearchAnswer(query=text, message=problem)
        return search_by_code(session, code, today)
    if parse_name(text).is_empty:
        return SearchAnswer(query=text, message="请输入企业名称（至少包含字号，如“合晟”）或18位统一社会信用代码。")
    return search_by_name(session, index, text, today, page)
