"""The institution's inventors' share as the pages and the API show it, and its refusals in the reader's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from domain.accounts.organisation import OrganisationKind
from domain.deals.benefit_sharing import MIN_INVENTOR_SHARE
from domain.shared.errors import DomainError, PermissionDeniedError, ValidationError
from projections.deals.queries import DealsQueries
from projections.deals.rows import BenefitRuleRow
from web.context import Identity
from web.state import WebState

#: The sellers whose inventors share in the net income (促进科技成果转化法 art. 45).
INSTITUTION_KINDS = (OrganisationKind.UNIVERSITY.value, OrganisationKind.RESEARCH_INSTITUTE.value)


class BenefitRule(NamedTuple):
    """An organisation's inventors' share as its pages show it."""

    institution: bool
    inventor_share: int
    rules: list[BenefitRuleRow]


async def current_benefit_rule(web: WebState, deals: DealsQueries, me: Identity) -> BenefitRule:
    """The inventors' share of ``me``'s organisation: its latest rule, else the legal floor."""
    org = await web.accounts.get_organisation(me.organisation_id)
    rules = await deals.benefit_rules(me.organisation_id)
    share = rules[0].inventor_share if rules else MIN_INVENTOR_SHARE
    return BenefitRule(org is not None and org.kind in INSTITUTION_KINDS, share, rules)


def benefit_share_refusal(error: DomainError, t: Callable[..., str], entered: str) -> str | None:
    """A refused inventors' share in the reader's words: the legal floor and the 100 % ceiling, or who may set it."""
    if isinstance(error, PermissionDeniedError):
        return t("benefit_rule.admin_only")
    if error.field == "inventor_share" and "two decimals" in error.message:
        return t("benefit_rule.decimals")
    if error.field == "inventor_share":
        return t("benefit_rule.refused", value=f"{entered} %" if entered else "—")
    if error.field == "organisation_id" and isinstance(error, ValidationError):
        return t("benefit_rule.institutions_only")
    return None
