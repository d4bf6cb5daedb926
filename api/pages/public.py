"""Public pages (公众查询, no key): credit lookup by name or code, an entity's published records,
and the black and red lists (黑名单 / 红名单公示).

These pages show what an anonymous caller reads through the JSON API on the same day, and
nothing about any other record. What is published and the decisions behind each page (natural persons never shown, search by
name listing only what is published today, the queries per page), are
`registry.records.public_lookup`'s; this module reads the query string and renders.

- **Not kept by robots or caches**: every page answers `Cache-Control: no-store` and
  `X-Robots-Tag: noindex, noarchive`. A record must stop being shown when its period ends or it
  is repaired; a search engine's copy or a proxy's cache would keep showing it.
- Dates are written 2026年11月23日 everywhere; "today" is the registry clock's date in China.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, render_template, request

from api.pages.auth import page_actor
from api.ratelimit import limited
from registry.codes.region import region_name
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.database import db, plain_amount
from registry.records.licences import STATES as LICENCE_STATES
from registry.records.licences import published_licences
from registry.records.public_lookup import (
    MAX_QUERY,
    PUBLIC_LISTS,
    SearchAnswer,
    clean_text,
    find_entities,
    list_authorities,
    list_page,
    pages_of,
    public_entity,
    published_entries,
    published_penalties,
)
from registry.runtime import current_runtime
from registry.vocab import DOMAINS, ENTITY_KINDS, LIST_TYPES, NAME_KINDS

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session

bp = Blueprint("public", __name__)

MAX_PAGE = 10_000  # a page number beyond any real list; refused before it reaches the database
MATCHES = {"exact": "名称一致", "strong": "名称高度相似", "possible": "名称相近"}
_NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, noarchive"}


def cn_date(day: dt.date | None) -> str:
    """A date as Chinese official documents write it: 2026年11月23日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def wan_yuan(amount: Decimal | None) -> str:
    """An amount in 万元, without trailing zeros or exponent: 0.5 万元."""
    return f"{plain_amount(amount):f} 万元" if amount is not None else ""


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "cn_date": cn_date,
        "wan_yuan": wan_yuan,
        "domains": DOMAINS,
        "kinds": ENTITY_KINDS,
        "list_types": LIST_TYPES,
        "name_kinds": NAME_KINDS,
        "matches": MATCHES,
        "placeholder": INDIVIDUAL_BUSINESS_PLACEHOLDER,
        "max_query": MAX_QUERY,
    }


@bp.after_request
def _not_kept(response: Response) -> Response:
    for name, value in _NO_STORE.items():
        response.headers.setdefault(name, value)
    return response


# --- reading the query string ---------------------------------------------------------------------


class BadParameter(ValueError):
    """A query parameter a person (or a crafted link) got wrong; the message is for the page."""


def page_number(raw: str | None) -> int:
    """`page` as a positive whole number (absent: 1)."""
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadParameter(f"页码应为 1 到 {MAX_PAGE} 之间的整数。")
    return int(raw)


# --- views ------------------------------------------------------------------------------------------


def _today() -> dt.date:
    return current_runtime().clock.today()


def _session() -> Session:
    """This request's session (the scoped proxy's current one, typed as a plain Session)."""
    return db.session()


@bp.get("/search")
@limited("search", caller=page_actor)
def search() -> tuple[str, int]:
    """信用查询: by enterprise name (fuzzy, current and former names) or 统一社会信用代码."""
    raw, today = request.args.get("q", ""), _today()
    try:
        page = page_number(request.args.get("page"))
    except BadParameter as exc:
        return render_template(
            "public/search.html", answer=SearchAnswer(query=clean_text(raw)[:MAX_QUERY]), error=str(exc), today=today
        ), 400
    answer = find_entities(_session(), current_runtime().name_index, raw, today, page)
    return render_template("public/search.html", answer=answer, error=None, today=today), 200


@bp.get("/entities/<int:entity_id>")
def entity(entity_id: int) -> str:
    """An organisation's or 个体工商户's credit records published today (natural persons: 404)."""
    subject = public_entity(_session(), entity_id)
    if subject is None:  # no such id, or a natural person: one answer, so as not to tell them apart
        abort(404, description="没有这个市场主体，或其信息不向社会公开。")
    today = _today()
    return render_template(
        "public/entity.html",
        entity=subject,
        today=today,
        region=region_name(subject.region_code or ""),
        **_published_records(subject.id, today),
    )


def _published_records(entity_id: int, today: dt.date) -> dict[str, Any]:
    """What the entity page lists: the lists by type, the penalties and the licences published today."""
    entries = published_entries(_session(), entity_id, today)
    return {
        "black": [e for e in entries if e.entry.list_type == "black"],
        "red": [e for e in entries if e.entry.list_type == "red"],
        "watch": [e for e in entries if e.entry.list_type == "watch"],
        "penalties": published_penalties(_session(), entity_id, today),
        "licences": published_licences(_session(), entity_id, today),
        "licence_states": LICENCE_STATES,
    }


@dataclass(frozen=True)
class ListFilters:
    """A list page's query string: as given (put back in the form) and as read."""

    domain: str | None
    authority: str | None  # as given
    page: int = 1
    authority_id: int | None = None
    error: str | None = None  # the first parameter refused; the page shows no rows then


def _list_filters() -> ListFilters:
    """`page`, `domain` and `authority`, checked in that order; the first refused is the error."""
    args = request.args
    domain = args.get("domain") or None
    raw_authority = args.get("authority") or None
    try:
        page = page_number(args.get("page"))
        if domain is not None and domain not in DOMAINS:
            raise BadParameter("没有这个交易领域，请从列表中选择。")
        authority_id = None
        if raw_authority is not None:
            if not raw_authority.isascii() or not raw_authority.isdigit():
                raise BadParameter("认定机关选择有误，请从列表中选择。")
            authority_id = int(raw_authority)
    except BadParameter as exc:
        return ListFilters(domain, raw_authority, error=str(exc))
    return ListFilters(domain, raw_authority, page, authority_id)


def _list_context(
    list_type: str, today: dt.date, authorities: list[tuple[int, str]], filters: ListFilters
) -> dict[str, Any]:
    """What public/list.html shows before any row is read: the filters as given, no rows."""
    return {
        "list_type": list_type,
        "today": today,
        "authorities": authorities,
        "domain": filters.domain,
        "authority": filters.authority,
        "rows": [],
        "total": 0,
        "page": filters.page,
        "pages": 1,
        "error": filters.error,
    }


@bp.get(f"/lists/<any({', '.join(PUBLIC_LISTS)}):list_type>")
def named_list(list_type: str) -> tuple[str, int]:
    """黑名单 / 红名单: entries published today, by 领域 and 认定机关, newest listing first."""
    today = _today()
    authorities = list_authorities(_session(), list_type, today)
    filters = _list_filters()
    context = _list_context(list_type, today, authorities, filters)
    if filters.error is not None:
        return render_template("public/list.html", **context), 400
    if filters.authority_id is not None and filters.authority_id not in {a for a, _ in authorities}:
        # No entry of this list by that authority is published today: nothing to read.
        return render_template("public/list.html", **context), 200
    total, rows = list_page(
        _session(), list_type, today, domain=filters.domain, authority_id=filters.authority_id, page=filters.page
    )
    context.update(total=total, rows=rows, pages=pages_of(total))
    return render_template("public/list.html", **context), 200
