"""Who manages which accounts (账户管理权限).

- A system administrator (系统管理员: an admin account, an admin key, the CLI) manages every account
  and alone creates administrators and appoints authority account administrators.
- An authority's account administrator (账户管理员: a supervisor account marked so) manages the
  plain supervisor accounts of its own authority: creates them, disables and enables them, unlocks
  them, resets their passwords. It sees its authority's accounts, no other, and may not make an
  administrator or another account administrator (权限分离, 最小权限).
- Nobody disables or resets their own account here: their own password is changed on 修改密码.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from registry.errors import NotFound, NotPermitted
from registry.ledger import Actor
from registry.messages import msg
from registry.models import Account


@dataclass(frozen=True)
class Manager:
    """Someone who manages accounts: of every authority (`authority_id` None) or of one."""

    actor: Actor
    authority_id: int | None

    @property
    def manages_all(self) -> bool:
        return self.authority_id is None


def manager_of(session: Session, actor: Actor) -> Manager:
    """The actor as an account manager, or NotPermitted."""
    if actor.role == "admin":
        return Manager(actor, None)
    if actor.account_id is not None and actor.role == "supervisor":
        account = session.get(Account, actor.account_id)
        if account is not None and account.status == "active" and account.manages_accounts:
            return Manager(actor, account.authority_id)
    raise NotPermitted(msg("only a system administrator or an authority's account administrator manages accounts"))


def may_see(manager: Manager, account: Account) -> bool:
    return manager.manages_all or account.authority_id == manager.authority_id


def require_visible(manager: Manager, account: Account) -> None:
    """NotFound for an account of another authority: a manager learns nothing of it."""
    if not may_see(manager, account):
        raise NotFound(msg("account {id} does not exist", id=account.id))


def require_manageable(manager: Manager, account: Account) -> None:
    """Raise unless `manager` may change `account` (disable, enable, unlock, reset its password)."""
    require_visible(manager, account)
    if account.id == manager.actor.account_id:
        raise NotPermitted(msg("you cannot change your own account here; change your password on its own page"))
    if not manager.manages_all and (account.role != "supervisor" or account.manages_accounts):
        raise NotPermitted(msg("only a system administrator manages administrators and account administrators"))


def require_may_grant(manager: Manager, *, role: str, authority_id: int | None, manages_accounts: bool) -> None:
    """Raise unless `manager` may create an account with this role, authority and power."""
    if manager.manages_all:
        return
    if role != "supervisor" or manages_accounts:
        raise NotPermitted(
            msg("an authority's account administrator creates supervisor accounts of its own authority only")
        )
    if authority_id != manager.authority_id:
        raise NotPermitted(
            msg("an authority's account administrator creates supervisor accounts of its own authority only")
        )
