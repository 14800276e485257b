"""The agency performance subsidy (Fujian 2019: up to 2 % of the deals an agency brokered, at most ¥500,000 a year):
its rules as pure functions, and an agency's claim for a year computed from the log (in memory)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from domain.market.brokers import broker_id
from domain.programmes.agency_subsidy import (
    FUJIAN_CAP_PER_YEAR,
    FUJIAN_RATE_BP,
    BrokeredPayment,
    agency_refusals,
    assess_year,
    basis_id,
    payment_shares,
)
from domain.programmes.claim import AwardLedger, Claim
from domain.programmes.programme import Programme
from domain.programmes.rules import Rules, Side, Tier, Totals
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.deals import commands as d
from marketplace.market import commands as mc
from marketplace.programmes import commands as pc
from tests.unit.deal_helpers import World, accept, make_world, offer, past_notice, pay_by_webhook, sign_all
from tests.unit.test_programme_process import sign_up

YUAN = 100
FUJIAN = Rules(beneficiary=Side.AGENCY, tiers=(Tier(FUJIAN_RATE_BP),), cap_per_beneficiary_year=FUJIAN_CAP_PER_YEAR,
               requires_registration=False)
AT = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)


def paid(amount_yuan: int, *refusals: str, contract: UUID | None = None) -> BrokeredPayment:
    return BrokeredPayment(obligation_id=uuid4(), contract_id=contract or uuid4(), paid_at=AT,
                           amount=amount_yuan * YUAN, refusals=refusals)


def test_two_percent_of_the_counted_payments_and_every_step_shown() -> None:
    one = uuid4()
    payments = [paid(1_000_000, contract=one), paid(500_000, contract=one), paid(300_000, "x.refunded")]
    award = assess_year(FUJIAN, payments)
    assert award.amount == 30_000 * YUAN  # 2 % of 1,500,000 yuan; the refunded 300,000 does not count
    assert [s.key for s in award.steps] == ["agency_subsidy.step.volume", "programme.step.rate",
                                            "programme.step.subtotal"]
    assert award.steps[0].figures == {"payments": 2, "deals": 1}
    assert award.steps[0].amount == 1_500_000 * YUAN


def test_the_yearly_cap_is_500000_yuan_and_counts_what_the_year_awarded_before() -> None:
    award = assess_year(FUJIAN, [paid(30_000_000)])  # 2 %: 600,000 yuan
    assert award.amount == 500_000 * YUAN
    assert award.steps[-1].key == "programme.step.cap_per_year"
    later = assess_year(FUJIAN, [paid(10_000_000)], Totals(year_paid=20_000_000 * YUAN, year_awarded=400_000 * YUAN))
    assert later.amount == 100_000 * YUAN  # 200,000 computed, 100,000 of the cap left


def test_tiers_continue_from_what_the_year_counted_before() -> None:
    tiered = Rules(beneficiary=Side.AGENCY, tiers=(Tier(200, 1_000_000 * YUAN), Tier(100)))
    award = assess_year(tiered, [paid(1_000_000)], Totals(year_paid=500_000 * YUAN))
    assert award.amount == (500_000 * 200 + 500_000 * 100) * YUAN // 10_000


def test_nothing_counted_gives_nothing_with_its_reason() -> None:
    award = assess_year(FUJIAN, [paid(100, "agency_subsidy.refusal.terminated")])
    assert (award.amount, award.refusals) == (0, ("agency_subsidy.refusal.nothing_counted",))


def test_the_basis_id_names_the_payments_whatever_their_order() -> None:
    programme, agency, a, b = uuid4(), uuid4(), uuid4(), uuid4()
    assert basis_id(programme, agency, 2025, [a, b]) == basis_id(programme, agency, 2025, [b, a])
    assert basis_id(programme, agency, 2025, [a]) != basis_id(programme, agency, 2025, [a, b])
    assert basis_id(programme, agency, 2025, [a]) != basis_id(programme, agency, 2026, [a])


def test_the_refusals_come_in_a_fixed_order() -> None:
    assert agency_refusals(refunded=True, terminated=True, rule_refusals=["programme.refusal.fiscally_funded"],
                           requires_registration=True, registered=False, agency_related=True,
                           excludes_related=True) == (
        "agency_subsidy.refusal.refunded", "agency_subsidy.refusal.terminated",
        "agency_subsidy.refusal.not_registered", "agency_subsidy.refusal.agency_related",
        "programme.refusal.fiscally_funded")
    assert agency_refusals(refunded=False, terminated=False, rule_refusals=[], requires_registration=False,
                           registered=False, agency_related=True, excludes_related=False) == ()


def test_only_an_agency_subsidy_rewards_an_agency_and_it_awards_no_single_payment() -> None:
    officer = uuid4()
    with pytest.raises(ValidationError) as refused:
        Programme.draft(organisation_id=uuid4(), kind="transfer_reward", name_zh="奖励", name_en="Reward", budget=1,
                        starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), rules=FUJIAN, by=officer)
    assert refused.value.code == "programme.beneficiary"
    with pytest.raises(ValidationError) as seller_rules:
        Programme.draft(organisation_id=uuid4(), kind="agency_subsidy", name_zh="补助", name_en="Subsidy", budget=1,
                        starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
                        rules=Rules(beneficiary=Side.SELLER, tiers=(Tier(200),)), by=officer)
    assert (seller_rules.value.code, seller_rules.value.field) == ("programme.beneficiary", "rules.beneficiary")
    p = Programme.draft(organisation_id=uuid4(), kind="agency_subsidy", name_zh="补助", name_en="Subsidy", budget=1,
                        starts_on=date(2025, 1, 1), ends_on=date(2026, 6, 30), rules=FUJIAN, by=officer)
    p.open(officer)
    assert not p.runs_on(date(2025, 6, 1))  # the claims process never awards it per payment
    assert (p.runs_in(2024), p.runs_in(2025), p.runs_in(2026), p.runs_in(2027)) == (False, True, True, False)


# --- the application, in memory -------------------------------------------------------------------------
@pytest.fixture
def world() -> World:
    w = make_world()
    sign_up(w, "officer", "福建省科学技术厅", "government", "福建省福州市", ("programme_officer",))
    sign_up(w, "other_officer", "厦门市科学技术局", "government", "福建省厦门市", ("programme_officer",))
    sign_up(w, "agency", "福建海峡技术转移中心", "transfer_agency", "福建省福州市")
    sign_up(w, "rival_agency", "厦门技术转移中心", "transfer_agency", "福建省厦门市")
    w.ids["patent2"] = w.register_patent(["uni"], number="202110654321")
    w.ids["listing2"] = w.list_patent("uni", w["patent2"])
    w.ids["patent3"] = w.register_patent(["uni"], number="202210777777")
    w.ids["listing3"] = w.list_patent("uni", w["patent3"])
    return w


def agency_programme(world: World, *, budget: int = 5_000_000 * YUAN, cap: int = FUJIAN_CAP_PER_YEAR,
                     **rules: object) -> UUID:
    pid, _ = world.app.programmes.draft_programme(pc.DraftProgramme(
        kind="agency_subsidy", name_zh="技术转移机构业绩补助", name_en="Agency performance subsidy", budget=budget,
        starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31),
        rules=pc.RulesInput(beneficiary="agency", tiers=[pc.TierInput(rate_bp=FUJIAN_RATE_BP)],
                            cap_per_beneficiary_year=cap, requires_registration=False, **rules),  # type: ignore[arg-type]
        source="闽政〔2019〕"), actor_id=world["officer"])
    world.app.programmes.open_programme(pc.OpenProgramme(programme_id=pid), actor_id=world["officer"])
    return pid


def mandate(world: World, listing: str, agency: str = "agency") -> None:
    """The seller (the university) mandates the agency for the listing at 3 %, to the end of 2026."""
    world.app.brokers.give_mandate(mc.GiveMandate(listing_id=world[listing], agency_id=world[f"{agency}_org"],
                                                  commission=3.0, ends_on=date(2026, 12, 31)), actor_id=world["uni"])


def introduced(world: World, listing: str, buyer: str, agency: str = "agency") -> None:
    """The agency's accredited broker introduces the buyer to the listing under a mandate; the buyer confirms."""
    mandate(world, listing, agency)
    if not world.app.exists(broker_id(world[agency])):
        world.app.brokers.accredit_broker(mc.AccreditBroker(user_id=world[agency], credential_number="FJ-JJR-1",
                                                            expires_on=date(2027, 1, 1)), actor_id=world["admin"])
    iid, _ = world.app.brokers.introduce_buyer(
        mc.IntroduceBuyer(listing_id=world[listing], buyer_organisation_id=world[f"{buyer}_org"]),
        actor_id=world[agency])
    world.app.brokers.confirm_introduction(mc.ConfirmIntroduction(introduction_id=iid), actor_id=world[buyer])


