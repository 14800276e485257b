"""Sessions and bearer tokens: server-side sessions that end, tokens that expire and can be revoked."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.accounts import commands as ac
from marketplace.platform.services import Services
from projections.shared.records import EventRecord
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, csrf_token, login, post_form, sign_up_verified
from tests.web.test_audit_pages import settle
from web.app import create_app

PASSWORD = "secret-password-1"
EMAIL = "researcher@fzu.test"




def logged_in(client: TestClient[Litestar]) -> bool:
    response = client.get("/my", follow_redirects=False)
    assert response.status_code in (200, 303), response.text
    return response.status_code == 200


def session_cookie(client: TestClient[Litestar]) -> str:
    cookie = client.cookies.get("session")
    assert cookie
    assert cookie != "null"
    return cookie


def replay(client: TestClient[Litestar], cookie: str) -> bool:
    """Whether ``cookie``, presented by another browser (a clean cookie jar), logs it in."""
    kept = httpx.Cookies(client.cookies)
    client.cookies = httpx.Cookies()
    client.cookies.set("session", cookie, domain="testserver.local")
    try:
        return logged_in(client)
    finally:
        client.cookies = kept


def user_id_of(client: TestClient[Litestar]) -> str:
    return str(client.post("/api/auth/token", json={"email": EMAIL, "password": PASSWORD}).json()["user_id"])


def change_password(services: Services, user_id: str, password: str) -> None:
    """The member changes its password (the command the account page and the API run)."""
    services.app.accounts.change_password(ac.ChangePassword(current_password=PASSWORD, new_password=password),
                                          actor_id=uuid.UUID(user_id))
    settle(services)


def counts(client: TestClient[Litestar], headers: dict[str, str]) -> bool:
    """Whether the token gets past authentication (to a command that then refuses: 403 or 404)."""
    response = client.post(f"/api/organisations/{uuid.uuid4()}/verify", headers=headers)
    assert response.status_code in (401, 403, 404), response.text
    if response.status_code == 401:
        assert "revoked" in response.json()["detail"], response.text
    return response.status_code != 401


def mint(services: Services, **claims: Any) -> dict[str, str]:
    """A token signed with the site's own secret: only its claims are wrong."""
    token = jwt.encode(claims, services.settings.secret_key, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def test_a_logged_out_session_cookie_no_longer_logs_in(client: TestClient[Litestar]) -> None:
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    cookie = session_cookie(client)
    assert replay(client, cookie), "a copied live session cookie logs in (the session is the server's)"
    assert post_form(client, "/logout", {}, form_page="/my").status_code == 303
    assert not logged_in(client)
    assert not replay(client, cookie)


def test_the_session_cookie_holds_only_an_id_and_the_session_lives_in_postgresql(
    client: TestClient[Litestar], services: Services
) -> None:
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    cookie = session_cookie(client)
    assert "Platform" not in cookie
    assert len(cookie) == 64
    with services.app.recorder.datastore.transaction(commit=False) as curs:  # type: ignore[attr-defined]
        curs.execute("SELECT count(*) AS n FROM web_sessions WHERE session_id = %s", (cookie,))
        assert curs.fetchone()["n"] == 1


def test_a_session_begun_in_one_web_process_works_and_ends_in_another(
    client: TestClient[Litestar], services: Services
) -> None:
    other_app = create_app(services, start_projections=False)
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    cookie = session_cookie(client)
    with TestClient(other_app) as other:
        other.cookies.set("session", cookie, domain="testserver.local")
        assert logged_in(other)
        assert post_form(other, "/logout", {}, form_page="/my").status_code == 303
    assert not logged_in(client)


def test_a_login_starts_a_session_under_a_new_id_not_one_the_browser_brought(
    client: TestClient[Litestar]
) -> None:
    planted = "a" * 64  # an attacker's cookie, set in the victim's browser before the victim logs in
    client.cookies.set("session", planted, domain="testserver.local")
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert session_cookie(client) != planted
    assert not replay(client, planted)


def test_a_password_change_ends_the_users_sessions_and_tokens(
    client: TestClient[Litestar], services: Services
) -> None:
    headers = sign_up_verified(client, services, EMAIL, "福州大学")
    user_id = user_id_of(client)
    login(client, EMAIL, PASSWORD)
    cookie = session_cookie(client)
    assert counts(client, headers)

    change_password(services, user_id, "another-password-2")

    assert not replay(client, cookie)
    assert not counts(client, headers)
    assert client.post("/api/auth/token", json={"email": EMAIL, "password": PASSWORD}).status_code == 401
    assert counts(client, api_token(client, EMAIL, "another-password-2"))


def test_a_revoked_role_ends_the_users_sessions_and_tokens_and_a_new_login_has_the_current_roles(
    client: TestClient[Litestar], services: Services
) -> None:
    headers = sign_up_verified(client, services, EMAIL, "福州大学")
    user_id = user_id_of(client)
    login(client, EMAIL, PASSWORD)
    cookie = session_cookie(client)
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)

    revoked = client.delete(f"/api/users/{user_id}/roles/org_admin", headers=admin)
    assert revoked.status_code == 200, revoked.text
    settle(services)

    assert not replay(client, cookie)
    assert not counts(client, headers)
    again = client.post("/api/auth/token", json={"email": EMAIL, "password": PASSWORD})
    assert again.status_code == 201
    assert "org_admin" not in again.json()["roles"]
    # Other users' sessions and tokens are untouched.
    assert counts(client, admin)


