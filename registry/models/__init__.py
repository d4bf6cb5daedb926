"""The registry's tables, one module per record kind."""

from registry.models.access import ApiKey, IdempotencyRecord, PageSession
from registry.models.account import Account, SignInFailure
from registry.models.authority import Authority, AuthorityDomain
from registry.models.calendar import CalendarDay, CalendarYear
from registry.models.credit_report import CreditReport
from registry.models.entity import Entity, EntityName
from registry.models.evidence import MerkleNode
from registry.models.ledger import AuditLog, ChangeEvent, LedgerCounter
from registry.models.licence import Licence
from registry.models.list_entry import ListEntry, ListEntryDomain, ListEntryTransition
from registry.models.monitoring import Alert, Watch, WatchPerson
from registry.models.penalty import Penalty
from registry.models.repair import RepairApplication
from registry.models.responsible import ResponsiblePerson
from registry.models.screening import FinalDecision, HitDisposition, Screening
from registry.models.sync import SyncDeadLetter, SyncState

__all__ = [
    "Account",
    "Alert",
    "ApiKey",
    "AuditLog",
    "Authority",
    "AuthorityDomain",
    "CalendarDay",
    "CalendarYear",
    "ChangeEvent",
    "CreditReport",
    "FinalDecision",
    "HitDisposition",
    "Entity",
    "EntityName",
    "IdempotencyRecord",
    "PageSession",
    "LedgerCounter",
    "Licence",
    "ListEntry",
    "ListEntryDomain",
    "ListEntryTransition",
    "MerkleNode",
    "Penalty",
    "RepairApplication",
    "ResponsiblePerson",
    "Screening",
    "SignInFailure",
    "SyncDeadLetter",
    "SyncState",
    "Watch",
    "WatchPerson",
]
