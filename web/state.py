"""What the web layer holds for the life of the process: services, the asyncpg pool, the queries."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg
import msgspec
from litestar.concurrency import sync_to_thread

from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services
from projections.accounts.view import AccountsQueries
from projections.catalogue.queries import CatalogueQueries
from projections.shared.health import HealthQueries, slowest_view_statement, view_positions_statement
from web import replica
from web.context import Identity

T = TypeVar("T")


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=lambda v: msgspec.json.encode(v).decode(), decoder=msgspec.json.decode, schema="pg_catalog"
    )
    # Read-model ids come back as the standard ``uuid.UUID`` (asyncpg has its own UUID type), so an id
    # read from a row can go straight into a command and its events.
    await conn.set_type_codec("uuid", encoder=str, decoder=uuid.UUID, schema="pg_catalog", format="text")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The web keeps no session state (no LISTEN, locks or SET): skip asyncpg's reset on release."""


async def create_pool(services: Services, max_size: int = 10, address: DatabaseAddress | None = None) -> asyncpg.Pool:
    """The web's asyncpg pool on the primary (or on ``address``: the read replica)."""
    address = address or services.address
    return await asyncpg.create_pool(
        host=address.host, port=address.port, user=address.user, password=address.password or None,
        database=address.dbname, min_size=2, max_size=max_size, init=_init_connection, reset=_keep_session,
        # Filters are written "($n IS NULL OR …)": custom plans let the planner drop the unused ones.
        server_settings={"plan_cache_mode": "force_custom_plan", "jit": "off"},
    )


@dataclass
class WebState:
    services: Services
    pool: asyncpg.Pool
    catalogue: CatalogueQueries
    accounts: AccountsQueries
    #: How long a user's header to-do count is reused while no read model moves (0: counted every page).
    todo_count_seconds: float = 5.0
    #: How long ``wait_for`` waits for the read models at most (``Settings.read_wait_seconds``).
    read_wait_seconds: float = 5.0
    #: user id: (the read models' positions, when counted (monotonic), the count) — see ``web.todo.header_count``
    todo_counts: dict[uuid.UUID, tuple[tuple[int, ...], float, int]] = field(default_factory=dict, repr=False)
    #: The primary's pool when ``pool`` sends reads to a replica (``web.replica``); None: ``pool`` is the primary.
    primary_pool: asyncpg.Pool | None = field(default=None, repr=False)
    _slowest_query: str | None = field(default=None, repr=False)
    _positions_query: str | None = field(default=None, repr=False)
    _health: HealthQueries | None = field(default=None, repr=False)

    @property
    def primary(self) -> asyncpg.Pool:
        """The primary database: for what must not lag (sessions, tokens, the wait after a command)."""
        return self.primary_pool or self.pool

    @property
    def health(self) -> HealthQueries:
        """Each read model's position, the head of the log, and the event a stopped one cannot apply."""
        if self._health is None:
            self._health = HealthQueries(self.pool, self.services.health_statement())
        return self._health

    async def with_current_roles(self, me: Identity) -> Identity:
        """``me`` with the roles the user holds now: a session or token remembers the roles of its login,
        and may predate a revocation. Read from the user's own events (the record of truth), not from a
        read model that may lag behind a revocation just made; a deactivated or unknown user holds none.
        Pages and API reads that need a role check it on this (commands check it on the aggregates too)."""
        user = await self.run(self.services.app.find_user, me.user_id)
        roles = tuple(user.roles) if user is not None and user.active and not user.erased else ()
        return Identity(me.user_id, me.display_name, me.organisation_id, roles, me.version)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (synchronous) application command in a worker thread."""
        return await sync_to_thread(fn, *args, **kwargs)

    async def wait_for(self, position: int) -> bool:
        """Wait until every read model has processed ``position`` (read your writes).

        A read model stopped at an event it cannot apply (``read_model_health``) is not waited
        for: it will not move until its cause is fixed, and the health page says so. Gives up
        after ``read_wait_seconds`` (the command is recorded either way; the page may then show
        the read model a moment behind).
        """
        deadline = time.monotonic() + self.read_wait_seconds
        delay = 0.001
        query = self._slowest_view_query()
        replica.wrote(position)  # the rest of this request, and the next ones (a cookie), must see it
        while True:
            if (await self.primary.fetchval(query, self.services.app.name) or 0) >= position:
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.01)

    async def view_positions(self) -> tuple[int, ...]:
        """Every read model's position (one statement): unchanged while no read model applied an event."""
        if self._positions_query is None:
            tracking = {name: view.tracking_table_name for name, view in self.services.views.items()}
            self._positions_query = view_positions_statement(tracking)
        return tuple(await self.pool.fetchval(self._positions_query, self.services.app.name))

    def _slowest_view_query(self) -> str:
        """The statement that reads the lowest position over the read models not stopped (built once)."""
        if self._slowest_query is None:
            tracking = {name: view.tracking_table_name for name, view in self.services.views.items()}
            self._slowest_query = slowest_view_statement(tracking)
        return self._slowest_query
