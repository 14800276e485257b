"""Demo programmes: the provincial science department runs a seller reward and a purchase subsidy,
and the demo's paid deals have claims on them in several states (``data/deals.toml``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.programmes.claim import Claim
from marketplace.demo.deals import DEALS
from marketplace.demo.market import register_demo_contracts
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from marketplace.programmes.claims_process import ClaimsProcess


def _rules(spec: dict[str, Any]) -> pc.RulesInput:
    counterparty = []
    if "fuzhou_rate_bp" in spec:
        counterparty.append(pc.CounterpartyRateInput(rate_bp=spec["fuzhou_rate_bp"], region="福州",
                                                     kinds=["university", "research_institute"]))
    return pc.RulesInput(
        beneficiary="buyer" if spec["kind"] == "purchase_subsidy" else "seller",
        tiers=[pc.TierInput(rate_bp=spec["rate_bp"])], cap_per_deal=spec.get("cap_per_deal"),
        cap_per_beneficiary_year=spec.get("cap_per_year"), counterparty_rates=counterparty,
        buyer_region=spec.get("buyer_region", ""), seller_region=spec.get("seller_region", ""),
        requires_registration=True,
    )


def seed_demo_programmes(app: Marketplace, *, officer: UUID, today: date, admin_of: dict[UUID, UUID]) -> list[UUID]:
    """Open the demo programmes (this year's period), raise the claims the demo's payments earn, and move
    them along: one paid, one submitted; the others wait for their beneficiaries (``admin_of``: each
    organisation's first admin). Returns the programmes."""
    programmes: list[UUID] = []
    for spec in DEALS["programmes"]:
        programme_id, _ = app.programmes.draft_programme(pc.DraftProgramme(
            kind=spec["kind"], name_zh=spec["name_zh"], name_en=spec["name_en"], budget=spec["budget"],
            starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31), rules=_rules(spec),
            source=spec["source"]), actor_id=officer)
        app.programmes.open_programme(pc.OpenProgramme(programme_id=programme_id), actor_id=officer)
        programmes.append(programme_id)
    claims = ClaimsProcess(app.programmes).run_once().raised
    states = DEALS["claims"]
    # The sellers registered the paid contracts (技术合同认定登记): the claims give the registry's numbers.
    numbers = register_demo_contracts(app, [app.repository.get(c).contract_id for c in claims], admin_of=admin_of,
                                      year=today.year)
    for n, claim_id in enumerate(claims[:2]):
        claim: Claim = app.repository.get(claim_id)
        beneficiary = admin_of[claim.beneficiary_id]
        app.programmes.submit_claim(pc.SubmitClaim(claim_id=claim_id, payee_account=states["payee_account"],
                                                   registration_number=numbers[claim.contract_id]),
                                    actor_id=beneficiary)
        if n == 0:
            app.programmes.approve_claim(pc.ApproveClaim(claim_id=claim_id), actor_id=officer)
            app.programmes.record_disbursement(pc.RecordDisbursement(
                claim_id=claim_id, bank_reference=states["disbursement_reference"]), actor_id=officer)
    return programmes

