"""Demo data on a real PostgreSQL: what ``seed_demo`` reports is what the read models show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from domain.auctions.sealed import commitment_of
from domain.auctions.verify import verify_lot
from domain.catalogue.ipc import IpcScheme, parse_ipc
from domain.catalogue.patent import Patent
from domain.shared.errors import ConflictError
from marketplace.deals.gateways.factory import build_gateways
from marketplace.demo.auctions import (
    DAYS_AGO,
    OPENS_IN_DAYS,
    PAST,
    RAISE,
    REVEAL_HOURS,
    SEALED_BIDS,
    SEALED_LOT,
    SNIPE,
    SOLD_LOT,
    UNSOLD_LOT,
    UPCOMING,
    salt_of,
)
from marketplace.demo.catalogue import DemoReport, is_empty, seed_demo
from marketplace.demo.conversions import PATENTS as CONVERSION_PATENTS
from marketplace.demo.vocabulary import ENTERPRISES, TECHNICAL_FIELDS
from marketplace.demo.year_of_deals import PER_MONTH
from marketplace.platform.application import Marketplace
from marketplace.platform.services import Services
from marketplace.platform.settings import Settings
from marketplace.programmes.claims_process import ClaimsProcess
from tests.unit.test_auction_verify import as_plain

LISTINGS = 40


@pytest.fixture
def seeded(services: Services) -> tuple[Services, DemoReport]:
    calls: list[tuple[int, int]] = []
    before = beijing_today()
    report = seed_demo(services.app, listings=LISTINGS, progress=lambda done, total: calls.append((done, total)))
    # The checks count the demo's dates from the day it was seeded, not from the day they run (a run may cross
    # midnight in Beijing, 16:00 UTC).
    assert report.today in (before, beijing_today())
    assert calls == [(i, LISTINGS) for i in range(1, LISTINGS + 1)]
    services.make_runner().catch_up()
    return services, report


def beijing_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def scalar(services: Services, query: str, *params: Any) -> Any:
    with psycopg.connect(services.address.conninfo()) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def test_read_models_show_what_the_report_says(seeded: tuple[Services, DemoReport]) -> None:
    """One seeding (argon2 makes each costly) checks counts, statuses, rules and languages."""
    services, report = seeded
    assert report.listings == LISTINGS
    assert report.patents == LISTINGS + len(CONVERSION_PATENTS)  # the funded patents flagged for conversion
    assert scalar(services, "SELECT count(*) FROM catalogue_patents") == report.patents
    assert scalar(services, "SELECT count(*) FROM catalogue_listings") == report.listings
    assert scalar(services, "SELECT count(*) FROM catalogue_listings WHERE status = 'published'") == report.published
    assert scalar(services, "SELECT count(*) FROM accounts_organisations") == report.organisations
    assert scalar(services, "SELECT count(*) FROM accounts_users") == len(report.accounts)
    assert 15 <= len(report.accounts) <= 25
    # Exactly one organisation is left for a platform admin to verify: an enterprise.
    assert scalar(services, "SELECT array_agg(kind) FROM accounts_organisations WHERE NOT verified") == ["enterprise"]
    check_listings(services, report)
    check_patents(services)
    check_deals(services)
    check_programmes(services)
    check_conversions(services)
    check_vouchers(services)
    check_brokers(services)
    check_year_of_deals(services, report.today)
    check_packages(services, report.today)
    check_demands(services)
    check_auctions(services, report.today)


def check_auctions(services: Services, today: date) -> None:
    """A past session of the platform's with its results: a lot sold after a proxy bid and a sniping bid that
    extended its close, a lot whose reserve was not met; and the transfer agency's upcoming session, its lots
    consented (open for deposits) and one bidder registered."""
    sessions = scalar(services, "SELECT array_agg(coalesce(o.name, 'platform') || ':' || s.title_zh"
                                " ORDER BY s.scheduled_at) FROM auction_sessions s"
                                " LEFT JOIN accounts_organisations o ON o.id = s.organisation_id")
    assert sessions == [f"platform:{PAST.title_zh}", f"海峡技术转移中心:{UPCOMING.title_zh}"]
    past, upcoming = scalar(services, "SELECT array_agg(id ORDER BY scheduled_at) FROM auction_sessions")
    assert scalar(services, "SELECT array_agg(DISTINCT (%s::date - (opens_at"
                            " AT TIME ZONE 'Asia/Shanghai')::date) || ':' || to_char(opens_at AT TIME ZONE"
                            " 'Asia/Shanghai', 'HH24:MI')) FROM auction_lots WHERE session_id = %s", today, past) == [
        f"{DAYS_AGO}:10:00"]
    lots = scalar(services, "SELECT array_agg(array[status, coalesce(outcome, ''), coalesce(price, 0)::text,"
                            " start_price::text, reserve::text, bids::text, (closes_at - opens_at)::text]"
                            " ORDER BY start_price) FROM auction_lots WHERE session_id = %s", past)
    assert lots == [
        ["sold", "sold", str(SNIPE), str(SOLD_LOT[0]), str(SOLD_LOT[1]), "4", "1 day 00:05:00"],
        ["sold", "sold", str(SEALED_BIDS[0]), str(SEALED_LOT[0]), "0", "0", "1 day"],
        ["unsold", "reserve_not_met", "0", str(UNSOLD_LOT[0]), str(UNSOLD_LOT[1]), "1", "1 day"],
    ]
    check_sealed_lot(services, past)
    sold = scalar(services, "SELECT id FROM auction_lots WHERE session_id = %s AND status = 'sold'"
                            " AND auction_format = 'timed'", past)
    assert scalar(services, "SELECT array_agg(bidder_number || ':' || amount ORDER BY seq) FROM auction_bids"
                            " WHERE lot_id = %s", sold) == [
        f"2:{SOLD_LOT[0]}", f"1:{RAISE}", f"2:{RAISE + SOLD_LOT[3]}", f"1:{SNIPE}"]
    proxied = [e.proxy for e in services.app.repository.event_store.get(sold)
               if type(e).__name__ == "BidPlaced"]
    assert proxied == [True, False, True, False]
    for lot in scalar(services, "SELECT array_agg(id) FROM auction_lots WHERE session_id = %s", past):
        # The verifier replays the demo's proxy bids from their maxima, as it would a real lot's.
        verdict = verify_lot(as_plain(services.app.repository.event_store.get(lot)), str(lot))
        assert verdict.ok, verdict.problems
    assert scalar(services, "SELECT array_agg(d.status || ':' || d.bidder_number ORDER BY l.start_price,"
                            " d.bidder_number) FROM auction_deposits d JOIN auction_lots l ON l.id = d.lot_id"
                            " WHERE l.session_id = %s", past) == [
        "applied:1", "refunded:2",  # the timed lot sold
        "refunded:1", "applied:2", "forfeited:3",  # the sealed lot: the winner's applied, the unrevealed kept
        "refunded:1"]  # the lot whose reserve was not met
    contract = scalar(services, "SELECT array[c.status, c.price_amount::text, o.name] FROM deal_contracts c"
                                " JOIN accounts_organisations o ON o.id = c.buyer_organisation_id"
                                " JOIN auction_lots l ON l.contract_id = c.id WHERE l.id = %s", sold)
    assert contract == ["drafted", str(SNIPE), next(o for o in ENTERPRISES if o.verified).name]
    # The winner signs and pays within 60 Beijing days of the close (nine days ago): by the midnight that ends
    # the 60th day, 52 days from today, so a served demo's deadline worker does not forfeit it.
    assert scalar(services, "SELECT array[s.settle_days, (l.settle_by AT TIME ZONE 'Asia/Shanghai')::date"
                            " - %s::date, extract(hour FROM l.settle_by AT TIME"
                            " ZONE 'Asia/Shanghai')::int] FROM auction_lots l JOIN auction_sessions s"
                            " ON s.id = l.session_id WHERE l.id = %s", today, sold) == [60, 52, 0]
    assert scalar(services, "SELECT array_agg(c.status ORDER BY l.start_price) FROM auction_lots l"
                            " JOIN catalogue_listings c ON c.id = l.listing_id") == ["published"] * 5
    upcoming_lots = scalar(services, "SELECT array_agg(status || ':' || ((opens_at AT TIME ZONE 'Asia/Shanghai')"
                                     "::date - %s::date) || ':' ||"
                                     " to_char(opens_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI') ORDER BY start_price)"
                                     " FROM auction_lots WHERE session_id = %s", today, upcoming)
    assert upcoming_lots == [f"ready:{OPENS_IN_DAYS}:10:00"] * 2
    assert scalar(services, "SELECT array_agg(o.name ORDER BY b.bidder_number) FROM auction_bidders b"
                            " JOIN accounts_organisations o ON o.id = b.organisation_id"
                            " WHERE b.session_id = %s", upcoming) == [next(o for o in ENTERPRISES if o.verified).name]


def check_sealed_lot(services: Services, past: Any) -> None:
    """The past session's sealed second-price lot: three commitments, two revealed (each digest recomputed from its
    amount and salt), the higher winning at the lower, the third forfeited; its reveal window closed two hours after
    the commit deadline; the winner's contract drafted at the second price; the unrevealed bidder was reminded."""
    lot, window, contract, outcome = scalar(
        services, "SELECT array[l.id::text, (l.reveal_closes_at - l.closes_at)::text, c.price_amount::text,"
                  " l.outcome] FROM auction_lots l JOIN deal_contracts c ON c.id = l.contract_id"
                  " WHERE l.session_id = %s AND l.auction_format = 'sealed_second_price'", past)
    assert (window, contract, outcome) == (f"{REVEAL_HOURS:02}:00:00", str(SEALED_BIDS[0]), "sold")
    rows = scalar(services, "SELECT array_agg(array[bidder_number::text, commitment, coalesce(amount::text, ''),"
                            " coalesce(salt, ''), forfeited::text] ORDER BY seq) FROM auction_commitments"
                            " WHERE lot_id = %s", lot)
    assert [(r[0], r[2], r[4]) for r in rows] == [("1", str(SEALED_BIDS[0]), "false"),
                                                  ("2", str(SEALED_BIDS[1]), "false"), ("3", "", "true")]
    for number, digest, amount, salt, _ in rows[:2]:
        assert commitment_of(lot, int(number), int(amount), salt) == digest
    events = [(type(e).__name__, vars(e)) for e in services.app.repository.event_store.get(UUID(lot))]
    revealed_by = {d["bidder_number"]: d["by"] for name, d in events if name == "BidRevealed"}
    assert {int(r[0]): r[3] for r in rows[:2]} == {n: salt_of(UUID(lot), by) for n, by in revealed_by.items()}
    assert scalar(services, "SELECT b.bidder_number FROM auction_lots l JOIN auction_bidders b ON b.session_id ="
                            " l.session_id AND b.organisation_id = l.winner_organisation_id WHERE l.id = %s",
                  lot) == 2
    reminded = [d["organisation_ids"] for name, d in events if name == "RevealReminded"]
    assert len(reminded) == 1
    assert len(reminded[0]) == 3


