"""Payments: the ``PaymentGateway`` port and its adapters (Stripe, manual bank settlement)."""
