"""A patent in deals (docs/DEALS.md): open deals, its licence register, transfers and the sale reservation.

Behaviour of the ``Patent`` aggregate (``domain.catalogue.patent``), which records the events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.catalogue.licences import LicenceRecord, LicenceScope, exclusivity_conflict
from domain.catalogue.owners import FULL_SHARE
from domain.catalogue.patent_terms import UNLISTABLE_STATUSES, LegalStatus
from domain.shared.errors import ConflictError, LicenceConflictError, PatentNotTradableError

#: Why a refund cannot give the patent back (``PatentDeals.why_transfer_cannot_be_reverted``).
CHANGED_HANDS_AGAIN = "the patent has changed hands again since"
LISTED_SINCE = "the new owner has since listed the patent"
LICENSED_SINCE = "the new owner has since licensed the patent"


class PatentDeals:
    """What deals do to a ``Patent``. State added for deals is created on first use, so snapshots
    taken before it existed still load."""

    if TYPE_CHECKING:  # the Patent's state and the events it records
        owners: list[dict[str, Any]]
        active_listing_id: UUID | None
        legal_status: str

        @property
        def status(self) -> LegalStatus: ...

        _deal_opened: Callable[..., None]
        _deal_closed: Callable[..., None]
        _licence_granted: Callable[..., None]
        _licence_activated: Callable[..., None]
        _licence_ended: Callable[..., None]
        _ownership_transferred: Callable[..., None]
        _ownership_reverted: Callable[..., None]
        _transfer_registered: Callable[..., None]
        _sale_reserved: Callable[..., None]
        _sale_reservation_ended: Callable[..., None]

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
            raise ConflictError("offer_id: this deal is already open", field="offer_id", code="deal.already_open")
        self._deal_opened(offer_id=offer_id, organisation_id=organisation_id, by=by)

    def close_deal(self, offer_id: UUID, *, by: UUID) -> bool:
        """Close an open deal; ``False`` (and nothing recorded) when it is not open."""
        if str(offer_id) not in self.open_deals:
            return False
        self._deal_closed(offer_id=offer_id, by=by)
        return True

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
                                         field="patent_id", code="patent.not_tradable",
                                         legal_status=str(self.legal_status))
        self.refuse_while_sale_reserved(contract_id, "kind")
        clash = exclusivity_conflict(kind, scope, [*self.live_licences(), *declarations])
        if clash is not None:
            raise LicenceConflictError(
                f"kind: a {kind.replace('_', ' ')} here would overlap {self.describe_reservation(clash)} "
                "in field, territory and term",
                field="kind", code="licence.overlap",
            )
        self._licence_granted(contract_id=contract_id, licensee_organisation_id=licensee_organisation_id,
                              kind=kind, scope=scope.as_dict(), by=by, at=at)

    def activate_licence(self, contract_id: UUID) -> None:
        if self.licences.get(str(contract_id), {}).get("status") != "granted":
            raise ConflictError(
                "contract_id: no granted licence to activate", field="contract_id", code="licence.none_granted"
            )
        self._licence_activated(contract_id=contract_id)

    def end_licence(self, contract_id: UUID, *, reason: str) -> bool:
        """End a live licence; ``False`` (and nothing recorded) when there is none."""
        if self.licences.get(str(contract_id), {}).get("status") in (None, "ended"):
            return False
        self._licence_ended(contract_id=contract_id, reason=reason)
        return True

    def transfer_ownership(self, contract_id: UUID, *, organisation_id: UUID, name: str, by: UUID) -> None:
        """Record the assignment: the buyer becomes sole owner; licences granted before carry over
        (专利法 art. 10: the transfer takes effect on registration; existing licences bind the assignee)."""
        if not self.is_tradable:
            raise PatentNotTradableError(f"patent_id: a {self.legal_status} patent cannot be assigned",
                                         field="patent_id", code="patent.not_tradable",
                                         legal_status=str(self.legal_status))
        carried = [str(r.contract_id) for r in self.live_licences()]
        self._ownership_transferred(
            contract_id=contract_id, previous_owners=[dict(o) for o in self.owners],
            owners=[{"organisation_id": str(organisation_id), "name": name, "share": FULL_SHARE}],
            licences_carried_over=carried, by=by,
        )

    def why_transfer_cannot_be_reverted(self, contract_id: UUID) -> str | None:
        """The reason a refund cannot undo the transfer under ``contract_id``, or ``None`` when it can."""
        last = self.__dict__.get("_last_transfer")
        if last is None or last["contract_id"] != str(contract_id):
            return CHANGED_HANDS_AGAIN
        if self.active_listing_id is not None:
            return LISTED_SINCE
        if any(str(r.contract_id) not in last["licences"] for r in self.live_licences()):
            return LICENSED_SINCE
        return None

    def revert_transfer(self, contract_id: UUID, *, reason: str, by: UUID) -> None:
        """Give the patent back to its previous owners (the payment for the transfer was refunded)."""
        why = self.why_transfer_cannot_be_reverted(contract_id)
        if why is not None:
            message = f"obligation_id: the transfer cannot be reversed: {why}"
            if why == CHANGED_HANDS_AGAIN:
                raise ConflictError(message, field="obligation_id", code="transfer.changed_hands_again")
            if why == LISTED_SINCE:
                raise ConflictError(message, field="obligation_id", code="transfer.listed_since")
            raise ConflictError(message, field="obligation_id", code="transfer.licensed_since")
        self._ownership_reverted(contract_id=contract_id, owners=self.__dict__["_last_transfer"]["previous_owners"],
                                 reason=reason, by=by)

    def register_transfer(self, contract_id: UUID, *, reference: str, by: UUID) -> None:
        """The patent office's registration reference (著录项目变更) of the transfer."""
        self._transfer_registered(contract_id=contract_id, reference=reference, by=by)

    # --- one patent, one sale (issue 9; docs/DEALS.md "Reservations") ---------------------------------
    # An accepted assignment reserves the patent (``SaleReserved``) in the same save as its contract's
    # draft; exclusive and sole licences are reserved by ``LicenceGranted`` (``grant_licence``). The reservation ends
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
                field=field, code="patent.reserved", since=held["since"], contract=held["contract_id"],
                key="refusal.patent_reserved",
                values={"since": datetime.fromisoformat(held["since"]) if held.get("since") else "",
                        "contract": held["contract_id"]},
            )

    def reserve_sale(self, contract_id: UUID, *, buyer_organisation_id: UUID, at: str, by: UUID) -> bool:
        """Reserve the patent for the assignment under ``contract_id``; ``False`` (nothing recorded) when
        it already is. Refused (409) while another assignment holds it, or when the patent cannot be sold."""
        self.refuse_while_sale_reserved(contract_id, "patent_id")
        if self.sale_reservation is not None:
            return False
        if not self.is_tradable:
            raise PatentNotTradableError(f"patent_id: a {self.legal_status} patent cannot be assigned",
                                         field="patent_id", code="patent.not_tradable",
                                         legal_status=str(self.legal_status))
        self._sale_reserved(contract_id=contract_id, buyer_organisation_id=buyer_organisation_id, at=at, by=by)
        return True

    def end_sale_reservation(self, contract_id: UUID, *, reason: str, by: UUID) -> bool:
        """The assignment took effect or ended without it; ``False`` (nothing recorded) when it held none."""
        held = self.sale_reservation
        if held is None or held["contract_id"] != str(contract_id):
            return False
        self._sale_reservation_ended(contract_id=contract_id, reason=reason, by=by)
        return True
