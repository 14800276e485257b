"""Passwords are hashed and checked in a pool of their own, on one low-priority thread."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from marketplace.accounts import passwords
from marketplace.accounts.passwords import (
    MAX_WAITING,
    PasswordPoolBusyError,
    hash_password,
    run_in_password_pool,
    verify_password,
)


def _where() -> tuple[str, int]:
    return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_password_work_runs_on_the_pools_low_priority_thread_not_the_callers() -> None:
    name, priority = asyncio.run(run_in_password_pool(_where))
    assert name.startswith("passwords")
    if sys.platform == "linux":
        assert priority == 19
    seen: list[str] = []
    original = passwords._verify

    def spy(password_hash: str, password: str) -> bool:
        seen.append(threading.current_thread().name)
        return original(password_hash, password)

    passwords._verify = spy  # type: ignore[assignment]
    try:
        assert verify_password(hash_password("right-password-1"), "right-password-1")
        assert not verify_password(hash_password("right-password-1"), "wrong-password-1")
    finally:
        passwords._verify = original  # type: ignore[assignment]
    assert seen
    assert all(n.startswith("passwords") for n in seen)


def test_a_login_beyond_the_waiting_limit_is_refused_at_once() -> None:
    release = threading.Event()

    async def flood() -> None:
        waiting = [asyncio.ensure_future(run_in_password_pool(release.wait, 10)) for _ in range(MAX_WAITING)]
        await asyncio.sleep(0.05)
        with pytest.raises(PasswordPoolBusyError):
            await run_in_password_pool(_where)
        release.set()
        await asyncio.gather(*waiting)
        assert (await run_in_password_pool(_where))[0].startswith("passwords")

    asyncio.run(flood())
