"""Innovation vouchers in memory (issue 12): issued to qualified enterprises within the budget and the annual
cap, applied to a payment (the buyer pays the rest), settled by the officer, returned by a refund, expired
at their date with the unused value back in the budget; and who may do each."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.deals.payment import obligation_id
from domain.programmes.programme import Programme
from domain.programmes.voucher import Voucher, voucher_id
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.accounts import commands as ac
from marketplace.deals import commands as d
from marketplace.programmes import commands as pc
from marketplace.programmes.claims_process import ClaimsProcess
from tests.unit.deal_helpers import World, accept, make_world, offer, past_notice, sign_all
from tests.unit.test_programme_process import programme, sign_up

YUAN = 100
PRICE = 200_000 * YUAN


def voucher_rules(**changes: object) -> pc.RulesInput:
    """fujian_innovation_voucher: half of a cost, ¥200,000 a year per enterprise, tech SMEs and makers;
    xiamen_torch_innovation_voucher_2022: 40 % per use, 50 % for a registered tech SME."""
    base: dict[str, object] = {"beneficiary": "buyer", "tiers": [pc.TierInput(rate_bp=4000)], "share_tech_sme_bp": 5000,
                               "cap_per_beneficiary_year": 200_000 * YUAN, "beneficiary_flags": ["tech_sme", "maker"]}
    base.update(changes)
    return pc.RulesInput(**base)  # type: ignore[arg-type]


@pytest.fixture
def world() -> World:
    w = make_world()
    sign_up(w, "officer", "福建省科学技术厅", "government", "福建省福州市", ("programme_officer",))
    sign_up(w, "other_officer", "厦门市科学技术局", "government", "福建省厦门市", ("programme_officer",))
    sign_up(w, "fafu", "福建农林大学", "university", "福建省福州市")
    sign_up(w, "maker", "厦门海沧精密制造有限公司", "enterprise", "福建省厦门市")
    sign_up(w, "sme", "福州云智科技有限公司", "enterprise", "福建省福州市")
    sign_up(w, "plain", "泉州普通贸易有限公司", "enterprise", "福建省泉州市")
    for key, flags in (("maker", ["maker"]), ("sme", ["tech_sme"])):
        w.app.accounts.verify_organisation_flags(ac.VerifyOrganisationFlags(organisation_id=w[f"{key}_org"],
                                                                            flags=flags), actor_id=w["officer"])
    w.ids["fafu_patent"] = w.register_patent(["fafu"], number="202110654321")
    w.ids["fafu_listing"] = w.list_patent("fafu", w["fafu_patent"], asking_price=PRICE)
    return w


def issue(world: World, pid: UUID, *keys: str, face: int = 50_000 * YUAN, batch: str = "2025-Q1",
          until: date = date(2025, 6, 30), by: str = "officer") -> list[UUID]:
    ids, _ = world.app.vouchers.issue_vouchers(pc.IssueVouchers(
        programme_id=pid, organisation_ids=[world[f"{k}_org"] for k in keys], face_value=face, valid_until=until,
        batch_key=batch), actor_id=world[by])
    return ids


def signed_deal(world: World, buyer: str = "sme") -> UUID:
    """A signed assignment of the university's patent to ``buyer``: its upfront payment is due."""
    contract = accept(world, offer(world, buyer=buyer, price=PRICE, listing_id=world["fafu_listing"]), by="fafu")
    past_notice(world)
    sign_all(world, contract, "fafu", buyer)
    return obligation_id(contract, "upfront")