def check_brokers(services: Services) -> None:
    """The transfer agency's admin is an accredited broker; the agency holds a running mandate and an ended one;
    the broker introduced two enterprises to the running one: one confirmed, one awaiting its answer."""
    assert scalar(services, "SELECT array_agg(o.name) FROM market_brokers b"
                            " JOIN accounts_organisations o ON o.id = b.organisation_id"
                            " WHERE b.revoked_on IS NULL") == ["海峡技术转移中心"]
    assert scalar(services, "SELECT array_agg(commission::text || ':' || (ended_on IS NULL)::text"
                            " ORDER BY commission DESC) FROM market_mandates") == ["300:true", "250:false"]
    running = scalar(services, "SELECT listing_id FROM market_mandates WHERE ended_on IS NULL")
    assert scalar(services, "SELECT array_agg(status ORDER BY introduced_at, id) FROM market_introductions"
                            " WHERE listing_id = %s", running) == ["confirmed", "awaiting"]
    assert scalar(services, "SELECT status FROM catalogue_listings WHERE id = %s", running) == "published"


def check_year_of_deals(services: Services, today: date) -> None:
    """A year of licences for the statistics' charts: in force in each month of last calendar year (Beijing;
    this year's programmes raise no claim on them), across IPC sections and the three licence kinds, each
    registered (技术合同认定登记) with its own number."""
    contracts, months, sections, kinds, registered = scalar(
        services, "SELECT array[count(*), count(DISTINCT to_char(in_force_at AT TIME ZONE 'Asia/Shanghai', 'MM')),"
        " count(DISTINCT ipc_section), count(DISTINCT deal_kind),"
        " count(*) FILTER (WHERE registration_status = 'registered')]"
        " FROM market_stat_contracts WHERE extract(year FROM in_force_at AT TIME ZONE 'Asia/Shanghai')"
        " = %s", today.year - 1)
    assert contracts == sum(PER_MONTH)  # every slot of the year filled (28)
    assert months == 12
    assert sections == 4  # the demo catalogue's sections that offer a licence
    assert kinds == 3  # non-exclusive, sole and exclusive licences
    assert registered == contracts
    # By region (the statistics' chart): the sellers' Fujian cities told apart (福州, 厦门), and the buyers'.
    regions = "array_agg(DISTINCT coalesce(nullif(record_{0}_region, ''), nullif({0}_region, ''), 'unknown'))"
    assert scalar(services, f"SELECT {regions.format('seller')} FROM market_stat_contracts"
                            " WHERE in_force_at IS NOT NULL") == ["350100", "350200"]
    assert scalar(services, f"SELECT {regions.format('buyer')} FROM market_stat_contracts"
                            " WHERE in_force_at IS NOT NULL") == ["350100", "350200", "350500"]
    assert scalar(services, "SELECT count(DISTINCT number) = count(*) FROM market_tech_registrations"
                            " WHERE number <> ''")
    # The deadline worker, following the log once serving, raises no programme claim on them.
    raised = ClaimsProcess(services.app.programmes).run_once().raised
    last_year = set(scalar(services, "SELECT array_agg(contract_id) FROM market_stat_contracts"
                                     " WHERE extract(year FROM in_force_at AT TIME ZONE 'Asia/Shanghai')"
                                     " = %s", today.year - 1))
    assert not {services.app.repository.get(c).contract_id for c in raised} & last_year
    services.make_runner().catch_up()
    claimed = set(scalar(services, "SELECT array_agg(contract_id) FROM programme_claims") or [])
    assert claimed  # this year's paid deals did raise claims: the check above can see one
    assert not claimed & last_year


