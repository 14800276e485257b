"""The platform admin reconciles bank transfers (对公转账): the queue of transfers awaiting their receipt,
found by payment reference or amount, each with the form that records its receipt; and the admin's search
of every payment obligation in the JSON API.

The receipt form runs the same command as the payment page (``Payments.record_manual_receipt``), which
checks the role and the amount on the aggregate. A receipt already recorded (a second click, two admins
at once) is answered with the queue and what happened, never a second effect or an error page.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template

from domain.deals.payment import PaymentStatus
from domain.shared.errors import (
    ConcurrentModificationError,
    DomainError,
    PaymentStateError,
    PermissionDeniedError,
    ValidationError,
)
from domain.shared.money import MAX_AMOUNT
from marketplace.deals import commands as dc
from marketplace.deals.gateways.manual import format_amount
from marketplace.platform.application import Marketplace
from projections.deals.queries import (
    DealsQueries,
    count_transfers_awaiting_receipt,
    find_obligations,
    transfers_awaiting_receipt,
)
from projections.deals.rows import ObligationRow
from web.api_docs import BEARER
from web.commands import run_command
from web.context import Identity, page_context
from web.deals.answers import ObligationCollection
from web.errors import admin_only, error_page, explain
from web.forms import text, to_command
from web.identity import login_required
from web.params import Amount as AmountParam
from web.params import Limit, Offset
from web.state import WebState

QUEUE = "/admin/transfers"
#: A payment reference as typed into the search: ``PT-7K3Q9X2M`` or its start.
_REFERENCE = re.compile(r"[A-Z0-9-]{1,40}")
#: An amount in yuan as people type it: ``55000``, ``55,000.00``, ``55000.5``.
_YUAN = re.compile(r"[0-9][0-9,]{0,24}(?:\.[0-9]{1,2})?")
#: Longer than any reference or amount anyone types: refused before it is read.
_MAX_TYPED = 64


class UnreadableError(ValidationError):
    """A value typed into the queue's search or receipt form that cannot be read; ``label`` explains it
    in the reader's language."""

    def __init__(self, message: str, *, field: str, label: str) -> None:
        super().__init__(message, field=field)
        self.label = label


def _typed(value: str | None) -> str:
    """What was typed, with full-width forms folded (ＰＴ－７Ｋ… is PT-7K…) and outer blanks trimmed; a text
    far longer than any reference or amount is cut (it is refused all the same, as too long to match)."""
    return unicodedata.normalize("NFKC", (value or "")[: _MAX_TYPED * 4]).strip()


def reference_query(value: str | None) -> str | None:
    """A payment reference or its start, in upper case; ``None`` when nothing was typed."""
    typed = _typed(value).upper()
    if not typed:
        return None
    if not _REFERENCE.fullmatch(typed):
        raise UnreadableError(
            "reference: letters, digits and hyphens only, such as PT-7K3Q9X2M",
            field="reference",
            label="transfers.bad_reference",
        )
    return typed


def amount_query(value: str | None) -> int | None:
    """An amount typed in yuan (``55000``, ``55,000.00``, ``¥55,000``, ``55000元``) in fen; ``None`` when empty."""
    typed = _typed(value).removeprefix("¥").removesuffix("元").strip()
    if not typed:
        return None
    if not _YUAN.fullmatch(typed):
        raise UnreadableError(
            "amount: a number of yuan with at most two decimals, such as 55000 or 55,000.00",
            field="amount",
            label="transfers.bad_amount",
        )
    units, _, cents = typed.replace(",", "").partition(".")
    fen = int(units) * 100 + int(cents.ljust(2, "0") or "0")
    if fen > MAX_AMOUNT:
        raise UnreadableError(
            f"amount: at most {MAX_AMOUNT // 100:,} yuan", field="amount", label="transfers.bad_amount"
        )
    return fen


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value and len(value) <= 36 else None
    except ValueError:
        return None


async def _is_admin(web: WebState, me: Identity) -> bool:
    return (await web.with_current_roles(me)).has("platform_admin")


async def queue_page(
    request: Request[Any, Any, Any],
    deals: DealsQueries,
    *,
    status_code: int = 200,
    error: str | None = None,
    wrong_amount: tuple[ObligationRow, int] | None = None,
) -> Template:
    """The queue, narrowed by the search typed (``reference``, ``amount``), with what the last receipt did."""
    context = page_context(request)
    query = request.query_params
    typed = {name: _typed(query.get(name))[:_MAX_TYPED] for name in ("reference", "amount")}
    rows: list[Any] = []
    found = 0
    try:
        reference, amount = reference_query(query.get("reference")), amount_query(query.get("amount"))
    except UnreadableError as refused:
        status_code, error = 400, context["t"](refused.label)
    else:
        rows, found = await transfers_awaiting_receipt(deals, reference=reference, amount=amount)
    recorded_id, already_id = _uuid(query.get("recorded")), _uuid(query.get("already"))
    # Only a receipt that was recorded is spoken of (whatever id the address carries).
    recorded, already = [
        o if o is not None and o.status not in ("due", "pending") else None
        for o in [await deals.get_obligation(i) if i else None for i in (recorded_id, already_id)]
    ]
    context.update(
        rows=rows,
        found=found,
        waiting=await count_transfers_awaiting_receipt(deals),
        typed=typed,
        searched=bool(typed["reference"] or typed["amount"]),
        error=error,
        wrong_amount=wrong_amount,
        recorded=recorded,
        exact=format_amount,  # an amount to the fen, as a bank statement shows it
        already=already,
    )
    return Template("deals/transfers.html.jinja2", status_code=status_code, context=context)


