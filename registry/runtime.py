"""What services need besides the session (the clock, the ID-number vault), built once per app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from registry.catalogue import Catalogue
from registry.clock import Clock
from registry.codes.idnumber import IdentityVault
from registry.measures import Measure
from registry.name_index import NameIndex
from registry.publication import Rules
from registry.workdays import WorkCalendar


@dataclass
class Runtime:
    clock: Clock
    vault: IdentityVault
    catalogue: Catalogue
    measures: tuple[Measure, ...]  # 联合惩戒/激励措施 (registry.measures)
    name_index: NameIndex  # this process's matcher over the listed entities (registry.name_index)


def current_runtime() -> Runtime:
    """The registry runtime of the current app (entry points only; services take arguments)."""
    found: Runtime = current_app.extensions["registry"]
    return found


def current_rules(session: Session) -> Rules:
    """The catalogue and the working-day calendar (with its loaded overrides) for one entry point."""
    return Rules(current_runtime().catalogue, WorkCalendar.load(session))
