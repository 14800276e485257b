"""Offer commands: make, counter, accept (drafting the contract), reject, withdraw, expire."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.catalogue.licences import LicenceScope
from domain.catalogue.listing import Listing, ListingStatus
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, contract_id_for_offer
from domain.deals.contract_text import render_contract, text_sha256
from domain.deals.offer import Offer
from domain.deals.terms import (
    FULL_RATE,
    OPEN_DECLARATION,
    DealTerms,
    Instalment,
    Milestone,
    parse_kind,
)
from domain.shared.errors import (
    ConflictError,
    ListingNotOpenError,
    PatentNotTradableError,
    PermissionDeniedError,
    ValidationError,
)
from domain.shared.money import Money
from marketplace.deals import commands as d
from marketplace.deals.checks import DealChecks
from marketplace.platform.app_base import SYSTEM_ACTOR
from marketplace.platform.units import percent_to_basis_points


def deal_terms(cmd: d.TermsInput) -> DealTerms:
    """Validated deal terms from a command's input."""
    scope = None
    if cmd.scope is not None:
        s = cmd.scope
        scope = LicenceScope(s.field_of_use.strip(), s.territory.strip(), s.start, s.end)
    return DealTerms(
        kind=parse_kind(cmd.kind),
        price=Money(cmd.price, cmd.currency.upper()),
        scope=scope,
        sublicensable=cmd.sublicensable,
        royalty_rate=percent_to_basis_points(cmd.royalty_rate, "royalty_rate"),
        minimum_annual_royalty=cmd.minimum_annual_royalty,
        milestones=tuple(Milestone(m.name.strip(), m.amount) for m in cmd.milestones),
        instalments=tuple(Instalment(i.due, i.amount) for i in cmd.instalments),
        note=cmd.note.strip(),
    )


