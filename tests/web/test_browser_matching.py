"""Matching, explained, in a real browser (issue 13): an enterprise's demand page shows the matching listings of
the demo catalogue with their reasons as readable phrases, in Chinese and in English; the seller of the best
match sees the demand among its listing's matching demands; no page scrolls sideways on a phone."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from domain.demand.demand import BEIJING
from marketplace.demand import demand_commands as mc
from tests.web.test_browser import (  # noqa: F401 - fixtures
    Served,
    assert_fits,
    browser,
    en,
    log_in,
    page,
    served,
    zh,
)


def _post_demand(where: Served, listing: dict[str, Any]) -> UUID:
    """The demo enterprise posts a demand in the field of ``listing`` (as its form would), and the matching read
    model has written it."""
    firm = where.account_of("厦门智造装备有限公司")
    assert firm is not None
    with where.connect() as conn:
        user = conn.execute("SELECT id FROM accounts_users WHERE email = %s", (firm.email,)).fetchone()
    assert user is not None
    app = where.services.app
    deadline = app.clock.now().astimezone(BEIJING).date() + timedelta(days=20)
    demand, _ = app.demands.post(mc.PostDemand(
        title_zh=f"寻求{listing['title_zh'].removeprefix('一种')}技术", description_zh="希望尽快产业化。",
        problem="现有工艺良率低", targets="良率 ≥ 95%", ipc_codes=[listing["ipc_codes"][0]],
        keywords=list(listing["keywords"][:2]), budget_min=0, budget_max=2_000_000_000, deadline=deadline,
        wants=["purchase", "licence"]), actor_id=user["id"])
    for _ in range(300):
        with where.connect() as conn:
            if conn.execute("SELECT 1 FROM matching_demands WHERE id = %s", (demand,)).fetchone():
                return demand
        time.sleep(0.1)
    raise AssertionError("the matching read model did not take the demand")


@pytest.mark.browser
def test_a_demand_page_shows_ranked_matches_with_reasons_in_both_languages_and_the_seller_sees_the_demand(
    served: Served, page: Page,  # noqa: F811 - the fixtures of test_browser
) -> None:
    listing = next(x for x in served.listings() if x["ipc_codes"] and x["title_zh"] and x["keywords"]
                   and served.account_of(x["organisation_name"]) is not None)
    code = listing["ipc_codes"][0]
    demand = _post_demand(served, listing)

    page.goto(f"{served.url}/demands/{demand}")
    matches = page.locator("#matching-listings li.match")
    expect(page.locator("#matching-listings h2")).to_have_text(zh("match.listings"))
    expect(matches.first).to_be_visible()
    ours = matches.filter(has=page.locator(f"a[href='/listings/{listing['id']}']"))
    expect(ours).to_have_count(1)
    expect(ours.locator("li.reason-ipc_group")).to_have_text(zh("match.reason.ipc_group").format(values=code))
    expect(ours.locator("li.reason-terms")).to_contain_text(zh("match.reason.terms").split("{")[0])
    expect(ours.locator("li.reason-terms")).to_contain_text(listing["keywords"][0])
    expect(ours.locator("li.reason-price")).to_have_text(zh("match.reason.price"))
    # The first match is the closest: it shares the same IPC group too.
    expect(matches.first.locator("li.reason-ipc_group")).to_have_count(1)
    assert_fits(page, "demand-matches")

    page.locator("a[data-lang-switch]").click()
    expect(page.locator("#matching-listings h2")).to_have_text(en("match.listings"))
    expect(ours.locator("li.reason-ipc_group")).to_have_text(en("match.reason.ipc_group").format(values=code))
    expect(ours.locator("li.reason-terms")).to_contain_text("terms: ")
    expect(ours.locator("li.reason-price")).to_have_text(en("match.reason.price"))
    assert_fits(page, "demand-matches-en")
    page.locator("a[data-lang-switch]").click()

    # The listing's seller sees the demand among its listing's matching demands.
    seller = served.account_of(listing["organisation_name"])
    assert seller is not None
    log_in(page, served, seller)
    page.goto(f"{served.url}/listings/{listing['id']}")
    section = page.locator("#matching-demands")
    expect(section.locator("h2")).to_have_text(zh("match.demands"))
    expect(section.locator(f"a[href='/demands/{demand}']")).to_have_count(1)
    expect(section.locator("li.reason-ipc_group").first).to_be_visible()
