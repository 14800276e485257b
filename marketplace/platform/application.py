"""The marketplace application: commands over the event-sourced aggregates.

Each public method takes one command struct and the acting user's id, loads aggregates,
checks roles and ownership on the aggregates themselves (never on a read model), and saves
every changed aggregate in one atomic ``save``. It returns the notification id of the last
event written, so that callers can wait for read models to catch up (read-your-writes).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import PLATFORM_WIDE, Role, User, clean_display_name, clean_email, parse_roles
from domain.audit.read import AuditRead
from domain.catalogue.listing import Listing, ListingTerms, Maturity, OpenLicenceTerms, maturity_of_trl
from domain.catalogue.owners import Inventor, Owner, PublicFunding
from domain.catalogue.patent import Patent
from domain.catalogue.patent_terms import SUSPENDING_STATUSES, LegalStatus
from domain.shared.errors import (
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from domain.shared.ids import organisation_ids
from domain.shared.money import Money
from domain.shared.text import checked, scrubbed
from marketplace.accounts.passwords import hash_password, timing_equaliser, verify_password
from marketplace.accounts.people import AccountCommands
from marketplace.catalogue.registrations import RegistrationCommands
from marketplace.deals.group import DealCommands
from marketplace.platform import commands as c
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase
from marketplace.platform.units import percent_to_basis_points
from marketplace.valuation.assessments import ValuationCommands


def listing_terms(cmd: c.ListingTermsInput) -> ListingTerms:
    """Build validated listing terms from the command's input."""
    if cmd.maturity is None and cmd.trl is None:
        raise ValidationError("maturity: give a maturity stage or a TRL", field="maturity")
    maturity = cmd.maturity or maturity_of_trl(cmd.trl or 1).value
    if cmd.asking_price is not None and cmd.asking_price < 0:
        raise ValidationError("asking_price: must not be negative", field="asking_price")
    open_terms = None
    if cmd.open_licence is not None:
        if cmd.open_licence.fee < 0:
            raise ValidationError("open_licence.fee: must not be negative", field="open_licence.fee")
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


