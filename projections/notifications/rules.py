"""The notices of the deals, payments, programmes and demand trades (registered in ``REGISTRY`` on import)."""

from __future__ import annotations

from collections.abc import Iterable

from domain.deals.contract import Contract, LicenceContract, TransferContract
from domain.deals.offer import Offer
from domain.deals.payment import PaymentObligation
from domain.demand.demand import Demand
from domain.demand.enquiry import Enquiry
from domain.programmes.claim import Claim
from projections.notifications.registry import REGISTRY, Context, Notice, value
from projections.shared.records import EventRecord, plain

OTHER = {"buyer": "seller", "seller": "buyer"}

REGISTRY.say(
    offer_received=("收到报价", "Offer received"),
    offer_countered=("对方还价", "Counter-offer received"),
    offer_accepted=("报价已被接受", "Offer accepted"),
    offer_rejected=("报价已被拒绝", "Offer rejected"),
    offer_withdrawn=("报价已撤回", "Offer withdrawn"),
    contract_to_sign=("合同待签署", "Contract to sign"),
    contract_consent=("请共有人同意", "Co-owner's consent asked"),
    contract_signed=("对方已签署合同", "The other party signed the contract"),
    contract_objection=("公示期收到异议", "Objection filed during the public notice"),
    contract_decided=("异议已处理", "Objection decided"),
    contract_in_force=("合同已生效", "Contract in force"),
    payment_owed=("待付款", "Payment owed"),
    payment_received=("已收到付款", "Payment received"),
    payment_refunded=("已退款", "Payment refunded"),
    claim_raised=("补助申领已生成", "Programme claim raised"),
    claim_approved=("补助申领已批准", "Programme claim approved"),
    claim_rejected=("补助申领被驳回", "Programme claim rejected"),
    claim_paid=("补助已拨付", "Programme claim paid"),
    claim_recovery_due=("付款退款，部分补助应退回", "A payment was refunded: part of the award is owed back"),
    enquiry_asked=("收到咨询", "Enquiry received"),
    enquiry_answered=("咨询已答复", "Enquiry answered"),
    demand_proposal=("收到方案", "Proposal received"),
    demand_awarded=("方案中选", "Proposal awarded"),
    demand_declined=("方案未中选", "Proposal declined"),
)

# --- offers ---------------------------------------------------------------------------------------------


def _offer(ctx: Context, r: EventRecord, event: str, to: tuple[str, ...]) -> Notice:
    zh, en = ctx.listing_title(ctx_listing(ctx, r.originator_id))
    return Notice("offer", event, f"/offers/{r.originator_id}", zh, en, organisations=to)


def ctx_listing(ctx: Context, offer_id: str) -> str:
    found = ctx.parties(offer_id, "listing")
    return found[0] if found else offer_id


