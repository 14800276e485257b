"""A year of demo deals, so that the technology-market statistics and their charts show something (issue 14).

Over the calendar year before the demo's first start, verified enterprises take licences (non-exclusive, sole
and exclusive) of published fixed-price listings of invention patents across the technical fields, at the
listed price (so no public notice), sign the contracts, pay them by bank transfer, and the sellers register
them (技术合同认定登记) with a registry number. The commands run at the dates they happened: the application's
clock is set back for each deal and restored after, so contracts come into force in their month. Licences
only: the demo's one completed assignment stays the only listing sold. Last year, not the last twelve months:
the demo's programmes run this calendar year, and payments in their period would each raise claims once the
deadline worker follows the log (dozens of claims awaiting the demo's organisations); last year's raise none.

Then the demo packages (科技成果包): the transfer agency's, published a month ago and again today with its
changes (two editions) and followed by an enterprise; and the department's, scheduled for two weeks from today.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract
from domain.deals.payment import obligation_id
from domain.shared.errors import DomainError
from marketplace.deals import commands as d
from marketplace.demo.deals import DemoListing
from marketplace.demo.market import completed
from marketplace.market import commands as mc
from marketplace.market import package_commands as pk
from marketplace.market.packages import BEIJING
from marketplace.platform.application import Marketplace
from marketplace.platform.clock import Clock, ManualClock

#: Deals per month, January first (28 in all; each deal is nine commands, so more would slow the first start).
PER_MONTH = (2, 2, 3, 2, 2, 3, 2, 2, 3, 2, 2, 3)
LICENCES = ("non_exclusive_licence", "sole_licence", "exclusive_licence")
#: How many of the demo's listings are looked at for the deals (each costs two loads).
SCANNED = 150
#: Negotiated upfront fees (fen) offered on negotiable listings, in turn.
NEGOTIATED = (180_000_00, 450_000_00, 800_000_00, 1_200_000_00)
#: Days a deal needs before today for a public notice (15 days) to end.
NOTICE_ROOM = 17
#: Registry numbers of these deals: ``<year>350100`` then a serial from here (the programmes' demo uses 1...).
FIRST_SERIAL = 500_001


@contextmanager
def clock_at(app: Marketplace, instant: datetime) -> Iterator[ManualClock]:
    """Run commands as at ``instant`` (the application's clock set back), restoring the clock after."""
    real: Clock = app.clock
    app.clock = ManualClock(instant)
    try:
        yield app.clock
    finally:
        app.clock = real


class Candidate(NamedTuple):
    """A listing a demo deal may be made on: by offer (licence kinds offered, the price mode) or open licence."""

    item: DemoListing
    kinds: tuple[str, ...]
    mode: str  # fixed | negotiable | open_licence


def _candidates(app: Marketplace, pool: list[DemoListing], admin_of: dict[UUID, UUID]) -> list[Candidate]:
    """Published listings of single-owner patents that license: offers on fixed-price and negotiable listings
    offering a licence (invention patents: a two-year licence within their term), and open licences; each group
    interleaved by IPC section so that the months spread over the fields. Negotiable ones first (their
    public notice of 15 days must end before today)."""
    groups: dict[str, dict[str, list[Candidate]]] = {"negotiable": {}, "fixed": {}, "open_licence": {}}
    for item in pool[:SCANNED]:  # enough for a year's deals; loading every listing would slow the first start
        listing: Listing = app.repository.get(item.listing_id)
        patent: Patent = app.repository.get(item.patent_id)
        mode = str(listing.terms["price_mode"])
        if listing.status != "published" or mode not in groups:
            continue
        # Co-owners consent to an exclusive or sole licence (专利法 art. 14): each must be a demo organisation.
        if any(UUID(str(o["organisation_id"])) not in admin_of for o in patent.owners if o["organisation_id"]) \
                or any(o["organisation_id"] is None for o in patent.owners):
            continue
        if patent.sale_reservation is not None:  # being sold in another part of the demo: nothing else agreed on it
            continue
        kinds = tuple(k for k in LICENCES if k in listing.terms["deal_types"])
        if mode == "open_licence":
            if int((listing.terms.get("open_licence") or {}).get("fee") or 0) <= 0:
                continue
        elif not kinds or patent.patent_type != "invention":
            continue
        section = str(patent.ipc_codes[0])[:1] if patent.ipc_codes else "-"
        groups[mode].setdefault(section, []).append(Candidate(item, kinds, mode))
    spread: list[Candidate] = []
    for by_section in groups.values():
        queues = [by_section[s] for s in sorted(by_section)]
        while any(queues):
            for queue in queues:
                if queue:
                    spread.append(queue.pop(0))
    return spread


def _pay_and_register(app: Marketplace, contract_id: UUID, *, seller: UUID, buyer: UUID, admin: UUID,
                      serial: int) -> UUID:
    """Paid by bank transfer (the contract comes into force) and registered with a registry number."""
    contract: Contract = app.repository.get(contract_id)
    today = app.clock.now().astimezone(BEIJING).date()
    app.payments.start_payment(d.StartPayment(contract_id=contract_id, gateway="manual"), actor_id=buyer)
    app.payments.record_manual_receipt(d.RecordManualReceipt(
        obligation_id=obligation_id(contract_id, "upfront"), amount=int(contract.terms["price"]),
        bank_reference=f"DEMO-{today:%Y%m}-{serial}"), actor_id=admin)
    record = app.tech_registrations.prefill(contract_id, actor_id=seller)
    app.tech_registrations.prepare_registration(completed(contract_id, record), actor_id=seller)
    app.tech_registrations.record_registration_number(mc.RecordRegistrationNumber(
        contract_id=contract_id, number=f"{today.year:04d}350100{serial:06d}"), actor_id=seller)
    return contract_id


def _deal(app: Marketplace, c: Candidate, kind: str, buyer: UUID, admin: UUID, serial: int,
          admin_of: dict[UUID, UUID]) -> UUID | None:
    """One licence, at the clock's time: an open licence taken up, or an offer at the listed price (a negotiated
    one for a negotiable listing, signed once its public notice ends), signed, paid and registered."""
    item = c.item
    if c.mode == "open_licence":
        try:
            taken = app.contracts.take_up_open_licence(d.TakeOpenLicence(listing_id=item.listing_id), actor_id=buyer)
        except DomainError:
            return None  # this enterprise may not take it (an owner of the patent)
        if not taken.created:
            return None  # it holds this open licence already
        return _pay_and_register(app, taken.contract_id, seller=item.seller, buyer=buyer, admin=admin, serial=serial)
    listing: Listing = app.repository.get(item.listing_id)
    today = app.clock.now().astimezone(BEIJING).date()
    price = int(listing.terms["asking_price"]) if c.mode == "fixed" else NEGOTIATED[serial % len(NEGOTIATED)]
    scope = d.ScopeInput(start=today, end=today + timedelta(days=2 * 365), territory="中国大陆")
    try:
        offer, _ = app.offers.make_offer(d.MakeOffer(listing_id=item.listing_id, kind=kind, price=price, scope=scope,
                                                     note="技术许可"), actor_id=buyer)
    except DomainError:
        return None  # this enterprise may not license this patent (an owner; reserved by a sale): the next one
    contract_id, _ = app.offers.accept_offer(d.AcceptOffer(offer_id=offer), actor_id=item.seller)
    contract: Contract = app.repository.get(contract_id)
    for co_owner in contract.consents_required:  # the other owners of the patent consent first
        app.contracts.consent_as_co_owner(d.ConsentAsCoOwner(contract_id=contract_id), actor_id=admin_of[co_owner])
    if contract.notice_ends_at:  # a negotiated price of an institution: signed after its public notice (公示)
        clock = app.clock
        assert isinstance(clock, ManualClock)
        clock.set(datetime.fromisoformat(contract.notice_ends_at) + timedelta(hours=1))
    for signer in (item.seller, buyer):
        app.contracts.sign_contract(d.SignContract(contract_id=contract_id, text_sha256=contract.text_sha256),
                                    actor_id=signer)
    return _pay_and_register(app, contract_id, seller=item.seller, buyer=buyer, admin=admin, serial=serial)


def kind_of(candidate: Candidate, used: dict[str, int]) -> str:
    """Of the licence kinds the listing offers, the one the demo's offers have used least so far (the most
    exclusive first among equals)."""
    return min(candidate.kinds or ("non_exclusive_licence",), key=lambda k: (used.get(k, 0), -LICENCES.index(k)))


def seed_year_of_deals(app: Marketplace, pool: list[DemoListing], *, admin: UUID, buyers: list[UUID],
                       admin_of: dict[UUID, UUID], year: int) -> list[UUID]:
    """About three licences a month over last calendar year (Beijing; fewer with a small catalogue); returns the
    contracts, all in force and registered. An open licence is taken by one enterprise after another."""
    candidates = _candidates(app, pool, admin_of)
    end = datetime(year + 1, 1, 1, tzinfo=BEIJING)
    contracts: list[UUID] = []
    serial = FIRST_SERIAL
    turn = 0
    used: dict[str, int] = {}
    for month, count in enumerate(PER_MONTH, start=1):
        first_day = datetime(year, month, 1, 10, 0, tzinfo=BEIJING)
        for n in range(count):
            instant = first_day + timedelta(days=3 + 8 * n, hours=n)
            late = instant + timedelta(days=NOTICE_ROOM) >= end  # no room for a public notice to end this year
            usable = [c for c in candidates if not (late and c.mode == "negotiable")]
            if not usable:
                return contracts
            # The licence kind used least so far, on the first listing (in the fields' spread) that offers it.
            wanted = min(LICENCES, key=lambda k: (used.get(k, 0), -LICENCES.index(k)))
            candidate = next((c for c in usable if c.mode != "open_licence" and wanted in c.kinds), usable[0])
            candidates.remove(candidate)
            made: UUID | None = None
            with clock_at(app, instant):
                for attempt in range(len(buyers)):
                    buyer = buyers[(turn + attempt) % len(buyers)]
                    made = _deal(app, candidate, kind_of(candidate, used), buyer, admin, serial, admin_of)
                    if made is not None:
                        contracts.append(made)
                        serial += 1
                        break
            if candidate.mode == "open_licence" and made is not None:
                candidates.append(candidate)  # another enterprise may take it up later
            elif made is not None:
                kind: str = app.repository.get(made).kind
                used[kind] = used.get(kind, 0) + 1
            turn += 1
    return contracts


def seed_demo_packages(app: Marketplace, pool: list[DemoListing], *, curator: UUID, officer: UUID,
                       follower: UUID, today: date) -> list[UUID]:
    """The transfer agency's package (two editions: a month ago and today, followed by an enterprise since the
    first) and the department's (scheduled two weeks from today). Returns both."""
    published = [item.listing_id for item in pool
                 if app.repository.get(item.listing_id).status == "published"]
    if len(published) < 10:
        return []
    now = app.clock.now()
    first, second = published[:5], [*published[1:5], *published[5:7]]
    with clock_at(app, now - timedelta(days=30)):
        package, _ = app.packages.draft_package(pk.DraftPackage(
            title_zh="海峡技术转移中心·新材料与新能源成果包 第一期",
            title_en="Strait Technology Transfer Centre: new materials and energy, issue 1",
            description_zh="遴选省内高校院所可许可、可转让的新材料与新能源专利成果，供企业对接。",
            description_en="Patents of Fujian's universities and institutes in new materials and energy, ready to "
                           "license or buy.",
            industry="新材料与新能源", listing_ids=first), actor_id=curator)
        month_ago = app.clock.now().astimezone(BEIJING).date()
        app.packages.schedule_package(pk.SchedulePackage(package_id=package, publish_on=month_ago), actor_id=curator)
        app.packages.publish_due_package(pk.PublishDuePackage(package_id=package))
        app.packages.follow_package(pk.FollowPackage(package_id=package), actor_id=follower)
    app.packages.revise_package(pk.RevisePackage(
        package_id=package, title_zh="海峡技术转移中心·新材料与新能源成果包 第二期",
        title_en="Strait Technology Transfer Centre: new materials and energy, issue 2",
        description_zh="第二期：新增两项成果，移出一项已达成意向的成果。",
        description_en="Issue 2: two listings added, one dropped after an agreement in principle.",
        industry="新材料与新能源", listing_ids=second), actor_id=curator)
    # Published on the clock's own day (a seeding that ran past midnight in Beijing may not publish on the day before).
    app.packages.schedule_package(pk.SchedulePackage(package_id=package, publish_on=max(
        today, app.clock.now().astimezone(BEIJING).date())), actor_id=curator)
    app.packages.publish_due_package(pk.PublishDuePackage(package_id=package))
    scheduled, _ = app.packages.draft_package(pk.DraftPackage(
        title_zh="福建省科技厅·2027 年智能制造成果包", title_en="Fujian science department: smart manufacturing 2027",
        description_zh="面向省内制造企业发布的智能制造领域科技成果。",
        description_en="Results in smart manufacturing for Fujian's manufacturers.",
        industry="智能制造", listing_ids=published[7:10]), actor_id=officer)
    app.packages.schedule_package(pk.SchedulePackage(package_id=scheduled, publish_on=today + timedelta(days=14)),
                                  actor_id=officer)
    return [package, scheduled]