def brokered_deal(world: World, listing: str, price: int, *, buyer: str = "firm", agency: str | None = "agency",
                  purpose_event: str = "evt", basis: str = "mandate") -> UUID:
    """A paid deal on the listing; the agency brokers it under the seller's mandate (``mandate``), by a confirmed
    introduction (``introduction``: the buyer names no broker, the offer carries it) or named by the buyer only,
    at 0 % (``named``)."""
    broker: dict[str, object] = {}
    if agency and basis == "mandate":
        mandate(world, listing, agency)
        broker = {"broker_organisation_id": world[f"{agency}_org"], "broker_commission": 3.0}
    elif agency and basis == "introduction":
        introduced(world, listing, buyer, agency)
    elif agency:
        broker = {"broker_organisation_id": world[f"{agency}_org"], "broker_commission": 0.0}
    contract = accept(world, offer(world, buyer=buyer, price=price, listing_id=world[listing], **broker))
    past_notice(world)
    sign_all(world, contract, "uni", buyer)
    return pay_by_webhook(world, contract, payer=buyer, event_id=f"{purpose_event}-{contract}")


def apply(world: World, pid: UUID, who: str = "agency", year: int = 2025) -> UUID:
    cid, _ = world.app.agency_subsidies.apply(
        pc.ApplyForAgencySubsidy(programme_id=pid, year=year, payee_account="3500 1234 5678"), actor_id=world[who])
    return cid


