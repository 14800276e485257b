"""How long a command sent through the web waits for the read models (``MARKETPLACE_READ_WAIT_SECONDS``)."""

from __future__ import annotations

import time

import msgspec
import pytest
from litestar.testing import TestClient

from marketplace.platform.services import Services
from marketplace.platform.settings import Settings
from web.app import create_app


def test_the_wait_is_read_from_the_environment_and_is_five_seconds_by_default() -> None:
    assert Settings.from_env({}).read_wait_seconds == 5.0
    assert Settings.from_env({"MARKETPLACE_READ_WAIT_SECONDS": "0.5"}).read_wait_seconds == 0.5
    assert Settings.from_env({"MARKETPLACE_READ_WAIT_SECONDS": "0"}).read_wait_seconds == 0.0


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "601", "1e9"])
def test_a_wait_a_command_could_never_end_or_that_is_negative_is_refused_at_start_up(value: str) -> None:
    with pytest.raises(ValueError, match="MARKETPLACE_READ_WAIT_SECONDS"):
        Settings.from_env({"MARKETPLACE_READ_WAIT_SECONDS": value})


def test_a_command_answers_after_the_wait_when_the_read_models_do_not_move_and_is_recorded(services: Services) -> None:
    services.settings = msgspec.structs.replace(services.settings, read_wait_seconds=8.0)  # more than the default 5 s
    head = services.recorder.max_notification_id() or 0
    with TestClient(create_app(services, start_projections=False)) as client:  # no read model runs
        started = time.monotonic()
        answer = client.post("/api/signup", json={
            "email": "wait@x.test", "password": "secret-password-1", "display_name": "Wait",
            "organisation_name": "等待公司", "organisation_kind": "enterprise"})
        waited = time.monotonic() - started
    assert answer.status_code == 201, answer.text
    assert answer.json()["position"] > head  # recorded, whatever the read models do
    assert 8.0 <= waited < 40  # it waited the setting's seconds (not the default's), then answered
