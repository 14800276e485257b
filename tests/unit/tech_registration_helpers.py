"""Technology-contract registration in tests: the seller completes the pre-filled record and records a number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.market.jj001 import RegistrationRecord
from marketplace.market import commands as mc
from marketplace.platform.application import Marketplace

NUMBER = "2026350100000123"
YUAN = 100


def completed(contract_id: UUID, record: RegistrationRecord, **changes: Any) -> mc.PrepareRegistration:
    """The pre-filled record with what the seller adds: codes the parties' kinds do not imply, the term's end
    (an assignment's) and a transfer's expected new investment and output."""

    def codes(side: str) -> mc.PartyCodesInput:
        given = getattr(record, side)
        return mc.PartyCodesInput(nature_code=given.nature_code or "150", country_code=given.country_code or "142",
                                  region_code=given.region_code or "350100")

    values: dict[str, Any] = {
        "contract_id": contract_id, "contract_type": record.contract_type, "project_name": record.project_name,
        "seller": codes("seller"), "buyer": codes("buyer"), "term_start": record.term_start,
        "term_end": record.term_end or record.signed_on + timedelta(days=3 * 365), "amount": record.amount,
        "technology_income": record.technology_income, "expected_investment": 5_000_000 * YUAN,
        "expected_output": 20_000_000 * YUAN,
    }
    values.update(changes)
    return mc.PrepareRegistration(**values)


def register(app: Marketplace, contract_id: UUID, seller_member: UUID, number: str = NUMBER) -> None:
    """The seller's member prepares the registration record and records the registry's number."""
    record = app.tech_registrations.prefill(contract_id, actor_id=seller_member)
    app.tech_registrations.prepare_registration(completed(contract_id, record), actor_id=seller_member)
    app.tech_registrations.record_registration_number(
        mc.RecordRegistrationNumber(contract_id=contract_id, number=number), actor_id=seller_member)
