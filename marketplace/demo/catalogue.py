"""Demo data: a plausible Fujian technology-transfer marketplace, seeded through the real commands.

``seed_demo`` fills an *empty* marketplace with organisations (universities, research institutes,
enterprises, a valuation agency, a transfer agency and government bodies), their accounts, and
patents with one listing each. Everything goes through ``Marketplace`` commands, so the demo
data obeys the same rules as real input (valid CN application numbers with check characters,
IPC codes of the 2020 scheme, co-owner shares summing to 100 %, verified organisations only
publishing, and so on).

Content is deterministic for a given ``seed`` (``random.Random(seed)``); passwords are not:
each run draws strong random passwords with ``secrets`` and returns them in the report, for
the caller to print once. The literal data lives in ``marketplace/demo/data/`` (see ``vocabulary``);
``generator`` draws the patents and listings, ``deals`` the deals and valuations.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import msgspec

from domain.programmes.rules import BEIJING
from domain.shared.errors import ConflictError
from domain.shared.ids import organisation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.catalogue.commands import ConfirmCoOwnership
from marketplace.demo.auctions import seed_demo_auctions
from marketplace.demo.brokers import seed_demo_brokers
from marketplace.demo.conversions import PATENTS as CONVERSION_PATENTS
from marketplace.demo.conversions import seed_demo_conversions
from marketplace.demo.deals import DemoListing, seed_demo_deals
from marketplace.demo.demands import seed_demo_demands
from marketplace.demo.generator import AS_OF, PatentGenerator, status_plan
from marketplace.demo.programmes import seed_demo_claim_states, seed_demo_programmes, seed_demo_vouchers
from marketplace.demo.vocabulary import (
    AGENCIES,
    ENTERPRISES,
    INSTITUTES,
    MEMBERS,
    PLATFORM_ADMIN,
    PLATFORM_ORGANISATION,
    UNIVERSITIES,
    WITHDRAW_REASONS,
)
from marketplace.demo.year_of_deals import seed_demo_packages, seed_year_of_deals
from marketplace.platform.application import Marketplace

# --- the report -------------------------------------------------------------------------------


class DemoAccount(msgspec.Struct, frozen=True):
    """One demo login: the caller prints these (the passwords exist nowhere else)."""

    email: str
    password: str
    display_name: str
    organisation: str
    roles: list[str]


class DemoReport(msgspec.Struct, frozen=True):
    """What ``seed_demo`` created; ``published`` counts listings that end up published; ``today``: the Beijing date
    the demo's dates are counted from (read once, so a seeding that runs past midnight in Beijing stays whole)."""

    accounts: list[DemoAccount]
    organisations: int
    patents: int
    listings: int
    published: int
    today: date


# --- seeding ----------------------------------------------------------------------------------


def is_empty(app: Marketplace) -> bool:
    """Whether no event has been recorded yet (demo data goes only into an empty marketplace)."""
    return not app.recorder.max_notification_id()


def _register(app: Marketplace, patent: cc.RegisterPatent, *, lister: str, admins: dict[str, UUID]) -> UUID:
    """The lister's admin registers the patent; each named co-owner's admin confirms it (as on its /my page)."""
    patent_id, _ = app.catalogue.register_patent(patent, actor_id=admins[lister])
    admin_of = {organisation_id(name): user for name, user in admins.items()}
    for share in patent.owners:
        if share.organisation_id != organisation_id(lister):
            app.registrations.confirm_co_ownership(
                ConfirmCoOwnership(patent_id=patent_id), actor_id=admin_of[share.organisation_id])
    return patent_id


