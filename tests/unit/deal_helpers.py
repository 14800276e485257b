"""A small marketplace world for deal tests: a university seller, enterprise buyers, a listed patent,
a manual clock and a payment-provider double."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.catalogue.patent_numbers import cn_check_character
from domain.deals.payment import obligation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.catalogue.commands import ConfirmCoOwnership
from marketplace.deals import commands as d
from marketplace.deals.checks import DealPolicy
from marketplace.deals.gateways.port import (
    GatewayEvent,
    PaymentGateway,
    PaymentRequest,
    PaymentStart,
    RefundResult,
)
from marketplace.deals.gateways.stripe_gateway import payment_idempotency_key
from marketplace.platform.application import Marketplace
from marketplace.platform.clock import ManualClock

PASSWORD = "a-long-password"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class ProviderDouble:
    """Stands in for an external payment provider (Stripe, or the bank for manual settlement).

    Like Stripe: a start under an idempotency key already used gives back that key's payment, and a
    payment can be resumed unless it was canceled (``cancel``); ``set_status`` plays the payer.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.started: list[PaymentRequest] = []
        self.refunds: list[tuple[str, int, str]] = []
        #: Idempotency key of every start, in order (``payment_idempotency_key`` of the request).
        self.keys: list[str] = []
        self.resumed: list[str] = []
        self.payments: dict[str, str] = {}  # provider payment id -> status
        self._by_key: dict[str, str] = {}

    def start_payment(self, request: PaymentRequest) -> PaymentStart:
        self.started.append(request)
        key = payment_idempotency_key(request.obligation_id, request.attempt)
        self.keys.append(key)
        if key not in self._by_key:
            self._by_key[key] = f"pi_{len(self._by_key) + 1}"
            self.payments[self._by_key[key]] = "pending"
        return self._start(self._by_key[key])

    def resume_payment(self, provider_payment_id: str, request: PaymentRequest) -> PaymentStart | None:
        self.resumed.append(provider_payment_id)
        if self.payments.get(provider_payment_id, "canceled") == "canceled":
            return None
        return self._start(provider_payment_id)

    def cancel(self, provider_payment_id: str) -> None:
        self.set_status(provider_payment_id, "canceled")

    def set_status(self, provider_payment_id: str, status: str) -> None:
        assert provider_payment_id in self.payments, f"no payment {provider_payment_id} was started"
        self.payments[provider_payment_id] = status

    def _start(self, provider_payment_id: str) -> PaymentStart:
        return PaymentStart(
            gateway=self.name,
            provider_payment_id=provider_payment_id,
            status=self.payments[provider_payment_id],
            client_secret=f"{provider_payment_id}_secret" if self.name == "stripe" else None,
        )

    def refund(self, provider_payment_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        self.refunds.append((provider_payment_id, amount, idempotency_key))
        return RefundResult(provider_refund_id=f"re_{len(self.refunds)}", amount=amount, status="succeeded")


def cn(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


def head(app: Marketplace) -> int:
    return app.recorder.max_notification_id() or 0


@dataclass
class World:
    app: Marketplace
    clock: ManualClock
    stripe: ProviderDouble
    manual: ProviderDouble

    def restart(
        self, *, gateways: Mapping[str, PaymentGateway] | None = None, policy: DealPolicy | None = None
    ) -> None:
        """The operator restarts the marketplace with other settings over the same event store (in memory:
        the same recorder) and personal data; the settings not given are as before."""
        recorder = self.app.recorder

        class SameStore(Marketplace):
            name = "marketplace"

            def construct_recorder(self) -> Any:
                return recorder

        self.app = SameStore(
            self.app.env, clock=self.clock, ipc_scheme=self.app.ipc_scheme,
            gateways=self.app.payments.gateways if gateways is None else gateways,
            deal_policy=policy or self.app.payments.policy, personal=self.app.personal,
        )
    ids: dict[str, UUID] = field(default_factory=dict)
    events: int = 0

    def __getitem__(self, key: str) -> UUID:
        return self.ids[key]

    def get(self, aggregate_id: UUID) -> Any:
        return self.app.repository.get(aggregate_id)

    def sign_up(self, key: str, org: str, kind: str, *, verify: bool = True) -> None:
        email = f"{key}@example.test"
        user, _ = self.app.accounts.sign_up(
            ac.SignUp(email=email, password=PASSWORD, display_name=key, organisation_name=org, organisation_kind=kind)
        )
        org_id = self.get(user).organisation_id
        if verify:
            self.app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=org_id), actor_id=self["admin"])
        self.ids[key] = user
        self.ids[f"{key}_org"] = org_id

    def register_patent(self, owner_keys: list[str], number: str = "202010123456") -> UUID:
        share = 100 / len(owner_keys)
        owners = [cc.OwnerShare(organisation_id=self[f"{k}_org"], share=share) for k in owner_keys]
        patent, _ = self.app.catalogue.register_patent(
            cc.RegisterPatent(
                application_number=cn(number),
                patent_type="invention",
                title_zh="一种锂电池隔膜",
                title_en="A lithium battery separator",
                ipc_codes=["H01M 2/14"],
                filing_date=date(2020, 1, 2),
                legal_status="granted",
                owners=owners,
                inventors=[cc.InventorShare(name="张三", share=60), cc.InventorShare(name="李四", share=40)],
            ),
            actor_id=self[owner_keys[0]],
        )
        for key in owner_keys[1:]:  # named co-owners confirm the registration before it is listed (issue 9)
            self.app.registrations.confirm_co_ownership(ConfirmCoOwnership(patent_id=patent), actor_id=self[key])
        return patent

    def list_patent(self, key: str, patent: UUID, **terms: Any) -> UUID:
        values: dict[str, Any] = {
            "deal_types": ["assignment", "exclusive_licence", "non_exclusive_licence"],
            "price_mode": "fixed",
            "asking_price": 10_000_000,
            "maturity": "prototype",
        }
        values.update(terms)
        listing, _ = self.app.catalogue.draft_listing(cc.DraftListing(patent_id=patent, **values), actor_id=self[key])
        self.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=self[key])
        return listing


