"""Password hashing with argon2id (argon2-cffi; RFC 9106 low-memory parameters by default).

Hashing and checking run in a pool of their own: one thread, at the lowest CPU priority the
system allows. argon2 at 64 MiB costs about 0.15 s of CPU (its lanes run on threads that
libargon2 starts from the calling thread, which inherit its priority), so a flood of wrong
logins only queues on this pool and takes the CPU time the commands leave over; it never holds
the commands' worker threads nor out-competes them for the cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

T = TypeVar("T")

#: Password checks that may wait in the pool at once; beyond it a login is refused as busy (429).
MAX_WAITING = 64

_hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
_local = threading.local()
_waiting = threading.BoundedSemaphore(MAX_WAITING)


class PasswordPoolBusyError(Exception):
    """Too many password checks are waiting: the caller should answer "try again shortly"."""


def _lower_priority() -> None:
    _local.inside = True
    # Linux: nice is per thread; threads started from this one (argon2's lanes) inherit it.
    with contextlib.suppress(AttributeError, OSError):  # other systems keep the normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="passwords", initializer=_lower_priority)


def _in_pool(fn: Callable[..., T], *args: Any) -> T:
    if getattr(_local, "inside", False):
        return fn(*args)
    return _pool.submit(fn, *args).result()


async def run_in_password_pool(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Await ``fn(*args, **kwargs)`` run in the password pool (e.g. ``Accounts.authenticate``).

    Raises :class:`PasswordPoolBusyError` at once when :data:`MAX_WAITING` checks already wait.
    """
    if not _waiting.acquire(blocking=False):
        raise PasswordPoolBusyError
    try:
        return await asyncio.wrap_future(_pool.submit(fn, *args, **kwargs))
    finally:
        _waiting.release()


def use_parameters(parameters: Parameters) -> None:
    """Change the cost of new hashes (the test suite uses argon2's CHEAPEST profile)."""
    global _hasher, _dummy  # noqa: PLW0603 - one process-wide hasher, configured at start-up
    _hasher = PasswordHasher.from_parameters(parameters)
    _dummy = None


_dummy: str | None = None


def timing_equaliser() -> str:
    """A hash to verify against for unknown e-mails, so a miss costs as long as a wrong password."""
    global _dummy  # noqa: PLW0603 - computed once, on first use
    if _dummy is None:
        _dummy = hash_password("timing-equaliser")
    return _dummy


def hash_password(password: str) -> str:
    return _in_pool(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash (in the password pool); hashes carry their own parameters."""
    return _in_pool(_verify, password_hash, password)