def test_an_agency_claims_its_years_brokered_payments_and_is_paid(world: World) -> None:
    pid = agency_programme(world)
    first = brokered_deal(world, "listing", 1_000_000 * YUAN)
    refunded = brokered_deal(world, "listing2", 400_000 * YUAN)
    brokered_deal(world, "listing3", 700_000 * YUAN, agency=None)  # not brokered: not the agency's
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=refunded, reason="合同解除"),
                                      actor_id=world["admin"])
    figures = world.app.agency_subsidies.figures(pid, 2025, actor_id=world["agency"])
    assert [(p.obligation_id, p.counts) for p in figures.payments] == [(first, True), (refunded, False)]
    assert figures.payments[1].refusals[0] == "agency_subsidy.refusal.refunded"
    assert figures.assessment.amount == 1_000_000 * YUAN * 200 // 10_000
    cid = apply(world, pid)
    claim = world.get(cid)
    assert isinstance(claim, Claim)
    assert (claim.status, claim.side, claim.amount, claim.paid_amount) == ("submitted", "agency", 20_000 * YUAN,
                                                                           1_000_000 * YUAN)
    assert [b["obligation_id"] for b in claim.basis or []] == [str(first), str(refunded)]
    amount, _ = world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=cid), actor_id=world["officer"])
    assert amount == 20_000 * YUAN
    world.app.programmes.record_disbursement(pc.RecordDisbursement(claim_id=cid, bank_reference="HX-2025-01"),
                                             actor_id=world["officer"])
    assert world.get(cid).status == "paid"
    assert world.get(pid).disbursed == 20_000 * YUAN


def test_applying_twice_makes_one_claim_and_a_second_claim_takes_only_new_payments(world: World) -> None:
    pid = agency_programme(world)
    brokered_deal(world, "listing", 1_000_000 * YUAN)
    first = apply(world, pid)
    assert apply(world, pid) == first  # the double click answers the first claim
    later = brokered_deal(world, "listing2", 500_000 * YUAN)
    second = apply(world, pid)
    assert second != first
    assert [b["obligation_id"] for b in world.get(second).basis] == [str(later)]
    assert world.get(second).amount == 10_000 * YUAN


