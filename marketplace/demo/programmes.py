"""Demo programmes: the provincial science department runs a seller reward and a purchase subsidy,
and the demo's paid deals have claims on them in several states; it also runs innovation vouchers,
issued to qualified enterprises, spent on licence fees and settled or awaiting settlement
(``data/deals.toml``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract
from domain.deals.payment import PaymentObligation, obligation_id
from domain.programmes.claim import Claim
from domain.programmes.claim import claim_id as claim_of_party
from domain.shared.errors import DomainError
from domain.shared.ids import organisation_id
from marketplace.accounts import commands as ac
from marketplace.deals import commands as d
from marketplace.demo.deals import DEALS, DemoListing
from marketplace.demo.market import register_demo_contracts
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from marketplace.programmes.claims_process import ClaimsProcess


def _rules(spec: dict[str, Any]) -> pc.RulesInput:
    counterparty = []
    if "fuzhou_rate_bp" in spec:
        counterparty.append(pc.CounterpartyRateInput(rate_bp=spec["fuzhou_rate_bp"], region="福州",
                                                     kinds=["university", "research_institute"]))
    return pc.RulesInput(
        beneficiary="buyer" if spec["kind"] == "purchase_subsidy" else "seller",
        tiers=[pc.TierInput(rate_bp=spec["rate_bp"])], cap_per_deal=spec.get("cap_per_deal"),
        cap_per_beneficiary_year=spec.get("cap_per_year"), counterparty_rates=counterparty,
        buyer_region=spec.get("buyer_region", ""), seller_region=spec.get("seller_region", ""),
        requires_registration=True,
    )


def seed_demo_programmes(app: Marketplace, *, officer: UUID, today: date, admin_of: dict[UUID, UUID]) -> list[UUID]:
    """Open the demo programmes (this year's period), raise the claims the demo's payments earn, and move
    them along: one paid, one submitted, one rejected; the others wait for their beneficiaries (``admin_of``: each
    organisation's first admin). Returns the programmes."""
    programmes: list[UUID] = []
    for spec in DEALS["programmes"]:
        programme_id, _ = app.programmes.draft_programme(pc.DraftProgramme(
            kind=spec["kind"], name_zh=spec["name_zh"], name_en=spec["name_en"], budget=spec["budget"],
            starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31), rules=_rules(spec),
            source=spec["source"]), actor_id=officer)
        app.programmes.open_programme(pc.OpenProgramme(programme_id=programme_id), actor_id=officer)
        programmes.append(programme_id)
    claims = ClaimsProcess(app.programmes).run_once().raised
    states = DEALS["claims"]
    # The sellers registered the paid contracts (技术合同认定登记): the claims give the registry's numbers.
    numbers = register_demo_contracts(app, [app.repository.get(c).contract_id for c in claims], admin_of=admin_of,
                                      year=today.year)
    # One paid, one submitted, one rejected with its reason (and, with more paid deals, one approved: budget
    # committed, awaiting the disbursement); the rest (at least one) wait for their beneficiaries.
    moves = ("paid", "submitted", "rejected", "approved")
    for claim_id, move in zip(claims[: max(0, len(claims) - 1)], moves, strict=False):
        claim: Claim = app.repository.get(claim_id)
        beneficiary = admin_of[claim.beneficiary_id]
        app.programmes.submit_claim(pc.SubmitClaim(claim_id=claim_id, payee_account=states["payee_account"],
                                                   registration_number=numbers[claim.contract_id]),
                                    actor_id=beneficiary)
        if move in ("paid", "approved"):
            app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim_id), actor_id=officer)
        if move == "paid":
            app.programmes.record_disbursement(pc.RecordDisbursement(
                claim_id=claim_id, bank_reference=states["disbursement_reference"]), actor_id=officer)
        if move == "rejected":
            app.programmes.reject_claim(pc.RejectClaim(claim_id=claim_id, reason=states["rejection_reason"]),
                                        actor_id=officer)
    return programmes



LICENCES = ("non_exclusive_licence", "sole_licence", "exclusive_licence")


