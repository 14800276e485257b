"""Valuers and assessments: accreditation, expiry, revocation, conflict of interest, supersede, withdraw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.accounts.user import Role, User
from domain.catalogue.patent_numbers import cn_check_character
from domain.shared.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from domain.valuation.valuation import Valuation
from domain.valuation.valuer import ValuerAccreditation, accreditation_id
from marketplace.accounts import commands as ac
from marketplace.catalogue import commands as cc
from marketplace.platform.application import Marketplace
from marketplace.platform.clock import ManualClock
from marketplace.valuation import commands as vc

PASSWORD = "a-long-password"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: Depreciated replacement cost: 1,000,000 × (1 − 2 / (2 + 8)) = 800,000 yuan.
COST_INPUTS = {"replacement_cost": "1000000", "years_used": "2", "remaining_years": "8"}


def cn(digits: str) -> str:
    return f"{digits}.{cn_check_character(digits)}"


@dataclass
class Market:
    app: Marketplace
    clock: ManualClock
    admin: UUID
    valuer: UUID
    agency_admin: UUID
    other_valuer: UUID
    owner: UUID
    patent: UUID
    rival_agency_valuer: UUID
    patents: list[UUID]


def _org_user(app: Marketplace, admin: UUID, email: str, org: str, kind: str) -> UUID:
    user, _ = app.accounts.sign_up(
        ac.SignUp(
            email=email,
            password=PASSWORD,
            display_name=email.split("@", maxsplit=1)[0],
            organisation_name=org,
            organisation_kind=kind,
        )
    )
    app.accounts.verify_organisation(
        ac.VerifyOrganisation(organisation_id=app.repository.get(user).organisation_id), actor_id=admin
    )
    return user


def build_market(app: Marketplace, clock: ManualClock, *, patents: int = 1) -> Market:
    """A university owning a patent (H01M 10/0525), two valuation agencies, a platform admin."""
    admin = app.accounts.bootstrap_platform_admin(
        email="ops@p.test", password=PASSWORD, display_name="Ops", organisation_name="Platform Ops"
    )
    agency_admin = _org_user(app, admin, "head@huaxin.test", "华信资产评估有限公司", "valuation_agency")
    agency = app.repository.get(agency_admin).organisation_id
    valuer, _ = app.accounts.add_member(
        ac.AddMember(email="wang@huaxin.test", password=PASSWORD, display_name="王评估"), actor_id=agency_admin
    )
    other_valuer, _ = app.accounts.add_member(
        ac.AddMember(email="zhao@huaxin.test", password=PASSWORD, display_name="赵"), actor_id=agency_admin
    )
    rival = _org_user(app, admin, "chen@zhongrui.test", "中瑞评估有限公司", "valuation_agency")
    owner = _org_user(app, admin, "li@fzu.test", "福州大学", "university")
    owner_org = app.repository.get(owner).organisation_id
    patent_ids = []
    for n in range(patents):
        patent, _ = app.catalogue.register_patent(
            cc.RegisterPatent(
                application_number=cn(f"20211055512{n}"),
                patent_type="invention",
                title_zh=f"锂电池负极材料{n}",
                ipc_codes=["H01M 10/0525"],
                filing_date=date(2021, 1, 5),
                legal_status="granted",
                owners=[cc.OwnerShare(organisation_id=owner_org, share=100)],
            ),
            actor_id=owner,
        )
        patent_ids.append(patent)
    for user in (valuer, other_valuer, rival):
        app.valuation.accredit_valuer(
            vc.AccreditValuer(user_id=user, credential_number=f"CPV-{user.hex[:6]}", expires_on=date(2027, 12, 31)),
            actor_id=admin,
        )
    assert agency is not None
    return Market(app, clock, admin, valuer, agency_admin, other_valuer, owner, patent_ids[0], rival, patent_ids)


def assess(market: Market, *, actor: UUID | None = None, **changes: Any) -> UUID:
    values: dict[str, Any] = {
        "patent_id": market.patent,
        "purpose": "transfer",
        "basis_date": market.clock.now().date(),
        "method": "cost_depreciated",
        "inputs": COST_INPUTS,
        "low": Decimal(700_000),
        "high": Decimal(900_000),
        "assumptions": "持续使用假设",
        "report_reference": "华信评报字〔2026〕第018号",
    } | changes
    valuation_id, _ = market.app.valuation.record_assessment(
        vc.RecordAssessment(**values), actor_id=actor or market.valuer)
    return valuation_id


@pytest.fixture
def market(ipc_scheme) -> Market:  # type: ignore[no-untyped-def]
    clock = ManualClock(START)
    app = Marketplace({"PERSISTENCE_MODULE": "eventsourcing.popo"}, ipc_scheme=ipc_scheme, clock=clock)
    return build_market(app, clock)


def refused(market: Market, error: type[DomainError], starts: str, fn: Any, *args: Any, **kwargs: Any) -> None:
    """The command is refused with this error and message, and nothing is recorded."""
    before = market.app.recorder.max_notification_id()
    with pytest.raises(error) as caught:
        fn(*args, **kwargs)
    assert caught.value.message.startswith(starts), caught.value.message
    assert market.app.recorder.max_notification_id() == before


# --- accreditation ------------------------------------------------------------------------
def test_accreditation_gives_the_valuer_role_and_is_valid_until_expiry(market: Market) -> None:
    accreditation = market.app.repository.get(accreditation_id(market.valuer))
    assert isinstance(accreditation, ValuerAccreditation)
    assert accreditation.user_id == market.valuer
    assert accreditation.credential_number.startswith("CPV-")
    assert accreditation.is_valid_on(date(2027, 12, 31))
    assert not accreditation.is_valid_on(date(2028, 1, 1))
    assert not accreditation.is_valid_on(date(2026, 3, 1))  # before it was granted
    user = market.app.repository.get(market.valuer)
    assert isinstance(user, User)
    assert user.has_role(Role.VALUER)


def test_only_valuation_agency_members_and_only_by_a_platform_admin(market: Market) -> None:
    app = market.app
    cmd = vc.AccreditValuer(user_id=market.owner, credential_number="X-1", expires_on=date(2027, 1, 1))
    refused(
        market,
        PermissionDeniedError,
        "user_id: only members of a valuation agency",
        app.valuation.accredit_valuer,
        cmd,
        actor_id=market.admin,
    )
    cmd = vc.AccreditValuer(user_id=market.agency_admin, credential_number="X-1", expires_on=date(2027, 1, 1))
    refused(
        market,
        PermissionDeniedError,
        "this needs the role platform_admin",
        app.valuation.accredit_valuer,
        cmd,
        actor_id=market.agency_admin,
    )
    past = vc.AccreditValuer(user_id=market.agency_admin, credential_number="X-1", expires_on=date(2026, 3, 2))
    refused(
        market,
        ValidationError,
        "expires_on: the accreditation must expire after today",
        app.valuation.accredit_valuer,
        past,
        actor_id=market.admin,
    )
    again = vc.AccreditValuer(user_id=market.valuer, credential_number="X-2", expires_on=date(2027, 1, 1))
    refused(
        market,
        ConflictError,
        "user_id: this user is already accredited",
        app.valuation.accredit_valuer,
        again,
        actor_id=market.admin,
    )


def test_an_expired_accreditation_refuses_until_renewed(market: Market) -> None:
    market.clock.set(datetime(2028, 1, 3, tzinfo=UTC))
    refused(
        market,
        PermissionDeniedError,
        "you may not record assessments: the accreditation expired on 2027-12-31",
        assess,
        market,
    )
    refused(
        market,
        ValidationError,
        "expires_on: must be after the current expiry",
        market.app.valuation.renew_accreditation,
        vc.RenewAccreditation(user_id=market.valuer, expires_on=date(2027, 12, 31)),
        actor_id=market.admin,
    )
    market.app.valuation.renew_accreditation(
        vc.RenewAccreditation(user_id=market.valuer, expires_on=date(2029, 12, 31)), actor_id=market.admin
    )
    assert isinstance(market.app.repository.get(assess(market)), Valuation)


def test_the_basis_date_must_fall_within_the_accreditation(market: Market) -> None:
    refused(
        market,
        ValidationError,
        "basis_date: you were not accredited on 2025-12-31",
        assess,
        market,
        basis_date=date(2025, 12, 31),
    )
    refused(market, ValidationError, "basis_date: must not be after today", assess, market, basis_date=date(2026, 3, 3))


def test_revocation_refuses_new_assessments_and_takes_the_role(market: Market) -> None:
    app = market.app
    refused(
        market,
        ValidationError,
        "reason: give the reason",
        app.valuation.revoke_accreditation,
        vc.RevokeAccreditation(user_id=market.valuer, reason="  "),
        actor_id=market.admin,
    )
    app.valuation.revoke_accreditation(
        vc.RevokeAccreditation(user_id=market.valuer, reason="证书被注销"), actor_id=market.admin)
    user = app.repository.get(market.valuer)
    assert isinstance(user, User)
    assert not user.has_role(Role.VALUER)
    refused(
        market,
        PermissionDeniedError,
        "you may not record assessments: the accreditation was revoked on 2026-03-02",
        assess,
        market,
    )
    refused(
        market,
        ConflictError,
        "user_id: a revoked accreditation cannot be renewed",
        app.valuation.renew_accreditation,
        vc.RenewAccreditation(user_id=market.valuer, expires_on=date(2029, 1, 1)),
        actor_id=market.admin,
    )
    refused(
        market, PermissionDeniedError, "you are not an accredited valuer", assess, market, actor=market.agency_admin
    )


# --- recording ----------------------------------------------------------------------------
def test_the_value_is_computed_never_typed_and_the_range_must_hold_it(market: Market) -> None:
    valuation = market.app.repository.get(assess(market))
    assert isinstance(valuation, Valuation)
    assert valuation.value == Decimal(800_000)
    assert valuation.unit == "CNY"
    assert valuation.status == "current"
    assert valuation.steps
    assert valuation.inputs == COST_INPUTS
    with pytest.raises(TypeError):
        vc.RecordAssessment(value=1)  # type: ignore[call-arg]
    refused(
        market, ValidationError, "low: must be at most the computed value 800000", assess, market, low=Decimal(850_000)
    )
    refused(
        market,
        ValidationError,
        "high: must be at least the computed value 800000",
        assess,
        market,
        high=Decimal(799_999),
    )
    refused(
        market,
        ValidationError,
        "inputs.years_used: is required",
        assess,
        market,
        inputs={"replacement_cost": "1000000", "remaining_years": "8"},
    )
    refused(
        market,
        ValidationError,
        "purpose: must be one of transfer, licence, pledge, investment",
        assess,
        market,
        purpose="gift",
    )
    refused(
        market, ValidationError, "report_reference: give the report's reference", assess, market, report_reference=" "
    )


def test_a_valuer_of_the_owner_organisation_may_not_assess(market: Market) -> None:
    app = market.app
    # The owner university is not an agency, so the conflict is shown with an agency that co-owns a patent.
    agency_org = app.repository.get(market.valuer).organisation_id
    owner_org = app.repository.get(market.owner).organisation_id
    own, _ = app.catalogue.register_patent(
        cc.RegisterPatent(
            application_number=cn("202110555999"),
            patent_type="invention",
            title_zh="评估机构自有专利",
            ipc_codes=["H01M 10/0525"],
            legal_status="granted",
            owners=[
                cc.OwnerShare(organisation_id=owner_org, share=50),
                cc.OwnerShare(organisation_id=agency_org, share=50),
            ],
        ),
        actor_id=market.owner,
    )
    refused(
        market,
        PermissionDeniedError,
        "patent_id: conflict of interest: your organisation owns this patent",
        assess,
        market,
        patent_id=own,
    )
    assess(market, patent_id=own, actor=market.rival_agency_valuer)


def test_supersede_marks_the_earlier_assessment_atomically_and_only_within_the_agency(market: Market) -> None:
    app = market.app
    first = assess(market)
    refused(
        market,
        PermissionDeniedError,
        "supersedes: only the agency that recorded an assessment may supersede it",
        assess,
        market,
        supersedes=first,
        actor=market.rival_agency_valuer,
    )
    second = assess(market, supersedes=first, actor=market.other_valuer, purpose="pledge")
    old, new = app.repository.get(first), app.repository.get(second)
    assert isinstance(old, Valuation)
    assert isinstance(new, Valuation)
    assert old.status == "superseded"
    assert old.superseded_by == second
    assert new.supersedes == first
    refused(
        market, ConflictError, "supersedes: that assessment is already superseded", assess, market, supersedes=first
    )
    assert isinstance(app.repository.get(assess(market, actor=market.rival_agency_valuer)), Valuation)


def test_withdraw_needs_the_valuer_or_the_agency_admin_and_a_reason(market: Market) -> None:
    app = market.app
    valuation_id = assess(market)
    cmd = vc.WithdrawAssessment(valuation_id=valuation_id, reason="数据有误")
    refused(
        market,
        PermissionDeniedError,
        "valuation_id: only the valuer who recorded the assessment",
        app.valuation.withdraw_assessment,
        cmd,
        actor_id=market.rival_agency_valuer,
    )
    refused(
        market,
        ValidationError,
        "reason: give the reason for withdrawing",
        app.valuation.withdraw_assessment,
        vc.WithdrawAssessment(valuation_id=valuation_id, reason=""),
        actor_id=market.valuer,
    )
    app.valuation.withdraw_assessment(cmd, actor_id=market.agency_admin)
    valuation = app.repository.get(valuation_id)
    assert isinstance(valuation, Valuation)
    assert valuation.status == "withdrawn"
    refused(
        market,
        ConflictError,
        "valuation_id: the assessment is already withdrawn",
        app.valuation.withdraw_assessment,
        cmd,
        actor_id=market.valuer,
    )
    refused(
        market,
        ConflictError,
        "supersedes: that assessment is already withdrawn",
        assess,
        market,
        supersedes=valuation_id,
    )


def test_the_calculator_records_nothing(market: Market) -> None:
    before = market.app.recorder.max_notification_id()
    result = market.app.valuation.calculate_valuation(
        vc.CalculateValuation(method="cost_depreciated", inputs=COST_INPUTS))
    assert result.value == Decimal(800_000)
    assert market.app.recorder.max_notification_id() == before
    with pytest.raises(ValidationError, match=r"^method: must be one of"):
        market.app.valuation.calculate_valuation(vc.CalculateValuation(method="guess", inputs={}))


def test_clock_moves_do_not_change_recorded_dates(market: Market) -> None:
    valuation_id = assess(market)
    market.clock.advance(timedelta(days=400))
    valuation = market.app.repository.get(valuation_id)
    assert isinstance(valuation, Valuation)
    assert valuation.basis_date == date(2026, 3, 2)


def test_a_valuer_of_a_party_to_an_open_deal_may_not_assess_until_it_closes(market: Market) -> None:
    app = market.app
    patent = app.repository.get(market.patent)
    agency_org = app.repository.get(market.valuer).organisation_id
    offer_id = uuid4()
    patent.open_deal(offer_id, agency_org, by=market.owner)
    app.save(patent)
    refused(
        market,
        PermissionDeniedError,
        "patent_id: conflict of interest: your organisation is a party to an open deal on this patent",
        assess,
        market,
    )
    assess(market, actor=market.rival_agency_valuer)
    patent = app.repository.get(market.patent)
    patent.close_deal(offer_id, by=market.owner)
    app.save(patent)
    assert isinstance(app.repository.get(assess(market)), Valuation)


def test_an_accreditation_ends_and_is_revoked_on_beijing_days(market: Market) -> None:
    """At 00:30 on 1 January 2028 in Beijing (still 31 December 2027 in UTC) an accreditation valid to the
    end of 2027 has expired; a revocation at 00:21 on 6 December 2026 in Beijing is dated that day."""
    market.clock.set(datetime(2027, 12, 31, 16, 30, tzinfo=UTC))
    refused(market, PermissionDeniedError, "you may not record assessments: the accreditation expired on 2027-12-31",
            assess, market, basis_date=date(2027, 12, 31))
    market.clock.set(datetime(2026, 12, 5, 16, 21, tzinfo=UTC))
    market.app.valuation.revoke_accreditation(
        vc.RevokeAccreditation(user_id=market.other_valuer, reason="证书被注销"), actor_id=market.admin)
    accreditation = market.app.repository.get(accreditation_id(market.other_valuer))
    assert isinstance(accreditation, ValuerAccreditation)
    assert accreditation.revoked_on == date(2026, 12, 6)
