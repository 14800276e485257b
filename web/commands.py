"""The one command runner of the web: run the command in a worker thread, then wait for the read models.

eventsourcing is synchronous, so a command runs in a thread; it returns the notification id of its last
event (alone, last in a tuple, or as ``position`` of a result object), and the page or answer that
follows waits until every read model has processed it (read your writes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable
from uuid import UUID

from web.context import Identity
from web.state import WebState

R = TypeVar("R")
C = TypeVar("C")


@runtime_checkable
class HasPosition(Protocol):
    """A command's result that carries the notification id of its last event."""

    @property
    def position(self) -> int: ...


def position_of(result: object) -> int:
    """The notification id a command's result carries (0 when it wrote nothing)."""
    if isinstance(result, bool) or result is None:
        return 0
    if isinstance(result, int):
        return result
    if isinstance(result, HasPosition):
        return int(result.position)
    if isinstance(result, tuple) and result and isinstance(result[-1], int):
        return int(result[-1])
    return 0


async def run_command(web: WebState, command: Callable[..., R], cmd: C, me: Identity | None, **kwargs: Any) -> R:
    """Run ``command(cmd, actor_id=me.user_id)`` in a worker thread and wait for the read models to catch up."""
    actor: UUID | None = me.user_id if me is not None else None
    result = await web.run(command, cmd, actor_id=actor, **kwargs)
    await web.wait_for(position_of(result))
    return result
