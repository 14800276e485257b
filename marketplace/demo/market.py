"""Demo technology-contract registrations: the sellers of the demo's paid deals registered them (技术合同认定登记),
so their programme claims can give the registry's number; other signed contracts await it on the sellers' to-do."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from uuid import UUID

from domain.deals.contract import Contract
from domain.market.jj001 import RegistrationRecord
from marketplace.market import commands as mc
from marketplace.platform.application import Marketplace

YUAN = 100


def completed(contract_id: UUID, record: RegistrationRecord) -> mc.PrepareRegistration:
    """The pre-filled record as a seller completes it: an enterprise's form (有限责任公司), a region where the
    organisation has none (福州), an assignment's term, and the expected new investment and output."""

    def codes(side: str) -> mc.PartyCodesInput:
        given = getattr(record, side)
        return mc.PartyCodesInput(nature_code=given.nature_code or "150", country_code=given.country_code or "142",
                                  region_code=given.region_code or "350100")

    return mc.PrepareRegistration(
        contract_id=contract_id, contract_type=record.contract_type, project_name=record.project_name,
        seller=codes("seller"), buyer=codes("buyer"), term_start=record.term_start,
        term_end=record.term_end or record.signed_on + timedelta(days=5 * 365), amount=record.amount,
        technology_income=record.technology_income, expected_investment=max(record.amount, 100_000 * YUAN),
        expected_output=max(record.amount * 5, 500_000 * YUAN))


def register_demo_contracts(app: Marketplace, contract_ids: Iterable[UUID], *, admin_of: dict[UUID, UUID],
                            year: int, first: int = 1) -> dict[UUID, str]:
    """Each contract's seller admin prepares its record and records a registry number (numbered on from
    ``first``); returns the numbers."""
    numbers: dict[UUID, str] = {}
    for n, contract_id in enumerate(dict.fromkeys(contract_ids), start=first):
        contract: Contract = app.repository.get(contract_id)
        seller = admin_of.get(contract.seller_organisation_id)
        if seller is None:
            continue
        record = app.tech_registrations.prefill(contract_id, actor_id=seller)
        app.tech_registrations.prepare_registration(completed(contract_id, record), actor_id=seller)
        numbers[contract_id] = f"{year:04d}350100{n:06d}"
        app.tech_registrations.record_registration_number(
            mc.RecordRegistrationNumber(contract_id=contract_id, number=numbers[contract_id]), actor_id=seller)
    return numbers