def check_packages(services: Services, today: date) -> None:
    """The transfer agency's package has two editions (the second adds two listings and drops one) and a
    follower told of the second; the department's is scheduled two weeks ahead."""
    rows = scalar(services, "SELECT array_agg(p.edition || ':' || coalesce((p.publish_on - %s::date)::text, '-')"
                            " || ':' || o.kind ORDER BY p.edition DESC) FROM market_packages p"
                            " JOIN accounts_organisations o ON o.id = p.organisation_id", today)
    assert rows == ["2:-:transfer_agency", "0:14:government"]
    assert scalar(services, "SELECT array_agg(cardinality(added) || '+' || cardinality(dropped) ORDER BY number)"
                            " FROM market_package_editions") == ["5+0", "2+1"]
    assert scalar(services, "SELECT array_agg(seen_edition) FROM market_package_followers WHERE following") == [1]


def check_demands(services: Services) -> None:
    """Two enterprises' technology demands: one open with two sealed proposals; one awarded to a university's
    commissioned development whose contract is in force (signed by both), its first milestone delivered,
    accepted and paid by bank transfer, the second still to deliver."""
    assert scalar(services, "SELECT array_agg(status || ':' || proposals ORDER BY status) FROM demand_demands"
                  ) == ["awarded:1", "open:2"]
    row = scalar(services, "SELECT array[c.contract_type, c.kind, c.status, c.terms->>'ownership',"
                           " array_to_string(c.milestones_delivered, ','), array_to_string(c.milestones_reached, ','),"
                           " cardinality(c.signed_by)::text]"
                           " FROM deal_contracts c JOIN demand_proposals p ON p.contract_id = c.id")
    assert row == ["DevelopmentContract", "commissioned_development", "in_force", "developer", "原理样机", "原理样机",
                   "2"]
    paid = scalar(services, "SELECT array_agg(o.purpose || ':' || o.status || ':' || o.amount)"
                            " FROM deal_obligations o JOIN deal_contracts c ON c.id = o.contract_id"
                            " WHERE c.contract_type = 'DevelopmentContract'")
    assert paid == ["milestone-原理样机:paid:20000000"]
    assert scalar(services, "SELECT count(*) FROM deal_benefit_shares s JOIN deal_contracts c ON c.id = s.contract_id"
                            " WHERE c.contract_type = 'DevelopmentContract' AND s.recipient = 'inventor'") == 1


