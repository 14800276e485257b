"""Auctions in a real browser, issue 15's "done when" from the users' side: the platform admin adds a sealed
second-price lot from the session's "add lot" form (format and reveal window typed on the form, Beijing time), and a
bidder pays its deposit by card from the lot page (Stripe's card form; here a stand-in for Stripe.js whose
confirmation asks localstripe to confirm the PaymentIntent, and localstripe's webhook reaches the served site); then
a bidder's view across a session of three lots — a timed lot sniped and answered by a proxy, a sealed second-price lot
with one unrevealed commitment, a lot missing its reserve: each page shows its phase while bidding, committing and
revealing, and after the close the public log with bidder numbers only, no organisation names.

The site runs on a test clock (the deadline worker is driven by it), so the windows pass without waiting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect

from domain.auctions.sealed import commitment_of
from marketplace.demo.catalogue import DemoAccount
from marketplace.platform.clock import ManualClock
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.deadlines import DeadlineWorker
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import Settings
from tests.localstripe import Localstripe, confirm_with_test_card
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    _wait_for_projections,
    browser,
    log_in,
    log_out,
    page,
    served,
    zh,
)
from tests.web.test_browser_auction_admin import schedule_and_fill_lot, this_minute
from tests.web.test_browser_auctions import _api, _token
from web.formats import money

BEIJING = ZoneInfo("Asia/Shanghai")
WEBHOOK_SECRET = "whsec_browser_auctions"
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)
FIRM, RIVAL = "厦门智造装备有限公司", "福州新能源科技有限公司"

# Stripe.js as the lot page uses it (the Payment Element, confirmPayment): confirming asks "Stripe" to confirm the
# PaymentIntent (the test answers that request by confirming it in localstripe with a test card), then returns the
# payer to the return URL, as Stripe does.
FAKE_STRIPE_JS = """
window.Stripe = function (key) {
  var secret = null;
  return {
    elements: function (options) {
      secret = options.clientSecret;
      return { create: function () { return { mount: function (selector) {
        document.querySelector(selector).textContent = "card number 4242 4242 4242 4242";
      } }; } };
    },
    confirmPayment: function (args) {
      var intent = secret.split("_secret_")[0];
      return fetch("https://api.stripe.com/v1/payment_intents/" + intent + "/confirm", { method: "POST" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.error) { return { error: body.error }; }
          window.location.assign(args.confirmParams.return_url);
          return {};
        });
    }
  };
};
"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def services(database: DatabaseAddress, ipc_scheme: Any, tmp_path: Path, clock: ManualClock,
             localstripe: Localstripe) -> Iterator[Services]:
    """The site with card payments through localstripe, on the test clock."""
    settings = Settings.from_env({
        "MARKETPLACE_DATA_DIR": str(tmp_path), "MARKETPLACE_DEMO_DATA": "0",
        "MARKETPLACE_STRIPE_API_KEY": localstripe.api_key, "MARKETPLACE_STRIPE_API_BASE": localstripe.api_base,
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "MARKETPLACE_STRIPE_LOCALSTRIPE": "1",
        "MARKETPLACE_STRIPE_PUBLISHABLE_KEY": "pk_test_browser_auctions"})
    svc = build_services(settings, address=database, ipc_scheme=ipc_scheme, clock=clock)
    yield svc
    svc.close()


def _stand_in_for_stripe(tab: Page, localstripe: Localstripe, confirmed: list[str]) -> None:
    def confirm(route: Route) -> None:
        intent = route.request.url.split("/payment_intents/")[1].split("/")[0]
        confirm_with_test_card(localstripe.client, intent)
        confirmed.append(intent)
        route.fulfill(status=200, body='{"status": "succeeded"}', content_type="application/json",
                      headers={"access-control-allow-origin": "*"})

    tab.route("https://js.stripe.com/v3/", lambda route: route.fulfill(
        status=200, body=FAKE_STRIPE_JS, content_type="text/javascript"))
    tab.route("https://api.stripe.com/v1/payment_intents/*/confirm", confirm)


def _org_of(tab: Page, server: Served, who: DemoAccount) -> str:
    return str(_api(tab, server, "POST", "/api/auth/token", body={"email": who.email,
                                                                    "password": who.password})["organisation_id"])


