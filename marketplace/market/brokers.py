"""Brokers and transfer agencies: accreditation, mandates (委托), introductions, and the broker an offer must carry.

Who may act is checked on the aggregates: a platform admin accredits brokers; the listing's organisation
admin gives and ends mandates; an accredited broker of the mandated agency records introductions; the
introduced buyer's members confirm or decline them. :meth:`Brokers.binding_broker` is handed to the deals
trade (``Offers.introduced_by``) by the composition root, so that deals never imports market.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import Role, User
from domain.catalogue.listing import Listing
from domain.deals.offer import Offer
from domain.market.brokers import BrokerAccreditation, broker_id
from domain.market.mandates import Introduction, Mandate, binding_broker, introduction_id, mandate_id
from domain.shared.errors import ConflictError, ListingNotOpenError, PermissionDeniedError, ValidationError
from marketplace.market import commands as mc
from marketplace.platform.app_base import MarketplaceBase
from marketplace.platform.units import percent_to_basis_points

BEIJING = ZoneInfo("Asia/Shanghai")


class Brokers:
    """The register of brokers, the mandates of agencies, and brokers' introductions of buyers."""

    def __init__(self, store: MarketplaceBase, commission_room: Callable[[int, str], None] | None = None) -> None:
        self.store = store
        #: The deals trade's rule that a commission leaves room for the platform fee (``Offers.commission_room``).
        self.commission_room = commission_room

    def _today(self) -> date:
        return self.store.clock.now().astimezone(BEIJING).date()

    def _position(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    # --- the register (platform admin) ---------------------------------------------------------
    def accredit_broker(self, cmd: mc.AccreditBroker, *, actor_id: UUID | None) -> tuple[UUID, int]:
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        user = self.store.load(User, cmd.user_id, "user_id")
        org = self.store.load(Organisation, user.organisation_id, "user_id")
        if org.kind == OrganisationKind.TRANSFER_AGENCY.value and not org.verified:
            raise PermissionDeniedError("user_id: the broker's transfer agency has not been verified by the platform",
                                        field="user_id", code="broker.agency_unverified")
        accreditation = BrokerAccreditation.accredit(
            user_id=user.id, organisation_id=org.id, organisation_kind=org.kind,
            credential_number=cmd.credential_number, expires_on=cmd.expires_on, today=self._today(), by=admin.id)
        duplicate = ConflictError("user_id: this user is already accredited; renew the accreditation instead",
                                  field="user_id", code="broker.accredited")
        return accreditation.id, self.store.commit(accreditation, duplicate=duplicate)

    def renew_broker(self, cmd: mc.RenewBroker, *, actor_id: UUID | None) -> int:
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        accreditation = self.store.load(BrokerAccreditation, broker_id(cmd.user_id), "user_id")
        accreditation.renew(expires_on=cmd.expires_on, today=self._today(), by=admin.id)
        return self.store.commit(accreditation)

    def revoke_broker(self, cmd: mc.RevokeBroker, *, actor_id: UUID | None) -> int:
        admin = self.store.actor(actor_id)
        self.store.require_role(admin, Role.PLATFORM_ADMIN)
        accreditation = self.store.load(BrokerAccreditation, broker_id(cmd.user_id), "user_id")
        accreditation.revoke(reason=cmd.reason, today=self._today(), by=admin.id)
        return self.store.commit(accreditation)

    def accredited_broker(self, actor_id: UUID | None) -> tuple[User, BrokerAccreditation]:
        """The acting user as a broker with a valid accreditation today (refused otherwise)."""
        user = self.store.actor(actor_id)
        if not self.store.exists(broker_id(user.id)):
            raise PermissionDeniedError("broker: only accredited technology brokers (技术经纪人) do this",
                                        field="broker", code="broker.not_accredited")
        accreditation = self.store.load(BrokerAccreditation, broker_id(user.id), "broker")
        accreditation.require_valid(self._today())
        if accreditation.organisation_id != user.organisation_id:
            raise PermissionDeniedError("broker: the broker has left the accredited agency", field="broker",
                                        code="broker.not_accredited")
        return user, accreditation

    # --- mandates (the seller's organisation admin) --------------------------------------------
    def _seller_admin(self, actor_id: UUID | None, listing: Listing) -> User:
        user = self.store.actor(actor_id)
        if user.organisation_id != listing.organisation_id or not user.has_role(Role.ORG_ADMIN):
            raise PermissionDeniedError("listing_id: only the seller's organisation admin mandates an agency",
                                        field="listing_id", code="mandate.seller_admin")
        return user

    def give_mandate(self, cmd: mc.GiveMandate, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Mandate an agency (again, once an earlier mandate ended); the same terms again have one effect."""
        listing = self.store.load(Listing, cmd.listing_id, "listing_id")
        user = self._seller_admin(actor_id, listing)
        if not listing.is_open:
            raise ListingNotOpenError(f"listing_id: a {listing.status} listing is not mandated", field="listing_id",
                                      code="listing.state", listing_status=str(listing.status))
        agency = self.store.load(Organisation, cmd.agency_id, "agency_id")
        if agency.kind != OrganisationKind.TRANSFER_AGENCY.value or not agency.can_trade:
            raise ValidationError("agency_id: mandate a verified technology transfer agency (技术转移机构)",
                                  field="agency_id", code="mandate.agency_kind")
        commission = percent_to_basis_points(cmd.commission, "commission")
        if self.commission_room is not None:
            self.commission_room(commission, "commission")
        mid, today = mandate_id(listing.id, agency.id), self._today()
        for _ in range(2):
            if self.store.exists(mid):
                mandate = self.store.load(Mandate, mid, "agency_id")
                if mandate.is_live_on(today) and mandate.same_terms(commission, cmd.ends_on, cmd.may_act):
                    return mid, self._position()  # a second click: one effect
                mandate.give_again(commission=commission, ends_on=cmd.ends_on, may_act=cmd.may_act, today=today,
                                   by=user.id)
            else:
                mandate = Mandate.give(listing_id=listing.id, seller_organisation_id=listing.organisation_id,
                                       agency_id=agency.id, commission=commission, ends_on=cmd.ends_on,
                                       may_act=cmd.may_act, today=today, by=user.id)
            try:
                return mid, self.store.commit(mandate)
            except ConflictError:
                continue  # given meanwhile by a colleague: decide again on theirs
        raise ConflictError("agency_id: the mandate was changed meanwhile; reload and try again", field="agency_id",
                            code="version.stale")

    def end_mandate(self, cmd: mc.EndMandate, *, actor_id: UUID | None) -> int:
        listing = self.store.load(Listing, cmd.listing_id, "listing_id")
        user = self._seller_admin(actor_id, listing)
        mandate = self.store.load(Mandate, mandate_id(listing.id, cmd.agency_id), "agency_id")
        mandate.end(reason=cmd.reason, today=self._today(), by=user.id)
        return self.store.commit(mandate)

    # --- introductions -------------------------------------------------------------------------
    def introduce_buyer(self, cmd: mc.IntroduceBuyer, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Record the introduction; one per listing and buyer (the first broker's), a second click one effect."""
        user, accreditation = self.accredited_broker(actor_id)
        listing = self.store.load(Listing, cmd.listing_id, "listing_id")
        if not listing.is_open:
            raise ListingNotOpenError(f"listing_id: a {listing.status} listing takes no introductions",
                                      field="listing_id", code="listing.state", listing_status=str(listing.status))
        mid = mandate_id(listing.id, accreditation.organisation_id)
        if not self.store.exists(mid):
            raise PermissionDeniedError("listing_id: the broker's agency holds no mandate for this listing",
                                        field="listing_id", code="introduction.not_mandated")
        mandate = self.store.load(Mandate, mid, "listing_id")
        buyer = self.store.load(Organisation, cmd.buyer_organisation_id, "buyer_organisation_id")
        if not buyer.can_trade or buyer.kind == OrganisationKind.GOVERNMENT.value:
            raise ValidationError("buyer_organisation_id: a broker introduces a verified organisation that may buy",
                                  field="buyer_organisation_id", code="introduction.buyer_trading")
        iid = introduction_id(listing.id, buyer.id)
        if self.store.exists(iid):
            return iid, self._already_introduced(iid, user)
        introduction = Introduction.record(
            mandate=mandate, buyer_organisation_id=buyer.id, broker_user_id=user.id,
            broker_agency_id=accreditation.organisation_id, note=cmd.note, today=self._today())
        try:
            return iid, self.store.commit(introduction)
        except ConflictError:
            return iid, self._already_introduced(iid, user)  # introduced meanwhile: the first stands

    def _already_introduced(self, iid: UUID, user: User) -> int:
        existing = self.store.load(Introduction, iid, "buyer_organisation_id")
        if existing.broker_user_id == user.id and existing.status != "declined":
            return self._position()  # the broker's own second click
        raise ConflictError("buyer_organisation_id: this buyer was already introduced to the listing",
                            field="buyer_organisation_id", code="introduction.exists")

    def confirm_introduction(self, cmd: mc.ConfirmIntroduction, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        introduction = self.store.load(Introduction, cmd.introduction_id, "introduction_id")
        if not introduction.confirm(organisation_id=user.organisation_id, by=user.id):
            return self._position()
        return self.store.commit(introduction)

    def decline_introduction(self, cmd: mc.DeclineIntroduction, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        introduction = self.store.load(Introduction, cmd.introduction_id, "introduction_id")
        if not introduction.decline(organisation_id=user.organisation_id, reason=cmd.reason, by=user.id):
            return self._position()
        return self.store.commit(introduction)

    # --- reviewing demands (handed to demand) --------------------------------------------------
    def reviews_demands(self, user: User) -> bool:
        """Whether ``user`` is an accredited broker valid today, of the agency it was accredited in: ``False``
        when it was never accredited; the broker's coded refusal when its accreditation expired, was revoked
        or it left the agency."""
        if not self.store.exists(broker_id(user.id)):
            return False
        accreditation = self.store.load(BrokerAccreditation, broker_id(user.id), "broker")
        accreditation.require_valid(self._today())
        if accreditation.organisation_id != user.organisation_id:
            raise PermissionDeniedError("broker: the broker has left the accredited agency", field="broker",
                                        code="broker.not_accredited")
        return True

    # --- acting for the seller (handed to deals) -----------------------------------------------
    def acts_for_seller(self, user: User, offer: Offer) -> bool:
        """Whether ``user`` is an accredited broker, valid today, of an agency holding a running mandate for the
        offer's listing that lets its brokers act for the seller, and the offer is one its agency brokers (the
        deals its members may read) at the mandate's commission: then it answers the offer as the seller."""
        if offer.broker_organisation_id != user.organisation_id or not self.store.exists(broker_id(user.id)):
            return False
        accreditation = self.store.load(BrokerAccreditation, broker_id(user.id), "broker")
        day = self._today()
        if not accreditation.is_valid_on(day) or accreditation.organisation_id != user.organisation_id:
            return False
        mid = mandate_id(offer.listing_id, user.organisation_id)
        if not self.store.exists(mid):
            return False
        mandate = self.store.load(Mandate, mid, "offer_id")
        # The seller agreed to the mandate's commission only: an offer whose buyer named the agency at another rate
        # is the seller's own to answer, or the broker could accept a higher commission for itself.
        return mandate.may_act and mandate.is_live_on(day) and mandate.seller_organisation_id == (
            offer.seller_organisation_id) and offer.broker_commission == mandate.commission

    # --- the broker an offer must carry (handed to deals) --------------------------------------
    def binding_broker(self, listing_id: UUID, buyer_organisation_id: UUID) -> tuple[UUID, int] | None:
        """The agency and commission (bp) the buyer's offer on the listing carries today, or ``None``."""
        iid = introduction_id(listing_id, buyer_organisation_id)
        if not self.store.exists(iid):
            return None
        introduction = self.store.load(Introduction, iid, "listing_id")
        mandate = self.store.load(Mandate, introduction.mandate_id, "listing_id")
        return binding_broker(introduction, mandate, self._today())
