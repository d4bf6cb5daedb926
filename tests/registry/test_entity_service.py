"""Entity rules at the service level, for callers other than the API (CLI, imports, demo)."""

from __future__ import annotations

import pytest

from registry.codes.idnumber import IdentityVault
from registry.errors import InvalidInput
from registry.records.entities import create_entity
from tests.factories import ADMIN


def test_services_refuse_an_unknown_entity_kind(session):
    with pytest.raises(InvalidInput, match="kind"):
        create_entity(session, {"kind": "company", "name": "甲公司"}, ADMIN, IdentityVault("x" * 20))
