"""Paid deals raise programme claims once; officers review them; refunds reverse them (in memory)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
import pytest

from domain.programmes.claim import Claim, PaymentReview, payment_review_id
from domain.programmes.programme import Programme
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.deals import commands as d
from marketplace.programmes import commands as pc
from marketplace.programmes.claims_process import ClaimsProcess
from tests.unit.deal_helpers import PASSWORD, World, accept, make_world, offer, past_notice, pay_by_webhook, sign_all
from tests.unit.tech_registration_helpers import register

YUAN = 100
PRICE = 1_000_000 * YUAN


def sign_up(world: World, key: str, org: str, kind: str, region: str, roles: tuple[str, ...] = ()) -> None:
    user, _ = world.app.accounts.sign_up(
        ac.SignUp(
            email=f"{key}@example.test",
            password=PASSWORD,
            display_name=key,
            organisation_name=org,
            organisation_kind=kind,
            region=region,
        )
    )
    org_id = world.get(user).organisation_id
    world.app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org_id), actor_id=world["admin"])
    for role in roles:
        world.app.accounts.grant_role(ac.GrantRole(user_id=user, role=role), actor_id=world["admin"])
    world.ids[key] = user
    world.ids[f"{key}_org"] = org_id


def seller_reward() -> pc.RulesInput:
    """fujian_platform_transaction_subsidy_2024: 1 % to a Fujian seller trading with a Fujian buyer."""
    return pc.RulesInput(
        beneficiary="seller",
        tiers=[pc.TierInput(rate_bp=100)],
        cap_per_deal=50_000 * YUAN,
        cap_per_beneficiary_year=200_000 * YUAN,
        buyer_region="福建",
        seller_region="福建",
    )


def purchase_subsidy() -> pc.RulesInput:
    """fuzhou_soe_purchase_subsidy: 10 % from a Fuzhou university or institute, 6 % otherwise."""
    return pc.RulesInput(
        beneficiary="buyer",
        tiers=[pc.TierInput(rate_bp=600)],
        cap_per_beneficiary_year=2_000_000 * YUAN,
        counterparty_rates=[
            pc.CounterpartyRateInput(rate_bp=1000, region="福州", kinds=["university", "research_institute"])
        ],
    )


def programme(
    world: World, kind: str, rules: pc.RulesInput, officer: str = "officer", budget: int = 5_000_000 * YUAN
) -> UUID:
    pid, _ = world.app.programmes.draft_programme(
        pc.DraftProgramme(
            kind=kind,
            name_zh="技术交易补助",
            name_en="Deal subsidy",
            budget=budget,
            starts_on=date(2025, 1, 1),
            ends_on=date(2027, 12, 31),
            rules=rules,
            source="闽科服函〔2025〕68号",
        ),
        actor_id=world[officer],
    )
    world.app.programmes.open_programme(pc.OpenProgramme(programme_id=pid), actor_id=world[officer])
    return pid


@pytest.fixture
def world() -> World:
    w = make_world()
    sign_up(w, "officer", "福建省科学技术厅", "government", "福建省福州市", ("programme_officer",))
    sign_up(w, "other_officer", "厦门市科学技术局", "government", "福建省厦门市", ("programme_officer",))
    sign_up(w, "fafu", "福建农林大学", "university", "福建省福州市")
    sign_up(w, "maker", "厦门海沧精密制造有限公司", "enterprise", "福建省厦门市")
    w.ids["fafu_patent"] = w.register_patent(["fafu"], number="202110654321")
    w.ids["fafu_listing"] = w.list_patent("fafu", w["fafu_patent"], asking_price=PRICE)
    return w


def paid_deal(world: World) -> UUID:
    contract = accept(world, offer(world, buyer="maker", price=PRICE, listing_id=world["fafu_listing"]), by="fafu")
    past_notice(world)
    sign_all(world, contract, "fafu", "maker")
    return pay_by_webhook(world, contract, payer="maker")


def claim_of(world: World, claims: list[UUID], side: str) -> Claim:
    found = [c for c in (world.get(i) for i in claims) if c.side == side]
    assert len(found) == 1
    return found[0]


def test_a_paid_deal_raises_each_partys_claim_once_with_the_calculation(world: World) -> None:
    reward = programme(world, "transfer_reward", seller_reward())
    subsidy = programme(world, "purchase_subsidy", purchase_subsidy())
    paid = paid_deal(world)
    process = ClaimsProcess(world.app.programmes)
    raised = process.run_once().raised
    seller, buyer = claim_of(world, raised, "seller"), claim_of(world, raised, "buyer")
    assert (seller.programme_id, seller.amount, seller.beneficiary_id) == (reward, 10_000 * YUAN, world["fafu_org"])
    assert (buyer.programme_id, buyer.amount, buyer.beneficiary_id) == (subsidy, 100_000 * YUAN, world["maker_org"])
    assert [s["key"] for s in seller.steps] == ["programme.step.paid", "programme.step.rate", "programme.step.subtotal"]
    review = world.get(payment_review_id(paid))
    assert isinstance(review, PaymentReview)
    assert sorted((o["side"], o["amount"], o["chosen"]) for o in review.outcomes) == [
        ("buyer", 100_000 * YUAN, True),
        ("seller", 10_000 * YUAN, True),
    ]
    # Following the log again from its beginning (a process without its recorded position) raises nothing twice.
    assert ClaimsProcess(world.app.programmes).run_once().raised == []
    assert process.run_once().raised == []


def test_the_beneficiary_submits_the_officer_approves_and_records_the_disbursement(world: World) -> None:
    reward = programme(world, "transfer_reward", seller_reward())
    paid_deal(world)
    (claim_id,) = ClaimsProcess(world.app.programmes).run_once().raised
    submit = pc.SubmitClaim(claim_id=claim_id, payee_account="3500 1234 5678 90", registration_number="")
    with pytest.raises(ValidationError) as refused:
        world.app.programmes.submit_claim(submit, actor_id=world["fafu"])
    assert refused.value.field == "registration_number"
    with pytest.raises(PermissionDeniedError):  # another organisation cannot submit it
        world.app.programmes.submit_claim(submit, actor_id=world["maker"])
    filed = pc.SubmitClaim(claim_id=claim_id, payee_account="3500 1234 5678 90", registration_number="2026350100000123")
    with pytest.raises(ValidationError) as refused:  # the seller has recorded no registration number yet
        world.app.programmes.submit_claim(filed, actor_id=world["fafu"])
    assert refused.value.code == "claim.registration_not_recorded"
    register(world.app, world.get(claim_id).contract_id, world["fafu"])
    with pytest.raises(ValidationError) as refused:  # another number than the contract's
        world.app.programmes.submit_claim(msgspec.structs.replace(filed, registration_number="2026350100000999"),
                                          actor_id=world["fafu"])
    assert refused.value.code == "claim.registration_mismatch"
    world.app.programmes.submit_claim(filed, actor_id=world["fafu"])
    world.app.programmes.submit_claim(filed, actor_id=world["fafu"])  # a double click: one submission
    with pytest.raises(PermissionDeniedError):  # an officer of another government organisation
        world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim_id), actor_id=world["other_officer"])
    with pytest.raises(PermissionDeniedError):  # a university admin is no officer
        world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim_id), actor_id=world["fafu"])
    amount, _ = world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim_id), actor_id=world["officer"])
    assert amount == 10_000 * YUAN
    with pytest.raises(ConflictError):
        world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim_id), actor_id=world["officer"])
    world.app.programmes.record_disbursement(
        pc.RecordDisbursement(claim_id=claim_id, bank_reference="HX20261204"), actor_id=world["officer"]
    )
    claim, budget = world.get(claim_id), world.get(reward)
    assert claim.status == "paid"
    assert isinstance(budget, Programme)
    assert budget.disbursed == 10_000 * YUAN
    assert budget.remaining == 5_000_000 * YUAN - 10_000 * YUAN


def test_only_a_government_programme_officer_drafts_programmes(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        programme(world, "transfer_reward", seller_reward(), officer="fafu")


def test_a_refund_withdraws_the_unpaid_claims(world: World) -> None:
    reward = programme(world, "transfer_reward", seller_reward())
    paid = paid_deal(world)
    process = ClaimsProcess(world.app.programmes)
    (claim_id,) = process.run_once().raised
    register(world.app, world.get(claim_id).contract_id, world["fafu"])
    world.app.programmes.submit_claim(
        pc.SubmitClaim(claim_id=claim_id, payee_account="35001234567890", registration_number="2026350100000123"),
        actor_id=world["fafu"],
    )
    world.app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim_id), actor_id=world["officer"])
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=paid, reason="合同解除"), actor_id=world["admin"])
    assert process.run_once().reversed == [claim_id]
    assert world.get(claim_id).status == "withdrawn"
    assert world.get(reward).remaining == 5_000_000 * YUAN
    assert process.run_once().reversed == []


def test_no_claim_when_the_buyer_is_outside_fujian_and_the_review_says_why(world: World) -> None:
    programme(world, "transfer_reward", seller_reward())
    sign_up(world, "shanghai", "上海张江科技有限公司", "enterprise", "上海市")
    contract = accept(world, offer(world, buyer="shanghai", price=PRICE, listing_id=world["fafu_listing"]), by="fafu")
    past_notice(world)
    sign_all(world, contract, "fafu", "shanghai")
    paid = pay_by_webhook(world, contract, payer="shanghai")
    assert ClaimsProcess(world.app.programmes).run_once().raised == []
    review = world.get(payment_review_id(paid))
    assert [o["refusals"] for o in review.outcomes] == [["programme.refusal.buyer_region"]]


def test_a_subsidy_for_state_owned_buyers_waits_for_the_officer_to_verify_the_buyer(world: World) -> None:
    rules = purchase_subsidy()
    soe_only = pc.RulesInput(
        beneficiary="buyer",
        tiers=rules.tiers,
        cap_per_beneficiary_year=rules.cap_per_beneficiary_year,
        counterparty_rates=rules.counterparty_rates,
        beneficiary_flags=["soe"],
    )
    programme(world, "purchase_subsidy", soe_only)
    first = paid_deal(world)
    assert ClaimsProcess(world.app.programmes).run_once().raised == []
    review = world.get(payment_review_id(first))
    assert [o["refusals"] for o in review.outcomes] == [["programme.refusal.flags"]]
    with pytest.raises(PermissionDeniedError):  # the buyer cannot vouch for itself
        world.app.accounts.verify_organisation_flags(
            ac.VerifyOrganisationFlags(organisation_id=world["maker_org"], flags=["soe"]), actor_id=world["maker"]
        )
    with pytest.raises(ValidationError):
        world.app.accounts.verify_organisation_flags(
            ac.VerifyOrganisationFlags(organisation_id=world["maker_org"], flags=["royal"]), actor_id=world["officer"]
        )
    world.app.accounts.verify_organisation_flags(
        ac.VerifyOrganisationFlags(organisation_id=world["maker_org"], flags=["soe"]), actor_id=world["officer"]
    )
    world.ids["fafu_patent2"] = world.register_patent(["fafu"], number="202110654399")
    listing = world.list_patent("fafu", world["fafu_patent2"], asking_price=PRICE)
    contract = accept(world, offer(world, buyer="maker", price=PRICE, listing_id=listing), by="fafu")
    past_notice(world)
    sign_all(world, contract, "fafu", "maker")
    pay_by_webhook(world, contract, payer="maker", event_id="evt_2")
    (claim,) = ClaimsProcess(world.app.programmes).run_once().raised
    assert world.get(claim).amount == 100_000 * YUAN  # 10 %: bought from a Fuzhou university


def test_a_patents_own_public_funding_does_not_exclude_its_deal(world: World) -> None:
    """The exclusion is of deals *paid* with fiscal science-programme money or by government procurement, not of
    deals on results of funded research (限时转化 wants those converted): a funded patent's sale is rewarded."""
    programme(world, "transfer_reward", seller_reward())
    funding = cc.FundingInput(programme="国家自然科学基金", project_reference="32072000",
                              funder="国家自然科学基金委员会")
    world.app.catalogue.record_funding(cc.RecordFunding(patent_id=world["fafu_patent"], public_funding=funding),
                                       actor_id=world["fafu"])
    paid = paid_deal(world)
    assert len(ClaimsProcess(world.app.programmes).run_once().raised) == 1
    assert not world.app.programmes.facts_of(world.get(paid)).fiscally_funded


def test_the_facts_carry_when_the_registry_numbered_the_contract_after_signing(world: World) -> None:
    programme(world, "transfer_reward", seller_reward())
    paid = paid_deal(world)
    (claim_id,) = ClaimsProcess(world.app.programmes).run_once().raised
    contract = world.get(claim_id).contract_id
    assert world.app.programmes.registered_at(contract) is None
    register(world.app, contract, world["fafu"])
    facts = world.app.programmes.facts_of(world.get(paid))
    assert facts.registered_at is not None
    assert facts.signed_at is not None
    assert facts.registered_at >= facts.signed_at
    assert not facts.fiscally_funded
