"""What services need besides the session (the clock, the ID-number vault), built once per app."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy.orm import Session

from registry.access import KeyCache
from registry.accounts.settings import AccountSettings, SecretBox
from registry.calendar.workdays import WorkCalendar
from registry.catalogue import Catalogue
from registry.clock import Clock
from registry.codes.idnumber import IdentityVault
from registry.evidence.signing import EvidenceSigner
from registry.publication import Rules
from registry.screening.dossiers import DossierCache
from registry.screening.ids import IdBlocks
from registry.screening.measures import Measure
from registry.screening.name_index import NameIndex

if TYPE_CHECKING:  # the writer's module imports the services, which import this one
    from registry.screening.writer import ScreeningWriter


class Runtime:
    """What one app's services need besides the session, built once per process."""

    def __init__(
        self,
        *,
        clock: Clock,
        vault: IdentityVault,
        catalogue: Catalogue,
        measures: tuple[Measure, ...],
        name_index: NameIndex,
        keys: KeyCache,
        dossiers: DossierCache,
        signer: EvidenceSigner,
        anchor_interval: dt.timedelta,
        accounts: AccountSettings,
        secret_box: SecretBox,
        screening_writer: ScreeningWriter | None = None,
        watch_interval: dt.timedelta = dt.timedelta(seconds=1),
    ) -> None:
        self.clock = clock
        self.vault = vault
        self.catalogue = catalogue
        self.measures = measures  # 联合惩戒/激励措施 (registry.screening.measures)
        self.keys = keys  # API keys authenticated recently (registry.access)
        self.dossiers = dossiers  # what screenings show of listed entities (registry.screening.dossiers)
        self.signer = signer  # signs the evidence tree's anchors (registry.evidence.signing)
        self.anchor_interval = anchor_interval  # how often `flask sync run` anchors screenings
        self.watch_interval = watch_interval  # how often it checks changes against watched bidders
        # Stores screenings in batches, one commit each (registry.screening.writer); None: each in its request.
        self.screening_writer = screening_writer
        self.screening_ids = IdBlocks()  # ids reserved ahead on PostgreSQL (registry.screening.ids)
        # The accounts' lockout, session limits and password age (registry.accounts.settings).
        self.accounts = accounts
        self.secret_box = secret_box  # seals the accounts' TOTP secrets, keyed from the data key
        self._name_index = name_index
        name_index.on_change(self._forget_dossiers)

    @property
    def name_index(self) -> NameIndex:
        """This process's matcher over the listed entities (registry.screening.name_index)."""
        return self._name_index

    @name_index.setter
    def name_index(self, index: NameIndex) -> None:
        # The dossiers are kept fresh by the index's events: a new index means a new source,
        # so what was cached under the old one goes.
        index.on_change(self._forget_dossiers)
        self.dossiers.forget(None)
        self._name_index = index

    def _forget_dossiers(self, entity_ids: set[int] | None) -> None:
        """The index applied events up to its current mark: what they touch is stale from there."""
        self.dossiers.forget(entity_ids, seq=self._name_index.seq)


def current_runtime() -> Runtime:
    """The registry runtime of the current app (entry points only; services take arguments)."""
    found: Runtime = current_app.extensions["registry"]
    return found


def current_rules(session: Session) -> Rules:
    """The catalogue and the working-day calendar (with its loaded overrides) for one entry point."""
    return Rules(current_runtime().catalogue, WorkCalendar.load(session))
