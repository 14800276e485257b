"""Build the configured payment gateways and choose one for an amount."""

from __future__ import annotations

from marketplace.deals.gateways.manual import ManualSettlementGateway
from marketplace.deals.gateways.port import STRIPE_MAX_AMOUNT, PaymentGateway
from marketplace.deals.gateways.stripe_gateway import StripeGateway, build_stripe_client
from marketplace.platform.settings import Settings


def build_gateways(settings: Settings) -> dict[str, PaymentGateway]:
    """``manual`` always; ``stripe`` too when ``MARKETPLACE_STRIPE_API_KEY`` is configured."""
    gateways: dict[str, PaymentGateway] = {
        "manual": ManualSettlementGateway(settings.bank_account_name, settings.bank_name, settings.bank_account_number),
    }
    if settings.stripe_api_key:
        client = build_stripe_client(settings.stripe_api_key, settings.stripe_api_base)
        gateways["stripe"] = StripeGateway(client, localstripe_compat=settings.stripe_localstripe_compat)
    return gateways


def gateway_for(gateways: dict[str, PaymentGateway], amount: int) -> PaymentGateway:
    """Stripe when configured and ``amount`` (minor units) is within its single-payment cap, else bank transfer."""
    stripe_gateway = gateways.get("stripe")
    if stripe_gateway is not None and 0 < amount <= STRIPE_MAX_AMOUNT:
        return stripe_gateway
    return gateways["manual"]