def _voucher_rules(spec: dict[str, Any]) -> pc.RulesInput:
    return pc.RulesInput(beneficiary="buyer", tiers=[pc.TierInput(rate_bp=spec["rate_bp"])],
                         share_tech_sme_bp=spec.get("share_tech_sme_bp"), cap_per_beneficiary_year=spec["cap_per_year"],
                         beneficiary_flags=list(spec["flags"]), redemption_model="provider",
                         requires_registration=False)


def _licence(app: Marketplace, pool: list[DemoListing], buyer: UUID, today: date) -> UUID | None:
    """A licence of a fixed-price listing of an institution at its listed fee, signed by both sides; returns
    its upfront payment (none when no listing of the pool takes it)."""
    while pool:
        item = pool.pop(0)
        listing: Listing = app.repository.get(item.listing_id)
        patent: Patent = app.repository.get(item.patent_id)
        kinds = [k for k in LICENCES if k in listing.terms["deal_types"]]
        if listing.status != "published" or listing.terms["price_mode"] != "fixed" or not kinds \
                or len(patent.owners) != 1:
            continue
        try:
            offer, _ = app.offers.make_offer(d.MakeOffer(
                listing_id=item.listing_id, kind=kinds[0], price=int(listing.terms["asking_price"]),
                scope=d.ScopeInput(start=today, end=today.replace(year=today.year + 3))), actor_id=buyer)
            contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=item.seller)
            contract: Contract = app.repository.get(contract_id)
            for signer in (item.seller, buyer):
                app.contracts.sign_contract(d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256),
                                            actor_id=signer)
        except DomainError:
            continue  # reserved or refused for its own reasons: the next listing
        return obligation_id(contract_id, "upfront")
    return None


def seed_demo_vouchers(app: Marketplace, *, officer: UUID, admin: UUID, today: date, admin_of: dict[UUID, UUID],
                       listings: list[DemoListing]) -> UUID:
    """Open the voucher programme, verify the enterprises' qualifications and issue their vouchers; two are
    spent on licence fees (the buyer pays the rest by bank transfer), one of them settled with the seller;
    two enterprises applied online, one application awaits the officer and one was refused. Returns the
    programme."""
    spec = DEALS["voucher_programme"]
    programme_id, _ = app.programmes.draft_programme(pc.DraftProgramme(
        kind=spec["kind"], name_zh=spec["name_zh"], name_en=spec["name_en"], budget=spec["budget"],
        starts_on=date(today.year, 1, 1), ends_on=date(today.year + 1, 12, 31), rules=_voucher_rules(spec),
        source=spec["source"]), actor_id=officer)
    app.programmes.open_programme(pc.OpenProgramme(programme_id=programme_id), actor_id=officer)
    pool = list(listings)
    for n, voucher in enumerate(DEALS["vouchers"]):
        org = organisation_id(voucher["enterprise"])
        buyer = admin_of[org]
        app.accounts.verify_organisation_flags(ac.VerifyOrganisationFlags(organisation_id=org, flags=[voucher["flag"]]),
                                               actor_id=officer)
        (voucher_id,), _ = app.vouchers.issue_vouchers(pc.IssueVouchers(
            programme_id=programme_id, organisation_ids=[org], face_value=voucher["face_value"],
            valid_until=today + timedelta(days=voucher["days"]), batch_key=f"{today.year}-申请-{n + 1:03d}",
            application_reference=f"闽创券申〔{today.year}〕{n + 1:03d}号"), actor_id=officer)
        if voucher["state"] not in ("owed", "settled"):
            continue
        due = _licence(app, pool, buyer, today)
        if due is None:
            continue
        app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=due, voucher_id=voucher_id), actor_id=buyer)
        obligation: PaymentObligation = app.repository.get(due)
        app.payments.start_payment(d.StartPayment(contract_id=obligation.contract_id, gateway="manual"),
                                   actor_id=buyer)
        app.payments.record_manual_receipt(d.RecordManualReceipt(
            obligation_id=due, amount=obligation.to_pay, bank_reference=voucher["transfer_reference"]),
            actor_id=admin)
        if voucher["state"] == "settled":
            app.vouchers.settle_redemption(pc.SettleRedemption(
                voucher_id=voucher_id, obligation_id=due, bank_reference=voucher["bank_reference"]), actor_id=officer)
    # Two applications sent online: one awaits the officer, one was refused with its reason.
    for n, application in enumerate(DEALS["voucher_applications"]):
        applicant = admin_of[organisation_id(application["enterprise"])]
        found, _ = app.vouchers.apply_for_voucher(pc.ApplyForVoucher(
            programme_id=programme_id, amount=application["amount"], services=application["services"],
            purpose=application["purpose"], token=f"demo-{n + 1}"), actor_id=applicant)
        if application.get("refusal"):
            app.vouchers.refuse_application(pc.RefuseVoucherApplication(
                application_id=found, reason=application["refusal"]), actor_id=officer)
    return programme_id


