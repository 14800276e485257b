"""Audit on a real PostgreSQL: history with diffs, as-of replay, the event log read model, rebuild checks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

import psycopg
import pytest

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.shared.errors import NotFoundError, ValidationError
from marketplace.accounts import commands as ac
from marketplace.audit.listing_page import listing_as_of
from marketplace.audit.rebuild_check import SCHEMA, rebuild_check
from marketplace.audit.replay import events, history, state_at, version_at
from marketplace.catalogue import commands as cc
from marketplace.platform.app_base import SYSTEM_ACTOR
from marketplace.platform.application import Marketplace
from marketplace.platform.services import Services
from projections.audit.log import PostgresAuditLogView
from projections.audit.queries import AuditFilters, AuditLogQueries
from tests.integration.test_projections import PASSWORD, cn, rows, scenario, table_digest

TERMS: dict[str, Any] = {"deal_types": ["assignment"], "price_mode": "fixed", "maturity": "pilot"}


@pytest.fixture
def audit_view(services: Services) -> PostgresAuditLogView:
    """The audit log view, added to the services' views unless the composition root has it already."""
    view = services.views.get("audit_log")
    if view is None:
        view = PostgresAuditLogView(services.app.recorder.datastore)  # type: ignore[attr-defined]
        view.create_table()
        services.views["audit_log"] = view
    assert isinstance(view, PostgresAuditLogView)
    return view


def moment() -> datetime:
    """An instant strictly between the events before and after it."""
    time.sleep(0.002)
    now = datetime.now(UTC)
    time.sleep(0.002)
    return now


class Market:
    """A verified institute with one granted patent, driven step by step."""

    def __init__(self, app: Marketplace) -> None:
        self.app = app
        admin = app.accounts.bootstrap_platform_admin(email="ops@p.test", password=PASSWORD, display_name="Ops",
                                                      organisation_name="Platform Ops")
        self.user, _ = app.accounts.sign_up(ac.SignUp(email="li@fjirsm.test", password=PASSWORD, display_name="李",
                                                      organisation_name="福建物构所",
                                                      organisation_kind="research_institute"))
        self.org: UUID = app.repository.get(self.user).organisation_id
        app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=self.org), actor_id=admin)
        self.patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
            application_number=cn("202010123450"), patent_type="invention", title_zh="锂电池隔膜",
            ipc_codes=["H01M 2/14"], filing_date=date(2020, 1, 2), legal_status="granted",
            owners=[cc.OwnerShare(organisation_id=self.org, share=100)]), actor_id=self.user)
        self.listing = UUID(int=0)

    def draft(self, price: int) -> None:
        self.listing, _ = self.app.catalogue.draft_listing(
            cc.DraftListing(patent_id=self.patent, asking_price=price, **TERMS), actor_id=self.user)

    def reprice(self, price: int) -> None:
        self.app.catalogue.revise_listing(cc.ReviseListing(listing_id=self.listing, asking_price=price, **TERMS),
                                          actor_id=self.user)

    def publish(self) -> None:
        self.app.catalogue.publish_listing(cc.PublishListing(listing_id=self.listing), actor_id=self.user)

    def legal_status(self, status: str) -> None:
        self.app.catalogue.change_legal_status(cc.ChangeLegalStatus(
            patent_id=self.patent, legal_status=status, effective_date=date(2024, 5, 1), reason="annuity unpaid"
            if status == "lapsed" else "annuity paid late"), actor_id=self.user)


# --- history --------------------------------------------------------------------------------


def test_listing_history_has_a_diff_per_event(services: Services) -> None:
    market = Market(services.app)
    market.draft(10_000_000)
    market.reprice(12_000_000)
    market.publish()
    market.legal_status("lapsed")   # suspends the listing
    market.legal_status("granted")  # resumes it
    entries = history(services.app, market.listing)
    assert [e.event_type for e in entries] == [
        "Listing.Drafted", "Listing.Revised", "Listing.Published", "Listing.Suspended", "Listing.Resumed"]
    assert [e.version for e in entries] == [1, 2, 3, 4, 5]
    assert [e.actor for e in entries] == [market.user] * 3 + [SYSTEM_ACTOR] * 2
    assert entries == sorted(entries, key=lambda e: e.timestamp)
    drafted = entries[0].changes
    assert drafted["status"] == (None, "draft")
    assert drafted["organisation_id"] == (None, str(market.org))
    assert drafted["terms"][0] is None
    assert drafted["terms"][1]["asking_price"] == 10_000_000
    assert entries[1].changes == {"terms.asking_price": (10_000_000, 12_000_000)}
    assert entries[2].changes == {"status": ("draft", "published")}
    assert entries[3].changes == {"status": ("published", "suspended"),
                                  "status_before_suspension": (None, "published")}
    assert entries[4].changes == {"status": ("suspended", "published"),
                                  "status_before_suspension": ("published", None)}


