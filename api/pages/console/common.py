"""What every console page shares: the labels, the Chinese glosses of the API's messages, who is
acting, which authority the page shows, and the list filters read by the API's schemas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import marshmallow as ma
from flask import abort, render_template, request

from api.errors import flatten
from api.lifecycle import today
from api.pages.auth import ROLE_NAMES, page_actor
from api.pages.console.labels import ACTIONS, STATE_MEANINGS, beijing, cn_date, rule_set_names, shown, who
from registry.codes.idnumber import ID_TYPES
from registry.database import db
from registry.errors import NotFound, NotPermitted, RegistryError
from registry.ledger import Actor
from registry.messages import Text, translate
from registry.messages import render as render_text
from registry.records.console_queries import Scope, all_authorities, console_scope
from registry.records.licences import CATEGORIES as LICENCE_CATEGORIES
from registry.records.licences import STATES as LICENCE_STATES
from registry.runtime import current_runtime
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    NAME_KINDS,
    PENALTY_CATEGORIES,
    PENALTY_STATES,
    PROCEDURES,
    PUBLICATION_STATES,
    RECORD_TYPES,
    REPAIR_STATES,
    RESPONSIBLE_ROLES,
    SEVERITIES,
)

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session


T = TypeVar("T")

REPAIR_ACTIONS = {"accept": "受理", "reject": "不予修复", "complete": "修复完成"}

LABELS = {
    "states": PUBLICATION_STATES,
    "state_meanings": STATE_MEANINGS,
    "domains": DOMAINS,
    "severities": SEVERITIES,
    "procedures": PROCEDURES,
    "list_types": LIST_TYPES,
    "entry_states": LIST_ENTRY_STATES,
    "penalty_states": PENALTY_STATES,
    "licence_states": LICENCE_STATES,
    "licence_categories": LICENCE_CATEGORIES,
    "repair_states": REPAIR_STATES,
    "record_types": {**RECORD_TYPES, "licence": "行政许可"},  # the timeliness report counts licences too
    "kinds": ENTITY_KINDS,
    "roles": ROLE_NAMES,
    "actions": ACTIONS,
    "categories": PENALTY_CATEGORIES,
    "responsible_roles": RESPONSIBLE_ROLES,
    "id_types": ID_TYPES,
    "name_kinds": NAME_KINDS,
}

# marshmallow's and the services' most common messages, glossed in Chinese. The API's own words
# follow the gloss, so what the page says is what the API says.
_GLOSSES = (
    ("Missing data for required field", "必填"),
    ("Field may not be null", "必填"),
    ("Not a valid date", "日期应写作 年-月-日，如 2026-11-02"),
    ("Not a valid integer", "应为整数"),
    ("Not a valid number", "应为数字"),
    ("Not a valid boolean", "请选择是或否"),
    ("Must be one of", "请从给定的选项中选择"),
    ("Length must be between", "长度超出限制"),
    ("Longer than maximum length", "超出长度上限"),
    ("must match ^[0-9]", "金额以万元为单位，只写数字，最多 6 位小数，如 0.5"),
    ("must be an amount in 万元", "金额以万元为单位，只写数字，最多 6 位小数，如 0.5"),
    ("must be a date from", "日期须在1949年至2100年之间"),
    ("Unknown field", "表单含有不认识的信息项"),
    ("Shorter than minimum length", "至少选择一项"),
    ("must not be empty", "不能为空"),
    ("is in the future", "不能晚于今天"),
    ("already recorded", "本机关已登记过这个文书号"),
    ("needs the amount in 万元", "处罚类别包含此项，须填写金额（万元）"),
    ("an amount is given but", "处罚类别不包含此项，不应填写金额"),
    ("a record that is not public needs the reason", "不公开的记录须写明理由"),
    ("only a record that is not public has a reason", "公开的记录不填写不公开理由"),
    ("already registered as entity", "主体库中已登记了此代码或证件号码的主体"),
    ("already has USCC", "主体库中已登记了此统一社会信用代码的主体"),
    ("needs its 统一社会信用代码", "法人及非法人组织须填写统一社会信用代码"),
    ("a natural person has no 统一社会信用代码", "自然人没有统一社会信用代码，请填写证件类型和证件号码"),
    ("a natural person needs id_type and id_number", "自然人须填写证件类型和证件号码"),
    ("only a natural person is identified by a personal document", "只有自然人以个人证件登记"),
    ("go together", "证件类型和证件号码须同时填写"),
    ("check character", "统一社会信用代码的校验位不正确，可能有字符输错"),
    ("must be 18 characters", "统一社会信用代码应为 18 位"),
    ("outside the GB 32100 alphabet", "统一社会信用代码含有不使用的字符（I、O、Z、S、V 不用）"),
    ("registration-authority code", "统一社会信用代码第 1 位（登记管理部门代码）不正确"),
    ("must be a 6-digit region code", "统一社会信用代码第 3 至 8 位应为行政区划代码"),
    ("the placeholder 00000000000000000X", "占位代码只用于未赋码的个体工商户"),
    ("a resident ID number has 18 characters", "居民身份证号码应为 18 位"),
    ("the first 17 characters of a resident ID", "居民身份证号码前 17 位应为数字"),
    ("birth date (digits 7-14)", "证件号码中的出生日期不正确"),
    ("check digit is wrong", "证件号码校验位不正确，可能有数字输错"),
    ("(digits 1-6)", "证件号码的地址码不是有效的行政区划代码"),
    ("administrative-division code", "行政区划代码应为 6 位数字，且须是有效的代码（GB/T 2260）"),
    ("was withdrawn on", "该行政许可已撤销或注销，不能再更正、撤销或注销"),
    ("it can no longer change", "该决定已撤销，不能再更正或撤销"),
    ("cannot be repaired while", "该名单在有效期内不可信用修复，只能到期或移出"),
    ("red-list entries are not repaired", "红名单不适用信用修复，请改为移出"),
    ("a red-list entry is not repaired", "红名单不适用信用修复，请改为移出"),
    ("can be repaired from", "尚未到可申请信用修复日"),
    ("may be applied for from", "尚未到可申请信用修复日"),
    ("only an active entry can be", "该名单记录当前的状态不允许此操作"),
    ("only an active or expired entry can be", "该名单记录当前的状态不允许此操作"),
    ("has an open repair application", "该记录已有尚未决定的信用修复申请"),
    ("must be decided before another is submitted", "该记录已有尚未决定的信用修复申请，决定后才能再次申请"),
    ("there is nothing to repair", "该记录已不再计入，无需信用修复"),
    ("was already repaired", "该记录已信用修复"),
    ("reject the application instead", "该记录已不再有效，请改为不予修复"),
    ("the current name cannot be removed", "现用名称不能删除，请通过更名修改"),
)


# --- small helpers ---------------------------------------------------------------------------


def _curated(message: str) -> str | None:
    """The console's own Chinese for a message it knows well, with the service's words after it."""
    for start, chinese in _GLOSSES:
        if start in message:
            return f"{chinese}（{message}）"
    return None


def gloss(message: str) -> str:
    """A validation message in Chinese: the console's own words where it has them, else the
    catalogue's (the library's English only where neither knows it)."""
    if isinstance(message, Said):  # a service's words, already said in Chinese
        return message
    return _curated(message) or translate(message, "zh")


class Said(str):
    """Text already put in Chinese for the page (`said`): glossing it again would repeat it."""

    __slots__ = ()


def _reason_words(reason: Text) -> str:
    return Said(_curated(render_text(reason, "en")) or render_text(reason, "zh"))


def said(exc: RegistryError) -> str:
    """A service's refusal as a person reads it, in Chinese."""
    return Said(_curated(exc.message) or render_text(exc.text, "zh"))