def _until(tab: Page, server: Served, path: str, selector: str, text: str, seconds: float = 15.0) -> None:
    """Reload ``path`` until ``selector`` contains ``text`` (a read model follows a webhook a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        tab.goto(f"{server.url}{path}")
        if text in tab.locator(selector).inner_text():
            return
        assert time.monotonic() < deadline, tab.locator(selector).inner_text()
        time.sleep(0.3)


@pytest.mark.browser
def test_an_admin_adds_a_sealed_lot_from_the_form_and_a_bidder_pays_its_deposit_by_card(
    served: Served, page: Page, localstripe: Localstripe,  # noqa: F811 - the fixtures of test_browser
) -> None:
    localstripe.register_webhook(f"{served.url}/webhooks/stripe", WEBHOOK_SECRET, webhook_id="wh_browser_auctions")
    ops = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    firm = served.account_of(FIRM)
    assert firm is not None
    listing, owner = next(iter(served.free_listings(firm)))

    log_in(page, served, ops)
    page.goto(f"{served.url}/auctions/manage")
    page.locator("#title-zh").fill("密封报价专场")
    now = this_minute(served)  # the lot opens at once: the commitments below need it open
    session = schedule_and_fill_lot(page, listing, now, now + HOUR)
    page.locator("#lot-format").select_option("sealed_second_price")
    page.locator("#reveal-closes-at").fill((now + 2 * HOUR).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#add-lot-submit").click()
    expect(page.locator("#done")).to_have_text(zh("auction.done.lot_added"))
    expect(page.locator("#lot-table td.format")).to_have_text(zh("auction.format.sealed_second_price"))
    lot = (page.locator("#lot-table tbody tr a").get_attribute("href") or "").removeprefix("/lots/")
    log_out(page)
    with served.connect() as conn:
        row = conn.execute("SELECT auction_format, closes_at, reveal_closes_at, deposit FROM auction_lots"
                           " WHERE id = %s", (lot,)).fetchone()
    assert row == {"auction_format": "sealed_second_price", "closes_at": now + HOUR,
                   "reveal_closes_at": now + 2 * HOUR, "deposit": 100_000}

    _api(page, served, "POST", f"/api/lots/{lot}/consent", _token(page, served, owner.email, owner.password))
    _api(page, served, "POST", f"/api/auctions/{session}/bidders", _token(page, served, firm.email, firm.password),
         {"accept_rules": True})

    # The bidder pays by card from the lot page.
    confirmed: list[str] = []
    _stand_in_for_stripe(page, localstripe, confirmed)
    log_in(page, served, firm)
    page.goto(f"{served.url}/lots/{lot}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.commit"))
    expect(page.locator("#pay-deposit")).to_have_text(zh("auction.pay_deposit_transfer"))
    page.locator("#pay-deposit-card").click()
    expect(page.locator("#payment-element")).to_have_text("card number 4242 4242 4242 4242")
    expect(page.locator("#card-submit")).to_have_text(f"{zh('payment.card_pay')} {money(100_000)}")
    page.locator("#card-submit").click()
    page.wait_for_url(f"{served.url}/lots/{lot}")
    assert len(confirmed) == 1
    assert localstripe.client.v1.payment_intents.retrieve(confirmed[0]).to_dict()["amount"] == 100_000
    _until(page, served, f"/lots/{lot}", "#deposit-state", zh("auction.deposit.received"))
    expect(page.locator("#commit-form")).to_be_visible()
    expect(page.locator("#pay-deposit-card")).to_have_count(0)
    with served.connect() as conn:
        assert conn.execute("SELECT gateway, status FROM auction_deposits WHERE lot_id = %s", (lot,)).fetchall() == [
            {"gateway": "stripe", "status": "received"}]


@pytest.mark.browser
def test_a_bidders_view_across_the_three_lots_of_a_session(
    served: Served, page: Page, clock: ManualClock,  # noqa: F811 - the fixtures of test_browser
) -> None:
    ops = next(a for a in served.demo.accounts if "platform_admin" in a.roles)
    firm, rival = served.account_of(FIRM), served.account_of(RIVAL)
    assert firm is not None
    assert rival is not None
    free = [(r, o) for r, o in served.free_listings(firm) if o.organisation != rival.organisation]
    third = next(a for a in served.demo.accounts if "org_admin" in a.roles and a.organisation.endswith("有限公司")
                 and a.organisation not in (FIRM, RIVAL) and all(o.organisation != a.organisation for _, o in free[:3]))
    bidders = (firm, rival, third)
    start = clock.now()
    admin = _token(page, served, ops.email, ops.password)
    session = _api(page, served, "POST", "/api/auctions", admin,
                   {"title_zh": "春季专利拍卖会", "deposit_rate": 1000})["id"]

    def add(listing: dict[str, Any], **more: Any) -> str:
        return str(_api(page, served, "POST", f"/api/auctions/{session}/lots", admin, {
            "session_id": session, "listing_id": listing["id"], "kind": "assignment", "start_price": 1_000_000,
            "reserve": 1_200_000, "increment": 100_000, "opens_at": start.isoformat(),
            "closes_at": (start + HOUR).isoformat(), **more})["id"])

    a = add(free[0][0])
    b = add(free[1][0], auction_format="sealed_second_price", reveal_closes_at=(start + 2 * HOUR).isoformat())
    c = add(free[2][0], reserve=9_000_000, reserve_shown=True)
    for (_, owner), lot in zip(free, (a, b, c), strict=False):
        _api(page, served, "POST", f"/api/lots/{lot}/consent", _token(page, served, owner.email, owner.password))
    tokens = {m.email: _token(page, served, m.email, m.password) for m in bidders}
    numbers = {}
    for m in bidders:
        numbers[m.email] = _api(page, served, "POST", f"/api/auctions/{session}/bidders", tokens[m.email],
                                {"accept_rules": True})["bidder_number"]
        for lot in (a, b, c):
            _api(page, served, "POST", f"/api/lots/{lot}/deposit", tokens[m.email], {"gateway": "manual"})
            _api(page, served, "POST", f"/api/lots/{lot}/deposit-receipt", admin, {
                "organisation_id": _org_of(page, served, m), "amount": 100_000, "bank_reference": f"B-{lot[:8]}"})
    assert [numbers[m.email] for m in bidders] == [1, 2, 3]
    salt = "5e" * 32

    def bid(who: DemoAccount, lot: str, amount: int) -> None:
        _api(page, served, "POST", f"/api/lots/{lot}/bids", tokens[who.email], {"amount": amount})

    def commit(who: DemoAccount, amount: int) -> None:
        _api(page, served, "POST", f"/api/lots/{b}/commitments", tokens[who.email],
             {"commitment": commitment_of(b, numbers[who.email], amount, salt)})

    bid(firm, a, 1_000_000)
    _api(page, served, "POST", f"/api/lots/{a}/proxy", tokens[rival.email], {"maximum": 1_500_000})
    commit(firm, 1_500_000)
    commit(rival, 1_300_000)
    commit(third, 9_000_000)
    bid(rival, c, 1_000_000)

    # The firm's view while bidding and committing: phases and live figures, no log yet.
    log_in(page, served, firm)
    page.goto(f"{served.url}/lots/{a}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.bidding"))
    expect(page.locator("#current-price")).to_have_text("1.10 万元")
    expect(page.locator("#leader")).to_have_text("2")
    expect(page.locator("#bid-log")).to_have_count(0)
    page.goto(f"{served.url}/lots/{b}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.commit"))
    expect(page.locator("#commitment-count")).to_have_text("3")
    expect(page.locator("#bid-log")).to_have_count(0)
    page.goto(f"{served.url}/lots/{c}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.bidding"))
    expect(page.locator("#reserve")).to_have_text("9 万元")
    expect(page.locator("#reserve-met")).to_have_text(zh("auction.no"))

    # Three minutes before the end the firm snipes: the end moves five minutes, the rival's proxy answers.
    clock.set(start + 57 * MINUTE)
    bid(firm, a, 1_300_000)
    page.goto(f"{served.url}/lots/{a}")
    expect(page.locator("#current-price")).to_have_text("1.40 万元")
    expect(page.locator("#leader")).to_have_text("2")
    expect(page.locator("#closes-at")).to_contain_text((start + 65 * MINUTE).astimezone(BEIJING).strftime("%H:%M"))

    # The commit deadline passes: the sealed lot's page turns to the reveal phase; two of three reveal.
    clock.set(start + 61 * MINUTE)
    page.goto(f"{served.url}/lots/{b}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.reveal"))
    for who, amount in ((firm, 1_500_000), (rival, 1_300_000)):
        _api(page, served, "POST", f"/api/lots/{b}/reveals", tokens[who.email], {"amount": amount, "salt": salt})
    page.goto(f"{served.url}/lots/{a}")
    expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.bidding"))  # its end moved

    # Every window ends; the deadline worker closes the lots.
    clock.set(start + 2 * HOUR)
    closed = DeadlineWorker(served.services).run_once().lots_closed
    assert sorted(str(x) for x in closed) == sorted([a, b, c])
    _wait_for_projections(served)
    names = [m.organisation for m in bidders]

    def closed_page(lot: str, status: str, log: list[list[str]]) -> None:
        page.goto(f"{served.url}/lots/{lot}")
        expect(page.locator("#lot-status")).to_have_text(zh(f"auction.status.{status}"))
        expect(page.locator("#lot-phase")).to_have_text(zh("auction.phase.closed"))
        rows = page.locator("#bid-log tbody tr")
        expect(rows).to_have_count(len(log))
        for row, cells in zip(rows.all(), log, strict=True):
            shown = row.locator("td").all_inner_texts()
            assert [shown[i] for i in range(len(cells))] == cells, shown
        text = page.locator("main").inner_text()
        assert not [n for n in names if n in text], (lot, text)

    bidder = zh("auction.bidder")
    closed_page(a, "sold", [["1", f"{bidder} 1", "1 万元"], ["2", f"{bidder} 2", "1.10 万元"],
                            ["3", f"{bidder} 1", "1.30 万元"], ["4", f"{bidder} 2", "1.40 万元"]])
    expect(page.locator("#outcome")).to_contain_text("1.40 万元")
    closed_page(b, "sold", [["1", f"{bidder} 1", "1.50 万元"], ["2", f"{bidder} 2", "1.30 万元"],
                            ["3", f"{bidder} 3", zh("auction.forfeited")]])
    expect(page.locator("#outcome")).to_contain_text("1.30 万元")
    closed_page(c, "unsold", [["1", f"{bidder} 2", "1 万元"]])
    expect(page.locator("#outcome")).to_have_text(zh("auction.outcome.reserve_not_met"))
