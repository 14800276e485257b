"""Innovation vouchers spent and issued at once on a real PostgreSQL (issue 12, journey 4): a voucher is never
spent twice — each redemption saves the voucher, so two payments spending it at once save against the same
version and one conflicts — and issuing never overspends the budget nor passes an enterprise's annual cap
(each issue saves the programme and the enterprise-year's quota; a save that lost the race is evaluated again)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.deals.payment import obligation_id
from domain.programmes.programme import Programme
from domain.programmes.voucher import Voucher
from domain.shared.errors import ConflictError
from marketplace.accounts import commands as ac
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.migrate import migrate
from marketplace.programmes import commands as pc
from tests.integration.test_deal_races import race
from tests.unit.deal_helpers import PASSWORD, World, accept, make_world, offer, past_notice, sign_all
from tests.unit.test_programme_process import programme, sign_up
from tests.unit.test_programme_vouchers import voucher_rules
from tests.unit.test_voucher_provider_bonus import paid_with_voucher

YUAN = 100
PRICE = 200_000 * YUAN
PAYMENTS = 4
ENTERPRISES = ("sme0", "sme1", "sme2", "sme3")


@pytest.fixture
def world(database: DatabaseAddress) -> Iterator[World]:
    migrate(database.conninfo())
    w = make_world(database.eventsourcing_env())
    sign_up(w, "officer", "福建省科学技术厅", "government", "福建省福州市", ("programme_officer",))
    sign_up(w, "fafu", "福建农林大学", "university", "福建省福州市")
    for n, key in enumerate(ENTERPRISES):
        sign_up(w, key, f"福州云智科技{n}号有限公司", "enterprise", "福建省福州市")
        w.app.accounts.verify_organisation_flags(ac.VerifyOrganisationFlags(organisation_id=w[f"{key}_org"],
                                                                            flags=["tech_sme"]), actor_id=w["officer"])
    yield w
    w.app.close()


def issue(world: World, pid: UUID, key: str, face: int, batch: str) -> list[UUID]:
    ids, _ = world.app.vouchers.issue_vouchers(pc.IssueVouchers(
        programme_id=pid, organisation_ids=[world[f"{key}_org"]], face_value=face,
        valid_until=world.clock.now().date().replace(month=12, day=31), batch_key=batch), actor_id=world["officer"])
    return ids


def payments_due(world: World, buyer: str) -> list[UUID]:
    """``PAYMENTS`` signed sales of the university's patents to ``buyer``, their upfront payments due."""
    due = []
    for n in range(PAYMENTS):
        patent = world.register_patent(["fafu"], number=f"20211075{n:04d}")
        listing = world.list_patent("fafu", patent, asking_price=PRICE)
        contract = accept(world, offer(world, buyer=buyer, price=PRICE, listing_id=listing), by="fafu")
        past_notice(world)
        sign_all(world, contract, "fafu", buyer)
        due.append(obligation_id(contract, "upfront"))
    return due