def test_history_of_patent_and_accounts(services: Services) -> None:
    market = Market(services.app)
    market.draft(10_000_000)
    patent = history(services.app, market.patent)
    assert [e.event_type for e in patent] == ["Patent.Registered", "Patent.ListingOpened"]
    assert patent[1].changes == {"active_listing_id": (None, str(market.listing))}
    org = history(services.app, market.org)
    assert [(e.event_type, e.changes.get("verified")) for e in org] == [
        ("Organisation.Registered", (None, False)), ("Organisation.Verified", (False, True))]
    user = history(services.app, market.user)
    assert user[0].actor == market.user  # a self sign-up is the user's own act
    with pytest.raises(NotFoundError):
        history(services.app, UUID(int=1))


def test_password_hashes_never_appear(services: Services) -> None:
    """The hash lives in the personal-data store: neither the history nor any state as of a version shows it."""
    market = Market(services.app)
    old_hash = services.app.personal.get(market.user).password_hash  # type: ignore[union-attr]
    services.app.accounts.change_password(
        ac.ChangePassword(current_password=PASSWORD, new_password="another-long-password"),
        actor_id=market.user)
    new_hash = services.app.personal.get(market.user).password_hash  # type: ignore[union-attr]
    assert old_hash is not None
    assert new_hash is not None
    assert new_hash != old_hash
    entries = history(services.app, market.user)
    assert "password_hash" not in entries[0].changes
    assert entries[1].event_type == "User.PasswordChanged"
    assert entries[1].changes == {}
    for version in (1, 2):
        assert "password_hash" not in state_at(services.app, market.user, version=version).state
    shown = repr(entries) + repr(state_at(services.app, market.user))
    assert old_hash not in shown
    assert new_hash not in shown
    assert "li@fjirsm.test" not in shown


# --- as-of ----------------------------------------------------------------------------------


def test_state_at_a_version_and_an_instant(services: Services) -> None:
    market = Market(services.app)
    before_listing = moment()
    market.draft(10_000_000)
    drafted = moment()
    market.reprice(12_000_000)
    repriced = moment()
    market.publish()
    app = services.app
    v1 = state_at(app, market.listing, version=1)
    assert (v1.version, v1.aggregate_type, v1.state["status"], v1.state["terms"]["asking_price"]) == (
        1, "Listing", "draft", 10_000_000)
    assert state_at(app, market.listing, at=drafted).version == 1
    at_repriced = state_at(app, market.listing, at=repriced)
    assert (at_repriced.version, at_repriced.state["status"], at_repriced.state["terms"]["asking_price"]) == (
        2, "draft", 12_000_000)
    assert state_at(app, market.listing).version == 3
    assert state_at(app, market.listing, at=datetime.now(UTC) + timedelta(days=1)).state["status"] == "published"
    assert version_at(app, market.listing, before_listing) is None
    with pytest.raises(NotFoundError, match="did not exist yet"):
        state_at(app, market.listing, at=before_listing)
    with pytest.raises(NotFoundError, match="versions 1 to 3"):
        state_at(app, market.listing, version=4)
    with pytest.raises(ValidationError):
        state_at(app, market.listing, version=1, at=drafted)
    naive = drafted.astimezone(UTC).replace(tzinfo=None)  # a time without offset is UTC
    assert state_at(app, market.listing, at=naive).version == 1


def test_what_the_buyer_saw(services: Services) -> None:
    market = Market(services.app)
    market.draft(10_000_000)
    market.publish()
    published = moment()
    market.reprice(12_000_000)
    repriced = moment()
    market.legal_status("lapsed")
    lapsed = moment()

    then = listing_as_of(services.app, market.listing, at=published)
    assert (then.listing.terms["asking_price"], then.listing.status, then.patent.legal_status) == (
        10_000_000, "published", "granted")
    between = listing_as_of(services.app, market.listing, at=repriced)  # after the repricing, before the lapse
    assert (between.listing.terms["asking_price"], between.listing.status, between.patent.legal_status) == (
        12_000_000, "published", "granted")
    assert [s.legal_status for s in between.status_history] == ["granted"]
    after = listing_as_of(services.app, market.listing, at=lapsed)
    assert (after.listing.status, after.patent.legal_status) == ("suspended", "lapsed")
    assert [(s.legal_status, s.reason) for s in after.status_history] == [
        ("granted", "registered"), ("lapsed", "annuity unpaid")]
    assert between.published_at == then.published_at is not None
    assert between.organisation_name == "福建物构所"
    assert between.instant == repriced
    by_version = listing_as_of(services.app, market.listing, version=2)  # the publication
    assert (by_version.listing.status, by_version.listing.terms["asking_price"]) == ("published", 10_000_000)
    assert by_version.instant == by_version.listing.modified_on
    now = listing_as_of(services.app, market.listing)
    assert now.listing.status == "suspended"
    with pytest.raises(NotFoundError):
        listing_as_of(services.app, market.listing, at=published - timedelta(days=1))
    with pytest.raises(NotFoundError):
        listing_as_of(services.app, market.patent)  # a patent is not a listing