def make_world(
    env: dict[str, str] | None = None,
    *,
    stripe: PaymentGateway | None = None,
    policy: DealPolicy | None = None,
) -> World:
    """The world on the in-memory recorder, or on the event store ``env`` names (e.g. PostgreSQL); card
    payments through ``stripe`` when given, else through a provider double."""
    clock = ManualClock(START)
    stripe_double, manual = ProviderDouble("stripe"), ProviderDouble("manual")
    app = Marketplace(
        env or {"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock,
        gateways={"stripe": stripe or stripe_double, "manual": manual}, deal_policy=policy,
    )
    world = World(app, clock, stripe_double, manual)
    world.ids["admin"] = app.accounts.bootstrap_platform_admin(
        email="ops@platform.test", password=PASSWORD, display_name="Ops", organisation_name="Platform Ops"
    )
    world.sign_up("uni", "福州大学", "university")
    world.sign_up("firm", "厦门智造装备有限公司", "enterprise")
    world.sign_up("rival", "泉州新材料有限公司", "enterprise")
    world.ids["patent"] = world.register_patent(["uni"])
    world.ids["listing"] = world.list_patent("uni", world["patent"])
    return world


def licence_scope(
    start: date = date(2025, 4, 1), years: int = 3, field_of_use: str = "", territory: str = ""
) -> d.ScopeInput:
    return d.ScopeInput(
        start=start, end=start.replace(year=start.year + years), field_of_use=field_of_use, territory=territory
    )


def offer(world: World, buyer: str = "firm", kind: str = "assignment", price: int = 10_000_000, **terms: Any) -> UUID:
    if kind != "assignment" and "scope" not in terms:
        terms["scope"] = licence_scope()
    offer_id, _ = world.app.offers.make_offer(
        d.MakeOffer(listing_id=terms.pop("listing_id", world["listing"]), kind=kind, price=price, **terms),
        actor_id=world[buyer],
    )
    return offer_id


def accept(world: World, offer_id: UUID, by: str = "uni") -> UUID:
    contract_id, _ = world.app.offers.accept_offer(d.AcceptOffer(offer_id=offer_id), actor_id=world[by])
    return contract_id


def sign_all(world: World, contract_id: UUID, *parties: str) -> None:
    digest = world.get(contract_id).text_sha256
    for party in parties or ("uni", "firm"):
        world.app.contracts.sign_contract(
            d.SignContract(contract_id=contract_id, text_sha256=digest), actor_id=world[party])


def pay_by_webhook(
    world: World, contract_id: UUID, purpose: str = "upfront", event_id: str = "evt_1", payer: str = "firm"
) -> UUID:
    started, _ = world.app.payments.start_payment(
        d.StartPayment(contract_id=contract_id, purpose=purpose), actor_id=world[payer]
    )
    oid = obligation_id(contract_id, purpose)
    world.app.payments.record_gateway_event(
        GatewayEvent(
            provider=started.gateway,
            event_id=event_id,
            event_type="payment_intent.succeeded",
            provider_payment_id=started.provider_payment_id,
            obligation_id=oid,
            amount=world.get(oid).amount,
        )
    )
    return oid


def past_notice(world: World) -> None:
    world.clock.advance(timedelta(days=15, seconds=1))
