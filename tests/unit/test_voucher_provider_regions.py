"""Cross-region vouchers (跨区域, issue 12): a voucher programme may name the regions whose providers its
vouchers pay (voucher_redemption_models.cross_region: agreements let vouchers be spent with providers in other
provinces); none named, any region pays, as the rules stored before this existed. A seller outside the accepted
regions, or with no region on record, is refused with the reason; a new version of the rules widens them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.deals.payment import obligation_id
from domain.programmes.rules import rules_from_dict, within_region
from domain.shared.errors import ConflictError, ValidationError
from marketplace.programmes import commands as pc
from tests.unit.deal_helpers import World, accept, offer, past_notice, sign_all
from tests.unit.test_programme_process import programme, sign_up
from tests.unit.test_programme_vouchers import (
    issue,
    voucher_rules,
    world,  # noqa: F401 - the fixture
)

YUAN = 100
PRICE = 200_000 * YUAN


def due_to(world: World, seller: str, n: int, buyer: str = "sme") -> UUID:  # noqa: F811 - the fixture
    """A signed sale of a new patent of ``seller`` to ``buyer``: its upfront payment is due."""
    patent = world.register_patent([seller], number=f"20231097{n:04d}")
    listing = world.list_patent(seller, patent, asking_price=PRICE)
    contract = accept(world, offer(world, buyer=buyer, price=PRICE, listing_id=listing), by=seller)
    past_notice(world)
    sign_all(world, contract, seller, buyer)
    return obligation_id(contract, "upfront")


def spend(world: World, voucher: UUID, oid: UUID, buyer: str = "sme") -> int:  # noqa: F811 - the fixture
    part, _ = world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=voucher),
                                               actor_id=world[buyer])
    return part


def test_a_voucher_pays_providers_in_the_accepted_regions_only(world: World) -> None:  # noqa: F811 - the fixture
    sign_up(world, "sjtu", "上海交通大学", "university", "上海市闵行区")
    sign_up(world, "xmu", "厦门大学", "university", "福建省厦门市思明区")
    pid = programme(world, "innovation_voucher", voucher_rules(provider_regions=["厦门"]), budget=1_000_000 * YUAN)
    assert world.get(pid).rules_on(date(2025, 3, 1))[1].provider_regions == ("350200",)
    (vid,) = issue(world, pid, "sme", face=190_000 * YUAN)
    with pytest.raises(ConflictError) as refused:  # 福建农林大学 is in Fuzhou, not Xiamen
        spend(world, vid, due_to(world, "fafu", 1))
    assert refused.value.code == "voucher.provider_region"
    assert refused.value.params == {"accepted": "厦门", "region": "福建省福州市"}  # type: ignore[attr-defined]
    assert world.get(vid).remaining == 190_000 * YUAN  # nothing was spent
    assert spend(world, vid, due_to(world, "xmu", 2)) == 100_000 * YUAN  # a Xiamen university: half the price

    # The province agrees with Shanghai (跨区域): a new version of the rules, in force from today.
    world.app.programmes.revise_rules(pc.ReviseRules(
        programme_id=pid, effective_from=world.clock.now().date(),
        rules=voucher_rules(provider_regions=["福建省", "上海", "福建"])), actor_id=world["officer"])
    assert world.get(pid).rule_versions[-1][1].provider_regions == ("350000", "310000")  # each once
    assert spend(world, vid, due_to(world, "sjtu", 3)) == 90_000 * YUAN  # what is left of it
    assert spend(world, (issue(world, pid, "sme", face=10_000 * YUAN, batch="2025-Q2"))[0],
                 due_to(world, "fafu", 4)) == 10_000 * YUAN  # Fuzhou is in Fujian


def test_a_provider_with_no_region_on_record_is_refused_by_name(world: World) -> None:  # noqa: F811 - the fixture
    sign_up(world, "nowhere", "某某技术转移中心", "research_institute", "")
    pid = programme(world, "innovation_voucher", voucher_rules(provider_regions=["福建"]), budget=1_000_000 * YUAN)
    (vid,) = issue(world, pid, "sme")
    with pytest.raises(ConflictError) as refused:
        spend(world, vid, due_to(world, "nowhere", 5))
    assert refused.value.code == "voucher.provider_region_unknown"
    # Without a list of regions nobody's region is asked for: any provider is paid, also one with none.
    anywhere = programme(world, "innovation_voucher", voucher_rules(), budget=1_000_000 * YUAN)
    (other,) = issue(world, anywhere, "sme", batch="2025-any")
    assert spend(world, other, due_to(world, "nowhere", 6)) == 50_000 * YUAN


def test_regions_are_named_by_province_city_or_code_and_only_on_voucher_programmes(
    world: World,  # noqa: F811 - the fixture
) -> None:
    with pytest.raises(ValidationError) as refused:
        programme(world, "innovation_voucher", voucher_rules(provider_regions=["福建", "Atlantis"]))
    assert (refused.value.field, refused.value.code) == ("rules.provider_regions.1", "voucher.provider_region_name")
    with pytest.raises(ValidationError) as refused:
        programme(world, "purchase_subsidy", pc.RulesInput(beneficiary="buyer", tiers=[pc.TierInput(rate_bp=1000)],
                                                           provider_regions=["福建"]))
    assert refused.value.code == "voucher.regions_only_vouchers"
    pid = programme(world, "innovation_voucher", voucher_rules(provider_regions=["350200", "浙江"]))
    assert world.get(pid).rules_on(date(2025, 3, 1))[1].provider_regions == ("350200", "330000")


def test_old_rules_accept_any_region_and_regions_nest() -> None:
    old = rules_from_dict({"beneficiary": "buyer", "tiers": [{"rate_bp": 5000, "up_to": None}]})
    assert old.provider_regions == ()
    assert "provider_regions" not in old.as_dict()  # recorded as before
    assert rules_from_dict({**old.as_dict(), "provider_regions": ["350000"]}).provider_regions == ("350000",)
    assert within_region("350203", "350000")
    assert within_region("350203", "350200")
    assert not within_region("350100", "350200")
    assert within_region("350128", "350100")  # 平潭, a county of Fuzhou
    assert not within_region("510100", "500000")  # Chengdu is not in Chongqing
