"""Programmes in the JSON API: programmes (public unless a draft), the officer's commands and claim queue,
and a beneficiary's claims. The application checks roles and organisations on the aggregates."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import HeaderParameter

from domain.programmes.programme import IDEMPOTENCY_KEY
from marketplace.accounts import commands as ac
from marketplace.platform.application import Marketplace
from marketplace.programmes import commands as pc
from projections.programmes.queries import ClaimRow, ProgrammeRow, ProgrammesQueries
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.commands import run_command
from web.context import Identity
from web.programmes.labels import LABELS
from web.programmes.pages import officer_of, readable_programme
from web.state import WebState

#: Names one draft request: sent again with the same key, the request answers the programme drafted first.
IdempotencyKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", min_length=8, max_length=100, pattern=IDEMPOTENCY_KEY.pattern,
    description="a key of your choice naming this request (8 to 100 letters, digits or . _ : -), e.g. a UUID")]


class ProgrammeOut(msgspec.Struct, frozen=True, kw_only=True):
    """A programme: its rules (latest version and every version), budget and what is committed and paid."""

    id: UUID
    organisation_id: UUID
    organisation_name: str
    kind: str
    name_zh: str
    name_en: str
    source: str
    budget: int
    committed: int
    disbursed: int
    remaining: int
    starts_on: date
    ends_on: date
    status: str
    rules: dict[str, Any]
    rules_versions: list[dict[str, Any]]

    @classmethod
    def of(cls, p: ProgrammeRow) -> ProgrammeOut:
        return cls(id=p.id, organisation_id=p.organisation_id, organisation_name=p.organisation_name, kind=p.kind,
                   name_zh=p.name_zh, name_en=p.name_en, source=p.source, budget=p.budget, committed=p.committed,
                   disbursed=p.disbursed, remaining=p.remaining, starts_on=p.starts_on, ends_on=p.ends_on,
                   status=p.status, rules=p.rules, rules_versions=p.rules_versions)


class ReviseRulesInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    effective_from: date
    rules: pc.RulesInput


class CloseInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str = ""


class SubmitInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    payee_account: str
    registration_number: str = ""


class ReasonInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str


class BankReferenceInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    bank_reference: str


class FlagsInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The whole set of verified qualifications: ``soe``, ``tech_sme``, ``maker`` (a flag left out is withdrawn)."""

    flags: list[str]


class RelatedOut(msgspec.Struct, frozen=True, kw_only=True):
    """Whether an officer has recorded two organisations as related parties (关联方), and the latest reason."""

    related: bool
    reason: str = ""


class ReasonOut(msgspec.Struct, frozen=True, kw_only=True):
    """Why a programme gave a payment nothing: the label key and its text in both languages."""

    key: str
    zh: str
    en: str


class AssessmentOut(msgspec.Struct, frozen=True, kw_only=True):
    """One programme's outcome for one side of a paid obligation: the award (0 when refused), whether it was
    chosen (就高不重复: the higher of overlapping awards), and every reason it was refused."""

    programme_id: UUID
    side: str
    rules_version: int
    amount: int
    chosen: bool
    refusals: list[ReasonOut]


class ApprovedOut(msgspec.Struct, frozen=True):
    """The amount approved (the award, or what the budget and caps still held) and the log position."""

    amount: int
    position: int