def check_conversions(services: Services) -> None:
    """The science department runs a conversion programme; one funded patent is overdue, one due."""
    assert scalar(services, "SELECT count(*) FROM programmes WHERE kind = 'conversion' AND status = 'open'") == 1
    statuses = scalar(services, "SELECT array_agg(status ORDER BY deadline) FROM conversions")
    assert statuses == ["overdue", "due"]


def check_programmes(services: Services) -> None:
    """The science department runs a subsidy, a reward and innovation vouchers; the demo's paid deals have
    claims on them in every state: raised (awaiting their beneficiaries), submitted, approved (budget committed,
    not paid), rejected with its reason, paid, withdrawn (the deal refunded before payment), recovery due and
    recovered (paid, then the deal refunded)."""
    assert scalar(services, "SELECT array_agg(kind ORDER BY kind) FROM programmes WHERE status = 'open'"
                  " AND kind <> 'conversion'") == ["innovation_voucher", "purchase_subsidy", "transfer_reward"]
    statuses = scalar(services, "SELECT array_agg(status ORDER BY raised_at, id) FROM programme_claims")
    assert statuses[:3] == ["paid", "submitted", "rejected"]  # the first deals' claims, in order
    assert set(statuses) == {"raised", "submitted", "approved", "rejected", "paid", "withdrawn", "recovery_due",
                             "recovered"}
    reason = scalar(services, "SELECT reason FROM programme_claims WHERE status = 'rejected'")
    assert reason.startswith("合同金额含关联方")
    # Withdrawn and owed-back claims name the refund; they belong to refunded payments, the others to paid ones.
    assert scalar(services, "SELECT bool_and(o.status = CASE WHEN c.status IN ('withdrawn', 'recovery_due',"
                            " 'recovered') THEN 'refunded' ELSE 'paid' END) FROM programme_claims c"
                            " JOIN deal_obligations o ON o.id = c.obligation_id")
    # Approved claims hold the budget; paid and recovery-due ones were disbursed; recovered ones came back.
    programmes = "FROM programmes WHERE kind NOT IN ('innovation_voucher', 'conversion')"
    assert scalar(services, f"SELECT sum(committed) {programmes}") == scalar(
        services, "SELECT sum(approved_amount) FROM programme_claims WHERE status = 'approved'") > 0
    assert scalar(services, f"SELECT sum(disbursed) {programmes}") == scalar(
        services, "SELECT sum(approved_amount) FROM programme_claims WHERE status IN ('paid', 'recovery_due')") > 0
    assert scalar(services, "SELECT count(*) FROM programme_claims WHERE status = 'recovered'"
                            " AND disbursement_reference <> ''") >= 1


