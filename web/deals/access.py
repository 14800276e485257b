"""Who may read and act on a deal.

An offer's thread or a contract is for the parties (and co-owners), platform admins and auditors
only, from the read model row; a non-party's read is recorded. A deal command runs as the
logged-in user; the application checks roles, parties and deadlines on the aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, PermissionDeniedError
from marketplace.deals import commands as dc
from projections.deals.queries import DealsQueries
from projections.deals.rows import ContractRow, OfferRow
from web.accounts.pages import error_page
from web.audit.pages import record_read
from web.context import Identity, session_identity
from web.forms import to_command
from web.state import WebState

READ_ALL_ROLES = ("platform_admin", "auditor")


def queries(web: WebState) -> DealsQueries:
    return DealsQueries(web.pool)


def reads_everything(me: Identity | None) -> bool:
    return me is not None and any(me.has(role) for role in READ_ALL_ROLES)


def may_read_offer(me: Identity | None, offer: OfferRow) -> bool:
    """The thread is for the two parties, platform admins and auditors only."""
    return me is not None and (reads_everything(me) or me.organisation_id in offer.parties())


def may_read_contract(me: Identity | None, contract: ContractRow) -> bool:
    """A contract is for the two parties, co-owners asked to consent, platform admins and auditors."""
    return me is not None and (reads_everything(me) or me.organisation_id in contract.parties())


def refuse_offer(me: Identity | None, offer: OfferRow) -> None:
    if not may_read_offer(me, offer):
        raise PermissionDeniedError("offer_id: only the two parties, platform admins and auditors may see this offer")


def refuse_contract(me: Identity | None, contract: ContractRow) -> None:
    if not may_read_contract(me, contract):
        raise PermissionDeniedError(
            "contract_id: only the parties, co-owners, platform admins and auditors may see this contract"
        )


async def guard_offer(request: Request[Any, Any, Any], web: WebState, me: Identity | None, offer: OfferRow) -> None:
    """Refuse outsiders; record the read of an auditor or platform admin who is not a party."""
    refuse_offer(me, offer)
    if me is not None and me.organisation_id not in offer.parties():
        await record_read(request, web, me, offer.id, "Offer")


async def guard_contract(
    request: Request[Any, Any, Any], web: WebState, me: Identity | None, contract: ContractRow, *,
    aggregate_id: UUID | None = None, aggregate_type: str = "Contract",
) -> None:
    """Refuse outsiders; record the read of an auditor or platform admin who is not a party."""
    refuse_contract(me, contract)
    if me is not None and me.organisation_id not in contract.parties():
        await record_read(request, web, me, aggregate_id or contract.id, aggregate_type)


async def run_deal_command(
    request: Request[Any, Any, Any],
    web: WebState,
    method: str,
    command: str,
    data: Callable[[], dict[str, Any]],
    target: str | Callable[[Any], str],
) -> Template | Redirect:
    """Run one deal command as the logged-in user; a refusal shows its status and rule."""
    me = session_identity(request)
    if me is None:
        return Redirect(f"/login?next={request.url.path}", status_code=303)
    try:
        cmd = to_command(getattr(dc, command), data())
        result = await web.run(web.services.app.command(method), cmd, actor_id=me.user_id)
    except DomainError as error:
        return error_page(request, error)
    position = result[-1] if isinstance(result, tuple) else result
    if isinstance(position, int):
        await web.wait_for(position)
    return Redirect(target if isinstance(target, str) else target(result), status_code=303)
