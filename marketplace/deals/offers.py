"""Offer commands: make, counter, accept (drafting the contract), reject, withdraw, expire."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import User
from domain.catalogue.licences import LicenceScope
from domain.catalogue.listing import Listing, ListingStatus
from domain.catalogue.patent import Patent
from domain.deals.contract_terms import contract_id_for_offer
from domain.deals.contracting import check_listing_rules, draft_contract, notice_end
from domain.deals.offer import Offer
from domain.deals.terms import FULL_RATE, DealTerms, Instalment, Milestone, parse_kind
from domain.shared.errors import ListingNotOpenError, PermissionDeniedError, ValidationError
from domain.shared.money import Money
from marketplace.deals import commands as d
from marketplace.deals.checks import DealChecks, DealPolicy
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase, reads_together
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


#: Given a listing and a buyer organisation, the broker (a transfer agency) and commission (bp) the buyer's
#: offer must carry today, or ``None``. The market trade (above deals) provides it: the composition root
#: sets ``Offers.introduced_by``, so deals holds the rule without importing market.
BindingBroker = Callable[[UUID, UUID], tuple[UUID, int] | None]


class Offers:
    """Negotiation on a listing, up to the accepted offer and its drafted contract."""

    def __init__(self, store: MarketplaceBase, checks: DealChecks, policy: DealPolicy) -> None:
        self.store = store
        self.checks = checks
        self.policy = policy
        #: The broker a buyer introduced to the listing must keep on its offer (brokers and agencies).
        self.introduced_by: BindingBroker | None = None
        #: The id of the introduction of a buyer organisation to a listing (``introduced_by`` reads it).
        self.introduction_of: Callable[[UUID, UUID], UUID] | None = None

    # --- offers -----------------------------------------------------------------------------
    @reads_together(lambda cmd: (cmd.listing_id,),  # the buyer's organisation, the listing's patent
                    also=lambda offers, cmd, aggregate: offers.introduction(cmd, aggregate),
                    cached=lambda kwargs: kwargs.get("along") is None)  # what goes along may read more
    def make_offer(
        self, cmd: d.MakeOffer, *, actor_id: UUID | None,
        along: Callable[[Offer, User], Sequence[Aggregate]] | None = None,
    ) -> tuple[UUID, int]:
        """A verified organisation proposes terms on a published listing.

        ``along``: what another trade records with the offer, saved in the same transaction (an enquiry
        that became this offer), given the offer and the acting user once the offer is checked."""
        user = self.store.actor(actor_id)
        offer, patent = self._prepare_offer(cmd, user)
        return offer.id, self.store.commit(offer, patent, *(along(offer, user) if along else ()))

    def introduction(self, cmd: d.MakeOffer, aggregate: Any) -> Iterator[UUID]:
        """The introduction a broker may have made of the acting user's organisation to the listing: read with the
        actor (``introduced_by`` asks whether it exists)."""
        if isinstance(aggregate, User) and self.introduction_of is not None:
            yield self.introduction_of(cmd.listing_id, aggregate.organisation_id)

    def _prepare_offer(self, cmd: d.MakeOffer, user: User) -> tuple[Offer, Patent]:
        listing = self.store.load(Listing, cmd.listing_id, "listing_id")
        patent = self.store.load(Patent, listing.patent_id, "patent_id")
        buyer = self.checks.trading_organisation(user.organisation_id, "organisation")
        terms = deal_terms(cmd)
        check_listing_rules(terms, listing, patent, buyer.id)
        broker_id, commission = self._introduced(cmd, listing.id, buyer.id) or self._broker(
            cmd, buyer.id, listing.organisation_id)
        now = self.store.clock.now()
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
        return offer, patent

    def _introduced(self, cmd: d.MakeOffer, listing_id: UUID, buyer: UUID) -> tuple[UUID | None, int] | None:
        """The broker that introduced the buyer under a running mandate, at the mandate's commission: the
        offer carries it whether or not the buyer names it, and may not name another broker or commission."""
        bound = self.introduced_by(listing_id, buyer) if self.introduced_by is not None else None
        if bound is None:
            return None
        agency, commission = bound
        if cmd.broker_organisation_id not in (None, agency):
            raise ValidationError(
                "broker_organisation_id: the buyer was introduced to this listing by a mandated agency's broker; "
                "the offer carries that agency", field="broker_organisation_id", code="offer.broker_introduced")
        given = percent_to_basis_points(cmd.broker_commission, "broker_commission")
        if given not in (0, commission):
            raise ValidationError(
                f"broker_commission: the mandate sets the commission at {commission / 100:.2f} %",
                field="broker_commission", code="offer.commission_mandated", rate=f"{commission / 100:.2f}")
        self.commission_room(commission)  # a mandate given before the platform fee rose must not break payments
        return agency, commission

    def commission_room(self, commission: int, field: str = "broker_commission") -> None:
        """A commission leaves room for the platform fee: together at most 100 % of each payment (``settle``
        refuses more, so a contract with more could never record a payment)."""
        if commission + self.policy.platform_fee_rate > FULL_RATE:
            room = FULL_RATE - self.policy.platform_fee_rate
            raise ValidationError(
                f"{field}: the broker commission and the platform fee "
                f"({self.policy.platform_fee_rate / 100:.2f} %) together may not exceed 100 % of a payment; "
                f"at most {room / 100:.2f} %",
                field=field, code="offer.commission_room",
                fee=f"{self.policy.platform_fee_rate / 100:.2f}", most=f"{room / 100:.2f}",
            )

    def _broker(self, cmd: d.MakeOffer, buyer: UUID, seller: UUID) -> tuple[UUID | None, int]:
        """The offer's broker and commission (bp): a verified transfer agency that is not a party, and
        a commission that leaves room for the platform fee (together at most 100 % of each payment)."""
        commission = percent_to_basis_points(cmd.broker_commission, "broker_commission")
        if cmd.broker_organisation_id is None:
            if commission:
                raise ValidationError(
                    "broker_commission: only a broker organisation earns a commission", field="broker_commission",
                    code="offer.commission_without_broker",
                )
            return None, 0
        if cmd.broker_organisation_id in (buyer, seller):
            raise ValidationError(
                "broker_organisation_id: the broker must not be the buyer or the seller",
                field="broker_organisation_id", code="offer.broker_is_party",
            )
        broker = self.checks.trading_organisation(cmd.broker_organisation_id, "broker_organisation_id")
        if broker.kind != OrganisationKind.TRANSFER_AGENCY.value:
            raise ValidationError(
                "broker_organisation_id: a broker must be a technology transfer agency",
                field="broker_organisation_id", code="offer.broker_kind",
            )
        self.commission_room(commission)
        return broker.id, commission

    def answering_side(self, offer_id: UUID, *, actor_id: UUID | None) -> str | None:
        """The side the user answers the offer for, read only: its organisation's side, ``seller`` for a broker
        whose mandate lets it act for the seller (``DealChecks.side``), else ``None``."""
        user = self.store.actor(actor_id)
        offer = self.store.load(Offer, offer_id, "offer_id")
        try:
            return str(self.checks.side(user, offer))
        except PermissionDeniedError:
            return None

    def counter_offer(self, cmd: d.CounterOffer, *, actor_id: UUID | None) -> int:
        """The side whose turn it is proposes new terms; the listing's rules apply as to the offer."""
        user = self.store.actor(actor_id)
        offer = self.store.load(Offer, cmd.offer_id, "offer_id")
        side = self.checks.side(user, offer)
        self.store.expect_version(offer, cmd.expected_version)
        terms = deal_terms(cmd)
        listing = self.store.load(Listing, offer.listing_id, "listing_id")
        patent = self.store.load(Patent, offer.patent_id, "patent_id")
        check_listing_rules(terms, listing, patent, offer.buyer_organisation_id)
        now = self.store.clock.now()
        offer.counter(terms, side=side, expires_at=now + timedelta(days=cmd.valid_days), now=now, by=user.id)
        return self.store.commit(offer)

    def accept_offer(self, cmd: d.AcceptOffer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """The side whose turn it is accepts; the contract is drafted in the same save, and what it sells
        is reserved on the patent (an assignment, or a licence in its scope). Of two acceptances at once
        one is saved; the other is refused for the reservation the first made."""
        return self.checks.once_more_if_beaten(lambda: self._accept_offer(cmd, actor_id=actor_id))

    def _accept_offer(self, cmd: d.AcceptOffer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.store.actor(actor_id)
        offer = self.store.load(Offer, cmd.offer_id, "offer_id")
        side = self.checks.side(user, offer)
        self.store.expect_version(offer, cmd.expected_version)
        now = self.store.clock.now()
        offer.accept(side=side, now=now, by=user.id)
        listing = self.store.load(Listing, offer.listing_id, "listing_id")
        if listing.status != ListingStatus.PUBLISHED:
            raise ListingNotOpenError(
                f"listing_id: the listing is {listing.status}", field="listing_id",
                code="listing.state", listing_status=listing.status,
            )
        patent = self.store.load(Patent, offer.patent_id, "patent_id")
        seller = self.store.load(Organisation, offer.seller_organisation_id, "seller_organisation_id")
        buyer = self.checks.trading_organisation(offer.buyer_organisation_id, "buyer_organisation_id")
        contract = draft_contract(
            contract_id=contract_id_for_offer(offer.id),
            offer_id=offer.id,
            listing=listing,
            patent=patent,
            seller=seller,
            buyer=buyer,
            terms=offer.deal_terms,
            notice_ends_at=notice_end(offer, seller, now, self.policy.notice_days),
            broker=(offer.broker_organisation_id, offer.broker_commission),
            platform_fee_rate=self.policy.platform_fee_rate,
            by=user.id,
            now=now,
        )
        return contract.id, self.store.commit(offer, contract, patent)

    def reject_offer(self, cmd: d.RejectOffer, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        offer = self.store.load(Offer, cmd.offer_id, "offer_id")
        offer.reject(side=self.checks.side(user, offer), reason=cmd.reason, now=self.store.clock.now(), by=user.id)
        return self._commit_closing_deal(offer, user.id)

    def withdraw_offer(self, cmd: d.WithdrawOffer, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        offer = self.store.load(Offer, cmd.offer_id, "offer_id")
        self.checks.require_member(user, offer.buyer_organisation_id, "buying organisation", "offer_id")
        offer.withdraw(reason=cmd.reason, by=user.id)
        return self._commit_closing_deal(offer, user.id)

    def expire_offer(self, cmd: d.ExpireOffer) -> int:
        """The deadline worker expires an offer whose deadline has passed (refused before it)."""
        offer = self.store.load(Offer, cmd.offer_id, "offer_id")
        offer.expire(now=self.store.clock.now(), by=SYSTEM_ACTOR)
        return self._commit_closing_deal(offer, SYSTEM_ACTOR)

    def _commit_closing_deal(self, offer: Offer, by: UUID) -> int:
        patent = self.store.load(Patent, offer.patent_id, "patent_id")
        patent.close_deal(offer.id, by=by)
        return self.store.commit(offer, patent)
