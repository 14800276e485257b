"""An agency's admins applying for its subsidy at once on a real PostgreSQL (issue 14): one claim, each payment
claimed once, and the yearly cap held when the officer's approvals race; a refund handled while the agency applies
is caught when the claim is approved."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest

from domain.programmes.claim import Claim
from domain.shared.errors import ConflictError
from marketplace.accounts import commands as ac
from marketplace.deals import commands as d
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from marketplace.programmes import commands as pc
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import PASSWORD, World, make_world
from tests.unit.test_agency_subsidy import YUAN, agency_programme, brokered_deal
from tests.unit.test_programme_process import sign_up

CLICKS = 4


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = make_world(database.eventsourcing_env())
    sign_up(w, "officer", "福建省科学技术厅", "government", "福建省福州市", ("programme_officer",))
    sign_up(w, "agency", "福建海峡技术转移中心", "transfer_agency", "福建省福州市")
    w.ids["patent2"] = w.register_patent(["uni"], number="202110654321")
    w.ids["listing2"] = w.list_patent("uni", w["patent2"])
    yield w
    w.app.close()


def second_admin(world: World) -> UUID:
    user, _ = world.app.accounts.add_member(ac.AddMember(email="admin2@example.test", password=PASSWORD,
                                                         display_name="admin2"), actor_id=world["agency"])
    world.app.accounts.grant_role(ac.GrantRole(user_id=user, role="org_admin"), actor_id=world["agency"])
    return user


def test_applications_at_once_make_one_claim(world: World) -> None:
    pid = agency_programme(world)
    paid = brokered_deal(world, "listing", 1_000_000 * YUAN)
    admins = [world["agency"], second_admin(world)]
    outcomes = race(world, *[
        (lambda who=admins[n % 2]: world.app.agency_subsidies.apply(
            pc.ApplyForAgencySubsidy(programme_id=pid, year=2025, payee_account="3500 1234"), actor_id=who))
        for n in range(CLICKS)])
    answered = {o[0] for o in outcomes if isinstance(o, tuple)}
    assert len(answered) == 1, outcomes  # every click answers the one claim (or was told to try again)
    assert all(isinstance(o, tuple) or getattr(o, "code", "") == "claim.busy" for o in outcomes), outcomes
    (claim_id,) = answered
    claim = world.get(claim_id)
    assert isinstance(claim, Claim)
    assert (claim.status, claim.amount) == ("submitted", 20_000 * YUAN)
    ledger = world.app.programmes.ledger(pid, world["agency_org"], 2025)
    assert ledger.counted_payments == {paid}
    assert ledger.claims == [claim_id]
    assert ledger.paid_counted == 1_000_000 * YUAN


def test_approvals_at_once_hold_the_yearly_cap_across_claims(world: World) -> None:
    pid = agency_programme(world, cap=25_000 * YUAN)
    brokered_deal(world, "listing", 1_000_000 * YUAN)
    first, _ = world.app.agency_subsidies.apply(
        pc.ApplyForAgencySubsidy(programme_id=pid, year=2025, payee_account="3500 1"), actor_id=world["agency"])
    brokered_deal(world, "listing2", 1_000_000 * YUAN)
    second, _ = world.app.agency_subsidies.apply(
        pc.ApplyForAgencySubsidy(programme_id=pid, year=2025, payee_account="3500 1"), actor_id=world["agency"])
    outcomes = race(world, *[
        (lambda c=claim: world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=c), actor_id=world["officer"]))
        for claim in (first, second)])
    approved = sorted(o[0] for o in outcomes if isinstance(o, tuple))
    assert approved == [5_000 * YUAN, 20_000 * YUAN], outcomes
    assert world.app.programmes.ledger(pid, world["agency_org"], 2025).awarded == 25_000 * YUAN


def test_two_refunds_of_a_paid_claim_at_once_owe_back_two_shares_once_each(world: World) -> None:
    pid = agency_programme(world)
    one = brokered_deal(world, "listing", 1_000_000 * YUAN)  # 20,000 yuan of the award
    two = brokered_deal(world, "listing2", 500_000 * YUAN)  # 10,000 yuan
    claim, _ = world.app.agency_subsidies.apply(
        pc.ApplyForAgencySubsidy(programme_id=pid, year=2025, payee_account="3500 1"), actor_id=world["agency"])
    world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim), actor_id=world["officer"])
    world.app.programmes.record_disbursement(pc.RecordDisbursement(claim_id=claim, bank_reference="HX-1"),
                                             actor_id=world["officer"])
    for refunded in (one, two):
        world.app.payments.refund_payment(d.RefundPayment(obligation_id=refunded, reason="合同解除"),
                                          actor_id=world["admin"])
    # Each refund handled twice at once (two workers following the log), all four together.
    outcomes = race(world, *[(lambda o=o: world.app.programmes.reverse_payment(o, "退款"))
                             for o in (one, two, one, two)])
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert sorted(len(o) for o in outcomes) == [0, 0, 1, 1], outcomes  # each refund changed the claim once
    c = world.get(claim)
    assert isinstance(c, Claim)
    assert (c.status, c.owed_back, c.parts_owed) == ("recovery_due", 30_000 * YUAN,
                                                     {one: 20_000 * YUAN, two: 10_000 * YUAN})
    parts = [e for e in world.app.repository.event_store.get(claim) if type(e).__name__ == "PartRecoveryRaised"]
    assert len(parts) == 2

    # Two officers' clicks recording the repayment at once: repaid once, the budget restored once.
    repaid = race(world, *[(lambda: world.app.programmes.record_recovery(
        pc.RecordRecovery(claim_id=claim, bank_reference="HK-7"), actor_id=world["officer"])) for _ in range(2)])
    assert sum(isinstance(o, int) for o in repaid) == 1, repaid
    c = world.get(claim)
    assert (c.status, c.repaid) == ("recovered", 30_000 * YUAN)
    assert world.get(pid).disbursed == 0
    assert world.app.programmes.ledger(pid, world["agency_org"], 2025).awarded == 0


def test_a_refund_handled_while_the_agency_applies_is_caught_at_approval(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The application reads its basis; a refund is handled (and its claims reversed: none saved yet) before the
    claim is saved. The claim counts the refunded payment, so approving it withdraws it, and the agency's new
    claim counts only the payment kept."""
    pid = agency_programme(world)
    kept = brokered_deal(world, "listing", 1_000_000 * YUAN)
    refunded = brokered_deal(world, "listing2", 500_000 * YUAN)
    subsidies = world.app.agency_subsidies
    computed = subsidies._figures
    basis_read, refund_done = threading.Event(), threading.Event()

    def slow(*args: object, **kwargs: object) -> object:
        figures = computed(*args, **kwargs)  # type: ignore[arg-type]
        basis_read.set()
        assert refund_done.wait(30)
        return figures

    def refund_meanwhile() -> list[UUID]:
        assert basis_read.wait(30)
        world.app.payments.refund_payment(d.RefundPayment(obligation_id=refunded, reason="合同解除"),
                                          actor_id=world["admin"])
        reversed_claims = world.app.programmes.reverse_payment(refunded, "退款")
        refund_done.set()
        return reversed_claims

    monkeypatch.setattr(subsidies, "_figures", slow)
    with ThreadPoolExecutor(2) as pool:
        applying = pool.submit(lambda: subsidies.apply(
            pc.ApplyForAgencySubsidy(programme_id=pid, year=2025, payee_account="3500 1"), actor_id=world["agency"]))
        refunding = pool.submit(refund_meanwhile)
        first, _ = applying.result(60)
        assert refunding.result(60) == []  # the refund found no claim to reverse
    monkeypatch.undo()
    assert world.get(first).amount == 30_000 * YUAN  # saved counting the refunded payment
    with pytest.raises(ConflictError) as refused:
        world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=first), actor_id=world["officer"])
    assert refused.value.code == "agency_subsidy.basis_changed"
    assert world.get(first).status == "withdrawn"
    assert world.get(pid).remaining == world.get(pid).budget
    again, _ = subsidies.apply(pc.ApplyForAgencySubsidy(programme_id=pid, year=2025, payee_account="3500 1"),
                               actor_id=world["agency"])
    claim = world.get(again)
    assert (claim.amount, claim.paid_amount) == (20_000 * YUAN, 1_000_000 * YUAN)
    assert {(b["obligation_id"], b["counts"]) for b in claim.basis} == {(str(kept), True), (str(refunded), False)}
    assert world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=again),
                                              actor_id=world["officer"])[0] == 20_000 * YUAN
