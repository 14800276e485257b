"""Market command structs (msgspec, frozen): amounts in minor units (fen), codes as the form writes them."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.market.jj001 import ContractType
from domain.shared.money import MAX_AMOUNT
from marketplace.platform.command import Command, ShortText, one_of

Amount = Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT, description="fen (1/100 yuan)")]
Code = Annotated[str, msgspec.Meta(max_length=20)]


class PartyCodesInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A party's codes on the form: nature (``022`` 高等院校…), country (3 digits, China 142) and region
    (6 digits of GB/T 2260, e.g. 350100); empty: not given yet."""

    nature_code: Code = ""
    country_code: Code = ""
    region_code: Code = ""


class PrepareRegistration(Command, frozen=True, kw_only=True):
    """The seller's member saves the contract's registration record (表 JJ-001); again to revise it."""

    contract_id: UUID
    contract_type: Annotated[str, one_of(ContractType)]
    project_name: ShortText
    seller: PartyCodesInput = PartyCodesInput()
    buyer: PartyCodesInput = PartyCodesInput()
    term_start: date | None = None
    term_end: date | None = None
    amount: Amount = 0
    technology_income: Amount = 0
    expected_investment: Amount | None = None
    expected_output: Amount | None = None


class RecordRegistrationNumber(Command, frozen=True, kw_only=True):
    """The registry's 16-digit number (合同登记编号), recorded by the seller's member or a platform admin."""

    contract_id: UUID
    number: ShortText
