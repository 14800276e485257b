"""The Patent aggregate: bibliographic facts, owners, inventors, legal status and its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.deal_terms import LicenceRecord, LicenceScope, exclusivity_conflict
from domain.errors import (
    ActiveListingExistsError,
    ConflictError,
    LicenceConflictError,
    PatentNotTradableError,
    ValidationError,
)
from domain.ids import patent_id
from domain.ipc import IpcScheme, parse_ipc
from domain.patent_numbers import (
    cn_application_type,
    parse_application_number,
    parse_publication_number,
)
from domain.patent_terms import (
    UNLISTABLE_STATUSES,
    LegalStatus,
    parse_legal_status,
    parse_patent_type,
    statutory_expiry,
)

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
    ) -> Patent:
        """Validate a bibliographic record and register it as a new patent.

        ``allow_unknown_owners`` is for bulk imports of records whose source names no applicant
        or inventor: the patent is recorded, but nobody can list it until its owners are known.
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