def test_the_yearly_cap_holds_across_two_claims(world: World) -> None:
    pid = agency_programme(world, cap=25_000 * YUAN)
    brokered_deal(world, "listing", 1_000_000 * YUAN)  # 20,000 yuan
    first = apply(world, pid)
    brokered_deal(world, "listing2", 1_000_000 * YUAN)  # another 20,000 yuan, 5,000 of the cap left once approved
    second = apply(world, pid)
    assert world.get(second).amount == 20_000 * YUAN  # nothing approved yet: the cap is applied at approval
    officer = world["officer"]
    assert world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=first), actor_id=officer)[0] == 20_000 * YUAN
    assert world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=second), actor_id=officer)[0] == 5_000 * YUAN
    assert world.get(second).steps[-1]["key"] == "programme.step.cap_at_approval"
    ledger = world.app.programmes.ledger(pid, world["agency_org"], 2025)
    assert isinstance(ledger, AwardLedger)
    assert ledger.awarded == 25_000 * YUAN


def test_who_may_apply(world: World) -> None:
    pid = agency_programme(world)
    brokered_deal(world, "listing", 1_000_000 * YUAN)
    with pytest.raises(PermissionDeniedError) as refused:  # the seller is no agency
        apply(world, pid, who="uni")
    assert refused.value.code == "agency_subsidy.not_agency"
    # Another agency has no brokered payment: nothing to claim, and it never sees the first agency's.
    with pytest.raises(ConflictError) as nothing:
        apply(world, pid, who="rival_agency")
    assert nothing.value.code == "agency_subsidy.nothing_to_claim"
    with pytest.raises(PermissionDeniedError) as rival:  # an agency's figures are its own and the programme officers'
        world.app.agency_subsidies.figures(pid, 2025, world["agency_org"], actor_id=world["rival_agency"])
    assert rival.value.code == "role.needed"
    with pytest.raises(PermissionDeniedError) as other:  # an officer of another department
        world.app.agency_subsidies.figures(pid, 2025, world["agency_org"], actor_id=world["other_officer"])
    assert other.value.code == "programme.other_organisation"
    assert world.app.agency_subsidies.figures(pid, 2025, world["agency_org"],
                                              actor_id=world["officer"]).assessment.amount == 20_000 * YUAN
    with pytest.raises(ValidationError) as outside:
        apply(world, pid, year=2027)
    assert outside.value.code == "agency_subsidy.year_outside"
    assert world.app.agency_subsidies.figures(pid, 2025, actor_id=world["agency"]).payments  # not consumed


def test_an_unverified_agency_cannot_apply(world: World) -> None:
    pid = agency_programme(world)
    world.sign_up("newcomer", "新成立技术转移所", "transfer_agency", verify=False)
    with pytest.raises(PermissionDeniedError) as refused:
        apply(world, pid, who="newcomer")
    assert refused.value.code == "agency_subsidy.unverified"


def test_the_officer_raises_every_agencys_claim_and_the_agency_submits_it(world: World) -> None:
    pid = agency_programme(world)
    brokered_deal(world, "listing", 1_000_000 * YUAN)
    brokered_deal(world, "listing2", 600_000 * YUAN, agency="rival_agency")
    with pytest.raises(PermissionDeniedError) as other:
        world.app.agency_subsidies.raise_for_agencies(pc.RaiseAgencySubsidies(programme_id=pid, year=2025),
                                                      actor_id=world["other_officer"])
    assert other.value.code == "programme.other_organisation"
    raised, _ = world.app.agency_subsidies.raise_for_agencies(pc.RaiseAgencySubsidies(programme_id=pid, year=2025),
                                                              actor_id=world["officer"])
    by_agency = {world.get(c).beneficiary_id: world.get(c) for c in raised}
    assert {k: (c.status, c.amount) for k, c in by_agency.items()} == {
        world["agency_org"]: ("raised", 20_000 * YUAN), world["rival_agency_org"]: ("raised", 12_000 * YUAN)}
    again, _ = world.app.agency_subsidies.raise_for_agencies(pc.RaiseAgencySubsidies(programme_id=pid, year=2025),
                                                             actor_id=world["officer"])
    assert again == []  # each payment is claimed once
    claim = by_agency[world["agency_org"]]
    world.app.programmes.submit_claim(pc.SubmitClaim(claim_id=claim.id, payee_account="3500 9"),
                                      actor_id=world["agency"])
    assert world.get(claim.id).status == "submitted"


