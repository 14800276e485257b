"""The event store's connections are handed out most recently returned first.

psycopg_pool keeps its idle connections in a queue: a connection goes back at the end and the one idle longest is
handed out next, so one worker running commands one after the other cycles through every connection of the pool
(10 or more), each with its own server process, whose caches are cold by its turn. Measured on this machine: a
save's statement took 60-100 µs longer on the pool's next connection than on the one just used (0.42-0.54 ms vs
0.32-0.49 ms per save, median of 400, three rounds each), about a tenth of a command. Handed out most recent first,
the connections a worker needs stay warm.

A connection nobody takes is never returned, and psycopg_pool applies its lifetime (``max_lifetime``) when a
connection comes back; an idle connection may also be cut by a firewall. So a connection idle for longer than
:data:`ROTATE_AFTER` is handed out first, once: every connection is used, checked and renewed at least about that
often while the pool is in use, at the cost of one cold statement per connection per interval. The pool's own
shrinking (``max_idle``, above its minimum size) takes a connection the same way, so it closes one idle that long.

psycopg_pool offers no setting for this: :func:`most_recent_first` replaces the pool's queue of idle connections
(a ``deque`` it takes from the left and returns to on the right) by one that takes from the right unless the left
one has been idle that long. If a later psycopg_pool keeps its idle connections otherwise, the pool is left as it
is, in its own order.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

#: Seconds after which an idle connection is handed out before the most recent one.
ROTATE_AFTER = 60.0


class MostRecentFirst(deque[Any]):
    """Idle connections: ``popleft`` takes the one returned last, or the one returned first if it has been idle
    longer than ``rotate_after`` seconds."""

    def __init__(self, items: Any = (), rotate_after: float = ROTATE_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.rotate_after = rotate_after
        self.clock = clock
        self.returned: dict[int, float] = {}
        for item in items:
            self.append(item)

    def append(self, item: Any) -> None:
        super().append(item)
        self.returned[id(item)] = self.clock()

    def popleft(self) -> Any:
        oldest = self[0] if self else None
        if oldest is not None and self.clock() - self.returned.get(id(oldest), 0.0) > self.rotate_after:
            item = super().popleft()
        else:
            item = self.pop()
        self.returned.pop(id(item), None)
        return item

    def clear(self) -> None:
        super().clear()
        self.returned.clear()


def most_recent_first(pool: Any, rotate_after: float = ROTATE_AFTER) -> bool:
    """Have ``pool`` (a psycopg_pool ``ConnectionPool``) hand out its most recently returned idle connection first
    (see the module's text); False if this pool keeps its idle connections in a way this does not know (nothing is
    changed then)."""
    idle = getattr(pool, "_pool", None)
    lock = getattr(pool, "_lock", None)
    if isinstance(idle, MostRecentFirst):
        return True
    if type(idle) is not deque or lock is None:
        return False
    with lock:
        pool._pool = MostRecentFirst(pool._pool, rotate_after)
    return True
