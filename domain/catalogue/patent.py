"""The Patent aggregate: bibliographic facts, owners, inventors, legal status and its history.

Every event is recorded here (their stored topics are this module's); the registration commands are in
``registration_rounds``, the deal commands and the licence register in ``patent_deals``, the validation of a
bibliographic record in ``bibliography``, owners and inventors in ``owners``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.catalogue.bibliography import registration_record
from domain.catalogue.ipc import IpcScheme
from domain.catalogue.owners import Inventor, Owner, PublicFunding, funding_dict
from domain.catalogue.patent_deals import PatentDeals
from domain.catalogue.patent_terms import UNLISTABLE_STATUSES, LegalStatus, parse_legal_status
from domain.catalogue.registration_rounds import RegistrationRounds
from domain.shared.errors import ActiveListingExistsError, ConflictError
from domain.shared.ids import patent_id
from domain.shared.topics import stored_as

#: The reason recorded when a patent expires by itself at the end of its term (shown translated).
TERM_ENDED = "term of protection ended"


class Patent(RegistrationRounds, PatentDeals, Aggregate):
    """A patent or patent application as the marketplace knows it.

    One patent per number: the id derives from the application number (or, without one,
    the publication number), so registering the same number twice fails at save.
    """

    class Registered(Aggregate.Created):
        number_key: str
        jurisdiction: str
        application_number: str | None
        publication_number: str | None
        patent_type: str
        title_zh: str
        title_en: str
        abstract_zh: str
        abstract_en: str
        ipc_codes: list[str]
        filing_date: str | None
        publication_date: str | None
        grant_date: str | None
        expiry_date: str | None
        legal_status: str
        owners: list[dict[str, Any]]
        inventors: list[dict[str, Any]]
        public_funding: dict[str, Any] | None
        source: str
        by: UUID | None
        # Added with registration checks (issue 9); absent from events stored before them.
        registrant_organisation_id: UUID | None = None
        unconfirmed_owner_ids: list[str] | None = None

    @staticmethod
    def create_id(number_key: str, **_: object) -> UUID:
        return patent_id(number_key)

    @event(Registered)
    def __init__(
        self,
        number_key: str,
        jurisdiction: str,
        application_number: str | None,
        publication_number: str | None,
        patent_type: str,
        title_zh: str,
        title_en: str,
        abstract_zh: str,
        abstract_en: str,
        ipc_codes: list[str],
        filing_date: str | None,
        publication_date: str | None,
        grant_date: str | None,
        expiry_date: str | None,
        legal_status: str,
        owners: list[dict[str, Any]],
        inventors: list[dict[str, Any]],
        public_funding: dict[str, Any] | None,
        source: str,
        by: UUID | None,
        registrant_organisation_id: UUID | None = None,
        unconfirmed_owner_ids: list[str] | None = None,
    ) -> None:
        self.number_key = number_key
        self.jurisdiction = jurisdiction
        self.application_number = application_number
        self.publication_number = publication_number
        self.patent_type = patent_type
        self.title_zh = title_zh
        self.title_en = title_en
        self.abstract_zh = abstract_zh
        self.abstract_en = abstract_en
        self.ipc_codes = list(ipc_codes)
        self.filing_date = filing_date
        self.publication_date = publication_date
        self.grant_date = grant_date
        self.expiry_date = expiry_date
        self.legal_status = legal_status
        self.owners = [dict(o) for o in owners]
        self.inventors = [dict(i) for i in inventors]
        self.public_funding = public_funding
        self.active_listing_id: UUID | None = None
        self._start_registration(registrant_organisation_id, unconfirmed_owner_ids, round_=1)

    @classmethod
    def register(
        cls,
        *,
        jurisdiction: str,
        application_number: str | None,
        publication_number: str | None,
        patent_type: str,
        title_zh: str = "",
        title_en: str = "",
        abstract_zh: str = "",
        abstract_en: str = "",
        ipc_codes: list[str],
        ipc_scheme: IpcScheme | None,
        filing_date: date | None = None,
        publication_date: date | None = None,
        grant_date: date | None = None,
        expiry_date: date | None = None,
        legal_status: str = LegalStatus.PENDING.value,
        owners: list[Owner],
        inventors: list[Inventor] = (),  # type: ignore[assignment]
        public_funding: PublicFunding | None = None,
        source: str = "form",
        by: UUID | None = None,
        allow_unknown_owners: bool = False,
        registrant_organisation_id: UUID | None = None,
    ) -> Patent:
        """Validate a bibliographic record and register it as a new patent.

        ``allow_unknown_owners`` is for bulk imports of records whose source names no applicant
        or inventor: the patent is recorded, but nobody can list it until its owners are known.

        Every owner organisation other than the registrant's must confirm its co-ownership before
        the patent is listed or contracted; an import is the patent office's own bibliographic
        record, so its owners stand confirmed.
        """
        return cls(**registration_record(
            jurisdiction=jurisdiction, application_number=application_number, publication_number=publication_number,
            patent_type=patent_type, title_zh=title_zh, title_en=title_en, abstract_zh=abstract_zh,
            abstract_en=abstract_en, ipc_codes=ipc_codes, ipc_scheme=ipc_scheme, filing_date=filing_date,
            publication_date=publication_date, grant_date=grant_date, expiry_date=expiry_date,
            legal_status=legal_status, owners=owners, inventors=inventors, public_funding=public_funding,
            source=source, by=by, allow_unknown_owners=allow_unknown_owners,
            registrant_organisation_id=registrant_organisation_id,
        ))

    # --- queries on state -------------------------------------------------------------
    @property
    def owner_ids(self) -> set[UUID]:
        return {UUID(str(o["organisation_id"])) for o in self.owners if o["organisation_id"]}

    def is_owned_by(self, organisation_id: UUID) -> bool:
        return organisation_id in self.owner_ids

    @property
    def status(self) -> LegalStatus:
        return LegalStatus(self.legal_status)

    # --- registration (the commands: RegistrationRounds) ----------------------------------
    @event("CoOwnershipConfirmed")
    def _co_ownership_confirmed(self, organisation_id: UUID, by: UUID) -> None:
        self._registration_state["unconfirmed"].remove(str(organisation_id))

    @event("CoOwnershipDeclined")
    def _co_ownership_declined(self, organisation_id: UUID, reason: str, by: UUID) -> None:
        self._registration_state["unconfirmed"].remove(str(organisation_id))

    @event("RegistrationWithdrawn")
    def _registration_withdrawn(
        self, reason: str, previous_owners: list[dict[str, Any]], claim_id: UUID | None, by: UUID
    ) -> None:
        self._registration_state["withdrawn"] = True
        self._registration_state["unconfirmed"] = []
        self.owners = []

    @event("Reregistered")
    def _reregistered(
        self, jurisdiction: str, application_number: str | None, publication_number: str | None,
        patent_type: str, title_zh: str, title_en: str, abstract_zh: str, abstract_en: str, ipc_codes: list[str],
        filing_date: str | None, publication_date: str | None, grant_date: str | None, expiry_date: str | None,
        legal_status: str, owners: list[dict[str, Any]], inventors: list[dict[str, Any]],
        public_funding: dict[str, Any] | None, source: str, registrant_organisation_id: UUID | None,
        unconfirmed_owner_ids: list[str], registration: int, by: UUID | None,
    ) -> None:
        self.jurisdiction, self.patent_type, self.legal_status = jurisdiction, patent_type, legal_status
        self.application_number, self.publication_number = application_number, publication_number
        self.title_zh, self.title_en, self.abstract_zh, self.abstract_en = title_zh, title_en, abstract_zh, abstract_en
        self.ipc_codes = list(ipc_codes)
        self.filing_date, self.publication_date = filing_date, publication_date
        self.grant_date, self.expiry_date = grant_date, expiry_date
        self.owners = [dict(o) for o in owners]
        self.inventors = [dict(i) for i in inventors]
        self.public_funding = public_funding
        self.active_listing_id = None
        # What rested on the withdrawn registration does not carry over to the new one.
        for stale in ("_last_transfer", "_transfer_reference", "_open_deals"):
            self.__dict__.pop(stale, None)
        self._start_registration(registrant_organisation_id, unconfirmed_owner_ids, round_=registration)

    # --- public funding (time-limited conversion) -----------------------------------------
    def record_funding(self, funding: PublicFunding | None, *, by: UUID) -> bool:
        """Record the public money behind the patent (funder, programme, project, funding end date), or
        ``None`` to say it had none. Returns whether anything changed (the same funding again: nothing)."""
        value = funding_dict(funding) if funding is not None else None
        if value == self.public_funding:
            return False
        self._funding_recorded(public_funding=value, previous=self.public_funding, by=by)
        return True

    @property
    def funding_end(self) -> date | None:
        end = (self.public_funding or {}).get("end_date")
        return date.fromisoformat(end) if end else None

    @event("FundingRecorded")
    def _funding_recorded(self, public_funding: dict[str, Any] | None, previous: dict[str, Any] | None,
                          by: UUID) -> None:
        self.public_funding = public_funding

    # --- legal status -----------------------------------------------------------------
    def change_legal_status(self, status: str, *, effective_date: date, reason: str, by: UUID) -> None:
        """Record a change of legal status (e.g. lapsed for non-payment of annuities)."""
        new = parse_legal_status(status)
        if new.value == self.legal_status:
            raise ConflictError(
                f"legal_status: the patent is already {new.value}", field="legal_status",
                code="patent.status_unchanged", legal_status=new.value,
            )
        self._legal_status_changed(
            status=new.value, effective_date=effective_date.isoformat(), reason=reason.strip(), by=by
        )

    def expire_at_term(self, today: date, *, by: UUID) -> None:
        """The statutory term has run out (专利法 art. 42; ``expiry_date``, derived from the filing date by
        ``statutory_expiry``, is the first day without protection): the patent becomes expired as of that day.

        Refused (409) before that day, without an expiry date, or when the patent is no longer pending or
        granted (already expired, lapsed, invalidated, withdrawn) or its registration was withdrawn.
        """
        if self.expiry_date is None or date.fromisoformat(self.expiry_date) > today:
            raise ConflictError(
                "patent_id: the patent's term has not ended", field="patent_id", code="patent.term_running"
            )
        if self.status not in (LegalStatus.PENDING, LegalStatus.GRANTED) or self.registration_withdrawn:
            raise ConflictError(
                f"patent_id: a {self.legal_status} patent does not expire", field="patent_id",
                code="patent.no_expiry", legal_status=str(self.legal_status),
            )
        self._legal_status_changed(status=LegalStatus.EXPIRED.value, effective_date=self.expiry_date,
                                   reason=TERM_ENDED, by=by)

    @event("LegalStatusChanged")
    def _legal_status_changed(self, status: str, effective_date: str, reason: str, by: UUID) -> None:
        self.legal_status = status

    # --- listing slot -----------------------------------------------------------------
    def open_listing(self, listing_id: UUID, *, by: UUID) -> None:
        """Reserve the patent's single active-listing slot for ``listing_id``."""
        if self.active_listing_id is not None:
            raise ActiveListingExistsError(
                "patent_id: this patent already has an active listing; withdraw it first",
                field="patent_id", code="listing.active_exists",
            )
        if self.status in UNLISTABLE_STATUSES:
            raise ConflictError(
                f"patent_id: a {self.legal_status} patent cannot be listed", field="patent_id",
                code="patent.not_tradable", legal_status=str(self.legal_status),
            )
        self._listing_opened(listing_id=listing_id, by=by)

    @event("ListingOpened")
    def _listing_opened(self, listing_id: UUID, by: UUID) -> None:
        self.active_listing_id = listing_id

    def close_listing(self, listing_id: UUID, *, by: UUID) -> None:
        if self.active_listing_id != listing_id:
            raise ConflictError(
                "listing_id: this is not the patent's active listing", field="listing_id", code="listing.not_active"
            )
        self._listing_closed(listing_id=listing_id, by=by)

    @event("ListingClosed")
    def _listing_closed(self, listing_id: UUID, by: UUID) -> None:
        self.active_listing_id = None

    # --- deals (the commands and the licence register: PatentDeals) ----------------------
    @event("DealOpened")
    def _deal_opened(self, offer_id: UUID, organisation_id: UUID, by: UUID) -> None:
        self.open_deals[str(offer_id)] = str(organisation_id)

    @event("DealClosed")
    def _deal_closed(self, offer_id: UUID, by: UUID) -> None:
        self.open_deals.pop(str(offer_id), None)

    @event("LicenceGranted")
    def _licence_granted(
        self, contract_id: UUID, licensee_organisation_id: UUID, kind: str, scope: dict[str, Any], by: UUID,
        at: str | None = None,
    ) -> None:
        self.licences[str(contract_id)] = {
            "licensee_organisation_id": str(licensee_organisation_id), "kind": kind,
            "scope": dict(scope), "status": "granted", "since": at,
        }

    @event("LicenceActivated")
    def _licence_activated(self, contract_id: UUID) -> None:
        self.licences[str(contract_id)]["status"] = "active"

    @event("LicenceEnded")
    def _licence_ended(self, contract_id: UUID, reason: str) -> None:
        self.licences[str(contract_id)]["status"] = "ended"

    @event("OwnershipTransferred")
    def _ownership_transferred(
        self, contract_id: UUID, previous_owners: list[dict[str, Any]], owners: list[dict[str, Any]],
        licences_carried_over: list[str], by: UUID,
    ) -> None:
        self.owners = [dict(o) for o in owners]
        self.__dict__["_last_transfer"] = {
            "contract_id": str(contract_id), "previous_owners": [dict(o) for o in previous_owners],
            "licences": list(licences_carried_over),
        }

    @event("OwnershipReverted")
    def _ownership_reverted(self, contract_id: UUID, owners: list[dict[str, Any]], reason: str, by: UUID) -> None:
        self.owners = [dict(o) for o in owners]
        self.__dict__.pop("_last_transfer", None)

    @event("TransferRegistered")
    def _transfer_registered(self, contract_id: UUID, reference: str, by: UUID) -> None:
        self.__dict__["_transfer_reference"] = reference

    @event("SaleReserved")
    def _sale_reserved(self, contract_id: UUID, buyer_organisation_id: UUID, at: str, by: UUID) -> None:
        self.__dict__["_sale_reservation"] = {
            "contract_id": str(contract_id), "buyer_organisation_id": str(buyer_organisation_id), "since": at,
        }

    @event("SaleReservationEnded")
    def _sale_reservation_ended(self, contract_id: UUID, reason: str, by: UUID) -> None:
        self.__dict__.pop("_sale_reservation", None)


stored_as("domain.patent", __name__)  # moved from domain/patent.py: its stored topics stay
