"""Tamper evidence on a real PostgreSQL: the chain follows every event; alterations, deletions and swaps are found.

The tamper tests write to ``marketplace_events`` with direct SQL on purpose: that is the attack
the chain exists to reveal. Nothing else may write to the event table.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import Tracking

from domain.audit.chain import GENESIS, chain_day, link_hash, utc_day
from marketplace.accounts import commands as ac
from marketplace.audit.chain import (
    ALTERED,
    DELETED,
    UNCHAINED,
    VerifyResult,
    chain_head,
    daily_roots,
    export,
    verify_export,
    verify_store,
)
from marketplace.audit.chain_cli import add_chain_commands, run_audit
from marketplace.platform.services import Services
from marketplace.platform.settings import PROJECT_ROOT, Settings
from projections.audit.chain import ChainIntegrityError, PostgresAuditChainView
from projections.runner import BatchProjectionRunner
from projections.shared.records import decode
from tests.conftest import patient
from tests.integration.test_projections import PASSWORD, scenario

DOC = PROJECT_ROOT / "docs" / "AUDIT_CHAIN.md"


# --- helpers -------------------------------------------------------------------------------------
def chain_view(services: Services) -> PostgresAuditChainView:
    """The registered view, or one built here while the composition root does not register it."""
    view = services.views.get("audit_chain")
    if isinstance(view, PostgresAuditChainView):
        return view
    view = PostgresAuditChainView(services.app.recorder.datastore)  # type: ignore[attr-defined]
    view.create_table()
    return view


def follow(services: Services, view: PostgresAuditChainView | None = None, page_size: int = 1000) -> int:
    runner = BatchProjectionRunner(application_name=services.app.name, recorder=services.recorder,
                                   views=[view or chain_view(services)], page_size=page_size)
    return runner.catch_up()


def sql(services: Services, *statements: str) -> list[tuple[Any, ...]]:
    """Run statements in one transaction; the rows of the last one."""
    with psycopg.connect(services.address.conninfo()) as conn:
        rows: list[tuple[Any, ...]] = []
        for statement in statements:
            cur = conn.execute(statement)
            rows = cur.fetchall() if cur.description else []
        return rows


def positions(services: Services) -> list[int]:
    return [int(r[0]) for r in sql(services, "SELECT notification_id FROM marketplace_events ORDER BY 1")]


def chain_rows(services: Services) -> list[tuple[Any, ...]]:
    return sql(services, "SELECT position, hash FROM audit_chain ORDER BY position")


@pytest.fixture
def market(services: Services) -> Services:
    """The scenario's small market, chained."""
    scenario(services.app)
    follow(services)
    return services


def broken(result: VerifyResult) -> tuple[bool, int | None]:
    return result.ok, result.first_broken_position


# --- the chain follows the log ---------------------------------------------------------------------
def test_chain_follows_every_event_in_log_order(market: Services) -> None:
    stored = positions(market)
    rows = chain_rows(market)
    assert [r[0] for r in rows] == stored
    previous = GENESIS
    for notification in market.recorder.select_notifications(start=1, limit=10_000):
        record = decode(notification)
        previous = link_hash(previous, record.position, record.originator_id, record.version, record.topic,
                             record.timestamp, notification.state)
    assert bytes(rows[-1][1]) == previous
    roots = daily_roots(market.address.conninfo())
    assert [(r.position, r.hash) for r in roots][-1] == (stored[-1], previous.hex())


def test_untouched_store_verifies_ok_with_the_head_hash(market: Services) -> None:
    result = verify_store(market.address.conninfo())
    head = chain_head(market.address.conninfo())
    assert result.ok, result.reason
    assert (result.checked, result.head_position, result.head_hash) == (len(positions(market)), *head)  # type: ignore[misc]
    assert result.unchained == 0


def test_new_events_are_unchained_until_the_follower_runs(market: Services) -> None:
    market.app.accounts.sign_up(ac.SignUp(
        email="new@x.test", password=PASSWORD, display_name="New", organisation_name="新公司",
        organisation_kind="enterprise"))
    result = verify_store(market.address.conninfo())
    assert result.ok
    assert result.unchained > 0
    follow(market)
    assert verify_store(market.address.conninfo()).unchained == 0


