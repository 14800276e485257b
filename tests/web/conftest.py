"""Web fixtures: the litestar app on a fresh database, with projections running in-process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.platform.services import Services
from tests.conftest import patient
from web.app import create_app

ADMIN_EMAIL = "admin@platform.test"
ADMIN_PASSWORD = "admin-password-1"


@pytest.fixture
def web_app(services: Services) -> Litestar:
    services.app.accounts.bootstrap_platform_admin(
        email=ADMIN_EMAIL, password=ADMIN_PASSWORD, display_name="Platform Admin", organisation_name="Platform Ops"
    )
    return create_app(patient(services), start_projections=True)


@pytest.fixture
def client(web_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(web_app) as test_client:
        yield test_client


def csrf_token(client: TestClient[Litestar], path: str = "/login") -> str:
    """Load a form page and read the CSRF token the page carries (as a browser would)."""
    page = client.get(path)
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, f"{path} has no CSRF field"
    return match.group(1)


def post_form(client: TestClient[Litestar], path: str, data: dict[str, Any], *, form_page: str = "/login") -> Any:
    token = csrf_token(client, form_page)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def login(client: TestClient[Litestar], email: str, password: str) -> None:
    response = post_form(client, "/login", {"email": email, "password": password, "next": "/my"})
    assert response.status_code == 303, response.text


def api_token(client: TestClient[Litestar], email: str, password: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def sign_up_verified(client: TestClient[Litestar], services: Services, email: str, org: str,
                     kind: str = "university", password: str = "secret-password-1") -> dict[str, str]:
    """Sign up through the API, verify as the platform admin, and return bearer headers."""
    response = client.post("/api/signup", json={
        "email": email, "password": password, "display_name": email.split("@", maxsplit=1)[0], "organisation_name": org,
        "organisation_kind": kind})
    assert response.status_code == 201, response.text
    headers = api_token(client, email, password)
    me = client.post("/api/auth/token", json={"email": email, "password": password}).json()
    admin = api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    verified = client.post(f"/api/organisations/{me['organisation_id']}/verify", headers=admin)
    assert verified.status_code == 200, verified.text
    return headers