def test_version_at_an_instant_on_postgresql_agrees_with_every_event_time(services: Services) -> None:
    """The two-read strided search finds, for instants before, between and after 70 events, the
    same version as reading every event's time: across stride boundaries and at both ends."""
    market = Market(services.app)
    market.draft(1_000_000)
    for price in range(2, 71):
        market.reprice(price * 1_000_000)
    times = [e.timestamp for e in events(services.app, market.listing)]
    assert len(times) == 70
    probes = [times[0] - timedelta(seconds=1), times[-1] + timedelta(seconds=1)]
    probes += [t + (times[i + 1] - t) / 2 for i, t in enumerate(times[:-1])] + times
    for instant in probes:
        expected = max((v for v, t in enumerate(times, start=1) if t <= instant), default=None)
        assert version_at(services.app, market.listing, instant) == expected, instant


class SnapshottingMarketplace(Marketplace):
    """The recommended setting: snapshots of long-lived aggregates (small interval to test it)."""

    name = "marketplace"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Listing: 2, Patent: 2}


def test_replay_with_snapshots_gives_the_same_states(services: Services) -> None:
    app = SnapshottingMarketplace(services.app.env, ipc_scheme=services.ipc_scheme)
    try:
        market = Market(app)
        market.draft(10_000_000)
        for price in range(11, 16):
            market.reprice(price * 1_000_000)
        assert app.snapshots is not None
        snapshots = list(app.snapshots.get(market.listing))
        assert [s.originator_version for s in snapshots] == [2, 4, 6]
        for version in range(1, 7):
            assert (state_at(app, market.listing, version=version)
                    == state_at(services.app, market.listing, version=version))  # one without snapshots
        assert [e.version for e in history(app, market.listing)] == [1, 2, 3, 4, 5, 6]
    finally:
        app.close()


# --- the event log read model ---------------------------------------------------------------


def _log(services: Services) -> dict[tuple[str, Any], tuple[Any, ...]]:
    found = rows(services, "SELECT aggregate_id, version, event_type, actor, organisation_ids, summary"
                           " FROM audit_log_events")
    return {(str(r[0]), r[1]): r[2:] for r in found}


def test_audit_log_rows_for_the_scenario(services: Services, audit_view: PostgresAuditLogView) -> None:
    ids = scenario(services.app)
    services.make_runner(["audit_log"]).catch_up()
    head = services.recorder.max_notification_id()
    assert rows(services, "SELECT count(*), max(position) FROM audit_log_events") == [(head, head)]
    log = _log(services)
    user = ids["user"]
    org: UUID = services.app.repository.get(user).organisation_id
    assert log[(str(ids["listing0"]), 2)] == ("Listing.Published", user, [org], "Listing published")
    number = cn("202010123450")
    assert log[(str(ids["listing0"]), 1)][3] == (
        f"Listing drafted for patent {number}: fixed price CNY 100,000.00; sole licence")
    assert log[(str(ids["patent0"]), 1)] == (
        "Patent.Registered", user, [org], f"Patent {number} registered: 一种锂电池隔膜的制备方法 (granted)")
    assert log[(str(ids["patent2"]), 3)] == (
        "Patent.LegalStatusChanged", user, [org], "Legal status changed to lapsed (annuity), effective 2024-05-01")
    assert log[(str(ids["listing2"]), 3)] == (
        "Listing.Suspended", SYSTEM_ACTOR, [org], "Listing suspended: legal status lapsed")
    assert log[(str(ids["listing1"]), 3)] == ("Listing.Withdrawn", user, [org], "Listing withdrawn: sold")
    assert log[(str(user), 1)][:3] == ("User.SignedUp", user, [org])
    assert log[(str(org), 1)] == ("Organisation.Registered", None, [org],
                                  "Organisation registered: 中国科学院福建物质结构研究所 (research institute),"
                                  " awaiting verification")
    assert log[(str(org), 2)][0] == "Organisation.Verified"
    assert rows(services, "SELECT count(*) FROM audit_log_events WHERE strpos(data::text, 'argon2') > 0") == [(0,)]
    # Sign-ups name no person: e-mail, name and hash are in the personal-data store, not the events.
    assert rows(services, "SELECT count(*) FROM audit_log_events WHERE event_type = 'User.SignedUp'"
                          " AND data ?| array['password_hash', 'email', 'display_name']") == [(0,)]