def said_by_field(exc: RegistryError) -> dict[str, list[str]]:
    """A service's reasons by field, in Chinese."""
    return {field: [_reason_words(r) for r in reasons] for field, reasons in exc.reasons.items()}


def labels() -> dict[str, Any]:
    """Every label table the console's templates read, the catalogue's rule sets among them."""
    return {**LABELS, "rule_sets": rule_set_names(current_runtime().catalogue)}


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    words = {"labels": labels(), "cn_date": cn_date, "beijing": beijing, "shown": shown, "actor_words": who}
    return render_template(template, **words, **context), status


def current_actor() -> Actor:
    actor = page_actor()
    if actor is None:  # login_required ran first: only a key revoked within this request gets here
        abort(403)
    return actor


def current_session() -> Session:
    return db.session()


def as_api(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a read service; its refusal becomes the API's status as an HTML page, naming nothing of the record."""
    try:
        return call(current_session(), *args, **kwargs)
    except NotFound:
        abort(404, description="没有这条记录，或您无权查看。")
    except NotPermitted:
        abort(
            403,
            description="这条记录属于其他机关。监管工作台只显示本机关的记录（谁批准、谁公开）；"
            "已公示的内容可在信用查询中查看。",
        )


# --- which authority ---------------------------------------------------------------------------


def chosen_scope(actor: Actor) -> Scope:
    """The authority the page shows: the service checks the actor may see it (403, 404)."""
    try:
        return console_scope(current_session(), actor, request.args.get("authority", ""))
    except NotPermitted as exc:
        abort(403, description=said(exc))
    except NotFound:
        abort(404, description="没有这个机关。")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1


def _query_filters(
    schema: ma.Schema,
    names: dict[str, str],
) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, str]]:
    """The list filters from the query string, validated by the API's filter schema.

    `names` maps each query parameter to the schema's field. Returns the loaded filters, the
    errors by parameter, and the values as typed (to put back in the form).
    """
    typed = {param: request.args.get(param, "").strip() for param in names}
    given = {names[param]: value for param, value in typed.items() if value}
    try:
        loaded = schema.load(given)
    except ma.ValidationError as exc:
        back = {v: k for k, v in names.items()}
        errors = {
            back.get(key.split(".")[0], key): [gloss(m) for m in messages]
            for key, messages in flatten(exc.messages).items()
        }
        return {}, errors, typed
    return loaded, {}, typed