def check_vouchers(services: Services) -> None:
    """The voucher programme's enterprises hold vouchers in several states: one spent on a licence fee and
    settled with the seller, one spent and awaiting settlement, one unused and one about to expire; the book
    reconciles to the programme's budget. One application sent online awaits the officer, one was refused."""
    rows = scalar(services, "SELECT array_agg(o.name || ':' || v.status || ':' || (v.remaining < v.face_value)"
                            " ORDER BY v.issued_at, v.id) FROM programme_vouchers v"
                            " JOIN accounts_organisations o ON o.id = v.organisation_id")
    assert rows == ["厦门智造装备有限公司:active:true", "泉州海洋生物科技有限公司:active:true",
                    "Minjiang Robotics Co., Ltd.:active:false", "福州新能源科技有限公司:active:false"]
    assert scalar(services, "SELECT array_agg(r.status || ':' || d.status ORDER BY r.redeemed_at)"
                            " FROM programme_voucher_redemptions r JOIN deal_obligations d ON d.id = r.obligation_id"
                            ) == ["settled:paid", "owed:paid"]
    assert scalar(services, "SELECT bool_and(d.voucher_amount = r.amount AND d.paid_amount = r.cost)"
                            " FROM programme_voucher_redemptions r JOIN deal_obligations d ON d.id = r.obligation_id")
    book = scalar(services, "SELECT array[sum(face_value), sum(remaining + owed + settled + returned), sum(settled),"
                            " sum(remaining + owed)] FROM programme_vouchers")
    assert book[0] == book[1]  # issued = unspent + owed + settled + returned
    assert scalar(services, "SELECT array[disbursed, committed] FROM programmes WHERE kind = 'innovation_voucher'"
                  ) == [book[2], book[3]]
    assert scalar(services, "SELECT array_agg(o.name || ':' || a.status ORDER BY a.applied_at, a.id)"
                            " FROM programme_voucher_applications a"
                            " JOIN accounts_organisations o ON o.id = a.organisation_id"
                            ) == ["Minjiang Robotics Co., Ltd.:applied", "福州新能源科技有限公司:refused"]


