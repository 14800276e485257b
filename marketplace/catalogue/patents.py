"""Catalogue commands: patents registered and their legal status; listings drafted, revised, published, withdrawn."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role, User
from domain.catalogue.listing import Listing, ListingTerms, Maturity, OpenLicenceTerms, maturity_of_trl
from domain.catalogue.owners import Inventor, Owner, PublicFunding
from domain.catalogue.patent import Patent
from domain.catalogue.patent_terms import SUSPENDING_STATUSES, LegalStatus
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.money import Money
from marketplace.catalogue import commands as cc
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase, reads_together
from marketplace.platform.units import percent_to_basis_points

#: Patent terms end on a day of the Chinese calendar: the deadline worker reads "today" in Beijing.
BEIJING = ZoneInfo("Asia/Shanghai")


def listing_terms(cmd: cc.ListingTermsInput) -> ListingTerms:
    """Build validated listing terms from the command's input."""
    if cmd.maturity is None and cmd.trl is None:
        raise ValidationError(
            "maturity: give a maturity stage or a TRL", field="maturity", code="listing.maturity_or_trl"
        )
    maturity = cmd.maturity or maturity_of_trl(cmd.trl or 1).value
    if cmd.asking_price is not None and cmd.asking_price < 0:
        raise ValidationError("asking_price: must not be negative", field="asking_price", code="amount.negative")
    open_terms = None
    if cmd.open_licence is not None:
        if cmd.open_licence.fee < 0:
            raise ValidationError(
                "open_licence.fee: must not be negative", field="open_licence.fee", code="amount.negative"
            )
        open_terms = OpenLicenceTerms(
            fee=Money(cmd.open_licence.fee, cmd.currency.upper()),
            royalty_rate=percent_to_basis_points(cmd.open_licence.royalty_rate, "open_licence.royalty_rate"),
            term_years=cmd.open_licence.term_years,
        )
    price = Money(cmd.asking_price, cmd.currency.upper()) if cmd.asking_price is not None else None
    return ListingTerms(
        deal_types=tuple(dict.fromkeys(cmd.deal_types)),
        price_mode=cmd.price_mode,
        asking_price=price,
        open_licence=open_terms,
        maturity=Maturity(maturity).value if maturity in Maturity.__members__.values() else maturity,
        trl=cmd.trl,
        advantages=cmd.advantages,
        applications=cmd.applications,
        keywords=tuple(cmd.keywords),
    )



