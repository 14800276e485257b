"""Market command structs (msgspec, frozen): amounts in minor units (fen), codes as the form writes them."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.market.jj001 import ContractType
from domain.shared.money import MAX_AMOUNT
from marketplace.platform.command import Command, Note, Percent, ShortText, one_of

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


# --- brokers and transfer agencies (技术经纪人, 技术转移机构) ------------------------------------------
class AccreditBroker(Command, frozen=True, kw_only=True):
    """A platform admin accredits a transfer agency's member as a technology broker (技术经纪人)."""

    user_id: UUID
    credential_number: ShortText
    expires_on: date


class RenewBroker(Command, frozen=True, kw_only=True):
    user_id: UUID
    expires_on: date


class RevokeBroker(Command, frozen=True, kw_only=True):
    user_id: UUID
    reason: Note


class GiveMandate(Command, frozen=True, kw_only=True):
    """The seller's organisation admin mandates a transfer agency for a listing (委托): the commission in % of
    each payment the seller receives, the last day of the term, and whether the agency's brokers may act."""

    listing_id: UUID
    agency_id: UUID
    commission: Percent
    ends_on: date
    may_act: bool = False


class EndMandate(Command, frozen=True, kw_only=True):
    listing_id: UUID
    agency_id: UUID
    reason: Note = ""


class IntroduceBuyer(Command, frozen=True, kw_only=True):
    """An accredited broker records that it introduced a buyer organisation to a listing its agency holds."""

    listing_id: UUID
    buyer_organisation_id: UUID
    note: Note = ""


class ConfirmIntroduction(Command, frozen=True, kw_only=True):
    introduction_id: UUID


class DeclineIntroduction(Command, frozen=True, kw_only=True):
    introduction_id: UUID
    reason: Note = ""