def test_one_voucher_spent_on_several_payments_at_once_is_spent_once(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=1_000_000 * YUAN)
    (voucher,) = issue(world, pid, "sme0", 60_000 * YUAN, "2025-A")
    due = payments_due(world, "sme0")
    outcomes = race(world, *[
        (lambda o=oid: world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=o, voucher_id=voucher),
                                                        actor_id=world["sme0"]))
        for oid in due])
    spent = [o for o in outcomes if isinstance(o, tuple)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(spent) == 1, outcomes
    assert all(isinstance(e, ConflictError) for e in refused), refused
    after = world.get(voucher)
    assert isinstance(after, Voucher)
    assert list(after.redemptions) == [oid for oid in due if world.get(oid).voucher_id == voucher]
    assert after.remaining == 60_000 * YUAN - spent[0][0] == 0
    assert [world.get(oid).voucher_amount for oid in due].count(0) == PAYMENTS - 1


def test_two_vouchers_on_one_payment_at_once_one_applies(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=1_000_000 * YUAN)
    first = issue(world, pid, "sme1", 30_000 * YUAN, "2025-A")[0]
    second = issue(world, pid, "sme1", 30_000 * YUAN, "2025-B")[0]
    oid = payments_due(world, "sme1")[0]
    outcomes = race(world, *[
        (lambda v=v: world.app.vouchers.apply_voucher(pc.ApplyVoucher(obligation_id=oid, voucher_id=v),
                                                      actor_id=world["sme1"]))
        for v in (first, second)])
    assert sorted(type(o).__name__ for o in outcomes) == sorted(["ConcurrentModificationError", "tuple"]), outcomes
    spent = [v for v in (first, second) if world.get(v).redemptions]
    assert len(spent) == 1
    assert world.get(oid).voucher_id == spent[0]


def test_concurrent_issues_never_overspend_the_budget_nor_pass_the_annual_cap(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=250_000 * YUAN)
    outcomes = race(world, *[(lambda k=key: issue(world, pid, k, 100_000 * YUAN, "2025-bulk"))
                             for key in ENTERPRISES])
    issued = [o for o in outcomes if isinstance(o, list)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(issued) == 2, outcomes
    assert all(isinstance(e, ConflictError) and e.code in ("voucher.budget", "voucher.busy") for e in refused)
    budget = world.get(pid)
    assert isinstance(budget, Programme)
    assert budget.remaining == 50_000 * YUAN
    assert sum(budget.voucher_committed.values()) == 200_000 * YUAN

    capped = programme(world, "innovation_voucher", voucher_rules(), budget=1_000_000 * YUAN)
    outcomes = race(world, *[(lambda b=batch: issue(world, capped, "sme3", 80_000 * YUAN, b))
                             for batch in ("Q1", "Q2", "Q3")])
    assert len([o for o in outcomes if isinstance(o, list)]) == 2, outcomes  # ¥200,000 a year: 160,000 fits
    assert world.get(capped).remaining == 840_000 * YUAN


def second_officer(world: World) -> str:
    """A colleague of the officer in the same department, also a programme officer."""
    colleague, _ = world.app.accounts.add_member(ac.AddMember(
        email="officer2@example.test", password=PASSWORD, display_name="officer2"),
        actor_id=world["officer"])
    world.app.accounts.grant_role(ac.GrantRole(user_id=colleague, role="programme_officer"), actor_id=world["admin"])
    world.ids["officer2"] = colleague
    return "officer2"


def applied(world: World, pid: UUID, key: str, amount: int, token: str) -> UUID:
    found, _ = world.app.vouchers.apply_for_voucher(pc.ApplyForVoucher(
        programme_id=pid, amount=amount, services=["technology_transfer"], token=token), actor_id=world[key])
    return found


def issue_application(world: World, application: UUID, officer: str) -> UUID:
    found, _ = world.app.vouchers.issue_on_application(pc.IssueOnApplication(
        application_id=application, valid_until=world.clock.now().date().replace(month=12, day=31)),
        actor_id=world[officer])
    return found


def test_two_officers_issuing_one_application_at_once_issue_one_voucher(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=1_000_000 * YUAN)
    application = applied(world, pid, "sme0", 80_000 * YUAN, "form-1")
    colleague = second_officer(world)
    outcomes = race(world, *[(lambda o=o: issue_application(world, application, o)) for o in ("officer", colleague)])
    # Both answer with the one voucher: the officer who lost the race reads the application issued.
    assert all(isinstance(o, UUID) for o in outcomes), outcomes
    assert outcomes[0] == outcomes[1]
    issued = world.get(application)
    assert issued.status == "issued"
    assert issued.voucher_id == outcomes[0]
    budget = world.get(pid)
    assert isinstance(budget, Programme)
    assert budget.voucher_committed == {outcomes[0]: 80_000 * YUAN}
    assert budget.remaining == 920_000 * YUAN
    history = [e.topic.rsplit(".", 1)[-1] for e in world.app.recorder.select_events(application)]
    assert history == ["Applied", "Issued"]


def test_applications_issued_at_once_never_pass_the_annual_cap_nor_the_budget(world: World) -> None:
    pid = programme(world, "innovation_voucher", voucher_rules(), budget=1_000_000 * YUAN)
    colleague = second_officer(world)
    # ¥200,000 a year per enterprise: two applications of ¥120,000 from one enterprise, one fits.
    first, second = (applied(world, pid, "sme1", 120_000 * YUAN, f"form-{n}") for n in (1, 2))
    outcomes = race(world, lambda: issue_application(world, first, "officer"),
                    lambda: issue_application(world, second, colleague))
    issued = [o for o in outcomes if isinstance(o, UUID)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(issued) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ConflictError), refused
    assert refused[0].code == "voucher.annual_cap", refused
    statuses = sorted(world.get(a).status for a in (first, second))
    assert statuses == ["applied", "issued"]  # the refused one waits for the officer, nothing half-saved
    assert world.get(pid).remaining == 880_000 * YUAN

    # A budget of ¥150,000 left: three enterprises' applications of ¥100,000 issued at once, one fits.
    small = programme(world, "innovation_voucher", voucher_rules(), budget=150_000 * YUAN)
    applications = [applied(world, small, key, 100_000 * YUAN, "form-small") for key in ("sme0", "sme2", "sme3")]
    outcomes = race(world, *[(lambda a=a: issue_application(world, a, "officer")) for a in applications])
    assert len([o for o in outcomes if isinstance(o, UUID)]) == 1, outcomes
    assert all(isinstance(o, UUID) or (isinstance(o, ConflictError) and o.code in ("voucher.budget", "voucher.busy"))
               for o in outcomes), outcomes
    after = world.get(small)
    assert after.remaining == 50_000 * YUAN
    assert sum(after.voucher_committed.values()) == 100_000 * YUAN
    assert sorted(world.get(a).status for a in applications) == ["applied", "applied", "issued"]


def settle(world: World, voucher: UUID, oid: UUID, officer: str, reference: str) -> int:
    return world.app.vouchers.settle_redemption(pc.SettleRedemption(
        voucher_id=voucher, obligation_id=oid, bank_reference=reference), actor_id=world[officer])


def test_bonuses_settled_at_once_never_pass_the_budget_nor_the_providers_yearly_cap(world: World) -> None:
    """Xiamen's bonus (20 % of the redeemed value): two officers settle two providers' redemptions at once; the
    programme's version serialises them, and the one evaluated again pays only what the budget (then the
    yearly cap) still holds."""
    colleague = second_officer(world)
    rules = voucher_rules(provider_bonus_bp=2000, provider_bonus_cap_per_year=400_000 * YUAN)
    # The budget: both vouchers' face values and ¥15,000 more; the bonuses by the rate would be 2 × ¥20,000.
    pid = programme(world, "innovation_voucher", rules, budget=200_000 * YUAN + 15_000 * YUAN)
    first, second = (issue(world, pid, key, 100_000 * YUAN, "2025-A")[0] for key in ("sme0", "sme1"))
    owed = [paid_with_voucher(world, first, 1, buyer="sme0", part=100_000 * YUAN),
            paid_with_voucher(world, second, 2, buyer="sme1", part=100_000 * YUAN)]
    outcomes = race(world, lambda: settle(world, first, owed[0], "officer", "GK-A"),
                    lambda: settle(world, second, owed[1], colleague, "GK-B"))
    assert all(isinstance(o, int) for o in outcomes), outcomes  # both settled: the loser was evaluated again
    budget = world.get(pid)
    assert isinstance(budget, Programme)
    paid = sorted(b["amount"] for b in budget.provider_bonuses.values())
    assert paid == [0, 15_000 * YUAN], paid  # the first paid what the budget held; nothing was left
    assert budget.remaining == 0
    assert budget.disbursed == 215_000 * YUAN  # never more than the budget

    # The yearly cap: ¥25,000 a provider; two redemptions of ¥100,000 (¥20,000 each by the rate) at once.
    capped = programme(world, "innovation_voucher",
                       voucher_rules(provider_bonus_bp=2000, provider_bonus_cap_per_year=25_000 * YUAN),
                       budget=1_000_000 * YUAN)
    third, fourth = (issue(world, capped, key, 100_000 * YUAN, "2025-B")[0] for key in ("sme2", "sme3"))
    owed = [paid_with_voucher(world, third, 3, buyer="sme2", part=100_000 * YUAN),
            paid_with_voucher(world, fourth, 4, buyer="sme3", part=100_000 * YUAN)]
    outcomes = race(world, lambda: settle(world, third, owed[0], "officer", "GK-C"),
                    lambda: settle(world, fourth, owed[1], colleague, "GK-D"))
    assert all(isinstance(o, int) for o in outcomes), outcomes
    after = world.get(capped)
    assert sorted(b["amount"] for b in after.provider_bonuses.values()) == [5_000 * YUAN, 20_000 * YUAN]
    assert after.bonus_paid_to(world["fafu_org"], world.clock.now().year) == 25_000 * YUAN