def _state_filter(states: Mapping[str, str]) -> tuple[str | None, dict[str, list[str]]]:
    state = request.args.get("state", "").strip()
    if state and state not in states:
        return None, {"state": [f"请从给定的选项中选择（{'、'.join(states.values())}）"]}
    return state or None, {}


def page_context(session: Session, scope: Scope, day: dt.date) -> dict[str, Any]:
    """What every page of an authority's records shows around them: the authority, the choice of
    authority (an administrator's), and the day the page was drawn on."""
    return {"scope": scope, "authorities": all_authorities(session) if scope.may_choose else [], "today": day}


@dataclass(frozen=True)
class ListQuery:
    """A list page's filters: as loaded by the API's filter schema, as typed, and what was refused."""

    filters: dict[str, Any]
    state: str | None
    errors: dict[str, list[str]]
    typed: dict[str, str]


def _list_query(schema: ma.Schema, names: dict[str, str], states: Mapping[str, str]) -> ListQuery:
    filters, errors, typed = _query_filters(schema, names)
    state, state_errors = _state_filter(states)
    return ListQuery(filters, state, {**errors, **state_errors}, {**typed, "state": request.args.get("state", "")})


def list_page(
    template: str,
    section: str,
    schema: ma.Schema,
    names: dict[str, str],
    fetch: Callable[..., Any],
    states: Mapping[str, str] = PUBLICATION_STATES,
) -> tuple[str, int]:
    """A list of the authority's records (penalties, list entries, licences): the filters checked by
    the API's schema and the state by `states` (422 with the refusals, nothing listed), then one page
    of `fetch`."""
    actor, session, day = current_actor(), current_session(), today()
    scope = chosen_scope(actor)
    query = _list_query(schema, names, states)
    listing = None
    if not query.errors:
        listing = fetch(session, day, scope.authority_id, query.filters, query.state, _page_number())
    return render(
        template,
        422 if query.errors else 200,
        section=section,
        listing=listing,
        errors=query.errors,
        typed=query.typed,
        **page_context(session, scope, day),
    )
