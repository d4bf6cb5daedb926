"""How the account pages say things: an account's state, its audit rows as a history, times in
Beijing time, and the service's refusals in Chinese (from the message catalogue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import make_response, render_template
from werkzeug.wrappers import Response

from api.pages.auth import ROLE_NAMES
from registry.clock import CHINA
from registry.errors import RegistryError
from registry.messages import render
from registry.models import Account, AuditLog

ACTIONS = {
    "create": "开设账户",
    "sign_in": "登录成功",
    "sign_in_failed": "登录失败",
    "lock": "登录失败，账户锁定",
    "unlock": "解锁",
    "disable": "停用",
    "enable": "启用",
    "change_password": "修改密码",
    "reset_password": "重置密码",
    "enable_totp": "开启双因素认证",
    "disable_totp": "关闭双因素认证",
}
FIELDS = {
    "login": "登录名",
    "name": "姓名",
    "role": "角色",
    "authority": "所属机关",
    "organisation": "所属单位",
    "manages_accounts": "账户管理员",
    "current": "当前密码",
    "new": "新密码",
    "repeat": "再次输入新密码",
    "password": "密码",
    "code": "动态验证码",
}


def beijing(moment: dt.datetime | None) -> str:
    """2026-11-23 10:00（北京时间）."""
    return "" if moment is None else f"{moment.astimezone(CHINA):%Y-%m-%d %H:%M}（北京时间）"


def state_of(account: Account, now: dt.datetime) -> str:
    """正常, 已停用, or 已锁定至 … ."""
    if account.status == "disabled":
        return "已停用"
    if account.locked_until is not None and account.locked_until > now:
        return f"已锁定至 {beijing(account.locked_until)}"
    return "正常"


# Who wrote an audit row without being a person or a key, and the reasons the services write.
ACTORS = {"cli operator": "服务器命令行操作员", "seed-demo": "演示数据", "system": "系统"}
REASONS = {
    "wrong password on the account's own page": "在本人账户页面输入的当前密码不正确",
    "second factor turned off too": "同时关闭了双因素认证",
}


def reason_words(reason: str | None) -> str | None:
    """An audit row's reason as the page says it: 来自 127.0.0.1, or the service's words in Chinese."""
    if reason is None:
        return None
    if reason.startswith("from "):
        return f"来自 {reason[5:]}"
    return REASONS.get(reason, reason)


@dataclass(frozen=True)
class HistoryRow:
    at: str
    action: str
    who: str
    reason: str | None


def history_rows(rows: Sequence[AuditLog]) -> list[HistoryRow]:
    """An account's audit rows as the page lists them: when, what, who (the person, or the sign-in page)."""
    shown = []
    for row in rows:
        who = (
            "（登录页面）"
            if row.actor_role == "public"
            else f"{ACTORS.get(row.actor_name, row.actor_name)}（{ROLE_NAMES.get(row.actor_role, row.actor_role)}）"
        )
        action = ACTIONS.get(row.action, row.action)
        shown.append(HistoryRow(beijing(row.at), action, who, reason_words(row.reason)))
    return shown


def refusal(exc: RegistryError) -> tuple[str, dict[str, list[str]]]:
    """A service's refusal in Chinese: the message, and the reasons by form field."""
    reasons = {field: [render(r, "zh") for r in texts] for field, texts in exc.reasons.items()}
    return ("请按提示修改后重新提交。" if reasons else render(exc.text, "zh")), reasons


def private_page(template: str, /, **context: Any) -> Response:
    """A page that shows a secret (a temporary password, a second factor's key): never cached."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


WORDS = {"roles": ROLE_NAMES, "fields": FIELDS, "beijing": beijing, "state_of": state_of}
