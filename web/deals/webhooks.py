"""Payment provider webhooks: ``POST /webhooks/stripe``.

The raw body is verified against the signing secret before anything is parsed (a bad signature
is answered 400 and nothing is recorded). An event without ``metadata.obligation_id`` (Stripe's
refund objects) is matched to its obligation through its PaymentIntent id in the deals read model;
the command still validates on the aggregate. A payment or refund whose obligation cannot be found
is answered 503 with nothing recorded, so that Stripe delivers it again later (unless it is about money held
outside contracts, an auction deposit paid by card, which the application finds by its PaymentIntent). The application
records the delivery in its inbox in the same atomic save as the effect, so a repeated delivery is
answered 200 and changes nothing.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, post

from domain.shared.errors import DomainError
from marketplace.deals.gateways.port import WebhookSignatureError
from marketplace.deals.gateways.webhooks import parse_stripe_webhook
from marketplace.deals.payments import PAYMENT_SUCCEEDED, REFUND_EVENTS
from marketplace.platform.application import Marketplace
from projections.deals.queries import DealsQueries
from web.errors import status_of
from web.state import WebState

#: Events that move money: acknowledged only once their obligation is found.
MONEY_EVENTS = REFUND_EVENTS | {PAYMENT_SUCCEEDED}


class WebhooksController(Controller):
    path = "/webhooks"
    include_in_schema = False

    @post("/stripe", status_code=200)
    async def stripe(
        self, request: Request[Any, Any, Any], web: WebState, deals: DealsQueries, marketplace: Marketplace
    ) -> Response[dict[str, Any]]:
        raw = await request.body()
        secret = web.services.settings.stripe_webhook_secret or ""
        try:
            event = parse_stripe_webhook(raw, request.headers.get("stripe-signature"), secret)
        except WebhookSignatureError as error:
            return Response({"status_code": 400, "detail": str(error)}, status_code=400, media_type=MediaType.JSON)
        if event.obligation_id is None and event.provider_payment_id is not None:
            # Refund objects carry no metadata: locate the obligation by its PaymentIntent.
            found = await deals.obligation_id_for_payment(
                event.provider_payment_id, gateway=event.provider
            )
            if found is not None:
                event = msgspec.structs.replace(event, obligation_id=found)
            elif event.event_type in MONEY_EVENTS and not await web.run(marketplace.payments.knows_held, event):
                # Not known (yet): maybe the read model is a moment behind, maybe not ours. Record
                # nothing and let Stripe deliver again later (it retries for days), rather than
                # acknowledge a payment or refund that then changes nothing.
                return Response(
                    {"status_code": 503, "detail": f"provider_payment_id: no payment obligation is known for "
                     f"{event.provider_payment_id} yet; deliver again later", "field": "provider_payment_id"},
                    status_code=503, media_type=MediaType.JSON, headers={"Retry-After": "60"},
                )
        try:
            position = await web.run(marketplace.payments.record_gateway_event, event)
        except DomainError as error:
            return Response(
                {"status_code": status_of(error), "detail": error.message, "field": error.field},
                status_code=status_of(error),
                media_type=MediaType.JSON,
            )
        if position is not None:
            await web.wait_for(position)
        if position is None:  # delivered before: the inbox acknowledges it and nothing changes
            return Response({"received": True, "duplicate": True, "event_id": event.event_id}, status_code=200)
        return Response({"received": True, "duplicate": False, "event_id": event.event_id}, status_code=200)