def test_issued_to_qualified_enterprises_once_within_the_budget_and_the_annual_cap(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=300_000 * YUAN)
    sme, maker = issue(world, pid, "sme", "maker")
    assert (world.get(sme).share_bp, world.get(maker).share_bp) == (5000, 4000)  # Xiamen: 50 % for a tech SME
    assert world.get(sme).services[0] == "consulting"  # every eligible service when none is named
    assert issue(world, pid, "sme", "maker") == [sme, maker]  # the same issue again: nothing twice
    budget = world.get(pid)
    assert isinstance(budget, Programme)
    assert budget.remaining == 200_000 * YUAN
    with pytest.raises(ValidationError) as refused:  # neither a tech SME nor a maker
        issue(world, pid, "plain", batch="2025-Q2")
    assert (refused.value.code, refused.value.field) == ("voucher.not_qualified", "organisation_ids.0")
    with pytest.raises(ValidationError) as refused:  # a university is no enterprise
        issue(world, pid, "fafu", batch="2025-Q2")
    assert refused.value.code == "voucher.not_an_enterprise"
    with pytest.raises(ConflictError) as conflict:  # ¥200,000 a year per enterprise: 50,000 + 160,000 passes it
        issue(world, pid, "sme", face=160_000 * YUAN, batch="2025-Q2")
    assert conflict.value.code == "voucher.annual_cap"
    with pytest.raises(ConflictError) as conflict:  # two times 120,000 is more than the 200,000 left
        issue(world, pid, "sme", "maker", face=120_000 * YUAN, batch="2025-Q3")
    assert conflict.value.code == "voucher.budget"
    assert world.get(pid).remaining == 200_000 * YUAN  # the whole issue fell: nothing committed
    with pytest.raises(PermissionDeniedError):  # another department's officer
        issue(world, pid, "sme", batch="2025-Q4", by="other_officer")
    with pytest.raises(PermissionDeniedError):  # the enterprise itself
        issue(world, pid, "sme", batch="2025-Q4", by="sme")
    with pytest.raises(ValidationError) as refused:
        issue(world, pid, "sme", batch="2025-Q4", until=date(2030, 1, 1))  # past the programme's end
    assert refused.value.code == "voucher.after_programme"


def test_a_voucher_pays_its_share_the_buyer_the_rest_and_the_officer_settles(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=300_000 * YUAN)
    (vid,) = issue(world, pid, "sme")
    oid = signed_deal(world)
    with pytest.raises(PermissionDeniedError):  # the seller cannot spend the buyer's voucher
        world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid), actor_id=world["fafu"])
    with pytest.raises(ValidationError) as refused:  # more than half of ¥200,000
        world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid, amount=50_000 * YUAN + 1),
                                         actor_id=world["sme"])
    assert refused.value.code == "voucher.amount_too_high"
    part, _ = world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid),
                                               actor_id=world["sme"])
    assert part == 50_000 * YUAN  # half of ¥200,000 would be 100,000: the voucher holds 50,000
    again, _ = world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid),
                                                actor_id=world["sme"])
    assert again == part  # a double click: once
    obligation = world.get(oid)
    assert (obligation.amount, obligation.to_pay) == (PRICE, PRICE - 50_000 * YUAN)
    assert world.get(vid).remaining == 0
    world.app.payments.start_payment(d.StartPayment(contract_id=obligation.contract_id, gateway="manual"),
                                     actor_id=world["sme"])
    with pytest.raises(ValidationError):  # the bank transfer brings what is left, not the whole
        world.app.payments.record_manual_receipt(d.RecordManualReceipt(
            obligation_id=oid, amount=PRICE, bank_reference="B-1"), actor_id=world["admin"])
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=oid, amount=PRICE - 50_000 * YUAN, bank_reference="B-1"), actor_id=world["admin"])
    paid = world.get(oid)
    assert paid.status == "paid"
    events = world.app.repository.event_store.get(oid)
    assert sum(getattr(e, "amount", 0) for e in events if type(e).__name__ == "Paid") == PRICE
    settle = pc.SettleRedemption(voucher_id=vid, obligation_id=oid, bank_reference="GK2025-001")
    with pytest.raises(PermissionDeniedError):
        world.app.vouchers.settle_redemption(settle, actor_id=world["other_officer"])
    world.app.vouchers.settle_redemption(settle, actor_id=world["officer"])
    with pytest.raises(ConflictError):  # settled once
        world.app.vouchers.settle_redemption(settle, actor_id=world["officer"])
    budget = world.get(pid)
    assert (budget.disbursed, budget.remaining) == (50_000 * YUAN, 250_000 * YUAN)