class OfferCommands(DealChecks):
    """Negotiation on a listing, up to the accepted offer and its drafted contract."""

    #: Length of the public notice (公示) of a negotiated price, in days (policy_params.json: 15).
    notice_days: int = 15

    #: Platform fee on every received payment, basis points (the composition root sets it); it is
    #: fixed on each contract when drafted, and a broker's commission must leave room for it.
    platform_fee_rate: int = 100

    # --- offers -----------------------------------------------------------------------------
    def make_offer(self, cmd: d.MakeOffer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """A verified organisation proposes terms on a published listing."""
        user = self.actor(actor_id)
        listing = self.load(Listing, cmd.listing_id, "listing_id")
        patent = self.load(Patent, listing.patent_id, "patent_id")
        buyer = self._trading_organisation(user.organisation_id, "organisation")
        terms = deal_terms(cmd)
        self._check_listing_rules(terms, listing, patent, buyer.id)
        broker_id, commission = self._broker(cmd, buyer.id, listing.organisation_id)
        now = self.clock.now()
        fixed = listing.terms["price_mode"] == "fixed"
        offer = Offer.make(
            listing_id=listing.id,
            patent_id=patent.id,
            buyer_organisation_id=buyer.id,
            seller_organisation_id=listing.organisation_id,
            terms=terms,
            expires_at=now + timedelta(days=cmd.valid_days),
            listed_price=listing.terms["asking_price"] if fixed else None,
            broker_organisation_id=broker_id,
            broker_commission=commission,
            by=user.id,
        )
        patent.open_deal(offer.id, buyer.id, by=user.id)
        return offer.id, self.commit(offer, patent)

    def _check_listing_rules(self, terms: DealTerms, listing: Listing, patent: Patent, buyer: UUID) -> None:
        """The rules the listing and the patent set on any terms proposed on them (offer or counter).

        The listing is published; the buyer does not own the patent; the kind is one the listing
        offers and the currency the listing's; the patent can be contracted; an exclusive or sole
        licence overlaps no live licence; co-owners not on the marketplace rule out the kinds that
        need their consent.
        """
        if listing.status != ListingStatus.PUBLISHED:
            raise ListingNotOpenError(f"listing_id: a {listing.status} listing takes no offers", field="listing_id")
        if patent.is_owned_by(buyer) or buyer == listing.organisation_id:
            raise PermissionDeniedError(
                "listing_id: an owner of the patent cannot make an offer on it", field="listing_id"
            )
        if terms.kind.value not in listing.terms["deal_types"]:
            offered = ", ".join(listing.terms["deal_types"])
            raise ValidationError(f"kind: this listing offers {offered} only", field="kind")
        if terms.price.currency != listing.terms["currency"]:
            raise ValidationError(f"currency: the listing is priced in {listing.terms['currency']}", field="currency")
        if not patent.is_tradable:
            raise PatentNotTradableError(
                f"patent_id: a {patent.legal_status} patent cannot be contracted", field="patent_id"
            )
        self._check_exclusivity(terms, patent, listing)
        self._co_owner_consents(terms, patent, listing.organisation_id)

    def _broker(self, cmd: d.MakeOffer, buyer: UUID, seller: UUID) -> tuple[UUID | None, int]:
        """The offer's broker and commission (bp): a verified transfer agency that is not a party, and
        a commission that leaves room for the platform fee (together at most 100 % of each payment)."""
        commission = percent_to_basis_points(cmd.broker_commission, "broker_commission")
        if cmd.broker_organisation_id is None:
            if commission:
                raise ValidationError(
                    "broker_commission: only a broker organisation earns a commission", field="broker_commission"
                )
            return None, 0
        if cmd.broker_organisation_id in (buyer, seller):
            raise ValidationError(
                "broker_organisation_id: the broker must not be the buyer or the seller",
                field="broker_organisation_id",
            )
        broker = self._trading_organisation(cmd.broker_organisation_id, "broker_organisation_id")
        if broker.kind != OrganisationKind.TRANSFER_AGENCY.value:
            raise ValidationError(
                "broker_organisation_id: a broker must be a technology transfer agency",
                field="broker_organisation_id",
            )
        if commission + self.platform_fee_rate > FULL_RATE:
            room = FULL_RATE - self.platform_fee_rate
            raise ValidationError(
                f"broker_commission: the broker commission and the platform fee "
                f"({self.platform_fee_rate / 100:.2f} %) together may not exceed 100 % of a payment; "
                f"at most {room / 100:.2f} %",
                field="broker_commission",
            )
        return broker.id, commission

    def counter_offer(self, cmd: d.CounterOffer, *, actor_id: UUID | None) -> int:
        """The side whose turn it is proposes new terms; the listing's rules apply as to the offer."""
        user = self.actor(actor_id)
        offer = self.load(Offer, cmd.offer_id, "offer_id")
        side = self._side(user, offer)
        self.expect_version(offer, cmd.expected_version)
        terms = deal_terms(cmd)
        listing = self.load(Listing, offer.listing_id, "listing_id")
        patent = self.load(Patent, offer.patent_id, "patent_id")
        self._check_listing_rules(terms, listing, patent, offer.buyer_organisation_id)
        now = self.clock.now()
        offer.counter(terms, side=side, expires_at=now + timedelta(days=cmd.valid_days), now=now, by=user.id)
        return self.commit(offer)

    def accept_offer(self, cmd: d.AcceptOffer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """The side whose turn it is accepts; the contract is drafted in the same save, and what it sells
        is reserved on the patent (an assignment, or a licence in its scope). Of two acceptances at once
        one is saved; the other is refused for the reservation the first made."""
        return self._once_more_if_beaten(lambda: self._accept_offer(cmd, actor_id=actor_id))

    def _accept_offer(self, cmd: d.AcceptOffer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.actor(actor_id)
        offer = self.load(Offer, cmd.offer_id, "offer_id")
        side = self._side(user, offer)
        self.expect_version(offer, cmd.expected_version)
        now = self.clock.now()
        offer.accept(side=side, now=now, by=user.id)
        listing = self.load(Listing, offer.listing_id, "listing_id")
        if listing.status != ListingStatus.PUBLISHED:
            raise ListingNotOpenError(f"listing_id: the listing is {listing.status}", field="listing_id")
        patent = self.load(Patent, offer.patent_id, "patent_id")
        seller = self.load(Organisation, offer.seller_organisation_id, "seller_organisation_id")
        buyer = self._trading_organisation(offer.buyer_organisation_id, "buyer_organisation_id")
        terms = offer.deal_terms
        notice_ends_at = now + timedelta(days=self.notice_days) if seller.is_institution and offer.negotiated else None
        contract = self._draft(
            contract_id=contract_id_for_offer(offer.id),
            offer_id=offer.id,
            listing=listing,
            patent=patent,
            seller=seller,
            buyer=buyer,
            terms=terms,
            notice_ends_at=notice_ends_at,
            broker=(offer.broker_organisation_id, offer.broker_commission),
            by=user.id,
            now=now,
        )
        return contract.id, self.commit(offer, contract, patent)

    def _draft(
        self,
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
        by: UUID,
        now: datetime,
    ) -> Contract:
        """Render and draft the contract; what it sells is reserved on the patent at once: a licence in
        its scope (``grant_licence``), an assignment the whole patent (``reserve_sale``)."""
        if not patent.is_tradable:
            raise PatentNotTradableError(
                f"patent_id: a {patent.legal_status} patent cannot be contracted", field="patent_id"
            )
        if not patent.is_owned_by(seller.id):
            raise ConflictError("patent_id: the seller no longer owns this patent", field="patent_id")
        patent.require_confirmed("contracted")
        consents = self._co_owner_consents(terms, patent, seller.id)
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
            platform_fee_rate=self.platform_fee_rate,
        )
        if terms.scope is not None:
            patent.grant_licence(
                contract_id,
                licensee_organisation_id=buyer.id,
                kind=terms.kind.value,
                scope=terms.scope,
                declarations=self._declarations(listing),
                by=by,
                at=now.isoformat(),
            )
        else:
            patent.reserve_sale(contract_id, buyer_organisation_id=buyer.id, at=now.isoformat(), by=by)
        return contract

    def reject_offer(self, cmd: d.RejectOffer, *, actor_id: UUID | None) -> int:
        user = self.actor(actor_id)
        offer = self.load(Offer, cmd.offer_id, "offer_id")
        offer.reject(side=self._side(user, offer), reason=cmd.reason, now=self.clock.now(), by=user.id)
        return self._commit_closing_deal(offer, user.id)

    def withdraw_offer(self, cmd: d.WithdrawOffer, *, actor_id: UUID | None) -> int:
        user = self.actor(actor_id)
        offer = self.load(Offer, cmd.offer_id, "offer_id")
        self._require_member(user, offer.buyer_organisation_id, "buying organisation", "offer_id")
        offer.withdraw(reason=cmd.reason, by=user.id)
        return self._commit_closing_deal(offer, user.id)

    def expire_offer(self, cmd: d.ExpireOffer) -> int:
        """The deadline worker expires an offer whose deadline has passed (refused before it)."""
        offer = self.load(Offer, cmd.offer_id, "offer_id")
        offer.expire(now=self.clock.now(), by=SYSTEM_ACTOR)
        return self._commit_closing_deal(offer, SYSTEM_ACTOR)

    def _commit_closing_deal(self, offer: Offer, by: UUID) -> int:
        patent = self.load(Patent, offer.patent_id, "patent_id")
        patent.close_deal(offer.id, by=by)
        return self.commit(offer, patent)
