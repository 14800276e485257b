"""Command structs: the typed edge between the web/CLI and the application (msgspec, frozen)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from domain.accounts.organisation import OrganisationKind
from domain.catalogue.listing import DealType, Maturity, PriceMode
from domain.catalogue.patent_terms import LegalStatus, PatentType
from domain.shared.money import MAX_AMOUNT
from marketplace.platform.command_text import LINE, LINE_RULE, LINES, LINES_RULE, SECRET, clean_struct

#: Text types declare their shape (marketplace.platform.command_text): one line, several lines, or a secret.
ShortText = Annotated[str, msgspec.Meta(max_length=500, extra=LINE, description=LINE_RULE)]
Text = Annotated[str, msgspec.Meta(max_length=20_000, extra=LINES, description=LINES_RULE)]
#: A short text that may run over several lines: reasons and notes.
Note = Annotated[str, msgspec.Meta(max_length=500, extra=LINES, description=LINES_RULE)]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200, extra=SECRET)]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100)]


def one_of(values: type[StrEnum], *, optional: bool = False) -> msgspec.Meta:
    """A short text whose allowed values the API documents (an OpenAPI enum, with null if ``optional``);
    the domain still checks them, so a refusal names the field and lists the values."""
    allowed: list[str | None] = [v.value for v in values]
    if optional:  # for ``Annotated[ShortText | None, one_of(..., optional=True)]``
        return msgspec.Meta(extra_json_schema={"extra": {"enum": [*allowed, None]}})
    return msgspec.Meta(max_length=500, extra_json_schema={"extra": {"enum": allowed}})


def list_of(values: type[StrEnum]) -> msgspec.Meta:
    """A list of short texts, each one of ``values`` (documented as above)."""
    return msgspec.Meta(extra_json_schema={"extra": {"items": {"type": "string", "enum": [v.value for v in values]}}})


def documented_range(minimum: int, maximum: int) -> msgspec.Meta:
    """A number whose range the API documents; the domain checks it and names the rule."""
    return msgspec.Meta(extra_json_schema={"extra": {"minimum": minimum, "maximum": maximum}})


class Command(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of all commands: every text field, however deep, passes ``domain.shared.text``'s rule on the way in."""

    def __post_init__(self) -> None:
        clean_struct(self)


# --- accounts -----------------------------------------------------------------------------
class SignUp(Command, frozen=True, kw_only=True):
    email: ShortText
    password: Password
    display_name: ShortText
    organisation_name: ShortText
    organisation_kind: Annotated[str, one_of(OrganisationKind)]
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
