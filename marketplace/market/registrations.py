"""Technology-contract registration commands (技术合同认定登记): prepare the record, record the registry's number.

Who may act is checked on the aggregates: the seller organisation's members prepare and revise the
record of a signed contract; they or a platform admin record the registry's number. The seller side applies
(``tech_contract_registration.who_applies``: "developer, transferor, …"): of a patent deal the seller, of a
technology development contract the developer (研究开发方 / 受托方, the institution that proposed), which is that
contract's seller — the client's members read it but do not prepare it. The pre-filled record is computed from
the contract, its patent (a development has none: its demand's title) and both organisations (never from a read
model).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role, User
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract
from domain.deals.contract_terms import ContractStatus
from domain.deals.development import DevelopmentContract
from domain.market.jj001 import (
    OrganisationFacts,
    PartyCodes,
    RegistrationRecord,
    last_due_of,
    prefill,
    prefill_development,
)
from domain.market.registration import (
    ContractRegistration,
    RegistrationNumber,
    clean_number,
    number_id,
    registration_id,
)
from domain.shared.errors import ConflictError, ContractStateError, PermissionDeniedError
from marketplace.market import commands as mc
from marketplace.platform.app_base import MarketplaceBase

BEIJING = ZoneInfo("Asia/Shanghai")


def signed_on(contract: Contract) -> date:
    """The day (Beijing) the last party signed: the contract's signing date (合同签订日期)."""
    return max(datetime.fromisoformat(at) for at in contract.signatures.values()).astimezone(BEIJING).date()


def _last_due(contract: Contract) -> str | None:
    """A development contract's last milestone due date (its record's term must run to it)."""
    if not isinstance(contract, DevelopmentContract):
        return None
    due = last_due_of(contract.terms)
    return due.isoformat() if due else None


