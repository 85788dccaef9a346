"""Fixtures of the pricing tests: the pricing world, on SQLite then on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from addons.pricing.tests.helpers import world_database
from core.testing import ENGINES, TixiTestDB


@pytest.fixture(params=ENGINES)
def world(request: pytest.FixtureRequest) -> Iterator[tuple[TixiTestDB, dict[str, Any]]]:
    """(db, ids): masterdata, territories and pricing installed, organisation, customers, costs and
    strategy built (:func:`addons.pricing.tests.helpers.build_world`), copied from a per-engine template."""
    url, drop, ids = world_database(request.param)
    db = TixiTestDB(url)
    try:
        yield db, ids
    finally:
        db.dispose()
        drop()
