"""Command structs: the typed edge between the web/CLI and the application (msgspec, frozen)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.command_text import LINE, LINE_RULE, LINES, LINES_RULE, SECRET, clean_struct

#: Text types declare their shape (marketplace.command_text): one line, several lines, or a secret.
ShortText = Annotated[str, msgspec.Meta(max_length=500, extra=LINE, description=LINE_RULE)]
Text = Annotated[str, msgspec.Meta(max_length=20_000, extra=LINES, description=LINES_RULE)]
#: A short text that may run over several lines: reasons and notes.
Note = Annotated[str, msgspec.Meta(max_length=500, extra=LINES, description=LINES_RULE)]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200, extra=SECRET)]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100)]


class Command(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of all commands: every text field, however deep, passes ``domain.text``'s rule on the way in."""

    def __post_init__(self) -> None:
        clean_struct(self)


# --- accounts -----------------------------------------------------------------------------
class SignUp(Command, frozen=True, kw_only=True):
    email: ShortText
    password: Password
    display_name: ShortText
    organisation_name: ShortText
    organisation_kind: ShortText
    region: ShortText = ""


class AddMember(Command, frozen=True, kw_only=True):
    email: ShortText
    password: Password
    display_name: ShortText
    roles: list[str] = msgspec.field(default_factory=lambda: ["member"])


class VerifyOrganisation(Command, frozen=True, kw_only=True):
    organisation_id: UUID


class GrantRole(Command, frozen=True, kw_only=True):
    user_id: UUID
    role: ShortText


class RevokeRole(Command, frozen=True, kw_only=True):
    user_id: UUID
    role: ShortText


# --- patents ------------------------------------------------------------------------------
class OwnerShare(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organisation_id: UUID
    share: Percent


class InventorShare(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText
    share: Percent | None = None


class FundingInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    programme: ShortText
    project_reference: ShortText = ""
    end_date: date | None = None


class RegisterPatent(Command, frozen=True, kw_only=True):
    jurisdiction: ShortText = "CN"
    application_number: ShortText | None = None
    publication_number: ShortText | None = None
    patent_type: ShortText
    title_zh: ShortText = ""
    title_en: ShortText = ""
    abstract_zh: Text = ""
    abstract_en: Text = ""
    ipc_codes: list[ShortText] = msgspec.field(default_factory=list)
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    expiry_date: date | None = None
    legal_status: ShortText = "pending"
    owners: list[OwnerShare]
    inventors: list[InventorShare] = msgspec.field(default_factory=list)
    public_funding: FundingInput | None = None


class ChangeLegalStatus(Command, frozen=True, kw_only=True):
    patent_id: UUID
    legal_status: ShortText
    effective_date: date
    reason: Note = ""
    expected_version: int | None = None


# --- listings -----------------------------------------------------------------------------
class OpenLicenceInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    fee: int = 0
    royalty_rate: Percent = 0.0
    term_years: int = 5


class ListingTermsInput(Command, frozen=True, kw_only=True):
    deal_types: list[ShortText]
    price_mode: ShortText
    asking_price: int | None = None
    currency: ShortText = "CNY"
    open_licence: OpenLicenceInput | None = None
    maturity: ShortText | None = None
    trl: int | None = None
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
