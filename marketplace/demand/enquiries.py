"""Enquiry commands: ask and answer on a listing, accept its confidentiality terms, read and attach its
materials, and turn a thread into an offer.

Who may act is checked on the aggregates: an enquirer is a member of a verified organisation other than
the listing's seller; the seller's members answer, attach and remove materials and set the terms. A
file is checked (type from its magic bytes, size, name) before anything is kept or recorded; its bytes
go to the material store, the event records its hash, name, type and size.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.user import User
from domain.catalogue.listing import Listing, ListingStatus
from domain.deals.offer import Offer, OfferStatus
from domain.demand.enquiry import Enquiry, Side, enquiry_id
from domain.demand.materials import Access, ListingMaterials, check_file, digest, materials_id
from domain.shared.errors import (
    ConflictError,
    DomainError,
    ListingNotOpenError,
    NotFoundError,
    PermissionDeniedError,
)
from marketplace.deals import commands as dc
from marketplace.deals.checks import DealChecks
from marketplace.deals.offers import Offers
from marketplace.demand import commands as ec
from marketplace.demand.storage import MaterialStore, MemoryMaterialStore
from marketplace.platform.app_base import MarketplaceBase

#: Listings one may enquire about: those on the market.
ENQUIRABLE = (ListingStatus.PUBLISHED.value, ListingStatus.SUSPENDED.value)
#: Listings whose materials their seller may still change.
CHANGEABLE = (ListingStatus.DRAFT.value, ListingStatus.PUBLISHED.value, ListingStatus.SUSPENDED.value)


@dataclass(frozen=True)
class MaterialFile:
    """A material as read: its bytes and what the record says of them, and the log position of the read."""

    name: str
    media_type: str
    content: bytes
    position: int


class Enquiries:
    """Enquiries and materials (the demand trade's first part)."""

    def __init__(self, store: MarketplaceBase, checks: DealChecks, offers: Offers,
                 materials: MaterialStore | None = None) -> None:
        self.store = store
        self.checks = checks
        self.offers = offers
        self.files: MaterialStore = materials or MemoryMaterialStore()

    # --- who may act ------------------------------------------------------------------------------
    def _listing(self, listing_id: UUID) -> Listing:
        return self.store.load(Listing, listing_id, "listing_id")

    def _seller_member(self, user: User, listing: Listing) -> None:
        if user.organisation_id != listing.organisation_id:
            raise PermissionDeniedError("listing_id: only a member of the seller organisation may do this",
                                        field="listing_id", code="enquiry.not_seller")

    def _party(self, user: User, enquiry: Enquiry) -> Side:
        side = enquiry.side_of(user.organisation_id)
        if side is None:
            raise PermissionDeniedError("enquiry_id: only the enquirer and the seller take part in this thread",
                                        field="enquiry_id", code="enquiry.not_party")
        return side

    def _enquirer(self, user: User, enquiry: Enquiry) -> None:
        if self._party(user, enquiry) is not Side.ENQUIRER:
            raise PermissionDeniedError("enquiry_id: only the enquiring organisation may do this",
                                        field="enquiry_id", code="enquiry.not_enquirer")

    def _done(self, changed: bool, *aggregates: Aggregate) -> int:
        """Save what changed; an unchanged record (a double submit) answers the log's head, one effect."""
        if not changed:
            return self.store.recorder.max_notification_id() or 0
        return self.store.commit(*aggregates)

    # --- the thread -------------------------------------------------------------------------------
    def ask(self, cmd: ec.AskEnquiry, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Open the organisation's thread on the listing, or continue it; returns (enquiry id, position)."""
        user = self.store.actor(actor_id)
        listing = self._listing(cmd.listing_id)
        if user.organisation_id == listing.organisation_id:
            raise PermissionDeniedError("listing_id: an organisation does not enquire about its own listing",
                                        field="listing_id", code="enquiry.own_listing")
        self.checks.trading_organisation(user.organisation_id, "organisation")
        message = cmd.message_id or uuid.uuid4()
        thread = enquiry_id(listing.id, user.organisation_id)
        for _ in range(3):
            if self.store.exists(thread):
                enquiry = self.store.load(Enquiry, thread, "enquiry_id")
                changed = enquiry.ask(by=user.id, kind=cmd.kind, text=cmd.text, message_id=message)
                saved = (changed, enquiry)
            else:
                if listing.status not in ENQUIRABLE:
                    raise ListingNotOpenError(f"listing_id: a {listing.status} listing takes no enquiries",
                                              field="listing_id", code="listing.state",
                                              listing_status=str(listing.status))
                enquiry = Enquiry.open(
                    listing_id=listing.id, patent_id=listing.patent_id, seller_organisation_id=listing.organisation_id,
                    enquirer_organisation_id=user.organisation_id, kind=cmd.kind, text=cmd.text, message_id=message,
                    by=user.id)
                saved = (True, enquiry)
            try:
                return thread, self._done(*saved)
            except ConflictError:  # opened or continued by a colleague meanwhile: ask again on the new state
                continue
        raise ConflictError("enquiry_id: others are writing in this thread right now; try again", field="enquiry_id",
                            code="enquiry.busy")

    def answer(self, cmd: ec.AnswerEnquiry, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        for _ in range(3):
            enquiry = self.store.load(Enquiry, cmd.enquiry_id, "enquiry_id")
            if self._party(user, enquiry) is not Side.SELLER:
                raise PermissionDeniedError("enquiry_id: only the seller's members answer", field="enquiry_id",
                                            code="enquiry.not_seller")
            changed = enquiry.answer(by=user.id, text=cmd.text, message_id=cmd.message_id or uuid.uuid4())
            try:
                return self._done(changed, enquiry)
            except ConflictError:
                continue
        raise ConflictError("enquiry_id: others are writing in this thread right now; try again", field="enquiry_id",
                            code="enquiry.busy")

    def mark_read(self, cmd: ec.MarkEnquiryRead, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        enquiry = self.store.load(Enquiry, cmd.enquiry_id, "enquiry_id")
        self._enquirer(user, enquiry)
        try:
            return self._done(enquiry.mark_read(by=user.id), enquiry)
        except ConflictError:  # read at once in two tabs: the other read counts
            return self.store.recorder.max_notification_id() or 0

    def make_offer_from_enquiry(self, cmd: ec.MakeOfferFromEnquiry, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """The enquirer makes an offer from the thread. While the thread's last offer is open, sending again
        answers that offer (one effect); two at once: the second save conflicts and finds the first."""
        for _ in range(3):
            enquiry = self.store.load(Enquiry, cmd.enquiry_id, "enquiry_id")
            user = self.store.actor(actor_id)
            self._enquirer(user, enquiry)
            open_offer = self._open_offer(enquiry)
            if open_offer is not None:
                return open_offer, self.store.recorder.max_notification_id() or 0
            fields = {f: getattr(cmd, f) for f in dc.TermsInput.__struct_fields__}
            offer_cmd = dc.MakeOffer(listing_id=enquiry.listing_id, **fields)

            def along(offer: Offer, by: User, thread: Enquiry = enquiry) -> Sequence[Aggregate]:
                thread.offer_made(by=by.id, offer_id=offer.id)
                return (thread,)

            try:
                return self.offers.make_offer(offer_cmd, actor_id=actor_id, along=along)
            except ConflictError as error:
                if error.code != "version.stale":
                    raise
        raise ConflictError("enquiry_id: the thread changed meanwhile; try again", field="enquiry_id",
                            code="enquiry.busy")

    def _open_offer(self, enquiry: Enquiry) -> UUID | None:
        if not enquiry.offer_ids:
            return None
        last = self.store.load(Offer, enquiry.offer_ids[-1], "offer_id")
        return last.id if last.status == OfferStatus.OPEN.value else None

    # --- materials --------------------------------------------------------------------------------
    def _materials(self, listing: Listing, by: UUID) -> ListingMaterials:
        if self.store.exists(materials_id(listing.id)):
            return self.store.load(ListingMaterials, materials_id(listing.id), "listing_id")
        return ListingMaterials.open(listing_id=listing.id, seller_organisation_id=listing.organisation_id, by=by)

    def _changeable(self, cmd_listing: UUID, actor_id: UUID | None) -> tuple[User, Listing]:
        user = self.store.actor(actor_id)
        listing = self._listing(cmd_listing)
        self._seller_member(user, listing)
        if listing.status not in CHANGEABLE:
            raise ListingNotOpenError(f"listing_id: a {listing.status} listing's materials are closed",
                                      field="listing_id", code="listing.state", listing_status=str(listing.status))
        return user, listing

    def attach_material(self, cmd: ec.AttachMaterial, *, actor_id: UUID | None) -> tuple[str, int]:
        """Check the file, keep its bytes, record it; returns (its SHA-256, position). Nothing is kept or
        recorded for a refused file."""
        user, listing = self._changeable(cmd.listing_id, actor_id)
        name, media_type = check_file(cmd.name, cmd.content)
        key = digest(cmd.content)
        for _ in range(3):
            materials = self._materials(listing, user.id)
            changed = materials.attach(by=user.id, sha256=key, name=name, media_type=media_type,
                                       size=len(cmd.content), access=cmd.access)
            if changed:  # kept only once the listing's materials accept it (a refused file leaves no bytes)
                self.files.put(cmd.content)
            try:
                return key, self._done(changed, materials)
            except ConflictError:
                continue
        raise ConflictError("listing_id: the listing's materials changed meanwhile; try again", field="listing_id",
                            code="material.busy")

    def remove_material(self, cmd: ec.RemoveMaterial, *, actor_id: UUID | None) -> int:
        user, listing = self._changeable(cmd.listing_id, actor_id)
        if not self.store.exists(materials_id(listing.id)):
            raise NotFoundError("sha256: this listing has no materials", field="sha256", code="not_found")
        materials = self.store.load(ListingMaterials, materials_id(listing.id), "listing_id")
        materials.remove(by=user.id, sha256=cmd.sha256)
        return self.store.commit(materials)

    def set_terms(self, cmd: ec.SetConfidentialityTerms, *, actor_id: UUID | None) -> int:
        user, listing = self._changeable(cmd.listing_id, actor_id)
        materials = self._materials(listing, user.id)
        return self._done(materials.set_terms(by=user.id, text=cmd.text), materials)

    def accept_terms(self, cmd: ec.AcceptConfidentiality, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        enquiry = self.store.load(Enquiry, cmd.enquiry_id, "enquiry_id")
        self._enquirer(user, enquiry)
        if not self.store.exists(materials_id(enquiry.listing_id)):
            raise NotFoundError("listing_id: this listing has no confidentiality terms yet", field="listing_id",
                                code="enquiry.no_terms")
        materials = self.store.load(ListingMaterials, materials_id(enquiry.listing_id), "listing_id")
        changed = enquiry.accept_terms(by=user.id, terms_sha256=cmd.terms_sha256,
                                       current_sha256=materials.terms_sha256)
        return self._done(changed, enquiry)

    def read_material(self, cmd: ec.ReadMaterial, *, actor_id: UUID | None) -> MaterialFile:
        """A material's bytes for whoever may read it; an enquirer's read of a confidential one is recorded."""
        listing = self._listing(cmd.listing_id)
        unknown = NotFoundError(f"sha256: no material {cmd.sha256[:16]} on this listing", field="sha256",
                                code="not_found")
        if not self.store.exists(materials_id(listing.id)):
            raise unknown
        materials = self.store.load(ListingMaterials, materials_id(listing.id), "listing_id")
        found = materials.materials.get(cmd.sha256)
        if found is None:
            raise unknown
        user = self.store.actor(actor_id) if actor_id is not None else None
        seller = user is not None and user.organisation_id == listing.organisation_id
        if listing.status == ListingStatus.DRAFT.value and not seller:
            raise unknown
        position = 0
        if found["access"] == Access.CONFIDENTIAL.value and not seller:
            position = self._record_confidential_read(user, listing, materials, cmd.sha256)
        content = self.files.get(cmd.sha256)
        if content is None:
            raise DomainError("sha256: the file is missing from the material store", field="sha256",
                              code="material.missing")
        return MaterialFile(found["name"], found["media_type"], content, position)

    def _record_confidential_read(self, user: User | None, listing: Listing, materials: ListingMaterials,
                                  sha256: str) -> int:
        refused = PermissionDeniedError(
            "sha256: this material is released to enquirers who accepted the listing's confidentiality terms",
            field="sha256", code="material.confidential")
        if user is None:
            raise refused
        thread = enquiry_id(listing.id, user.organisation_id)
        if not self.store.exists(thread):
            raise refused
        enquiry = self.store.load(Enquiry, thread, "enquiry_id")
        if enquiry.accepted_terms != materials.terms_sha256:
            raise refused
        for _ in range(3):
            enquiry.record_material_read(by=user.id, sha256=sha256)
            try:
                return self.store.commit(enquiry)
            except ConflictError:
                enquiry = self.store.load(Enquiry, thread, "enquiry_id")
        raise ConflictError("enquiry_id: the thread changed meanwhile; try again", field="enquiry_id",
                            code="enquiry.busy")
