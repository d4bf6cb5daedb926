"""What services need besides the session (the clock, the ID-number vault), built once per app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from registry.clock import Clock
from registry.codes.idnumber import IdentityVault


@dataclass
class Runtime:
    clock: Clock
    vault: IdentityVault


def current_runtime() -> Runtime:
    """The registry runtime of the current app (entry points only; services take arguments)."""
    found: Runtime = current_app.extensions["registry"]
    return found
