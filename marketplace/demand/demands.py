"""Technology demand commands: post a demand, submit a sealed proposal, shortlist, award, decline.

Who may act is checked on the aggregates: a demand is posted by a member of a verified enterprise; a
proposal comes from a member of a verified university or research institute (one per organisation and
demand) and may link only its own organisation's published listings; the posting enterprise's members
decide, and only after the proposal deadline. Awarding a licence or purchase proposal that names a listing
makes the usual offer on that listing (``Offers.make_offer``) in the same transaction as the award; a
development proposal's award drafts its technology development contract (``Contracts.draft_development``), saved
with the award: of two awards at once one is saved, the other finds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation, OrganisationKind
from domain.accounts.user import Role, User
from domain.catalogue.ipc import parse_ipc
from domain.catalogue.listing import Listing, ListingStatus
from domain.catalogue.patent import Patent
from domain.deals.development import development_contract_id
from domain.deals.offer import Offer
from domain.deals.terms import DealKind
from domain.demand.demand import BEIJING, Demand, Want, check_demand, check_proposal, demand_proposal_id
from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import requested_id
from marketplace.deals import commands as dc
from marketplace.deals.checks import DealChecks
from marketplace.deals.contracts import Contracts
from marketplace.deals.offers import Offers
from marketplace.demand import demand_commands as mc
from marketplace.platform.app_base import MarketplaceBase

T = TypeVar("T")
#: A licence offered on an award runs this many years from the award (or to the patent's expiry, if sooner).
LICENCE_YEARS = 5


#: Whether a user is an accredited technology broker valid today: ``True`` if so, ``False`` if never accredited,
#: a coded refusal when the accreditation expired or was revoked. The market trade (above demand) provides it: the
#: composition root sets ``Demands.accredited_broker``, so demand holds the rule without importing market.
BrokerCheck = Callable[[User], bool]


class Award(NamedTuple):
    """What an award opened: the offer on the proposal's listing, or the development contract (or neither)."""

    offer_id: UUID | None
    contract_id: UUID | None
    position: int