def test_pages_of_two_chain_exactly_as_one_big_page(services: Services) -> None:
    scenario(services.app)
    view = chain_view(services)
    follow(services, view, page_size=2)
    small_pages = chain_rows(services), sql(services, "SELECT * FROM audit_daily_roots ORDER BY day")
    view.reset()
    assert chain_rows(services) == []
    follow(services, view, page_size=1000)
    assert (chain_rows(services), sql(services, "SELECT * FROM audit_daily_roots ORDER BY day")) == small_pages
    assert verify_store(services.address.conninfo()).ok


def test_two_followers_at_once_never_chain_an_event_twice(services: Services) -> None:
    scenario(services.app)
    views = [chain_view(services), PostgresAuditChainView(services.app.recorder.datastore)]  # type: ignore[attr-defined]
    errors: list[BaseException] = []

    def run(view: PostgresAuditChainView) -> None:
        try:
            follow(services, view, page_size=2)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(v,)) for v in views]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [r[0] for r in chain_rows(services)] == positions(services)
    assert verify_store(services.address.conninfo()).ok


def test_a_page_chained_already_is_skipped_and_a_truncated_chain_is_refused(market: Services) -> None:
    view = chain_view(market)
    page = market.recorder.select_notifications(start=1, limit=1000)
    before = chain_rows(market)
    view.process([decode(n) for n in page], Tracking(market.app.name, page[-1].id))  # already chained: nothing to do
    assert chain_rows(market) == before
    sql(market, "DELETE FROM audit_chain WHERE position = (SELECT max(position) FROM audit_chain)")
    market.app.accounts.sign_up(ac.SignUp(
        email="new@x.test", password=PASSWORD, display_name="New", organisation_name="新公司",
        organisation_kind="enterprise"))
    # The follower stops before the first event it would chain (it never extends a chain it cannot trust),
    # and says why; the runner itself goes on (the other read models are not held up by it).
    runner = BatchProjectionRunner(application_name=market.app.name, recorder=market.recorder, views=[view])
    runner.catch_up()
    failure = runner.stopped["audit_chain"].failure
    assert failure.error.startswith(f"{ChainIntegrityError.__name__}: ")
    assert "altered" in failure.error
    head = int(chain_rows(market)[-1][0])
    assert failure.position == positions(market)[positions(market).index(head) + 2]  # the row after it was deleted
    assert head < positions(market)[-1]


# --- tampering with the store ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "tamper",
    [
        # one byte of the state set to zero (the JSON no longer parses)
        "UPDATE marketplace_events SET state = overlay(state placing '\\x00'::bytea from 5 for 1)"
        " WHERE notification_id = {x}",
        # one bit of one byte flipped inside the JSON (it may still parse)
        "UPDATE marketplace_events SET state = set_byte(state, 30, get_byte(state, 30) # 1)"
        " WHERE notification_id = {x}",
        "UPDATE marketplace_events SET originator_version = originator_version + 100 WHERE notification_id = {x}",
        "UPDATE marketplace_events SET topic = topic || 'x' WHERE notification_id = {x}",
    ],
    ids=["zero-byte", "flipped-bit", "version", "topic"],
)
def test_an_event_altered_in_postgres_is_found_at_its_position(market: Services, tamper: str) -> None:
    x = positions(market)[9]
    sql(market, tamper.format(x=x))
    result = verify_store(market.address.conninfo())
    assert broken(result) == (False, x), result.reason
    assert result.checked == 9
    assert "altered" in result.reason


@pytest.mark.parametrize("index", [6, -1], ids=["middle", "head"])
def test_a_deleted_event_is_found_at_its_position(market: Services, index: int) -> None:
    x = positions(market)[index]
    sql(market, f"DELETE FROM marketplace_events WHERE notification_id = {x}")
    result = verify_store(market.address.conninfo())
    assert (broken(result), result.reason) == ((False, x), DELETED)


