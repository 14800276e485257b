"""A payment's source of funds (issue 12): the buyer's own funds unless declared otherwise before paying."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.deals.payment import PaymentObligation
from domain.shared.errors import PaymentStateError, ValidationError


def due() -> PaymentObligation:
    return PaymentObligation.fall_due(contract_id=uuid4(), payer_organisation_id=uuid4(),
                                      payee_organisation_id=uuid4(), amount=100_00, currency="CNY",
                                      purpose="upfront", due_on=None)


def test_an_obligation_recorded_before_declarations_is_paid_with_own_funds() -> None:
    replayed = None
    for stored in due().collect_events():  # an obligation's events as stored before declarations existed
        replayed = stored.mutate(replayed)
    assert isinstance(replayed, PaymentObligation)
    assert (replayed.funds_source, replayed.fiscally_funded) == ("own", False)


def test_declared_before_paying_and_fixed_once_a_payment_started() -> None:
    buyer = uuid4()
    obligation = due()
    assert obligation.declare_funds(source="own", by=buyer) is False  # the default: nothing new
    with pytest.raises(ValidationError):
        obligation.declare_funds(source="lottery", by=buyer)
    assert obligation.declare_funds(source="government_procurement", by=buyer) is True
    assert obligation.fiscally_funded
    obligation.start(gateway="manual", provider_payment_id="PT-1", by=buyer)
    assert obligation.declare_funds(source="government_procurement", by=buyer) is False
    with pytest.raises(PaymentStateError) as refused:
        obligation.declare_funds(source="own", by=buyer)
    assert refused.value.code == "payment.funds_locked"
    obligation.pay(gateway="manual", provider_payment_id="B-1", amount=100_00, now=datetime.now(UTC),
                   shares=[{"recipient": "seller", "amount": 100_00}], by=buyer)
    with pytest.raises(PaymentStateError):
        obligation.declare_funds(source="fiscal_programme", by=buyer)
