"""As-of replay latency: the state of a listing with 1,000 events, by version and by instant.

Versions (1 .. 1,000) and instants (one per save of 10 revisions) are drawn uniformly over the whole
history, not only the last versions. Goal: ≤ 5 ms. Baseline in the same run: the same replay from
events alone (no snapshots), which is what the application would do without its snapshotting
interval of 50.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime
from typing import Any
from uuid import UUID

from benchmarks.common import BenchResult, Context, at_most, fresh_database, make_services, median, percentile, say
from domain.catalogue.listing import Listing, ListingTerms, Maturity
from domain.catalogue.patent_numbers import cn_check_character
from domain.shared.money import Money
from marketplace.accounts import commands as ac
from marketplace.audit.replay import state_at
from marketplace.catalogue import commands as cc
from marketplace.platform.application import Marketplace

EVENTS = 1_000
SAMPLES = 200


class NoSnapshots(Marketplace):
    """The same application reading events only."""

    name = "marketplace"  # the same event store
    snapshotting_intervals = {}  # noqa: RUF012 - overriding the parent's class attribute


def _listing_with_events(app: Marketplace, count: int) -> tuple[UUID, list[datetime]]:
    admin = app.accounts.bootstrap_platform_admin(email="ops@bench.test", password="a-long-password",
                                                  display_name="Ops", organisation_name="Bench Ops")
    user, _ = app.accounts.sign_up(ac.SignUp(email="tto@bench.test", password="a-long-password", display_name="TTO",
                                             organisation_name="基准大学", organisation_kind="university"))
    org: UUID = app.repository.get(user).organisation_id
    app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org), actor_id=admin)
    digits = "202010100001"
    patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
        application_number=f"{digits}.{cn_check_character(digits)}", patent_type="invention",
        title_zh="一种基准测试用锂电池", filing_date=date(2020, 1, 1),
        owners=[cc.OwnerShare(organisation_id=org, share=100)]), actor_id=user)
    listing_id, _ = app.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent, deal_types=["assignment"], price_mode="fixed", asking_price=1_000_000,
        maturity="pilot"), actor_id=user)
    listing: Listing = app.repository.get(listing_id)
    times: list[datetime] = []
    rng = random.Random(7)
    while listing.version < count:
        for _ in range(min(10, count - listing.version)):  # an instant every 10 versions, across the whole history
            terms = ListingTerms(("assignment",), "fixed", Money(rng.randrange(100_000, 90_000_000)), None,
                                 Maturity.PILOT.value, None, "", "", ())
            listing.revise(terms, by=user)
        app.save(listing)
        times.append(datetime.now().astimezone())
        time.sleep(0.001)
    return listing_id, times


def _latencies(fn: Any, samples: int) -> list[float]:
    values = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        values.append((time.perf_counter() - started) * 1000)
    return values


def run(ctx: Context) -> BenchResult:
    result = BenchResult("as_of")
    samples = 50 if ctx.quick else SAMPLES
    with fresh_database(ctx.server, "as_of") as address:
        services = make_services(address, with_scheme=False)
        env = {k: v for k, v in services.app.env.items() if k != "IS_SNAPSHOTTING_ENABLED"}
        plain_app = NoSnapshots(env)
        try:
            listing_id, instants = _listing_with_events(services.app, EVENTS)
            rng = random.Random(11)
            # Versions and instants drawn uniformly over the whole history (1 .. 1,000), not only the last ones.
            versions = [rng.randint(1, EVENTS) for _ in range(samples)]
            drawn = list(versions)
            with_snapshots = _latencies(lambda: state_at(services.app, listing_id, version=versions.pop()), samples)
            versions = list(drawn)
            from_events = _latencies(lambda: state_at(plain_app, listing_id, version=versions.pop()), samples)
            moments = [rng.choice(instants) for _ in range(samples)]
            by_instant = _latencies(lambda: state_at(services.app, listing_id, at=moments.pop()), samples)
        finally:
            plain_app.close()
            services.close()
    say(f"  by version: p50 {median(with_snapshots):.2f} ms with snapshots, {median(from_events):.2f} ms from events")
    result.add("state at a version (1,000 events) p50", median(with_snapshots), "ms",
               baseline=median(from_events), baseline_name="from events only, p50")
    p99 = percentile(with_snapshots, 99)
    result.add("state at a version (1,000 events) p99", p99, "ms", target="≤ 5 ms", met=at_most(p99, 5))
    p99_instant = percentile(by_instant, 99)
    result.add("state at an instant (1,000 events) p99", p99_instant, "ms", target="≤ 5 ms",
               met=at_most(p99_instant, 5))
    result.details.update(events=EVENTS, samples=samples, versions=sorted(drawn), instants=len(instants),
                          sampling="uniform over versions 1..1,000 and over all save instants")
    return result