@REGISTRY.on(Offer, "Made")
def offer_made(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    ctx.remember(r.originator_id, "buyer", value(r, "buyer_organisation_id"))
    ctx.remember(r.originator_id, "seller", value(r, "seller_organisation_id"))
    ctx.remember(r.originator_id, "listing", value(r, "listing_id"))
    yield _offer(ctx, r, "offer.received", ctx.parties(r.originator_id, "seller"))


@REGISTRY.on(Offer, "Countered", "Accepted", "Rejected")
def offer_answered(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    other = OTHER.get(value(r, "side"), "")
    event = {"Countered": "offer.countered", "Accepted": "offer.accepted", "Rejected": "offer.rejected"}
    yield _offer(ctx, r, event[r.topic.rsplit(".", 1)[1]], ctx.parties(r.originator_id, other))


@REGISTRY.on(Offer, "Withdrawn")
def offer_withdrawn(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    yield _offer(ctx, r, "offer.withdrawn", ctx.parties(r.originator_id, "seller"))


# --- contracts ------------------------------------------------------------------------------------------

CONTRACTS = (Contract, LicenceContract, TransferContract)


def _contract(ctx: Context, r: EventRecord, event: str, to: tuple[str, ...]) -> Notice:
    listing = ctx.parties(r.originator_id, "listing")
    zh, en = ctx.listing_title(listing[0]) if listing else ("", "")
    return Notice("contract", event, f"/contracts/{r.originator_id}", zh, en, organisations=to)


def contract_drafted(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    ctx.remember(r.originator_id, "seller", value(r, "seller_organisation_id"))
    ctx.remember(r.originator_id, "buyer", value(r, "buyer_organisation_id"))
    ctx.remember(r.originator_id, "listing", value(r, "listing_id"))
    ctx.remember(r.originator_id, "co_owner", *[str(c) for c in plain(r.data.get("consents_required") or [])])
    yield _contract(ctx, r, "contract.to_sign", ctx.parties(r.originator_id, "seller", "buyer"))
    co_owners = ctx.parties(r.originator_id, "co_owner")
    if co_owners:
        yield _contract(ctx, r, "contract.consent", co_owners)


def contract_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    name = r.topic.rsplit(".", 1)[1]
    parties = ctx.parties(r.originator_id, "seller", "buyer")
    if name == "Signed":
        signer = value(r, "organisation_id")
        yield _contract(ctx, r, "contract.signed", tuple(o for o in parties if o != signer))
    elif name == "NoticeObjectionFiled":
        yield _contract(ctx, r, "contract.objection", parties)
    elif name == "NoticeObjectionDecided":
        yield _contract(ctx, r, "contract.decided", parties)
    elif name == "CameIntoForce":
        yield _contract(ctx, r, "contract.in_force", parties)


for _cls in CONTRACTS:
    REGISTRY.on(_cls, "Drafted")(contract_drafted)
    REGISTRY.on(_cls, "Signed", "NoticeObjectionFiled", "NoticeObjectionDecided", "CameIntoForce")(contract_event)

# --- payments -------------------------------------------------------------------------------------------


def _payment(r: EventRecord, event: str, to: tuple[str, ...]) -> Notice:
    return Notice("payment", event, f"/payments/{r.originator_id}", organisations=to)


@REGISTRY.on(PaymentObligation, "FellDue", "Paid", "Refunded")
def payment_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    name = r.topic.rsplit(".", 1)[1]
    if name == "FellDue":
        ctx.remember(r.originator_id, "payer", value(r, "payer_organisation_id"))
        ctx.remember(r.originator_id, "payee", value(r, "payee_organisation_id"))
        yield _payment(r, "payment.owed", ctx.parties(r.originator_id, "payer"))
    elif name == "Paid":
        yield _payment(r, "payment.received", ctx.parties(r.originator_id, "payee"))
    else:
        yield _payment(r, "payment.refunded", ctx.parties(r.originator_id, "payer"))


# --- programme claims -----------------------------------------------------------------------------------

CLAIM_EVENTS = {"Raised": "claim.raised", "Approved": "claim.approved", "Rejected": "claim.rejected",
                "Disbursed": "claim.paid", "PartRecoveryRaised": "claim.recovery_due"}


@REGISTRY.on(Claim, *CLAIM_EVENTS)
def claim_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    name = r.topic.rsplit(".", 1)[1]
    if name == "Raised":
        ctx.remember(r.originator_id, "beneficiary", value(r, "beneficiary_id"))
    yield Notice("claim", CLAIM_EVENTS[name], "/my/claims", organisations=ctx.parties(r.originator_id, "beneficiary"))


# --- enquiries and demands ------------------------------------------------------------------------------


@REGISTRY.on(Enquiry, "Opened", "Asked", "Answered")
def enquiry_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    name = r.topic.rsplit(".", 1)[1]
    if name == "Opened":
        ctx.remember(r.originator_id, "seller", value(r, "seller_organisation_id"))
        ctx.remember(r.originator_id, "enquirer", value(r, "enquirer_organisation_id"))
        ctx.remember(r.originator_id, "listing", value(r, "listing_id"))
    listing = ctx.parties(r.originator_id, "listing")
    zh, en = ctx.listing_title(listing[0]) if listing else ("", "")
    event, to = ("enquiry.answered", "enquirer") if name == "Answered" else ("enquiry.asked", "seller")
    yield Notice("enquiry", event, f"/enquiries/{r.originator_id}", zh, en,
                 organisations=ctx.parties(r.originator_id, to))


@REGISTRY.on(Demand, "Posted", "ProposalSubmitted", "ProposalAwarded", "ProposalDeclined")
def demand_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    name = r.topic.rsplit(".", 1)[1]
    if name == "Posted":
        ctx.remember(r.originator_id, "owner", value(r, "organisation_id"))
        return
    proposal = value(r, "proposal_id")
    zh, en = ctx.demand_title(r.originator_id)
    link = f"/demands/{r.originator_id}"
    if name == "ProposalSubmitted":
        ctx.remember(proposal, "proposer", value(r, "organisation_id"))
        yield Notice("demand", "demand.proposal", link, zh, en, organisations=ctx.parties(r.originator_id, "owner"))
    else:
        event = "demand.awarded" if name == "ProposalAwarded" else "demand.declined"
        yield Notice("demand", event, link, zh, en, organisations=ctx.parties(proposal, "proposer"))
