"""Application commands on the in-memory recorder: roles, ownership, and nothing recorded on refusal."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.catalogue.patent_numbers import cn_check_character
from domain.shared.errors import (
    ActiveListingExistsError,
    ConcurrentModificationError,
    ConflictError,
    NotAuthenticatedError,
    PermissionDeniedError,
    UnknownIpcCodeError,
    ValidationError,
)
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.application import COMMAND_GROUPS, Marketplace

PASSWORD = "a-long-password"


def cn(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


def head(app: Marketplace) -> int:
    return app.recorder.max_notification_id() or 0


def sign_up(app: Marketplace, email: str, org: str, kind: str = "university") -> tuple[UUID, UUID]:
    user_id, _ = app.accounts.sign_up(ac.SignUp(
        email=email, password=PASSWORD, display_name=email, organisation_name=org,
        organisation_kind=kind))
    return user_id, app.repository.get(user_id).organisation_id


@pytest.fixture
def world(memory_app: Marketplace) -> dict[str, UUID]:
    admin = memory_app.accounts.bootstrap_platform_admin(
        email="ops@platform.test", password=PASSWORD, display_name="Ops",
        organisation_name="Platform Ops")
    uni, uni_org = sign_up(memory_app, "li@fzu.test", "福州大学")
    firm, firm_org = sign_up(memory_app, "ceo@firm.test", "厦门智造装备有限公司", "enterprise")
    memory_app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=uni_org), actor_id=admin)
    return {"admin": admin, "uni": uni, "uni_org": uni_org, "firm": firm, "firm_org": firm_org}


def patent_cmd(owner: UUID, number: str = "202010123456", **overrides: object) -> cc.RegisterPatent:
    values: dict[str, object] = {
        "application_number": cn(number), "patent_type": "invention", "title_zh": "一种锂电池隔膜",
        "ipc_codes": ["H01M 2/14"], "filing_date": date(2020, 1, 2),
        "owners": [cc.OwnerShare(organisation_id=owner, share=100)],
    }
    values.update(overrides)
    return cc.RegisterPatent(**values)  # type: ignore[arg-type]


def listing_cmd(patent_id: UUID, **overrides: object) -> cc.DraftListing:
    values: dict[str, object] = {"patent_id": patent_id, "deal_types": ["assignment"], "price_mode": "fixed",
                                 "asking_price": 10_000_000, "maturity": "prototype"}
    values.update(overrides)
    return cc.DraftListing(**values)  # type: ignore[arg-type]


def test_sign_up_creates_an_unverified_organisation_and_its_admin(memory_app: Marketplace) -> None:
    user_id, org_id = sign_up(memory_app, "Wang@Example.CN", "集美大学")
    user = memory_app.repository.get(user_id)
    person = memory_app.personal.get(user_id)
    assert person is not None
    assert person.email == "wang@example.cn"
    assert set(user.roles) == {"member", "org_admin"}
    assert person.password_hash is not None
    assert person.password_hash.startswith("$argon2")
    assert not memory_app.repository.get(org_id).verified
    assert memory_app.accounts.authenticate("wang@example.cn", PASSWORD) is not None
    assert memory_app.accounts.authenticate("wang@example.cn", "wrong-password") is None
    assert memory_app.accounts.authenticate("nobody@example.cn", PASSWORD) is None


def test_duplicate_sign_up_is_refused_and_nothing_recorded(world: dict[str, UUID], memory_app: Marketplace) -> None:
    before = head(memory_app)
    with pytest.raises(ConflictError, match="email"):
        sign_up(memory_app, "li@fzu.test", "Another University")
    with pytest.raises(ConflictError, match="organisation_name"):
        sign_up(memory_app, "new@fzu.test", "福州大学")
    assert head(memory_app) == before


def test_only_a_platform_admin_verifies(world: dict[str, UUID], memory_app: Marketplace) -> None:
    with pytest.raises(PermissionDeniedError, match="platform_admin"):
        memory_app.accounts.verify_organisation(
            ac.VerifyOrganisation(organisation_id=world["firm_org"]), actor_id=world["uni"])
    with pytest.raises(NotAuthenticatedError):
        memory_app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=world["firm_org"]), actor_id=None)


def test_register_patent_checks_ownership_ipc_and_shares(world: dict[str, UUID], memory_app: Marketplace) -> None:
    memory_app.accounts.verify_organisation(
        ac.VerifyOrganisation(organisation_id=world["firm_org"]), actor_id=world["admin"])
    before = head(memory_app)
    with pytest.raises(PermissionDeniedError, match="owners"):
        memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=world["firm"])
    with pytest.raises(UnknownIpcCodeError, match="H01M 50/403 is not in the IPC scheme"):
        memory_app.catalogue.register_patent(
            patent_cmd(world["uni_org"], ipc_codes=["H01M 50/403"]), actor_id=world["uni"])
    with pytest.raises(ValidationError, match="sum to 100 %, got 110 %"):
        memory_app.catalogue.register_patent(patent_cmd(world["uni_org"], owners=[
            cc.OwnerShare(organisation_id=world["uni_org"], share=60),
            cc.OwnerShare(organisation_id=world["firm_org"], share=50)]), actor_id=world["uni"])
    with pytest.raises(ValidationError, match="check character"):
        memory_app.catalogue.register_patent(patent_cmd(world["uni_org"], application_number="202010123456.9"),
                                             actor_id=world["uni"])
    assert head(memory_app) == before
    patent_id, _ = memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=world["uni"])
    patent = memory_app.repository.get(patent_id)
    assert patent.owners == [{"organisation_id": str(world["uni_org"]), "name": "福州大学", "share": 10_000}]
    with pytest.raises(ConflictError, match="already registered"):
        memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=world["uni"])


def test_co_owned_patent_names_each_owner(world: dict[str, UUID], memory_app: Marketplace) -> None:
    patent_id, _ = memory_app.catalogue.register_patent(patent_cmd(world["uni_org"], owners=[
        cc.OwnerShare(organisation_id=world["uni_org"], share=66.67),
        cc.OwnerShare(organisation_id=world["firm_org"], share=33.33)]), actor_id=world["uni"])
    assert [o["share"] for o in memory_app.repository.get(patent_id).owners] == [6_667, 3_333]


def test_one_active_listing_per_patent(world: dict[str, UUID], memory_app: Marketplace) -> None:
    patent_id, _ = memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=world["uni"])
    listing_id, _ = memory_app.catalogue.draft_listing(listing_cmd(patent_id), actor_id=world["uni"])
    before = head(memory_app)
    with pytest.raises(ActiveListingExistsError):
        memory_app.catalogue.draft_listing(listing_cmd(patent_id), actor_id=world["uni"])
    assert head(memory_app) == before
    memory_app.catalogue.withdraw_listing(
        cc.WithdrawListing(listing_id=listing_id, reason="re-list"), actor_id=world["uni"])
    memory_app.catalogue.draft_listing(listing_cmd(patent_id), actor_id=world["uni"])


def test_listing_commands_check_ownership_and_verification(world: dict[str, UUID], memory_app: Marketplace) -> None:
    patent_id, _ = memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=world["uni"])
    with pytest.raises(PermissionDeniedError, match="owner organisation"):
        memory_app.catalogue.draft_listing(listing_cmd(patent_id), actor_id=world["firm"])
    listing_id, _ = memory_app.catalogue.draft_listing(listing_cmd(patent_id), actor_id=world["uni"])
    with pytest.raises(PermissionDeniedError):
        memory_app.catalogue.publish_listing(cc.PublishListing(listing_id=listing_id), actor_id=world["firm"])
    memory_app.catalogue.publish_listing(cc.PublishListing(listing_id=listing_id), actor_id=world["uni"])
    assert memory_app.repository.get(listing_id).status == "published"

    # An unverified organisation cannot register (so it has nothing to list): issue 9.
    before = head(memory_app)
    with pytest.raises(PermissionDeniedError, match="must be verified by the platform before it can register"):
        memory_app.catalogue.register_patent(patent_cmd(world["firm_org"], "202110123456"), actor_id=world["firm"])
    assert head(memory_app) == before


def test_negative_price_is_refused(world: dict[str, UUID], memory_app: Marketplace) -> None:
    patent_id, _ = memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=world["uni"])
    before = head(memory_app)
    with pytest.raises(ValidationError, match="asking_price: must not be negative"):
        memory_app.catalogue.draft_listing(listing_cmd(patent_id, asking_price=-5), actor_id=world["uni"])
    assert head(memory_app) == before


def test_stale_expected_version_is_a_conflict(world: dict[str, UUID], memory_app: Marketplace) -> None:
    patent_id, _ = memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=world["uni"])
    listing_id, _ = memory_app.catalogue.draft_listing(listing_cmd(patent_id), actor_id=world["uni"])
    terms = {"deal_types": ["assignment"], "price_mode": "fixed", "maturity": "prototype"}
    memory_app.catalogue.revise_listing(cc.ReviseListing(
        listing_id=listing_id, expected_version=1, asking_price=9_000_000,
        **terms), actor_id=world["uni"])  # type: ignore[arg-type]
    with pytest.raises(ConcurrentModificationError, match="version 2, not 1"):
        memory_app.catalogue.revise_listing(cc.ReviseListing(
            listing_id=listing_id, expected_version=1, asking_price=8_000_000,
            **terms), actor_id=world["uni"])  # type: ignore[arg-type]
    assert memory_app.repository.get(listing_id).terms["asking_price"] == 9_000_000


def test_lapse_suspends_the_published_listing_and_restoration_resumes_it(
    world: dict[str, UUID], memory_app: Marketplace
) -> None:
    patent_id, _ = memory_app.catalogue.register_patent(patent_cmd(world["uni_org"], legal_status="granted"),
                                                        actor_id=world["uni"])
    listing_id, _ = memory_app.catalogue.draft_listing(listing_cmd(patent_id), actor_id=world["uni"])
    memory_app.catalogue.publish_listing(cc.PublishListing(listing_id=listing_id), actor_id=world["uni"])

    def status(value: str) -> None:
        memory_app.catalogue.change_legal_status(cc.ChangeLegalStatus(patent_id=patent_id, legal_status=value,
                                                                      effective_date=date(2025, 1, 1)),
                                                                      actor_id=world["uni"])

    status("lapsed")
    assert memory_app.repository.get(listing_id).status == "suspended"
    with pytest.raises(PermissionDeniedError):
        memory_app.catalogue.change_legal_status(cc.ChangeLegalStatus(patent_id=patent_id, legal_status="granted",
                                                                      effective_date=date(2025, 2, 1)),
                                                                      actor_id=world["firm"])
    status("granted")
    assert memory_app.repository.get(listing_id).status == "published"


def test_members_are_added_by_their_organisation_admin(world: dict[str, UUID], memory_app: Marketplace) -> None:
    member, _ = memory_app.accounts.add_member(
        ac.AddMember(email="zhao@fzu.test", password=PASSWORD, display_name="赵"),
        actor_id=world["uni"])
    assert memory_app.repository.get(member).organisation_id == world["uni_org"]
    with pytest.raises(PermissionDeniedError, match="org_admin"):
        memory_app.accounts.add_member(
            ac.AddMember(email="x@fzu.test", password=PASSWORD, display_name="x"), actor_id=member)
    with pytest.raises(PermissionDeniedError, match="platform_admin"):
        memory_app.accounts.add_member(ac.AddMember(email="y@fzu.test", password=PASSWORD, display_name="y",
                                                    roles=["platform_admin"]), actor_id=world["uni"])
    with pytest.raises(NotAuthenticatedError):
        memory_app.catalogue.register_patent(patent_cmd(world["uni_org"]), actor_id=uuid4())


def test_each_command_lives_in_one_group(memory_app: Marketplace) -> None:
    """A command's name says what it does in one trade: no two groups offer the same command."""
    owners: dict[str, list[str]] = {}
    for group_name, group in COMMAND_GROUPS.items():
        for name in dir(group):
            if not name.startswith("_") and callable(getattr(group, name)):
                owners.setdefault(name, []).append(group_name)
    assert {name: groups for name, groups in owners.items() if len(groups) > 1} == {}
    assert {name: type(getattr(memory_app, name)) for name in COMMAND_GROUPS} == COMMAND_GROUPS
