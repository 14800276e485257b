"""A world with a transfer agency, its accredited broker and a mandate for the university's listing."""

from __future__ import annotations

from datetime import date
from typing import Any

from marketplace.deals.checks import DealPolicy
from marketplace.market import commands as mc
from tests.unit.deal_helpers import World, make_world


def broker_world(env: dict[str, str] | None = None, *, policy: DealPolicy | None = None, commission: float = 3.0,
                 **mandate: Any) -> World:
    """``make_world`` plus 福建海峡技术转移中心 (agency), its broker ``broker`` accredited, and a mandate."""
    world = make_world(env, policy=policy)
    world.sign_up("agency", "福建海峡技术转移中心", "transfer_agency")
    world.ids["broker"] = world.ids["agency"]
    world.app.brokers.accredit_broker(
        mc.AccreditBroker(user_id=world["broker"], credential_number="FJ-JJR-2025-001", expires_on=date(2027, 1, 1)),
        actor_id=world["admin"])
    world.app.brokers.give_mandate(
        mc.GiveMandate(listing_id=world["listing"], agency_id=world["agency_org"], commission=commission,
                       ends_on=mandate.pop("ends_on", date(2025, 12, 31)), **mandate),
        actor_id=world["uni"])
    return world


def introduce(world: World, buyer: str = "firm", *, confirm: bool = True) -> Any:
    iid, _ = world.app.brokers.introduce_buyer(
        mc.IntroduceBuyer(listing_id=world["listing"], buyer_organisation_id=world[f"{buyer}_org"]),
        actor_id=world["broker"])
    if confirm:
        world.app.brokers.confirm_introduction(mc.ConfirmIntroduction(introduction_id=iid), actor_id=world[buyer])
    return iid
