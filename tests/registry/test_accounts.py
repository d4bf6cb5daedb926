"""Personal accounts (registry.accounts): the password policy, signing in and the lockout, the second
factor, and who manages which accounts."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.accounts import passwords, totp
from registry.accounts.manage import NewAccount, create_account, disable_account, reset_password, unlock_account
from registry.accounts.own import change_password, disable_totp, enable_totp
from registry.accounts.settings import AccountSettings, SecretBox
from registry.accounts.signin import AccountDisabled, AccountLocked, SignedIn, SignInRefused, sign_in
from registry.accounts.store import actor_of, find_by_login
from registry.errors import Conflict, InvalidInput, NotFound, NotPermitted
from registry.ledger import OPERATOR, Actor
from registry.messages import render
from registry.models import Account, ApiKey, AuditLog, SignInFailure
from tests import factories
from tests.conftest import CHEAP_ARGON2

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
SETTINGS = AccountSettings()
BOX = SecretBox("test-data-protection-secret")


def _sign_in(
    session: Session, login: str, password: str = factories.PASSWORD, code: str = "", **kw: object
) -> SignedIn:
    return sign_in(session, login, password, code, settings=SETTINGS, box=BOX, now=kw.pop("now", NOW), **kw)  # type: ignore[arg-type]


def _refusal(session: Session, login: str, password: str, now: dt.datetime = NOW, code: str = "") -> str:
    """What the sign-in page says to a refused attempt (the failure is kept, as the page commits it)."""
    with pytest.raises((SignInRefused, AccountLocked, AccountDisabled)) as refused:
        _sign_in(session, login, password, code, now=now)
    session.commit()
    return render(refused.value.text, "zh")


# --- passwords --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("Short-1a", ["至少 12 个字符。"]),
        ("alllowercaseletters", ["须包含大写字母、小写字母、数字、其他字符（符号或汉字）中的至少 3 种。"]),
        ("zhang.san-2026X", ["不能包含登录名。"]),
        ("浙江省财政厅监管处2026a", []),  # Chinese characters are 其他字符
        ("Zhejiang-2026-ok", []),
    ],
)
def test_the_password_policy_says_every_rule_broken(password: str, reasons: list[str]) -> None:
    assert [render(m, "zh") for m in passwords.weaknesses(password, "Zhang.San")] == reasons


def test_the_registry_hashes_with_argon2s_defaults_and_a_cheaper_hash_still_verifies() -> None:
    """The suite hashes with the cheapest parameters (tests/conftest.py); the registry as loaded
    uses argon2-cffi's defaults (RFC 9106 low-memory: t=3, m=64 MiB, p=4), and a hash made with
    other parameters verifies and is marked for re-hashing at the next sign-in."""
    cheap = passwords.hash_password("Zhejiang-2026-ok")
    try:
        importlib.reload(passwords)
        stored = passwords.hash_password("Zhejiang-2026-ok")
        assert "$m=65536,t=3,p=4$" in stored
        assert passwords.verify_password(cheap, "Zhejiang-2026-ok")
        assert passwords.needs_rehash(cheap)
        assert not passwords.needs_rehash(stored)
    finally:
        passwords.use_parameters(**CHEAP_ARGON2)


def test_the_hash_is_argon2id_and_a_temporary_password_meets_the_policy() -> None:
    stored = passwords.hash_password("Zhejiang-2026-ok")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "Zhejiang-2026-ok")
    assert not passwords.verify_password(stored, "Zhejiang-2026-OK")
    assert not passwords.verify_password("not a hash", "x")
    temporary = passwords.temporary_password()
    assert len(temporary) == 19
    assert passwords.weaknesses(temporary, "anyone") == []


# --- creating accounts ------------------------------------------------------------------------------


def test_login_names_are_unique_whatever_their_case(session: Session) -> None:
    finance = factories.make_authority(session)
    factories.make_account(session, "Zhang.San", authority=finance)
    with pytest.raises(Conflict) as taken:
        factories.make_account(session, "zhang.san", authority=finance)
    assert render(taken.value.text, "zh") == "登录名 zhang.san 已被使用（登录名不区分大小写）。"
    assert find_by_login(session, "ZHANG.SAN") is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (NewAccount("x", "张三", "admin"), "login"),
        (NewAccount("张三", "张三", "admin"), "login"),
        (NewAccount("zhangsan", " ", "admin"), "name"),
        (NewAccount("zhangsan", "张三", "supervisor"), "authority"),
        (NewAccount("zhangsan", "张三", "admin", authority_id=1), "authority"),
        (NewAccount("zhangsan", "张三", "screener"), "organisation"),
        (NewAccount("zhangsan", "张三", "platform", manages_accounts=True), "manages_accounts"),
        (NewAccount("zhangsan", "张三", "auditor"), "role"),
    ],
)
def test_an_account_is_refused_naming_the_field(session: Session, data: NewAccount, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_account(session, data, OPERATOR, NOW)
    assert list(refused.value.errors) == [field]


def test_a_new_account_gets_a_temporary_password_and_its_audit_row_keeps_no_secret(session: Session) -> None:
    finance = factories.make_authority(session)
    account, secret = create_account(session, NewAccount("li.si", "李四", "supervisor", finance.id), OPERATOR, NOW)
    session.commit()
    assert account.must_change_password
    assert passwords.verify_password(account.password_hash, secret)
    row = session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "account")).one()
    assert (row.action, row.record_id, row.actor_name) == ("create", account.id, "cli operator")
    assert "password_hash" not in row.after
    assert secret not in str(row.after)
    assert _sign_in(session, "li.si", secret).must_change_password


def test_a_screener_account_screens_under_its_agencys_key(session: Session) -> None:
    from registry import access

    _, _ = access.create_key(session, role="screener", name="杭州市公共资源交易中心")
    first = factories.make_account(session, "hz.one", "screener", organisation="杭州市公共资源交易中心")
    other = factories.make_account(session, "nb.one", "screener", organisation="宁波市公共资源交易中心")
    agency_key = session.scalars(sa.select(ApiKey).where(ApiKey.name == "杭州市公共资源交易中心")).one()
    assert first.screening_key_id == agency_key.id
    made = session.get(ApiKey, other.screening_key_id)
    assert made is not None
    assert (made.role, made.name) == ("screener", "宁波市公共资源交易中心")
    actor = actor_of(first)
    assert (actor.key_id, actor.name, actor.person, actor.account_id) == (
        agency_key.id,
        "杭州市公共资源交易中心",
        "张三",
        first.id,
    )
    assert actor.label == f"张三 (screener, account {first.id})"


# --- signing in and the lockout --------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_name_get_the_same_words(session: Session) -> None:
    finance = factories.make_authority(session)
    factories.make_account(session, "zhang.san", authority=finance)
    wrong = _refusal(session, "zhang.san", "Wrong-password-1")
    unknown = _refusal(session, "nobody.here", "Wrong-password-1")
    assert wrong == unknown == "登录名、密码或动态验证码不正确。"


def test_five_failures_lock_the_account_for_fifteen_minutes_and_say_until_when(session: Session) -> None:
    finance = factories.make_authority(session)
    account = factories.make_account(session, "zhang.san", authority=finance)
    for i in range(4):
        assert _refusal(session, "zhang.san", "Wrong-password-1", NOW + dt.timedelta(minutes=i)).startswith("登录名")
    locked = _refusal(session, "zhang.san", "Wrong-password-1", NOW + dt.timedelta(minutes=4))
    assert locked == "该账户因连续 5 次登录失败已被锁定，请于 2026-11-23 10:19（北京时间）后再试，或请账户管理员解锁。"
    # locked: even the right password is refused, and nothing is checked
    assert "已被锁定" in _refusal(session, "zhang.san", factories.PASSWORD, NOW + dt.timedelta(minutes=18))
    assert _sign_in(session, "zhang.san", now=NOW + dt.timedelta(minutes=19)).account.failed_attempts == 0
    actions = list(
        session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.record_type == "account", AuditLog.record_id == account.id)
            .order_by(AuditLog.seq)
        )
    )
    assert actions == ["create"] + ["sign_in_failed"] * 4 + ["lock", "sign_in"]


def test_failures_further_apart_than_the_lockout_do_not_add_up(session: Session) -> None:
    finance = factories.make_authority(session)
    factories.make_account(session, "zhang.san", authority=finance)
    for i in range(6):
        assert "锁定" not in _refusal(session, "zhang.san", "Wrong-password-1", NOW + dt.timedelta(minutes=20 * i))


def test_a_name_no_account_has_locks_the_same_way_so_the_lock_tells_nothing(session: Session) -> None:
    words = [_refusal(session, "no.such.person", "Wrong-password-1", NOW + dt.timedelta(minutes=i)) for i in range(6)]
    assert words[:4] == ["登录名、密码或动态验证码不正确。"] * 4
    assert (
        words[4]
        == words[5]
        == ("该账户因连续 5 次登录失败已被锁定，请于 2026-11-23 10:19（北京时间）后再试，或请账户管理员解锁。")
    )
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0  # unknown names write no audit rows
    # Old failures under other names are forgotten as new ones come in.
    _refusal(session, "someone.else", "x", NOW + dt.timedelta(hours=2))
    assert session.scalars(sa.select(SignInFailure.login_key)).all() == ["someone.else"]


def test_a_disabled_account_is_said_disabled_only_to_whoever_has_its_password(session: Session) -> None:
    finance = factories.make_authority(session)
    account = factories.make_account(session, "zhang.san", authority=finance)
    disable_account(session, account.id, OPERATOR, NOW)
    session.commit()
    assert _refusal(session, "zhang.san", "Wrong-password-1") == "登录名、密码或动态验证码不正确。"
    assert _refusal(session, "zhang.san", factories.PASSWORD) == "该账户已停用，请联系账户管理员。"


def test_an_old_password_must_be_changed_at_sign_in(session: Session) -> None:
    finance = factories.make_authority(session)
    factories.make_account(session, "zhang.san", authority=finance)
    assert not _sign_in(session, "zhang.san", now=NOW + dt.timedelta(days=89)).must_change_password
    assert _sign_in(session, "zhang.san", now=NOW + dt.timedelta(days=90)).must_change_password


# --- the second factor ------------------------------------------------------------------------------


def _with_totp(session: Session) -> tuple[Account, str]:
    finance = factories.make_authority(session)
    account = factories.make_account(session, "zhang.san", authority=finance)
    secret = totp.new_secret()
    me = actor_of(account)
    with pytest.raises(InvalidInput):
        enable_totp(
            session, me, secret, "000000" if totp.code_at(secret, NOW) != "000000" else "111111", box=BOX, now=NOW
        )
    enable_totp(session, me, secret, totp.code_at(secret, NOW), box=BOX, now=NOW)
    session.commit()
    return account, secret


def test_a_second_factor_is_sealed_and_then_needed_once_per_code(session: Session) -> None:
    account, secret = _with_totp(session)
    assert account.totp_sealed is not None
    assert secret not in account.totp_sealed
    assert BOX.open(account.totp_sealed) == secret
    later = NOW + dt.timedelta(minutes=5)
    assert _refusal(session, "zhang.san", factories.PASSWORD, later) == "登录名、密码或动态验证码不正确。"
    code = totp.code_at(secret, later)
    assert _sign_in(session, "zhang.san", code=code[:3] + " " + code[3:], now=later).account.id == account.id
    # the same code again, within its minute: refused (a code seen over a shoulder)
    assert _refusal(session, "zhang.san", factories.PASSWORD, later + dt.timedelta(seconds=20), code).startswith(
        "登录名"
    )


def test_the_second_factor_is_turned_off_with_the_password_and_a_code(session: Session) -> None:
    account, secret = _with_totp(session)
    later = NOW + dt.timedelta(minutes=5)
    with pytest.raises(InvalidInput):
        disable_totp(session, actor_of(account), factories.PASSWORD, "123", box=BOX, settings=SETTINGS, now=later)
    disable_totp(
        session,
        actor_of(account),
        factories.PASSWORD,
        totp.code_at(secret, later),
        box=BOX,
        settings=SETTINGS,
        now=later,
    )
    assert account.totp_sealed is None


# --- own password, and managers ---------------------------------------------------------------------


def test_changing_the_password_checks_the_current_one_and_the_policy(session: Session) -> None:
    finance = factories.make_authority(session)
    account = factories.make_account(session, "zhang.san", authority=finance)
    me = actor_of(account)
    for current, new, repeated, field in (
        ("Wrong-password-1", "New-password-2026", "New-password-2026", "current"),
        (factories.PASSWORD, "short", "short", "new"),
        (factories.PASSWORD, "New-password-2026", "New-password-2027", "repeat"),
        (factories.PASSWORD, factories.PASSWORD, factories.PASSWORD, "new"),
    ):
        with pytest.raises(InvalidInput) as refused:
            change_password(session, me, current, new, repeated, settings=SETTINGS, now=NOW)
        assert list(refused.value.errors) == [field]
    change_password(
        session, me, factories.PASSWORD, "New-password-2026", "New-password-2026", settings=SETTINGS, now=NOW
    )
    assert _sign_in(session, "zhang.san", "New-password-2026").account.id == account.id


def test_guessing_the_current_password_counts_toward_the_lock(session: Session) -> None:
    finance = factories.make_authority(session)
    account = factories.make_account(session, "zhang.san", authority=finance)
    for _ in range(4):
        with pytest.raises(InvalidInput):
            change_password(
                session, actor_of(account), "Guess-2026-xx", "New-password-2026", "x", settings=SETTINGS, now=NOW
            )
    with pytest.raises(AccountLocked):
        change_password(
            session, actor_of(account), "Guess-2026-xx", "New-password-2026", "x", settings=SETTINGS, now=NOW
        )


def test_an_authority_administrator_manages_its_own_supervisors_only(session: Session) -> None:
    finance = factories.make_authority(session, "浙江省财政厅")
    housing = factories.make_authority(session, "浙江省住房和城乡建设厅")
    manager = actor_of(factories.make_account(session, "cz.admin", authority=finance, manages_accounts=True))
    colleague = factories.make_account(session, "cz.two", authority=finance)
    peer = factories.make_account(session, "cz.admin2", authority=finance, manages_accounts=True)
    stranger = factories.make_account(session, "zj.one", authority=housing)
    account, secret = create_account(session, NewAccount("cz.three", "王五", "supervisor", finance.id), manager, NOW)
    assert account.must_change_password
    assert secret
    for refused in (
        NewAccount("cz.boss", "王五", "admin"),
        NewAccount("cz.four", "王五", "supervisor", finance.id, manages_accounts=True),
        NewAccount("zj.two", "王五", "supervisor", housing.id),
        NewAccount("cz.agent", "王五", "screener", organisation="某代理公司"),
    ):
        with pytest.raises(NotPermitted):
            create_account(session, refused, manager, NOW)
    unlock_account(session, colleague.id, manager, NOW)
    with pytest.raises(NotFound):
        disable_account(session, stranger.id, manager, NOW)
    with pytest.raises(NotPermitted):
        reset_password(session, peer.id, manager, NOW)
    with pytest.raises(NotPermitted):
        disable_account(session, manager.account_id or 0, manager, NOW)
    with pytest.raises(NotPermitted):  # a plain supervisor manages nothing
        unlock_account(session, colleague.id, actor_of(stranger), NOW)
    with pytest.raises(NotPermitted):  # nor does a supervisor's key
        unlock_account(
            session, colleague.id, Actor(key_id=3, name="财政厅", role="supervisor", authority_id=finance.id), NOW
        )


def test_reset_issues_a_temporary_password_unlocks_and_can_drop_the_second_factor(session: Session) -> None:
    account, _ = _with_totp(session)
    for i in range(5):
        _refusal(session, "zhang.san", "Wrong-password-1", NOW + dt.timedelta(minutes=i))
    assert account.locked_until is not None
    _, secret = reset_password(session, account.id, OPERATOR, NOW + dt.timedelta(minutes=6), clear_totp=True)
    session.commit()
    assert (account.locked_until, account.totp_sealed, account.must_change_password) == (None, None, True)
    assert _sign_in(session, "zhang.san", secret, now=NOW + dt.timedelta(minutes=7)).must_change_password
