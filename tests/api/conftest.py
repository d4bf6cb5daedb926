"""Fixtures the API tests share."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def entity(session, world):
    """One organisation, committed, for records to be about."""
    made = factories.make_entity(session, "杭州合晟建设工程有限公司")
    session.commit()
    return made