def test_the_first_of_several_deletions_is_named(market: Services) -> None:
    stored = positions(market)
    sql(market, f"DELETE FROM marketplace_events WHERE notification_id IN ({stored[6]}, {stored[-1]})")
    assert broken(verify_store(market.address.conninfo())) == (False, stored[6])


@pytest.mark.parametrize(
    "swap",
    [
        ("UPDATE marketplace_events e SET state = o.state FROM marketplace_events o"
         " WHERE (e.notification_id, o.notification_id) IN (({x}, {y}), ({y}, {x}))",),
        ("UPDATE marketplace_events SET notification_id = -1 WHERE notification_id = {x}",
         "UPDATE marketplace_events SET notification_id = {x} WHERE notification_id = {y}",
         "UPDATE marketplace_events SET notification_id = {y} WHERE notification_id = -1"),
    ],
    ids=["states-exchanged", "notification-ids-exchanged"],
)
def test_two_swapped_events_are_found_at_the_first(market: Services, swap: tuple[str, ...]) -> None:
    stored = positions(market)
    x, y = stored[4], stored[11]
    sql(market, *(s.format(x=x, y=y) for s in swap))
    assert broken(verify_store(market.address.conninfo())) == (False, x)


def test_an_event_inserted_in_the_middle_is_found(market: Services) -> None:
    x = positions(market)[3]
    # Make room after x (renumbering the rest), then copy x's row there with a new version.
    sql(market, f"UPDATE marketplace_events SET notification_id = notification_id + 1000 WHERE notification_id > {x}",
        "INSERT INTO marketplace_events (originator_id, originator_version, topic, state, notification_id)"
        f" SELECT originator_id, originator_version + 1000, topic, state, {x + 1}"
        f" FROM marketplace_events WHERE notification_id = {x}")
    assert broken(verify_store(market.address.conninfo())) == (False, x + 1)


@pytest.mark.parametrize(
    ("tamper", "where", "reason"),
    [
        ("UPDATE audit_chain SET hash = sha256(hash) WHERE position = {x}", "x", ALTERED),
        ("DELETE FROM audit_chain WHERE position = {x}", "x", UNCHAINED),
        ("UPDATE audit_daily_roots SET hash = sha256(hash)", "head", "daily root"),
        ("DELETE FROM audit_daily_roots", "head", "daily root"),
    ],
    ids=["chain-hash", "chain-row-deleted", "root-hash", "root-deleted"],
)
def test_altered_chain_records_are_found(market: Services, tamper: str, where: str, reason: str) -> None:
    stored = positions(market)
    sql(market, tamper.format(x=stored[7]))
    result = verify_store(market.address.conninfo())
    assert broken(result) == (False, stored[7] if where == "x" else stored[-1])
    assert reason in result.reason


# --- exports --------------------------------------------------------------------------------------
def test_an_export_verifies_alone_with_the_same_head(market: Services, tmp_path: Path) -> None:
    path = tmp_path / "chain.jsonl"
    count = export(market.address.conninfo(), path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert count == len(lines) == len(positions(market))
    assert list(lines[0]) == ["position", "originator_id", "version", "topic", "timestamp", "state_b64", "hash"]
    from_file, from_store = verify_export(path), verify_store(market.address.conninfo())
    assert from_file.ok, from_file.reason
    assert (from_file.checked, from_file.head_position, from_file.head_hash, from_file.roots) == (
        from_store.checked, from_store.head_position, from_store.head_hash, from_store.roots)


def _rewrite(path: Path, index: int, change: Callable[[dict[str, object]], None]) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[index])
    change(entry)
    lines[index] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return int(entry["position"])


def _flip_state_byte(entry: dict[str, object]) -> None:
    state = bytearray(base64.b64decode(str(entry["state_b64"])))
    state[-3] ^= 1
    entry["state_b64"] = base64.b64encode(bytes(state)).decode()


