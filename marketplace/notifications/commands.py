"""Notification command structs (msgspec, frozen): save and delete a search, follow a listing.

A search's ``search_id`` is chosen by the form (or API client) that saves it, so that saving twice
records one search. Its words and facets are checked by the shared text rule on the way in.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.platform.command import Command
from marketplace.platform.command_text import LINE, LINE_RULE

MAX_PRICE = 10**15


def _line(limit: int) -> msgspec.Meta:
    return msgspec.Meta(max_length=limit, extra=LINE, description=LINE_RULE)


Price = Annotated[int, msgspec.Meta(ge=0, le=MAX_PRICE, description="fen (1/100 yuan)")]


class SaveSearch(Command, frozen=True, kw_only=True):
    """A user saves the search of the listings (or demands) page: news of each newly published listing
    (or demand) that matches it. At most 50 per user."""

    search_id: UUID
    scope: Annotated[str, msgspec.Meta(pattern="^(listings|demands)$")] = "listings"
    q: Annotated[str, _line(200)] = ""
    ipc_section: Annotated[str, _line(1)] | None = None
    ipc_class: Annotated[str, _line(3)] | None = None
    deal_type: Annotated[str, _line(40)] | None = None
    price_min: Price | None = None
    price_max: Price | None = None
    maturity: Annotated[str, _line(40)] | None = None
    field: Annotated[str, _line(4)] = ""
    want: Annotated[str, _line(40)] = ""


class DeleteSearch(Command, frozen=True, kw_only=True):
    """A user deletes one of its saved searches (deleting it again changes nothing)."""

    search_id: UUID


class FollowListing(Command, frozen=True, kw_only=True):
    """A user follows a listing (``on``: news of its price and status changes) or stops following it."""

    listing_id: UUID
    on: bool = True
