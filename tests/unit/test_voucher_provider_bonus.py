"""Xiamen's provider bonus on innovation vouchers (issue 12; xiamen_torch_innovation_voucher_2022: 20 % of the
value a provider redeems, at most ¥400,000 a provider a year): paid with the settlement of a provider redemption,
within the yearly cap and what the budget holds, owed back with the voucher part after a refund; the rules
stored before the bonus existed load with none."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.deals.payment import obligation_id
from domain.programmes.programme import Programme
from domain.programmes.rules import rules_from_dict
from domain.shared.errors import ValidationError
from marketplace.deals import commands as d
from marketplace.programmes import commands as pc
from marketplace.programmes.claims_process import ClaimsProcess
from tests.unit.deal_helpers import World, accept, offer, past_notice, sign_all
from tests.unit.test_programme_process import programme
from tests.unit.test_programme_vouchers import (
    issue,
    voucher_rules,
    world,  # noqa: F401 - the fixture
)

YUAN = 100
PRICE = 200_000 * YUAN


def xiamen_rules(**changes: object) -> pc.RulesInput:
    """The voucher rules with Xiamen's bonus: 20 % of the redeemed value, ¥400,000 a provider a year."""
    return voucher_rules(**{"provider_bonus_bp": 2000, "provider_bonus_cap_per_year": 400_000 * YUAN, **changes})


def paid_with_voucher(world: World, voucher: UUID, n: int, part: int, buyer: str = "sme") -> UUID:  # noqa: F811 - the imported fixture
    """A sale of a new patent of the university to ``buyer``, the voucher paying ``part``, the rest paid."""
    patent = world.register_patent(["fafu"], number=f"20211065{n:04d}")
    listing = world.list_patent("fafu", patent, asking_price=PRICE)
    contract = accept(world, offer(world, buyer=buyer, price=PRICE, listing_id=listing), by="fafu")
    past_notice(world)
    sign_all(world, contract, "fafu", buyer)
    oid = obligation_id(contract, "upfront")
    world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=voucher, amount=part),
                                     actor_id=world[buyer])
    world.app.payments.start_payment(d.StartPayment(contract_id=contract, gateway="manual"), actor_id=world[buyer])
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=oid, amount=PRICE - part, bank_reference=f"B-{n}"), actor_id=world["admin"])
    return oid


def settle(world: World, voucher: UUID, oid: UUID, reference: str) -> None:  # noqa: F811 - the imported fixture
    world.app.vouchers.settle_redemption(pc.SettleRedemption(voucher_id=voucher, obligation_id=oid,
                                                             bank_reference=reference), actor_id=world["officer"])


def test_the_bonus_is_paid_with_the_settlement_within_the_yearly_cap(world: World) -> None:  # noqa: F811 - the imported fixture
    pid = programme(world, "innovation_voucher", xiamen_rules(provider_bonus_cap_per_year=25_000 * YUAN),
                    budget=1_000_000 * YUAN)
    (vid,) = issue(world, pid, "sme", face=200_000 * YUAN)
    first = paid_with_voucher(world, vid, 1, 100_000 * YUAN)
    second = paid_with_voucher(world, vid, 2, 60_000 * YUAN)
    settle(world, vid, first, "GK-1")
    budget = world.get(pid)
    assert isinstance(budget, Programme)
    bonus = budget.provider_bonuses[first]
    assert (bonus["amount"], bonus["status"]) == (20_000 * YUAN, "paid")  # 20 % of ¥100,000
    assert budget.disbursed == 100_000 * YUAN + 20_000 * YUAN
    settle(world, vid, second, "GK-2")  # 20 % of ¥60,000 is ¥12,000; ¥5,000 of the year's ¥25,000 is left
    budget = world.get(pid)
    assert budget.provider_bonuses[second]["amount"] == 5_000 * YUAN
    assert budget.bonus_paid_to(world["fafu_org"], 2025) == 25_000 * YUAN
    events = [e for e in world.app.repository.event_store.get(pid) if type(e).__name__ == "ProviderBonusPaid"]
    assert [(e.computed, e.amount, e.capped_by, e.bank_reference) for e in events] == [  # type: ignore[attr-defined]
        (20_000 * YUAN, 20_000 * YUAN, "", "GK-1"), (12_000 * YUAN, 5_000 * YUAN, "year_cap", "GK-2")]
    # The budget still balances: the voucher's face value is committed or paid, the bonuses paid on top.
    assert budget.remaining == 1_000_000 * YUAN - 200_000 * YUAN - 25_000 * YUAN


def test_the_bonus_never_passes_the_budget_and_is_owed_back_after_a_refund(world: World) -> None:  # noqa: F811 - the imported fixture
    pid = programme(world, "innovation_voucher", xiamen_rules(), budget=110_000 * YUAN)
    (vid,) = issue(world, pid, "sme", face=100_000 * YUAN)
    oid = paid_with_voucher(world, vid, 3, 100_000 * YUAN)
    settle(world, vid, oid, "GK-3")
    budget = world.get(pid)
    assert budget.provider_bonuses[oid]["amount"] == 10_000 * YUAN  # ¥20,000 by the rate; the budget held 10,000
    assert budget.remaining == 0
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=oid, reason="合同解除"), actor_id=world["admin"])
    ClaimsProcess(world.app.programmes, vouchers=world.app.vouchers).run_once()
    assert world.get(pid).provider_bonuses[oid]["status"] == "recovery_due"
    world.app.vouchers.record_voucher_recovery(pc.RecordVoucherRecovery(
        voucher_id=vid, obligation_id=oid, bank_reference="RET-3"), actor_id=world["officer"])
    after = world.get(pid)
    assert after.provider_bonuses[oid]["status"] == "recovered"
    assert after.disbursed == 0  # the voucher part and the bonus are both back
    assert after.bonus_paid_to(world["fafu_org"], 2025) == 0


def test_no_bonus_without_the_rule_under_reimbursement_or_on_other_programmes(world: World) -> None:  # noqa: F811 - the imported fixture
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=300_000 * YUAN)
    (vid,) = issue(world, pid, "sme", face=50_000 * YUAN)
    oid = paid_with_voucher(world, vid, 4, 50_000 * YUAN)
    settle(world, vid, oid, "GK-4")
    assert world.get(pid).provider_bonuses == {}
    assert world.get(pid).disbursed == 50_000 * YUAN
    with pytest.raises(ValidationError) as refused:
        programme(world, "innovation_voucher", xiamen_rules(redemption_model="reimbursement"))
    assert refused.value.code == "voucher.bonus_needs_provider"
    with pytest.raises(ValidationError) as refused:
        programme(world, "purchase_subsidy", pc.RulesInput(beneficiary="buyer", tiers=[pc.TierInput(rate_bp=1000)],
                                                           provider_bonus_bp=2000))
    assert refused.value.code == "voucher.bonus_only_vouchers"


def test_rules_stored_before_the_bonus_load_with_none_and_a_new_version_adds_it() -> None:
    stored = {"beneficiary": "buyer", "tiers": [{"rate_bp": 4000, "up_to": None}], "share_tech_sme_bp": 5000}
    old = rules_from_dict(stored)
    assert (old.provider_bonus_bp, old.provider_bonus_cap_per_year) == (None, None)
    assert "provider_bonus_bp" not in old.as_dict()  # recorded as before
    revised = rules_from_dict({**stored, "provider_bonus_bp": 2000, "provider_bonus_cap_per_year": 40_000_000})
    assert rules_from_dict(revised.as_dict()) == revised
