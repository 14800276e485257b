"""Demo deals and valuations on top of the demo catalogue: what a visitor sees on first start.

An accredited valuer with assessments; a negotiation in progress; a university's negotiated price
in public notice (公示); a completed assignment paid by bank transfer (ownership transferred,
listing closed, benefit shares settled); an open licence taken up and paid. The prices, notes,
references and valuation inputs are in ``marketplace/demo/data/deals.toml``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from domain.accounts.organisation import Organisation
from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract
from domain.deals.payment import obligation_id
from domain.valuation.methods import calculate
from marketplace.deals import commands as d
from marketplace.demo.vocabulary import data_file
from marketplace.platform.application import Marketplace
from marketplace.valuation import commands as vc

DEALS: dict[str, Any] = data_file("deals.toml")


class DemoListing(NamedTuple):
    """A published listing of the demo catalogue and the account that listed it."""

    listing_id: UUID
    patent_id: UUID
    seller: UUID


def _single_owner(app: Marketplace, item: DemoListing) -> bool:
    patent: Patent = app.repository.get(item.patent_id)
    return len(patent.owners) == 1


def _kind(app: Marketplace, item: DemoListing) -> str:
    listing: Listing = app.repository.get(item.listing_id)
    org: Organisation = app.repository.get(listing.organisation_id)
    return org.kind


def _pick(
    app: Marketplace, pool: list[DemoListing], *, modes: tuple[str, ...], deal_type: str, institution: bool
) -> DemoListing | None:
    for item in pool:
        listing: Listing = app.repository.get(item.listing_id)
        if (listing.terms["price_mode"] in modes and deal_type in listing.terms["deal_types"]
                and _single_owner(app, item)
                and (_kind(app, item) in ("university", "research_institute")) == institution):
            pool.remove(item)
            return item
    return None


def _assess(app: Marketplace, valuer: UUID, item: DemoListing, *, scale: int, today: date) -> None:
    """An income-approach assessment in yuan, with a range around the computed value."""
    a = DEALS["assessment"]
    inputs = {"incomes": [str(scale * k * 10_000) for k in a["income_factors"]], "discount_rate": a["discount_rate"],
              "share": a["share"]}
    value = calculate(a["method"], inputs).value
    app.valuation.record_assessment(vc.RecordAssessment(
        patent_id=item.patent_id, purpose=a["purpose"], basis_date=today,
        method=a["method"],
        inputs=inputs, low=(value * Decimal(a["low"])).quantize(Decimal(1)),
        high=(value * Decimal(a["high"])).quantize(Decimal(1)),
        assumptions=a["assumptions"], report_reference=a["report_reference"].format(scale=scale)), actor_id=valuer)


def _pay_by_transfer(app: Marketplace, contract_id: UUID, *, buyer: UUID, admin: UUID, reference: str) -> None:
    contract: Contract = app.repository.get(contract_id)
    app.payments.start_payment(d.StartPayment(contract_id=contract_id), actor_id=buyer)
    amount = int(contract.terms["price"])
    app.payments.record_manual_receipt(d.RecordManualReceipt(obligation_id=obligation_id(contract_id, "upfront"),
                                                             amount=amount, bank_reference=reference), actor_id=admin)


def seed_demo_deals(
    app: Marketplace, published: list[DemoListing], *, admin: UUID, buyers: list[UUID], valuer: UUID, today: date
) -> int:
    """Create the demo deals and assessments (valued, and a negotiation starting, from ``today`` in Beijing);
    returns how many contracts were made."""
    pool = list(published)
    accreditation = DEALS["valuer"]
    app.valuation.accredit_valuer(vc.AccreditValuer(
        user_id=valuer, credential_number=accreditation["credential_number"],
        expires_on=accreditation["expires_on"]), actor_id=admin)
    sold = _pick(app, pool, modes=("fixed",), deal_type="assignment", institution=True)
    noticed = _pick(app, pool, modes=("negotiable",), deal_type="assignment", institution=True)
    talking = _pick(app, pool, modes=("negotiable", "fixed"), deal_type="exclusive_licence", institution=True)
    for scale, item in enumerate((sold, noticed, talking), start=DEALS["assessment"]["first_scale"]):
        if item is not None:
            _assess(app, valuer, item, scale=scale, today=today)
    made = 0
    if sold is not None:  # a completed assignment at the listed price: no notice; paid by bank transfer
        listing: Listing = app.repository.get(sold.listing_id)
        price = int(listing.terms["asking_price"])
        offer, _ = app.offers.make_offer(d.MakeOffer(listing_id=sold.listing_id, kind="assignment", price=price,
                                                     note=DEALS["sale"]["note"]), actor_id=buyers[0])
        contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=sold.seller)
        contract: Contract = app.repository.get(contract_id)
        for signer in (sold.seller, buyers[0]):
            app.contracts.sign_contract(d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256),
                                        actor_id=signer)
        _pay_by_transfer(app, contract_id, buyer=buyers[0], admin=admin, reference=DEALS["sale"]["bank_reference"])
        made += 1
    if noticed is not None:  # a university's negotiated price, agreed and now in public notice
        notice = DEALS["notice"]
        offer, _ = app.offers.make_offer(d.MakeOffer(
            listing_id=noticed.listing_id, kind="assignment", price=notice["price"],
            note=notice["note"]), actor_id=buyers[1])
        app.offers.counter_offer(d.CounterOffer(offer_id=offer, kind="assignment", price=notice["counter_price"],
                                                note=notice["counter_note"]), actor_id=noticed.seller)
        app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=buyers[1])
        made += 1
    if talking is not None:  # a licence negotiation in progress
        terms = DEALS["negotiation"]
        start = today + timedelta(days=terms["starts_in_days"])
        app.offers.make_offer(d.MakeOffer(
            listing_id=talking.listing_id, kind="exclusive_licence", price=terms["price"],
            royalty_rate=terms["royalty_rate"], minimum_annual_royalty=terms["minimum_annual_royalty"],
            scope=d.ScopeInput(start=start, end=start + timedelta(days=terms["days"]),
                               field_of_use=terms["field_of_use"], territory=terms["territory"]),
            note=terms["note"]), actor_id=buyers[2])

    # An open licence taken up and paid, by an enterprise that does not own the patent.
    for item in pool:
        listing = app.repository.get(item.listing_id)
        if listing.terms["price_mode"] != "open_licence" or listing.terms["open_licence"]["fee"] <= 0:
            continue
        patent: Patent = app.repository.get(item.patent_id)
        taker = next((b for b in buyers if not patent.is_owned_by(app.repository.get(b).organisation_id)), None)
        if taker is None:
            continue
        contract_id, _ = app.contracts.take_open_licence(d.TakeOpenLicence(listing_id=item.listing_id), actor_id=taker)
        _pay_by_transfer(app, contract_id, buyer=taker, admin=admin, reference=DEALS["open_licence"]["bank_reference"])
        made += 1
        break
    return made
