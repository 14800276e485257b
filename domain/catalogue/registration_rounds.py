"""A patent's registration: who registered it, which co-owners still have to confirm, withdrawal, re-registration.

Behaviour of the ``Patent`` aggregate (``domain.catalogue.patent``), which records the events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.catalogue.ownership_claim import clean_statement
from domain.shared.errors import ConflictError, ValidationError

if TYPE_CHECKING:
    from domain.catalogue.patent import Patent

#: Why a registration cannot be withdrawn (``RegistrationRounds.why_registration_cannot_be_withdrawn``).
OPEN_DEALS_REST = "it has open offers or contracts not yet in force; they must end first"
LIVE_LICENCES_REST = "it has live licences; they must end first"


class RegistrationRounds:
    """The registration state of a ``Patent`` and the commands on it (issue 9).

    State created on first use, so snapshots taken before it existed still load: a patent
    registered before these checks counts as confirmed (its owners were accepted then) and
    its registrant organisation is unknown.
    """

    if TYPE_CHECKING:  # the Patent's state and the events it records
        id: UUID
        owners: list[dict[str, Any]]
        active_listing_id: UUID | None
        _co_ownership_confirmed: Callable[..., None]
        _co_ownership_declined: Callable[..., None]
        _registration_withdrawn: Callable[..., None]
        _reregistered: Callable[..., None]

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
                f"patent_id: the registration of this patent was withdrawn; it cannot be {action}", field="patent_id",
                code="registration.withdrawn",
            )
        unconfirmed = self._registration_state["unconfirmed"]
        waiting = sorted(o["name"] for o in self.owners if o["organisation_id"] in unconfirmed)
        if waiting:
            raise ConflictError(
                f"patent_id: the patent cannot be {action} until its co-owners confirm the registration "
                f"(awaiting {', '.join(waiting)})",
                field="patent_id", code="registration.unconfirmed", waiting=waiting,
            )

    def _require_standing(self) -> None:
        if self.registration_withdrawn:
            raise ConflictError(
                "patent_id: the registration of this patent was withdrawn", field="patent_id",
                code="registration.withdrawn",
            )

    def confirm_co_ownership(self, organisation_id: UUID, *, by: UUID) -> None:
        """A named co-owner confirms that it co-owns the patent as registered."""
        self._require_standing()
        if organisation_id not in self.unconfirmed_owner_ids:
            raise ConflictError(
                "patent_id: your organisation has no co-ownership of this patent to confirm", field="patent_id",
                code="registration.no_co_ownership",
            )
        self._co_ownership_confirmed(organisation_id=organisation_id, by=by)

    def decline_co_ownership(self, organisation_id: UUID, *, reason: str, by: UUID) -> None:
        """A named co-owner says the registration is wrong: it is withdrawn, and the number is free
        for a correct registration (the registrant, or the true owners, register it again)."""
        self._require_standing()
        if organisation_id not in self.unconfirmed_owner_ids:
            raise ConflictError(
                "patent_id: your organisation has no co-ownership of this patent to decline", field="patent_id",
                code="registration.no_co_ownership",
            )
        reason = clean_statement(reason, "reason", required="say why the registration is wrong")
        self._co_ownership_declined(organisation_id=organisation_id, reason=reason, by=by)
        self.withdraw_registration(reason=f"a named co-owner declined: {reason}", by=by)

    def why_registration_cannot_be_withdrawn(self) -> str | None:
        """Open offers, contracts not yet in force and live licences rest on this registration."""
        if self.__dict__.get("_open_deals"):
            return OPEN_DEALS_REST
        if any(lic["status"] != "ended" for lic in self.__dict__.get("_licences", {}).values()):
            return LIVE_LICENCES_REST
        return None

    @staticmethod
    def withdrawal_refused(why: str) -> ConflictError:
        """The refusal to withdraw a registration that ``why`` (``why_registration_cannot_be_withdrawn``) rests on."""
        message = f"patent_id: the registration cannot be withdrawn: {why}"
        if why == OPEN_DEALS_REST:
            return ConflictError(message, field="patent_id", code="registration.open_deals")
        return ConflictError(message, field="patent_id", code="registration.live_licences")

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
            raise ConflictError(
                "patent_id: close the active listing first", field="patent_id", code="registration.listing_open"
            )
        why = self.why_registration_cannot_be_withdrawn()
        if why is not None:
            raise self.withdrawal_refused(why)
        reason = clean_statement(reason, "reason", required="say why the registration is withdrawn")
        self._registration_withdrawn(
            reason=reason, previous_owners=[dict(o) for o in self.owners], claim_id=claim_id, by=by
        )

    def reregister(self, fresh: Patent, *, source: str, by: UUID | None) -> None:
        """Register the number again on this record, after its registration was withdrawn.

        ``fresh`` is the validated registration (``Patent.register``, never saved): its facts,
        owners and confirmations replace the withdrawn ones.
        """
        if not self.registration_withdrawn:
            raise ConflictError(
                "application_number: this number is already registered", field="application_number",
                code="number.registered",
            )
        if fresh.id != self.id:
            raise ValidationError(
                "application_number: a different number", field="application_number", code="number.different"
            )
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
