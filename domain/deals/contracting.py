"""Rules that span a deal's aggregates: drafting a contract, bringing it into force, releasing what it reserved.

Pure domain services: each takes the aggregates (and values) the application loaded, changes them,
and returns what to save; nothing here loads or saves. See docs/DEALS.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.catalogue.licences import EXCLUSIVE_KINDS, LicenceRecord, LicenceScope, exclusivity_conflict
from domain.catalogue.listing import DealType, Listing, ListingStatus
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, TransferContract
from domain.deals.contract_terms import ContractStatus
from domain.deals.contract_text import render_contract, text_sha256
from domain.deals.offer import Offer
from domain.deals.payment import PaymentObligation
from domain.deals.terms import EVERYTHING, OPEN_DECLARATION, DealKind, DealTerms
from domain.shared.errors import (
    ConflictError,
    ContractStateError,
    LicenceConflictError,
    ListingNotOpenError,
    PatentNotTradableError,
    PermissionDeniedError,
    ValidationError,
)
from domain.shared.money import Money

#: Kinds that need every co-owner's consent (专利法 art. 14: a co-owner alone may only practise
#: the patent or grant non-exclusive licences).
NEEDS_CONSENT = {DealKind.ASSIGNMENT.value, DealKind.EXCLUSIVE_LICENCE.value, DealKind.SOLE_LICENCE.value}

#: Deal types an exclusive or sole licence takes off the patent's listing.
EXCLUDED_BY_EXCLUSIVE = [
    DealType.EXCLUSIVE_LICENCE.value,
    DealType.SOLE_LICENCE.value,
    DealType.NON_EXCLUSIVE_LICENCE.value,
    DealType.OPEN_LICENCE.value,
]


def unique(aggregates: Iterable[Aggregate]) -> list[Aggregate]:
    """Each aggregate once, in order; the same id loaded twice in one command is a bug."""
    seen: dict[UUID, Aggregate] = {}
    for aggregate in aggregates:
        if aggregate.id in seen and seen[aggregate.id] is not aggregate:
            raise AssertionError(f"aggregate {aggregate.id} loaded twice in one command")
        seen.setdefault(aggregate.id, aggregate)
    return list(seen.values())


def not_tradable(patent: Patent) -> PatentNotTradableError:
    return PatentNotTradableError(
        f"patent_id: a {patent.legal_status} patent cannot be contracted",
        field="patent_id",
        code="patent.not_tradable",
        legal_status=str(patent.legal_status),
    )


# --- what a listing allows ---------------------------------------------------------------------
def declarations(listing: Listing) -> list[LicenceRecord]:
    """A live open-licence declaration: the listing is public and offers the open licence."""
    if listing.status == ListingStatus.PUBLISHED and DealType.OPEN_LICENCE.value in listing.terms["deal_types"]:
        return [LicenceRecord(None, OPEN_DECLARATION, EVERYTHING)]
    return []


def check_exclusivity(terms: DealTerms, patent: Patent, listing: Listing) -> None:
    patent.refuse_while_sale_reserved(None, "listing_id")
    clash = exclusivity_conflict(terms.kind.value, terms.scope, [*patent.live_licences(), *declarations(listing)])
    if clash is not None:
        raise LicenceConflictError(
            f"kind: this licence would overlap {patent.describe_reservation(clash)} in field, territory and term",
            field="kind",
            code="licence.overlap",
        )


def co_owner_consents(terms: DealTerms, patent: Patent, seller: UUID) -> list[UUID]:
    """The co-owners whose consent the kind of deal needs (none for a non-exclusive licence)."""
    if terms.kind.value not in NEEDS_CONSENT:
        return []
    if any(o["organisation_id"] is None for o in patent.owners):
        raise ConflictError(
            "kind: a co-owner who is not an organisation on the marketplace cannot consent here; "
            "only a non-exclusive licence can be offered",
            field="kind", code="consent.unregistered_co_owner",
        )
    return sorted((o for o in patent.owner_ids if o != seller), key=str)


def check_listing_rules(terms: DealTerms, listing: Listing, patent: Patent, buyer: UUID) -> None:
    """The rules the listing and the patent set on any terms proposed on them (offer or counter).

    The listing is published; the buyer does not own the patent; the kind is one the listing
    offers and the currency the listing's; the patent can be contracted; an exclusive or sole
    licence overlaps no live licence; co-owners not on the marketplace rule out the kinds that
    need their consent.
    """
    if listing.status != ListingStatus.PUBLISHED:
        raise ListingNotOpenError(
            f"listing_id: a {listing.status} listing takes no offers",
            field="listing_id",
            code="listing.no_offers",
            listing_status=str(listing.status),
        )
    if patent.is_owned_by(buyer) or buyer == listing.organisation_id:
        raise PermissionDeniedError(
            "listing_id: an owner of the patent cannot make an offer on it",
            field="listing_id",
            code="offer.own_listing",
        )
    if terms.kind.value not in listing.terms["deal_types"]:
        offered = ", ".join(listing.terms["deal_types"])
        raise ValidationError(
            f"kind: this listing offers {offered} only",
            field="kind",
            code="offer.kind_not_offered",
            kinds=list(listing.terms["deal_types"]),
        )
    if terms.price.currency != listing.terms["currency"]:
        raise ValidationError(
            f"currency: the listing is priced in {listing.terms['currency']}", field="currency",
            code="offer.currency", currency=listing.terms["currency"],
        )
    if not patent.is_tradable:
        raise not_tradable(patent)
    check_exclusivity(terms, patent, listing)
    co_owner_consents(terms, patent, listing.organisation_id)


# --- drafting ----------------------------------------------------------------------------------
def notice_end(offer: Offer, seller: Organisation, now: datetime, notice_days: int) -> datetime | None:
    """When the public notice (公示) of the accepted offer ends: a price negotiated with an institution."""
    return now + timedelta(days=notice_days) if seller.is_institution and offer.negotiated else None


def draft_contract(
    *,
    contract_id: UUID,
    offer_id: UUID | None,
    listing: Listing,
    patent: Patent,
    seller: Organisation,
    buyer: Organisation,
    terms: DealTerms,
    notice_ends_at: datetime | None,
    broker: tuple[UUID | None, int],
    platform_fee_rate: int,
    by: UUID,
    now: datetime,
) -> Contract:
    """Render and draft the contract; what it sells is reserved on ``patent`` at once: a licence in its
    scope (``grant_licence``), an assignment the whole patent (``reserve_sale``). Save both."""
    if not patent.is_tradable:
        raise not_tradable(patent)
    if not patent.is_owned_by(seller.id):
        raise ConflictError(
            "patent_id: the seller no longer owns this patent", field="patent_id", code="patent.not_owned"
        )
    patent.require_confirmed("contracted")
    consents = co_owner_consents(terms, patent, seller.id)
    text = render_contract(
        contract_id=contract_id,
        kind=OPEN_DECLARATION if offer_id is None else terms.kind.value,
        terms=terms.as_dict(),
        patent_title_zh=patent.title_zh,
        patent_title_en=patent.title_en,
        patent_number=patent.application_number or patent.publication_number or patent.number_key,
        seller_name=seller.name,
        buyer_name=buyer.name,
        notice_ends_at=notice_ends_at.isoformat() if notice_ends_at else None,
    )
    contract = Contract.draft(
        contract_id=contract_id,
        offer_id=offer_id,
        listing_id=listing.id,
        patent_id=patent.id,
        seller_organisation_id=seller.id,
        buyer_organisation_id=buyer.id,
        terms=terms,
        text=text,
        text_sha256=text_sha256(*text),
        notice_ends_at=notice_ends_at,
        consents_required=consents,
        broker_organisation_id=broker[0],
        broker_commission=broker[1],
        by=by,
        platform_fee_rate=platform_fee_rate,
        # The institution's rule as it stands now: a rule set later applies to contracts drafted later.
        inventor_share=seller.inventor_share if seller.is_institution else None,
    )
    if terms.scope is not None:
        patent.grant_licence(
            contract_id,
            licensee_organisation_id=buyer.id,
            kind=terms.kind.value,
            scope=terms.scope,
            declarations=declarations(listing),
            by=by,
            at=now.isoformat(),
        )
    else:
        patent.reserve_sale(contract_id, buyer_organisation_id=buyer.id, at=now.isoformat(), by=by)
    return contract


def add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return date(start.year + years, 3, 1)


def open_licence_terms(posted: Mapping[str, Any], today: date) -> DealTerms:
    """The non-exclusive licence an open-licence declaration posts, starting ``today``."""
    return DealTerms(
        kind=DealKind.NON_EXCLUSIVE_LICENCE,
        price=Money(int(posted["fee"]), str(posted["currency"])),
        scope=LicenceScope("", "", today, add_years(today, int(posted["term_years"]))),
        royalty_rate=int(posted["royalty_rate"]),
        # No note: the contract's title and grant clause already name the open licence in each language (a note
        # reading "open licence" once stood in the Chinese text as 其他约定; stored contracts keep their text).
    )


def fall_due(contract: Contract, purpose: str, amount: int, due_on: str | None, *,
             paid_from: str = "") -> PaymentObligation:
    """A payment the buyer owes the seller under ``contract`` (``paid_from``: what the platform pays it from, when
    not the buyer)."""
    return PaymentObligation.fall_due(
        contract_id=contract.id,
        payer_organisation_id=contract.buyer_organisation_id,
        payee_organisation_id=contract.seller_organisation_id,
        amount=amount,
        currency=str(contract.terms["currency"]),
        purpose=purpose,
        due_on=due_on,
        paid_from=paid_from,
    )


# --- taking effect -----------------------------------------------------------------------------
def require_effect_possible(contract: Contract, patent: Patent, *, now: datetime, by: UUID) -> None:
    """Refuse (409) a signature, payment start or receipt for a contract not yet in force that can no
    longer take effect: terminated, the patent lapsed or sold, or reserved for another deal.

    An assignment must hold the patent's sale reservation; one drafted before reservations existed
    takes it now (a ``SaleReserved`` on ``patent``, saved with the caller's change). A licence must
    still be reserved on the patent (``LicenceGranted``, not ended).
    """
    if contract.status == ContractStatus.TERMINATED:
        raise ContractStateError(
            "contract_id: the contract was terminated", field="contract_id", code="contract.terminated"
        )
    if not patent.is_tradable:
        raise not_tradable(patent)
    if not patent.is_owned_by(contract.seller_organisation_id):
        raise ConflictError(
            "patent_id: the seller no longer owns this patent", field="patent_id", code="patent.not_owned"
        )
    if isinstance(contract, TransferContract):
        patent.reserve_sale(
            contract.id, buyer_organisation_id=contract.buyer_organisation_id, at=now.isoformat(), by=by
        )
    elif patent.licences.get(str(contract.id), {}).get("status") in (None, "ended"):
        raise ContractStateError(
            "contract_id: the licence is no longer reserved on the patent", field="contract_id",
            code="contract.not_reserved",
        )


def why_no_effect(contract: Contract, patent: Patent, *, now: datetime, by: UUID) -> str | None:
    """Why money received for ``contract`` cannot bring it into force, or ``None`` when it can."""
    if contract.status == ContractStatus.IN_FORCE:
        return None
    try:
        require_effect_possible(contract, patent, now=now, by=by)
    except (ConflictError, PermissionDeniedError) as refusal:
        return refusal.message.partition(": ")[2] or refusal.message
    return None


def come_into_force(
    contract: Contract, patent: Patent, listing: Listing, buyer: Organisation | None, now: datetime, *, by: UUID
) -> list[Aggregate]:
    """Signed and first payment made: the transfer (to ``buyer``) or licence takes effect on the patent and
    the listing."""
    contract.come_into_force(now=now)
    patent.close_deal(contract.offer_id or contract.id, by=by)
    if isinstance(contract, TransferContract):
        assert buyer is not None, "an assignment takes effect for its buyer"
        patent.end_sale_reservation(contract.id, reason="assigned", by=by)
        patent.transfer_ownership(contract.id, organisation_id=buyer.id, name=buyer.name, by=by)
        if listing.is_open:
            listing.close(reason="sold", contract_id=contract.id, by=by)
        if patent.active_listing_id == listing.id:
            patent.close_listing(listing.id, by=by)
    else:
        patent.activate_licence(contract.id)
        if contract.kind in EXCLUSIVE_KINDS:
            listing.restrict_deal_types(EXCLUDED_BY_EXCLUSIVE, contract_id=contract.id, by=by)
    return [contract, patent, listing]


def release(contract: Contract, patent: Patent, *, reason: str, by: UUID) -> Patent:
    """The patent side of a contract that ends before it is in force: licence and deal closed."""
    patent.end_licence(contract.id, reason=reason)
    patent.end_sale_reservation(contract.id, reason=reason, by=by)
    patent.close_deal(contract.offer_id or contract.id, by=by)
    return patent