class Marketplace(AccountCommands, DealCommands, ValuationCommands, RegistrationCommands, MarketplaceBase):
    """All commands of the marketplace over one event store (tables ``marketplace_events``)."""

    #: eventsourcing names an application after its class unless the class itself says otherwise;
    #: read models track their position under this name.
    name = "marketplace"

    # --- accounts ---------------------------------------------------------------------------
    def sign_up(self, cmd: c.SignUp, *, password_hash: str | None = None) -> tuple[UUID, int]:
        """A person signs up for a new organisation, which waits for verification.

        ``password_hash``: the hash of ``cmd.password``, made beforehand in the password pool (the web does,
        so that no command worker thread waits on argon2); made here otherwise.
        """
        email, name = clean_email(cmd.email), clean_display_name(cmd.display_name)
        self._require_email_free(email)
        if any(self.exists(i) for i in organisation_ids(cmd.organisation_name)):
            raise ConflictError(
                "organisation_name: this organisation is already registered; ask its administrator to add you",
                field="organisation_name",
            )
        org = Organisation.register(name=cmd.organisation_name, kind=cmd.organisation_kind, region=cmd.region)
        user = User.sign_up(organisation_id=org.id, authority="self", roles=(Role.MEMBER.value, Role.ORG_ADMIN.value))
        duplicate = ConflictError(
            "organisation_name: this organisation is already registered; ask its administrator to add you",
            field="organisation_name",
        )
        hashed = password_hash or hash_password(cmd.password)
        return user.id, self._save_new_person(user, email, name, hashed, org, duplicate=duplicate)

    def add_member(
        self, cmd: c.AddMember, *, actor_id: UUID | None, password_hash: str | None = None
    ) -> tuple[UUID, int]:
        """An org admin adds a colleague to its own organisation (a platform admin to the operator's).

        ``password_hash``: as for :meth:`sign_up`.
        """
        admin = self.actor(actor_id)
        roles = parse_roles(list(cmd.roles)) or (Role.MEMBER.value,)
        if Role.VALUER.value in roles:
            raise PermissionDeniedError("roles: the valuer role comes only with a valuer accreditation", field="roles")
        if admin.has_role(Role.PLATFORM_ADMIN):
            authority = Role.PLATFORM_ADMIN.value
        else:
            self.require_role(admin, Role.ORG_ADMIN)
            wide = sorted(set(roles) & PLATFORM_WIDE)
            if wide:
                raise PermissionDeniedError(
                    f"roles: only a platform admin can grant {', '.join(wide)}", field="roles")
            org = self.load(Organisation, admin.organisation_id, "organisation_id")
            if not org.verified and set(roles) != {Role.MEMBER.value}:
                raise PermissionDeniedError(
                    "roles: until the platform has verified your organisation you may add plain members only",
                    field="roles")
            authority = Role.ORG_ADMIN.value
        email, name = clean_email(cmd.email), clean_display_name(cmd.display_name)
        self._require_email_free(email)
        user = User.sign_up(organisation_id=admin.organisation_id, authority=authority, roles=roles, by=admin.id)
        hashed = password_hash or hash_password(cmd.password)
        return user.id, self._save_new_person(user, email, name, hashed)

    def verify_organisation(self, cmd: c.VerifyOrganisation, *, actor_id: UUID | None) -> int:
        admin = self.actor(actor_id)
        self.require_role(admin, Role.PLATFORM_ADMIN)
        org = self.load(Organisation, cmd.organisation_id, "organisation_id")
        org.verify(by=admin.id)
        return self.commit(org)

    def grant_role(self, cmd: c.GrantRole, *, actor_id: UUID | None) -> int:
        """Grant a role (a platform admin granting a role awaiting confirmation confirms it)."""
        admin, user, authority = self._role_authority(cmd.user_id, cmd.role, actor_id)
        user.grant_role(cmd.role, by=admin.id, authority=authority)
        return self.commit(user)

    def revoke_role(self, cmd: c.RevokeRole, *, actor_id: UUID | None) -> int:
        """Take a role away; the same authority as granting it."""
        admin, user, _ = self._role_authority(cmd.user_id, cmd.role, actor_id)
        user.revoke_role(cmd.role, by=admin.id)
        return self.commit(user)

    def _role_authority(self, target: UUID, role: str, actor_id: UUID | None) -> tuple[User, User, str]:
        """Who may change this role of this user: the rule in ``marketplace.accounts.people``."""
        admin = self.actor(actor_id)
        (parsed,) = parse_roles([role])
        user = self.load(User, target, "user_id")
        if parsed == Role.VALUER.value:
            raise PermissionDeniedError("role: the valuer role comes only with a valuer accreditation", field="role")
        if admin.has_role(Role.PLATFORM_ADMIN):
            return admin, user, Role.PLATFORM_ADMIN.value
        if parsed in PLATFORM_WIDE:
            raise PermissionDeniedError(f"role: only a platform admin can grant or revoke {parsed}", field="role")
        self.require_role(admin, Role.ORG_ADMIN)
        if user.organisation_id != admin.organisation_id:
            raise PermissionDeniedError("user_id: you may change roles only within your organisation", field="user_id")
        if any(user.has_role(Role(r)) for r in PLATFORM_WIDE):
            raise PermissionDeniedError(
                "user_id: only a platform admin changes the roles of an account with platform-wide roles",
                field="user_id")
        org = self.load(Organisation, admin.organisation_id, "organisation_id")
        if not org.verified:
            raise PermissionDeniedError(
                "role: roles can be changed once the platform has verified your organisation", field="role")
        return admin, user, Role.ORG_ADMIN.value

    def record_read(
        self, *, actor_id: UUID | None, aggregate_id: UUID, aggregate_type: str, page: str,
        version: int | None = None, as_of: datetime | None = None,
    ) -> int:
        """Record that an auditor or platform admin (not a party) read a confidential record: an event,
        hash-chained with the rest of the history like everything else."""
        reader = self.actor(actor_id)
        self.require_role(reader, Role.AUDITOR, Role.PLATFORM_ADMIN)
        read = AuditRead(
            reader_id=reader.id, reader_roles=sorted(reader.roles), aggregate_id=aggregate_id,
            aggregate_type=aggregate_type, page=scrubbed(page)[:2000], shown_version=version,
            as_of=as_of.isoformat() if as_of is not None else None, by=reader.id,
        )
        return self.commit(read)

    def authenticate(self, email: str, password: str) -> User | None:
        """The active user with these credentials, or ``None`` (one answer for every failure)."""
        person, user = self.find_person(email)
        stored = person.password_hash if person else None
        if stored is None and user is not None and user.legacy_person is not None:
            stored = user.legacy_person.password_hash
        if user is None or person is None or stored is None or not user.active:
            verify_password(timing_equaliser(), password)
            return None
        if not verify_password(stored, password):
            return None
        if person.password_hash is None:
            self.personal.set_password_hash(user.id, stored)
        user.attach_person(person.email, person.display_name)
        return user

    def bootstrap_platform_admin(self, *, email: str, password: str, display_name: str, organisation_name: str) -> UUID:
        """Create the operator's organisation and first platform admin (CLI and demo data only)."""
        display_name = checked(display_name, "display_name")
        email, name = clean_email(email), clean_display_name(display_name)
        self._require_email_free(email)
        org = Organisation.register(name=organisation_name, kind="government", verified=True, by=SYSTEM_ACTOR)
        user = User.sign_up(organisation_id=org.id, authority="system",
                            roles=(Role.MEMBER.value, Role.PLATFORM_ADMIN.value), by=SYSTEM_ACTOR)
        duplicate = ConflictError("organisation_name: already registered", field="organisation_name")
        self._save_new_person(user, email, name, hash_password(password), org, duplicate=duplicate)
        return user.id

    # --- patents ----------------------------------------------------------------------------
    def register_patent(self, cmd: c.RegisterPatent, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Register a patent for the actor's verified organisation (a platform admin for anyone).

        Named co-owner organisations confirm before it is listed or contracted. A number whose
        registration was withdrawn is registered again on the same record (``Patent.Reregistered``).
        """
        user = self.actor(actor_id)
        if not user.has_role(Role.PLATFORM_ADMIN):
            org = self.load(Organisation, user.organisation_id, "organisation_id")
            if not org.verified:
                raise PermissionDeniedError(
                    f"organisation: {org.name} must be verified by the platform before it can register patents"
                )
        owners = []
        for i, share in enumerate(cmd.owners):
            org = self.load(Organisation, share.organisation_id, f"owners.{i}.organisation_id")
            owners.append(Owner(org.id, org.name, percent_to_basis_points(share.share, f"owners.{i}.share")))
        if not user.has_role(Role.PLATFORM_ADMIN) and user.organisation_id not in {o.organisation_id for o in owners}:
            raise PermissionDeniedError("owners: your organisation must be one of the patent's owners", field="owners")
        inventors = [
            Inventor(i.name, None if i.share is None else percent_to_basis_points(i.share, f"inventors.{n}.share"))
            for n, i in enumerate(cmd.inventors)
        ]
        funding = None
        if cmd.public_funding is not None:
            f = cmd.public_funding
            funding = PublicFunding(f.programme, f.project_reference, f.end_date)
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
            ipc_scheme=self.ipc_scheme,
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
        )
        if self.exists(patent.id):
            withdrawn = self.load(Patent, patent.id, "application_number")
            if not withdrawn.registration_withdrawn:
                raise duplicate
            withdrawn.reregister(patent, source="form", by=user.id)
            patent = withdrawn
        return patent.id, self.commit(patent, duplicate=duplicate)

    def change_legal_status(self, cmd: c.ChangeLegalStatus, *, actor_id: UUID | None) -> int:
        """Record a new legal status; the active listing is suspended or resumed with it."""
        user = self.actor(actor_id)
        patent = self.load(Patent, cmd.patent_id, "patent_id")
        self.require_owner_or_admin(user, patent)
        self.expect_version(patent, cmd.expected_version)
        patent.change_legal_status(cmd.legal_status, effective_date=cmd.effective_date, reason=cmd.reason, by=user.id)
        changed: list[Aggregate] = [patent]
        if patent.active_listing_id is not None:
            listing = self.load(Listing, patent.active_listing_id, "listing_id")
            suspending = patent.status in SUSPENDING_STATUSES
            if suspending and listing.status == "published":
                listing.suspend(reason=f"legal status {patent.legal_status}", by=SYSTEM_ACTOR)
                changed.append(listing)
            elif not suspending and listing.status == "suspended":
                listing.resume(by=SYSTEM_ACTOR)
                changed.append(listing)
        return self.commit(*changed)

    @staticmethod
    def require_owner_or_admin(user: User, patent: Patent) -> None:
        if user.has_role(Role.PLATFORM_ADMIN):
            return
        if not patent.is_owned_by(user.organisation_id):
            raise PermissionDeniedError(
                "patent_id: only a member of the patent's owner organisation may do this", field="patent_id"
            )

    # --- listings ---------------------------------------------------------------------------
    def draft_listing(self, cmd: c.DraftListing, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.actor(actor_id)
        patent = self.load(Patent, cmd.patent_id, "patent_id")
        if not patent.is_owned_by(user.organisation_id):
            raise PermissionDeniedError(
                "patent_id: only the patent's owner organisation may list it", field="patent_id"
            )
        patent.require_confirmed("listed")
        terms = listing_terms(cmd)
        listing = Listing.draft(patent_id=patent.id, organisation_id=user.organisation_id, terms=terms, by=user.id)
        patent.open_listing(listing.id, by=user.id)
        return listing.id, self.commit(patent, listing)

    def _own_listing(self, user: User, listing_id: UUID) -> Listing:
        listing = self.load(Listing, listing_id, "listing_id")
        if listing.organisation_id != user.organisation_id and not user.has_role(Role.PLATFORM_ADMIN):
            raise PermissionDeniedError("listing_id: only the listing organisation may change it", field="listing_id")
        return listing

    def revise_listing(self, cmd: c.ReviseListing, *, actor_id: UUID | None) -> int:
        user = self.actor(actor_id)
        listing = self._own_listing(user, cmd.listing_id)
        self.expect_version(listing, cmd.expected_version)
        listing.revise(listing_terms(cmd), by=user.id)
        return self.commit(listing)

    def publish_listing(self, cmd: c.PublishListing, *, actor_id: UUID | None) -> int:
        user = self.actor(actor_id)
        listing = self._own_listing(user, cmd.listing_id)
        self.expect_version(listing, cmd.expected_version)
        org = self.load(Organisation, listing.organisation_id, "organisation_id")
        if not org.can_trade:
            raise PermissionDeniedError(
                f"organisation: {org.name} must be verified by the platform before it can list patents"
            )
        patent = self.load(Patent, listing.patent_id, "patent_id")
        if patent.status in SUSPENDING_STATUSES or patent.status is LegalStatus.WITHDRAWN:
            raise ConflictError(f"patent_id: a {patent.legal_status} patent cannot be listed", field="patent_id")
        patent.require_confirmed("listed")
        listing.publish(by=user.id)
        return self.commit(listing)

    def withdraw_listing(self, cmd: c.WithdrawListing, *, actor_id: UUID | None) -> int:
        user = self.actor(actor_id)
        listing = self._own_listing(user, cmd.listing_id)
        self.expect_version(listing, cmd.expected_version)
        patent = self.load(Patent, listing.patent_id, "patent_id")
        listing.withdraw(reason=cmd.reason, by=user.id)
        patent.close_listing(listing.id, by=user.id)
        return self.commit(listing, patent)