def test_a_refund_withdraws_the_unpaid_claim_and_the_agency_claims_the_rest_again(world: World) -> None:
    pid = agency_programme(world)
    kept = brokered_deal(world, "listing", 1_000_000 * YUAN)
    refunded = brokered_deal(world, "listing2", 500_000 * YUAN)
    first = apply(world, pid)
    world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=first), actor_id=world["officer"])
    assert world.get(pid).remaining == 5_000_000 * YUAN - 30_000 * YUAN
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=refunded, reason="合同解除"),
                                      actor_id=world["admin"])
    assert world.app.programmes.reverse_payment(refunded, "退款") == [first]  # the claims process's step
    assert world.get(first).status == "withdrawn"
    assert world.get(pid).remaining == 5_000_000 * YUAN  # the commitment returned
    assert world.app.programmes.reverse_payment(refunded, "退款") == []  # handled again: no second effect
    again = apply(world, pid)
    assert again != first
    claim = world.get(again)
    assert (claim.amount, claim.paid_amount) == (20_000 * YUAN, 1_000_000 * YUAN)
    assert {(b["obligation_id"], b["counts"]) for b in claim.basis} == {(str(kept), True), (str(refunded), False)}


def paid_claim(world: World, pid: UUID) -> UUID:
    claim = apply(world, pid)
    world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim), actor_id=world["officer"])
    world.app.programmes.record_disbursement(pc.RecordDisbursement(claim_id=claim, bank_reference="HX-1"),
                                             actor_id=world["officer"])
    return claim


def refund(world: World, obligation: UUID) -> list[UUID]:
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=obligation, reason="合同解除"),
                                      actor_id=world["admin"])
    return world.app.programmes.reverse_payment(obligation, "退款")  # the claims process's step


def recover(world: World, claim: UUID, reference: str) -> None:
    world.app.programmes.record_recovery(pc.RecordRecovery(claim_id=claim, bank_reference=reference),
                                         actor_id=world["officer"])


def entry(amount: int, counts: bool = True) -> dict[str, object]:
    return {"obligation_id": str(uuid4()), "amount": amount, "counts": counts}


def test_a_payments_share_is_the_rate_times_its_amount_and_the_shares_add_up_to_the_award() -> None:
    a, b, skipped = entry(1_000_000 * YUAN), entry(500_000 * YUAN), entry(300_000 * YUAN, counts=False)
    shares = payment_shares(30_000 * YUAN, [a, skipped, b])  # uncut: 2 % of 1,500,000 yuan
    assert shares == {UUID(str(a["obligation_id"])): 20_000 * YUAN, UUID(str(b["obligation_id"])): 10_000 * YUAN}
    cut = payment_shares(25_000 * YUAN, [a, skipped, b])  # the cap cut the claim to 25,000 yuan
    assert list(cut.values()) == [1_666_666, 833_334]  # in proportion, rounded down where they run up
    assert sum(cut.values()) == 25_000 * YUAN
    odd = [entry(333), entry(333), entry(334)]
    assert list(payment_shares(7, odd).values()) == [2, 2, 3]  # 7 × 333 // 1000 = 2, 7 × 666 // 1000 = 4, 7
    assert payment_shares(0, odd) == {UUID(str(e["obligation_id"])): 0 for e in odd}


