"""Command structs of the catalogue: patents, listings, and who may hold a patent's registration."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.catalogue.listing import DealType, Maturity, PriceMode
from domain.catalogue.patent_terms import LegalStatus, PatentType
from domain.shared.money import MAX_AMOUNT
from marketplace.platform.command import (
    Command,
    Note,
    Percent,
    ShortText,
    Text,
    documented_range,
    list_of,
    one_of,
)


# --- patents ------------------------------------------------------------------------------
class OwnerShare(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organisation_id: UUID
    share: Percent


class InventorShare(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText
    share: Percent | None = None


class FundingInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Public money behind the patent (财政资金资助): the programme, the project number, when the funding
    ended, and the funder (资助单位)."""

    programme: ShortText
    project_reference: ShortText = ""
    end_date: date | None = None
    funder: ShortText = ""


class RegisterPatent(Command, frozen=True, kw_only=True):
    jurisdiction: ShortText = "CN"
    application_number: ShortText | None = None
    publication_number: ShortText | None = None
    patent_type: Annotated[str, one_of(PatentType)]
    title_zh: ShortText = ""
    title_en: ShortText = ""
    abstract_zh: Text = ""
    abstract_en: Text = ""
    ipc_codes: list[ShortText] = msgspec.field(default_factory=list)
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    expiry_date: date | None = None
    legal_status: Annotated[str, one_of(LegalStatus)] = "pending"
    owners: list[OwnerShare]
    inventors: list[InventorShare] = msgspec.field(default_factory=list)
    public_funding: FundingInput | None = None


class ChangeLegalStatus(Command, frozen=True, kw_only=True):
    patent_id: UUID
    legal_status: Annotated[str, one_of(LegalStatus)]
    effective_date: date
    reason: Note = ""
    expected_version: int | None = None


# --- listings -----------------------------------------------------------------------------
class OpenLicenceInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    fee: int = 0
    royalty_rate: Percent = 0.0
    term_years: int = 5


class ListingTermsInput(Command, frozen=True, kw_only=True):
    deal_types: Annotated[list[ShortText], list_of(DealType)]
    price_mode: Annotated[str, one_of(PriceMode)]
    asking_price: Annotated[int, documented_range(0, MAX_AMOUNT)] | None = None
    currency: ShortText = "CNY"
    open_licence: OpenLicenceInput | None = None
    maturity: Annotated[ShortText | None, one_of(Maturity, optional=True)] = None
    trl: Annotated[int, documented_range(1, 9)] | None = None
    advantages: Text = ""
    applications: Text = ""
    keywords: list[ShortText] = msgspec.field(default_factory=list)


class DraftListing(ListingTermsInput, frozen=True, kw_only=True):
    patent_id: UUID


class ReviseListing(ListingTermsInput, frozen=True, kw_only=True):
    listing_id: UUID
    expected_version: int | None = None


class PublishListing(Command, frozen=True, kw_only=True):
    listing_id: UUID
    expected_version: int | None = None


class WithdrawListing(Command, frozen=True, kw_only=True):
    listing_id: UUID
    reason: Note = ""
    expected_version: int | None = None


# --- registrations: co-owners, withdrawals, ownership claims ----------------------------
class ConfirmCoOwnership(Command, frozen=True, kw_only=True):
    """A named co-owner's org admin confirms that the organisation co-owns the patent as registered."""

    patent_id: UUID


class DeclineCoOwnership(Command, frozen=True, kw_only=True):
    """A named co-owner's org admin says the registration is wrong: it is withdrawn."""

    patent_id: UUID
    reason: Text


class WithdrawRegistration(Command, frozen=True, kw_only=True):
    """The registrant's org admin withdraws its own registration while nothing is contracted."""

    patent_id: UUID
    reason: Text


class FileOwnershipClaim(Command, frozen=True, kw_only=True):
    """An organisation claims to be the true owner of a registered patent, with evidence."""

    patent_id: UUID
    evidence: Text
    reference: ShortText = ""


class DecideOwnershipClaim(Command, frozen=True, kw_only=True):
    """A platform admin upholds (the registration is withdrawn) or dismisses (with a reason) a claim."""

    claim_id: UUID
    upheld: bool
    reason: Text = ""


class RecordFunding(Command, frozen=True, kw_only=True):
    """A member of the patent's owner organisation (or a platform admin) records its public funding;
    ``public_funding`` left out says the patent had none."""

    patent_id: UUID
    public_funding: FundingInput | None = None
    expected_version: int | None = None


class ExpirePatent(Command, frozen=True, kw_only=True):
    """The deadline worker expires a patent whose statutory term has ended (refused before its expiry date)."""

    patent_id: UUID
