"""`flask registry create-admin`: the first administrator's account, from the server, refused in Chinese
when the password is weak or the login name taken; and the demo's accounts printed once."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.models import Account, AuditLog
from tests import factories


def _run(app: Flask, *args: str, stdin: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=["registry", *args], input=stdin)


def test_create_admin_reads_the_password_from_stdin_and_audits_the_operator(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    result = _run(
        app, "create-admin", "--login", "Admin", "--name", "王建国", "--password-stdin", stdin="Zhejiang-2026-ok\n"
    )
    assert result.exit_code == 0, result.output
    assert "已创建系统管理员账户 Admin（王建国" in result.output
    account = session.scalars(sa.select(Account).where(Account.login_key == "admin")).one()
    assert (account.role, account.must_change_password, account.authority_id) == ("admin", False, None)
    row = session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "account")).one()
    assert (row.action, row.actor_name, row.actor_role) == ("create", "cli operator", "admin")


def test_create_admin_asks_twice_at_a_hidden_prompt(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "create-admin", "--login", "ops", "--name", "赵六", stdin="Zhejiang-2026-ok\nZhejiang-2026-ok\n")
    assert result.exit_code == 0, result.output
    differs = _run(
        app, "create-admin", "--login", "ops2", "--name", "赵六", stdin="Zhejiang-2026-ok\nZhejiang-2026-no\n"
    )
    assert differs.exit_code == 2
    assert "两次输入的密码不一致，未创建账户。" in differs.output


def test_a_weak_password_or_a_taken_login_is_refused_in_chinese(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    weak = _run(app, "create-admin", "--login", "ops", "--name", "赵六", "--password-stdin", stdin="password\n")
    assert weak.exit_code == 2
    assert "密码：至少 12 个字符。" in weak.output
    assert "密码：须包含大写字母、小写字母、数字、其他字符（符号或汉字）中的至少 3 种。" in weak.output
    factories.make_account(session, "ops", "admin")
    taken = _run(
        app, "create-admin", "--login", "OPS", "--name", "赵六", "--password-stdin", stdin="Zhejiang-2026-ok\n"
    )
    assert taken.exit_code == 2
    assert "错误：登录名 OPS 已被使用（登录名不区分大小写）。" in taken.output
    bad = _run(app, "create-admin", "--login", "赵六", "--name", "赵六", "--password-stdin", stdin="Zhejiang-2026-ok\n")
    assert "登录名：须为 3 至 64 个英文字母、数字或 . _ @ - 符号，并以字母或数字开头。" in bad.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Account)) == 1


def test_seed_demo_prints_one_account_per_role_once(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "seed-demo", "--entities", "30")
    assert result.exit_code == 0, result.output
    printed = result.output.split("demo accounts for the pages")[1]
    for login in ("demo.admin", "demo.zjcz.admin", "demo.zjcz", "demo.hzggzy", "demo.xyzj"):
        assert f" {login} " in printed
    assert "李静（浙江省财政厅，账户管理员）" in printed