def receipt_command(obligation_id: UUID, form: FormMultiDict) -> dc.RecordManualReceipt:
    """The receipt form as the command: the amount received (yuan, as typed) and the bank's reference."""
    amount = amount_query(text(form, "amount"))
    if amount is None:
        raise UnreadableError("amount: give the amount received", field="amount", label="transfers.bad_amount")
    bank_reference = text(form, "bank_reference")
    if not bank_reference:
        raise UnreadableError(
            "bank_reference: give the bank's transaction reference",
            field="bank_reference",
            label="transfers.bank_reference_needed",
        )
    return to_command(
        dc.RecordManualReceipt,
        {"obligation_id": str(obligation_id), "amount": amount, "bank_reference": bank_reference},
    )


class ReconciliationController(Controller):
    """The platform admin's queue of bank transfers: the page and its receipt form need a logged-in admin."""

    include_in_schema = False
    guards = [login_required]  # noqa: RUF012

    @get(QUEUE, name="admin_transfers")
    async def transfers(
        self, request: Request[Any, Any, Any], me: Identity, web: WebState, deals: DealsQueries
    ) -> Template:
        if not await _is_admin(web, me):
            return admin_only(request)
        return await queue_page(request, deals)

    @post(f"{QUEUE}/{{obligation_id:uuid}}/receipt")
    async def record_receipt(
        self,
        obligation_id: UUID,
        request: Request[Any, Any, Any],
        me: Identity,
        web: WebState,
        deals: DealsQueries,
        marketplace: Marketplace,
    ) -> Template | Redirect:
        """Record the transfer received, then back to the queue saying so."""
        if not await _is_admin(web, me):
            return admin_only(request)
        obligation = await deals.get_obligation(obligation_id)
        if obligation is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        try:
            cmd = receipt_command(obligation_id, await request.form())
            try:
                await run_command(web, marketplace.payments.record_manual_receipt, cmd, me)
            except ConcurrentModificationError:  # another admin's receipt came first: this one sees it now
                await run_command(web, marketplace.payments.record_manual_receipt, cmd, me)
        except DomainError as error:
            return await self._refused(request, web, deals, marketplace, obligation, error)
        return Redirect(f"{QUEUE}?recorded={obligation_id}", status_code=303)

    @staticmethod
    async def _refused(
        request: Request[Any, Any, Any],
        web: WebState,
        deals: DealsQueries,
        marketplace: Marketplace,
        obligation: ObligationRow,
        error: DomainError,
    ) -> Template | Redirect:
        """A receipt recorded already (a second click, two admins at once) is said to be, with one effect;
        a wrong amount or an unreadable field shows the queue with the reason in the reader's language."""
        t = page_context(request)["t"]
        if isinstance(error, PaymentStateError):
            last: int | None = await web.run(marketplace.recorder.max_notification_id)
            await web.wait_for(last or 0)  # the other receipt is on the queue's page too
            return Redirect(f"{QUEUE}?already={obligation.id}", status_code=303)
        if isinstance(error, UnreadableError):
            return await queue_page(request, deals, status_code=400, error=t(error.label))
        if isinstance(error, ValidationError) and error.field == "amount":
            got = amount_query(text(await request.form(), "amount")) or 0  # read once already: it reads
            return await queue_page(request, deals, status_code=400, wrong_amount=(obligation, got))
        if isinstance(error, ValidationError):
            return await queue_page(request, deals, status_code=400, error=explain(request, error))
        return error_page(request, error)


class ReconciliationApiController(Controller):
    """The platform admin's search of every payment obligation: a bearer token of a platform admin."""

    path = "/api"
    tags = ["deals"]  # noqa: RUF012 - litestar declares it as an instance attribute
    guards = [login_required]  # noqa: RUF012
    security = BEARER

    @get(
        "/admin/obligations",
        summary="Every organisation's payment obligations, by reference, status, gateway (platform admin)",
    )
    async def obligations(
        self,
        me: Identity,
        web: WebState,
        deals: DealsQueries,
        reference: Annotated[
            str | None,
            Parameter(
                max_length=_MAX_TYPED, description="a payment reference (PT-…) or its start; case does not matter"
            ),
        ] = None,
        amount: AmountParam = None,
        status: PaymentStatus | None = None,
        gateway: Annotated[
            Literal["manual", "stripe"] | None, Parameter(description="manual: bank transfer (对公转账); stripe: card")
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> ObligationCollection:
        if not await _is_admin(web, me):
            raise PermissionDeniedError("this needs the role platform_admin")
        items, total = await find_obligations(
            deals,
            reference=reference_query(reference),
            amount=amount,
            status=status.value if status else None,
            gateway=gateway,
            limit=limit,
            offset=offset,
        )
        return ObligationCollection(items, total)