def test_a_second_voucher_and_another_organisations_voucher_are_refused(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=300_000 * YUAN)
    sme_a, = issue(world, pid, "sme")
    sme_b, = issue(world, pid, "sme", batch="2025-Q1-b")
    (maker,) = issue(world, pid, "maker")
    oid = signed_deal(world)
    with pytest.raises(PermissionDeniedError) as refused:  # the maker's voucher, spent by the SME
        world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=maker), actor_id=world["sme"])
    assert refused.value.code == "voucher.other_organisation"
    with pytest.raises(PermissionDeniedError) as refused:  # the maker's own voucher on the SME's payment
        world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=maker), actor_id=world["maker"])
    assert refused.value.code == "voucher.not_the_payer"
    world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=sme_a, amount=10_000 * YUAN),
                                     actor_id=world["sme"])
    with pytest.raises(ConflictError) as conflict:
        world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=sme_b), actor_id=world["sme"])
    assert conflict.value.code == "payment.voucher_applied"
    assert world.get(sme_b).remaining == 50_000 * YUAN  # nothing of it was spent
    assert world.get(sme_a).remaining == 40_000 * YUAN  # a partial redemption leaves the rest


def test_a_refund_returns_the_part_to_the_voucher_and_expiry_returns_the_rest_to_the_budget(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=300_000 * YUAN)
    (vid,) = issue(world, pid, "sme", until=date(2025, 4, 30))
    oid = signed_deal(world)
    world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid, amount=20_000 * YUAN),
                                     actor_id=world["sme"])
    contract = world.get(oid).contract_id
    world.app.payments.start_payment(d.StartPayment(contract_id=contract, gateway="manual"), actor_id=world["sme"])
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=oid, amount=PRICE - 20_000 * YUAN, bank_reference="B-2"), actor_id=world["admin"])
    world.app.payments.refund_payment(d.RefundPayment(obligation_id=oid, reason="合同解除"), actor_id=world["admin"])
    refund = [e for e in world.app.repository.event_store.get(oid) if type(e).__name__ == "Refunded"]
    assert getattr(refund[0], "amount", None) == PRICE - 20_000 * YUAN  # what the buyer paid went back
    process = ClaimsProcess(world.app.programmes, vouchers=world.app.vouchers)
    assert process.run_once().vouchers_returned == [vid]
    assert ClaimsProcess(world.app.programmes, vouchers=world.app.vouchers).run_once().vouchers_returned == []  # once
    voucher = world.get(vid)
    assert voucher.remaining == 50_000 * YUAN
    assert voucher.redemptions[oid]["status"] == "returned"
    with pytest.raises(ConflictError) as refused:  # not before its date
        world.app.vouchers.expire_voucher(pc.ExpireVoucher(voucher_id=vid))
    assert refused.value.code == "voucher.still_valid"
    world.clock.advance(timedelta(days=70))
    world.app.vouchers.expire_voucher(pc.ExpireVoucher(voucher_id=vid))
    expired = world.get(vid)
    assert (expired.status, expired.remaining, expired.returned) == ("expired", 0, 50_000 * YUAN)
    assert world.get(pid).remaining == 300_000 * YUAN  # the whole value is back in the budget


def test_reimbursement_the_buyer_pays_everything_and_claims_the_part_back(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(redemption_model="reimbursement"),
                    budget=300_000 * YUAN)
    (vid,) = issue(world, pid, "maker")
    oid = signed_deal(world, buyer="maker")
    with pytest.raises(ConflictError) as refused:  # claimed once paid
        world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid), actor_id=world["maker"])
    assert refused.value.code == "payment.voucher_after_paying"
    contract = world.get(oid).contract_id
    world.app.payments.start_payment(d.StartPayment(contract_id=contract, gateway="manual"), actor_id=world["maker"])
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=oid, amount=PRICE, bank_reference="B-3"), actor_id=world["admin"])
    part, _ = world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid),
                                               actor_id=world["maker"])
    assert part == 50_000 * YUAN  # 40 % of 200,000 is 80,000; the voucher holds 50,000
    assert world.get(oid).to_pay == PRICE  # the buyer paid everything
    world.app.vouchers.settle_redemption(pc.SettleRedemption(voucher_id=vid, obligation_id=oid,
                                                             bank_reference="BX-1"), actor_id=world["officer"])
    assert world.get(pid).disbursed == 50_000 * YUAN