def test_a_refund_after_the_claim_was_paid_owes_back_that_payments_share(world: World) -> None:
    pid = agency_programme(world)
    kept = brokered_deal(world, "listing", 1_000_000 * YUAN)
    refunded = brokered_deal(world, "listing2", 500_000 * YUAN)
    claim = paid_claim(world, pid)
    assert world.get(pid).disbursed == 30_000 * YUAN
    assert refund(world, refunded) == [claim]
    c = world.get(claim)
    assert (c.status, c.owed_back, c.repaid, c.parts_owed) == ("recovery_due", 10_000 * YUAN, 0,
                                                              {refunded: 10_000 * YUAN})
    assert world.app.programmes.reverse_payment(refunded, "退款") == []  # handled again: owed once
    assert world.get(claim).owed_back == 10_000 * YUAN
    assert world.get(pid).disbursed == 30_000 * YUAN  # the budget returns once repaid
    with pytest.raises(PermissionDeniedError) as agency:  # only the programme's officers record a repayment
        world.app.programmes.record_recovery(pc.RecordRecovery(claim_id=claim, bank_reference="R-1"),
                                             actor_id=world["agency"])
    assert agency.value.code == "role.needed"
    recover(world, claim, "R-1")
    c = world.get(claim)
    assert (c.status, c.owed_back, c.repaid) == ("paid", 10_000 * YUAN, 10_000 * YUAN)  # the rest stays paid
    assert world.get(pid).disbursed == 20_000 * YUAN
    assert world.get(pid).remaining == 5_000_000 * YUAN - 20_000 * YUAN
    ledger = world.app.programmes.ledger(pid, world["agency_org"], 2025)
    assert ledger.awarded == 20_000 * YUAN  # the cap room returned by the repayment
    with pytest.raises(ConflictError) as nothing_owed:  # nothing more is owed
        recover(world, claim, "R-2")
    assert nothing_owed.value.code == "claim.state"
    # The other payment refunded too: its share is owed, and the two repayments add up to the award.
    assert refund(world, kept) == [claim]
    assert world.get(claim).outstanding == 20_000 * YUAN
    recover(world, claim, "R-3")
    c = world.get(claim)
    assert (c.status, c.repaid) == ("recovered", 30_000 * YUAN)
    assert world.get(pid).disbursed == 0
    assert world.app.programmes.ledger(pid, world["agency_org"], 2025).awarded == 0


def test_two_refunds_before_a_repayment_are_repaid_together(world: World) -> None:
    pid = agency_programme(world)
    one = brokered_deal(world, "listing", 1_000_000 * YUAN)
    two = brokered_deal(world, "listing2", 500_000 * YUAN)
    claim = paid_claim(world, pid)
    assert refund(world, one) == [claim]
    assert refund(world, two) == [claim]
    assert world.get(claim).parts_owed == {one: 20_000 * YUAN, two: 10_000 * YUAN}
    recover(world, claim, "R-1")
    assert (world.get(claim).status, world.get(claim).repaid) == ("recovered", 30_000 * YUAN)
    assert world.get(pid).disbursed == 0


def test_a_capped_claim_owes_back_what_the_payment_earned_of_the_capped_award(world: World) -> None:
    pid = agency_programme(world, cap=25_000 * YUAN)
    brokered_deal(world, "listing", 1_000_000 * YUAN)
    refunded = brokered_deal(world, "listing2", 500_000 * YUAN)
    claim = paid_claim(world, pid)  # 30,000 computed, cut to the cap: 25,000
    assert world.get(claim).approved_amount == 25_000 * YUAN
    refund(world, refunded)
    assert world.get(claim).owed_back == 833_334  # 25,000 yuan × 500,000 / 1,500,000, its share of the cut award
    recover(world, claim, "R-1")
    assert world.get(pid).disbursed == 25_000 * YUAN - 833_334
    assert world.app.programmes.ledger(pid, world["agency_org"], 2025).awarded == 25_000 * YUAN - 833_334


def test_a_refund_of_a_payment_outside_any_paid_claim_owes_nothing(world: World) -> None:
    pid = agency_programme(world)
    brokered_deal(world, "listing", 1_000_000 * YUAN)
    claim = paid_claim(world, pid)
    later = brokered_deal(world, "listing2", 500_000 * YUAN)  # not claimed yet
    assert refund(world, later) == []
    assert (world.get(claim).status, world.get(claim).owed_back) == ("paid", 0)


