"""A read model that cannot apply an event stops there alone, says so, and resumes once the cause is fixed.

The poisoned event is an organisation registered with a NUL byte in its region, saved through
``app.save()`` past every command check (as an event stored before such checks existed would be):
PostgreSQL text cannot hold NUL, so the accounts read model cannot store it. The fix is simulated
as a code change to that read model (it drops the NUL) followed by a retry or a restart.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.accounts.organisation import Organisation
from marketplace.accounts import commands as ac
from marketplace.platform.cli import build_parser, cmd_run_projections, cmd_status
from marketplace.platform.services import Services
from projections.accounts.view import PostgresAccountsView
from projections.audit.log import PostgresAuditLogView
from projections.catalogue.view import PostgresCatalogueView
from projections.runner import BatchProjectionRunner
from projections.shared.records import EventRecord
from tests.conftest import patient
from tests.integration.test_audit_chain import cli_settings
from tests.integration.test_projections import PASSWORD, rows, scenario
from tests.web.conftest import api_token, login
from web.app import create_app

POISON_REGION = "Fuzhou\x00"
ADMIN_EMAIL = "ops@p.test"  # the scenario's platform admin


def poison(services: Services) -> int:
    """Store an organisation whose region the accounts read model cannot write; its log position."""
    organisation = Organisation(name="毒药有限公司", kind="enterprise", region=POISON_REGION, verified=False, by=None)
    services.app.save(organisation)
    return int(services.recorder.max_notification_id() or 0)


def sign_up(services: Services, email: str) -> None:
    services.app.accounts.sign_up(ac.SignUp(
        email=email, password=PASSWORD, display_name=email.split("@", maxsplit=1)[0],
        organisation_name=f"{email} 公司", organisation_kind="enterprise"))




def positions(services: Services) -> dict[str, int]:
    return {name: view.position(services.app.name) for name, view in services.views.items()}


def health_rows(services: Services) -> list[tuple[Any, ...]]:
    return rows(services, "SELECT view_name, position, topic, error, attempts FROM read_model_health ORDER BY 1")


#: The read models that cannot store the poisoned event: text columns, and the audit log's jsonb copy.
STOPPED = ("accounts", "audit_log")


@pytest.fixture
def fix_views(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Returns a function that deploys the fix: the stopped read models drop NUL characters from text."""

    def deploy() -> None:
        for cls in (PostgresAccountsView, PostgresAuditLogView):
            monkeypatch.setattr(cls, "apply", without_nul(cls.apply))

    return deploy