def check_deals(services: Services) -> None:
    """A visitor finds a sale, a price in public notice, a negotiation and assessments."""
    assert scalar(services, "SELECT count(*) FROM catalogue_listings WHERE status = 'closed'") == 1
    in_force = "SELECT count(*) FROM deal_contracts WHERE status = 'in_force' AND kind = 'assignment'"
    assert scalar(services, in_force) == 1
    assert scalar(services, "SELECT count(*) FROM deal_contracts WHERE notice_ends_at > now()") == 1
    assert scalar(services, "SELECT count(*) FROM deal_offers WHERE status = 'open'") == 1
    assert scalar(services, "SELECT count(*) FROM deal_benefit_shares") >= 2
    assert scalar(services, "SELECT count(*) FROM valuation_assessments WHERE status = 'current'") == 3
    assert scalar(services, "SELECT count(*) FROM valuation_accreditations") == 1


def check_listings(services: Services, report: DemoReport) -> None:
    with psycopg.connect(services.address.conninfo()) as conn:
        rows = conn.execute("SELECT status, count(*) FROM catalogue_listings GROUP BY status").fetchall()
        statuses: dict[str, int] = dict(rows)
        lapsed = conn.execute(
            "SELECT count(*) FROM catalogue_listings l JOIN catalogue_patents p ON p.id = l.patent_id"
            " WHERE l.status = 'suspended' AND p.legal_status = 'lapsed' AND l.legal_status = 'lapsed'"
        ).fetchone()
        conflicting = conn.execute(
            "SELECT count(*) FROM catalogue_listings WHERE 'open_licence' = ANY(deal_types)"
            " AND deal_types && ARRAY['exclusive_licence', 'sole_licence']"
        ).fetchone()
        prices = conn.execute(
            "SELECT min(asking_price), max(asking_price) FROM catalogue_listings WHERE price_mode = 'fixed'"
        ).fetchone()
        open_terms = conn.execute(
            "SELECT count(*) FROM catalogue_listings WHERE price_mode = 'open_licence' AND open_licence IS NULL"
        ).fetchone()
    assert set(statuses) == {"published", "draft", "withdrawn", "suspended", "closed"}  # closed: sold
    assert statuses["published"] == report.published
    assert statuses["published"] > LISTINGS * 0.7
    assert lapsed == (statuses["suspended"],)
    assert conflicting == (0,)
    assert open_terms == (0,)
    assert prices is not None
    assert 50_000_00 <= prices[0] <= prices[1] <= 5_000_000_00


