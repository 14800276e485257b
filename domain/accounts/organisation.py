"""The Organisation aggregate: universities, institutes, enterprises, agencies and government bodies."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import organisation_id
from domain.shared.text import checked
from domain.shared.topics import stored_as


class OrganisationKind(StrEnum):
    """The kinds of organisation the policy names (高校, 科研机构, 企业, 评估机构, 技术转移机构, 主管部门)."""

    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    ENTERPRISE = "enterprise"
    VALUATION_AGENCY = "valuation_agency"
    TRANSFER_AGENCY = "transfer_agency"
    GOVERNMENT = "government"


def parse_kind(value: str) -> OrganisationKind:
    try:
        return OrganisationKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in OrganisationKind)
        raise ValidationError(f"kind: must be one of {allowed}", field="kind", code="choice") from None


def clean_name(name: str) -> str:
    """The name as recorded: one line of text (``domain.shared.text``), NFC, white space collapsed.

    Whether two names are one organisation is decided on ``domain.text.name_key`` (the id).
    """
    cleaned = " ".join(checked(name, "name").split())
    if not 2 <= len(cleaned) <= 200:
        raise ValidationError("name: must be 2 to 200 characters", field="name", code="length", least=2, most=200)
    return cleaned


#: Qualifications a programme's rules may ask of a beneficiary, verified by the platform or an officer:
#: a state-owned enterprise (国有企业), a registered technology SME (科技型中小企业), a maker (创客).
ORGANISATION_FLAGS = ("soe", "tech_sme", "maker")


class Organisation(Aggregate):
    """A legal person that lists, buys, values or oversees patents on the marketplace.

    A new organisation is unverified until a platform admin reviews it; only verified
    organisations may list or buy.
    """

    class Registered(Aggregate.Created):
        name: str
        kind: str
        region: str
        verified: bool
        by: UUID | None

    @staticmethod
    def create_id(name: str, **_: object) -> UUID:
        return organisation_id(name)

    @event(Registered)
    def __init__(
        self, name: str, kind: str, region: str, verified: bool, by: UUID | None
    ) -> None:
        self.name = name
        self.kind = kind
        self.region = region
        self.verified = verified
        self.registered_by = by

    @classmethod
    def register(
        cls,
        *,
        name: str,
        kind: str,
        region: str = "",
        verified: bool = False,
        by: UUID | None = None,
    ) -> Organisation:
        return cls(
            name=clean_name(name),
            kind=parse_kind(kind).value,
            region=checked(region, "region").strip()[:100],
            verified=verified,
            by=by,
        )

    def verify(self, *, by: UUID) -> None:
        if self.verified:
            raise ConflictError(f"organisation {self.name} is already verified", code="organisation.verified")
        self._verified(by=by)

    @event("Verified")
    def _verified(self, by: UUID) -> None:
        self.verified = True

    @property
    def can_trade(self) -> bool:
        return self.verified

    # --- deals (docs/DEALS.md) ----------------------------------------------------------
    @property
    def inventor_share(self) -> int:
        """Inventors' share of net income from transfers and licences, in basis points.

        促进科技成果转化法 art. 45: without the unit's own rule, at least 50 % of the net income.
        """
        return int(self.__dict__.get("_inventor_share", 5_000))

    @property
    def is_institution(self) -> bool:
        """A university or research institute: benefit sharing with inventors and public notice apply."""
        return self.kind in (OrganisationKind.UNIVERSITY.value, OrganisationKind.RESEARCH_INSTITUTE.value)

    @property
    def benefit_rule_set(self) -> bool:
        """Whether the institution set its own rule (else the legal floor applies)."""
        return "_inventor_share" in self.__dict__

    def set_benefit_rules(self, *, inventor_share: int, by: UUID) -> None:
        if not 5_000 <= inventor_share <= 10_000:
            raise ValidationError(
                f"inventor_share: must be 50 % (the legal floor of 促进科技成果转化法 art. 45) to 100 %, "
                f"not {inventor_share / 100:g} %",
                field="inventor_share", code="organisation.inventor_share", got=f"{inventor_share / 100:g}",
            )
        if inventor_share == self.inventor_share and "_inventor_share" in self.__dict__:
            raise ConflictError("inventor_share: this rule is already set", field="inventor_share",
                                code="organisation.rule_set")
        self._benefit_rules_set(inventor_share=inventor_share, by=by)

    @event("BenefitRulesSet")
    def _benefit_rules_set(self, inventor_share: int, by: UUID) -> None:
        self.__dict__["_inventor_share"] = inventor_share

    # --- verified qualifications (programmes' conditions) ------------------------------------
    @property
    def flags(self) -> frozenset[str]:
        """What the platform or a programme officer verified the organisation to be (``ORGANISATION_FLAGS``)."""
        return frozenset(self.__dict__.get("_flags", ()))

    def verify_flags(self, *, flags: list[str], by: UUID) -> None:
        """Record the organisation's verified qualifications (the whole set: a flag left out is withdrawn)."""
        unknown = sorted(set(flags) - set(ORGANISATION_FLAGS))
        if unknown:
            raise ValidationError(
                f"flags: {', '.join(unknown)} is not one of {', '.join(ORGANISATION_FLAGS)}", field="flags",
                code="choice",
            )
        if frozenset(flags) == self.flags:
            raise ConflictError("flags: these qualifications are already recorded", field="flags",
                                code="organisation.flags_recorded")
        self._flags_verified(flags=sorted(set(flags)), by=by)

    @event("FlagsVerified")
    def _flags_verified(self, flags: list[str], by: UUID) -> None:
        self.__dict__["_flags"] = tuple(flags)


stored_as("domain.organisation", __name__)  # moved from domain/organisation.py: its stored topics stay
