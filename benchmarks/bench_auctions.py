"""Accepted bids per second and bid latency on one hot auction lot with N concurrent bidders, against raw PostgreSQL.

Setup: a platform admin, a verified university listing patents, N verified enterprises registered for one session.
In interleaved rounds (noise on this shared machine hits every side alike):

- raw: single-row INSERT transactions on one connection (the same baseline as the ``commands`` benchmark, with a
  row the size of a ``Lot.BidPlaced`` event);
- hot lot: a fresh consented lot whose N bidders' deposits are received; N threads bid at once, each ``ATTEMPTS``
  times, each bid the smallest raise over the price it last read plus a random 0–4 increments (as a bidder acting
  on the live page would). A bid saved at the same time as another is validated again against it (a version clash:
  ``Auctions._retry``), so some bids are refused as too low or as the bidder's own lead: the figure is the
  accepted bids per second of wall time over the round, and the latency of accepted bids (the command's call,
  retries included).

Every lot ends with its bids strictly ascending (checked): the figures are of a correct auction.
"""

from __future__ import annotations

import itertools
import os
import random
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from benchmarks.bench_commands import Commands, raw_connection, raw_inserts
from benchmarks.common import BenchResult, Context, execute, fresh_database, median, percentile, say
from domain.auctions.lot import Lot
from domain.shared.errors import DomainError
from domain.shared.ids import organisation_id
from marketplace.accounts import commands as acc
from marketplace.auctions import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.services import build_services
from marketplace.platform.settings import Settings

START_PRICE, INCREMENT = 1_000_000, 10_000
ATTEMPTS = 10