class ProgrammesApiController(Controller):
    path = "/api"
    tags = ["programmes"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/programmes", summary="Programmes (open and closed; an officer's own drafts too)", security=OPTIONAL_BEARER)
    async def programmes(self, web: WebState, programmes: ProgrammesQueries,
                         maybe_me: Identity | None) -> list[ProgrammeOut]:
        mine = (await programmes.programmes(organisation_id=maybe_me.organisation_id)
                if maybe_me is not None and await officer_of(web, maybe_me) else [])
        seen = {p.id for p in mine}
        return [ProgrammeOut.of(p) for p in mine + [p for p in await programmes.programmes(public=True)
                                                    if p.id not in seen]]

    @get("/programmes/{programme_id:uuid}", summary="A programme", security=OPTIONAL_BEARER)
    async def programme(self, programme_id: UUID, web: WebState, programmes: ProgrammesQueries,
                        maybe_me: Identity | None) -> ProgrammeOut:
        return ProgrammeOut.of(await readable_programme(web, programmes, maybe_me, programme_id))

    @post("/programmes", summary="Draft a programme (programme officer of a government department)", security=BEARER,
          description="With an `Idempotency-Key` header, the same request sent again (a retry, a double click) "
                      "answers the programme the first one drafted instead of drafting another.")
    async def draft(self, data: pc.DraftProgramme, web: WebState, marketplace: Marketplace, me: Identity,
                    idempotency_key: IdempotencyKey = None) -> Created:
        programme_id, position = await run_command(web, marketplace.programmes.draft_programme, data, me,
                                                   idempotency_key=idempotency_key or "")
        return Created(programme_id, position)

    @post("/programmes/{programme_id:uuid}/rules", summary="A new version of the rules, in force from a date",
          status_code=200, security=BEARER)
    async def revise(self, programme_id: UUID, data: ReviseRulesInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = pc.ReviseRules(programme_id=programme_id, effective_from=data.effective_from, rules=data.rules)
        return Done(await run_command(web, marketplace.programmes.revise_rules, cmd, me))

    @post("/programmes/{programme_id:uuid}/open", summary="Open a drafted programme", status_code=200,
          security=BEARER)
    async def open(self, programme_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = pc.OpenProgramme(programme_id=programme_id)
        return Done(await run_command(web, marketplace.programmes.open_programme, cmd, me))

    @post("/programmes/{programme_id:uuid}/close", summary="Close a programme", status_code=200, security=BEARER)
    async def close(self, programme_id: UUID, data: CloseInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Done:
        cmd = pc.CloseProgramme(programme_id=programme_id, reason=data.reason)
        return Done(await run_command(web, marketplace.programmes.close_programme, cmd, me))

    @get("/programmes/{programme_id:uuid}/claims", summary="A programme's claims (its department's officers)",
         security=BEARER)
    async def claims(self, programme_id: UUID, web: WebState, programmes: ProgrammesQueries,
                     me: Identity, status: str | None = None) -> list[ClaimRow]:
        programme = await programmes.get_programme(programme_id)
        if programme is None:
            raise NotFoundException(f"programme_id: no programme with id {programme_id}")
        if not await officer_of(web, me, programme):
            raise PermissionDeniedException("programme_id: the claims are its department's officers' only")
        return await programmes.claims(programme_id=programme_id, status=status)

    @get("/my/claims", summary="My organisation's claims", security=BEARER)
    async def my_claims(self, programmes: ProgrammesQueries, me: Identity) -> list[ClaimRow]:
        return await programmes.claims(beneficiary_id=me.organisation_id)

    @post("/claims/{claim_id:uuid}/submit", summary="Submit a claim (the beneficiary's org admin)", status_code=200,
          security=BEARER)
    async def submit(self, claim_id: UUID, data: SubmitInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = pc.SubmitClaim(claim_id=claim_id, payee_account=data.payee_account,
                             registration_number=data.registration_number)
        return Done(await run_command(web, marketplace.programmes.submit_claim, cmd, me))

    @post("/claims/{claim_id:uuid}/approve", summary="Approve a claim within the budget and caps", status_code=200,
          security=BEARER)
    async def approve(self, claim_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> ApprovedOut:
        amount, position = await run_command(web, marketplace.programmes.approve_claim,
                                             pc.ApproveClaim(claim_id=claim_id), me)
        return ApprovedOut(amount, position)

    @post("/claims/{claim_id:uuid}/reject", summary="Reject a claim with a reason", status_code=200, security=BEARER)
    async def reject(self, claim_id: UUID, data: ReasonInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = pc.RejectClaim(claim_id=claim_id, reason=data.reason)
        return Done(await run_command(web, marketplace.programmes.reject_claim, cmd, me))

    @post("/claims/{claim_id:uuid}/disbursement", summary="Record that an approved award was paid", status_code=200,
          security=BEARER)
    async def disbursement(self, claim_id: UUID, data: BankReferenceInput, web: WebState, marketplace: Marketplace,
                           me: Identity) -> Done:
        cmd = pc.RecordDisbursement(claim_id=claim_id, bank_reference=data.bank_reference)
        return Done(await run_command(web, marketplace.programmes.record_disbursement, cmd, me))

    @post("/claims/{claim_id:uuid}/recovery", summary="Record that an award owed back was repaid", status_code=200,
          security=BEARER)
    async def recovery(self, claim_id: UUID, data: BankReferenceInput, web: WebState, marketplace: Marketplace,
                       me: Identity) -> Done:
        cmd = pc.RecordRecovery(claim_id=claim_id, bank_reference=data.bank_reference)
        return Done(await run_command(web, marketplace.programmes.record_recovery, cmd, me))

    @post("/organisations/{organisation_id:uuid}/flags", status_code=200, security=BEARER,
          summary="Record an organisation's verified qualifications (platform admin or programme officer)")
    async def flags(self, organisation_id: UUID, data: FlagsInput, web: WebState, marketplace: Marketplace,
                    me: Identity) -> Done:
        cmd = ac.VerifyOrganisationFlags(organisation_id=organisation_id, flags=data.flags)
        return Done(await run_command(web, marketplace.accounts.verify_organisation_flags, cmd, me))

    @post("/related-parties", status_code=200, security=BEARER,
          summary="Record two organisations as related parties (programme officer); rules excluding them refuse "
                  "payments between them")
    async def mark_related(self, data: pc.MarkRelatedParties, web: WebState, marketplace: Marketplace,
                           me: Identity) -> Done:
        return Done(await run_command(web, marketplace.programmes.mark_related_parties, data, me))

    @post("/related-parties/withdraw", status_code=200, security=BEARER,
          summary="Withdraw a recorded relation between two organisations (programme officer)")
    async def withdraw_related(self, data: pc.WithdrawRelatedParties, web: WebState, marketplace: Marketplace,
                               me: Identity) -> Done:
        return Done(await run_command(web, marketplace.programmes.withdraw_related_parties, data, me))

    @get("/related-parties/{organisation_id:uuid}/{related_organisation_id:uuid}", security=BEARER,
         summary="Whether two organisations are recorded as related parties (programme officers)")
    async def related(self, organisation_id: UUID, related_organisation_id: UUID, web: WebState,
                      marketplace: Marketplace, me: Identity) -> RelatedOut:
        if not await officer_of(web, me):
            raise PermissionDeniedException("this needs the role programme_officer")
        found = await web.run(marketplace.programmes.relation, organisation_id, related_organisation_id)
        return RelatedOut(related=found is not None and found.related, reason=found.reason if found else "")

    @get("/payments/{obligation_id:uuid}/programme-assessment", security=BEARER,
          summary="How the open programmes assessed a paid obligation: each award, or why there was none "
                  "(the payment's organisations, programme officers and platform admins)")
    async def assessment(self, obligation_id: UUID, web: WebState, marketplace: Marketplace,
                         me: Identity) -> list[AssessmentOut]:
        outcomes = await web.run(marketplace.programmes.payment_assessment, obligation_id, actor_id=me.user_id)
        return [AssessmentOut(programme_id=UUID(str(o["programme_id"])), side=o["side"],
                              rules_version=o["rules_version"], amount=o["amount"], chosen=o["chosen"],
                              refusals=[ReasonOut(key=k, zh=LABELS.get(k, (k, k))[0], en=LABELS.get(k, (k, k))[1])
                                        for k in o["refusals"]])
                for o in outcomes]
