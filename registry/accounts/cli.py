"""`flask registry create-admin`: the first system administrator's account (or another), from the server.

The password is typed twice at a hidden prompt, or read from standard input (`--password-stdin`, one
line, for scripts); it must meet the password policy and is not temporary. A weak password, a login
name already taken or a malformed one is refused in Chinese, nothing is written, and the command
exits 2. Whoever runs it acts as the CLI operator: the audit row says so.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask.cli import with_appcontext

from registry.accounts.manage import NewAccount, create_account
from registry.database import db, write_intent
from registry.errors import RegistryError
from registry.ledger import OPERATOR
from registry.messages import render
from registry.runtime import current_runtime

FIELDS = {"login": "登录名", "name": "姓名", "password": "密码"}


def _refuse(message: str, reasons: dict[str, list[str]] | None = None) -> NoReturn:
    db.session.rollback()
    click.echo(f"错误：{message}", err=True)
    for field, texts in (reasons or {}).items():
        for text in texts:
            click.echo(f"  {FIELDS.get(field, field)}：{text}", err=True)
    sys.exit(2)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = str(click.prompt("密码", hide_input=True, err=True))
    again = str(click.prompt("再次输入密码", hide_input=True, err=True))
    if first != again:
        _refuse("两次输入的密码不一致，未创建账户。")
    return first


@click.command("create-admin")
@click.option("--login", required=True, help="登录名: 3 to 64 letters, digits or . _ @ -")
@click.option("--name", "person", required=True, help="姓名 of the administrator")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input (one line)")
@with_appcontext
def create_admin(login: str, person: str, password_stdin: bool) -> None:
    """Create a system administrator's account (系统管理员), who then signs in at /login and creates
    the other accounts."""
    password = _password(password_stdin)
    write_intent.set(True)
    try:
        account, _ = create_account(
            db.session(), NewAccount(login, person, "admin"), OPERATOR, current_runtime().clock.now(), password=password
        )
    except RegistryError as exc:
        reasons = {field: [render(r, "zh") for r in texts] for field, texts in exc.reasons.items()}
        _refuse("未创建账户。" if reasons else render(exc.text, "zh"), reasons)
    db.session.commit()
    click.echo(f"已创建系统管理员账户 {account.login}（{account.name}，账户 {account.id}），请在 /login 登录。")
