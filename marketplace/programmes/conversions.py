"""Time-limited conversion (限时转化) commands: the deadline worker's flags, the owner's answer, the officer's
opening of an overdue patent to others.

The worker (``follow``) is handed the funded patents the catalogue read model knows, with the flags the
conversions read model holds, and loads aggregates only where something is to be done: a flag to raise
(``warning_days`` before the deadline), a ``due`` flag whose deadline passed, or a flag whose patent has
since had a licence or transfer paid (it comes into force on its first payment). Each step is checked
again on the aggregates; a flag's id derives from the patent and the programme, so two workers at once
record one flag (the second save is a duplicate, and is skipped).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import Role, User
from domain.catalogue.listing import DealType, Listing, ListingTerms, OpenLicenceTerms, PriceMode
from domain.catalogue.patent import Patent
from domain.catalogue.patent_terms import LegalStatus
from domain.programmes.conversion import Conversion, ConversionStatus, OpeningMode, conversion_id
from domain.programmes.conversion_terms import add_years
from domain.programmes.programme import Programme
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.money import Money
from marketplace.catalogue.patents import BEIJING
from marketplace.platform.app_base import MarketplaceBase
from marketplace.programmes import conversion_commands as vc
from marketplace.programmes.programmes import Programmes

log = logging.getLogger(__name__)
#: The most licensees one designation names.
MAX_LICENSEES = 20


@dataclass(frozen=True)
class FundedPatent:
    """What the read models say of one funded patent: its funding, whether a licence or transfer of it is in
    force (paid), and the status of each programme's flag on it."""

    patent_id: UUID
    funding: dict[str, Any]
    paid: bool = False
    flags: dict[UUID, str] = field(default_factory=dict)


def paid_contract(patent: Patent) -> UUID | None:
    """A licence in force or an ownership transfer of the patent (either came into force on a payment)."""
    for contract_id, licence in patent.licences.items():
        if licence["status"] == "active":
            return UUID(contract_id)
    transfer = patent.__dict__.get("_last_transfer")
    return UUID(transfer["contract_id"]) if transfer else None


