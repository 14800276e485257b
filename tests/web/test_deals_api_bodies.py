# ruff: noqa: F811 - pytest fixtures imported from the journey module are parameters here
"""The deals API's typed bodies and answers: each body is its command less the path's ids, the OpenAPI
document describes every body field by field, accepting an offer names the contract it drafted, and
starting a payment names the obligation it pays."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from marketplace.deals import commands as dc
from marketplace.platform.clock import ManualClock
from tests.web.test_api import listed
from tests.web.test_deals_journey import (  # noqa: F401 - the fixtures
    clock,
    manual_client,
    ok,
    parties,
    through_notice,
)
from web.deals import bodies as b

#: Each body, the command it builds, and the command's fields the path gives.
BODIES: list[tuple[type[b.Body], type[msgspec.Struct], set[str]]] = [
    (b.MakeOfferBody, dc.MakeOffer, {"listing_id"}),
    (b.CounterOfferBody, dc.CounterOffer, {"offer_id"}),
    (b.RejectOfferBody, dc.RejectOffer, {"offer_id"}),
    (b.WithdrawOfferBody, dc.WithdrawOffer, {"offer_id"}),
    (b.FileObjectionBody, dc.FileObjection, {"contract_id"}),
    (b.DecideObjectionBody, dc.DecideObjection, {"contract_id", "objection_id"}),
    (b.SignContractBody, dc.SignContract, {"contract_id"}),
    (b.TerminateContractBody, dc.TerminateContract, {"contract_id"}),
    (b.RecordRegistrationBody, dc.RecordRegistration, {"contract_id"}),
    (b.ReachMilestoneBody, dc.ReachMilestone, {"contract_id"}),
    (b.DeliverMilestoneBody, dc.DeliverMilestone, {"contract_id"}),
    (b.AgreeDevelopmentResultsBody, dc.AgreeDevelopmentResults, {"contract_id"}),
    (b.FileRoyaltyReportBody, dc.FileRoyaltyReport, {"contract_id"}),
    (b.StartPaymentBody, dc.StartPayment, {"contract_id"}),
    (b.RecordManualReceiptBody, dc.RecordManualReceipt, {"obligation_id"}),
    (b.RefundPaymentBody, dc.RefundPayment, {"obligation_id"}),
    (b.TakeOpenLicenceBody, dc.TakeOpenLicence, {"listing_id"}),
    (b.SetBenefitRulesBody, dc.SetBenefitRules, {"organisation_id"}),
]


def shape(kind: type[msgspec.Struct], without: Collection[str] = ()) -> dict[str, tuple[Any, Any, Any]]:
    """Each field's type (with its limits), default and default factory."""
    fields = msgspec.structs.fields(kind)
    return {f.name: (f.type, f.default, f.default_factory) for f in fields if f.name not in without}


@pytest.mark.parametrize(("body", "command", "path_ids"), BODIES, ids=lambda x: getattr(x, "__name__", ""))
def test_each_body_is_its_command_without_the_paths_ids(
    body: type[b.Body], command: type[msgspec.Struct], path_ids: set[str]
) -> None:
    assert path_ids <= set(shape(command))
    assert shape(body) == shape(command, path_ids)
    assert body.__struct_config__.forbid_unknown_fields


def test_every_body_of_the_deals_api_is_in_the_document(web_app: Litestar) -> None:
    document = web_app.openapi_schema.to_schema()
    schemas = document["components"]["schemas"]
    operations = [op for item in document["paths"].values() for op in item.values() if "deals" in op.get("tags", [])]
    found: set[str] = set()
    for op in operations:
        if "requestBody" not in op:
            continue
        body = op["requestBody"]["content"]["application/json"]["schema"]
        refs = [s["$ref"] for s in [body, *body.get("oneOf", [])] if "$ref" in s]
        assert len(refs) == 1, (op["operationId"], body)
        found.add(refs[0].rsplit("/", 1)[1])
    assert found == {kind.__name__ for kind, _, _ in BODIES}
    for kind, command, path_ids in BODIES:
        described = schemas[kind.__name__]
        assert set(described["properties"]) == set(shape(command, path_ids)), kind.__name__
        assert set(described.get("required", [])) == {
            f.name for f in msgspec.structs.fields(kind) if f.required}, kind.__name__
    for op in operations:  # every answer is a described struct, not "any object"
        answer = next(r for status, r in op["responses"].items() if status.startswith("2"))
        ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert schemas[ref]["properties"], op["operationId"]
    assert {"contract_id", "position"} <= set(schemas["Accepted"]["properties"])
    assert schemas["PaymentStarted"]["properties"]["obligation_id"] == {"type": "string", "format": "uuid"}


def test_accepting_names_the_contract_and_starting_a_payment_names_the_obligation(
    manual_client: TestClient[Litestar], clock: ManualClock
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 31, price_mode="negotiable", asking_price=None)
    offer_id = ok(client.post(f"/api/listings/{listing_id}/offers", headers=p.enterprise.headers,
                              json={"kind": "assignment", "price": 40_000_000, "valid_days": 14}), 201)["id"]
    accepted = ok(client.post(f"/api/offers/{offer_id}/accept", headers=p.university.headers))
    contract = ok(client.get(f"/api/contracts/{accepted['contract_id']}", headers=p.enterprise.headers))["contract"]
    assert (contract["id"], contract["offer_id"], contract["price_amount"]) == (
        accepted["contract_id"], offer_id, 40_000_000)
    assert ok(client.get(f"/api/offers/{offer_id}", headers=p.enterprise.headers))["offer"]["contract_id"] == (
        accepted["contract_id"])

    through_notice(client, p, clock, accepted["contract_id"])
    started = ok(client.post(f"/api/contracts/{accepted['contract_id']}/payments", headers=p.enterprise.headers,
                             json={"purpose": "upfront"}), 201)
    obligation = ok(client.get(f"/api/obligations/{started['obligation_id']}", headers=p.enterprise.headers))
    assert (obligation["contract_id"], obligation["purpose"], obligation["amount"]) == (
        accepted["contract_id"], "upfront", 40_000_000)
    assert obligation["provider_payment_id"] == started["provider_payment_id"]
    assert [o["id"] for o in ok(client.get("/api/obligations", headers=p.enterprise.headers))["items"]] == [
        started["obligation_id"]]


def test_a_body_missing_a_field_or_naming_the_paths_id_is_refused_naming_that_field(
    manual_client: TestClient[Litestar],
) -> None:
    client = manual_client
    p = parties(client)
    listing_id = listed(client, p.university, 32, price_mode="negotiable", asking_price=None)
    offers = f"/api/listings/{listing_id}/offers"
    for body, field in (({"price": 40_000_000}, "kind"),  # missing: named, not "data"
                        ({"kind": "assignment", "price": 1, "listing_id": listing_id}, "listing_id"),  # the path's
                        ({"kind": "assignment", "price": 40_000_000, "scope": {"territry": "CN"}}, "scope.territry")):
        refused = client.post(offers, headers=p.enterprise.headers, json=body)
        assert refused.status_code == 400, refused.text
        assert refused.json()["field"] == field
        assert refused.json()["detail"].startswith(f"{field}: Object ")
    assert ok(client.get("/api/my/offers", headers=p.enterprise.headers))["items"] == []  # nothing recorded
