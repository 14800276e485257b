"""The Patent aggregate: bibliographic facts, owners, inventors, legal status and its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.catalogue.ipc import IpcScheme, parse_ipc
from domain.catalogue.ownership_claim import clean_statement
from domain.catalogue.patent_numbers import (
    cn_application_type,
    parse_application_number,
    parse_publication_number,
)
from domain.catalogue.patent_terms import (
    UNLISTABLE_STATUSES,
    LegalStatus,
    parse_legal_status,
    parse_patent_type,
    statutory_expiry,
)
from domain.deals.terms import LicenceRecord, LicenceScope, exclusivity_conflict
from domain.shared.errors import (
    ActiveListingExistsError,
    ConflictError,
    LicenceConflictError,
    PatentNotTradableError,
    ValidationError,
)
from domain.shared.ids import patent_id
from domain.shared.topics import stored_as

FULL_SHARE = 10_000  # shares are basis points: 10,000 = 100 %


@dataclass(frozen=True)
class Owner:
    """A patentee (专利权人) and its share of the right, in basis points.

    ``organisation_id`` is ``None`` for a natural person, who holds the right but is not an
    organisation on the marketplace (common among imported applicants).
    """

    organisation_id: UUID | None
    name: str
    share: int


@dataclass(frozen=True)
class Inventor:
    """An inventor (发明人) and, when known, the contribution share in basis points."""

    name: str
    share: int | None = None


@dataclass(frozen=True)
class PublicFunding:
    """Public money behind the result (财政资金资助): programme, project reference, end date."""

    programme: str
    project_reference: str
    end_date: date | None = None


def _check_owners(owners: list[Owner], *, allow_unknown: bool = False) -> None:
    if not owners and allow_unknown:
        return
    if not owners:
        raise ValidationError("owners: at least one owner is required", field="owners")
    ids = [o.organisation_id or o.name.casefold() for o in owners]
    if len(set(ids)) != len(ids):
        raise ValidationError("owners: an organisation may appear only once", field="owners")
    for i, owner in enumerate(owners):
        if owner.share <= 0:
            raise ValidationError(f"owners.{i}.share: must be greater than 0 %", field=f"owners.{i}.share")
    total = sum(o.share for o in owners)
    if total != FULL_SHARE:
        raise ValidationError(
            f"owners: co-owner shares must sum to 100 %, got {total / 100:g} %", field="owners"
        )


def _check_inventors(inventors: list[Inventor]) -> None:
    shares = [i.share for i in inventors]
    if any(s is not None for s in shares):
        if any(s is None or s <= 0 for s in shares):
            raise ValidationError(
                "inventors: give every inventor a contribution share above 0 %, or none", field="inventors"
            )
        total = sum(s for s in shares if s is not None)
        if total != FULL_SHARE:
            raise ValidationError(
                f"inventors: contribution shares must sum to 100 %, got {total / 100:g} %", field="inventors"
            )
    for i, inv in enumerate(inventors):
        if not inv.name.strip():
            raise ValidationError(f"inventors.{i}.name: must not be empty", field=f"inventors.{i}.name")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def awaiting_confirmation(owners: list[Owner], registrant: UUID | None, source: str) -> list[str]:
    """The owner organisations that must confirm a registration: all but the registrant's.

    An import (``source="import"``) is the patent office's bibliographic record: nothing to confirm.
    """
    if source == "import":
        return []
    return sorted({str(o.organisation_id) for o in owners if o.organisation_id and o.organisation_id != registrant})


def _owner_dict(o: Owner) -> dict[str, Any]:
    org = str(o.organisation_id) if o.organisation_id else None
    return {"organisation_id": org, "name": o.name, "share": o.share}


class Patent(Aggregate):
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
        office = jurisdiction.strip().upper()
        if len(office) != 2 or not office.isalpha():
            raise ValidationError("jurisdiction: must be a two-letter office code such as CN", field="jurisdiction")
        kind = parse_patent_type(patent_type)
        status = parse_legal_status(legal_status)
        app_text = pub_text = None
        key = None
        if application_number and application_number.strip():
            app = parse_application_number(application_number, office=office)
            declared = cn_application_type(app) if office == "CN" else None
            if declared is not None and declared != kind.value:
                raise ValidationError(
                    f"patent_type: the application number is for a {declared.replace('_', ' ')}, "
                    f"not a {kind.value.replace('_', ' ')}",
                    field="patent_type",
                )
            app_text, key = str(app), app.key
        if publication_number and publication_number.strip():
            pub = parse_publication_number(publication_number)
            if pub.office != office:
                raise ValidationError(
                    f"publication_number: office {pub.office} does not match jurisdiction {office}",
                    field="publication_number",
                )
            pub_text = str(pub)
            key = key or f"PUB:{pub.key}"
        if key is None:
            raise ValidationError(
                "application_number: give an application number or a publication number",
                field="application_number",
            )
        if not (title_zh.strip() or title_en.strip()):
            raise ValidationError("title_zh: give a title in Chinese or English", field="title_zh")
        codes = [parse_ipc(c) for c in ipc_codes if c.strip()]
        if ipc_scheme is not None:
            for code in codes:
                ipc_scheme.require(code, field="ipc_codes")
        _check_owners(owners, allow_unknown=allow_unknown_owners)
        _check_inventors(list(inventors))
        for name, d in (("publication_date", publication_date), ("grant_date", grant_date)):
            if d and filing_date and d < filing_date:
                raise ValidationError(f"{name}: must not be before the filing date", field=name)
        if expiry_date is None and filing_date is not None:
            expiry_date = statutory_expiry(office, kind, filing_date)
        funding = None
        if public_funding is not None:
            if not public_funding.programme.strip():
                raise ValidationError("public_funding.programme: must not be empty", field="public_funding.programme")
            funding = {
                "programme": public_funding.programme.strip(),
                "project_reference": public_funding.project_reference.strip(),
                "end_date": _iso(public_funding.end_date),
            }
        return cls(
            number_key=key,
            jurisdiction=office,
            application_number=app_text,
            publication_number=pub_text,
            patent_type=kind.value,
            title_zh=title_zh.strip(),
            title_en=title_en.strip(),
            abstract_zh=abstract_zh.strip(),
            abstract_en=abstract_en.strip(),
            ipc_codes=list(dict.fromkeys(str(c) for c in codes)),
            filing_date=_iso(filing_date),
            publication_date=_iso(publication_date),
            grant_date=_iso(grant_date),
            expiry_date=_iso(expiry_date),
            legal_status=status.value,
            owners=[_owner_dict(o) for o in owners],
            inventors=[{"name": i.name.strip(), "share": i.share} for i in inventors],
            public_funding=funding,
            source=source,
            by=by,
            registrant_organisation_id=registrant_organisation_id,
            unconfirmed_owner_ids=awaiting_confirmation(owners, registrant_organisation_id, source),
        )

    # --- queries on state -------------------------------------------------------------
    @property
    def owner_ids(self) -> set[UUID]:
        return {UUID(str(o["organisation_id"])) for o in self.owners if o["organisation_id"]}

    def is_owned_by(self, organisation_id: UUID) -> bool:
        return organisation_id in self.owner_ids

    @property
    def status(self) -> LegalStatus:
        return LegalStatus(self.legal_status)

    # --- registration: who may hold this record (issue 9) -------------------------------
    # State created on first use, so snapshots taken before it existed still load: a patent
    # registered before these checks counts as confirmed (its owners were accepted then) and
    # its registrant organisation is unknown.
    def _start_registration(self, registrant: UUID | None, unconfirmed: list[str] | None, *, round_: int) -> None:
        self.__dict__["_registration"] = {
            "registrant": str(registrant) if registrant else None,
            "unconfirmed": list(unconfirmed or []),
            "withdrawn": False,
            "round": round_,
        }

    @property
    def _registration_state(self) -> dict[str, Any]:
        default: dict[str, Any] = {"registrant": None, "unconfirmed": [], "withdrawn": False, "round": 1}
        state: dict[str, Any] = self.__dict__.setdefault("_registration", default)
        return state

    @property
    def registrant_organisation_id(self) -> UUID | None:
        """The organisation whose member registered the patent (``None``: imported or registered earlier)."""
        registrant = self._registration_state["registrant"]
        return UUID(registrant) if registrant else None

    @property
    def unconfirmed_owner_ids(self) -> set[UUID]:
        """Named co-owner organisations that have not yet confirmed their co-ownership."""
        return {UUID(o) for o in self._registration_state["unconfirmed"]}

    @property
    def registration_withdrawn(self) -> bool:
        return bool(self._registration_state["withdrawn"])

    @property
    def registration_round(self) -> int:
        """1 for the first registration of the number, 2 after one re-registration, and so on."""
        return int(self._registration_state["round"])

    @property
    def is_confirmed(self) -> bool:
        """The registration stands and every named co-owner has confirmed it."""
        return not self.registration_withdrawn and not self._registration_state["unconfirmed"]

    def require_confirmed(self, action: str = "contracted") -> None:
        """Refuse to list or contract a patent whose registration is withdrawn or not yet confirmed."""
        if self.registration_withdrawn:
            raise ConflictError(
                f"patent_id: the registration of this patent was withdrawn; it cannot be {action}", field="patent_id"
            )
        unconfirmed = self._registration_state["unconfirmed"]
        waiting = sorted(o["name"] for o in self.owners if o["organisation_id"] in unconfirmed)
        if waiting:
            raise ConflictError(
                f"patent_id: the patent cannot be {action} until its co-owners confirm the registration "
                f"(awaiting {', '.join(waiting)})",
                field="patent_id",
            )

    def _require_standing(self) -> None:
        if self.registration_withdrawn:
            raise ConflictError("patent_id: the registration of this patent was withdrawn", field="patent_id")

    def confirm_co_ownership(self, organisation_id: UUID, *, by: UUID) -> None:
        """A named co-owner confirms that it co-owns the patent as registered."""
        self._require_standing()
        if organisation_id not in self.unconfirmed_owner_ids:
            raise ConflictError(
                "patent_id: your organisation has no co-ownership of this patent to confirm", field="patent_id"
            )
        self._co_ownership_confirmed(organisation_id=organisation_id, by=by)

    @event("CoOwnershipConfirmed")
    def _co_ownership_confirmed(self, organisation_id: UUID, by: UUID) -> None:
        self._registration_state["unconfirmed"].remove(str(organisation_id))

    def decline_co_ownership(self, organisation_id: UUID, *, reason: str, by: UUID) -> None:
        """A named co-owner says the registration is wrong: it is withdrawn, and the number is free
        for a correct registration (the registrant, or the true owners, register it again)."""
        self._require_standing()
        if organisation_id not in self.unconfirmed_owner_ids:
            raise ConflictError(
                "patent_id: your organisation has no co-ownership of this patent to decline", field="patent_id"
            )
        reason = clean_statement(reason, "reason", required="say why the registration is wrong")
        self._co_ownership_declined(organisation_id=organisation_id, reason=reason, by=by)
        self.withdraw_registration(reason=f"a named co-owner declined: {reason}", by=by)

    @event("CoOwnershipDeclined")
    def _co_ownership_declined(self, organisation_id: UUID, reason: str, by: UUID) -> None:
        self._registration_state["unconfirmed"].remove(str(organisation_id))

    def why_registration_cannot_be_withdrawn(self) -> str | None:
        """Open offers, contracts not yet in force and live licences rest on this registration."""
        if self.__dict__.get("_open_deals"):
            return "it has open offers or contracts not yet in force; they must end first"
        if any(lic["status"] != "ended" for lic in self.__dict__.get("_licences", {}).values()):
            return "it has live licences; they must end first"
        return None

    @property
    def has_changed_hands(self) -> bool:
        """An assignment through the marketplace came into force on this registration (and was not reverted)."""
        return "_last_transfer" in self.__dict__

    def withdraw_registration(self, *, reason: str, by: UUID, claim_id: UUID | None = None) -> None:
        """Withdraw a registration found wrong (or withdrawn by its registrant): the record keeps its
        history, nobody owns it any longer, and the number may be registered again.

        The caller closes the active listing first (``close_listing``), in the same save.
        """
        self._require_standing()
        if self.active_listing_id is not None:
            raise ConflictError("patent_id: close the active listing first", field="patent_id")
        why = self.why_registration_cannot_be_withdrawn()
        if why is not None:
            raise ConflictError(f"patent_id: the registration cannot be withdrawn: {why}", field="patent_id")
        reason = clean_statement(reason, "reason", required="say why the registration is withdrawn")
        self._registration_withdrawn(
            reason=reason, previous_owners=[dict(o) for o in self.owners], claim_id=claim_id, by=by
        )

    @event("RegistrationWithdrawn")
    def _registration_withdrawn(
        self, reason: str, previous_owners: list[dict[str, Any]], claim_id: UUID | None, by: UUID
    ) -> None:
        self._registration_state["withdrawn"] = True
        self._registration_state["unconfirmed"] = []
        self.owners = []

    def reregister(self, fresh: Patent, *, source: str, by: UUID | None) -> None:
        """Register the number again on this record, after its registration was withdrawn.

        ``fresh`` is the validated registration (``Patent.register``, never saved): its facts,
        owners and confirmations replace the withdrawn ones.
        """
        if not self.registration_withdrawn:
            raise ConflictError("application_number: this number is already registered", field="application_number")
        if fresh.id != self.id:
            raise ValidationError("application_number: a different number", field="application_number")
        self._reregistered(
            jurisdiction=fresh.jurisdiction, application_number=fresh.application_number,
            publication_number=fresh.publication_number, patent_type=fresh.patent_type,
            title_zh=fresh.title_zh, title_en=fresh.title_en, abstract_zh=fresh.abstract_zh,
            abstract_en=fresh.abstract_en, ipc_codes=list(fresh.ipc_codes), filing_date=fresh.filing_date,
            publication_date=fresh.publication_date, grant_date=fresh.grant_date, expiry_date=fresh.expiry_date,
            legal_status=fresh.legal_status, owners=[dict(o) for o in fresh.owners],
            inventors=[dict(i) for i in fresh.inventors], public_funding=fresh.public_funding, source=source,
            registrant_organisation_id=fresh.registrant_organisation_id,
            unconfirmed_owner_ids=sorted(fresh._registration_state["unconfirmed"]),
            registration=self.registration_round + 1, by=by,
        )

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

    # --- legal status -----------------------------------------------------------------
    def change_legal_status(self, status: str, *, effective_date: date, reason: str, by: UUID) -> None:
        """Record a change of legal status (e.g. lapsed for non-payment of annuities)."""
        new = parse_legal_status(status)
        if new.value == self.legal_status:
            raise ConflictError(f"legal_status: the patent is already {new.value}", field="legal_status")
        self._legal_status_changed(
            status=new.value, effective_date=effective_date.isoformat(), reason=reason.strip(), by=by
        )

    @event("LegalStatusChanged")
    def _legal_status_changed(self, status: str, effective_date: str, reason: str, by: UUID) -> None:
        self.legal_status = status

    # --- listing slot -----------------------------------------------------------------
    def open_listing(self, listing_id: UUID, *, by: UUID) -> None:
        """Reserve the patent's single active-listing slot for ``listing_id``."""
        if self.active_listing_id is not None:
            raise ActiveListingExistsError(
                "patent_id: this patent already has an active listing; withdraw it first",
                field="patent_id",
            )
        if self.status in UNLISTABLE_STATUSES:
            raise ConflictError(
                f"patent_id: a {self.legal_status} patent cannot be listed", field="patent_id"
            )
        self._listing_opened(listing_id=listing_id, by=by)

    @event("ListingOpened")
    def _listing_opened(self, listing_id: UUID, by: UUID) -> None:
        self.active_listing_id = listing_id

    def close_listing(self, listing_id: UUID, *, by: UUID) -> None:
        if self.active_listing_id != listing_id:
            raise ConflictError("listing_id: this is not the patent's active listing", field="listing_id")
        self._listing_closed(listing_id=listing_id, by=by)

    @event("ListingClosed")
    def _listing_closed(self, listing_id: UUID, by: UUID) -> None:
        self.active_listing_id = None

    # --- deals (docs/DEALS.md) ----------------------------------------------------------
    # State added for deals is created on first use, so snapshots taken before it existed still load.
    @property
    def is_tradable(self) -> bool:
        """A right exists to assign or license: not lapsed, expired, invalidated or withdrawn."""
        return self.status not in UNLISTABLE_STATUSES

    @property
    def open_deals(self) -> dict[str, str]:
        """Offers under negotiation or contracts not yet completed: offer id → buyer organisation id."""
        deals: dict[str, str] = self.__dict__.setdefault("_open_deals", {})
        return deals

    @property
    def licences(self) -> dict[str, dict[str, Any]]:
        """Licences by contract id: licensee, kind, scope and status (granted, active, ended)."""
        licences: dict[str, dict[str, Any]] = self.__dict__.setdefault("_licences", {})
        return licences

    def deal_party_ids(self) -> set[UUID]:
        """Buyers in open deals on this patent (a valuer from one of them has a conflict of interest)."""
        return {UUID(org) for org in self.open_deals.values()}

    def open_deal(self, offer_id: UUID, organisation_id: UUID, *, by: UUID) -> None:
        if str(offer_id) in self.open_deals:
            raise ConflictError("offer_id: this deal is already open", field="offer_id")
        self._deal_opened(offer_id=offer_id, organisation_id=organisation_id, by=by)

    @event("DealOpened")
    def _deal_opened(self, offer_id: UUID, organisation_id: UUID, by: UUID) -> None:
        self.open_deals[str(offer_id)] = str(organisation_id)

    def close_deal(self, offer_id: UUID, *, by: UUID) -> bool:
        """Close an open deal; ``False`` (and nothing recorded) when it is not open."""
        if str(offer_id) not in self.open_deals:
            return False
        self._deal_closed(offer_id=offer_id, by=by)
        return True

    @event("DealClosed")
    def _deal_closed(self, offer_id: UUID, by: UUID) -> None:
        self.open_deals.pop(str(offer_id), None)

    def live_licences(self) -> list[LicenceRecord]:
        return [
            LicenceRecord(UUID(cid), str(lic["kind"]), LicenceScope.from_dict(lic["scope"]))
            for cid, lic in self.licences.items()
            if lic["status"] != "ended"
        ]

    def grant_licence(
        self,
        contract_id: UUID,
        *,
        licensee_organisation_id: UUID,
        kind: str,
        scope: LicenceScope,
        declarations: list[LicenceRecord] = (),  # type: ignore[assignment]
        by: UUID,
        at: str | None = None,
    ) -> None:
        """Reserve a licence when its contract is drafted, so that a conflicting draft fails at once.

        ``declarations`` are live open-licence declarations (they are the listing's, not the patent's);
        ``at`` is when the licence was reserved (the contract's drafting). No licence is granted while
        the patent is reserved for an assignment (``reserve_sale``).
        """
        if not self.is_tradable:
            raise PatentNotTradableError(f"patent_id: a {self.legal_status} patent cannot be licensed",
                                         field="patent_id")
        self.refuse_while_sale_reserved(contract_id, "kind")
        clash = exclusivity_conflict(kind, scope, [*self.live_licences(), *declarations])
        if clash is not None:
            raise LicenceConflictError(
                f"kind: a {kind.replace('_', ' ')} here would overlap {self.describe_reservation(clash)} "
                "in field, territory and term",
                field="kind",
            )
        self._licence_granted(contract_id=contract_id, licensee_organisation_id=licensee_organisation_id,
                              kind=kind, scope=scope.as_dict(), by=by, at=at)

    @event("LicenceGranted")
    def _licence_granted(
        self, contract_id: UUID, licensee_organisation_id: UUID, kind: str, scope: dict[str, Any], by: UUID,
        at: str | None = None,
    ) -> None:
        self.licences[str(contract_id)] = {
            "licensee_organisation_id": str(licensee_organisation_id), "kind": kind,
            "scope": dict(scope), "status": "granted", "since": at,
        }

    def activate_licence(self, contract_id: UUID) -> None:
        if self.licences.get(str(contract_id), {}).get("status") != "granted":
            raise ConflictError("contract_id: no granted licence to activate", field="contract_id")
        self._licence_activated(contract_id=contract_id)

    @event("LicenceActivated")
    def _licence_activated(self, contract_id: UUID) -> None:
        self.licences[str(contract_id)]["status"] = "active"

    def end_licence(self, contract_id: UUID, *, reason: str) -> bool:
        """End a live licence; ``False`` (and nothing recorded) when there is none."""
        if self.licences.get(str(contract_id), {}).get("status") in (None, "ended"):
            return False
        self._licence_ended(contract_id=contract_id, reason=reason)
        return True

    @event("LicenceEnded")
    def _licence_ended(self, contract_id: UUID, reason: str) -> None:
        self.licences[str(contract_id)]["status"] = "ended"

    def transfer_ownership(self, contract_id: UUID, *, organisation_id: UUID, name: str, by: UUID) -> None:
        """Record the assignment: the buyer becomes sole owner; licences granted before carry over
        (专利法 art. 10: the transfer takes effect on registration; existing licences bind the assignee)."""
        if not self.is_tradable:
            raise PatentNotTradableError(f"patent_id: a {self.legal_status} patent cannot be assigned",
                                         field="patent_id")
        carried = [str(r.contract_id) for r in self.live_licences()]
        self._ownership_transferred(
            contract_id=contract_id, previous_owners=[dict(o) for o in self.owners],
            owners=[{"organisation_id": str(organisation_id), "name": name, "share": FULL_SHARE}],
            licences_carried_over=carried, by=by,
        )

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

    def why_transfer_cannot_be_reverted(self, contract_id: UUID) -> str | None:
        """The reason a refund cannot undo the transfer under ``contract_id``, or ``None`` when it can."""
        last = self.__dict__.get("_last_transfer")
        if last is None or last["contract_id"] != str(contract_id):
            return "the patent has changed hands again since"
        if self.active_listing_id is not None:
            return "the new owner has since listed the patent"
        if any(str(r.contract_id) not in last["licences"] for r in self.live_licences()):
            return "the new owner has since licensed the patent"
        return None

    def revert_transfer(self, contract_id: UUID, *, reason: str, by: UUID) -> None:
        """Give the patent back to its previous owners (the payment for the transfer was refunded)."""
        why = self.why_transfer_cannot_be_reverted(contract_id)
        if why is not None:
            raise ConflictError(f"obligation_id: the transfer cannot be reversed: {why}", field="obligation_id")
        self._ownership_reverted(contract_id=contract_id, owners=self.__dict__["_last_transfer"]["previous_owners"],
                                 reason=reason, by=by)

    @event("OwnershipReverted")
    def _ownership_reverted(self, contract_id: UUID, owners: list[dict[str, Any]], reason: str, by: UUID) -> None:
        self.owners = [dict(o) for o in owners]
        self.__dict__.pop("_last_transfer", None)

    def register_transfer(self, contract_id: UUID, *, reference: str, by: UUID) -> None:
        """The patent office's registration reference (著录项目变更) of the transfer."""
        self._transfer_registered(contract_id=contract_id, reference=reference, by=by)

    @event("TransferRegistered")
    def _transfer_registered(self, contract_id: UUID, reference: str, by: UUID) -> None:
        self.__dict__["_transfer_reference"] = reference

    # --- one patent, one sale (issue 9; docs/DEALS.md "Reservations") ---------------------------------
    # An accepted assignment reserves the patent (``SaleReserved``) in the same save as its contract's
    # draft; exclusive and sole licences are reserved by ``LicenceGranted`` above. The reservation ends
    # (``SaleReservationEnded``) when the transfer takes effect or the contract ends without effect.
    # Stores written before: assignment contracts drafted then hold no reservation; theirs is taken
    # (``reserve_sale``) at their next signature, payment start or receipt, so the first of them to get
    # there holds the patent and the others are refused.
    @property
    def sale_reservation(self) -> dict[str, str] | None:
        """The assignment the patent is reserved for: contract_id, buyer_organisation_id, since; or ``None``."""
        held: dict[str, str] | None = self.__dict__.get("_sale_reservation")
        return held

    def describe_reservation(self, record: LicenceRecord) -> str:
        """How a refusal names a conflicting licence: its kind, contract and since when it is reserved."""
        if record.contract_id is None:
            return "an open-licence declaration"
        since = self.licences.get(str(record.contract_id), {}).get("since")
        return (
            f"the {record.kind.replace('_', ' ')} of contract {record.contract_id}"
            + (f" (reserved since {since})" if since else "")
        )

    def refuse_while_sale_reserved(self, contract_id: UUID | None, field: str) -> None:
        """Refuse anything but the reserving contract (``None``: an offer) while the patent is reserved
        for an assignment."""
        held = self.sale_reservation
        if held is not None and held["contract_id"] != str(contract_id):
            raise ConflictError(
                f"{field}: this patent is reserved by contract {held['contract_id']} (an assignment) since "
                f"{held['since']}; nothing else can be agreed on it unless that contract ends without effect",
                field=field,
            )

    def reserve_sale(self, contract_id: UUID, *, buyer_organisation_id: UUID, at: str, by: UUID) -> bool:
        """Reserve the patent for the assignment under ``contract_id``; ``False`` (nothing recorded) when
        it already is. Refused (409) while another assignment holds it, or when the patent cannot be sold."""
        self.refuse_while_sale_reserved(contract_id, "patent_id")
        if self.sale_reservation is not None:
            return False
        if not self.is_tradable:
            raise PatentNotTradableError(f"patent_id: a {self.legal_status} patent cannot be assigned",
                                         field="patent_id")
        self._sale_reserved(contract_id=contract_id, buyer_organisation_id=buyer_organisation_id, at=at, by=by)
        return True

    @event("SaleReserved")
    def _sale_reserved(self, contract_id: UUID, buyer_organisation_id: UUID, at: str, by: UUID) -> None:
        self.__dict__["_sale_reservation"] = {
            "contract_id": str(contract_id), "buyer_organisation_id": str(buyer_organisation_id), "since": at,
        }

    def end_sale_reservation(self, contract_id: UUID, *, reason: str, by: UUID) -> bool:
        """The assignment took effect or ended without it; ``False`` (nothing recorded) when it held none."""
        held = self.sale_reservation
        if held is None or held["contract_id"] != str(contract_id):
            return False
        self._sale_reservation_ended(contract_id=contract_id, reason=reason, by=by)
        return True

    @event("SaleReservationEnded")
    def _sale_reservation_ended(self, contract_id: UUID, reason: str, by: UUID) -> None:
        self.__dict__.pop("_sale_reservation", None)


stored_as("domain.patent", __name__)  # moved from domain/patent.py: its stored topics stay
