"""The header's to-do count is reused while nothing moved, and is right the moment the user (or anyone) acts.

``web.todo.header_count`` keeps a user's count while no read model has applied an event (for
``MARKETPLACE_TODO_COUNT_SECONDS``): the platform admin's header counts the organisations awaiting
review, and must go up the moment one signs up and down the moment the admin verifies it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

import web.todo
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, login
from tests.web.test_audit_pages import settle


def header_count(client: TestClient[Litestar], path: str = "/listings") -> int:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'<span id="todo-count">(\d+)</span>', page.text)
    assert found, "the header shows no to-do count"
    return int(found.group(1))


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times every source ran (one entry per count)."""
    runs: list[int] = []
    original = web.todo.todo_items

    async def counted(r: web.todo.Reader) -> list[web.todo.TodoItem]:
        items = await original(r)
        runs.append(len(items))
        return items

    monkeypatch.setattr(web.todo, "todo_items", counted)
    return runs


def sign_up(client: TestClient[Litestar], n: int) -> Any:
    answer = client.post("/api/signup", json={
        "email": f"tto{n}@count.example.cn", "password": "secret-password-1", "display_name": f"TTO {n}",
        "organisation_name": f"计数大学{n}", "organisation_kind": "university"})
    assert answer.status_code == 201, answer.text
    token = client.post("/api/auth/token", json={"email": f"tto{n}@count.example.cn",
                                                 "password": "secret-password-1"})
    return token.json()["organisation_id"]


def test_the_count_is_reused_until_a_read_model_moves_and_right_right_after_an_action(
    client: TestClient[Litestar], web_app: Litestar, counting: list[int], services: Services
) -> None:
    web_app.state.web.todo_count_seconds = 3600  # only an event may renew it here, never the clock
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    settle(services)  # the read models' first catch-up done: from here only the test's own commands move them
    before = header_count(client)
    runs = len(counting)
    assert header_count(client) == before
    assert header_count(client, "/programmes") == before
    assert len(counting) == runs, "nothing moved: the count is reused, no source runs"

    organisation = sign_up(client, 1)  # someone else's command: one more organisation to review
    assert header_count(client) == before + 1
    assert len(counting) == runs + 1

    verified = client.post(f"/api/organisations/{organisation}/verify", headers=admin)
    assert verified.status_code == 200, verified.text
    assert header_count(client) == before, "the admin's own action shows on the very next page"
    assert client.get("/api/todo", headers=admin).json()["count"] == before


def test_each_user_has_their_own_count(client: TestClient[Litestar], web_app: Litestar) -> None:
    web_app.state.web.todo_count_seconds = 3600
    sign_up(client, 2)
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert header_count(client) == 1  # the organisation to review
    client.cookies.clear()
    login(client, "tto2@count.example.cn", "secret-password-1")
    assert header_count(client) == 0, "not the admin's count"


def test_zero_seconds_counts_on_every_page(client: TestClient[Litestar], web_app: Litestar,
                                           counting: list[int]) -> None:
    web_app.state.web.todo_count_seconds = 0
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    header_count(client)
    runs = len(counting)
    header_count(client)
    assert len(counting) == runs + 1


def test_a_count_expires_after_its_seconds(client: TestClient[Litestar], web_app: Litestar,
                                           counting: list[int], services: Services) -> None:
    """What only the clock changes (a notice ending) shows within the seconds."""
    web_app.state.web.todo_count_seconds = 3600
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    settle(services)
    header_count(client)
    runs = len(counting)
    header_count(client)
    assert len(counting) == runs
    kept = web_app.state.web.todo_counts
    for user, (positions, at, count) in list(kept.items()):
        kept[user] = (positions, at - 3601, count)
    header_count(client)
    assert len(counting) == runs + 1
