"""Why a payment earned a subsidy or reward, or nothing: the claims process's outcome for one payment, on a page.

``GET /payments/{id}/programme-assessment`` shows, per programme open on the payment date, whether the payment
qualified (and the calculation of the claim raised), or each reason it did not, with the source of funds the
buyer declared. The payment's two organisations' members, programme officers and platform admins read it, as
they read the JSON answer (``GET /api/payments/{id}/programme-assessment``); anyone else is refused (403).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from domain.programmes.claim import claim_id
from domain.shared.errors import DomainError
from marketplace.platform.application import Marketplace
from projections.deals.queries import DealsQueries
from projections.programmes.queries import ProgrammesQueries
from web.context import Identity, page_context
from web.errors import error_page
from web.identity import login_required
from web.state import WebState


class PaymentAssessmentController(Controller):
    """The assessment of one payment by the open programmes, for its parties and the officers."""

    include_in_schema = False
    guards = [login_required]  # noqa: RUF012

    @get("/payments/{obligation_id:uuid}/programme-assessment", name="payment_programme_assessment")
    async def assessment(self, obligation_id: UUID, request: Request[Any, Any, Any], me: Identity, web: WebState,
                         marketplace: Marketplace, deals: DealsQueries,
                         programmes: ProgrammesQueries) -> Template:
        obligation = await deals.get_obligation(obligation_id)
        if obligation is None:
            raise NotFoundException(f"obligation_id: no payment obligation with id {obligation_id}")
        try:  # the application decides who reads it, as for the JSON answer
            outcomes = await web.run(marketplace.programmes.payment_assessment, obligation_id, actor_id=me.user_id)
        except DomainError as error:
            return error_page(request, error)
        names: dict[str, Any] = {}
        for outcome in outcomes:
            key = str(outcome["programme_id"])
            if key not in names:
                names[key] = await programmes.get_programme(UUID(key))
        claims = {}
        for party in (obligation.payer_organisation_id, obligation.payee_organisation_id):
            found = await programmes.get_claim(claim_id(obligation_id, party))
            if found is not None:
                claims[found.side] = found
        rows = [{**o, "programme": names.get(str(o["programme_id"])), "claim": claims.get(str(o["side"]))
                 if o["chosen"] else None} for o in outcomes]
        return Template("programmes/assessment.html.jinja2", context=page_context(
            request, o=obligation, rows=rows, assessed=bool(outcomes) or obligation.status in ("paid", "refunded"),
            funds_source=obligation.funds_source or "own"))
