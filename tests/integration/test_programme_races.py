"""Officers approving claims at once on a real PostgreSQL: the budget is never overspent and no
beneficiary-year cap is exceeded (issue 12). Each approval saves the claim, the programme and the
ledger together; a save that lost the race is evaluated again on the state that won."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.programmes.programme import Programme
from domain.shared.errors import ConflictError
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from marketplace.programmes import commands as pc
from marketplace.programmes.claims_process import ClaimsProcess
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import World, accept, make_world, offer, past_notice, pay_by_webhook, sign_all
from tests.unit.tech_registration_helpers import register
from tests.unit.test_programme_process import PRICE, YUAN, programme, seller_reward, sign_up

DEALS = 4


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = make_world(database.eventsourcing_env())
    sign_up(w, "officer", "福建省科学技术厅", "government", "福建省福州市", ("programme_officer",))
    sign_up(w, "fafu", "福建农林大学", "university", "福建省福州市")
    sign_up(w, "maker", "厦门海沧精密制造有限公司", "enterprise", "福建省厦门市")
    yield w
    w.app.close()


def submitted_claims(world: World) -> list[UUID]:
    """``DEALS`` paid sales by the university, each raising a ¥10,000 claim it submits."""
    for n in range(DEALS):
        patent = world.register_patent(["fafu"], number=f"20211065{n:04d}")
        listing = world.list_patent("fafu", patent, asking_price=PRICE)
        contract = accept(world, offer(world, buyer="maker", price=PRICE, listing_id=listing), by="fafu")
        past_notice(world)
        sign_all(world, contract, "fafu", "maker")
        pay_by_webhook(world, contract, payer="maker", event_id=f"evt_{n}")
    claims = ClaimsProcess(world.app.programmes).run_once().raised
    assert len(claims) == DEALS
    for n, claim in enumerate(claims):
        number = f"2026350100{n:06d}"  # the registry's number the seller recorded for the contract
        register(world.app, world.get(claim).contract_id, world["fafu"], number)
        world.app.programmes.submit_claim(pc.SubmitClaim(claim_id=claim, payee_account="35001234567890",
                                                         registration_number=number),
                                          actor_id=world["fafu"])
    return claims


def approve_all_at_once(world: World, claims: list[UUID]) -> list[object]:
    return race(world, *[
        (lambda c=claim: world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=c), actor_id=world["officer"]))
        for claim in claims])


def test_concurrent_approvals_never_overspend_the_budget(world: World) -> None:
    pid = programme(world, "transfer_reward", seller_reward(), budget=25_000 * YUAN)
    claims = submitted_claims(world)
    outcomes = approve_all_at_once(world, claims)
    approved = sorted(o[0] for o in outcomes if isinstance(o, tuple))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert approved == [5_000 * YUAN, 10_000 * YUAN, 10_000 * YUAN], outcomes
    assert len(refused) == 1
    assert isinstance(refused[0], ConflictError)
    budget = world.get(pid)
    assert isinstance(budget, Programme)
    assert budget.remaining == 0
    assert sum(budget.committed.values()) == 25_000 * YUAN
    statuses = sorted(world.get(c).status for c in claims)
    assert statuses == ["approved", "approved", "approved", "submitted"]


def test_concurrent_approvals_never_pass_the_beneficiarys_yearly_cap(world: World) -> None:
    rules = seller_reward()
    capped = pc.RulesInput(beneficiary=rules.beneficiary, tiers=rules.tiers, cap_per_deal=rules.cap_per_deal,
                           cap_per_beneficiary_year=15_000 * YUAN, buyer_region="福建", seller_region="福建")
    pid = programme(world, "transfer_reward", capped)
    claims = submitted_claims(world)
    outcomes = approve_all_at_once(world, claims)
    approved = sorted(o[0] for o in outcomes if isinstance(o, tuple))
    assert approved == [5_000 * YUAN, 10_000 * YUAN], outcomes
    budget = world.get(pid)
    assert sum(budget.committed.values()) == 15_000 * YUAN
