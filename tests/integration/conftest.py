"""Fixtures of the integration tests that race two workers on one database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace.platform.application import Marketplace
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from tests.unit.deal_helpers import World, make_world


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    """The deal helpers' world (a university, an enterprise, their patent and listing) on a migrated database."""
    migrate(database.conninfo())  # the personal-data table the accounts need
    w = make_world(database.eventsourcing_env())
    yield w
    w.app.close()


@pytest.fixture
def other(database: DatabaseAddress, world: World) -> Iterator[Marketplace]:
    """A second worker on the same database, with its own (empty) cache."""
    app = Marketplace(database.eventsourcing_env(), clock=world.clock,
                      gateways={"stripe": world.stripe, "manual": world.manual})
    yield app
    app.close()
