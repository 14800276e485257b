"""Accounts over HTTP: who may grant what, password change, deactivation and erasure (issue 9)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, login, post_form, sign_up_verified
from tests.web.test_api import position as head

PASSWORD = "secret-password-1"


@pytest.fixture
def client(web_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(web_app, raise_server_exceptions=False) as test_client:
        yield test_client




def me(client: TestClient[Litestar], email: str, password: str = PASSWORD) -> dict[str, str]:
    token = client.post("/api/auth/token", json={"email": email, "password": password})
    assert token.status_code == 201, token.text
    body = token.json()
    return {"user_id": str(body["user_id"]), "organisation_id": str(body["organisation_id"]),
            "Authorization": f"Bearer {body['token']}"}


def bearer(who: dict[str, str]) -> dict[str, str]:
    return {"Authorization": who["Authorization"]}


@pytest.fixture
def fresh(client: TestClient[Litestar]) -> dict[str, str]:
    """A brand-new, unverified self-signup."""
    response = client.post("/api/signup", json={
        "email": "new@shady.example", "password": PASSWORD, "display_name": "新人", "organisation_name": "某新公司",
        "organisation_kind": "enterprise"})
    assert response.status_code == 201, response.text
    return me(client, "new@shady.example")


@pytest.fixture
def enterprise(client: TestClient[Litestar], services: Services) -> dict[str, str]:
    """A verified enterprise's org admin."""
    sign_up_verified(client, services, "boss@firm.example", "厦门智造装备有限公司", kind="enterprise")
    return me(client, "boss@firm.example")


@pytest.mark.parametrize("who", ["fresh", "enterprise"])
@pytest.mark.parametrize("role", ["auditor", "programme_officer", "platform_admin", "valuer"])
def test_no_org_admin_gives_itself_a_platform_wide_role(
    client: TestClient[Litestar], services: Services, request: pytest.FixtureRequest, who: str, role: str
) -> None:
    actor: dict[str, str] = request.getfixturevalue(who)
    before = head(services)
    granted = client.post(f"/api/users/{actor['user_id']}/roles", headers=bearer(actor), json={"role": role})
    assert granted.status_code == 403, granted.text
    added = client.post("/api/members", headers=bearer(actor), json={
        "email": f"{role}@x.example", "password": PASSWORD, "display_name": "X", "roles": ["member", role]})
    assert added.status_code == 403, added.text
    assert head(services) == before
    # And the token it gets afterwards still has no such role; the event log stays closed to it.
    assert role not in client.post("/api/auth/token", json={
        "email": "new@shady.example" if who == "fresh" else "boss@firm.example", "password": PASSWORD}).json()["roles"]


def test_the_members_form_offers_and_accepts_only_what_the_actor_may_grant(
    client: TestClient[Litestar], services: Services, fresh: dict[str, str], enterprise: dict[str, str]
) -> None:
    login(client, "new@shady.example", PASSWORD)
    page = client.get("/my").text
    assert 'value="auditor"' not in page
    assert 'name="roles" value="member"' in page  # plain members only, until verified
    before = head(services)
    refused = post_form(client, "/my/members", {"email": "spy@shady.example", "password": PASSWORD,
                                                "display_name": "Spy", "roles": ["member", "auditor"]}, form_page="/my")
    assert refused.status_code == 403
    refused = post_form(client, f"/my/members/{fresh['user_id']}/roles", {"role": "auditor", "action": "grant"},
                        form_page="/my")
    assert refused.status_code == 403
    assert head(services) == before
    added = post_form(client, "/my/members", {"email": "colleague@shady.example", "password": PASSWORD,
                                              "display_name": "同事", "roles": "member"}, form_page="/my")
    assert added.status_code == 303
    client.cookies.clear()
    login(client, "boss@firm.example", PASSWORD)
    page = client.get("/my").text
    assert 'value="org_admin"' in page
    for role in ("auditor", "programme_officer", "platform_admin", "valuer"):
        assert f'value="{role}"' not in page


