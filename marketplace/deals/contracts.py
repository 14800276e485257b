"""Contract commands: notice, consents, signing, coming into force, registration, payments due, open licences."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.accounts.organisation import Organisation
from domain.accounts.user import Role, User
from domain.catalogue.listing import DealType, Listing, ListingStatus
from domain.catalogue.patent import Patent
from domain.deals.contract import Contract, LicenceContract, TransferContract
from domain.deals.contract_terms import ContractStatus, open_licence_contract_id
from domain.deals.contract_text import text_sha256
from domain.deals.contracting import (
    draft_contract,
    fall_due,
    open_licence_terms,
    require_effect_possible,
    unique,
)
from domain.deals.development import (
    DevelopmentContract,
    DevelopmentKind,
    default_ownership,
    development_terms,
    draft_development,
    drafted_milestones,
    render_development,
)
from domain.deals.payment import obligation_id
from domain.deals.royalty import closes_licence_year, minimum_royalty_due, royalty_due
from domain.shared.errors import (
    ConcurrentModificationError,
    ConflictError,
    ContractStateError,
    ListingNotOpenError,
    PermissionDeniedError,
    ValidationError,
)
from marketplace.catalogue.patents import BEIJING
from marketplace.deals import commands as d
from marketplace.deals.checks import DealChecks, DealPolicy
from marketplace.platform.app_base import SYSTEM_ACTOR, MarketplaceBase


class TakeUp(NamedTuple):
    """An open-licence take-up: the contract, the log position, and whether it was drafted just now."""

    contract_id: UUID
    position: int
    created: bool


class Contracts:
    """A drafted contract from public notice to signed, in force, registered and paying."""

    def __init__(self, store: MarketplaceBase, checks: DealChecks, policy: DealPolicy) -> None:
        self.store = store
        self.checks = checks
        self.policy = policy
        #: What a higher trade does when a contract of its own ends before taking effect (the auctions settle a
        #: lot whose seller ended its winner's contract): aggregates saved with the termination.
        self.on_ended: Callable[[Contract, User], list[Aggregate]] | None = None

    def _today(self) -> date:
        """Today's Beijing date: the day due dates and licence starts are counted in."""
        return self.store.clock.now().astimezone(BEIJING).date()

    def file_objection(self, cmd: d.FileObjection, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """A member of a verified organisation other than the seller objects to a negotiated price while
        its notice runs."""
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        objector = self.store.load(Organisation, user.organisation_id, "organisation")
        if not objector.can_trade:
            raise PermissionDeniedError(
                f"contract_id: {objector.name} must be verified by the platform before it can object to a notice",
                field="contract_id", key="notices.object_unverified",
            )
        objection = uuid4()
        contract.file_objection(
            objection, text=cmd.text, now=self.store.clock.now(), by=user.id, organisation_id=objector.id
        )
        return objection, self.store.commit(contract)

    def decide_objection(self, cmd: d.DecideObjection, *, actor_id: UUID | None) -> int:
        """The seller's org admin decides; an upheld objection ends the contract (it can never be signed)."""
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        self.checks.require_org_admin(user, contract.seller_organisation_id, "selling organisation", "contract_id")
        contract.decide_objection(cmd.objection_id, upheld=cmd.upheld, reason=cmd.reason, by=user.id)
        changed: list[Aggregate] = [contract]
        if cmd.upheld:
            contract.terminate(reason="an objection to the public notice was upheld", by=user.id)
            changed.append(self.checks.release(contract, reason="objection upheld", by=user.id))
        return self.store.commit(*changed)

    def terminate_contract(self, cmd: d.TerminateContract, *, actor_id: UUID | None) -> int:
        """End a contract before it is in force, so that what it reserved on the patent is free again.

        An org admin of a party may walk away while the contract is still being signed (``drafted``);
        a platform admin may also end a signed contract whose first payment never came. A contract in
        force ends only through the refund of its first payment. Money that arrives afterwards is owed
        back (``RefundOwed``).
        """
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if not cmd.reason.strip():
            raise ValidationError("reason: give the reason for ending the contract", field="reason", code="required")
        allowed: tuple[ContractStatus, ...]
        if user.has_role(Role.PLATFORM_ADMIN):
            allowed = (ContractStatus.DRAFTED, ContractStatus.SIGNED)
        elif user.has_role(Role.ORG_ADMIN) and user.organisation_id in contract.parties:
            allowed = (ContractStatus.DRAFTED,)
        else:
            raise PermissionDeniedError(
                "contract_id: only an org_admin of a party or a platform admin may end a contract", field="contract_id",
                code="contract.who_ends",
            )
        if contract.status == ContractStatus.TERMINATED:
            raise ContractStateError(
                "contract_id: the contract was already terminated", field="contract_id", code="contract.terminated"
            )
        if contract.status == ContractStatus.IN_FORCE:
            raise ContractStateError(
                "contract_id: the contract is in force; it ends through the refund of its first payment",
                field="contract_id", code="contract.ends_by_refund",
            )
        if contract.status not in allowed:
            raise ContractStateError(
                f"contract_id: a {contract.status} contract can be ended only by a platform admin", field="contract_id",
                code="contract.ended_by_admin", contract_status=contract.status,
            )
        contract.terminate(reason=f"ended before it took effect: {cmd.reason.strip()}", by=user.id)
        if isinstance(contract, DevelopmentContract):  # nothing was reserved on a patent
            return self.store.commit(contract)
        released = self.checks.release(contract, reason="ended before it took effect", by=user.id)
        followed = self.on_ended(contract, user) if self.on_ended is not None else []
        return self.store.commit(contract, released, *followed)

    def consent_as_co_owner(self, cmd: d.ConsentAsCoOwner, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if not user.has_role(Role.ORG_ADMIN):
            raise PermissionDeniedError(
                "contract_id: only an org_admin may consent for the organisation", field="contract_id",
                code="contract.consent_admin",
            )
        contract.consent(user.organisation_id, by=user.id)
        return self.store.commit(contract)

    def sign_contract(self, cmd: d.SignContract, *, actor_id: UUID | None) -> int:
        """A party's org admin signs the text it read; the last signature raises the first payments."""
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if not user.has_role(Role.ORG_ADMIN) or user.organisation_id not in contract.parties:
            raise PermissionDeniedError(
                "contract_id: only an org_admin of a party may sign", field="contract_id", code="contract.signer"
            )
        if isinstance(contract, DevelopmentContract):
            return self._sign_development(contract, cmd, user.organisation_id, by=user.id)
        patent = self.store.load(Patent, contract.patent_id, "patent_id")
        if not patent.is_owned_by(contract.seller_organisation_id):
            raise ConflictError(
                "patent_id: the seller no longer owns this patent", field="patent_id", code="patent.not_owned"
            )
        now = self.store.clock.now()
        contract.sign(
            user.organisation_id, text_sha256=cmd.text_sha256, patent_tradable=patent.is_tradable, now=now, by=user.id
        )
        require_effect_possible(contract, patent, now=now, by=user.id)
        return self.store.commit(*self._after_signature(contract, patent, now, by=user.id))

    def _sign_development(self, contract: DevelopmentContract, cmd: d.SignContract, organisation_id: UUID, *,
                          by: UUID) -> int:
        """A development contract stands on no patent; with the last signature it is in force (money follows
        the work: each milestone falls due when the client accepts it)."""
        now = self.store.clock.now()
        contract.sign(organisation_id, text_sha256=cmd.text_sha256, patent_tradable=True, now=now, by=by)
        if contract.status == ContractStatus.SIGNED:
            contract.come_into_force(now=now)
        return self.store.commit(contract)

    def _after_signature(self, contract: Contract, patent: Patent, now: datetime, *, by: UUID) -> list[Aggregate]:
        changed: list[Aggregate] = [contract, patent]
        if contract.status != ContractStatus.SIGNED:
            return changed
        changed += self.checks.raise_scheduled(contract, now.astimezone(BEIJING).date())
        if contract.first_purpose() is None:
            changed += self.checks.come_into_force(contract, patent, now, by=by)
        return unique(changed)

    # --- technology development (drafted by an award of the demand trade) ---------------------
    def draft_development(self, *, contract_id: UUID, developer_id: UUID, client_id: UUID, want: str,
                          price: int, steps: list[dict[str, Any]], deliverables: str, project: tuple[str, str],
                          refs: tuple[UUID, UUID], by: UUID) -> DevelopmentContract:
        """The development contract an award drafts (not saved: the caller saves it with the award).

        ``want``: ``commissioned`` or ``joint``; ``steps``: the proposal's milestones (title, due, amount);
        ``project``: the demand's title and target figures; ``refs``: the demand and proposal ids. Ownership of
        the results is the statutory default (民法典 arts. 859, 860); the platform fee and the developer
        institution's inventors' share are fixed with it, as for every contract."""
        developer = self.store.load(Organisation, developer_id, "organisation_id")
        client = self.store.load(Organisation, client_id, "organisation_id")
        kind = DevelopmentKind.COMMISSIONED.value if want == "commissioned" else DevelopmentKind.JOINT.value
        fallback = self._today() + timedelta(days=180)
        terms = development_terms(
            kind=kind, price=price, currency="CNY", milestones=drafted_milestones(steps, price, fallback),
            deliverables=deliverables, ownership=default_ownership(kind), demand_id=refs[0], proposal_id=refs[1],
            title=project[0],
        )
        text = render_development(contract_id=contract_id, terms=terms, client_name=client.name,
                                  developer_name=developer.name, demand_title=project[0], targets=project[1])
        return draft_development(
            contract_id=contract_id, developer_id=developer.id, client_id=client.id, terms=terms, text=text,
            text_sha256=text_sha256(*text), by=by, platform_fee_rate=self.policy.platform_fee_rate,
            inventor_share=developer.inventor_share if developer.is_institution else None,
        )

    def agree_development_results(self, cmd: d.AgreeDevelopmentResults, *, actor_id: UUID | None) -> int:
        """A party's org admin (who may sign) sets the draft's results clauses: ownership of the results and the
        confidentiality's years; the text and its SHA-256 change with them, so the other party signs what was
        agreed. Refused once a party has signed; the same terms again change nothing (a double submit: of two at
        once, the one saved second runs again on the state that won)."""
        return self.checks.once_more_if_beaten(lambda: self._agree_development_results(cmd, actor_id=actor_id))

    def _agree_development_results(self, cmd: d.AgreeDevelopmentResults, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if not isinstance(contract, DevelopmentContract):
            raise ContractStateError(
                "contract_id: the results clauses belong to development contracts", field="contract_id",
                code="development.results_only",
            )
        if not user.has_role(Role.ORG_ADMIN) or user.organisation_id not in contract.parties:
            raise PermissionDeniedError(
                "contract_id: only an org_admin of a party may agree the contract's terms", field="contract_id",
                code="contract.signer",
            )
        if not contract.agree_results(ownership=cmd.ownership, confidential_years=cmd.confidential_years,
                                      by=user.id):
            return self.store.commit()
        return self.store.commit(contract)

    # --- after signing ----------------------------------------------------------------------
    def record_registration(self, cmd: d.RecordRegistration, *, actor_id: UUID | None) -> int:
        """A party enters the patent office's reference (著录项目变更 for a transfer, 备案 for a licence)."""
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if user.organisation_id not in (contract.seller_organisation_id, contract.buyer_organisation_id):
            raise PermissionDeniedError(
                "contract_id: only a party may record the registration", field="contract_id",
                code="contract.party_registers",
            )
        contract.record_registration(cmd.reference, by=user.id)
        changed: list[Aggregate] = [contract]
        if isinstance(contract, TransferContract):
            patent = self.store.load(Patent, contract.patent_id, "patent_id")
            patent.register_transfer(contract.id, reference=contract.registration_reference or "", by=user.id)
            changed.append(patent)
        return self.store.commit(*changed)

    def reach_milestone(self, cmd: d.ReachMilestone, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """A party records a milestone; its payment falls due at once (on a development contract: the client
        accepts a delivered one). Of two at once, the one saved second runs again on the state that won."""
        return self.checks.once_more_if_beaten(lambda: self._reach_milestone(cmd, actor_id=actor_id))

    def _reach_milestone(self, cmd: d.ReachMilestone, *, actor_id: UUID | None) -> tuple[UUID, int]:
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if user.organisation_id not in (contract.seller_organisation_id, contract.buyer_organisation_id):
            raise PermissionDeniedError(
                "contract_id: only a party may record a milestone", field="contract_id", code="contract.party_milestone"
            )
        if isinstance(contract, DevelopmentContract):
            self.checks.require_member(user, contract.buyer_organisation_id, "client", "contract_id")
            oid = obligation_id(contract.id, f"milestone-{cmd.name.strip()}")
            if cmd.name.strip() in contract.milestones_reached and self.store.exists(oid):
                return oid, self.store.commit()  # accepted already (a double submit): the first answer
        amount = contract.reach_milestone(cmd.name.strip(), by=user.id)
        obligation = fall_due(
            contract, f"milestone-{cmd.name.strip()}", amount, self._today().isoformat()
        )
        return obligation.id, self.store.commit(contract, obligation)

    def deliver_milestone(self, cmd: d.DeliverMilestone, *, actor_id: UUID | None) -> int:
        """The developer records a development milestone as delivered; the client is asked to accept it."""
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if not isinstance(contract, DevelopmentContract):
            raise ContractStateError(
                "contract_id: deliveries are recorded on development contracts only", field="contract_id",
                code="development.only",
            )
        self.checks.require_member(user, contract.seller_organisation_id, "developer", "contract_id")
        if not contract.deliver_milestone(cmd.name.strip(), note=cmd.note, by=user.id):
            return self.store.commit()
        return self.store.commit(contract)

    def file_royalty_report(self, cmd: d.FileRoyaltyReport, *, actor_id: UUID | None) -> tuple[UUID | None, int]:
        """The licensee reports net sales; the royalty (with any minimum-royalty top-up) falls due."""
        user = self.store.actor(actor_id)
        contract = self.store.load(Contract, cmd.contract_id, "contract_id")
        if not isinstance(contract, LicenceContract):
            raise ContractStateError(
                "contract_id: royalties are reported on licences only",
                field="contract_id", code="royalty.licences_only"
            )
        self.checks.require_member(user, contract.buyer_organisation_id, "licensee", "contract_id")
        terms = contract.deal_terms
        assert terms.scope is not None
        contract.check_royalty_period(cmd.period_start, cmd.period_end)
        closes = closes_licence_year(terms.scope.start, cmd.period_end)
        due = royalty_due(
            net_sales=cmd.net_sales,
            rate=terms.royalty_rate,
            minimum_annual_royalty=terms.minimum_annual_royalty,
            royalties_so_far_this_year=contract.royalties_so_far_this_year,
            closes_licence_year=closes,
            # What the deadline worker already charged as this year's minimum is not charged again.
            minimum_credit=contract.minimum_credit(cmd.period_start),
        )
        obligation = None
        if due.total > 0:
            obligation = fall_due(
                contract, f"royalty-{cmd.period_end.isoformat()}", due.total, self._today().isoformat()
            )
        contract.report_royalty(
            period_start=cmd.period_start,
            period_end=cmd.period_end,
            net_sales=cmd.net_sales,
            royalty=due.royalty,
            top_up=due.top_up,
            closes_licence_year=closes,
            obligation_id=obligation.id if obligation else None,
            by=user.id,
            credit=due.credit,
        )
        changed: list[Aggregate] = [contract] if obligation is None else [contract, obligation]
        return (obligation.id if obligation else None), self.store.commit(*changed)

    def raise_due_instalments(self, today: date, contract_ids: Iterable[UUID]) -> int:
        """System: the instalments of these contracts whose due date has come become payment
        obligations (once each). The deadline worker finds the contracts in the deals read model."""
        position = 0
        for cid in contract_ids:
            contract = self.store.load(Contract, cid, "contract_id")
            if contract.status not in (ContractStatus.SIGNED, ContractStatus.IN_FORCE):
                continue
            raised = self.checks.raise_scheduled(contract, today)
            if raised:
                position = self.store.commit(*raised)
        return position

    def raise_minimum_royalties(self, today: date, contract_ids: Iterable[UUID]) -> int:
        """System: a licence year that ended (``today`` is a later day) without the report that closes it
        owes its minimum annual royalty at once: ``minimum-<last day of the year>``, the minimum less the
        running royalties its reports made payable (``MinimumRoyaltyFellDue`` on the contract, saved with
        the obligation). Once per year: the contract records it, and the obligation's id is the
        contract's and purpose's. A report of that year filed later is credited with it
        (``file_royalty_report``). The deadline worker finds the contracts in the deals read model."""
        position = 0
        for cid in contract_ids:
            contract = self.store.load(Contract, cid, "contract_id")
            if not isinstance(contract, LicenceContract):
                continue
            for year_end in contract.years_owing_minimum(today):
                amount = minimum_royalty_due(
                    minimum_annual_royalty=int(contract.terms["minimum_annual_royalty"]),
                    royalties_reported_this_year=contract.royalties_reported_in_year(year_end),
                )
                due_on = (year_end + timedelta(days=1)).isoformat()
                obligation = fall_due(contract, f"minimum-{year_end.isoformat()}", amount, due_on) if amount else None
                contract.charge_minimum_royalty(
                    year_end=year_end, amount=amount, obligation_id=obligation.id if obligation else None,
                    by=SYSTEM_ACTOR,
                )
                changed: list[Aggregate] = [contract] if obligation is None else [contract, obligation]
                try:
                    position = self.store.commit(*changed)
                except ConcurrentModificationError:
                    break  # another worker (or a report just filed) changed the contract: the next pass sees it
        return position

    # --- open licence -----------------------------------------------------------------------
    def take_open_licence(self, cmd: d.TakeOpenLicence, *, actor_id: UUID | None) -> tuple[UUID, int]:
        """Any verified organisation takes a non-exclusive licence on the posted terms at once (专利法 art. 51).

        One live take-up per licensee and listing: a repeat (a double click, or two at once) answers
        the live contract's id and records nothing (``take_up_open_licence`` says which it was)."""
        taken = self.take_up_open_licence(cmd, actor_id=actor_id)
        return taken.contract_id, taken.position

    def take_up_open_licence(self, cmd: d.TakeOpenLicence, *, actor_id: UUID | None) -> TakeUp:
        """``take_open_licence``, saying whether the contract was drafted now or was already live.

        The live take-up is found on the Patent aggregate (the licensee's licences not ended), not in
        a read model; the Patent is saved with every take-up, so of two at once only one is saved and
        the other, run again, finds it.
        """
        return self.checks.once_more_if_beaten(lambda: self._take_open_licence(cmd, actor_id=actor_id))

    def _live_take_up(self, patent: Patent, listing_id: UUID, licensee: UUID) -> UUID | None:
        for cid, licence in patent.licences.items():
            if licence["status"] == "ended" or licence["licensee_organisation_id"] != str(licensee):
                continue
            contract = self.store.load(Contract, UUID(cid), "contract_id")
            if contract.is_open_licence and contract.listing_id == listing_id and contract.is_live:
                return contract.id
        return None

    def preview_open_licence(self, listing_id: UUID, *, actor_id: UUID | None) -> OpenLicencePreview:
        """What taking up the open licence would sign now, recording nothing: the contract text (zh, en),
        its SHA-256 and terms; or the live take-up when the actor's organisation already holds one.

        The same checks as the take-up refuse it (no live declaration, an owner, an unverified buyer)."""
        draft = self._draft_take_up(listing_id, actor_id)
        if draft.contract is None:
            return OpenLicencePreview(live_contract_id=draft.live, contract_id=None, text_zh="", text_en="",
                                      text_sha256="", terms={})
        k = draft.contract
        return OpenLicencePreview(live_contract_id=None, contract_id=k.id, text_zh=k.text_zh, text_en=k.text_en,
                                  text_sha256=k.text_sha256, terms=dict(k.terms))

    def _draft_take_up(self, listing_id: UUID, actor_id: UUID | None) -> _TakeUpDraft:
        """The take-up's contract drafted on the loaded aggregates (saved only by ``_take_open_licence``)."""
        user = self.store.actor(actor_id)
        listing = self.store.load(Listing, listing_id, "listing_id")
        posted = listing.terms.get("open_licence")
        if (
            listing.status != ListingStatus.PUBLISHED
            or DealType.OPEN_LICENCE.value not in listing.terms["deal_types"]
            or not posted
        ):
            raise ListingNotOpenError(
                "listing_id: this listing has no live open-licence declaration", field="listing_id",
                key="refusal.no_open_licence",
            )
        patent = self.store.load(Patent, listing.patent_id, "patent_id")
        buyer = self.checks.trading_organisation(user.organisation_id, "organisation")
        if patent.is_owned_by(buyer.id) or buyer.id == listing.organisation_id:
            raise PermissionDeniedError(
                "listing_id: an owner of the patent cannot license it to itself", field="listing_id",
                key="refusal.own_patent",
            )
        designated = listing.terms.get("licensees") or []  # a conversion's designated licensees (限时转化)
        if designated and str(buyer.id) not in designated:
            raise PermissionDeniedError(
                "listing_id: this licence is open to the licensees the programme officer designated only",
                field="listing_id", code="conversion.not_designated",
            )
        taken = self._live_take_up(patent, listing.id, buyer.id)
        if taken is not None:
            return _TakeUpDraft(user.id, taken, None, None)
        seller = self.store.load(Organisation, listing.organisation_id, "organisation_id")
        now = self.store.clock.now()
        held = sum(1 for licence in patent.licences.values() if licence["licensee_organisation_id"] == str(buyer.id))
        contract = draft_contract(
            contract_id=open_licence_contract_id(listing.id, buyer.id, held + 1),
            offer_id=None,
            listing=listing,
            patent=patent,
            seller=seller,
            buyer=buyer,
            terms=open_licence_terms(posted, now.astimezone(BEIJING).date()),
            notice_ends_at=None,
            broker=(None, 0),
            platform_fee_rate=self.policy.platform_fee_rate,
            by=user.id,
            now=now,
        )
        return _TakeUpDraft(user.id, None, contract, patent)

    def _take_open_licence(self, cmd: d.TakeOpenLicence, *, actor_id: UUID | None) -> TakeUp:
        draft = self._draft_take_up(cmd.listing_id, actor_id)
        if draft.live is not None:
            return TakeUp(draft.live, self.store.commit(), created=False)
        contract, patent = draft.contract, draft.patent
        assert contract is not None
        assert patent is not None
        if cmd.text_sha256 is not None and cmd.text_sha256 != contract.text_sha256:
            raise ContractStateError(
                "text_sha256: the contract text is no longer the one you were shown (the listing's terms, a "
                "party's name or the start date changed); nothing was signed: read it again",
                field="text_sha256", key="refusal.open_licence_text_changed",
            )
        now = self.store.clock.now()
        contract.sign(contract.buyer_organisation_id, text_sha256=contract.text_sha256, patent_tradable=True,
                      now=now, by=draft.user_id)
        changed = self._after_signature(contract, patent, now, by=draft.user_id)
        return TakeUp(contract.id, self.store.commit(*changed), created=True)


class OpenLicencePreview(NamedTuple):
    """What a take-up would sign (``contract_id`` and the texts), or the live take-up (``live_contract_id``)."""

    live_contract_id: UUID | None
    contract_id: UUID | None
    text_zh: str
    text_en: str
    text_sha256: str
    terms: dict[str, Any]


class _TakeUpDraft(NamedTuple):
    user_id: UUID
    live: UUID | None
    contract: Contract | None
    patent: Patent | None