def test_a_rejected_claim_is_final_as_a_deals_claim_is(world: World) -> None:
    pid = agency_programme(world)
    paid_once = brokered_deal(world, "listing", 1_000_000 * YUAN)
    claim = apply(world, pid)
    world.app.programmes.reject_claim(pc.RejectClaim(claim_id=claim, reason="材料缺失 documents missing"),
                                      actor_id=world["officer"])
    assert world.get(claim).status == "rejected"
    figures = world.app.agency_subsidies.figures(pid, 2025, actor_id=world["agency"])
    assert (figures.payments, figures.assessment.amount) == ((), 0)  # its payments stay claimed
    assert apply(world, pid) == claim  # applying again answers the rejected claim: no second claim
    ledger = world.app.programmes.ledger(pid, world["agency_org"], 2025)
    assert (ledger.claims, ledger.awarded) == ([claim], 0)
    assert world.get(pid).remaining == 5_000_000 * YUAN
    assert refund(world, paid_once) == []  # nothing was paid: nothing owed back
    assert world.get(claim).status == "rejected"
    # Payments received later are claimed apart.
    later = brokered_deal(world, "listing2", 500_000 * YUAN)
    second = apply(world, pid)
    assert second != claim
    assert [b["obligation_id"] for b in world.get(second).basis] == [str(later)]


def test_a_repayment_stored_before_amounts_repays_the_whole_award() -> None:
    officer, obligation = uuid4(), uuid4()
    claim = Claim(programme_id=uuid4(), rules_version=1, obligation_id=obligation, contract_id=uuid4(),
                  beneficiary_id=uuid4(), side="seller", year=2025, paid_amount=100 * YUAN, amount=5 * YUAN,
                  steps=[], requires_registration=False)
    claim.submit(by=officer, payee_account="3500")
    claim.approve(by=officer, amount=5 * YUAN, steps=[])
    claim.record_disbursement(by=officer, bank_reference="HX")
    assert claim.reverse("退款") == "recovery_due"
    recovered = Claim.Recovered  # type: ignore[attr-defined]
    old = object.__new__(recovered)  # as the store reconstructs a stored event: its payload, no ``amount``
    old.__dict__.update(originator_id=claim.id, originator_version=claim.version + 1,
                        timestamp=recovered.create_timestamp(), by=officer, bank_reference="R-OLD")
    old.mutate(claim)
    assert (claim.status, claim.repaid, claim.owed_back) == ("recovered", 5 * YUAN, 5 * YUAN)


# --- an established broker only --------------------------------------------------------------------------
NAMED_ONLY = "agency_subsidy.refusal.broker_named_only"


def test_a_broker_the_buyer_named_alone_is_shown_and_not_counted(world: World) -> None:
    """A friendly buyer names the agency at 0 %: neither the agency nor the seller confirmed it, so the deal earns
    no public money; the mandated deal and the introduced one count, at exactly 2 %."""
    pid = agency_programme(world)
    named = brokered_deal(world, "listing", 1_000_000 * YUAN, basis="named")
    mandated = brokered_deal(world, "listing2", 500_000 * YUAN)
    introduced_deal = brokered_deal(world, "listing3", 700_000 * YUAN, basis="introduction")
    assert world.get(world.get(introduced_deal).contract_id).broker_organisation_id == world["agency_org"]
    figures = world.app.agency_subsidies.figures(pid, 2025, actor_id=world["agency"])
    assert [(p.obligation_id, p.refusals) for p in figures.payments] == [
        (named, (NAMED_ONLY,)), (mandated, ()), (introduced_deal, ())]
    assert figures.volume == 1_200_000 * YUAN
    assert figures.assessment.amount == 24_000 * YUAN  # 2 % of 500,000 + 700,000 yuan; the named 1,000,000 not
    claim = world.get(apply(world, pid))
    assert (claim.amount, claim.paid_amount) == (24_000 * YUAN, 1_200_000 * YUAN)
    assert [(b["obligation_id"], b["counts"], b["refusals"]) for b in claim.basis] == [
        (str(named), False, [NAMED_ONLY]), (str(mandated), True, []), (str(introduced_deal), True, [])]


def test_only_named_deals_leave_nothing_to_claim(world: World) -> None:
    pid = agency_programme(world)
    brokered_deal(world, "listing", 1_000_000 * YUAN, basis="named")
    with pytest.raises(ConflictError) as nothing:
        apply(world, pid)
    assert nothing.value.code == "agency_subsidy.nothing_to_claim"


