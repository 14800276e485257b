"""Deal commands: offers, public notice, contracts, open licences, payments and their effects.

Every command loads the aggregates it touches, checks roles and ownership on them, and saves
every change in one atomic ``commit`` (see docs/DEALS.md). Times come from ``self.clock``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.benefit_sharing import settle
from domain.contract import (
    Contract,
    ContractStatus,
    LicenceContract,
    TransferContract,
    contract_id_for_offer,
    open_licence_contract_id,
)
from domain.contract_text import render_contract, text_sha256
from domain.deal_terms import (
    EVERYTHING,
    EXCLUSIVE_KINDS,
    OPEN_DECLARATION,
    DealKind,
    DealTerms,
    Instalment,
    LicenceRecord,
    LicenceScope,
    Milestone,
    exclusivity_conflict,
    parse_kind,
)
from domain.errors import (
    ConcurrentModificationError,
    ConflictError,
    ContractStateError,
    LicenceConflictError,
    ListingNotOpenError,
    NotFoundError,
    PatentNotTradableError,
    PaymentStateError,
    PermissionDeniedError,
    ValidationError,
)
from domain.listing import DealType, Listing, ListingStatus
from domain.money import Money
from domain.offer import Offer, Side
from domain.organisation import Organisation, OrganisationKind
from domain.patent import Patent
from domain.payment import PaymentObligation, PaymentStatus, obligation_id
from domain.royalty import closes_licence_year, royalty_due
from domain.user import Role, User
from domain.webhook import WebhookDelivery, delivery_id
from marketplace import deal_commands as d
from marketplace.app_base import SYSTEM_ACTOR, MarketplaceBase
from marketplace.payments.port import STRIPE_MAX_AMOUNT, GatewayEvent, PaymentGateway, PaymentRequest, PaymentStart

#: Deal types an exclusive or sole licence takes off the patent's listing.
EXCLUDED_BY_EXCLUSIVE = [
    DealType.EXCLUSIVE_LICENCE.value,
    DealType.SOLE_LICENCE.value,
    DealType.NON_EXCLUSIVE_LICENCE.value,
    DealType.OPEN_LICENCE.value,
]
#: Kinds that need every co-owner's consent (专利法 art. 14: a co-owner alone may only practise
#: the patent or grant non-exclusive licences).
NEEDS_CONSENT = {DealKind.ASSIGNMENT.value, DealKind.EXCLUSIVE_LICENCE.value, DealKind.SOLE_LICENCE.value}
PAYMENT_SUCCEEDED = "payment_intent.succeeded"
REFUND_EVENTS = frozenset({"charge.refunded", "refund.created", "refund.updated", "charge.refund.updated"})
CONTRACT_DRAFTED_TOPICS = [
    "domain.contract:TransferContract.Drafted",
    "domain.contract:LicenceContract.Drafted",
]


def basis_points(value: float, field: str) -> int:
    """A percentage with at most two decimals, as basis points."""
    bp = Decimal(str(value)) * 100
    if bp != bp.to_integral_value():
        raise ValidationError(f"{field}: at most two decimals", field=field)
    return int(bp)


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
        royalty_rate=basis_points(cmd.royalty_rate, "royalty_rate"),
        minimum_annual_royalty=cmd.minimum_annual_royalty,
        milestones=tuple(Milestone(m.name.strip(), m.amount) for m in cmd.milestones),
        instalments=tuple(Instalment(i.due, i.amount) for i in cmd.instalments),
        note=cmd.note.strip(),
    )


def _add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return date(start.year + years, 3, 1)


def _unique(aggregates: Iterable[Aggregate]) -> list[Aggregate]:
    seen: dict[UUID, Aggregate] = {}
    for aggregate in aggregates:
        if aggregate.id in seen and seen[aggregate.id] is not aggregate:
            raise AssertionError(f"aggregate {aggregate.id} loaded twice in one command")
        seen.setdefault(aggregate.id, aggregate)
    return list(seen.values())


class DealCommands(MarketplaceBase):
    """Commands from first offer to paid, signed, registered deal (see docs/DEALS.md)."""

    #: Platform fee on every received payment, basis points (the composition root may override).
    platform_fee_rate: int = 100
    #: Length of the public notice (公示) of a negotiated price, in days (policy_params.json: 15).
    notice_days: int = 15

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gateways: dict[str, PaymentGateway] = {}

    def use_gateways(self, gateways: Mapping[str, PaymentGateway]) -> None:
        """Payment gateways by name (``stripe``, ``manual``); the composition root calls this."""
        self.gateways = dict(gateways)

    # --- shared checks ----------------------------------------------------------------------
    @staticmethod
    def _require_member(user: User, organisation_id: UUID, what: str, field: str) -> None:
        if user.organisation_id != organisation_id:
            raise PermissionDeniedError(f"{field}: only a member of the {what} may do this", field=field)

    def _require_org_admin(self, user: User, organisation_id: UUID, what: str, field: str) -> None:
        self._require_member(user, organisation_id, what, field)
        if not user.has_role(Role.ORG_ADMIN):
            raise PermissionDeniedError(f"{field}: only an org_admin of the {what} may do this", field=field)

    def _side(self, user: User, offer: Offer) -> Side:
        side = offer.side_of(user.organisation_id)
        if side is None:
            raise PermissionDeniedError(
                "offer_id: only the buyer or the seller may answer this offer", field="offer_id"
            )
        return side

    def _trading_organisation(self, organisation_id: UUID, field: str) -> Organisation:
        org = self.load(Organisation, organisation_id, field)
        if not org.can_trade:
            raise PermissionDeniedError(
                f"{field}: {org.name} must be verified by the platform before it can trade", field=field
            )
        return org

    @staticmethod
    def _declarations(listing: Listing) -> list[LicenceRecord]:
        """A live open-licence declaration: the listing is public and offers the open licence."""
        if listing.status == ListingStatus.PUBLISHED and DealType.OPEN_LICENCE.value in listing.terms["deal_types"]:
            return [LicenceRecord(None, OPEN_DECLARATION, EVERYTHING)]
        return []

    def _check_exclusivity(self, terms: DealTerms, patent: Patent, listing: Listing) -> None:
        clash = exclusivity_conflict(
            terms.kind.value, terms.scope, [*patent.live_licences(), *self._declarations(listing)]
        )
        if clash is not None:
            what = (
                "an open-licence declaration" if clash.contract_id is None else f"a live {clash.kind.replace('_', ' ')}"
            )
            raise LicenceConflictError(
                f"kind: this licence would overlap {what} in field, territory and term", field="kind"
            )

    @staticmethod
    def _co_owner_consents(terms: DealTerms, patent: Patent, seller: UUID) -> list[UUID]:
        if terms.kind.value not in NEEDS_CONSENT:
            return []
        if any(o["organisation_id"] is None for o in patent.owners):
            raise ConflictError(
                "kind: a co-owner who is not an organisation on the marketplace cannot consent here; "
                "only a non-exclusive licence can be offered",
                field="kind",
            )
        return sorted((o for o in patent.owner_ids if o != seller), key=str)

    # --- offers -----------------------------------------------------------------------------
    def make_offer(self, cmd: d.MakeOffer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """A verified organisation proposes terms on a published listing."""
        user = self.actor(actor_id)
        listing = self.load(Listing, cmd.listing_id, "listing_id")
        if listing.status != ListingStatus.PUBLISHED:
            raise ListingNotOpenError(f"listing_id: a {listing.status} listing takes no offers", field="listing_id")
        patent = self.load(Patent, listing.patent_id, "patent_id")
        buyer = self._trading_organisation(user.organisation_id, "organisation")
        if patent.is_owned_by(buyer.id) or buyer.id == listing.organisation_id:
            raise PermissionDeniedError(
                "listing_id: an owner of the patent cannot make an offer on it", field="listing_id"
            )
        terms = deal_terms(cmd)
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
        broker_id = None
        if cmd.broker_organisation_id is not None:
            broker = self._trading_organisation(cmd.broker_organisation_id, "broker_organisation_id")
            if broker.kind != OrganisationKind.TRANSFER_AGENCY.value:
                raise ValidationError(
                    "broker_organisation_id: a broker must be a technology transfer agency",
                    field="broker_organisation_id",
                )
            broker_id = broker.id
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
            broker_commission=basis_points(cmd.broker_commission, "broker_commission"),
            by=user.id,
        )
        patent.open_deal(offer.id, buyer.id, by=user.id)
        return offer.id, self.commit(offer, patent)

    def counter_offer(self, cmd: d.CounterOffer, *, actor_id: UUID | None) -> int:
        user = self.actor(actor_id)
        offer = self.load(Offer, cmd.offer_id, "offer_id")
        side = self._side(user, offer)
        self.expect_version(offer, cmd.expected_version)
        terms = deal_terms(cmd)
        listing = self.load(Listing, offer.listing_id, "listing_id")
        patent = self.load(Patent, offer.patent_id, "patent_id")
        self._check_exclusivity(terms, patent, listing)
        now = self.clock.now()
        offer.counter(terms, side=side, expires_at=now + timedelta(days=cmd.valid_days), now=now, by=user.id)
        return self.commit(offer)

    def accept_offer(self, cmd: d.AcceptOffer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """The side whose turn it is accepts; the contract is drafted in the same save."""
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
    ) -> Contract:
        """Render and draft the contract; a licence is reserved on the patent at once."""
        if not patent.is_tradable:
            raise PatentNotTradableError(
                f"patent_id: a {patent.legal_status} patent cannot be contracted", field="patent_id"
            )
        if not patent.is_owned_by(seller.id):
            raise ConflictError("patent_id: the seller no longer owns this patent", field="patent_id")
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
        )
        if terms.scope is not None:
            patent.grant_licence(
                contract_id,
                licensee_organisation_id=buyer.id,
                kind=terms.kind.value,
                scope=terms.scope,
                declarations=self._declarations(listing),
                by=by,
            )
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

    # --- public notice, consent, signatures -------------------------------------------------
    def file_objection(self, cmd: d.FileObjection, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Any logged-in user objects to a negotiated price while its notice runs."""
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        objection = uuid4()
        contract.file_objection(objection, text=cmd.text, now=self.clock.now(), by=user.id)
        return objection, self.commit(contract)

    def decide_objection(self, cmd: d.DecideObjection, *, actor_id: UUID | None) -> int:
        """The seller's org admin decides; an upheld objection ends the contract (it can never be signed)."""
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        self._require_org_admin(user, contract.seller_organisation_id, "selling organisation", "contract_id")
        contract.decide_objection(cmd.objection_id, upheld=cmd.upheld, reason=cmd.reason, by=user.id)
        changed: list[Aggregate] = [contract]
        if cmd.upheld:
            contract.terminate(reason="an objection to the public notice was upheld", by=user.id)
            changed.append(self._release(contract, reason="objection upheld", by=user.id))
        return self.commit(*changed)

    def _release(self, contract: Contract, *, reason: str, by: UUID) -> Patent:
        """The patent side of a contract that ends before it is in force: licence and deal closed."""
        patent = self.load(Patent, contract.patent_id, "patent_id")
        patent.end_licence(contract.id, reason=reason)
        patent.close_deal(contract.offer_id or contract.id, by=by)
        return patent

    def consent_as_co_owner(self, cmd: d.ConsentAsCoOwner, *, actor_id: UUID | None) -> int:
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        if not user.has_role(Role.ORG_ADMIN):
            raise PermissionDeniedError(
                "contract_id: only an org_admin may consent for the organisation", field="contract_id"
            )
        contract.consent(user.organisation_id, by=user.id)
        return self.commit(contract)

    def sign_contract(self, cmd: d.SignContract, *, actor_id: UUID | None) -> int:
        """A party's org admin signs the text it read; the last signature raises the first payments."""
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        if not user.has_role(Role.ORG_ADMIN) or user.organisation_id not in contract.parties:
            raise PermissionDeniedError("contract_id: only an org_admin of a party may sign", field="contract_id")
        patent = self.load(Patent, contract.patent_id, "patent_id")
        if not patent.is_owned_by(contract.seller_organisation_id):
            raise ConflictError("patent_id: the seller no longer owns this patent", field="patent_id")
        now = self.clock.now()
        contract.sign(
            user.organisation_id, text_sha256=cmd.text_sha256, patent_tradable=patent.is_tradable, now=now, by=user.id
        )
        return self.commit(*self._after_signature(contract, patent, now, by=user.id))

    def _after_signature(self, contract: Contract, patent: Patent, now: datetime, *, by: UUID) -> list[Aggregate]:
        changed: list[Aggregate] = [contract, patent]
        if contract.status != ContractStatus.SIGNED:
            return changed
        changed += self._raise_scheduled(contract, now.date())
        if contract.first_purpose() is None:
            changed += self._come_into_force(contract, patent, now, by=by)
        return _unique(changed)

    def _raise_scheduled(self, contract: Contract, today: date) -> list[Aggregate]:
        raised: list[Aggregate] = []
        for purpose, amount, due in contract.scheduled_payments(today):
            if not self.exists(obligation_id(contract.id, purpose)):
                raised.append(self._obligation(contract, purpose, amount, due))
        return raised

    @staticmethod
    def _obligation(contract: Contract, purpose: str, amount: int, due_on: str | None) -> PaymentObligation:
        return PaymentObligation.fall_due(
            contract_id=contract.id,
            payer_organisation_id=contract.buyer_organisation_id,
            payee_organisation_id=contract.seller_organisation_id,
            amount=amount,
            currency=str(contract.terms["currency"]),
            purpose=purpose,
            due_on=due_on,
        )

    def _come_into_force(self, contract: Contract, patent: Patent, now: datetime, *, by: UUID) -> list[Aggregate]:
        """Signed and first payment made: the transfer or licence takes effect."""
        contract.come_into_force(now=now)
        patent.close_deal(contract.offer_id or contract.id, by=by)
        listing = self.load(Listing, contract.listing_id, "listing_id")
        if isinstance(contract, TransferContract):
            buyer = self.load(Organisation, contract.buyer_organisation_id, "buyer_organisation_id")
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

    # --- after signing ----------------------------------------------------------------------
    def record_registration(self, cmd: d.RecordRegistration, *, actor_id: UUID | None) -> int:
        """A party enters the patent office's reference (著录项目变更 for a transfer, 备案 for a licence)."""
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        if user.organisation_id not in (contract.seller_organisation_id, contract.buyer_organisation_id):
            raise PermissionDeniedError("contract_id: only a party may record the registration", field="contract_id")
        contract.record_registration(cmd.reference, by=user.id)
        changed: list[Aggregate] = [contract]
        if isinstance(contract, TransferContract):
            patent = self.load(Patent, contract.patent_id, "patent_id")
            patent.register_transfer(contract.id, reference=contract.registration_reference or "", by=user.id)
            changed.append(patent)
        return self.commit(*changed)

    def reach_milestone(self, cmd: d.ReachMilestone, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """A party records a milestone; its payment falls due at once."""
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        if user.organisation_id not in (contract.seller_organisation_id, contract.buyer_organisation_id):
            raise PermissionDeniedError("contract_id: only a party may record a milestone", field="contract_id")
        amount = contract.reach_milestone(cmd.name.strip(), by=user.id)
        obligation = self._obligation(
            contract, f"milestone-{cmd.name.strip()}", amount, self.clock.now().date().isoformat()
        )
        return obligation.id, self.commit(contract, obligation)

    def file_royalty_report(self, cmd: d.FileRoyaltyReport, *, actor_id: UUID | None) -> tuple[UUID | None, int]:
        """The licensee reports net sales; the royalty (with any minimum-royalty top-up) falls due."""
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        if not isinstance(contract, LicenceContract):
            raise ContractStateError("contract_id: royalties are reported on licences only", field="contract_id")
        self._require_member(user, contract.buyer_organisation_id, "licensee", "contract_id")
        terms = contract.deal_terms
        assert terms.scope is not None
        if cmd.period_end < cmd.period_start:
            raise ValidationError("period_end: must not be before period_start", field="period_end")
        closes = closes_licence_year(terms.scope.start, cmd.period_end)
        due = royalty_due(
            net_sales=cmd.net_sales,
            rate=terms.royalty_rate,
            minimum_annual_royalty=terms.minimum_annual_royalty,
            royalties_so_far_this_year=contract.royalties_so_far_this_year,
            closes_licence_year=closes,
        )
        obligation = None
        if due.total > 0:
            obligation = self._obligation(
                contract, f"royalty-{cmd.period_end.isoformat()}", due.total, self.clock.now().date().isoformat()
            )
        contract.report_royalty(
            period_start=cmd.period_start,
            period_end=cmd.period_end,
            net_sales=cmd.net_sales,
            royalty=due.royalty,
            top_up=due.top_up,
            closes_licence_year=closes,
            obligation_id=obligation.id if obligation else None,
            by=user.id,
        )
        changed: list[Aggregate] = [contract] if obligation is None else [contract, obligation]
        return (obligation.id if obligation else None), self.commit(*changed)

    def raise_due_instalments(self, today: date, contract_ids: Iterable[UUID] | None = None) -> int:
        """System: instalments whose due date has come become payment obligations (once each)."""
        position = 0
        for cid in contract_ids if contract_ids is not None else self._drafted_contract_ids():
            contract = self.load(Contract, cid, "contract_id")
            if contract.status not in (ContractStatus.SIGNED, ContractStatus.IN_FORCE):
                continue
            raised = self._raise_scheduled(contract, today)
            if raised:
                position = self.commit(*raised)
        return position

    def _drafted_contract_ids(self) -> list[UUID]:
        ids: list[UUID] = []
        start = 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=500, topics=CONTRACT_DRAFTED_TOPICS)
            ids += [n.originator_id for n in page if isinstance(n.originator_id, UUID)]
            if len(page) < 500:
                return ids
            start = page[-1].id + 1

    # --- open licence -----------------------------------------------------------------------
    def take_open_licence(self, cmd: d.TakeOpenLicence, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Any verified organisation takes a non-exclusive licence on the posted terms at once (专利法 art. 51)."""
        user = self.actor(actor_id)
        listing = self.load(Listing, cmd.listing_id, "listing_id")
        posted = listing.terms.get("open_licence")
        if (
            listing.status != ListingStatus.PUBLISHED
            or DealType.OPEN_LICENCE.value not in listing.terms["deal_types"]
            or not posted
        ):
            raise ListingNotOpenError(
                "listing_id: this listing has no live open-licence declaration", field="listing_id"
            )
        patent = self.load(Patent, listing.patent_id, "patent_id")
        buyer = self._trading_organisation(user.organisation_id, "organisation")
        if patent.is_owned_by(buyer.id):
            raise PermissionDeniedError(
                "listing_id: an owner of the patent cannot license it to itself", field="listing_id"
            )
        seller = self.load(Organisation, listing.organisation_id, "organisation_id")
        now = self.clock.now()
        today = now.date()
        terms = DealTerms(
            kind=DealKind.NON_EXCLUSIVE_LICENCE,
            price=Money(int(posted["fee"]), str(posted["currency"])),
            scope=LicenceScope("", "", today, _add_years(today, int(posted["term_years"]))),
            royalty_rate=int(posted["royalty_rate"]),
            note="open licence",
        )
        contract = self._draft(
            contract_id=open_licence_contract_id(listing.id, buyer.id, now),
            offer_id=None,
            listing=listing,
            patent=patent,
            seller=seller,
            buyer=buyer,
            terms=terms,
            notice_ends_at=None,
            broker=(None, 0),
            by=user.id,
        )
        contract.sign(buyer.id, text_sha256=contract.text_sha256, patent_tradable=True, now=now, by=user.id)
        changed = self._after_signature(contract, patent, now, by=user.id)
        return contract.id, self.commit(*changed)

    # --- payments ---------------------------------------------------------------------------
    def _gateway_for(self, amount: int) -> PaymentGateway:
        """Stripe when configured and the amount fits one PaymentIntent; bank transfer otherwise."""
        stripe = self.gateways.get("stripe")
        if stripe is not None and amount <= STRIPE_MAX_AMOUNT:
            return stripe
        manual = self.gateways.get("manual")
        if manual is None:
            raise ConflictError("payments: no payment gateway is configured", field="payments")
        return manual

    def start_payment(self, cmd: d.StartPayment, *, actor_id: UUID | None) -> tuple[PaymentStart, int]:
        """The payer starts paying an obligation of a signed contract."""
        user = self.actor(actor_id)
        contract = self.load(Contract, cmd.contract_id, "contract_id")
        self._require_member(user, contract.buyer_organisation_id, "paying organisation", "contract_id")
        if contract.status == ContractStatus.DRAFTED:
            raise ContractStateError("contract_id: the contract is not signed by every party yet", field="contract_id")
        if contract.status == ContractStatus.TERMINATED:
            raise ContractStateError("contract_id: the contract was terminated", field="contract_id")
        oid = obligation_id(contract.id, cmd.purpose.strip())
        if not self.exists(oid):
            raise NotFoundError(f"purpose: no payment {cmd.purpose!r} is due on this contract", field="purpose")
        obligation = self.load(PaymentObligation, oid, "purpose")
        if not obligation.is_open:
            raise PaymentStateError(f"purpose: this payment is already {obligation.status}", field="purpose")
        gateway = self._gateway_for(obligation.amount)
        started = gateway.start_payment(
            PaymentRequest(
                obligation_id=obligation.id,
                amount=obligation.amount,
                currency=obligation.currency,
                reference=obligation.reference,
                payer_email=user.email,
            )
        )
        obligation.start(gateway=started.gateway, provider_payment_id=started.provider_payment_id, by=user.id)
        return started, self.commit(obligation)

    def record_manual_receipt(self, cmd: d.RecordManualReceipt, *, actor_id: UUID | None) -> int:
        """A platform admin records a bank transfer received for an obligation (对公转账)."""
        user = self.actor(actor_id)
        self.require_role(user, Role.PLATFORM_ADMIN)
        obligation = self.load(PaymentObligation, cmd.obligation_id, "obligation_id")
        if not obligation.is_open:
            raise PaymentStateError(
                f"obligation_id: this payment is already {obligation.status}", field="obligation_id"
            )
        if cmd.amount != obligation.amount:
            raise ValidationError(f"amount: {obligation.amount} is due, not {cmd.amount}", field="amount")
        changed = self._receive(
            obligation, gateway="manual", provider_payment_id=cmd.bank_reference.strip(), by=user.id
        )
        return self.commit(*changed)

    def _receive(
        self, obligation: PaymentObligation, *, gateway: str, provider_payment_id: str, by: UUID, effects: bool = True
    ) -> list[Aggregate]:
        """Record the payment with its benefit-sharing split; the first payment brings the contract into force."""
        contract = self.load(Contract, obligation.contract_id, "contract_id")
        patent = self.load(Patent, contract.patent_id, "patent_id")
        seller = self.load(Organisation, contract.seller_organisation_id, "seller_organisation_id")
        shares = settle(
            obligation.amount,
            platform_fee_rate=self.platform_fee_rate,
            broker_commission_rate=contract.broker_commission,
            inventor_share=seller.inventor_share,
            inventors=[(str(i["name"]), i.get("share")) for i in patent.inventors],
            institution_seller=seller.is_institution,
        )
        now = self.clock.now()
        obligation.pay(
            gateway=gateway,
            provider_payment_id=provider_payment_id,
            amount=obligation.amount,
            now=now,
            shares=[s.as_dict() for s in shares],
            by=by,
        )
        changed: list[Aggregate] = [obligation]
        first = obligation.purpose == contract.first_purpose()
        if (
            effects
            and first
            and contract.status == ContractStatus.SIGNED
            and patent.is_tradable
            and patent.is_owned_by(contract.seller_organisation_id)
        ):
            changed += self._come_into_force(contract, patent, now, by=by)
        return _unique(changed)

    def record_gateway_event(self, event: GatewayEvent) -> int | None:
        """Apply a verified provider event once; a repeated delivery is a no-op answered with ``None``.

        The delivery record is saved with its effect, so a concurrent duplicate fails the save.
        States never move backwards: a success after a refund, or a second refund, changes nothing.
        """
        did = delivery_id(event.provider, event.event_id)
        if self.exists(did):
            return None
        delivery = WebhookDelivery(
            provider=event.provider,
            event_id=event.event_id,
            event_type=event.event_type,
            object_id=event.provider_payment_id,
            payload_sha256=event.payload_sha256,
        )
        changed: list[Aggregate] = [delivery]
        if event.obligation_id is not None and self.exists(event.obligation_id):
            obligation = self.load(PaymentObligation, event.obligation_id, "obligation_id")
            changed += self._apply_gateway_event(obligation, event)
        try:
            return self.commit(*changed)
        except ConcurrentModificationError:
            if self.exists(did):
                return None
            raise

    def _apply_gateway_event(self, obligation: PaymentObligation, event: GatewayEvent) -> list[Aggregate]:
        payment_id = event.provider_payment_id or obligation.provider_payment_id or event.event_id
        if event.event_type == PAYMENT_SUCCEEDED:
            if obligation.is_open and (event.amount is None or event.amount == obligation.amount):
                return self._receive(
                    obligation, gateway=event.provider, provider_payment_id=payment_id, by=SYSTEM_ACTOR
                )
            return []
        if event.event_type in REFUND_EVENTS and obligation.status != PaymentStatus.REFUNDED:
            refund_id = event.provider_refund_id or event.event_id
            reason = f"refunded at {event.provider}"
            if obligation.is_open:
                # The refund overtook the success event: the money came and went; nothing else moved.
                changed = self._receive(
                    obligation, gateway=event.provider, provider_payment_id=payment_id, by=SYSTEM_ACTOR, effects=False
                )
                obligation.refund(provider_refund_id=refund_id, reason=reason, now=self.clock.now(), by=SYSTEM_ACTOR)
                return changed
            return self._refund(obligation, refund_id=refund_id, reason=reason, by=SYSTEM_ACTOR, strict=False)
        return []

    def refund_payment(self, cmd: d.RefundPayment, *, actor_id: UUID | None) -> int:
        """A platform admin refunds a paid obligation, reversing what the payment caused, or is refused."""
        user = self.actor(actor_id)
        self.require_role(user, Role.PLATFORM_ADMIN)
        obligation = self.load(PaymentObligation, cmd.obligation_id, "obligation_id")
        if obligation.status != PaymentStatus.PAID:
            raise PaymentStateError(
                f"obligation_id: a {obligation.status} payment cannot be refunded", field="obligation_id"
            )
        if not cmd.reason.strip():
            raise ValidationError("reason: give the reason for the refund", field="reason")
        changed = self._refund(obligation, refund_id=None, reason=cmd.reason, by=user.id, strict=True)
        gateway = self.gateways.get(obligation.gateway or "")
        if gateway is None:
            raise ConflictError(
                f"obligation_id: the {obligation.gateway} gateway is not configured", field="obligation_id"
            )
        result = gateway.refund(
            obligation.provider_payment_id or "", obligation.amount, idempotency_key=f"refund-{obligation.id}"
        )
        obligation.refund(
            provider_refund_id=result.provider_refund_id, reason=cmd.reason, now=self.clock.now(), by=user.id
        )
        return self.commit(*changed)

    def _refund(
        self, obligation: PaymentObligation, *, refund_id: str | None, reason: str, by: UUID, strict: bool
    ) -> list[Aggregate]:
        """Reverse what the payment caused (the contract ends, licence or ownership goes back).

        ``refund_id`` ``None``: only prepare the reversal (the caller refunds at the gateway, then records).
        ``strict``: refuse when the reversal is impossible; otherwise (a refund already made at the
        provider) record the refund and leave the patent as it is.
        """
        contract = self.load(Contract, obligation.contract_id, "contract_id")
        changed: list[Aggregate] = [obligation]
        reverses = obligation.purpose == contract.first_purpose() and contract.status == ContractStatus.IN_FORCE
        if reverses:
            patent = self.load(Patent, contract.patent_id, "patent_id")
            if isinstance(contract, TransferContract):
                why = patent.why_transfer_cannot_be_reverted(contract.id)
                if why is not None and strict:
                    raise ConflictError(f"obligation_id: the transfer cannot be reversed: {why}", field="obligation_id")
                if why is None:
                    patent.revert_transfer(contract.id, reason=reason, by=by)
            else:
                patent.end_licence(contract.id, reason="refunded")
                listing = self.load(Listing, contract.listing_id, "listing_id")
                listing.restore_deal_types(contract.id, by=by)
                changed.append(listing)
            contract.terminate(reason=f"payment refunded: {reason}", by=by)
            changed += [contract, patent]
        if refund_id is not None:
            obligation.refund(provider_refund_id=refund_id, reason=reason, now=self.clock.now(), by=by)
        return changed

    # --- benefit rules ----------------------------------------------------------------------
    def set_benefit_rules(self, cmd: d.SetBenefitRules, *, actor_id: UUID | None) -> int:
        """An institution's org admin sets the inventors' share of net income (促进科技成果转化法 art. 45)."""
        user = self.actor(actor_id)
        org = self.load(Organisation, cmd.organisation_id, "organisation_id")
        if not user.has_role(Role.PLATFORM_ADMIN):
            self._require_org_admin(user, org.id, "organisation", "organisation_id")
        org.set_benefit_rules(inventor_share=basis_points(cmd.inventor_share, "inventor_share"), by=user.id)
        return self.commit(org)