def test_a_platform_admin_grants_auditor_and_an_old_style_request_is_refused(
    client: TestClient[Litestar], services: Services, enterprise: dict[str, str]
) -> None:
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    granted = client.post(f"/api/users/{enterprise['user_id']}/roles", headers=admin, json={"role": "auditor"})
    assert granted.status_code == 200, granted.text
    assert client.get("/api/users/unconfirmed-roles", headers=bearer(enterprise)).status_code == 403
    revoked = client.delete(f"/api/users/{enterprise['user_id']}/roles/auditor", headers=bearer(enterprise))
    assert revoked.status_code == 403
    assert client.delete(f"/api/users/{enterprise['user_id']}/roles/auditor", headers=admin).status_code == 200


def test_a_member_changes_its_password_over_the_api_and_the_form(
    client: TestClient[Litestar], services: Services, enterprise: dict[str, str]
) -> None:
    before = head(services)
    same = client.post("/api/me/password", headers=bearer(enterprise),
                       json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 400
    assert same.json()["field"] == "new_password"
    wrong = client.post("/api/me/password", headers=bearer(enterprise),
                        json={"current_password": "not-my-password", "new_password": "brand-new-password"})
    assert wrong.status_code == 403
    assert head(services) == before
    changed = client.post("/api/me/password", headers=bearer(enterprise),
                          json={"current_password": PASSWORD, "new_password": "brand-new-password"})
    assert changed.status_code == 200, changed.text
    assert client.post("/api/auth/token", json={"email": "boss@firm.example", "password": PASSWORD}).status_code == 401
    login(client, "boss@firm.example", "brand-new-password")
    response = post_form(client, "/my/password", {"current_password": "brand-new-password",
                                                  "new_password": "third-password-x"}, form_page="/my")
    assert response.status_code == 303
    assert "third-password-x" not in client.get("/my").text
    assert me(client, "boss@firm.example", "third-password-x")
    with psycopg.connect(services.address.conninfo()) as conn:
        topics = [r[0] for r in conn.execute("SELECT topic FROM marketplace_events ORDER BY notification_id")]
    assert topics.count("domain.user:User.PasswordChanged") == 2


def test_an_org_admin_deactivates_a_departing_member(
    client: TestClient[Litestar], services: Services, enterprise: dict[str, str]
) -> None:
    added = client.post("/api/members", headers=bearer(enterprise), json={
        "email": "leaver@firm.example", "password": PASSWORD, "display_name": "离职员工"})
    assert added.status_code == 201, added.text
    leaver_id = added.json()["id"]
    leaver = me(client, "leaver@firm.example")
    outsider = sign_up_verified(client, services, "boss@other.example", "另一家公司", kind="enterprise")
    before = head(services)
    assert client.post(f"/api/users/{leaver_id}/deactivate", headers=outsider).status_code == 403
    assert client.post(f"/api/users/{leaver_id}/deactivate", headers=bearer(leaver)).status_code == 403
    assert head(services) == before
    login(client, "boss@firm.example", PASSWORD)
    assert "离职员工" in client.get("/my").text
    assert post_form(client, f"/my/members/{leaver_id}/deactivate", {}, form_page="/my").status_code == 303
    assert client.post("/api/auth/token", json={"email": "leaver@firm.example", "password": PASSWORD}
                       ).status_code == 401
    # A token issued before still names the user, but the application refuses its commands.
    acted = client.post("/api/me/password", headers=bearer(leaver),
                        json={"current_password": PASSWORD, "new_password": "another-password"})
    assert acted.status_code == 401
    assert post_form(client, f"/my/members/{leaver_id}/reactivate", {}, form_page="/my").status_code == 303
    assert me(client, "leaver@firm.example")


def test_a_platform_admin_erases_a_person_from_the_admin_page(
    client: TestClient[Litestar], services: Services, enterprise: dict[str, str]
) -> None:
    login(client, "boss@firm.example", PASSWORD)
    assert client.get("/admin/people").status_code == 403
    refused = post_form(client, f"/admin/people/{enterprise['user_id']}/erase", {}, form_page="/my")
    assert refused.status_code == 403
    assert "boss@firm.example" not in refused.text
    client.cookies.clear()
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    page = client.get("/admin/people").text
    assert "boss@firm.example" in page
    assert client.get("/admin/people", params={"offset": "9223372036854775808"}).status_code == 200
    erased = post_form(client, f"/admin/people/{enterprise['user_id']}/erase", {"understood": "yes"},
                       form_page="/admin/people")
    assert erased.status_code == 303
    page = client.get("/admin/people").text
    assert "boss@firm.example" not in page
    assert "已删除的用户" in page
    assert client.post("/api/auth/token", json={"email": "boss@firm.example", "password": PASSWORD}
                       ).status_code == 401
    with psycopg.connect(services.address.conninfo()) as conn:
        assert conn.execute("SELECT count(*) FROM personal_data WHERE email = 'boss@firm.example'").fetchone() == (0,)
        last = conn.execute("SELECT topic FROM marketplace_events ORDER BY notification_id DESC LIMIT 1").fetchone()
    assert last == ("domain.user:User.Erased",)


def test_a_deactivated_auditors_session_no_longer_opens_the_event_log(
    client: TestClient[Litestar], services: Services, enterprise: dict[str, str]
) -> None:
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.post(f"/api/users/{enterprise['user_id']}/roles", headers=admin,
                       json={"role": "auditor"}).status_code == 200
    login(client, "boss@firm.example", PASSWORD)
    assert client.get("/audit/events").status_code == 200
    assert client.post(f"/api/users/{enterprise['user_id']}/deactivate", headers=admin).status_code == 200
    # The deactivation ended the session: the event log sends the browser to log in, and the login fails.
    answer = client.get("/audit/events", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
    assert client.post("/api/auth/token", json={"email": "boss@firm.example", "password": PASSWORD}).status_code == 401


ADMIN_PAGES = ("/admin/people", "/admin/refunds", "/admin/claims", "/admin/organisations", "/admin/valuers")


def test_admin_pages_check_the_roles_held_now_not_those_remembered_at_login(
    client: TestClient[Litestar], services: Services
) -> None:
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    added = client.post("/api/members", headers=admin, json={
        "email": "deputy@platform.test", "password": PASSWORD, "display_name": "副管理员",
        "roles": ["member", "platform_admin"]})
    assert added.status_code == 201, added.text
    deputy_id = added.json()["id"]
    deputy = api_token(client, "deputy@platform.test", PASSWORD)
    login(client, "deputy@platform.test", PASSWORD)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get("/api/admin/refunds", headers=deputy).status_code == 200
    assert client.delete(f"/api/users/{deputy_id}/roles/platform_admin", headers=admin).status_code == 200
    # The command waits at most a few seconds for the read models; on a loaded machine they may apply the
    # revocation later, after the rows below are set back, and end the session (a redirect to the login page).
    # Let them apply it first, so that what follows is what the test says.
    services.make_runner(["credentials", "accounts"]).catch_up()
    # The session and the token remember platform_admin, and still count while the credentials read model
    # has not ended them (it lags behind, or is stopped at an event it cannot apply):
    with psycopg.connect(services.address.conninfo()) as conn:
        conn.execute("UPDATE credential_marks SET valid_from = 0 WHERE user_id = %s", (deputy_id,))
        # …and the accounts read model may lag behind the revocation too: the roles are read from the record.
        conn.execute("UPDATE accounts_user_records SET roles = array['member', 'platform_admin'] WHERE id = %s",
                     (deputy_id,))
    for path in ADMIN_PAGES:
        refused = client.get(path, follow_redirects=False)  # a redirect to the login form is no refusal
        assert refused.status_code == 403, path
        assert "deputy@platform.test" not in refused.text
    assert client.get("/api/admin/refunds", headers=deputy).status_code == 403
