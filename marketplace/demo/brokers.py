"""Demo brokers and transfer agencies: the transfer agency's admin is an accredited technology broker (技术经纪人);
two sellers mandated the agency (委托) for a listing each, one mandate running and one ended; the broker introduced
two enterprises to the running one, one confirmed (its offers would carry the agency) and one awaiting its answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID

from marketplace.demo.deals import DemoListing
from marketplace.market import commands as mc
from marketplace.platform.application import Marketplace


def seed_demo_brokers(app: Marketplace, *, admin: UUID, broker: UUID, listings: Sequence[DemoListing],
                      buyers: Sequence[UUID], today: date) -> None:
    """``broker``: the transfer agency's admin; ``listings``: published listings; ``buyers``: enterprises' admins."""
    open_ones = [item for item in listings if app.repository.get(item.listing_id).status == "published"]
    if len(open_ones) < 2 or len(buyers) < 2:
        return
    app.brokers.accredit_broker(mc.AccreditBroker(user_id=broker, credential_number="闽技经〔2025〕第 0017 号",
                                                  expires_on=today + timedelta(days=730)), actor_id=admin)
    agency: UUID = app.repository.get(broker).organisation_id
    running, ended = open_ones[-1], open_ones[-2]
    for item, rate in ((running, 3.0), (ended, 2.5)):
        app.brokers.give_mandate(mc.GiveMandate(listing_id=item.listing_id, agency_id=agency, commission=rate,
                                                ends_on=today + timedelta(days=365)), actor_id=item.seller)
    app.brokers.end_mandate(mc.EndMandate(listing_id=ended.listing_id, agency_id=agency,
                                          reason="卖方改为自行推广"), actor_id=ended.seller)
    for n, buyer in enumerate(buyers[:2]):
        introduction, _ = app.brokers.introduce_buyer(
            mc.IntroduceBuyer(listing_id=running.listing_id,
                              buyer_organisation_id=_organisation_of(app, buyer),
                              note=("2025 海峡两岸技术对接会" if n == 0 else "电话推介")), actor_id=broker)
        if n == 0:
            app.brokers.confirm_introduction(mc.ConfirmIntroduction(introduction_id=introduction), actor_id=buyer)


def _organisation_of(app: Marketplace, user: UUID) -> UUID:
    organisation: UUID = app.repository.get(user).organisation_id
    return organisation