def seed_demo_claim_states(app: Marketplace, *, officer: UUID, admin: UUID, today: date,
                           admin_of: dict[UUID, UUID], listings: list[DemoListing]) -> dict[str, list[UUID]]:
    """Four more licences paid by bank transfer, so that claims stand in every state: the first deal's claims
    approved and left unpaid; the second deal refunded while its claims were unpaid (withdrawn); the third and
    fourth deals' claims paid, then the deals refunded (recovery due), the fourth's repayment recorded
    (recovered). Returns the claims of each of these states."""
    spec = DEALS["claim_states"]
    # Each buyer takes what licences the listings still give it (a non-exclusive one is taken once per buyer).
    pools = {admin_of[organisation_id(name)]: list(listings) for name in spec["buyers"]}
    paid: list[UUID] = []
    for reference in spec["transfer_references"]:
        due, buyer = None, None
        for buyer, pool in pools.items():
            due = _licence(app, pool, buyer, today)
            if due is not None:
                break
        if due is None or buyer is None:
            break
        obligation: PaymentObligation = app.repository.get(due)
        app.payments.start_payment(d.StartPayment(contract_id=obligation.contract_id, gateway="manual"),
                                   actor_id=buyer)
        app.payments.record_manual_receipt(d.RecordManualReceipt(obligation_id=due, amount=obligation.to_pay,
                                                                 bank_reference=reference), actor_id=admin)
        paid.append(due)
    process = ClaimsProcess(app.programmes)
    process.run_once()  # the claims these payments (and the vouchers' licence fees) earn

    def claims_of(due: UUID) -> list[UUID]:
        obligation: PaymentObligation = app.repository.get(due)
        parties = (obligation.payer_organisation_id, obligation.payee_organisation_id)
        return [c for c in (claim_of_party(due, party) for party in parties) if app.exists(c)]

    contracts: list[UUID] = [app.repository.get(due).contract_id for due in paid]
    numbers = register_demo_contracts(app, contracts, admin_of=admin_of, year=today.year, first=101)
    states: dict[str, list[UUID]] = {"approved": [], "withdrawn": [], "recovery_due": [], "recovered": []}
    for n, due in enumerate(paid):
        for cid in claims_of(due):
            claim: Claim = app.repository.get(cid)
            if n != 1:  # the second deal's claims are refunded before anyone submits them
                app.programmes.submit_claim(pc.SubmitClaim(
                    claim_id=cid, payee_account=DEALS["claims"]["payee_account"],
                    registration_number=numbers[claim.contract_id]), actor_id=admin_of[claim.beneficiary_id])
                app.programmes.approve_claim(pc.ApproveClaim(claim_id=cid), actor_id=officer)
            if n >= 2:
                app.programmes.record_disbursement(pc.RecordDisbursement(
                    claim_id=cid, bank_reference=spec["disbursement_reference"]), actor_id=officer)
    for due in paid[1:]:
        app.payments.refund_payment(d.RefundPayment(obligation_id=due, reason=spec["refund_reason"]),
                                    actor_id=admin)
    process.run_once()  # the refunds reverse the claims: unpaid ones withdrawn, paid ones owed back
    for n, due in enumerate(paid):
        for cid in claims_of(due):
            if n == 3:
                app.programmes.record_recovery(pc.RecordRecovery(
                    claim_id=cid, bank_reference=spec["recovery_reference"]), actor_id=officer)
            states[app.repository.get(cid).status].append(cid)
    return states

