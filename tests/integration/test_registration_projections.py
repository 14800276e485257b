"""Read models of registrations on a real PostgreSQL (issue 9): confirmations, withdrawal, claims and
re-registration are projected, every new event has its own audit summary, and a rebuild in small
pages reproduces identical rows."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.shared.ids import organisation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.catalogue import commands as r
from marketplace.platform.application import Marketplace
from marketplace.platform.services import Services
from projections.audit.log import SUMMARIES, event_type_of
from tests.integration.test_projections import PASSWORD, cn, rows, table_digest

TABLES = ("catalogue_patents", "catalogue_status_history", "catalogue_listings", "catalogue_listing_facets",
          "catalogue_ownership_claims", "valuation_patent_fields", "audit_log_events")
NEW_EVENT_TYPES = {"Patent.CoOwnershipConfirmed", "Patent.CoOwnershipDeclined", "Patent.RegistrationWithdrawn",
                   "Patent.Reregistered", "OwnershipClaim.Filed", "OwnershipClaim.Decided"}


def _verified(app: Marketplace, admin: UUID, email: str, name: str, kind: str) -> UUID:
    user, _ = app.accounts.sign_up(ac.SignUp(
        email=email, password=PASSWORD, display_name=name[:2], organisation_name=name,
        organisation_kind=kind))
    app.accounts.verify_organisation(ac.VerifyOrganisation(organisation_id=organisation_id(name)), actor_id=admin)
    return user


def _register(app: Marketplace, by: UUID, serial: str, owners: dict[str, float], title: str) -> UUID:
    patent, _ = app.catalogue.register_patent(cc.RegisterPatent(
        application_number=cn(serial), patent_type="invention", title_zh=title, ipc_codes=["H01M 10/0562"],
        filing_date=date(2021, 3, 2), legal_status="granted",
        owners=[cc.OwnerShare(organisation_id=organisation_id(n), share=s) for n, s in owners.items()]), actor_id=by)
    return patent


def scenario(app: Marketplace) -> dict[str, UUID]:
    admin = app.accounts.bootstrap_platform_admin(email="ops@p.test", password=PASSWORD, display_name="Ops",
                                                  organisation_name="平台运营")
    uni = _verified(app, admin, "tto@fzu.test", "福州大学", "university")
    inst = _verified(app, admin, "ip@fjirsm.test", "物质结构研究所", "research_institute")
    squatter = _verified(app, admin, "bd@squat.test", "抢注科技有限公司", "enterprise")
    # A co-owned patent, confirmed by the co-owner, then listed.
    shared = _register(app, uni, "202110000001", {"福州大学": 60, "物质结构研究所": 40}, "固态电解质")
    app.registrations.confirm_co_ownership(r.ConfirmCoOwnership(patent_id=shared), actor_id=inst)
    listing, _ = app.catalogue.draft_listing(cc.DraftListing(
        patent_id=shared, deal_types=["assignment"], price_mode="negotiable",
        maturity="pilot"), actor_id=uni)
    app.catalogue.publish_listing(cc.PublishListing(listing_id=listing), actor_id=uni)
    # A registration naming the institute without asking: declined, then registered correctly.
    wrong = _register(app, squatter, "202110000002", {"抢注科技有限公司": 50, "物质结构研究所": 50}, "隔膜")
    app.registrations.decline_co_ownership(
        r.DeclineCoOwnership(patent_id=wrong, reason="我所不是共有人"), actor_id=inst)
    _register(app, inst, "202110000002", {"物质结构研究所": 100}, "一种隔膜")
    # A squatted number, listed; the true owner's claim is upheld and it registers the number.
    squatted = _register(app, squatter, "202110000003", {"抢注科技有限公司": 100}, "正极材料")
    squat_listing, _ = app.catalogue.draft_listing(cc.DraftListing(patent_id=squatted, deal_types=["assignment"],
                                                                   price_mode="negotiable", maturity="pilot"),
                                                                   actor_id=squatter)
    app.catalogue.publish_listing(cc.PublishListing(listing_id=squat_listing), actor_id=squatter)
    upheld, _ = app.registrations.file_ownership_claim(r.FileOwnershipClaim(patent_id=squatted, evidence="登记簿为证",
                                                                            reference="CNIPA-1"), actor_id=uni)
    dismissed, _ = app.registrations.file_ownership_claim(r.FileOwnershipClaim(patent_id=shared, evidence="我们也有份"),
                                                          actor_id=squatter)
    app.registrations.decide_ownership_claim(r.DecideOwnershipClaim(claim_id=dismissed, upheld=False, reason="无证据"),
                                             actor_id=admin)
    app.registrations.decide_ownership_claim(r.DecideOwnershipClaim(claim_id=upheld, upheld=True, reason="登记簿为证"),
                                             actor_id=admin)
    _register(app, uni, "202110000003", {"福州大学": 100}, "一种正极材料")
    # The registrant withdraws its own registration.
    own = _register(app, uni, "202110000004", {"福州大学": 100}, "负极材料")
    app.registrations.withdraw_registration(r.WithdrawRegistration(patent_id=own, reason="录入错误"), actor_id=uni)
    return {"shared": shared, "wrong": wrong, "squatted": squatted, "squat_listing": squat_listing, "own": own,
            "upheld": upheld, "dismissed": dismissed}


@pytest.fixture
def ids(services: Services) -> dict[str, UUID]:
    found = scenario(services.app)
    services.make_runner().catch_up()
    return found


def test_registration_rows_follow_the_events(services: Services, ids: dict[str, UUID]) -> None:
    patents = {row[0]: row[1:] for row in rows(
        services, "SELECT id, registration_status, unconfirmed_owner_ids, owners->0->>'name', title_zh"
                  " FROM catalogue_patents")}
    assert patents[ids["shared"]] == ("active", [], "福州大学", "固态电解质")
    assert patents[ids["wrong"]] == ("active", [], "物质结构研究所", "一种隔膜")
    assert patents[ids["squatted"]] == ("active", [], "福州大学", "一种正极材料")
    assert patents[ids["own"]] == ("withdrawn", [], None, "负极材料")
    assert rows(services, "SELECT status FROM catalogue_listings WHERE id = %s", ids["squat_listing"]) == [
        ("withdrawn",)]
    assert dict(rows(services, "SELECT id, status FROM catalogue_ownership_claims")) == {
        ids["upheld"]: "upheld", ids["dismissed"]: "dismissed"}
    reasons = [x[0] for x in rows(services, "SELECT reason FROM catalogue_status_history WHERE patent_id = %s"
                                            " ORDER BY version", ids["squatted"])]
    assert reasons == ["registered", "registration withdrawn: ownership claim upheld: 登记簿为证", "reregistered"]
    assert rows(services, "SELECT title_zh FROM valuation_patent_fields WHERE patent_id = %s", ids["squatted"]) == [
        ("一种正极材料",)]


def test_every_registration_event_has_its_own_audit_summary(services: Services, ids: dict[str, UUID]) -> None:
    seen = {event_type_of(n.topic)[1] for n in services.recorder.select_notifications(start=1, limit=10_000)}
    assert seen >= NEW_EVENT_TYPES
    assert not sorted(seen - set(SUMMARIES))
    for event_type, data in rows(services, "SELECT event_type, data FROM audit_log_events"):
        assert SUMMARIES[str(event_type)](data, {}), event_type  # type: ignore[arg-type]
    summaries = [x[0] for x in rows(services, "SELECT summary FROM audit_log_events WHERE aggregate_id = %s"
                                              " ORDER BY version", ids["upheld"])]
    assert summaries == ["Ownership claim filed against registration 1 of patent 202110000003.X"
                         .replace("202110000003.X", cn("202110000003")) + ", reference CNIPA-1",
                         "Ownership claim upheld: 登记簿为证"]


def test_rebuild_reproduces_identical_rows(services: Services, ids: dict[str, UUID]) -> None:
    before = {t: table_digest(services, t) for t in TABLES}
    for view in services.views.values():
        view.reset()
    services.make_runner(page_size=3).catch_up()  # small pages: rows must not depend on paging
    assert {t: table_digest(services, t) for t in TABLES} == before