@pytest.mark.parametrize(
    "change",
    [
        _flip_state_byte,
        lambda e: e.update(version=int(str(e["version"])) + 1),
        lambda e: e.update(timestamp="2000-01-01T00:00:00+00:00"),
        lambda e: e.update(hash="0" * 64),
        lambda e: e.update(state_b64="not base64!"),
    ],
    ids=["state", "version", "timestamp", "hash", "garbage"],
)
def test_a_tampered_export_line_is_found_at_its_position(market: Services, tmp_path: Path,
                                                         change: Callable[[dict[str, object]], None]) -> None:
    path = tmp_path / "chain.jsonl"
    export(market.address.conninfo(), path)
    position = _rewrite(path, 12, change)
    result = verify_export(path)
    assert broken(result) == (False, position), result.reason
    assert result.checked == 12


def test_an_export_of_an_altered_store_fails(market: Services, tmp_path: Path) -> None:
    x = positions(market)[5]
    sql(market, f"UPDATE marketplace_events SET state = overlay(state placing '\\x00'::bytea from 5 for 1)"
                f" WHERE notification_id = {x}")
    path = tmp_path / "chain.jsonl"
    export(market.address.conninfo(), path)
    assert broken(verify_export(path)) == (False, x)


def documented_script() -> str:
    match = re.search(r"```python\n(# verify_chain\.py.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert match, "docs/AUDIT_CHAIN.md has no verification script"
    return match.group(1)


def run_script(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "verify_chain.py"
    script.write_text(documented_script(), encoding="utf-8")
    # -I: isolated from the project and its environment; the script needs only the standard library.
    return subprocess.run([sys.executable, "-I", str(script), *args], capture_output=True, text=True, check=False)


def test_the_documented_third_party_script_verifies_an_export(market: Services, tmp_path: Path) -> None:
    path = tmp_path / "chain.jsonl"
    export(market.address.conninfo(), path)
    result = verify_store(market.address.conninfo())
    roots = [f"{r.position}:{r.hash}" for r in daily_roots(market.address.conninfo())]
    done = run_script(tmp_path, str(path), *roots)
    assert (done.returncode, done.stdout.strip()) == (
        0, f"OK: head position {result.head_position}, head hash {result.head_hash}"), done.stderr
    wrong_root = run_script(tmp_path, str(path), f"{result.head_position}:{'0' * 64}")
    assert wrong_root.returncode == 1
    assert "not the published root" in wrong_root.stderr
    position = _rewrite(path, 3, _flip_state_byte)
    tampered = run_script(tmp_path, str(path))
    assert (tampered.returncode, tampered.stderr.strip()) == (1, f"BROKEN at position {position}")


def test_the_documented_test_vector(tmp_path: Path) -> None:
    stamp = "2025-01-02T03:04:05.678901+00:00"
    state = ('{"timestamp":{"_type_":"datetime_iso","_data_":"%s"},"by":"ops"}' % stamp).encode()  # noqa: UP031
    digest = link_hash(GENESIS, 1, "0b4a5f3e-6f1c-4c9e-9d2a-3f2d1c0b9a88", 1, "domain.listing:Listing.Published",
                       stamp, state)
    assert len(state) == 94
    assert digest.hex() in DOC.read_text(encoding="utf-8")


# --- daily roots ----------------------------------------------------------------------------------
def test_utc_days_and_the_running_day() -> None:
    assert utc_day("2025-03-01T23:30:00-02:00") == date(2025, 3, 2)
    assert utc_day("2025-03-02T01:00:00+08:00") == date(2025, 3, 1)
    assert utc_day("2025-03-01T12:00:00") == date(2025, 3, 1)
    assert utc_day("not a time") is None
    assert chain_day(date(2025, 3, 2), "2025-03-01T23:59:59.990000+00:00") == date(2025, 3, 2)
    assert chain_day(date(2025, 3, 2), "2025-03-04T00:00:00+00:00") == date(2025, 3, 4)
    assert chain_day(date(2025, 3, 2), "") == date(2025, 3, 2)


def test_one_daily_root_per_utc_day_at_its_last_position(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    import eventsourcing.domain

    now = [datetime(2025, 3, 1, 23, 59, 59, tzinfo=UTC)]
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: now[0])
    app = services.app
    admin = app.accounts.bootstrap_platform_admin(email="ops@p.test", password=PASSWORD, display_name="Ops",
                                                  organisation_name="Platform Ops")
    end_of_first = services.recorder.max_notification_id()
    now[0] = datetime(2025, 3, 2, 0, 0, 1, tzinfo=UTC)
    user, _ = app.accounts.sign_up(ac.SignUp(
        email="li@x.test", password=PASSWORD, display_name="李", organisation_name="研究所",
        organisation_kind="research_institute"))
    follow(services)  # the chain splits a day across two pages
    now[0] = datetime(2025, 3, 1, 23, 59, 59, 990000, tzinfo=UTC)  # stamped before midnight, committed after
    org: UUID = app.repository.get(user).organisation_id
    app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org), actor_id=admin)
    end_of_second = services.recorder.max_notification_id()
    now[0] = datetime(2025, 3, 4, 8, 0, tzinfo=UTC)  # nothing on the 3rd
    app.accounts.sign_up(ac.SignUp(email="wang@x.test", password=PASSWORD, display_name="王", organisation_name="公司",
                        organisation_kind="enterprise"))
    follow(services)
    head = services.recorder.max_notification_id()
    chain: dict[int, bytes] = {int(p): bytes(h) for p, h in chain_rows(services)}
    roots = daily_roots(services.address.conninfo())
    assert [(r.day, r.position, r.hash) for r in roots] == [
        (date(2025, 3, 1), end_of_first, chain[end_of_first].hex()),
        (date(2025, 3, 2), end_of_second, chain[end_of_second].hex()),
        (date(2025, 3, 4), head, chain[head].hex()),
    ]
    result = verify_store(services.address.conninfo())
    assert result.ok
    assert list(result.roots) == roots


