"""Achievement packages (科技成果包): curate, schedule, publish on the day, follow.

Who may act is checked on the aggregates: a programme officer (its department) or a member of a verified
transfer agency drafts a package for its organisation; afterwards only members of that curator organisation
revise or schedule it (a programme officer or an agency member still). A listing enters a package only while
published; one withdrawn or sold later stays in the set and shows so. The deadline worker publishes the
scheduled edition on its day (Beijing); a publication racing a curator's save makes one of the two fail on
the aggregate's version, and the worker's is retried, so the edition is the set before the edit or after it.
Any logged-in user follows a package (:class:`PackageFollow`, one per package and user).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import Role, User
from domain.catalogue.listing import Listing, ListingStatus
from domain.market.package import Package, PackageFollow, follow_id
from domain.shared.errors import ConflictError, NotFoundError, PermissionDeniedError
from domain.shared.ids import requested_id
from marketplace.market import package_commands as pk
from marketplace.platform.app_base import MarketplaceBase

BEIJING = ZoneInfo("Asia/Shanghai")
RETRIES = 3


class Packages:
    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    def _today(self) -> date:
        return self.store.clock.now().astimezone(BEIJING).date()

    # --- who may act ---------------------------------------------------------------------------
    def _curator(self, actor_id: UUID | None) -> User:
        """A programme officer, or a member of a verified transfer agency."""
        user = self.store.actor(actor_id)
        if user.has_role(Role.PROGRAMME_OFFICER):
            return user
        org: Organisation = self.store.load(Organisation, user.organisation_id, "organisation_id")
        if org.kind == OrganisationKind.TRANSFER_AGENCY.value and org.verified:
            return user
        raise PermissionDeniedError("package: programme officers and members of verified transfer agencies "
                                    "curate achievement packages", field="package_id", code="package.curator_only")

    def _package(self, package_id: UUID) -> Package:
        return self.store.load(Package, package_id, "package_id")

    def _own(self, actor_id: UUID | None, package: Package) -> User:
        user = self._curator(actor_id)
        if user.organisation_id != package.organisation_id:
            raise PermissionDeniedError("package_id: only the curator organisation's members edit its package",
                                        field="package_id", code="package.not_curator")
        return user

    def _check_listings(self, listing_ids: Sequence[UUID], already: Sequence[UUID]) -> None:
        """Listings newly entering the set are published now (ones in it already may have closed since)."""
        for listing_id in listing_ids:
            if listing_id in already:
                continue
            listing = self.store.load(Listing, listing_id, "listing_ids")
            if listing.status != ListingStatus.PUBLISHED.value:
                raise ConflictError("listing_ids: a package presents published listings only", field="listing_ids",
                                    code="package.listing_not_published", listing_id=str(listing_id))

    def _position(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    # --- the curator ---------------------------------------------------------------------------
    def draft_package(self, cmd: pk.DraftPackage, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self._curator(actor_id)
        self._check_listings(cmd.listing_ids, ())
        # ``cmd.package_id`` is the form's idempotency key, never the id itself (``requested_id``).
        package_id = requested_id("package", user.id, cmd.package_id) if cmd.package_id else uuid.uuid4()
        package = Package.draft(organisation_id=user.organisation_id, title_zh=cmd.title_zh, title_en=cmd.title_en,
                                description_zh=cmd.description_zh, description_en=cmd.description_en,
                                industry=cmd.industry, listing_ids=cmd.listing_ids, by=user.id,
                                package_id=package_id)
        taken = ConflictError("package_id: this request key was used for another package", field="package_id",
                              code="package.id_taken")
        if self.store.exists(package_id):
            existing = self._package(package_id)
            if existing.organisation_id == user.organisation_id and existing.content() == package.content():
                return package_id, self._position()  # a double submit
            raise taken
        try:
            return package_id, self.store.commit(package)
        except ConflictError:  # the same form twice at once: the first one stands
            if self.store.exists(package_id) and self._package(package_id).content() == package.content():
                return package_id, self._position()
            raise taken from None

    def revise_package(self, cmd: pk.RevisePackage, *, actor_id: UUID | None) -> int:
        package = self._package(cmd.package_id)
        user = self._own(actor_id, package)
        self._check_listings(cmd.listing_ids, package.listing_ids)
        if not package.revise(title_zh=cmd.title_zh, title_en=cmd.title_en, description_zh=cmd.description_zh,
                              description_en=cmd.description_en, industry=cmd.industry,
                              listing_ids=cmd.listing_ids, by=user.id):
            return self._position()
        return self.store.commit(package)

    def schedule_package(self, cmd: pk.SchedulePackage, *, actor_id: UUID | None) -> int:
        package = self._package(cmd.package_id)
        user = self._own(actor_id, package)
        if not package.schedule(cmd.publish_on, today=self._today(), by=user.id):
            return self._position()
        return self.store.commit(package)

    def unschedule_package(self, cmd: pk.UnschedulePackage, *, actor_id: UUID | None) -> int:
        package = self._package(cmd.package_id)
        user = self._own(actor_id, package)
        if not package.unschedule(by=user.id):
            return self._position()
        return self.store.commit(package)

    # --- the deadline worker ----------------------------------------------------------------------
    def publish_due_package(self, cmd: pk.PublishDuePackage) -> int | None:
        """Publish the package's scheduled edition if its day has come; ``None`` when there was nothing to
        publish. A curator's save meanwhile makes the save fail on the version: it is tried again on the
        package as it now stands."""
        for _ in range(RETRIES):
            package = self._package(cmd.package_id)
            if not package.publish_due(today=self._today(), at=self.store.clock.now().isoformat()):
                return None
            try:
                return self.store.commit(package)
            except ConflictError:
                continue
        raise ConflictError("package_id: the package keeps changing; publishing it at the next pass",
                            field="package_id", code="package.busy")

    # --- followers -------------------------------------------------------------------------------
    def follow_package(self, cmd: pk.FollowPackage, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        package = self._package(cmd.package_id)
        if not package.editions:
            raise NotFoundError(f"package_id: no package with id {cmd.package_id}", field="package_id",
                                code="not_found")
        fid = follow_id(package.id, user.id)
        if self.store.exists(fid):
            follow = self.store.load(PackageFollow, fid, "package_id")
            if not follow.follow_again(package.edition):
                return self._position()
        else:
            follow = PackageFollow(package_id=package.id, user_id=user.id, seen_edition=package.edition)
        try:
            return self.store.commit(follow)
        except ConflictError:  # followed twice at once: one follow
            return self._position()

    def unfollow_package(self, cmd: pk.UnfollowPackage, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        fid = follow_id(cmd.package_id, user.id)
        if not self.store.exists(fid):
            return self._position()
        follow = self.store.load(PackageFollow, fid, "package_id")
        if not follow.unfollow():
            return self._position()
        try:
            return self.store.commit(follow)
        except ConflictError:
            return self._position()

    def see_package_edition(self, cmd: pk.SeePackageEdition, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        fid = follow_id(cmd.package_id, user.id)
        if not self.store.exists(fid):
            return self._position()
        follow = self.store.load(PackageFollow, fid, "package_id")
        if not follow.see(self._package(cmd.package_id).edition):
            return self._position()
        try:
            return self.store.commit(follow)
        except ConflictError:
            return self._position()