class TechRegistrations:
    """The seller's registration record of each signed contract, and the registry's number."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    # --- who may act ---------------------------------------------------------------------------
    def _signed(self, contract_id: UUID) -> Contract:
        contract = self.store.load(Contract, contract_id, "contract_id")
        if contract.status == ContractStatus.TERMINATED.value:
            raise ContractStateError("contract_id: a terminated contract is not registered", field="contract_id",
                                     code="contract.state", contract_status=str(contract.status))
        if not contract.fully_signed:
            raise ContractStateError("contract_id: a contract is registered once every party has signed it",
                                     field="contract_id", code="tech_registration.not_signed")
        return contract

    def _seller_member(self, actor_id: UUID | None, contract: Contract, *, admin_too: bool = False) -> User:
        user = self.store.actor(actor_id)
        if user.organisation_id == contract.seller_organisation_id:
            return user
        if admin_too and user.has_role(Role.PLATFORM_ADMIN):
            return user
        raise PermissionDeniedError("contract_id: the seller's members register the contract (技术合同认定登记)",
                                    field="contract_id", code="tech_registration.seller_only")

    # --- reading -------------------------------------------------------------------------------
    def prefill(self, contract_id: UUID, *, actor_id: UUID | None) -> RegistrationRecord:
        """The record as the deal says it, for the seller to complete (the recorded one once prepared)."""
        contract = self._signed(contract_id)
        self._seller_member(actor_id, contract, admin_too=True)
        if self.store.exists(registration_id(contract_id)):
            return self.store.load(ContractRegistration, registration_id(contract_id), "contract_id").record
        return self._prefilled(contract)

    def _prefilled(self, contract: Contract) -> RegistrationRecord:
        def facts(organisation_id: UUID) -> OrganisationFacts:
            org = self.store.load(Organisation, organisation_id, "organisation_id")
            return OrganisationFacts(org.kind, org.region, org.flags)

        if isinstance(contract, DevelopmentContract):  # 技术开发: the developer (seller) registers it
            return prefill_development(kind=contract.kind, terms=contract.terms, title=str(contract.terms["title"]),
                                       signed_on=signed_on(contract), developer=facts(contract.seller_organisation_id),
                                       client=facts(contract.buyer_organisation_id))
        patent = self.store.load(Patent, contract.patent_id, "patent_id")
        return prefill(deal_kind=contract.kind, terms=contract.terms, patent_pending=patent.legal_status == "pending",
                       title=patent.title_zh or patent.title_en, signed_on=signed_on(contract),
                       seller=facts(contract.seller_organisation_id), buyer=facts(contract.buyer_organisation_id))

    def number_of(self, contract_id: UUID) -> str | None:
        """The registry's number recorded for the contract, or ``None``."""
        if not self.store.exists(registration_id(contract_id)):
            return None
        return self.store.load(ContractRegistration, registration_id(contract_id), "contract_id").number or None

    # --- commands ------------------------------------------------------------------------------
    def prepare_registration(self, cmd: mc.PrepareRegistration, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Save the record (create or revise); the same record again, or a second click, has one effect."""
        contract = self._signed(cmd.contract_id)
        user = self._seller_member(actor_id, contract)
        record = RegistrationRecord(
            contract_type=cmd.contract_type, project_name=cmd.project_name, signed_on=signed_on(contract),
            seller=PartyCodes(cmd.seller.nature_code, cmd.seller.country_code, cmd.seller.region_code),
            buyer=PartyCodes(cmd.buyer.nature_code, cmd.buyer.country_code, cmd.buyer.region_code),
            term_start=cmd.term_start, term_end=cmd.term_end, amount=cmd.amount,
            technology_income=cmd.technology_income, expected_investment=cmd.expected_investment,
            expected_output=cmd.expected_output,
        )
        rid = registration_id(contract.id)
        for _ in range(3):
            if self.store.exists(rid):
                registration = self.store.load(ContractRegistration, rid, "contract_id")
                if not registration.revise(record, by=user.id):
                    return rid, self.store.recorder.max_notification_id() or 0
            else:
                registration = ContractRegistration(
                    contract_id=contract.id, seller_organisation_id=contract.seller_organisation_id,
                    buyer_organisation_id=contract.buyer_organisation_id, deal_kind=contract.kind,
                    contract_price=int(contract.terms.get("price", 0)), record=record.as_dict(), by=user.id,
                    last_due=_last_due(contract))
            try:
                return rid, self.store.commit(registration)
            except ConflictError:
                continue  # prepared or revised meanwhile by a colleague: apply this record on theirs
        raise ConflictError("contract_id: colleagues are saving this record right now; try again", field="contract_id",
                            code="tech_registration.busy")

    def record_registration_number(self, cmd: mc.RecordRegistrationNumber, *, actor_id: UUID | None) -> int:
        """Record the registry's 16-digit number; one contract per number, one number per contract."""
        contract = self._signed(cmd.contract_id)
        user = self._seller_member(actor_id, contract, admin_too=True)
        number = clean_number(cmd.number)
        rid = registration_id(contract.id)
        if not self.store.exists(rid):
            raise ConflictError("contract_id: prepare the registration record first", field="contract_id",
                                code="tech_registration.not_prepared")
        taken = ConflictError("number: this registration number is recorded for another contract", field="number",
                              code="tech_registration.number_taken")
        registration = self.store.load(ContractRegistration, rid, "contract_id")
        if not registration.record_number(number, by=user.id, at=self.store.clock.now().isoformat()):
            return self.store.recorder.max_notification_id() or 0
        if self.store.exists(number_id(number)):
            raise taken
        holder = RegistrationNumber(number=number, contract_id=contract.id, registration_id=rid)
        try:
            return self.store.commit(registration, holder)
        except ConflictError:
            if self.number_of(contract.id) == number:  # the same number recorded meanwhile: one effect
                return self.store.recorder.max_notification_id() or 0
            if self.store.exists(number_id(number)):
                raise taken from None
            raise