async def test_audit_log_queries_filter_and_page(services: Services, audit_view: PostgresAuditLogView) -> None:
    from web.state import create_pool

    ids = scenario(services.app)
    services.make_runner().catch_up()
    user = ids["user"]
    org: UUID = services.app.repository.get(user).organisation_id
    pool = await create_pool(services)
    try:
        queries = AuditLogQueries(pool)
        everything, total = await queries.list_and_count(AuditFilters(limit=500))
        assert total == len(everything) == services.recorder.max_notification_id()
        assert [e.position for e in everything] == sorted((e.position for e in everything), reverse=True)
        listings, total = await queries.list_and_count(AuditFilters(aggregate_type="Listing", limit=5))
        assert (len(listings), total) == (5, 5 + 4 + 1 + 1)  # drafted, published, withdrawn, suspended
        assert {e.aggregate_type for e in listings} == {"Listing"}
        second, _ = await queries.list_and_count(AuditFilters(aggregate_type="Listing", limit=5, offset=5))
        assert not {e.position for e in second} & {e.position for e in listings}
        system, total = await queries.list_and_count(AuditFilters(actor=SYSTEM_ACTOR))
        assert [e.event_type for e in system] == ["Listing.Suspended", "User.SignedUp", "Organisation.Registered"]
        assert total == 3  # the suspension, and the platform's bootstrap
        assert {e.actor_name for e in system} == {"system"}
        by_user, _ = await queries.list_and_count(AuditFilters(actor=user, event_type="Listing.Published"))
        assert len(by_user) == 4
        assert {e.actor_name for e in by_user} == {"李"}
        institute, total = await queries.list_and_count(AuditFilters(organisation_id=org, limit=500))
        assert total == len(institute) == len(everything) - 2  # the platform's organisation and admin are not
        assert institute[0].organisation_names == ["中国科学院福建物质结构研究所"]
        middle = sorted(everything, key=lambda e: e.position)[10].recorded_at
        earlier, n_earlier = await queries.list_and_count(AuditFilters(until=middle, limit=500))
        later, n_later = await queries.list_and_count(AuditFilters(since=middle, limit=500))
        assert max(e.recorded_at for e in earlier) == min(e.recorded_at for e in later) == middle
        assert n_earlier + n_later == len(everything) + 1  # the event at ``middle`` is in both
        lapse = await queries.for_aggregate(ids["patent2"])
        assert [e.event_type for e in lapse] == ["Patent.Registered", "Patent.ListingOpened",
                                                 "Patent.LegalStatusChanged"]
    finally:
        await pool.close()


def test_rebuilding_the_audit_log_gives_identical_rows(services: Services, audit_view: PostgresAuditLogView) -> None:
    scenario(services.app)
    services.make_runner(["audit_log"]).catch_up()
    before = table_digest(services, "audit_log_events")
    audit_view.reset()
    assert rows(services, "SELECT count(*) FROM audit_log_events") == [(0,)]
    services.make_runner(["audit_log"], page_size=3).catch_up()  # rows must not depend on paging
    assert table_digest(services, "audit_log_events") == before


# --- rebuild check --------------------------------------------------------------------------


@pytest.fixture
def checked(services: Services, audit_view: PostgresAuditLogView) -> Iterator[dict[str, UUID]]:
    ids = scenario(services.app)
    services.make_runner().catch_up()
    yield ids
    assert rows(services, "SELECT count(*) FROM pg_namespace WHERE nspname = %s", SCHEMA) == [(0,)]


def test_rebuild_check_finds_no_difference(services: Services, checked: dict[str, UUID]) -> None:
    report = rebuild_check(services, page_size=4)
    assert report.differences == []
    tables = {t.table: t for t in report.tables}
    assert {"catalogue_listings", "accounts_user_records", "audit_log_events"} <= tables.keys()
    assert tables["catalogue_listings"].live_rows == tables["catalogue_listings"].rebuilt_rows == 5
    head = services.recorder.max_notification_id()
    assert set(report.positions.values()) == {head}
    assert report.lines()[-1] == "no differences"


def test_rebuild_check_reports_an_altered_row(services: Services, checked: dict[str, UUID]) -> None:
    with psycopg.connect(services.address.conninfo(), autocommit=True) as conn:
        conn.execute("UPDATE catalogue_listings SET asking_price = 1 WHERE id = %s", (checked["listing0"],))
    scenario_events = services.recorder.max_notification_id()
    report = rebuild_check(services)
    assert [(d.table, d.only_live, d.only_rebuilt) for d in report.differences] == [("catalogue_listings", 1, 1)]
    (diff,) = report.differences
    assert diff.live_examples == diff.rebuilt_examples == [str(checked["listing0"])]
    text = "\n".join(report.lines())
    assert "catalogue_listings: DIFFERS" in text
    assert str(checked["listing0"]) in text
    assert services.recorder.max_notification_id() == scenario_events  # the check writes no events