class Conversions:
    """Flags on funded patents past (or near) their conversion deadline, and what owners and officers do."""

    def __init__(self, store: MarketplaceBase, programmes: Programmes) -> None:
        self.store = store
        self.programmes = programmes

    # --- the deadline worker ------------------------------------------------------------------
    def watching(self, today: date) -> list[Programme]:
        """The open conversion programmes running today."""
        found = (self.store.load(Programme, i, "programme_id") for i in self.programmes.programme_ids())
        return [p for p in found if p.watches_on(today)]

    @staticmethod
    def ended_by(today: date, programmes: list[Programme]) -> date:
        """The latest funding end any of ``programmes`` could flag today: a funding that ended later is not due
        under the shortest period (with the longest warning) of any of them."""
        latest = date.min
        for programme in programmes:
            terms = programme.rules_on(today)[1].conversion
            if terms is not None:
                shortest = min([terms.years, *(years for _, years in terms.funder_years)])
                latest = max(latest, add_years(today + timedelta(days=terms.warning_days), -shortest))
        return latest

    def follow(self, today: date, funded: list[FundedPatent],
               programmes: list[Programme] | None = None) -> list[UUID]:
        """Raise, advance or clear the flags ``today`` calls for (under ``programmes``, by default those
        watching today); returns the flags changed."""
        changed: list[UUID] = []
        programmes = self.watching(today) if programmes is None else programmes
        for row in funded:
            for programme in programmes:
                terms = programme.rules_on(today)[1].conversion
                if terms is None or not terms.watches(row.funding):
                    continue
                deadline = terms.deadline(row.funding)
                status = row.flags.get(programme.id)
                if status is None and (row.paid or today < terms.warn_from(deadline)):
                    continue
                if status == ConversionStatus.CONVERTED.value:
                    continue
                if status is not None and not row.paid and not (status == "due" and today >= deadline):
                    continue
                try:
                    if self._step(row.patent_id, programme, today):
                        changed.append(conversion_id(row.patent_id, programme.id))
                except ConflictError as refusal:  # flagged meanwhile by another worker
                    log.info("conversion of %s not flagged: %s", row.patent_id, refusal.message)
        return changed

    def _step(self, patent_id: UUID, programme: Programme, today: date) -> bool:
        patent = self.store.load(Patent, patent_id, "patent_id")
        terms = programme.rules_on(today)[1].conversion
        if terms is None or patent.registration_withdrawn or not terms.watches(patent.public_funding):
            return False
        if patent.status not in (LegalStatus.PENDING, LegalStatus.GRANTED) and not self.store.exists(
                conversion_id(patent.id, programme.id)):
            return False  # a lapsed, expired or invalidated right is no longer to convert
        paid = paid_contract(patent)
        cid = conversion_id(patent.id, programme.id)
        if self.store.exists(cid):
            flag = self.store.load(Conversion, cid, "conversion_id")
            moved = flag.record_converted(paid) if paid is not None else flag.pass_deadline(today)
            if moved:
                self.store.commit(flag)
            return moved
        assert patent.public_funding is not None
        deadline = terms.deadline(patent.public_funding)
        if paid is not None or today < terms.warn_from(deadline):
            return False
        flag = Conversion.flag(
            patent_id=patent.id, programme_id=programme.id, organisation_id=programme.organisation_id,
            owner_ids=sorted(patent.owner_ids), funding=dict(patent.public_funding), deadline=deadline,
            warn_from=terms.warn_from(deadline), today=today, legal_basis=terms.legal_basis,
        )
        self.store.commit(flag, duplicate=ConflictError("conversion_id: already flagged", code="conversion.flagged"))
        return True

    # --- the owner ----------------------------------------------------------------------------
    def answer_conversion(self, cmd: vc.AnswerConversion, *, actor_id: UUID | None) -> int:
        """A member of an owner organisation answers with a plan or a deal in progress: the flag pauses."""
        user = self.store.actor(actor_id)
        flag = self.store.load(Conversion, cmd.conversion_id, "conversion_id")
        if not flag.is_owner(user.organisation_id):
            raise PermissionDeniedError("conversion_id: only a member of the patent's owner organisation answers",
                                        field="conversion_id", code="conversion.owner_only")
        if not flag.answer_with(cmd.kind, cmd.text, cmd.reference, organisation_id=user.organisation_id, by=user.id):
            return self.store.commit()
        return self.store.commit(flag)

    # --- the officer --------------------------------------------------------------------------
    def _officer(self, actor_id: UUID | None, flag: Conversion) -> User:
        user = self.store.actor(actor_id)
        self.store.require_role(user, Role.PROGRAMME_OFFICER)
        org = self.store.load(Organisation, user.organisation_id, "organisation_id")
        if org.kind != OrganisationKind.GOVERNMENT.value or org.id != flag.organisation_id:
            raise PermissionDeniedError("conversion_id: only the programme's department's officers act on it",
                                        field="conversion_id", code="conversion.officer_only")
        return user

    def resume_conversion(self, cmd: vc.ResumeConversion, *, actor_id: UUID | None) -> int:
        flag = self.store.load(Conversion, cmd.conversion_id, "conversion_id")
        officer = self._officer(actor_id, flag)
        flag.resume(cmd.reason, self.store.clock.now().astimezone(BEIJING).date(), by=officer.id)
        return self.store.commit(flag)

    def open_conversion(self, cmd: vc.OpenConversion, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Open an overdue patent to others: an open-licence declaration on the officer's terms, published at
        once on the owner's behalf (any owner's live listing is withdrawn: the declaration replaces it), for
        anyone or for the designated licensees only. Returns the declaration's listing."""
        flag = self.store.load(Conversion, cmd.conversion_id, "conversion_id")
        officer = self._officer(actor_id, flag)
        flag.check_openable(cmd.legal_basis, cmd.reason)
        licensees = self._licensees(cmd)
        patent = self.store.load(Patent, flag.patent_id, "patent_id")
        owner = next((o for o in sorted(patent.owner_ids, key=str)), None)
        if owner is None:
            raise ConflictError("conversion_id: the patent has no owner organisation to license it",
                                field="conversion_id", code="conversion.no_owner")
        changed: list[Any] = []
        if patent.active_listing_id is not None:
            old = self.store.load(Listing, patent.active_listing_id, "listing_id")
            if old.is_open:
                old.withdraw(reason="replaced by the open licence the programme officer declared", by=officer.id)
                changed.append(old)
            patent.close_listing(old.id, by=officer.id)
        terms = ListingTerms(
            deal_types=(DealType.OPEN_LICENCE.value,), price_mode=PriceMode.OPEN_LICENCE.value, asking_price=None,
            open_licence=OpenLicenceTerms(Money(cmd.fee), cmd.royalty_rate, cmd.term_years),
            maturity=cmd.maturity, trl=None, advantages="", applications="", keywords=(),
        )
        declared = {**terms.as_dict(), "conversion_id": str(flag.id),
                    "licensees": [str(i) for i in licensees]}
        listing = Listing(patent_id=patent.id, organisation_id=owner, terms=declared, by=officer.id)
        patent.require_confirmed("listed")
        patent.open_listing(listing.id, by=officer.id)
        listing.publish(by=officer.id)
        flag.open_to_others(mode=cmd.mode, legal_basis=cmd.legal_basis, reason=cmd.reason,
                            terms=terms.as_dict()["open_licence"], listing_id=listing.id, licensee_ids=licensees,
                            by=officer.id)
        return listing.id, self.store.commit(flag, patent, listing, *changed)

    def _licensees(self, cmd: vc.OpenConversion) -> list[UUID]:
        if Conversion.opening_mode(cmd.mode) is not OpeningMode.DESIGNATED:
            return []
        unique = list(dict.fromkeys(cmd.licensee_ids))
        if not unique or len(unique) > MAX_LICENSEES:
            raise ValidationError(f"licensee_ids: designate 1 to {MAX_LICENSEES} licensees", field="licensee_ids",
                                  code="conversion.licensees", most=MAX_LICENSEES)
        for i, org_id in enumerate(unique):
            org = self.store.load(Organisation, org_id, f"licensee_ids.{i}")
            if not org.can_trade:
                raise ValidationError(f"licensee_ids.{i}: {org.name} is not a verified organisation",
                                      field=f"licensee_ids.{i}", code="conversion.licensee_unverified",
                                      organisation=org.name)
        return unique