def _password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def _add_members(app: Marketplace, admins: dict[str, UUID], admin_id: UUID,
                 accounts: list[DemoAccount]) -> dict[str, UUID]:
    """Each organisation adds a plain member; platform-wide roles come from the platform admin
    (``valuer`` with the accreditation in ``seed_demo_deals``)."""
    members: dict[str, UUID] = {}
    for member in MEMBERS:
        password = _password()
        member_id, _ = app.accounts.add_member(ac.AddMember(email=member.email, password=password,
                                                            display_name=member.display_name, roles=["member"]),
                                      actor_id=admins[member.organisation])
        members[member.email] = member_id
        if member.role != "valuer":
            app.accounts.grant_role(ac.GrantRole(user_id=member_id, role=member.role), actor_id=admin_id)
        accounts.append(DemoAccount(member.email, password, member.display_name, member.organisation,
                                    ["member", member.role]))
    return members


def seed_demo(  # noqa: PLR0915 - one step after another, each a call
    app: Marketplace,
    *,
    listings: int = 300,
    seed: int = 48,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Fill an empty marketplace with demo organisations, accounts, patents and listings.

    Raises ``ConflictError`` (recording nothing) when the marketplace already holds events.
    ``progress(done, listings)`` is called after each patent and its listing are saved.
    """
    if listings < 0:
        raise ValueError("listings must not be negative")
    if not is_empty(app):
        raise ConflictError("demo data goes only into an empty marketplace; this one already has records")
    today = app.clock.now().astimezone(BEIJING).date()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo content; passwords come from ``secrets``
    accounts: list[DemoAccount] = []
    org_ids: dict[str, UUID] = {}
    admins: dict[str, UUID] = {}

    password = _password()
    admin_id = app.accounts.bootstrap_platform_admin(email=PLATFORM_ADMIN.email, password=password,
                                                     display_name=PLATFORM_ADMIN.display_name,
                                                     organisation_name=PLATFORM_ORGANISATION)
    admins[PLATFORM_ORGANISATION] = admin_id
    accounts.append(DemoAccount(PLATFORM_ADMIN.email, password, PLATFORM_ADMIN.display_name, PLATFORM_ORGANISATION,
                                ["member", "platform_admin"]))
    organisations = (*UNIVERSITIES, *INSTITUTES, *ENTERPRISES, *AGENCIES)
    for org in organisations:
        password = _password()
        user, _ = app.accounts.sign_up(ac.SignUp(email=org.email, password=password, display_name=org.display_name,
                                                 organisation_name=org.name, organisation_kind=org.kind,
                                                 region=org.region))
        admins[org.name] = user
        accounts.append(DemoAccount(org.email, password, org.display_name, org.name, ["member", "org_admin"]))
    for org in organisations:
        org_ids[org.name] = organisation_id(org.name)
        if org.verified:
            app.accounts.verify_organisation(
                ac.VerifyOrganisation(organisation_id=org_ids[org.name]), actor_id=admin_id)
    members = _add_members(app, admins, admin_id, accounts)
    generator = PatentGenerator(rng, org_ids)
    drawn = [generator.patent() for _ in range(listings)]
    statuses = status_plan(rng, [p.legal_status == "granted" for p, _, _ in drawn])
    published = 0
    on_offer: list[DemoListing] = []
    for done, ((patent, lister, field), status) in enumerate(zip(drawn, statuses, strict=True), 1):
        actor = admins[lister.name]
        patent_id = _register(app, patent, lister=lister.name, admins=admins)
        listing_id, _ = app.catalogue.draft_listing(generator.listing(patent_id, patent, field), actor_id=actor)
        if status != "draft":
            app.catalogue.publish_listing(cc.PublishListing(listing_id=listing_id), actor_id=actor)
        if status == "withdrawn":
            app.catalogue.withdraw_listing(
                cc.WithdrawListing(listing_id=listing_id, reason=rng.choice(WITHDRAW_REASONS)),
                actor_id=actor)
        elif status == "suspended":
            assert patent.grant_date is not None
            lapsed = min(AS_OF, patent.grant_date + timedelta(days=rng.randint(365, 1500)))
            app.catalogue.change_legal_status(cc.ChangeLegalStatus(patent_id=patent_id, legal_status="lapsed",
                                                                   effective_date=lapsed,
                                                                   reason="未缴年费，专利权终止"),
                                    actor_id=admin_id)
        elif status == "published":
            published += 1
            on_offer.append(DemoListing(listing_id, patent_id, actor))
        if progress is not None:
            progress(done, listings)
    if on_offer:
        buyers = [admins[org.name] for org in ENTERPRISES if org.verified]
        seed_demo_deals(app, on_offer, admin=admin_id, buyers=buyers, valuer=members[MEMBERS[0].email], today=today)
        officer = next(members[m.email] for m in MEMBERS if m.role == "programme_officer")
        _seed_programmes(app, officer=officer, admin=admin_id, today=today,
                         admin_of={org_ids[name]: user for name, user in admins.items() if name in org_ids},
                         listings=on_offer)
        _seed_conversions_and_brokers(app, officer=officer, admin=admin_id, admins=admins, org_ids=org_ids, today=today,
                                      listings=on_offer, buyers=buyers)
        _seed_market(app, on_offer, admin=admin_id, buyers=buyers, officer=officer, admins=admins, today=today,
                     admin_of={org_ids[name]: user for name, user in admins.items() if name in org_ids})
        seed_demo_demands(app, enterprises=buyers, admin=admin_id, today=today,
                          institutions=[admins[o.name] for o in (*UNIVERSITIES, *INSTITUTES) if o.verified])
        seed_demo_auctions(app, on_offer, admin=admin_id, bidders=(buyers[0], buyers[1], buyers[2]), today=today,
                           agency=next(admins[o.name] for o in AGENCIES if o.kind == "transfer_agency" and o.verified))
        published = sum(1 for item in on_offer if app.repository.get(item.listing_id).status == "published")
    return DemoReport(accounts=accounts, organisations=len(organisations) + 1,
                      patents=listings + (len(CONVERSION_PATENTS) if on_offer else 0), listings=listings,
                      published=published, today=today)


def _seed_conversions_and_brokers(app: Marketplace, *, officer: UUID, admin: UUID, admins: dict[str, UUID],
                                  org_ids: dict[str, UUID], listings: list[DemoListing], buyers: list[UUID],
                                  today: date) -> None:
    """Funded patents due for conversion, and the transfer agency's broker with its mandates and introductions."""
    seed_demo_conversions(app, officer=officer, today=today,
                          owner=next((admins[o.name], org_ids[o.name]) for o in UNIVERSITIES if o.verified))
    seed_demo_brokers(app, admin=admin, listings=listings, buyers=buyers, today=today,
                      broker=next(admins[o.name] for o in AGENCIES if o.kind == "transfer_agency"))


def _seed_market(app: Marketplace, listings: list[DemoListing], *, admin: UUID, buyers: list[UUID], officer: UUID,
                 admins: dict[str, UUID], admin_of: dict[UUID, UUID], today: date) -> None:
    """A year of licences for the statistics' charts, then the packages (科技成果包) of the transfer agency."""
    seed_year_of_deals(app, listings, admin=admin, buyers=buyers, admin_of=admin_of, year=today.year - 1)
    agency = next(admins[o.name] for o in AGENCIES if o.kind == "transfer_agency" and o.verified)
    seed_demo_packages(app, listings, curator=agency, officer=officer, follower=buyers[0], today=today)


def _seed_programmes(app: Marketplace, *, officer: UUID, admin: UUID, admin_of: dict[UUID, UUID],
                     listings: list[DemoListing], today: date) -> None:
    """The department's programmes: subsidies and rewards with claims in every state, and innovation vouchers."""
    seed_demo_programmes(app, officer=officer, today=today, admin_of=admin_of)
    seed_demo_vouchers(app, officer=officer, admin=admin, today=today, admin_of=admin_of, listings=listings)
    seed_demo_claim_states(app, officer=officer, admin=admin, today=today, admin_of=admin_of, listings=listings)