def test_a_mandate_ended_before_the_offer_or_given_after_it_does_not_establish_the_broker(world: World) -> None:
    pid = agency_programme(world)
    mandate(world, "listing")
    world.app.brokers.end_mandate(mc.EndMandate(listing_id=world["listing"], agency_id=world["agency_org"],
                                                reason="解除"), actor_id=world["uni"])
    ended = brokered_deal(world, "listing", 1_000_000 * YUAN, basis="named")
    contract = accept(world, offer(world, buyer="firm", price=400_000 * YUAN, listing_id=world["listing2"],
                                   broker_organisation_id=world["agency_org"], broker_commission=0.0))
    mandate(world, "listing2")  # the seller's mandate given once the offer was made and accepted
    past_notice(world)
    sign_all(world, contract, "uni", "firm")
    later = pay_by_webhook(world, contract, payer="firm", event_id=f"late-{contract}")
    figures = world.app.agency_subsidies.figures(pid, 2025, actor_id=world["agency"])
    assert [(p.obligation_id, p.refusals) for p in figures.payments] == [(ended, (NAMED_ONLY,)),
                                                                         (later, (NAMED_ONLY,))]
    assert figures.assessment.amount == 0


# --- a refund racing an application ------------------------------------------------------------------------
def test_a_refund_handled_while_the_claim_was_applied_for_withdraws_it_at_approval(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = agency_programme(world)
    kept = brokered_deal(world, "listing", 1_000_000 * YUAN)
    refunded = brokered_deal(world, "listing2", 500_000 * YUAN)
    subsidies = world.app.agency_subsidies
    computed = subsidies._figures

    def refund_meanwhile(*args: object, **kwargs: object) -> object:
        figures = computed(*args, **kwargs)  # type: ignore[arg-type]
        if not world.get(refunded).refund_owed and world.get(refunded).status != "refunded":
            assert refund(world, refunded) == []  # no claim saved yet: nothing to reverse
        return figures

    monkeypatch.setattr(subsidies, "_figures", refund_meanwhile)
    first = apply(world, pid)
    monkeypatch.undo()
    assert world.get(first).amount == 30_000 * YUAN  # counted the refunded payment: saved after the refund
    with pytest.raises(ConflictError) as refused:
        world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=first), actor_id=world["officer"])
    assert (refused.value.code, refused.value.params["payments"]) == ("agency_subsidy.basis_changed", 1)
    assert world.get(first).status == "withdrawn"
    assert world.get(pid).remaining == 5_000_000 * YUAN
    again = apply(world, pid)
    claim = world.get(again)
    assert (claim.amount, claim.paid_amount) == (20_000 * YUAN, 1_000_000 * YUAN)
    assert {(b["obligation_id"], b["counts"]) for b in claim.basis} == {(str(kept), True), (str(refunded), False)}
    amount, _ = world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=again), actor_id=world["officer"])
    assert amount == 20_000 * YUAN


def test_a_refund_the_claims_process_missed_stops_the_disbursement(world: World) -> None:
    pid = agency_programme(world)
    brokered_deal(world, "listing", 1_000_000 * YUAN)
    refunded = brokered_deal(world, "listing2", 500_000 * YUAN)
    first = apply(world, pid)
    world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=first), actor_id=world["officer"])
    assert world.get(pid).remaining == 5_000_000 * YUAN - 30_000 * YUAN
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=refunded, reason="合同解除"),
                                      actor_id=world["admin"])  # the claims process has not handled it yet
    with pytest.raises(ConflictError) as refused:
        world.app.programmes.record_disbursement(pc.RecordDisbursement(claim_id=first, bank_reference="HX-9"),
                                                 actor_id=world["officer"])
    assert refused.value.code == "agency_subsidy.basis_changed"
    assert world.get(first).status == "withdrawn"
    assert (world.get(pid).disbursed, world.get(pid).remaining) == (0, 5_000_000 * YUAN)
    assert world.app.programmes.reverse_payment(refunded, "退款") == []  # handled later: nothing more to do
    assert world.get(apply(world, pid)).amount == 20_000 * YUAN