def test_logout_revokes_the_token_presented_and_only_that_one(client: TestClient[Litestar]) -> None:
    first = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    second = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.post("/api/auth/logout", headers=first).status_code == 204
    assert not counts(client, first)
    assert client.post("/api/auth/logout", headers=first).status_code == 401
    assert counts(client, second)


def test_an_issued_token_expires_and_can_be_told_apart(client: TestClient[Litestar]) -> None:
    issued = client.post("/api/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
    claims = jwt.decode(issued["token"], options={"verify_signature": False})
    assert 0 < claims["exp"] - time.time() <= 8 * 3600
    uuid.UUID(claims["jti"])


@pytest.mark.parametrize("missing", ["exp", "jti"])
def test_a_token_without_exp_or_jti_is_refused(
    client: TestClient[Litestar], services: Services, missing: str
) -> None:
    good = client.post("/api/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
    claims = jwt.decode(good["token"], options={"verify_signature": False})
    del claims[missing]
    refused = client.post(f"/api/organisations/{uuid.uuid4()}/verify", headers=mint(services, **claims))
    assert refused.status_code == 401
    assert missing in refused.json()["detail"]


@pytest.mark.parametrize("subject", ["not-a-uuid", str(uuid.uuid4()), "organisation", 12, None])
def test_a_token_whose_subject_is_not_a_user_is_refused_with_401(
    client: TestClient[Litestar], services: Services, subject: Any
) -> None:
    good = client.post("/api/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
    claims = jwt.decode(good["token"], options={"verify_signature": False})
    claims["uid"] = str(good["organisation_id"]) if subject == "organisation" else subject
    before = services.recorder.max_notification_id()
    for method, path in (("POST", f"/api/organisations/{good['organisation_id']}/verify"),
                         ("DELETE", f"/api/users/{good['user_id']}/roles/member"),
                         ("POST", f"/api/users/{good['user_id']}/roles")):
        response = client.request(method, path, headers=mint(services, **claims), json={"role": "auditor"})
        assert response.status_code == 401, (path, response.text)
    assert services.recorder.max_notification_id() == before


def test_forms_still_need_the_csrf_token_with_server_side_sessions(client: TestClient[Litestar]) -> None:
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert logged_in(client)
    token = csrf_token(client, "/my")
    assert client.post("/logout", data={"_csrf_token": token}, follow_redirects=False).status_code == 303


@pytest.mark.parametrize("fact", ["Deactivated", "Erased"])
def test_a_deactivation_or_erasure_ends_the_users_sessions_and_tokens_for_good(
    client: TestClient[Litestar], services: Services, fact: str
) -> None:
    """The accounts trade records these events; the credentials view reacts to their topics alone."""
    headers = sign_up_verified(client, services, EMAIL, "福州大学")
    user_id = user_id_of(client)
    login(client, EMAIL, PASSWORD)
    cookie = session_cookie(client)
    view = services.views["credentials"]
    user = services.app.repository.get(uuid.UUID(user_id))
    event = EventRecord(position=0, originator_id=user_id, version=user.version + 1,
                        topic=f"domain.user:User.{fact}", timestamp="", data={})
    with view.datastore.transaction(commit=True) as curs:
        view.apply(curs, [event])

    assert not replay(client, cookie)
    assert not counts(client, headers)
    assert not counts(client, api_token(client, EMAIL, PASSWORD))  # even a token issued afterwards


def session_rows(services: Services, user_id: str) -> list[bytes]:
    with psycopg.connect(services.address.conninfo()) as conn:
        rows = conn.execute("SELECT data FROM web_sessions WHERE user_id = %s", (user_id,)).fetchall()
    return [bytes(r[0]) for r in rows]


@pytest.mark.parametrize("how", ["erase over the API", "deactivate with the form"])
def test_erasing_or_deactivating_a_user_deletes_its_sessions_and_their_name_at_once(
    client: TestClient[Litestar], services: Services, how: str
) -> None:
    """The session row holds the person's name: it goes with the command, not with a sweep some day."""
    sign_up_verified(client, services, EMAIL, "福州大学")
    user_id = user_id_of(client)
    login(client, EMAIL, PASSWORD)  # the person's own browser
    client.cookies = httpx.Cookies()
    rows = session_rows(services, user_id)
    assert rows
    assert any(b"researcher" in row for row in rows)
    if how == "erase over the API":
        admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
        assert client.post(f"/api/users/{user_id}/erase", headers=admin).status_code == 200
    else:
        services.app.accounts.add_member(ac.AddMember(email="head@fzu.test", password=PASSWORD, display_name="系主任",
                                                      roles=["member", "org_admin"]), actor_id=uuid.UUID(user_id))
        settle(services)
        login(client, "head@fzu.test", PASSWORD)
        assert post_form(client, f"/my/members/{user_id}/deactivate", {}, form_page="/my").status_code == 303
    assert session_rows(services, user_id) == []


def test_a_token_carries_no_name(client: TestClient[Litestar]) -> None:
    token = client.post("/api/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert "name" not in claims
    assert "Platform Admin" not in str(claims)
    assert counts(client, {"Authorization": f"Bearer {token}"})