def check_patents(services: Services) -> None:
    with psycopg.connect(services.address.conninfo()) as conn:
        both, zh_only, en_only = conn.execute(
            "SELECT count(*) FILTER (WHERE title_zh <> '' AND title_en <> ''),"
            " count(*) FILTER (WHERE title_en = ''), count(*) FILTER (WHERE title_zh = '')"
            " FROM catalogue_patents"
        ).fetchone() or (0, 0, 0)
        inconsistent_dates = conn.execute(
            "SELECT count(*) FROM catalogue_patents WHERE publication_date < filing_date"
            " OR grant_date < publication_date OR grant_date < filing_date"
            " OR (legal_status IN ('granted', 'lapsed')) <> (grant_date IS NOT NULL)"
        ).fetchone()
        kinds = conn.execute(
            "SELECT count(*) FROM catalogue_patents WHERE publication_number IS NOT NULL AND NOT ("
            " (patent_type = 'invention' AND publication_number ~ '^CN1[0-9]{8}A$')"
            " OR (patent_type = 'utility_model' AND publication_number ~ '^CN2[0-9]{8}U$')"
            " OR (patent_type = 'design' AND publication_number ~ '^CN3[0-9]{8}S$'))"
        ).fetchone()
        co_owned = conn.execute("SELECT count(*) FROM catalogue_patents WHERE cardinality(owner_ids) = 2").fetchone()
        titles = [r[0] for r in conn.execute("SELECT title_zh FROM catalogue_listings").fetchall()]
    assert both > LISTINGS / 2
    assert zh_only > 0
    assert en_only > 0
    assert inconsistent_dates == (0,)
    assert kinds == (0,)
    assert co_owned is not None
    assert co_owned[0] > 0
    assert any("电池" in t for t in titles)


def test_a_second_seed_is_refused_and_every_account_can_log_in(seeded: tuple[Services, DemoReport]) -> None:
    services, report = seeded
    assert not is_empty(services.app)
    before = services.app.recorder.max_notification_id()
    with pytest.raises(ConflictError):
        seed_demo(services.app, listings=5)
    assert services.app.recorder.max_notification_id() == before

    roles = {role for account in report.accounts for role in account.roles}
    assert {"platform_admin", "org_admin", "valuer", "programme_officer", "auditor"} <= roles
    for account in report.accounts:
        assert len(account.password) >= 10
        user = services.app.accounts.authenticate(account.email, account.password)
        assert user is not None, account.email
        assert sorted(user.roles) == sorted(account.roles)
    assert services.app.accounts.authenticate(report.accounts[0].email, report.accounts[0].password + "x") is None
    assert len({a.password for a in report.accounts}) == len(report.accounts)


def test_same_seed_gives_the_same_content_but_new_passwords(ipc_scheme: IpcScheme) -> None:
    def seeded_patents() -> tuple[DemoReport, list[tuple[str, str, str]]]:
        app = Marketplace(  # the demo's sale is paid by bank transfer
            {"PERSISTENCE_MODULE": "eventsourcing.popo"}, ipc_scheme=ipc_scheme,
            gateways=build_gateways(Settings.from_env({})),
        )
        assert is_empty(app)
        report = seed_demo(app, listings=12, seed=7)
        patents = []
        for notification in app.recorder.select_notifications(start=1, limit=10_000):
            aggregate: object = app.repository.get(UUID(str(notification.originator_id)))
            if isinstance(aggregate, Patent) and notification.topic.endswith(".Registered"):
                patents.append((aggregate.application_number or "", aggregate.title_zh, aggregate.title_en))
        return report, patents

    first, first_patents = seeded_patents()
    second, second_patents = seeded_patents()
    assert len(first_patents) == 12 + len(CONVERSION_PATENTS)
    assert first_patents == second_patents
    assert [a.email for a in first.accounts] == [a.email for a in second.accounts]
    assert {a.password for a in first.accounts}.isdisjoint({a.password for a in second.accounts})


def test_every_ipc_code_of_the_vocabulary_is_in_the_2020_scheme(ipc_scheme: IpcScheme) -> None:
    codes = {
        code
        for field in TECHNICAL_FIELDS
        for subject in (*field.materials, *field.processes, *field.devices)
        for code in subject.ipc
    }
    assert len(TECHNICAL_FIELDS) >= 10
    assert all(field.devices and field.designs for field in TECHNICAL_FIELDS)
    missing = sorted(code for code in codes if not ipc_scheme.contains(parse_ipc(code)))
    assert missing == []
