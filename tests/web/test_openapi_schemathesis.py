"""schemathesis over the whole OpenAPI document: every operation, as a platform admin and as an enterprise.

The marketplace is served by uvicorn on 127.0.0.1 (its lifespan, pool and projections as in
production); schemathesis reads ``/schema/openapi.json`` from it and sends, for each operation,
requests generated from the schema (valid and invalid ones) with each identity's bearer token.
Every answer must be no server error, a status the operation declares, the content type it
declares, and a body matching the declared schema. Whatever operations the document holds are
tested: a new endpoint is covered without touching this file.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from marketplace.platform.services import Services
from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, api_token, sign_up_verified

EXAMPLES_PER_OPERATION = 12  # per identity and per mode (valid, invalid): about a minute for ~60 operations
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def base_url(web_app: Litestar) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def identities(base_url: str, services: Services) -> dict[str, dict[str, str]]:
    """Bearer headers of the platform admin and of a verified enterprise's member, asked of the served app."""
    with httpx.Client(base_url=base_url) as client:
        return {
            "platform admin": api_token(client, ADMIN_EMAIL, ADMIN_PASSWORD),
            "enterprise": sign_up_verified(client, services, "buyer@ningde.example.cn", "宁德新能源科技有限公司",
                                           kind="enterprise"),
        }


def _failures_of(operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str]) -> list[str]:
    found: list[str] = []

    @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case: Any) -> None:
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)
        except (AssertionError, BaseExceptionGroup) as failure:  # schemathesis's failed checks (one, or several)
            if len(found) < 3:
                found.append(f"{operation.label} ({mode.value}): {failure}")

    try:
        exercise()
    except hypothesis.errors.Unsatisfiable:  # nothing invalid to send: no parameters and no body
        assert mode is GenerationMode.NEGATIVE
    return found


def test_the_whole_document_holds_for_every_identity(
    base_url: str, identities: dict[str, dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    # The token's own logout goes last: it revokes the token every other operation is called with.
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda operation: operation.path == "/api/auth/logout")
    assert len(operations) > 40
    failures: list[str] = []
    for who, headers in identities.items():
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += [f"[{who}] {f}" for f in _failures_of(operation, mode, base_url, headers)]
    assert not failures, "\n\n".join(failures)


def test_the_document_declares_refusals_limits_enums_and_the_bearer_token(web_app: Litestar) -> None:
    with TestClient(web_app) as client:
        document = client.get("/schema/openapi.json").json()
    paths = document["paths"]
    responses = {(m.upper(), p): set(op["responses"]) for p, item in paths.items() for m, op in item.items()}
    assert responses[("POST", "/api/auth/token")] >= {"201", "400", "401", "413", "429"}
    assert responses[("POST", "/api/signup")] >= {"201", "400", "409", "413", "429"}
    assert responses[("POST", "/api/listings")] >= {"201", "400", "401", "403", "404", "409", "413"}
    assert responses[("GET", "/api/listings/{listing_id}")] >= {"200", "400", "401", "404"}
    assert responses[("GET", "/api/audit/events")] >= {"200", "400", "401", "403"}
    assert "409" not in responses[("GET", "/api/audit/events")]
    listing_search = {p["name"]: p["schema"] for p in paths["/api/listings"]["get"]["parameters"]}
    assert listing_search["price_min"]["maximum"] == 10**15
    assert (listing_search["offset"]["minimum"], listing_search["offset"]["maximum"]) == (0, 1_000_000)
    assert listing_search["status"]["enum"] == ["published", "suspended", "withdrawn"]
    assert listing_search["q"]["maxLength"] == 200
    deal_type = next(s for s in listing_search["deal_type"]["oneOf"] if "$ref" in s)["$ref"].rsplit("/", 1)[1]
    assert set(document["components"]["schemas"][deal_type]["enum"]) == {
        "assignment", "exclusive_licence", "sole_licence", "non_exclusive_licence", "open_licence"}
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert paths["/api/listings"]["post"]["security"] == [{"BearerToken": []}]
    assert "security" not in paths["/api/listings"]["get"]
    error = document["components"]["schemas"]["ErrorBody"]
    assert {"status_code", "detail", "field"} <= set(error["properties"])