def test_an_expired_voucher_cannot_be_spent_and_a_voucher_programme_awards_no_claims(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=300_000 * YUAN)
    (vid,) = issue(world, pid, "sme", until=date(2025, 3, 10))
    oid = signed_deal(world)  # fifteen days of public notice: the voucher's date is past
    with pytest.raises(ConflictError) as refused:
        world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid), actor_id=world["sme"])
    assert refused.value.code == "voucher.expired"
    contract = world.get(oid).contract_id
    world.app.payments.start_payment(d.StartPayment(contract_id=contract, gateway="manual"), actor_id=world["sme"])
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=oid, amount=PRICE, bank_reference="B-4"), actor_id=world["admin"])
    assert ClaimsProcess(world.app.programmes, vouchers=world.app.vouchers).run_once().raised == []


def test_the_voucher_aggregate_counts_every_fen() -> None:
    by, org, pid = uuid4(), uuid4(), uuid4()
    v = Voucher.issue(programme_id=pid, organisation_id=org, face_value=10_000, valid_until=date(2026, 1, 31),
                      today=date(2026, 1, 1), services=[], share_bp=5000, cap_per_use=3_000,
                      redemption_model="provider", batch_key=" Batch 1 ", by=by)
    assert v.id == voucher_id(pid, org, "Batch 1")
    first, second = uuid4(), uuid4()
    common: dict[str, Any] = {"contract_id": uuid4(), "payer_organisation_id": org, "payee_organisation_id": uuid4(),
              "service": "technology_transfer", "by": by}
    assert v.redeem(obligation_id=first, cost=100_000, amount=None, today=date(2026, 1, 5), **common) == 3_000
    assert v.redeem(obligation_id=second, cost=1_000, amount=None, today=date(2026, 1, 5), **common) == 500
    assert v.settle(obligation_id=first, by=by, bank_reference="R 1") == 3_000
    assert v.reverse(first, today=date(2026, 1, 6), reason="x") == ("recovery_due", 3_000)
    assert v.reverse(second, today=date(2026, 2, 6), reason="x") == ("released", 500)  # after the date: budget
    assert v.expire(date(2026, 2, 1)) == 6_500
    assert v.remaining + v.owed + v.settled + v.returned == v.face_value
    with pytest.raises(ConflictError):
        v.redeem(obligation_id=uuid4(), cost=1_000, amount=None, today=date(2026, 2, 2), **common)
    with pytest.raises(ValidationError):
        Voucher.issue(programme_id=pid, organisation_id=org, face_value=0, valid_until=date(2026, 1, 31),
                      today=date(2026, 1, 1), services=[], share_bp=5000, cap_per_use=None,
                      redemption_model="provider", batch_key="b", by=by)
    with pytest.raises(ValidationError):
        Voucher.issue(programme_id=pid, organisation_id=org, face_value=1, valid_until=date(2026, 1, 31),
                      today=date(2026, 1, 1), services=["astrology"], share_bp=5000, cap_per_use=None,
                      redemption_model="provider", batch_key="b", by=by)


def test_a_purchase_subsidy_counts_what_the_buyer_paid_not_the_voucher_part(world: World) -> None:
    vouchers = programme(world, "innovation_voucher", voucher_rules(), budget=300_000 * YUAN)
    subsidy = pc.RulesInput(beneficiary="buyer", tiers=[pc.TierInput(rate_bp=1000)])
    programme(world, "purchase_subsidy", subsidy, officer="other_officer")
    (vid,) = issue(world, vouchers, "sme")
    oid = signed_deal(world)
    world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=vid), actor_id=world["sme"])
    contract = world.get(oid).contract_id
    world.app.payments.start_payment(d.StartPayment(contract_id=contract, gateway="manual"), actor_id=world["sme"])
    world.app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=oid, amount=PRICE - 50_000 * YUAN, bank_reference="B-5"), actor_id=world["admin"])
    (claim,) = ClaimsProcess(world.app.programmes, vouchers=world.app.vouchers).run_once().raised
    assert (world.get(claim).paid_amount, world.get(claim).amount) == (150_000 * YUAN, 15_000 * YUAN)