class Catalogue:
    """Patents registered and their legal status, listings drafted, revised, published and withdrawn."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    # --- patents ----------------------------------------------------------------------------
    @reads_together(cached=lambda _: True)  # the actor and its organisation
    def register_patent(self, cmd: cc.RegisterPatent, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Register a patent for the actor's verified organisation (a platform admin for anyone).

        Named co-owner organisations confirm before it is listed or contracted. A number whose
        registration was withdrawn is registered again on the same record (``Patent.Reregistered``).
        """
        user = self.store.actor(actor_id)
        loaded: dict[UUID, Organisation] = {}  # each organisation read once per command
        if not user.has_role(Role.PLATFORM_ADMIN):
            org = loaded[user.organisation_id] = self.store.load(Organisation, user.organisation_id,
                                                                 "organisation_id")
            if not org.verified:
                raise PermissionDeniedError(
                    f"organisation: {org.name} must be verified by the platform before it can register patents",
                    code="organisation.unverified_register", organisation=org.name,
                )
        owners = []
        for i, share in enumerate(cmd.owners):
            org = loaded.get(share.organisation_id) or self.store.load(
                Organisation, share.organisation_id, f"owners.{i}.organisation_id")
            owners.append(Owner(org.id, org.name, percent_to_basis_points(share.share, f"owners.{i}.share")))
        if not user.has_role(Role.PLATFORM_ADMIN) and user.organisation_id not in {o.organisation_id for o in owners}:
            raise PermissionDeniedError(
                "owners: your organisation must be one of the patent's owners", field="owners",
                code="registration.own_organisation_owner",
            )
        inventors = [
            Inventor(i.name, None if i.share is None else percent_to_basis_points(i.share, f"inventors.{n}.share"))
            for n, i in enumerate(cmd.inventors)
        ]
        funding = None
        if cmd.public_funding is not None:
            f = cmd.public_funding
            funding = PublicFunding(f.programme, f.project_reference, f.end_date, f.funder)
        patent = Patent.register(
            jurisdiction=cmd.jurisdiction,
            application_number=cmd.application_number,
            publication_number=cmd.publication_number,
            patent_type=cmd.patent_type,
            title_zh=cmd.title_zh,
            title_en=cmd.title_en,
            abstract_zh=cmd.abstract_zh,
            abstract_en=cmd.abstract_en,
            ipc_codes=list(cmd.ipc_codes),
            ipc_scheme=self.store.ipc_scheme,
            filing_date=cmd.filing_date,
            publication_date=cmd.publication_date,
            grant_date=cmd.grant_date,
            expiry_date=cmd.expiry_date,
            legal_status=cmd.legal_status,
            owners=owners,
            inventors=inventors,
            public_funding=funding,
            by=user.id,
            registrant_organisation_id=user.organisation_id,
        )
        duplicate = ConflictError(
            f"application_number: a patent with number {patent.application_number or patent.publication_number} "
            "is already registered",
            field="application_number" if patent.application_number else "publication_number",
            code="number.registered",
        )
        # A number seen before is found by the save itself (its record's first version is taken): no read first.
        try:
            return patent.id, self.store.commit(patent, duplicate=duplicate)
        except ConflictError as error:
            if error is not duplicate:
                raise
        withdrawn = self.store.load(Patent, patent.id, "application_number")
        if not withdrawn.registration_withdrawn:
            raise duplicate
        withdrawn.reregister(patent, source="form", by=user.id)
        return withdrawn.id, self.store.commit(withdrawn, duplicate=duplicate)

    def change_legal_status(self, cmd: cc.ChangeLegalStatus, *, actor_id: UUID | None) -> int:
        """Record a new legal status; the active listing is suspended or resumed with it."""
        user = self.store.actor(actor_id)
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        self.require_owner_or_admin(user, patent)
        self.store.expect_version(patent, cmd.expected_version)
        patent.change_legal_status(cmd.legal_status, effective_date=cmd.effective_date, reason=cmd.reason, by=user.id)
        return self.store.commit(patent, *self._follow_legal_status(patent))

    def record_funding(self, cmd: cc.RecordFunding, *, actor_id: UUID | None) -> int:
        """Record (or correct) the patent's public funding: a member of an owner organisation or a platform
        admin. The same funding again records nothing (a double click: one effect)."""
        user = self.store.actor(actor_id)
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        self.require_owner_or_admin(user, patent)
        self.store.expect_version(patent, cmd.expected_version)
        f = cmd.public_funding
        funding = None if f is None else PublicFunding(f.programme, f.project_reference, f.end_date, f.funder)
        if not patent.record_funding(funding, by=user.id):
            return self.store.commit()
        return self.store.commit(patent)

    def expire_patent(self, cmd: cc.ExpirePatent) -> int:
        """The deadline worker: a patent whose term has ended (on its expiry date, in Beijing) becomes
        expired, and its published listing is suspended with it. Refused before that day or once done."""
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        today = self.store.clock.now().astimezone(BEIJING).date()
        patent.expire_at_term(today, by=SYSTEM_ACTOR)
        return self.store.commit(patent, *self._follow_legal_status(patent))

    def _follow_legal_status(self, patent: Patent) -> list[Aggregate]:
        """Suspend the active listing while the patent cannot be traded; resume it when it can again."""
        changed: list[Aggregate] = []
        if patent.active_listing_id is not None:
            listing = self.store.load(Listing, patent.active_listing_id, "listing_id")
            suspending = patent.status in SUSPENDING_STATUSES
            if suspending and listing.status == "published":
                listing.suspend(reason=f"legal status {patent.legal_status}", by=SYSTEM_ACTOR)
                changed.append(listing)
            elif not suspending and listing.status == "suspended":
                listing.resume(by=SYSTEM_ACTOR)
                changed.append(listing)
        return changed

    @staticmethod
    def require_owner_or_admin(user: User, patent: Patent) -> None:
        if user.has_role(Role.PLATFORM_ADMIN):
            return
        if not patent.is_owned_by(user.organisation_id):
            raise PermissionDeniedError(
                "patent_id: only a member of the patent's owner organisation may do this", field="patent_id",
                code="patent.owner_member",
            )

    # --- listings ---------------------------------------------------------------------------
    @reads_together(lambda cmd: (cmd.patent_id,), cached=lambda _: True)
    def draft_listing(self, cmd: cc.DraftListing, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.store.actor(actor_id)
        patent = self.store.load(Patent, cmd.patent_id, "patent_id")
        if not patent.is_owned_by(user.organisation_id):
            raise PermissionDeniedError(
                "patent_id: only the patent's owner organisation may list it", field="patent_id",
                code="listing.owner_only",
            )
        patent.require_confirmed("listed")
        terms = listing_terms(cmd)
        listing = Listing.draft(patent_id=patent.id, organisation_id=user.organisation_id, terms=terms, by=user.id)
        patent.open_listing(listing.id, by=user.id)
        return listing.id, self.store.commit(patent, listing)

    def _own_listing(self, user: User, listing_id: UUID) -> Listing:
        listing = self.store.load(Listing, listing_id, "listing_id")
        if listing.organisation_id != user.organisation_id and not user.has_role(Role.PLATFORM_ADMIN):
            raise PermissionDeniedError(
                "listing_id: only the listing organisation may change it", field="listing_id",
                code="listing.own_only",
            )
        if listing.terms.get("conversion_id") and not user.has_role(Role.PLATFORM_ADMIN):
            raise PermissionDeniedError(
                "listing_id: a programme officer declared this open licence (限时转化); its owner cannot change it",
                field="listing_id", code="listing.declared_by_officer",
            )
        return listing

    def revise_listing(self, cmd: cc.ReviseListing, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        listing = self._own_listing(user, cmd.listing_id)
        self.store.expect_version(listing, cmd.expected_version)
        listing.revise(listing_terms(cmd), by=user.id)
        return self.store.commit(listing)

    @reads_together(lambda cmd: (cmd.listing_id,), cached=lambda _: True)  # its organisation and patent
    def publish_listing(self, cmd: cc.PublishListing, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        listing = self._own_listing(user, cmd.listing_id)
        self.store.expect_version(listing, cmd.expected_version)
        org = self.store.load(Organisation, listing.organisation_id, "organisation_id")
        if not org.can_trade:
            raise PermissionDeniedError(
                f"organisation: {org.name} must be verified by the platform before it can list patents",
                code="organisation.unverified_list", organisation=org.name,
            )
        patent = self.store.load(Patent, listing.patent_id, "patent_id")
        if patent.status in SUSPENDING_STATUSES or patent.status is LegalStatus.WITHDRAWN:
            raise ConflictError(
                f"patent_id: a {patent.legal_status} patent cannot be listed", field="patent_id",
                code="patent.not_tradable", legal_status=str(patent.legal_status),
            )
        patent.require_confirmed("listed")
        listing.publish(by=user.id)
        return self.store.commit(listing)

    def withdraw_listing(self, cmd: cc.WithdrawListing, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        listing = self._own_listing(user, cmd.listing_id)
        self.store.expect_version(listing, cmd.expected_version)
        patent = self.store.load(Patent, listing.patent_id, "patent_id")
        listing.withdraw(reason=cmd.reason, by=user.id)
        patent.close_listing(listing.id, by=user.id)
        return self.store.commit(listing, patent)
