"""Who may hold a patent's registration (issue 9), on the in-memory recorder: a verified registrant,
co-owners who confirm, withdrawal, re-registration of the same number, and claims by the true owner.
Every refusal records nothing."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from uuid import UUID

import msgspec
import pytest

from domain.catalogue.listing import Listing
from domain.catalogue.owners import Owner
from domain.catalogue.ownership_claim import OwnershipClaim
from domain.catalogue.patent import Patent
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.catalogue import commands as r
from marketplace.catalogue.importing.records import Applicant, ImportedPatent
from marketplace.catalogue.importing.service import build_patent
from tests.unit.deal_helpers import PASSWORD, World, accept, cn, head, make_world, offer, pay_by_webhook, sign_all

NUMBER = "202110654321"


@pytest.fixture
def world() -> World:
    """make_world's market (a university's published listing; verified firm and rival) plus an institute."""
    w = make_world()
    w.sign_up("inst", "中国科学院福建物质结构研究所", "research_institute")
    return w


def register(world: World, by: str, owners: dict[str, float], number: str = NUMBER) -> UUID:
    patent_id, _ = world.app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn(number), patent_type="invention", title_zh="一种固态电解质", filing_date=date(2021, 3, 2),
        legal_status="granted",
        owners=[cc.OwnerShare(organisation_id=world[f"{k}_org"], share=s) for k, s in owners.items()]),
        actor_id=world[by])
    return patent_id


def draft(world: World, by: str, patent_id: UUID) -> UUID:
    listing_id, _ = world.app.catalogue.draft_listing(cc.DraftListing(
        patent_id=patent_id, deal_types=["assignment"], price_mode="fixed", asking_price=5_000_000,
        maturity="pilot"), actor_id=world[by])
    return listing_id


def add_member(world: World, key: str, into: str) -> None:
    user, _ = world.app.accounts.add_member(
        ac.AddMember(email=f"{key}@example.test", password=PASSWORD, display_name=key),
        actor_id=world[into])
    world.ids[key] = user


def patent(world: World, patent_id: UUID) -> Patent:
    found: Patent = world.get(patent_id)
    return found


def refused(world: World, error: type[Exception], match: str, command: object, *args: object, **kwargs: object) -> None:
    """The command is refused with ``error`` and nothing is recorded."""
    before = head(world.app)
    with pytest.raises(error, match=match):
        command(*args, **kwargs)  # type: ignore[operator]
    assert head(world.app) == before


# --- 1. registration needs a verified organisation ------------------------------------------------
def test_an_unverified_organisation_cannot_register_any_number(world: World) -> None:
    world.sign_up("newcomer", "新创科技有限公司", "enterprise", verify=False)
    refused(world, PermissionDeniedError, "must be verified by the platform before it can register patents",
            register, world, "newcomer", {"newcomer": 100})
    assert not world.app.exists(Patent.register(
        jurisdiction="CN", application_number=cn(NUMBER), publication_number=None, patent_type="invention",
        title_zh="x", ipc_codes=[], ipc_scheme=None, owners=[Owner(world["newcomer_org"], "x", 10_000)]).id)


def test_a_platform_admin_registers_for_an_organisation_which_then_confirms(world: World) -> None:
    patent_id = register(world, "admin", {"uni": 100})
    assert patent(world, patent_id).unconfirmed_owner_ids == {world["uni_org"]}
    refused(world, ConflictError, "until its co-owners confirm", draft, world, "uni", patent_id)
    world.app.registrations.confirm_co_ownership(r.ConfirmCoOwnership(patent_id=patent_id), actor_id=world["uni"])
    assert patent(world, patent_id).is_confirmed
    draft(world, "uni", patent_id)


# --- 2. named co-owners confirm before the patent is listed or contracted ---------------------------
def test_a_co_owned_patent_cannot_be_listed_until_the_co_owner_confirms(world: World) -> None:
    patent_id = register(world, "uni", {"uni": 60, "inst": 40})
    assert patent(world, patent_id).unconfirmed_owner_ids == {world["inst_org"]}
    refused(world, ConflictError, "until its co-owners confirm the registration .awaiting 中国科学院福建物质结构研究所",
            draft, world, "uni", patent_id)
    world.app.registrations.confirm_co_ownership(r.ConfirmCoOwnership(patent_id=patent_id), actor_id=world["inst"])
    listing_id = draft(world, "uni", patent_id)
    world.app.catalogue.publish_listing(cc.PublishListing(listing_id=listing_id), actor_id=world["uni"])


def test_only_an_org_admin_of_a_verified_named_co_owner_confirms(world: World) -> None:
    patent_id = register(world, "uni", {"uni": 60, "inst": 40})
    confirm = world.app.registrations.confirm_co_ownership
    cmd = r.ConfirmCoOwnership(patent_id=patent_id)
    refused(world, PermissionDeniedError, "named as an owner", confirm, cmd, actor_id=world["rival"])
    add_member(world, "inst_clerk", "inst")
    refused(world, PermissionDeniedError, "org_admin", confirm, cmd, actor_id=world["inst_clerk"])
    refused(world, ConflictError, "no co-ownership of this patent to confirm", confirm, cmd, actor_id=world["uni"])
    confirm(cmd, actor_id=world["inst"])
    refused(world, ConflictError, "no co-ownership of this patent to confirm", confirm, cmd, actor_id=world["inst"])


def test_an_unverified_co_owner_cannot_answer_until_verified(world: World) -> None:
    world.sign_up("lab", "未审核实验室", "research_institute", verify=False)
    patent_id = register(world, "uni", {"uni": 50, "lab": 50})
    refused(world, PermissionDeniedError, "must be verified", world.app.registrations.confirm_co_ownership,
            r.ConfirmCoOwnership(patent_id=patent_id), actor_id=world["lab"])
    refused(world, PermissionDeniedError, "must be verified", world.app.registrations.decline_co_ownership,
            r.DeclineCoOwnership(patent_id=patent_id, reason="not ours"), actor_id=world["lab"])


def test_a_decline_withdraws_the_registration_and_the_registrant_registers_it_correctly(world: World) -> None:
    patent_id = register(world, "uni", {"uni": 60, "inst": 40})
    refused(world, ValidationError, "reason", world.app.registrations.decline_co_ownership,
            r.DeclineCoOwnership(patent_id=patent_id, reason="  "), actor_id=world["inst"])
    world.app.registrations.decline_co_ownership(r.DeclineCoOwnership(patent_id=patent_id, reason="我所不是共有人"),
                                                 actor_id=world["inst"])
    withdrawn = patent(world, patent_id)
    assert withdrawn.registration_withdrawn
    assert withdrawn.owners == []
    refused(world, PermissionDeniedError, "owner organisation", draft, world, "uni", patent_id)  # nobody owns it now
    again = register(world, "uni", {"uni": 100})
    assert again == patent_id  # the same record: the number's id is deterministic
    fresh = patent(world, patent_id)
    assert (fresh.registration_round, fresh.is_confirmed, fresh.registrant_organisation_id) == (
        2, True, world["uni_org"])
    assert [o["name"] for o in fresh.owners] == ["福州大学"]
    draft(world, "uni", patent_id)


def test_a_standing_registration_cannot_be_registered_again(world: World) -> None:
    register(world, "uni", {"uni": 100})
    refused(world, ConflictError, "already registered", register, world, "rival", {"rival": 100})


def test_an_unconfirmed_or_withdrawn_patent_cannot_be_contracted() -> None:
    """The one check deals make when they load the patent to draft a contract (accept, open licence)."""
    uni, inst = Owner(UUID(int=1), "福州大学", 6_000), Owner(UUID(int=2), "物构所", 4_000)
    patent_ = Patent.register(
        jurisdiction="CN", application_number=cn(NUMBER), publication_number=None, patent_type="invention",
        title_zh="x", ipc_codes=[], ipc_scheme=None, owners=[uni, inst], registrant_organisation_id=uni.organisation_id)
    with pytest.raises(ConflictError, match="cannot be contracted until its co-owners confirm"):
        patent_.require_confirmed("contracted")
    patent_.decline_co_ownership(UUID(int=2), reason="wrong", by=UUID(int=9))
    with pytest.raises(ConflictError, match="was withdrawn; it cannot be contracted"):
        patent_.require_confirmed("contracted")


# --- 3. withdrawal by the registrant ------------------------------------------------------------------
def test_the_registrant_withdraws_its_own_registration_and_its_listing_closes(world: World) -> None:
    patent_id, listing_id = world["patent"], world["listing"]
    cmd = r.WithdrawRegistration(patent_id=patent_id, reason="登记有误")
    refused(
        world, PermissionDeniedError, "only the organisation that registered",
        world.app.registrations.withdraw_registration,
        cmd, actor_id=world["rival"])
    add_member(world, "uni_clerk", "uni")
    refused(world, PermissionDeniedError, "org_admin", world.app.registrations.withdraw_registration, cmd,
            actor_id=world["uni_clerk"])
    world.app.registrations.withdraw_registration(cmd, actor_id=world["uni"])
    assert patent(world, patent_id).registration_withdrawn
    assert patent(world, patent_id).active_listing_id is None
    listing: Listing = world.get(listing_id)
    assert listing.status == "withdrawn"
    refused(
        world, ConflictError, "the registration of this patent was withdrawn",
        world.app.registrations.withdraw_registration,
        cmd, actor_id=world["uni"])  # the registrant withdrawing again is told it is withdrawn already
    refused(
        world, PermissionDeniedError, "only the organisation that registered",
        world.app.registrations.withdraw_registration,
        cmd, actor_id=world["rival"])  # a withdrawn registration has no owner any more


def test_nothing_contracted_may_rest_on_a_withdrawn_registration(world: World) -> None:
    offer(world)  # an offer under negotiation on the university's listing
    refused(world, ConflictError, "open offers or contracts", world.app.registrations.withdraw_registration,
            r.WithdrawRegistration(patent_id=world["patent"], reason="wrong"), actor_id=world["uni"])
    assert world.get(world["listing"]).status == "published"


# --- 4. claims by the true owner, decided by a platform admin ---------------------------------------
def test_an_upheld_claim_withdraws_the_registration_and_the_true_owner_registers_the_number(world: World) -> None:
    squatted = register(world, "rival", {"rival": 100})
    listing_id = draft(world, "rival", squatted)
    world.sign_up("newcomer", "新创科技有限公司", "enterprise", verify=False)
    evidence = "专利登记簿副本显示专利权人为福州大学"
    file = world.app.registrations.file_ownership_claim
    refused(world, PermissionDeniedError, "must be verified", file,
            r.FileOwnershipClaim(patent_id=squatted, evidence=evidence), actor_id=world["newcomer"])
    refused(world, ConflictError, "withdraw the registration instead", file,
            r.FileOwnershipClaim(patent_id=squatted, evidence=evidence), actor_id=world["rival"])
    refused(world, ValidationError, "evidence", file, r.FileOwnershipClaim(patent_id=squatted, evidence=" "),
            actor_id=world["uni"])
    claim_id, _ = file(r.FileOwnershipClaim(patent_id=squatted, evidence=evidence, reference="CN-REG-2026-001"),
                       actor_id=world["uni"])
    refused(world, ConflictError, "already filed a claim", file,
            r.FileOwnershipClaim(patent_id=squatted, evidence=evidence), actor_id=world["uni"])
    decide = world.app.registrations.decide_ownership_claim
    refused(world, PermissionDeniedError, "platform_admin", decide,
            r.DecideOwnershipClaim(claim_id=claim_id, upheld=True), actor_id=world["uni"])
    refused(world, ValidationError, "why the claim is dismissed", decide,
            r.DecideOwnershipClaim(claim_id=claim_id, upheld=False), actor_id=world["admin"])

    decide(r.DecideOwnershipClaim(claim_id=claim_id, upheld=True, reason="登记簿为证"), actor_id=world["admin"])

    claim: OwnershipClaim = world.get(claim_id)
    assert claim.status == "upheld"
    assert patent(world, squatted).registration_withdrawn
    assert world.get(listing_id).status == "withdrawn"
    refused(world, ConflictError, "already upheld", decide,
            r.DecideOwnershipClaim(claim_id=claim_id, upheld=False, reason="x"), actor_id=world["admin"])
    assert register(world, "uni", {"uni": 100}) == squatted
    assert patent(world, squatted).owners[0]["organisation_id"] == str(world["uni_org"])


def test_a_dismissed_claim_leaves_the_registration_standing(world: World) -> None:
    claim_id, _ = world.app.registrations.file_ownership_claim(
        r.FileOwnershipClaim(patent_id=world["patent"], evidence="我们才是权利人"), actor_id=world["rival"])
    world.app.registrations.decide_ownership_claim(
        r.DecideOwnershipClaim(claim_id=claim_id, upheld=False, reason="无证据"), actor_id=world["admin"])
    assert world.get(claim_id).status == "dismissed"
    assert patent(world, world["patent"]).is_confirmed


def test_a_claim_cannot_be_upheld_while_an_offer_rests_on_the_registration(world: World) -> None:
    offer(world)
    claim_id, _ = world.app.registrations.file_ownership_claim(
        r.FileOwnershipClaim(patent_id=world["patent"], evidence="登记簿为证"), actor_id=world["rival"])
    refused(world, ConflictError, "open offers or contracts", world.app.registrations.decide_ownership_claim,
            r.DecideOwnershipClaim(claim_id=claim_id, upheld=True), actor_id=world["admin"])
    assert world.get(claim_id).status == "filed"


# --- stores written before this change, and imports ---------------------------------------------------
def test_a_patent_registered_before_these_checks_counts_as_confirmed(world: World) -> None:
    """A snapshot taken before registrations were checked has no registration state."""
    old = patent(world, world["patent"])
    old.__dict__.pop("_registration")
    assert old.is_confirmed
    assert (old.registrant_organisation_id, old.registration_round, old.registration_withdrawn) == (None, 1, False)


def test_an_imported_patent_is_confirmed_for_all_its_owners() -> None:
    record = ImportedPatent(
        line=2, jurisdiction="CN", application_number=cn(NUMBER), publication_number=None, patent_type="invention",
        title_zh="导入的专利", title_en="", abstract_zh="", abstract_en="", ipc_codes=(), filing_date=None,
        publication_date=None, grant_date=None, legal_status="granted",
        applicants=(Applicant("福州大学", "university"), Applicant("厦门大学", "university")), inventors=("林",))
    imported, _ = build_patent(record, None)
    assert len(imported.owner_ids) == 2
    assert imported.is_confirmed


@pytest.mark.parametrize("hostile", ["证据\x00", "证据\u202e", "证据\u200b", "\x1b[31m证据"])
def test_hostile_text_in_a_claim_or_a_decline_is_refused(world: World, hostile: str) -> None:
    """A NUL byte recorded in an event would stop the read models for good: refused at the command's edge
    (as the JSON API decodes it), naming the field, and by the aggregate for callers that bypass it."""
    patent_id = register(world, "uni", {"uni": 60, "inst": 40}, number="202110654322")
    commands = ((r.FileOwnershipClaim, {"patent_id": str(world["patent"]), "evidence": hostile}, "evidence"),
                (r.DeclineCoOwnership, {"patent_id": str(patent_id), "reason": hostile}, "reason"))
    for kind, body, field in commands:
        with pytest.raises(ValidationError, match=rf"{field}: character .* is U\+"):
            msgspec.convert(body, kind)
    with pytest.raises(ValidationError, match="evidence: character"):
        OwnershipClaim.file(patent_id=world["patent"], registration=1, claimant_organisation_id=world["rival_org"],
                            evidence=hostile, reference="", by=world["rival"])


def test_owners_of_a_patent_a_platform_admin_registered_may_withdraw_it(world: World) -> None:
    patent_id = register(world, "admin", {"uni": 100})
    world.app.registrations.confirm_co_ownership(r.ConfirmCoOwnership(patent_id=patent_id), actor_id=world["uni"])
    world.app.registrations.withdraw_registration(r.WithdrawRegistration(patent_id=patent_id, reason="号码有误"),
                                                  actor_id=world["uni"])
    assert patent(world, patent_id).registration_withdrawn


def test_a_registration_assigned_through_the_marketplace_cannot_be_withdrawn(world: World) -> None:
    contract_id = accept(world, offer(world))  # at the listed price: no public notice
    sign_all(world, contract_id)
    pay_by_webhook(world, contract_id)
    assert patent(world, world["patent"]).is_owned_by(world["firm_org"])
    refused(world, ConflictError, "assigned through the marketplace", world.app.registrations.withdraw_registration,
            r.WithdrawRegistration(patent_id=world["patent"], reason="不要了"), actor_id=world["firm"])


def test_a_registered_event_stored_before_these_checks_still_loads_as_confirmed(world: World) -> None:
    """``Patent.Registered`` gained two fields with defaults; events stored without them still load."""
    stored = world.app.recorder.select_events(world["patent"], limit=1)[0]
    state = json.loads(stored.state)
    for added in ("registrant_organisation_id", "unconfirmed_owner_ids"):
        state.pop(added)
    old = dataclasses.replace(stored, state=json.dumps(state).encode())
    event = world.app.mapper.to_domain_event(old)
    assert isinstance(event, Patent.Registered)
    loaded = event.mutate(None)
    assert isinstance(loaded, Patent)
    assert (loaded.is_confirmed, loaded.registrant_organisation_id) == (True, None)