class HotLot(Commands):
    """The seller's listings, the bidders and one session, on top of the commands benchmark's setup."""

    def __init__(self, app: Any, bidders: int) -> None:
        super().__init__(app)
        self.bidders: list[tuple[UUID, UUID]] = []  # (user, organisation)
        for i in range(bidders):
            name = f"竞买企业{i:02d}（基准测试）"
            user, _ = app.accounts.sign_up(acc.SignUp(
                email=f"bidder{i}@bench.example.cn", password="bench-bidder-password", display_name=f"竞买人{i}",
                organisation_name=name, organisation_kind="enterprise", region="厦门"))
            org = organisation_id(name)
            app.accounts.verify_organisation(acc.VerifyOrganisation(organisation_id=org), actor_id=self.admin)
            self.bidders.append((user, org))
        self.session, _ = app.auctions.schedule_session(ac.ScheduleSession(title_zh="基准测试拍卖会"),
                                                        actor_id=self.admin)
        for user, _ in self.bidders:
            app.auctions.register(ac.RegisterBidder(session_id=self.session, accept_rules=True), actor_id=user)

    def lot(self) -> UUID:
        """A fresh consented lot, every bidder's deposit received."""
        app = self.app
        patent, _ = app.catalogue.register_patent(self.register(), actor_id=self.user)
        listing, _ = app.catalogue.draft_listing(self.draft(patent), actor_id=self.user)
        app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=self.user)
        now = app.clock.now()
        lot: UUID
        lot, _ = app.auctions.add_lot(ac.AddLot(
            session_id=self.session, listing_id=listing, kind="assignment", start_price=START_PRICE,
            increment=INCREMENT, opens_at=now, closes_at=now + timedelta(hours=6)), actor_id=self.admin)
        app.auctions.consent(ac.ConsentToLot(lot_id=lot), actor_id=self.user)
        deposit = app.repository.get(lot).deposit
        for user, org in self.bidders:
            app.auctions.start_deposit(ac.StartDeposit(lot_id=lot, gateway="manual"), actor_id=user)
            app.auctions.record_deposit(ac.RecordDepositReceipt(lot_id=lot, organisation_id=org, amount=deposit,
                                                                bank_reference=f"BENCH-{org.hex[:8]}"),
                                        actor_id=self.admin)
        return lot

    def bidding(self, lot: UUID) -> tuple[int, int, float, list[float]]:
        """All bidders at once on ``lot``: (accepted, refused, wall seconds, accepted bids' latencies)."""
        barrier = threading.Barrier(len(self.bidders))
        latencies: list[float] = []
        refused: list[str] = []
        lock = threading.Lock()

        def bidder(user: UUID, seed: int) -> None:
            draw = random.Random(seed)
            barrier.wait(timeout=60)
            for _ in range(ATTEMPTS):
                held: Lot = self.app.repository.get(lot)
                amount = held.least + draw.randint(0, 4) * INCREMENT
                began = time.perf_counter()
                try:
                    self.app.auctions.bid(ac.PlaceBid(lot_id=lot, amount=amount), actor_id=user)
                except DomainError as error:
                    with lock:
                        refused.append(error.code or "")
                else:
                    with lock:
                        latencies.append(time.perf_counter() - began)

        threads = [threading.Thread(target=bidder, args=(user, i)) for i, (user, _) in enumerate(self.bidders)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        amounts = [int(b["amount"]) for b in self.app.repository.get(lot).bids]
        assert len(amounts) == len(latencies), (len(amounts), len(latencies))
        assert all(a < b for a, b in itertools.pairwise(amounts)), "a lower bid was accepted after a higher one"
        return len(latencies), len(refused), wall, latencies


def pooled_services(address: DatabaseAddress, pool_size: int) -> Any:
    """As ``make_services``, with a pool of ``pool_size`` connections."""
    data_dir = Path(tempfile.gettempdir()) / "mkt-bench-unused"
    settings = Settings.from_env({"MARKETPLACE_DATA_DIR": str(data_dir), "MARKETPLACE_DEMO_DATA": "0",
                                  "MARKETPLACE_DB_POOL_SIZE": str(pool_size)})
    return build_services(settings, address=address, ipc_scheme=None)


def run(ctx: Context) -> BenchResult:
    result = BenchResult("auctions")
    rounds, bidders = (2, 8) if ctx.quick else (3, 16)
    n_raw = 200 if ctx.quick else 500
    with fresh_database(ctx.server, "auctions") as address:
        services = pooled_services(address, bidders + 4)  # a connection per bidder thread: none waits for one
        try:
            say(f"  setting up {bidders} bidders and {rounds + 1} lots ...")
            hot = HotLot(services.app, bidders)
            lots = [hot.lot() for _ in range(rounds + 1)]
            hot.bidding(lots[0])  # warm up: connections, prepared statements, imports
            size = int(execute(address, "SELECT avg(octet_length(state)) FROM marketplace_events"
                                        " WHERE topic LIKE 'domain.auctions.lot:Lot.BidPlaced'")[0][0])
            state = os.urandom(size)
            raw_lat: list[float] = []
            bid_lat: list[float] = []
            raw_rates: list[float] = []
            bid_rates: list[float] = []
            decided_rates: list[float] = []
            tried = accepted_all = 0
            with raw_connection(address) as conn:
                raw_inserts(conn, 20, state)
                for r in range(rounds):
                    started = time.perf_counter()
                    raw_lat += raw_inserts(conn, n_raw, state)
                    raw_rates.append(n_raw / (time.perf_counter() - started))
                    accepted, refused, wall, latencies = hot.bidding(lots[r + 1])
                    bid_lat += latencies
                    bid_rates.append(accepted / wall)
                    decided_rates.append((accepted + refused) / wall)
                    tried += accepted + refused
                    accepted_all += accepted
                    say(f"  round {r + 1}: {accepted} bids accepted of {accepted + refused} in {wall:.2f} s")
        finally:
            services.close()
    raw = median(raw_rates)
    ratios = [b / r for b, r in zip(bid_rates, raw_rates, strict=True)]
    p50, p99 = median(bid_lat) * 1000, percentile(bid_lat, 99) * 1000
    raw_p50, raw_p99 = median(raw_lat) * 1000, percentile(raw_lat, 99) * 1000
    say(f"  raw single-row INSERT transaction: {raw:,.0f}/s, p50 {raw_p50:.2f} ms, p99 {raw_p99:.2f} ms")
    say(f"  hot lot, {bidders} bidders at once: {median(bid_rates):,.0f} accepted bids/s, p50 {p50:.1f} ms,"
        f" p99 {p99:.1f} ms; per round vs raw: " + ", ".join(f"{x:.1%}" for x in ratios)
        + f"; bids decided (accepted or refused) {median(decided_rates):,.0f}/s")
    result.add(f"accepted bids/s, one lot, {bidders} bidders", median(bid_rates), "bid/s", baseline=raw,
               baseline_name="raw tx/s")
    result.add("bids decided/s (accepted or refused)", median(decided_rates), "bid/s", baseline=raw,
               baseline_name="raw tx/s")
    result.add("accepted bid latency p99", p99, "ms", baseline=raw_p99, baseline_name="raw tx p99 ms")
    result.add("raw single-row INSERT transaction", raw, "tx/s")
    result.details.update(round_ratios=ratios, bidders=bidders, attempts_per_bidder=ATTEMPTS, rates=bid_rates,
                          raw_rates=raw_rates,
                          decided_rates=decided_rates,
                          accepted=accepted_all, tried=tried, bid_p50_ms=p50, bid_p99_ms=p99, raw_p50_ms=raw_p50,
                          raw_p99_ms=raw_p99)
    return result