def without_nul(apply: Callable[[Any, Cursor[DictRow], Sequence[EventRecord]], None]) -> Any:
    def fixed(self: Any, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        apply(self, curs, [r._replace(data={k: v.replace("\x00", "") if isinstance(v, str) else v
                                            for k, v in r.data.items()}) for r in records])
    return fixed


@pytest.fixture
def poisoned(services: Services) -> tuple[Services, int]:
    """A market with the poisoned event in the middle of the log: sign-ups before and after it."""
    scenario(services.app)  # its platform admin is ADMIN_EMAIL
    sign_up(services, "before@x.test")
    bad = poison(services)
    sign_up(services, "after@x.test")
    return services, bad


# --- the runner -------------------------------------------------------------------------------------
def test_a_read_model_that_cannot_apply_an_event_stops_before_it_alone(
        poisoned: tuple[Services, int], fix_views: Callable[[], None]) -> None:
    services, bad = poisoned
    head = services.recorder.max_notification_id()
    services.make_runner().catch_up()  # does not raise
    assert positions(services) == {name: bad - 1 if name in STOPPED else head for name in services.views}
    # Everything before the poisoned event was applied, nothing after it.
    emails = {r[0] for r in rows(services, "SELECT email FROM accounts_users")}
    assert "before@x.test" in emails
    assert "after@x.test" not in emails
    recorded = health_rows(services)
    assert [r[:3] + r[4:] for r in recorded] == [
        (name, bad, "domain.organisation:Organisation.Registered", 1) for name in STOPPED]
    errors = {r[0]: r[3] for r in recorded}
    assert "NUL" in errors["accounts"]  # psycopg refuses the text
    assert "\\u0000" in errors["audit_log"]  # PostgreSQL's jsonb refuses the escape
    # The code is fixed; the next runner (a restart) applies the event and the rest, and clears the record.
    fix_views()
    services.make_runner().catch_up()
    assert {name: positions(services)[name] for name in STOPPED} == dict.fromkeys(STOPPED, head)
    assert health_rows(services) == []
    assert ("Fuzhou",) in rows(services, "SELECT region FROM accounts_organisations")
    assert ("after@x.test",) in rows(services, "SELECT email FROM accounts_users")


def test_a_stopped_read_model_is_tried_again_with_backoff_and_at_once_on_request(
        poisoned: tuple[Services, int]) -> None:
    services, bad = poisoned
    runner = BatchProjectionRunner(application_name=services.app.name, recorder=services.recorder,
                                   views=list(services.views.values()), health=services.health, retry_first=60)
    runner.catch_up()
    runner.catch_up()  # too soon: not tried again
    assert [r[4] for r in health_rows(services)] == [1, 1]
    first = {name: stopped.retry_at for name, stopped in runner.stopped.items()}
    for name, stopped in runner.stopped.items():  # the first delay has passed (a slow machine needs no sleep)
        runner.stopped[name] = dataclasses.replace(stopped, retry_at=time.monotonic())
    runner.catch_up()
    assert [r[4] for r in health_rows(services)] == [2, 2]
    assert runner.stopped["accounts"].retry_at - first["accounts"] > 60  # the delay doubled: 120 s from now
    assert services.health.retry_now(["accounts"]) == ["accounts"]  # as `marketplace status --retry accounts` asks
    runner.catch_up()
    assert [r[4] for r in health_rows(services)] == [3, 2]
    assert positions(services)["accounts"] == bad - 1


@pytest.mark.parametrize("refused_by", ["fold", "server"])
@pytest.mark.parametrize("bulk", [False, True], ids=["live", "bulk"])
def test_the_event_a_read_model_cannot_apply_is_found_inside_a_page(
        services: Services, bulk: bool, refused_by: str) -> None:
    """Also on the bulk path (a read model far behind: pages read and tokenised ahead in a second thread, and
    each page folded while the page before it is written): whether Python refuses the event while folding
    it, or the server refuses the row it gives while the next page is already folded."""
    scenario(services.app)
    published = rows(services, "SELECT notification_id, originator_id, originator_version FROM marketplace_events"
                               " WHERE topic LIKE '%Listing.Published' ORDER BY 1")
    bad, listing_id, version = int(published[1][0]), published[1][1], published[1][2]

    class Refusing(PostgresCatalogueView):
        def fold(self, curs: Cursor[DictRow], records: Sequence[EventRecord], carry: Any = None) -> Any:
            if refused_by == "fold" and any(r.position == bad for r in records):
                raise RuntimeError("refused on purpose")
            return super().fold(curs, records, carry)

    if refused_by == "server":  # a row the table refuses: that listing as published, or as it is after
        with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
            conn.execute("ALTER TABLE catalogue_listings ADD CONSTRAINT refused_on_purpose"
                         f" CHECK (NOT (id = '{listing_id}' AND version >= {version})) NOT VALID")
    catalogue = Refusing(services.recorder.datastore)
    others = [v for name, v in services.views.items() if name != "catalogue"]
    runner = BatchProjectionRunner(application_name=services.app.name, recorder=services.recorder,
                                   views=[catalogue, *others], health=services.health)
    if bulk:
        runner.bulk_after, runner.bulk_page_size = 0, 5  # pages read ahead, folded while the one before is written
    reported: list[int] = []
    head = services.recorder.max_notification_id()
    assert runner.catch_up(lambda position, _head: reported.append(position)) == head
    # The progress the command line's bars show (``marketplace rebuild``) never goes back, though a page is read
    # again after a page written ahead failed.
    assert reported == sorted(reported)
    assert reported[-1] == head
    assert catalogue.position(services.app.name) == bad - 1
    assert rows(services, "SELECT count(*) FROM catalogue_listings WHERE status = 'published'") == [(1,)]
    assert {v.position(services.app.name) for v in others} == {services.recorder.max_notification_id()}
    [(view, position, topic, error, attempts)] = health_rows(services)
    assert (view, position, topic, attempts) == ("catalogue", bad, "domain.listing:Listing.Published", 1)
    assert error == "RuntimeError: refused on purpose" if refused_by == "fold" else "refused_on_purpose" in error
    assert not [t.name for t in threading.enumerate() if t.name.startswith("projection-")]


@pytest.mark.parametrize("bulk", [False, True], ids=["live", "bulk"])
def test_a_stored_event_that_cannot_be_decoded_stops_only_the_read_models_that_follow_it(
        services: Services, bulk: bool) -> None:
    scenario(services.app)
    [(bad,)] = rows(services, "SELECT min(notification_id) FROM marketplace_events WHERE topic LIKE '%Listing.Drafted'")
    rows(services, f"UPDATE marketplace_events SET state = 'not json'::bytea WHERE notification_id = {bad}"
                   " RETURNING 1")
    runner = services.make_runner(page_size=7)
    if bulk:  # the catalogue folds each page while the page before is written: it lands that one first
        runner.bulk_after, runner.bulk_page_size = 0, 7
    runner.catch_up()
    head = services.recorder.max_notification_id()
    stopped = {name for name, view in services.views.items() if view.follows("domain.listing:Listing.Drafted")}
    assert {"catalogue", "audit_log", "audit_chain"} <= stopped  # those that follow listings, or every event
    assert "accounts" not in stopped
    assert positions(services) == {name: bad - 1 if name in stopped else head for name in services.views}
    assert {r[0] for r in health_rows(services)} == stopped
    assert all("cannot be decoded" in r[3] and r[1] == bad for r in health_rows(services))


# --- the server and the command line -----------------------------------------------------------------
def test_the_server_starts_on_a_poisoned_store_says_so_and_resumes_once_fixed(
        poisoned: tuple[Services, int], fix_views: Callable[[], None]) -> None:
    services, bad = poisoned
    head = services.recorder.max_notification_id()
    with TestClient(create_app(patient(services), start_projections=True)) as client:
        deadline = time.monotonic() + 15
        while True:  # the in-process runner's first catch-up, at start
            public = client.get("/api/health").json()
            if sum(m["state"] == "stopped" for m in public["read_models"]) == len(STOPPED):
                break
            assert time.monotonic() < deadline, public
            time.sleep(0.05)
        assert public["status"] == "degraded"
        accounts = next(m for m in public["read_models"] if m["name"] == "accounts")
        assert (accounts["state"], accounts["position"], accounts["stopped_before"]) == ("stopped", bad - 1, bad)
        assert "error" not in accounts
        assert "topic" not in accounts
        assert public["head"] == head
        assert {m["name"] for m in public["read_models"] if m["state"] == "stopped"} == set(STOPPED)

        admin = api_token(client, ADMIN_EMAIL, PASSWORD)
        private = client.get("/api/health", headers=admin).json()
        accounts = next(m for m in private["read_models"] if m["name"] == "accounts")
        assert accounts["topic"] == "domain.organisation:Organisation.Registered"
        assert "NUL" in accounts["error"]

        # A command answers at once (it does not wait for the stopped read model, where it would wait 60 s: the
        # patience of ``patient``) and the others show it.
        started = time.monotonic()
        created = client.post("/api/signup", json={"email": "later@x.test", "password": PASSWORD,
                                                   "display_name": "Later", "organisation_name": "后来公司",
                                                   "organisation_kind": "enterprise"})
        assert created.status_code == 201, created.text
        assert time.monotonic() - started < 20
        position = created.json()["position"]
        assert all(p >= position for name, p in positions(services).items() if name not in STOPPED)

        login(client, ADMIN_EMAIL, PASSWORD)
        page = client.get("/admin/health")
        assert page.status_code == 200
        assert "accounts" in page.text
        assert "NUL" in page.text
        assert "已停止" in page.text
        assert "Stopped" in client.get("/admin/health?lang=en").text

        fix_views()  # the in-process runner tries again by itself and goes on
        deadline = time.monotonic() + 20
        while client.get("/api/health").json()["status"] != "ok":
            assert time.monotonic() < deadline, client.get("/api/health").json()
            time.sleep(0.1)
        assert ("later@x.test",) in rows(services, "SELECT email FROM accounts_users")


def test_the_health_page_is_for_platform_admins(poisoned: tuple[Services, int]) -> None:
    services, _ = poisoned
    with TestClient(create_app(services, start_projections=True)) as client:
        assert client.get("/admin/health", follow_redirects=False).status_code == 303
        login(client, "before@x.test", PASSWORD)
        page = client.get("/admin/health")
        assert page.status_code == 403
        assert "NUL" not in page.text


def test_the_status_command_prints_positions_and_errors_and_retries(
        poisoned: tuple[Services, int], fix_views: Callable[[], None], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    services, bad = poisoned
    settings = cli_settings(services, tmp_path)
    # The projection worker catches up past the poisoned event, says which read models stopped, and exits normally.
    assert cmd_run_projections(settings, build_parser().parse_args(["run-projections", "--once"])) == 0
    printed = capsys.readouterr()
    assert "2 read model(s) stopped at an event they cannot apply" in " ".join(printed.err.split())
    assert f"accounts stopped before position {bad}" in printed.out
    assert cmd_status(settings, build_parser().parse_args(["status"])) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "accounts" in out
    assert "stopped" in out
    assert "catalogue" in out
    assert f"accounts stopped before position {bad} (domain.organisation:Organisation.Registered)" in out
    assert "NUL" in out
    fix_views()
    assert cmd_status(settings, build_parser().parse_args(["status", "--retry"])) == 0
    assert " stopped " not in " ".join(capsys.readouterr().out.split())
    assert {positions(services)[name] for name in STOPPED} == {services.recorder.max_notification_id()}
    assert health_rows(services) == []
