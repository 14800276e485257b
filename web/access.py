"""Who reads which record: an offer, a contract, a payment obligation; and the record of a non-party's read.

An offer's thread is for its two parties; a contract (and each payment obligation under it) for
its parties and the co-owners asked to consent; platform admins and auditors read everything, and
each such read by someone who is not a party is recorded as an event (``AuditRead.Recorded``).
Notices (公示) are public. The policy is decided from the read model row; every command is checked
again by the application on the aggregates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request

from domain.shared.errors import PermissionDeniedError
from marketplace.audit.replay import as_utc
from projections.deals.rows import ContractRow, OfferRow
from web.context import Identity
from web.state import WebState

#: Roles that read every deal (their reads of a record they are no party to are recorded).
READ_ALL_ROLES = ("platform_admin", "auditor")


def reads_everything(me: Identity | None) -> bool:
    return me is not None and any(me.has(role) for role in READ_ALL_ROLES)


def brokers(me: Identity | None, deal: OfferRow | ContractRow) -> bool:
    """Whether ``me`` is of the transfer agency brokering the deal: its members follow it, read-only (every
    command checks the parties on the aggregates)."""
    broker = deal.broker_organisation_id
    return me is not None and broker is not None and me.organisation_id == broker


def may_read_offer(me: Identity | None, offer: OfferRow) -> bool:
    """The thread is for the two parties, the brokering agency, platform admins and auditors only."""
    return me is not None and (reads_everything(me) or me.organisation_id in offer.parties() or brokers(me, offer))


def may_read_contract(me: Identity | None, contract: ContractRow) -> bool:
    """A contract is for the two parties, co-owners asked to consent, the brokering agency, platform admins and
    auditors."""
    return me is not None and (reads_everything(me) or me.organisation_id in contract.parties()
                               or brokers(me, contract))


def refuse_offer(me: Identity | None, offer: OfferRow) -> None:
    if not may_read_offer(me, offer):
        raise PermissionDeniedError("offer_id: only the two parties, platform admins and auditors may see this offer",
                                    field="offer_id", code="access.offer")


def refuse_contract(me: Identity | None, contract: ContractRow) -> None:
    if not may_read_contract(me, contract):
        raise PermissionDeniedError(
            "contract_id: only the parties, co-owners, platform admins and auditors may see this contract",
            field="contract_id", code="access.contract",
        )


async def record_read(
    request: Request[Any, Any, Any], web: WebState, me: Identity, aggregate_id: UUID, aggregate_type: str,
    *, version: int | None = None, as_of: datetime | None = None,
) -> None:
    """Record, as an event, that ``me`` read a confidential record; wait until the record of reads shows it."""
    page = f"{request.method} {request.url.path}" + (f"?{request.url.query}" if request.url.query else "")
    position = await web.run(web.services.app.audit.record_read, actor_id=me.user_id, aggregate_id=aggregate_id,
                             aggregate_type=aggregate_type, page=page, version=version, as_of=as_of)
    await web.wait_for(position)


async def guard_offer(request: Request[Any, Any, Any], web: WebState, me: Identity, offer: OfferRow) -> None:
    """Refuse outsiders; record the read of an auditor or platform admin who is not a party."""
    refuse_offer(me, offer)
    if me.organisation_id not in offer.parties() and not brokers(me, offer):
        await record_read(request, web, me, offer.id, "Offer")


async def guard_contract(
    request: Request[Any, Any, Any], web: WebState, me: Identity, contract: ContractRow, *,
    aggregate_id: UUID | None = None, aggregate_type: str = "Contract",
) -> None:
    """Refuse outsiders; record the read of an auditor or platform admin who is not a party.

    A payment obligation is read under its contract's policy: pass its id and ``PaymentObligation``.
    """
    refuse_contract(me, contract)
    if me.organisation_id not in contract.parties() and not brokers(me, contract):
        await record_read(request, web, me, aggregate_id or contract.id, aggregate_type)


def as_of_url(listing_id: UUID, at: datetime) -> str:
    """The link an offer (or any record of a moment) gives to the listing page as it stood then."""
    return f"/listings/{listing_id}/as-of?" + urlencode({"at": as_utc(at).isoformat()})
