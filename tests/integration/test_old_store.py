"""A store written by the code before the trade-package move (commit d8eb921) upgrades and keeps working.

The fixture (``tests/fixtures/old_store.json.gz``, made by ``tests/fixtures/make_old_store.py``) is the whole
database of the old code after ``migrate``, ``seed-demo``, auditors' reads and ``run-projections``. It is
restored here with plain SQL, then the code under test migrates it and must verify, rebuild and load it all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.domain import Aggregate

from marketplace.platform.cli import main
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.fixtures.old_store import database_url, restore


@pytest.fixture
def old_store(database: DatabaseAddress, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The old store restored into the test's database, migrated by the code under test; the CLI points at it."""
    fixture = restore(database)
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url(database))
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_DEMO_DATA", "0")
    assert main(["migrate"]) == 0
    return fixture


@pytest.fixture
def old_services(old_store: dict[str, Any], database: DatabaseAddress, ipc_scheme) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    svc = build_services(Settings.from_env(), address=database, ipc_scheme=ipc_scheme)
    yield svc
    svc.close()


def _events(address: DatabaseAddress) -> list[tuple[str, int, str]]:
    with psycopg.connect(address.conninfo()) as conn:
        return [(str(a), v, t) for a, v, t in conn.execute(
            "SELECT originator_id, originator_version, topic FROM marketplace_events ORDER BY notification_id")]


def test_the_restored_store_is_the_old_one(old_store: dict[str, Any], database: DatabaseAddress) -> None:
    """The restore is faithful: every event is back, and the old migrations are still recorded as applied."""
    events = _events(database)
    assert len(events) == len(json.loads(old_store["rows"]["marketplace_events"])) > 1000
    assert {t.split(":")[0] for _, _, t in events} >= {"domain.audit_read", "domain.contract", "domain.listing"}
    with psycopg.connect(database.conninfo()) as conn:
        applied = [row[0] for row in conn.execute("SELECT name FROM schema_versions ORDER BY version")]
    assert applied[: len(old_store["schema_versions"])] == old_store["schema_versions"]


def test_the_hash_chain_verifies_and_the_read_models_rebuild_identically(
        old_store: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 0
    assert "OK:" in capsys.readouterr().out
    assert main(["run-projections", "--once"]) == 0
    assert main(["status"]) == 0
    capsys.readouterr()
    code = main(["audit", "rebuild-check"])
    assert code == 0, capsys.readouterr().out


def test_every_stored_event_loads(old_services: Services, database: DatabaseAddress) -> None:
    """Each stored event decodes to its domain event, and each aggregate replays to its last version."""
    app = old_services.app
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000)
    assert len(notifications) == len(_events(database))
    for notification in notifications:
        event = app.mapper.to_domain_event(notification)
        assert (event.originator_id, event.originator_version) == (
            notification.originator_id, notification.originator_version)
    last: dict[str, int] = {}
    for aggregate_id, version, _ in _events(database):
        last[aggregate_id] = max(version, last.get(aggregate_id, 0))
    for aggregate_id, version in last.items():
        aggregate: Aggregate = app.repository.get(UUID(aggregate_id))
        assert aggregate.version == version, aggregate_id
