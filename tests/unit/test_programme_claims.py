"""Programmes, claims and the award ledger: budgets and caps hold, claims move through review."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.programmes import awarding
from domain.programmes.claim import AwardLedger, Claim, claim_id
from domain.programmes.programme import Programme
from domain.programmes.rules import Rules, Side, Tier
from domain.shared.errors import ConflictError, ValidationError

YUAN = 100
OFFICER = uuid4()
RULES = Rules(beneficiary=Side.SELLER, tiers=(Tier(100),), cap_per_deal=50_000 * YUAN,
              cap_per_beneficiary_year=200_000 * YUAN)


def programme(budget_yuan: int = 1_000_000) -> Programme:
    p = Programme.draft(organisation_id=uuid4(), kind="transfer_reward", name_zh="技术交易补助", name_en="Deal reward",
                        budget=budget_yuan * YUAN, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), rules=RULES,
                        by=OFFICER, source="闽科服函〔2025〕68号")
    p.open(OFFICER)
    return p


def claim(p: Programme, amount_yuan: int, *, beneficiary: object = None, contract: object = None) -> Claim:
    c = Claim(programme_id=p.id, rules_version=1, obligation_id=uuid4(), contract_id=contract or uuid4(),
              beneficiary_id=beneficiary or uuid4(), side="seller", year=2026, paid_amount=amount_yuan * 100 * YUAN,
              amount=amount_yuan * YUAN, steps=[])
    c.submit(by=uuid4(), payee_account="35001234567890", registration_number="2026350100000123")
    return c


def ledger(p: Programme, c: Claim) -> AwardLedger:
    return AwardLedger(programme_id=p.id, beneficiary_id=c.beneficiary_id, year=2026)


def test_a_claim_is_submitted_approved_and_disbursed_and_the_budget_follows() -> None:
    p = programme()
    c = claim(p, 30_000)
    assert awarding.approve(c, p, ledger(p, c), by=OFFICER) == 30_000 * YUAN
    assert p.remaining == 970_000 * YUAN
    assert c.status == "approved"
    awarding.disburse(c, p, by=OFFICER, bank_reference="HX 2026 0001")
    assert c.status == "paid"
    assert c.disbursement_reference == "HX20260001"
    assert p.disbursed == 30_000 * YUAN
    assert p.remaining == 970_000 * YUAN


def test_the_budget_is_never_overspent() -> None:
    p = programme(budget_yuan=40_000)
    first, second = claim(p, 30_000), claim(p, 30_000)
    awarding.approve(first, p, ledger(p, first), by=OFFICER)
    assert awarding.approve(second, p, ledger(p, second), by=OFFICER) == 10_000 * YUAN
    assert second.steps[-1]["key"] == "programme.step.budget"
    third = claim(p, 1_000)
    with pytest.raises(ConflictError):
        awarding.approve(third, p, ledger(p, third), by=OFFICER)
    assert p.remaining == 0
    assert third.status == "submitted"


def test_the_yearly_cap_holds_across_claims_of_one_beneficiary() -> None:
    p = programme()
    beneficiary = uuid4()
    claims = [claim(p, 50_000, beneficiary=beneficiary) for _ in range(5)]
    book = AwardLedger(programme_id=p.id, beneficiary_id=beneficiary, year=2026)
    approved = []
    for c in claims[:4]:
        approved.append(awarding.approve(c, p, book, by=OFFICER))
    assert sum(approved) == 200_000 * YUAN
    with pytest.raises(ConflictError):
        awarding.approve(claims[4], p, book, by=OFFICER)


def test_a_claim_is_one_per_payment_and_beneficiary_and_a_double_submit_is_one() -> None:
    obligation, beneficiary = uuid4(), uuid4()
    assert claim_id(obligation, beneficiary) == claim_id(obligation, beneficiary)
    p = programme()
    c = claim(p, 10)
    version = c.version
    c.submit(by=uuid4(), payee_account="x1", registration_number="r1")
    assert c.version == version


def test_submission_needs_the_registration_number_the_rule_asks_for() -> None:
    p = programme()
    c = Claim(programme_id=p.id, rules_version=1, obligation_id=uuid4(), contract_id=uuid4(), beneficiary_id=uuid4(),
              side="seller", year=2026, paid_amount=1, amount=1, steps=[])
    with pytest.raises(ValidationError) as refused:
        c.submit(by=uuid4(), payee_account="35001234567890")
    assert refused.value.field == "registration_number"
    with pytest.raises(ValidationError):
        c.submit(by=uuid4(), payee_account="  ", registration_number="R1")


def test_a_refund_withdraws_an_unpaid_claim_and_claws_back_a_paid_one() -> None:
    p = programme()
    unpaid = claim(p, 20_000)
    unpaid_book = ledger(p, unpaid)
    awarding.approve(unpaid, p, unpaid_book, by=OFFICER)
    assert awarding.reverse(unpaid, p, unpaid_book, "合同解除，款项已退") == "withdrawn"
    assert p.remaining == 1_000_000 * YUAN
    assert unpaid_book.awarded == 0
    paid = claim(p, 20_000)
    paid_book = ledger(p, paid)
    awarding.approve(paid, p, paid_book, by=OFFICER)
    awarding.disburse(paid, p, by=OFFICER, bank_reference="B1")
    assert awarding.reverse(paid, p, paid_book, "refund") == "recovery_due"
    assert p.disbursed == 20_000 * YUAN  # owed back, not yet repaid
    awarding.recovered(paid, p, paid_book, by=OFFICER, bank_reference="R1")
    assert paid.status == "recovered"
    assert p.disbursed == 0
    assert paid_book.awarded == 0


def test_rules_change_by_versions_and_an_award_uses_the_one_in_force_on_the_payment_date() -> None:
    p = programme()
    p.revise_rules(Rules(beneficiary=Side.SELLER, tiers=(Tier(200),)), date(2026, 7, 1), OFFICER)
    assert p.rules_on(date(2026, 6, 30))[0] == 1
    version, rules = p.rules_on(date(2026, 7, 1))
    assert version == 2
    assert rules.tiers == (Tier(200),)
    with pytest.raises(ValidationError):
        p.revise_rules(RULES, date(2026, 6, 1), OFFICER)


def test_a_programme_opens_once_closes_once_and_runs_only_in_its_period() -> None:
    p = programme()
    with pytest.raises(ConflictError):
        p.open(OFFICER)
    assert p.runs_on(date(2026, 5, 1))
    assert not p.runs_on(date(2027, 1, 1))
    p.close(OFFICER, "预算用完")
    assert not p.runs_on(date(2026, 5, 1))
    with pytest.raises(ConflictError):
        p.close(OFFICER)
    with pytest.raises(ValidationError):
        Programme.draft(organisation_id=uuid4(), kind="lottery", name_zh="x", name_en="x", budget=1,
                        starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1), rules=RULES, by=OFFICER)
    with pytest.raises(ValidationError):
        Programme.draft(organisation_id=uuid4(), kind="transfer_reward", name_zh="x", name_en="x", budget=1,
                        starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 1), rules=RULES, by=OFFICER)


def test_a_programme_rewards_the_side_its_kind_names_and_a_voucher_covers_at_most_half() -> None:
    buyer_rules = Rules(beneficiary=Side.BUYER, tiers=(Tier(600),))
    with pytest.raises(ValidationError) as refused:
        Programme.draft(organisation_id=uuid4(), kind="transfer_reward", name_zh="x", name_en="x", budget=1,
                        starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1), rules=buyer_rules, by=OFFICER)
    assert refused.value.field == "rules.beneficiary"
    with pytest.raises(ValidationError) as refused:  # a voucher pays at most half a cost (Fujian's rule)
        Programme.draft(organisation_id=uuid4(), kind="innovation_voucher", name_zh="x", name_en="x", budget=1,
                        starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1),
                        rules=Rules(beneficiary=Side.BUYER, tiers=(Tier(6000),)), by=OFFICER)
    assert (refused.value.field, refused.value.code) == ("rules.tiers.0.rate_bp", "voucher.share")
    voucher = Programme.draft(organisation_id=uuid4(), kind="innovation_voucher", name_zh="x", name_en="x", budget=1,
                              starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1), rules=buyer_rules, by=OFFICER)
    assert voucher.kind == "innovation_voucher"
    p = programme()
    with pytest.raises(ValidationError):
        p.revise_rules(buyer_rules, date(2026, 7, 1), OFFICER)
