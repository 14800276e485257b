"""Who reads which enquiry thread, and what a listing's materials section shows to whom.

A thread is for its two organisations; platform admins and auditors read it too, each such read by a
non-party recorded as an event (``web.access.record_read``). Public materials are listed to anyone who
may see the listing; confidential ones are named to the seller and to enquirers, and their bytes are
released by the application only to the seller and to enquirers who accepted the terms in force.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request
from litestar.exceptions import NotFoundException

from domain.shared.errors import PermissionDeniedError
from projections.catalogue.queries import CatalogueQueries
from projections.demand.queries import EnquiryRow
from web.access import reads_everything, record_read
from web.context import Identity
from web.state import WebState


def refuse_enquiry(me: Identity | None, enquiry: EnquiryRow) -> None:
    if me is None or not (reads_everything(me) or me.organisation_id in enquiry.parties()):
        raise PermissionDeniedError(
            "enquiry_id: only the enquirer, the seller, platform admins and auditors may read this thread",
            field="enquiry_id", code="access.enquiry")


async def guard_enquiry(request: Request[Any, Any, Any], web: WebState, me: Identity, enquiry: EnquiryRow) -> None:
    """Refuse outsiders; record the read of an auditor or platform admin who is not a party."""
    refuse_enquiry(me, enquiry)
    if me.organisation_id not in enquiry.parties():
        await record_read(request, web, me, enquiry.id, "Enquiry")


async def visible_listing(catalogue: CatalogueQueries, me: Identity | None, listing_id: UUID) -> Any:
    """The listing's detail, unless it is a draft someone other than its seller (or a platform admin) asks for."""
    detail = await catalogue.get_one_or_none(listing_id)
    if detail is None or (
        detail.listing.status == "draft"
        and not (me and (me.organisation_id == detail.listing.organisation_id or me.has("platform_admin")))
    ):
        raise NotFoundException(f"listing_id: no listing with id {listing_id}")
    return detail