# --- the command line -----------------------------------------------------------------------------
def cli_settings(services: Services, tmp_path: Path) -> Settings:
    """The settings a command-line run gets to work on the test's database."""
    a = services.address
    url = f"postgresql://{quote(a.user)}@/{a.dbname}?host={quote(a.host)}&port={a.port}"
    if not a.host.startswith("/"):
        url = f"postgresql://{quote(a.user)}:{quote(a.password)}@{a.host}:{a.port}/{a.dbname}"
    return Settings.from_env({"MARKETPLACE_DATABASE_URL": url, "MARKETPLACE_DATA_DIR": str(tmp_path),
                              "MARKETPLACE_DEMO_DATA": "0", "MARKETPLACE_IPC_SCHEME": str(tmp_path / "none")})


def _cli(services: Services, tmp_path: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="marketplace")
    audit = parser.add_subparsers(dest="command").add_parser("audit")
    add_chain_commands(audit.add_subparsers(dest="audit_command", required=True))
    return run_audit(cli_settings(services, tmp_path), parser.parse_args(["audit", *argv]))


def test_command_line_chains_verifies_exports_and_reports_breaks(
        services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario(services.app)  # not chained yet: the command chains first
    assert _cli(services, tmp_path, "verify") == 0
    head = chain_head(services.address.conninfo())
    assert head is not None
    ok = f"OK: {len(positions(services))} events, head position {head[0]}, head hash {head[1]}"
    assert ok in capsys.readouterr().out
    path = tmp_path / "chain.jsonl"
    assert _cli(services, tmp_path, "export", str(path)) == 0
    assert _cli(services, tmp_path, "verify", "--export", str(path)) == 0
    assert f"head hash {head[1]}" in capsys.readouterr().out
    assert _cli(services, tmp_path, "roots") == 0
    assert head[1] in capsys.readouterr().out
    x = positions(services)[2]
    sql(services, f"UPDATE marketplace_events SET state = set_byte(state, 7, 0) WHERE notification_id = {x}")
    assert _cli(services, tmp_path, "verify") == 1
    assert f"BROKEN at position {x}:" in capsys.readouterr().out


def test_daily_roots_are_public_on_a_page_and_in_the_api(services: Services) -> None:
    from litestar.testing import TestClient

    from web.app import create_app

    scenario(services.app)
    with TestClient(create_app(patient(services), start_projections=True)) as client:
        head = services.recorder.max_notification_id()
        deadline = time.monotonic() + 60  # start-up, the leases, the chain: slow on a loaded machine
        while True:  # the in-process follower chains what the scenario wrote
            api = client.get("/api/audit/roots").json()
            if api["items"] and api["items"][0]["position"] == head:
                break
            assert time.monotonic() < deadline, api
            time.sleep(0.01)
        page = client.get("/audit/roots")
        assert page.status_code == 200
        assert api["total"] == 1
        assert api["items"][0]["hash"] in page.text
        assert len(api["items"][0]["hash"]) == 64


# --- verification never crashes on what it exists to find -------------------------------------------
def grow(services: Services, copies: int) -> None:
    """Append ``copies`` copies of the log's events under new aggregate ids, so that the log is too long to
    stream in one go (a verification that stops early then leaves the server still sending).

    Written with SQL for speed (tens of thousands of events); the copies are ordinary stored events.
    """
    sql(services,
        "INSERT INTO marketplace_events (originator_id, originator_version, topic, state, notification_id)"
        " SELECT gen_random_uuid(), e.originator_version, e.topic, e.state,"
        " m.top + row_number() OVER (ORDER BY k, e.notification_id)"
        f" FROM marketplace_events e, generate_series(1, {copies}) k,"
        " (SELECT max(notification_id) AS top FROM marketplace_events) m",
        "SELECT setval(pg_get_serial_sequence('marketplace_events', 'notification_id'),"
        " (SELECT max(notification_id) FROM marketplace_events))")


@pytest.fixture
def long_market(market: Services) -> Services:
    """The scenario's market grown to about 30,000 events, all chained."""
    grow(market, 1000)
    follow(market)
    return market


ALTERATIONS = {
    # one byte in the middle of the stored JSON, one bit flipped
    "state": "UPDATE marketplace_events SET state = set_byte(state, length(state) / 2,"
             " get_byte(state, length(state) / 2) # 1) WHERE notification_id = {x}",
    # the topic no longer names any class, so it can no longer be resolved
    "topic": "UPDATE marketplace_events SET topic = 'domain.nowhere:Gone.Missing' WHERE notification_id = {x}",
    "deleted": "DELETE FROM marketplace_events WHERE notification_id = {x}",
}


@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("alteration", sorted(ALTERATIONS))
def test_verify_names_the_first_broken_position_of_a_long_log_wherever_it_is(
        long_market: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], alteration: str, where: str) -> None:
    stored = positions(long_market)
    x = {"start": stored[0], "middle": stored[len(stored) // 2], "end": stored[-1]}[where]
    sql(long_market, ALTERATIONS[alteration].format(x=x))
    assert _cli(long_market, tmp_path, "verify") == 1
    out = capsys.readouterr().out
    assert f"BROKEN at position {x}: " in out
    assert (DELETED if alteration == "deleted" else ALTERED) in out


def test_an_event_altered_before_it_was_chained_is_reported_not_chained(
        market: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    market.app.accounts.sign_up(ac.SignUp(
        email="new@x.test", password=PASSWORD, display_name="New", organisation_name="新公司",
        organisation_kind="enterprise"))
    x = positions(market)[-2]  # stored after the chain head: not chained yet
    sql(market, f"UPDATE marketplace_events SET state = overlay(state placing '\\x00'::bytea from 5 for 1)"
                f" WHERE notification_id = {x}")
    assert _cli(market, tmp_path, "verify") == 1
    err = capsys.readouterr().err
    assert f"the chain follower stopped before position {x}" in " ".join(err.split())
    assert [r[0] for r in chain_rows(market)][-1] == x - 1  # chained up to the event before it, never past it


def test_an_export_is_readable_by_its_owner_alone(market: Services, tmp_path: Path) -> None:
    fresh, existing = tmp_path / "fresh.jsonl", tmp_path / "existing.jsonl"
    existing.write_text("old\n", encoding="utf-8")
    existing.chmod(0o644)
    for path in (fresh, existing):
        assert _cli(market, tmp_path, "export", str(path)) == 0
        assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert verify_export(existing).ok