class Demands:
    """Technology demands and their proposals (the demand trade's second part)."""

    def __init__(self, store: MarketplaceBase, checks: DealChecks, offers: Offers,
                 contracts: Contracts | None = None) -> None:
        self.store = store
        self.checks = checks
        self.offers = offers
        self.contracts = contracts
        #: Whether the acting user is an accredited broker today (it may send a demand back, as the platform may).
        self.accredited_broker: BrokerCheck | None = None

    def _now(self) -> datetime:
        return self.store.clock.now()

    def _today(self) -> date:
        return self._now().astimezone(BEIJING).date()

    def _done(self, changed: bool, *aggregates: Aggregate) -> int:
        if not changed:
            return self.store.recorder.max_notification_id() or 0
        return self.store.commit(*aggregates)

    def _retry(self, run: Callable[[], T]) -> T:
        for _ in range(3):
            try:
                return run()
            except ConflictError as error:
                if error.code != "version.stale":
                    raise
        raise ConflictError("demand_id: others are answering this demand right now; try again", field="demand_id",
                            code="demand.busy")

    def _organisation(self, user: User) -> Organisation:
        return self.checks.trading_organisation(user.organisation_id, "organisation")

    # --- the demand ---------------------------------------------------------------------------------
    def post(self, cmd: mc.PostDemand, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.store.actor(actor_id)
        org = self._organisation(user)
        if org.kind != OrganisationKind.ENTERPRISE.value:
            raise PermissionDeniedError("organisation: technology demands are posted by enterprises",
                                        field="organisation", code="demand.enterprise_only")
        codes = [parse_ipc(c, field="ipc_codes") for c in cmd.ipc_codes if c.strip()]
        if self.store.ipc_scheme is not None:
            for code in codes:
                self.store.ipc_scheme.require(code, field="ipc_codes")
        fields = check_demand(
            title_zh=cmd.title_zh, title_en=cmd.title_en, description_zh=cmd.description_zh,
            description_en=cmd.description_en, problem=cmd.problem, current_solution=cmd.current_solution,
            targets=cmd.targets, keywords=list(cmd.keywords), budget_min=cmd.budget_min, budget_max=cmd.budget_max,
            deadline=cmd.deadline, today=self._today(), wants=list(cmd.wants), visibility=cmd.visibility)
        # ``cmd.demand_id`` is the form's idempotency key, never the id itself (``requested_id``).
        demand_id = requested_id("demand", user.id, cmd.demand_id) if cmd.demand_id else uuid.uuid4()
        if self.store.exists(demand_id):
            existing = self.store.load(Demand, demand_id, "demand_id")
            if existing.organisation_id == org.id and existing.fields == fields:
                return demand_id, self.store.recorder.max_notification_id() or 0  # a double submit
            raise ConflictError("demand_id: this request key was used for another demand", field="demand_id",
                                code="demand.id_taken")
        demand = Demand.post(demand_id=demand_id, organisation_id=org.id, by=user.id,
                             ipc_codes=list(dict.fromkeys(str(c) for c in codes)), fields=fields)
        try:
            return demand_id, self.store.commit(demand)
        except ConflictError:  # the same form posted twice at once: the first one stands
            return demand_id, self.store.recorder.max_notification_id() or 0

    # --- proposals ----------------------------------------------------------------------------------
    def _check_listings(self, org: Organisation, listing_ids: Sequence[UUID]) -> None:
        for listing_id in listing_ids:
            listing = self.store.load(Listing, listing_id, "listing_ids")
            if listing.organisation_id != org.id or listing.status != ListingStatus.PUBLISHED.value:
                raise PermissionDeniedError("listing_ids: a proposal links only its organisation's published "
                                            "listings", field="listing_ids", code="demand.listing_not_yours")

    def submit(self, cmd: mc.SubmitProposal, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Record a sealed proposal; returns (proposal id, position). Sending the same proposal again records it
        once; a different one from the same organisation is refused."""
        user = self.store.actor(actor_id)
        org = self._organisation(user)
        if not org.is_institution:
            raise PermissionDeniedError("organisation: proposals come from universities and research institutes",
                                        field="organisation", code="demand.institution_only")
        self._check_listings(org, cmd.listing_ids)

        def run() -> tuple[UUID, int]:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            content = check_proposal(
                approach=cmd.approach, team=cmd.team, listing_ids=list(cmd.listing_ids), price=cmd.price,
                want=cmd.want, milestones=[{"title": m.title, "due": m.due, "amount": m.amount}
                                           for m in cmd.milestones], wants=demand.wants)
            changed = demand.submit(organisation_id=org.id, by=user.id, content=content, now=self._now())
            return demand_proposal_id(demand.id, org.id), self._done(changed, demand)

        return self._retry(run)

    # --- decisions ----------------------------------------------------------------------------------
    def shortlist(self, cmd: mc.ShortlistProposal, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)

        def run() -> int:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            changed = demand.shortlist(organisation_id=user.organisation_id, by=user.id,
                                       proposal_id=cmd.proposal_id, now=self._now())
            return self._done(changed, demand)

        return self._retry(run)

    def decline(self, cmd: mc.DeclineProposal, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)

        def run() -> int:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            changed = demand.decline(organisation_id=user.organisation_id, by=user.id, proposal_id=cmd.proposal_id,
                                     reason=cmd.reason, text=cmd.text, now=self._now())
            return self._done(changed, demand)

        return self._retry(run)

    # --- questions and clarification ------------------------------------------------------------------
    def ask_proposer(self, cmd: mc.AskQuestion, *, actor_id: UUID | None) -> int:
        """A member of the posting enterprise asks a proposer a question (thread per proposal)."""
        user = self.store.actor(actor_id)

        def run() -> int:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            changed = demand.ask(organisation_id=user.organisation_id, by=user.id, proposal_id=cmd.proposal_id,
                                 text=cmd.text, now=self._now())
            return self._done(changed, demand)

        return self._retry(run)

    def answer_enterprise(self, cmd: mc.AnswerQuestion, *, actor_id: UUID | None) -> int:
        """A member of the proposing organisation answers the open question on its proposal."""
        user = self.store.actor(actor_id)

        def run() -> int:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            changed = demand.answer(organisation_id=user.organisation_id, by=user.id, proposal_id=cmd.proposal_id,
                                    text=cmd.text)
            return self._done(changed, demand)

        return self._retry(run)

    def _require_reviewer(self, user: User) -> None:
        """A platform admin, or an accredited technology broker valid today, reviews demands (refused otherwise:
        an expired or revoked broker with the broker's own refusal)."""
        if user.has_role(Role.PLATFORM_ADMIN):
            return
        if self.accredited_broker is not None and self.accredited_broker(user):
            return
        raise PermissionDeniedError(
            "demand_id: only the platform or an accredited technology broker sends a demand back for clarification",
            field="demand_id", code="demand.not_reviewer")

    def may_send_back(self, actor_id: UUID) -> bool:
        """Whether the user may send demands back (for the page: whether to show the form)."""
        try:
            self._require_reviewer(self.store.actor(actor_id))
        except PermissionDeniedError:
            return False
        return True

    def send_back(self, cmd: mc.SendBackDemand, *, actor_id: UUID | None) -> int:
        """A platform admin or an accredited technology broker (技术经纪人, valid today) sends an open demand
        back for clarification with a reason."""
        user = self.store.actor(actor_id)
        self._require_reviewer(user)

        def run() -> int:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            return self._done(demand.send_back(by=user.id, reason=cmd.reason), demand)

        return self._retry(run)

    def resubmit(self, cmd: mc.ResubmitDemand, *, actor_id: UUID | None) -> int:
        """A member of the enterprise edits the problem, current solution, targets and budget of the demand sent
        back, and resubmits it (checked as a posting is, its other fields unchanged)."""
        user = self.store.actor(actor_id)

        def run() -> int:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            f = demand.fields
            fields = check_demand(
                title_zh=f["title_zh"], title_en=f["title_en"], description_zh=f["description_zh"],
                description_en=f["description_en"], problem=cmd.problem, current_solution=cmd.current_solution,
                targets=cmd.targets, keywords=list(f["keywords"]), budget_min=cmd.budget_min,
                budget_max=cmd.budget_max, deadline=demand.deadline, today=self._today(), wants=list(f["wants"]),
                visibility=f["visibility"])
            return self._done(demand.resubmit(organisation_id=user.organisation_id, by=user.id, fields=fields),
                              demand)

        return self._retry(run)

    def award(self, cmd: mc.AwardProposal, *, actor_id: UUID | None) -> tuple[UUID | None, int]:
        """Award a proposal; returns (the offer made on its listing, or None; position)."""
        done = self.award_proposal(cmd, actor_id=actor_id)
        return done.offer_id, done.position

    def award_proposal(self, cmd: mc.AwardProposal, *, actor_id: UUID | None) -> Award:
        """Award a proposal: a licence or purchase naming a listing opens an offer on it; a commissioned or joint
        development drafts the technology development contract. A repeat answers what the first award opened."""
        user = self.store.actor(actor_id)

        def run() -> Award:
            demand = self.store.load(Demand, cmd.demand_id, "demand_id")
            changed = demand.award(organisation_id=user.organisation_id, by=user.id, proposal_id=cmd.proposal_id,
                                   now=self._now())
            found = demand.proposals[cmd.proposal_id]
            if not changed:
                return Award(found.get("offer_id"), found.get("contract_id"),
                             self.store.recorder.max_notification_id() or 0)
            content: dict[str, Any] = found["content"]
            if content["want"] in (Want.COMMISSIONED.value, Want.JOINT.value) and self.contracts is not None:
                return self._draft_development(demand, cmd.proposal_id, found, by=user.id)
            if content["want"] not in (Want.LICENCE.value, Want.PURCHASE.value) or not content["listing_ids"]:
                return Award(None, None, self.store.commit(demand))
            offer_cmd = self._offer_terms(demand, content)

            def along(offer: Offer, by: User) -> Sequence[Aggregate]:
                demand.offer_made(by=by.id, proposal_id=cmd.proposal_id, offer_id=offer.id)
                return (demand,)

            offer_id, position = self.offers.make_offer(offer_cmd, actor_id=actor_id, along=along)
            return Award(offer_id, None, position)

        return self._retry(run)

    def _draft_development(self, demand: Demand, proposal_id: UUID, found: dict[str, Any], *, by: UUID) -> Award:
        """The award drafts the development contract, saved with it (one per demand: its id is the demand's)."""
        assert self.contracts is not None
        content: dict[str, Any] = found["content"]
        fields = demand.fields
        contract = self.contracts.draft_development(
            contract_id=development_contract_id(demand.id), developer_id=found["organisation_id"],
            client_id=demand.organisation_id, want=content["want"], price=int(content["price"]),
            steps=list(content["milestones"]), deliverables=content["approach"],
            project=(fields.get("title_zh") or fields.get("title_en") or "", fields.get("targets") or ""),
            refs=(demand.id, proposal_id), by=by,
        )
        demand.contract_drafted(by=by, proposal_id=proposal_id, contract_id=contract.id)
        return Award(None, contract.id, self.store.commit(demand, contract))

    def _offer_terms(self, demand: Demand, content: dict[str, Any]) -> dc.MakeOffer:
        """The offer an award opens: on the proposal's first listing, at the proposal's price; a purchase is an
        assignment, a licence the listing's least exclusive licence for ``LICENCE_YEARS`` years."""
        listing = self.store.load(Listing, UUID(content["listing_ids"][0]), "listing_ids")
        note = f"demand {demand.id}"
        if content["want"] == Want.PURCHASE.value:
            return dc.MakeOffer(listing_id=listing.id, kind=DealKind.ASSIGNMENT.value, price=content["price"],
                                note=note)
        offered = list(listing.terms["deal_types"])
        kinds = [k.value for k in (DealKind.NON_EXCLUSIVE_LICENCE, DealKind.SOLE_LICENCE, DealKind.EXCLUSIVE_LICENCE)
                 if k.value in offered]
        if not kinds:
            raise ValidationError("proposal_id: the proposal's listing offers no licence", field="proposal_id",
                                  code="demand.no_licence")
        start = self._today()
        end = start + timedelta(days=365 * LICENCE_YEARS + LICENCE_YEARS // 4)
        patent = self.store.load(Patent, listing.patent_id, "patent_id")
        if patent.expiry_date:
            end = min(end, date.fromisoformat(str(patent.expiry_date)))
        return dc.MakeOffer(listing_id=listing.id, kind=kinds[0], price=content["price"], note=note,
                            scope=dc.ScopeInput(start=start, end=end))
