"""Signed assessments: the rendered report's canonical text and digest, the valuer's signature of record,
the agency's countersignature (who may, once); and the figures as the pages round them."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from domain.accounts.user import Role
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.valuation.methods import calculate
from domain.valuation.report import ReportFacts, report_sha256, report_text
from domain.valuation.valuation import Valuation
from marketplace.accounts import commands as ac
from marketplace.platform.application import Marketplace
from marketplace.platform.clock import ManualClock
from marketplace.valuation import commands as vc
from projections.audit.log import summarise
from tests.unit.test_valuation_rules import START, Market, assess, build_market, refused
from web.valuation.steps import factor, steps_table, yuan


@pytest.fixture
def market(ipc_scheme) -> Market:  # type: ignore[no-untyped-def]
    clock = ManualClock(START)
    app = Marketplace({"PERSISTENCE_MODULE": "eventsourcing.popo"}, ipc_scheme=ipc_scheme, clock=clock)
    return build_market(app, clock)


FACTS = ReportFacts(
    patent_id=UUID("11111111-1111-1111-1111-111111111111"),
    valuer_id=UUID("22222222-2222-2222-2222-222222222222"),
    organisation_id=UUID("33333333-3333-3333-3333-333333333333"),
    purpose="pledge",
    basis_date="2026-03-02",
    method="market_comparables",
    inputs={"comparables": [{"price": "500000", "technical_factor": "1.1", "reference": "ZL2019"}]},
    value=Decimal("338461.694282190828"),
    low=Decimal("300000"),
    high=Decimal("400000"),
    unit="CNY",
    assumptions="持续使用假设\nsecond line",
    report_reference="华信评报字〔2026〕第018号",
    steps={"factor_products": ["1.1"], "adjusted_prices": ["550000.0"]},
    supersedes=None,
)


def test_the_rendered_report_is_canonical_bilingual_text_with_exact_figures() -> None:
    text = report_text(FACTS)
    assert "评估目的 / Purpose: 质押融资 / Pledge (pledge)\n" in text
    assert "评估方法 / Method: 市场法（可比交易修正） / Market comparables (market_comparables)\n" in text
    assert "评估值 / Value: 338461.694282190828 CNY\n" in text  # the record is exact; only pages round
    assert '"reference":"ZL2019"' in text
    assert text.endswith("评估假设 / Assumptions:\n持续使用假设\nsecond line\n")
    # The digest is the SHA-256 of that UTF-8 text; its layout is pinned: changing it changes every signed digest.
    assert report_sha256(FACTS) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert report_sha256(FACTS) == "11f5ded4c4a7e41813ea00c98c1a5537399266ddbdda18e90de06198de213387"


def test_the_digest_ignores_key_order_and_changes_with_any_fact() -> None:
    reordered = replace(FACTS, inputs={"comparables": [{"reference": "ZL2019", "technical_factor": "1.1",
                                                        "price": "500000"}]})
    assert report_sha256(reordered) == report_sha256(FACTS)
    changed = [
        replace(FACTS, value=FACTS.value + Decimal("1E-12")),
        replace(FACTS, assumptions=FACTS.assumptions + "。"),
        replace(FACTS, purpose="transfer"),
        replace(FACTS, high=Decimal("400001")),
        replace(FACTS, steps={"factor_products": ["1.2"], "adjusted_prices": ["550000.0"]}),
        replace(FACTS, supersedes=UUID(int=1)),
    ]
    assert len({report_sha256(f) for f in changed} | {report_sha256(FACTS)}) == len(changed) + 1


def test_recording_is_the_valuers_signature_of_the_reports_digest(market: Market) -> None:
    valuation: Valuation = market.app.repository.get(assess(market))
    facts = ReportFacts(
        patent_id=valuation.patent_id, valuer_id=valuation.valuer_id, organisation_id=valuation.organisation_id,
        purpose=valuation.purpose, basis_date=valuation.basis_date.isoformat(), method=valuation.method,
        inputs=valuation.inputs, value=valuation.value, low=valuation.low, high=valuation.high, unit=valuation.unit,
        assumptions=valuation.assumptions, report_reference=valuation.report_reference, steps=valuation.steps,
        supersedes=valuation.supersedes,
    )
    assert valuation.report_sha256 == report_sha256(facts)
    assert (valuation.signed_by, valuation.signed_at) == (market.valuer, START.isoformat())
    assert valuation.countersigned_by is None


def test_a_member_without_the_valuer_role_cannot_sign(market: Market) -> None:
    member, _ = market.app.accounts.add_member(
        ac.AddMember(email="intern@huaxin.test", password="a-long-password", display_name="实习"),
        actor_id=market.agency_admin)
    refused(market, PermissionDeniedError, "you are not an accredited valuer", assess, market, actor=member)
    # Nor can the agency's admin sign in a valuer's place: signing is recording, an accredited valuer's act.
    refused(market, PermissionDeniedError, "you are not an accredited valuer", assess, market,
            actor=market.agency_admin)


def countersign(market: Market, valuation_id: UUID, actor: UUID, digest: str | None = None) -> int:
    valuation: Valuation = market.app.repository.get(valuation_id)
    cmd = vc.CountersignAssessment(valuation_id=valuation_id, report_sha256=digest or valuation.report_sha256)
    return market.app.valuation.countersign_assessment(cmd, actor_id=actor)


def test_only_an_admin_of_the_valuers_agency_countersigns_and_only_once(market: Market) -> None:
    valuation_id = assess(market)
    app = market.app
    assert app.repository.get(market.rival_agency_valuer).has_role(Role.ORG_ADMIN)  # the rival agency's admin
    refused(market, PermissionDeniedError, "valuation_id: only an admin of the agency", countersign, market,
            valuation_id, market.rival_agency_valuer)
    refused(market, PermissionDeniedError, "valuation_id: only an admin of the agency", countersign, market,
            valuation_id, market.other_valuer)  # a valuer of the agency, not its admin
    refused(market, ConflictError, "report_sha256: that is not the digest", countersign, market, valuation_id,
            market.agency_admin, "0" * 64)
    countersign(market, valuation_id, market.agency_admin)
    countersigned: Valuation = app.repository.get(valuation_id)
    assert countersigned.countersigned_by == market.agency_admin
    digest = countersigned.report_sha256
    assert summarise("Valuation.Countersigned", {"report_sha256": digest}, {}) == (
        f"Assessment countersigned by the agency (report {digest})")
    # A double click: the second countersignature is refused and records nothing.
    refused(market, ConflictError, "valuation_id: the assessment is already countersigned", countersign, market,
            valuation_id, market.agency_admin)


def test_the_signing_valuer_cannot_countersign_and_a_withdrawn_assessment_is_not_countersigned(
    market: Market,
) -> None:
    app = market.app
    app.accounts.grant_role(ac.GrantRole(user_id=market.valuer, role="org_admin"), actor_id=market.admin)
    valuation_id = assess(market)
    refused(market, PermissionDeniedError, "valuation_id: the valuer who signed", countersign, market,
            valuation_id, market.valuer)
    app.valuation.withdraw_assessment(vc.WithdrawAssessment(valuation_id=valuation_id, reason="资料不全"),
                                      actor_id=market.valuer)
    market.clock.advance(timedelta(minutes=1))
    refused(market, ConflictError, "valuation_id: the assessment is withdrawn", countersign, market, valuation_id,
            market.agency_admin)


def test_a_comparables_reference_and_date_are_recorded_not_computed_and_checked() -> None:
    rows = [{"reference": "<script>alert(1)</script> ZL2019", "date": "2025-06-30", "price": "500000"}]
    assert calculate("market_comparables", {"comparables": rows}).value == Decimal(500_000)
    with pytest.raises(ValidationError, match=r"inputs\.comparables\.0\.date: must be a date"):
        calculate("market_comparables", {"comparables": [{"price": "1", "date": "30/06/2025"}]})
    with pytest.raises(ValidationError, match=r"inputs\.comparables\.0\.reference: must be one line"):
        calculate("market_comparables", {"comparables": [{"price": "1", "reference": "a\nb"}]})
    with pytest.raises(ValidationError, match=r"inputs\.comparables\.0\.colour: is not a comparable's field"):
        calculate("market_comparables", {"comparables": [{"price": "1", "colour": "red"}]})


def test_pages_round_amounts_to_the_yuan_and_factors_to_four_places() -> None:
    assert yuan("338461.694282190828") == "338,462"
    assert yuan(Decimal("338461.5")) == "338,462"
    assert yuan("-0.2") == "0"
    assert factor("0.90909090909090909") == "0.9091"
    assert factor("1.10") == "1.1"
    assert factor(5) == "5"
    calculation = calculate("income_stream", {"incomes": "100000, 100000", "discount_rate": "0.1", "share": "0.3"})
    table = steps_table("income_stream", calculation.steps)
    assert table.scalars == [("share", "0.3")]
    assert table.columns == ["shared_incomes", "discount_factors", "present_values"]
    assert table.rows == [("1", ["30,000", "0.9091", "27,273"]), ("2", ["30,000", "0.8264", "24,793"])]
    market = steps_table("market_comparables", {"factor_products": ["1.1"], "adjusted_prices": ["550000.4"]},
                         {"comparables": [{"price": "500000", "reference": "ZL2019"}]})
    assert (market.per, market.rows) == ("comparable", [("1 · ZL2019", ["1.1", "550,000"])])


def test_an_assessment_recorded_before_signing_loads_unsigned_and_cannot_be_countersigned(market: Market) -> None:
    old = Valuation(  # the Recorded event as written before signing existed: no digest, no signer
        patent_id=market.patent, valuer_id=market.valuer,
        organisation_id=market.app.repository.get(market.valuer).organisation_id, purpose="transfer",
        basis_date="2026-03-01", method="cost_depreciated", inputs={}, value="800000", low="700000",
        high="900000", unit="CNY", assumptions="", report_reference="R-0", steps={}, supersedes=None,
        by=market.valuer,
    )
    market.app.save(old)
    loaded: Valuation = market.app.repository.get(old.id)
    assert (loaded.report_sha256, loaded.signed_by, loaded.signed_at) == ("", None, "")
    refused(market, ConflictError, "valuation_id: the assessment was recorded before signing existed", countersign,
            market, old.id, market.agency_admin, "0" * 64)


def test_a_refused_range_names_the_computed_value_rounded_to_the_side_it_must_stay_on(market: Market) -> None:
    comparables = {"comparables": [{"price": "500000", "technical_factor": "1.1"},
                                   {"price": "400000", "time_factor": "0.93"}, {"price": "100000"}]}
    for low, high, message in (
        (Decimal(340_667), Decimal(380_000), "low: must be at most the computed value 340666.66"),
        (Decimal(300_000), Decimal(340_666), "high: must be at least the computed value 340666.67"),
    ):
        refused(market, ValidationError, message, assess, market, method="market_comparables", inputs=comparables,
                low=low, high=high)
    assess(market, method="market_comparables", inputs=comparables, low=Decimal("340666.66"),
           high=Decimal("340666.67"))  # the figures the refusals named are acceptable bounds
