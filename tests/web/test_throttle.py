"""Throttles: wrong logins, sign-ups and objections answer 429 with Retry-After, per address and per account.

Client addresses come from ``X-Forwarded-For`` through uvicorn's proxy-headers middleware, as
behind the production reverse proxy.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from marketplace.accounts import passwords
from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token
from web.throttle import LIMITS, Limit

WRONG = "wrong-password-0"


@pytest.fixture
def client(web_app: Litestar) -> Iterator[TestClient[Any]]:
    with TestClient(ProxyHeadersMiddleware(web_app, trusted_hosts="*")) as test_client:
        yield test_client


def at(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def token(client: TestClient[Any], email: str, password: str, address: str) -> Any:
    return client.post("/api/auth/token", json={"email": email, "password": password}, headers=at(address))


def assert_throttled(response: Any) -> int:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    return retry_after


def test_wrong_logins_from_one_address_are_refused_with_429_whatever_the_accounts(client: TestClient[Any]) -> None:
    burst = LIMITS["login.address"].burst
    for n in range(burst):
        assert token(client, f"guess{n}@example.org", WRONG, "203.0.113.7").status_code == 401
    refused = token(client, f"guess{burst}@example.org", WRONG, "203.0.113.7")
    assert assert_throttled(refused) <= LIMITS["login.address"].per_seconds + 1
    assert refused.json()["status_code"] == 429
    # The address is refused even with the right password; other addresses are not.
    assert_throttled(token(client, ADMIN_EMAIL, ADMIN_PASSWORD, "203.0.113.7"))
    assert token(client, ADMIN_EMAIL, ADMIN_PASSWORD, "198.51.100.1").status_code == 201


def test_wrong_logins_to_one_account_are_refused_from_every_new_address(client: TestClient[Any]) -> None:
    burst = LIMITS["login.account"].burst
    for n in range(burst):  # a distributed guesser: one address per guess
        assert token(client, ADMIN_EMAIL, WRONG, f"192.0.2.{n + 1}").status_code == 401
    assert assert_throttled(token(client, ADMIN_EMAIL, ADMIN_PASSWORD, "192.0.2.200")) <= 61
    # Another account from a new address is not concerned.
    assert token(client, "someone@example.org", WRONG, "192.0.2.201").status_code == 401


def test_an_attacker_cannot_lock_the_owner_out_of_an_address_it_logged_in_from(client: TestClient[Any]) -> None:
    assert token(client, ADMIN_EMAIL, ADMIN_PASSWORD, "198.51.100.20").status_code == 201  # the owner, at the office
    for n in range(LIMITS["login.account"].burst + 5):
        token(client, ADMIN_EMAIL, WRONG, f"192.0.2.{n + 1}")
    assert_throttled(token(client, ADMIN_EMAIL, WRONG, "192.0.2.99"))
    assert token(client, ADMIN_EMAIL, ADMIN_PASSWORD, "198.51.100.20").status_code == 201


def test_successful_logins_do_not_count(client: TestClient[Any]) -> None:
    for _ in range(LIMITS["login.address"].burst + 5):
        assert token(client, ADMIN_EMAIL, ADMIN_PASSWORD, "203.0.113.8").status_code == 201


def test_wrong_logins_on_the_login_form_get_a_429_page_in_the_readers_language(client: TestClient[Any]) -> None:
    def attempt(lang: str) -> Any:
        form = {"email": ADMIN_EMAIL, "password": WRONG, "next": "/my", "_csrf_token": csrf_token(client)}
        return client.post("/login", data=form, headers=at("203.0.113.9") | {"Accept-Language": lang},
                           follow_redirects=False)

    for _ in range(LIMITS["login.account"].burst):
        assert attempt("zh").status_code == 401
    english, chinese = attempt("en"), attempt("zh")
    assert_throttled(english)
    assert_throttled(chinese)
    assert "text/html" in english.headers["content-type"]
    assert "Too many attempts" in english.text
    assert "尝试次数过多" in chinese.text


def test_sign_ups_are_throttled_per_address_and_a_refused_one_records_nothing(
    client: TestClient[Any], services: Services
) -> None:
    def sign_up(n: int, address: str) -> Any:
        return client.post("/api/signup", headers=at(address), json={
            "email": f"founder{n}@example.org", "password": "secret-password-1", "display_name": f"Founder {n}",
            "organisation_name": f"示例科技{n}有限公司", "organisation_kind": "enterprise"})

    for n in range(LIMITS["signup.address"].burst):
        assert sign_up(n, "203.0.113.10").status_code == 201
    before = services.recorder.max_notification_id()
    assert_throttled(sign_up(99, "203.0.113.10"))
    assert services.recorder.max_notification_id() == before
    assert sign_up(99, "203.0.113.11").status_code == 201


def test_sign_up_attempts_for_one_email_are_throttled_from_any_address(client: TestClient[Any]) -> None:
    def sign_up(n: int) -> Any:
        return client.post("/api/signup", headers=at(f"192.0.2.{n + 1}"), json={
            "email": "taken@example.org", "password": "secret-password-1", "display_name": "Founder",
            "organisation_name": f"示例科技{n}有限公司", "organisation_kind": "enterprise"})

    assert sign_up(0).status_code == 201
    for n in range(1, LIMITS["signup.account"].burst):
        assert sign_up(n).status_code == 409
    assert_throttled(sign_up(50))


def test_objections_are_throttled_per_user(client: TestClient[Any]) -> None:
    headers = {"Authorization": f"Bearer {token(client, ADMIN_EMAIL, ADMIN_PASSWORD, '203.0.113.12').json()['token']}"}
    path = f"/api/contracts/{uuid.uuid4()}/objections"
    for n in range(LIMITS["objection.account"].burst):
        refused = client.post(path, json={"text": "价格明显偏低"}, headers=headers | at(f"192.0.2.{n + 1}"))
        assert refused.status_code == 404, refused.text  # no such contract: the command itself refuses
    assert_throttled(client.post(path, json={"text": "价格明显偏低"}, headers=headers | at("192.0.2.50")))


def bearer_at(client: TestClient[Any], email: str, password: str, address: str) -> dict[str, str]:
    response = token(client, email, password, address)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"} | at(address)


def sign_up_at(client: TestClient[Any], email: str, address: str, password: str = "secret-password-1") -> Any:
    return client.post("/api/signup", headers=at(address), json={
        "email": email, "password": password, "display_name": "Founder",
        "organisation_name": f"组织{email}", "organisation_kind": "enterprise"})


def change_password(client: TestClient[Any], headers: dict[str, str], current: str, new: str, address: str) -> Any:
    return client.post("/api/me/password", json={"current_password": current, "new_password": new},
                       headers=headers | at(address))


def test_wrong_current_passwords_are_throttled_per_account_and_a_refused_change_records_nothing(
    client: TestClient[Any], services: Services
) -> None:
    assert sign_up_at(client, "victim@example.org", "198.51.100.30").status_code == 201
    stolen = bearer_at(client, "victim@example.org", "secret-password-1", "198.51.100.30")
    for n in range(LIMITS["password.account"].burst):  # a stolen token, guessing from one address after another
        assert change_password(client, stolen, f"guess-{n}-password", "new-password-1", f"192.0.2.{n + 1}"
                               ).status_code == 403
    before = services.recorder.max_notification_id()
    retry_after = assert_throttled(change_password(client, stolen, "secret-password-1", "new-password-1",
                                                   "192.0.2.100"))
    assert retry_after <= LIMITS["password.account"].per_seconds + 1
    assert services.recorder.max_notification_id() == before
    # The form answers the same; another account is not concerned.
    admin = bearer_at(client, ADMIN_EMAIL, ADMIN_PASSWORD, "192.0.2.101")
    assert change_password(client, admin, "wrong-password-9", "new-password-1", "192.0.2.101").status_code == 403


def test_wrong_current_passwords_from_one_address_are_throttled_whatever_the_account(
    client: TestClient[Any], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(LIMITS, "password.address", Limit(2, 60))
    tokens = []
    for n in range(3):
        assert sign_up_at(client, f"member{n}@example.org", f"198.51.100.{40 + n}").status_code == 201
        tokens.append(bearer_at(client, f"member{n}@example.org", "secret-password-1", f"198.51.100.{40 + n}"))
    for n in range(2):
        assert change_password(client, tokens[n], WRONG, "new-password-1", "203.0.113.40").status_code == 403
    before = services.recorder.max_notification_id()
    assert_throttled(change_password(client, tokens[2], "secret-password-1", "new-password-1", "203.0.113.40"))
    assert services.recorder.max_notification_id() == before
    assert change_password(client, tokens[2], "secret-password-1", "new-password-1", "203.0.113.41"
                           ).status_code == 200


def test_successful_password_changes_do_not_count(client: TestClient[Any]) -> None:
    assert sign_up_at(client, "changer@example.org", "198.51.100.50").status_code == 201
    headers = bearer_at(client, "changer@example.org", "secret-password-1", "198.51.100.50")
    current = "secret-password-1"
    for n in range(LIMITS["password.account"].burst + 2):
        new = f"changed-password-{n}"
        assert change_password(client, headers, current, new, "198.51.100.50").status_code == 200
        current = new
        headers = bearer_at(client, "changer@example.org", current, "198.51.100.50")  # the change ended the token


def test_adding_members_is_throttled_per_admin_and_a_refused_one_records_nothing(
    client: TestClient[Any], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(LIMITS, "member.actor", Limit(2, 600))
    assert sign_up_at(client, "hr@example.org", "198.51.100.60").status_code == 201
    headers = bearer_at(client, "hr@example.org", "secret-password-1", "198.51.100.60")

    def add(n: int) -> Any:
        return client.post("/api/members", headers=headers, json={
            "email": f"hire{n}@example.org", "password": "secret-password-1", "display_name": f"Hire {n}"})

    assert add(0).status_code == 201
    assert add(1).status_code == 201
    before = services.recorder.max_notification_id()
    assert_throttled(add(2))
    assert services.recorder.max_notification_id() == before
    assert token(client, "hire2@example.org", "secret-password-1", "198.51.100.61").status_code == 401


def test_no_command_worker_thread_waits_on_argon2(
    client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sign-up, adding a member, changing a password and logging in do their argon2 work in the password
    pool, awaited by the event loop: a flood of them cannot hold the threads that run every command."""
    threads: list[str] = []
    real = passwords._in_pool

    def spy(fn: Any, *args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(fn, *args)

    monkeypatch.setattr(passwords, "_in_pool", spy)
    assert sign_up_at(client, "pool@example.org", "198.51.100.70").status_code == 201
    headers = bearer_at(client, "pool@example.org", "secret-password-1", "198.51.100.70")
    assert client.post("/api/members", headers=headers, json={
        "email": "pool-member@example.org", "password": "secret-password-1", "display_name": "M"}).status_code == 201
    assert change_password(client, headers, WRONG, "new-password-1", "198.51.100.70").status_code == 403
    assert change_password(client, headers, "secret-password-1", "new-password-1", "198.51.100.70"
                           ).status_code == 200
    assert len(threads) >= 5
    assert all(name.startswith("passwords") for name in threads), threads


def test_password_commands_are_refused_as_busy_when_the_password_pool_is_full(
    client: TestClient[Any], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sign_up_at(client, "busy@example.org", "198.51.100.80").status_code == 201
    headers = bearer_at(client, "busy@example.org", "secret-password-1", "198.51.100.80")
    full = threading.BoundedSemaphore(1)
    full.acquire()
    monkeypatch.setattr(passwords, "_waiting", full)
    before = services.recorder.max_notification_id()
    for _ in range(LIMITS["password.account"].burst + 1):  # a busy refusal is no failed attempt
        assert_throttled(change_password(client, headers, "secret-password-1", "new-password-1", "198.51.100.80"))
    assert_throttled(sign_up_at(client, "later@example.org", "198.51.100.81"))
    assert_throttled(client.post("/api/members", headers=headers, json={
        "email": "later-member@example.org", "password": "secret-password-1", "display_name": "M"}))
    assert services.recorder.max_notification_id() == before
    monkeypatch.undo()
    assert change_password(client, headers, "secret-password-1", "new-password-1", "198.51.100.80"
                           ).status_code == 200
