"""Audit log read model: one row per event of every aggregate, with actor, organisations and a summary.

Unlike the other views it takes every topic, so events of aggregates added later (offers,
contracts) appear without a change here; they get a generic summary until one is written.
Each page of events is written with one ``COPY``; what a row needs from earlier events (the
organisations an aggregate concerns, a patent's number) is read from this table's own rows,
so a rebuild reproduces identical rows whatever the paging. Its reads: ``projections.audit.queries``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.audit.read import AuditRead
from domain.catalogue.listing import Listing
from domain.catalogue.ownership_claim import OwnershipClaim
from domain.shared.ids import natural_id
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.rows import json_text

#: The actor the application records for the system's own events (``marketplace.application.SYSTEM_ACTOR``).
SYSTEM_ACTOR = natural_id("system", "marketplace")
#: Payload fields whose values never leave the event store: personal data in events of old stores
#: (new events hold none; the personal-data store has them, where they can be erased).
SECRET_FIELDS = frozenset({"password_hash", "email", "display_name"})
REDACTED = "(redacted)"
#: An auditor's read of a confidential record, also written to ``audit_reads``.
READ_RECORDED = get_topic(AuditRead.Recorded)
#: Events that name a patent whose number their summary shows.
NAMING_A_PATENT = frozenset({get_topic(Listing.Drafted), get_topic(OwnershipClaim.Filed)})
_META_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})

COPY_SQL = (
    "COPY audit_log_events (position, aggregate_id, aggregate_type, version, event_type, actor,"
    " organisation_ids, recorded_at, summary, data) FROM STDIN"
)
INSERT_READ_SQL = (
    "INSERT INTO audit_reads (position, reader_id, reader_roles, aggregate_id, aggregate_type, page, version,"
    " as_of, read_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
LATEST_ORGS_SQL = (
    "SELECT DISTINCT ON (aggregate_id) aggregate_id, organisation_ids FROM audit_log_events"
    " WHERE aggregate_id = ANY(%s) ORDER BY aggregate_id, version DESC"
)
PATENT_NUMBERS_SQL = (
    "SELECT aggregate_id, coalesce(data->>'publication_number', data->>'application_number', '') AS number"
    " FROM audit_log_events WHERE aggregate_id = ANY(%s) AND event_type = 'Patent.Registered'"
)


def clean(value: Any) -> Any:
    """Plain values (UUID and datetime envelopes unwrapped, as ``records.plain``) with secrets redacted.

    One pass over the payload, on the hot path of a rebuild.
    """
    kind = type(value)
    if kind is dict:
        envelope = value.get("_type_")
        if envelope is not None and "_data_" in value:
            data = value["_data_"]
            if envelope == "uuid_hex" and type(data) is str and len(data) == 32:
                return f"{data[:8]}-{data[8:12]}-{data[12:16]}-{data[16:20]}-{data[20:]}"
            return plain(value)
        return {k: REDACTED if k in SECRET_FIELDS else clean(v) for k, v in value.items()}
    if kind is list:
        return [clean(v) for v in value]
    return value


#: Aggregate classes filed under their common kind (a contract's events are defined on ``Contract``,
#: its creation on ``TransferContract`` or ``LicenceContract``): one filter finds them all.
AGGREGATE_KINDS = {"TransferContract": "Contract", "LicenceContract": "Contract", "DevelopmentContract": "Contract"}


def event_type_of(topic: str) -> tuple[str, str]:
    """``domain.listing:Listing.Published`` → (``Listing``, ``Listing.Published``)."""
    qualname = topic.partition(":")[2] or topic
    aggregate = qualname.split(".", 1)[0]
    return AGGREGATE_KINDS.get(aggregate, aggregate), qualname


def _money(amount: int | None, currency: str) -> str:
    return "" if amount is None else f"{currency} {amount / 100:,.2f}"


def _terms(terms: dict[str, Any]) -> str:
    mode = terms.get("price_mode", "")
    currency = terms.get("currency", "CNY")
    if mode == "fixed":
        price = f"fixed price {_money(terms.get('asking_price'), currency)}"
    elif mode == "open_licence" and terms.get("open_licence"):
        price = f"open-licence fee {_money(terms['open_licence'].get('fee'), currency)}"
    else:
        price = "price negotiable"
    deals = ", ".join(d.replace("_", " ") for d in terms.get("deal_types", []))
    return f"{price}; {deals}" if deals else price


def _deal(terms: dict[str, Any]) -> str:
    """``assignment at CNY 1,200,000.00`` from deal terms."""
    kind = str(terms.get("kind", "")).replace("_", " ")
    return f"{kind} at {_money(terms.get('price'), terms.get('currency', 'CNY'))}"


def _words(name: str) -> str:
    """``LegalStatusChanged`` → ``legal status changed``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


Summary = Callable[[dict[str, Any], dict[str, str]], str]

#: One readable line per event type; ``names`` maps aggregate ids to patent numbers.
SUMMARIES: dict[str, Summary] = {
    "Organisation.Registered": lambda d, _: (
        f"Organisation registered: {d['name']} ({d['kind'].replace('_', ' ')})"
        + (", verified" if d.get("verified") else ", awaiting verification")
    ),
    "Organisation.Verified": lambda d, _: "Organisation verified",
    "User.SignedUp": lambda d, _: (
        "User signed up"
        + (" (added by a colleague)" if d.get("by") else "")
        + f" with roles {', '.join(d.get('roles', []))}"
    ),
    "User.RoleGranted": lambda d, _: f"Role granted: {d['role']}",
    "User.RoleRevoked": lambda d, _: f"Role revoked: {d['role']}",
    "User.PasswordChanged": lambda d, _: "Password changed",
    "Patent.Registered": lambda d, _: (
        f"Patent {d.get('publication_number') or d.get('application_number')} registered: "
        f"{d.get('title_zh') or d.get('title_en')} ({d['legal_status']})"
    ),
    "Patent.LegalStatusChanged": lambda d, _: (
        f"Legal status changed to {d['status']}" + (f" ({d['reason']})" if d.get("reason") else "")
        + f", effective {d['effective_date']}"
    ),
    "Patent.ListingOpened": lambda d, _: f"Listing {d['listing_id']} opened for this patent",
    "Patent.ListingClosed": lambda d, _: f"Listing {d['listing_id']} closed",
    "Listing.Drafted": lambda d, names: (
        f"Listing drafted for patent {names.get(d['patent_id'], d['patent_id'])}: {_terms(d['terms'])}"
    ),
    "Listing.Revised": lambda d, _: f"Listing revised: {_terms(d['terms'])}",
    "Listing.Published": lambda d, _: "Listing published",
    "Listing.Withdrawn": lambda d, _: "Listing withdrawn" + (f": {d['reason']}" if d.get("reason") else ""),
    "Listing.Suspended": lambda d, _: f"Listing suspended: {d.get('reason') or 'no reason given'}",
    "Listing.Resumed": lambda d, _: f"Listing resumed ({d.get('status')})",
    "Listing.Closed": lambda d, _: f"Listing closed ({d.get('reason')}) by contract {d['contract_id']}",
    "Listing.DealTypesRestricted": lambda d, _: (
        f"Deal types taken off the listing by an exclusive licence: {', '.join(d['removed'])}"
    ),
    "Listing.DealTypesRestored": lambda d, _: f"Deal types restored to the listing: {', '.join(d['restored'])}",
    "Organisation.BenefitRulesSet": lambda d, _: (
        f"Inventors' share of net income set to {d['inventor_share'] / 100:.2f} %"
    ),
    "Patent.DealOpened": lambda d, _: f"Deal opened: offer {d['offer_id']}",
    "Patent.DealClosed": lambda d, _: f"Deal closed: offer {d['offer_id']}",
    "Patent.LicenceGranted": lambda d, _: f"{_words(d['kind']).capitalize()} granted under contract {d['contract_id']}",
    "Patent.LicenceActivated": lambda d, _: f"Licence under contract {d['contract_id']} activated",
    "Patent.LicenceEnded": lambda d, _: f"Licence under contract {d['contract_id']} ended: {d.get('reason')}",
    "Patent.OwnershipTransferred": lambda d, _: (
        f"Ownership transferred to {', '.join(o.get('name', '') for o in d['owners'])}"
        f" under contract {d['contract_id']}"
    ),
    "Patent.OwnershipReverted": lambda d, _: f"Ownership reverted: {d.get('reason')}",
    "Patent.TransferRegistered": lambda d, _: f"Transfer registered with the patent office: {d['reference']}",
    "Patent.SaleReserved": lambda d, _: f"Patent reserved for the assignment under contract {d['contract_id']}",
    "Patent.SaleReservationEnded": lambda d, _: (
        f"Reservation for the assignment under contract {d['contract_id']} ended: {d.get('reason')}"
    ),
    "Patent.CoOwnershipConfirmed": lambda d, _: f"Co-ownership confirmed by organisation {d['organisation_id']}",
    "Patent.CoOwnershipDeclined": lambda d, _: (
        f"Co-ownership declined by organisation {d['organisation_id']}: {d['reason']}"
    ),
    "Patent.RegistrationWithdrawn": lambda d, _: (
        f"Registration withdrawn: {d['reason']}" + (f" (ownership claim {d['claim_id']})" if d.get("claim_id") else "")
    ),
    "Patent.Reregistered": lambda d, _: (
        f"Patent {d.get('publication_number') or d.get('application_number')} registered again"
        f" (registration {d['registration']}): {d.get('title_zh') or d.get('title_en')} ({d['legal_status']})"
    ),
    "OwnershipClaim.Filed": lambda d, names: (
        f"Ownership claim filed against registration {d['registration']} of patent"
        f" {names.get(d['patent_id'], d['patent_id'])}"
        + (f", reference {d['reference']}" if d.get("reference") else "")
    ),
    "OwnershipClaim.Decided": lambda d, _: (
        f"Ownership claim {'upheld' if d['upheld'] else 'dismissed'}" + (f": {d['reason']}" if d.get("reason") else "")
    ),
    "Offer.Made": lambda d, _: f"Offer made: {_deal(d['terms'])}, open until {d['expires_at'][:16]}",
    "Offer.Countered": lambda d, _: f"Counter-offer by the {d['side']}: {_deal(d['terms'])}",
    "Offer.Accepted": lambda d, _: f"Offer accepted by the {d['side']}",
    "Offer.Rejected": lambda d, _: (
        f"Offer rejected by the {d['side']}" + (f": {d['reason']}" if d.get("reason") else "")
    ),
    "Offer.Withdrawn": lambda d, _: "Offer withdrawn" + (f": {d['reason']}" if d.get("reason") else ""),
    "Offer.Expired": lambda d, _: "Offer expired",
    **{f"{kind}.Drafted": (lambda d, _: (
        f"Contract drafted: {_deal(d['terms'])}, text SHA-256 {d['text_sha256'][:12]}…"
        + (f", public notice until {d['notice_ends_at'][:10]}" if d.get("notice_ends_at") else "")))
       for kind in ("TransferContract", "LicenceContract")},
    "Contract.NoticeObjectionFiled": lambda d, _: "Objection filed during the public notice",
    "Contract.NoticeObjectionDecided": lambda d, _: (
        f"Objection {'upheld' if d['upheld'] else 'dismissed'}: {d.get('reason', '')}"
    ),
    "Contract.CoOwnerConsented": lambda d, _: "Co-owner consented",
    "Contract.Signed": lambda d, _: f"Contract signed (text SHA-256 {d['text_sha256'][:12]}…)",
    "Contract.CameIntoForce": lambda d, _: "Contract came into force",
    "Contract.RegistrationRecorded": lambda d, _: f"Patent office registration recorded: {d['reference']}",
    "Contract.MilestoneReached": lambda d, _: f"Milestone reached: {d['name']}",
    "DevelopmentContract.Drafted": lambda d, _: (
        f"Development contract drafted: {_deal(d['terms'])}, {len(d['terms'].get('milestones', []))} milestone(s),"
        f" text SHA-256 {d['text_sha256'][:12]}…"
    ),
    "DevelopmentContract.MilestoneDelivered": lambda d, _: f"Milestone delivered: {d['name']}",
    "DevelopmentContract.ResultsAgreed": lambda d, _: (
        f"Results clauses agreed: ownership {d['ownership']}, confidentiality {d.get('confidential_years', 3)}"
        f" years, text SHA-256 {d['text_sha256'][:12]}…"
    ),
    "LicenceContract.RoyaltyReported": lambda d, _: (
        f"Royalty report {d['period_start']} to {d['period_end']}: net sales {_money(d['net_sales'], 'CNY')}"
    ),
    "LicenceContract.MinimumRoyaltyFellDue": lambda d, _: (
        f"Minimum annual royalty of the licence year to {d['year_end']} fell due unreported: "
        f"{_money(d['amount'], 'CNY')}"
    ),
    "Contract.Terminated": lambda d, _: f"Contract terminated: {d.get('reason')}",
    "PaymentObligation.FellDue": lambda d, _: (
        f"Payment due ({d['purpose']}): {_money(d['amount'], d['currency'])}, reference {d['reference']}"
    ),
    "PaymentObligation.PaymentStarted": lambda d, _: f"Payment started through {d['gateway']}",
    "PaymentObligation.Paid": lambda d, _: f"Paid through {d['gateway']}: {_money(d['amount'], 'CNY')}",
    "PaymentObligation.Refunded": lambda d, _: f"Refunded {_money(d['amount'], 'CNY')}: {d.get('reason', '')}",
    "PaymentObligation.RefundOwed": lambda d, _: f"Refund owed: {d.get('reason', '')}",
    "WebhookDelivery.Received": lambda d, _: f"Webhook {d['event_type']} received from {d['provider']}",
    "ValuerAccreditation.Accredited": lambda d, _: (
        f"Valuer accredited, credential {d['credential_number']}, until {d['expires_on']}"
    ),
    "ValuerAccreditation.Renewed": lambda d, _: f"Accreditation renewed until {d['expires_on']}",
    "ValuerAccreditation.Revoked": lambda d, _: f"Accreditation revoked: {d.get('reason')}",
    "Valuation.Recorded": lambda d, _: (
        f"Assessment recorded ({d['method'].replace('_', ' ')}, {d['purpose']}): {d['value']}"
        f" [{d['low']} – {d['high']}] {d.get('unit', '')}"
    ),
    "Valuation.Superseded": lambda d, _: f"Assessment superseded by {d['by_valuation_id']}",
    "Valuation.Withdrawn": lambda d, _: f"Assessment withdrawn: {d.get('reason')}",
    "Valuation.Countersigned": lambda d, _: f"Assessment countersigned by the agency (report {d['report_sha256']})",
    "AuditRead.Recorded": lambda d, _: f"Confidential {d['aggregate_type']} {d['aggregate_id']} read: {d['page']}",
    "Organisation.FlagsVerified": lambda d, _: (
        "Qualifications verified: " + (", ".join(_words(f) for f in d["flags"]) or "none")
    ),
    "Programme.Drafted": lambda d, _: (
        f"Programme drafted: {d['name_zh']} ({_words(d['kind'])}), budget {_money(d['budget'], 'CNY')},"
        f" {d['starts_on']} to {d['ends_on']}"
    ),
    "Programme.RulesRevised": lambda d, _: f"Programme rules revised, in force from {d['effective_from']}",
    "Programme.Opened": lambda d, _: "Programme opened",
    "Programme.Closed": lambda d, _: "Programme closed" + (f": {d['reason']}" if d.get("reason") else ""),
    "Programme.BudgetCommitted": lambda d, _: (
        f"Budget committed: {_money(d['amount'], 'CNY')} for claim {d['award_claim_id']}"
    ),
    "Programme.Disbursed": lambda d, _: f"Disbursed: {_money(d['amount'], 'CNY')} for claim {d['award_claim_id']}",
    "Programme.BudgetReleased": lambda d, _: (
        f"Budget released: {_money(d['amount'], 'CNY')} of claim {d['award_claim_id']}: {d.get('reason', '')}"
    ),
    "Programme.Recovered": lambda d, _: f"Recovered: {_money(d['amount'], 'CNY')} of claim {d['award_claim_id']}",
    "Claim.Raised": lambda d, _: (
        f"Claim raised for the {d['side']}: {_money(d['amount'], 'CNY')} on {_money(d['paid_amount'], 'CNY')} paid"
        f" (rules version {d['rules_version']})"
    ),
    "Claim.Submitted": lambda d, _: "Claim submitted" + (
        f", registration {d['registration_number']}" if d.get("registration_number") else ""),
    "Claim.Approved": lambda d, _: f"Claim approved: {_money(d['amount'], 'CNY')}",
    "Claim.Rejected": lambda d, _: f"Claim rejected: {d.get('reason', '')}",
    "Claim.Disbursed": lambda d, _: f"Award paid, bank reference {d['bank_reference']}",
    "Claim.Withdrawn": lambda d, _: f"Claim withdrawn: {d.get('reason', '')}",
    "Claim.RecoveryRaised": lambda d, _: f"Award to be repaid: {_money(d['amount'], 'CNY')}: {d.get('reason', '')}",
    "Claim.PartRecoveryRaised": lambda d, _: (
        f"Share of refunded payment {d['obligation_id']} to be repaid: {_money(d['amount'], 'CNY')}:"
        f" {d.get('reason', '')}"
    ),
    "Claim.Recovered": lambda d, _: f"Award repaid, bank reference {d['bank_reference']}" + (
        f": {_money(d['amount'], 'CNY')}" if d.get("amount") else ""),
    "ContractRegistration.Prepared": lambda d, _: (
        f"Technology-contract registration form prepared for contract {d['contract_id']}:"
        f" {str(d['record'].get('contract_type', '')).replace('_', ' ')},"
        f" amount {_money(d['record'].get('amount'), 'CNY')}"
    ),
    "ContractRegistration.Revised": lambda d, _: (
        f"Registration form revised: amount {_money(d['record'].get('amount'), 'CNY')},"
        f" technology income {_money(d['record'].get('technology_income'), 'CNY')}"
    ),
    "ContractRegistration.NumberRecorded": lambda d, _: f"Registration number {d['number']} recorded",
    "RegistrationNumber.Assigned": lambda d, _: (
        f"Registration number {d['number']} held by contract {d['contract_id']}"
    ),
    "AwardLedger.Opened": lambda d, _: f"Award ledger opened for {d['year']}",
    "AwardLedger.PaymentCounted": lambda d, _: f"Payment counted toward the year: {_money(d['amount'], 'CNY')}",
    "AwardLedger.Granted": lambda d, _: f"Award counted against the caps: {_money(d['amount'], 'CNY')}",
    "AwardLedger.PaymentsReleased": lambda d, _: (
        f"Brokered payments of claim {d['award_claim_id']} released: {d.get('reason', '')}"
    ),
    "AwardLedger.PaymentsClaimed": lambda d, _: (
        f"{len(d['payments'])} brokered payments claimed by claim {d['award_claim_id']}:"
        f" {_money(sum(int(p['amount']) for p in d['payments']), 'CNY')}"
    ),
    "AwardLedger.TakenBack": lambda d, _: f"Award of claim {d['award_claim_id']} no longer counted",
    "AwardLedger.PartTakenBack": lambda d, _: (
        f"{_money(d['amount'], 'CNY')} of claim {d['award_claim_id']} repaid, no longer counted"
    ),
    "Patent.FundingRecorded": lambda d, _: (
        "Public funding recorded: " + " · ".join(
            v for v in ((d.get("public_funding") or {}).get(k) for k in ("funder", "programme", "project_reference",
                                                                          "end_date")) if v)
        if d.get("public_funding") else "Public funding removed"
    ),
    "Conversion.Flagged": lambda d, _: (
        f"Funded patent {d['patent_id']} flagged {_words(d['stage'])}: conversion deadline {d['deadline']}"
    ),
    "Conversion.BecameOverdue": lambda d, _: f"Conversion overdue since {d['on']}",
    "Conversion.Converted": lambda d, _: f"Converted: a licence or transfer was paid under contract {d['contract_id']}",
    "Conversion.Answered": lambda d, _: f"Owner answered with {_words(d['kind'])}: {d['text'][:120]}",
    "Conversion.Resumed": lambda d, _: f"Flag resumed ({_words(d['stage'])}): {d['reason'][:120]}",
    "Conversion.OpenedToOthers": lambda d, _: (
        f"Opened to others ({_words(d['mode'])}) under {d['legal_basis'][:80]}: {d['reason'][:80]}"
    ),
    "Enquiry.Opened": lambda d, _: (
        f"Enquiry opened ({'request for materials' if d['kind'] == 'materials' else 'question'},"
        f" {len(d['text'])} characters) on listing {d['listing_id']}"
    ),
    "Enquiry.Asked": lambda d, _: (
        f"Enquirer wrote ({'request for materials' if d['kind'] == 'materials' else 'question'},"
        f" {len(d['text'])} characters)"
    ),
    "Enquiry.Answered": lambda d, _: f"Seller answered ({len(d['text'])} characters)",
    "Enquiry.AnswersRead": lambda d, _: f"Enquirer read the thread up to message {d['count']}",
    "Enquiry.TermsAccepted": lambda d, _: f"Confidentiality terms accepted (SHA-256 {d['terms_sha256']})",
    "Enquiry.MaterialRead": lambda d, _: f"Confidential material read (SHA-256 {d['sha256']})",
    "Enquiry.OfferMade": lambda d, _: f"Offer {d['offer_id']} made from the enquiry",
    "ListingMaterials.Opened": lambda d, _: (
        f"Materials of listing {d['listing_id']} opened, confidentiality terms SHA-256 {d['terms_sha256']}"
    ),
    "ListingMaterials.Attached": lambda d, _: (
        f"Material attached: {d['name']} ({d['media_type']}, {d['size']:,} bytes, {d['access']}),"
        f" SHA-256 {d['sha256']}"
    ),
    "ListingMaterials.Removed": lambda d, _: f"Material removed: SHA-256 {d['sha256']}",
    "ListingMaterials.TermsSet": lambda d, _: f"Confidentiality terms set, SHA-256 {d['terms_sha256']}",
    "Demand.Posted": lambda d, _: (
        f"Technology demand posted: {d['details'].get('title_zh') or d['details'].get('title_en')}"
        f" (wants {', '.join(d['details'].get('wants', []))}; budget {_money(d['details'].get('budget_min'), 'CNY')}"
        f" to {_money(d['details'].get('budget_max'), 'CNY')}; proposals until {d['details'].get('deadline')})"
    ),
    # The content is sealed until the deadline: the summary names its hash, never what it says.
    "Demand.ProposalSubmitted": lambda d, _: (
        f"Sealed proposal {d['proposal_id']} submitted by organisation {d['organisation_id']}"
        f" (SHA-256 {d['sha256']})"
    ),
    "Demand.ProposalShortlisted": lambda d, _: f"Proposal {d['proposal_id']} shortlisted",
    "Demand.ProposalAwarded": lambda d, _: f"Proposal {d['proposal_id']} awarded",
    "Demand.ProposalDeclined": lambda d, _: (
        f"Proposal {d['proposal_id']} declined: {d['reason'].replace('_', ' ')} ({len(d['text'])} characters)"
    ),
    "Demand.OfferMade": lambda d, _: f"Offer {d['offer_id']} made on the awarded proposal {d['proposal_id']}",
    "AuctionSession.Scheduled": lambda d, _: (
        f"Auction session scheduled: {d['title_zh'] or d['title_en']} (deposit {d['deposit_rate'] / 100:g} % of the"
        " starting price)"
    ),
    "AuctionSession.LotAdded": lambda d, _: f"Lot {d['lot_id']} added",
    "AuctionSession.BidderRegistered": lambda d, _: (
        f"Bidder {d['bidder_number']} registered: organisation {d['organisation_id']} (rules {d['rules_version']})"
    ),
    "Lot.Proposed": lambda d, _: (
        f"Lot proposed: {d['kind'].replace('_', ' ')} of listing {d['listing_id']}, start"
        f" {_money(d['start_price'], d['currency'])}, increment {_money(d['increment'], d['currency'])},"
        f" {d['opens_at']} to {d['closes_at']}"
    ),
    "Lot.Consented": lambda d, _: "The owner consented to the lot",
    # The owner's reason is in the event, for the runner; the summary only says what happened.
    "Lot.Declined": lambda d, _: "The owner declined the lot",
    "Lot.DepositStarted": lambda d, _: (
        f"Deposit of bidder {d['bidder_number']} started through {d['gateway']}: {_money(d['amount'], 'CNY')}"
    ),
    "Lot.DepositReceived": lambda d, _: f"Deposit received through {d['gateway']}: {_money(d['amount'], 'CNY')}",
    "Lot.DepositRefunded": lambda d, _: f"Deposit refunded: {_money(d['amount'], 'CNY')}",
    "Lot.DepositApplied": lambda d, _: f"Deposit applied to contract {d['contract_id']}",
    "Lot.DepositPaidIn": lambda d, _: (
        f"Deposit of {_money(d['amount'], 'CNY')} paid into the contract's instalment {d['obligation_id']}"
    ),
    # The maximum stays out of the summary: other bidders must not learn it from a screen.
    "Lot.ProxySet": lambda d, _: f"Proxy maximum set by organisation {d['organisation_id']}",
    "Lot.BidPlaced": lambda d, _: (
        f"{'Proxy bid' if d.get('proxy') else 'Bid'} by bidder {d['bidder_number']}: {_money(d['amount'], 'CNY')}"
        f" at {d['at']} (closes {d['closes_at']})"
    ),
    "Lot.BidCommitted": lambda d, _: f"Sealed bid committed by bidder {d['bidder_number']}: {d['commitment']}",
    # The amount stays out of the summary until the close publishes the log.
    "Lot.BidRevealed": lambda d, _: f"Sealed bid of bidder {d['bidder_number']} revealed",
    "Lot.RevealReminded": lambda d, _: (
        f"Reminder {d['stage']} to reveal sent to {len(d.get('organisation_ids') or [])} bidder(s)"
    ),
    "Lot.CommitmentForfeited": lambda d, _: (
        f"Bidder {d['bidder_number']} did not reveal: deposit of {_money(d['amount'], 'CNY')} forfeited"
    ),
    "Lot.Closed": lambda d, _: (
        f"Lot closed: {d['outcome'].replace('_', ' ')}"
        + (f", {_money(d['price'], 'CNY')} to organisation {d['winner_organisation_id']}" if d.get('price') else "")
    ),
    "Lot.SellerDefaulted": lambda d, _: (
        f"The seller's side kept the sale from taking effect ({d['reason']}): the winner's (organisation"
        f" {d['organisation_id']}) deposit of {_money(d['amount'], 'CNY')} is refunded, contract {d['contract_id']}"
        " ended"
    ),
    "Lot.DepositRefundOwed": lambda d, _: (
        f"Deposit refund of {_money(d['amount'], 'CNY')} owed (the gateway did not refund it: {d['reason']})"
    ),
    "Lot.WinnerForfeited": lambda d, _: (
        f"The winner (organisation {d['organisation_id']}) did not sign and pay in time: deposit of"
        f" {_money(d['amount'], 'CNY')} forfeited, contract {d['contract_id']} ended"
    ),
    "Lot.DepositPaidTwice": lambda d, _: (
        f"A second payment of {_money(d['amount'], 'CNY')} through {d['gateway']} for a deposit already paid"
        f" ({d['deposit_status']}): not counted, to be refunded at once"
    ),
    "Lot.SecondPaymentRefunded": lambda d, _: (
        f"Second deposit payment of {_money(d['amount'], 'CNY')} refunded through {d['gateway']}"
    ),
    "Lot.SecondPaymentRefundOwed": lambda d, _: (
        f"Refund of a second deposit payment of {_money(d['amount'], 'CNY')} owed (the gateway did not refund it:"
        f" {d['reason']})"
    ),
    "Lot.ForfeitUnwound": lambda d, _: (
        f"Forfeit undone: the winner (organisation {d['organisation_id']}) paid within its term (taken at"
        f" {d['paid_at']}) but the payment arrived after the forfeit; its deposit of {_money(d['amount'], 'CNY')}"
        " and the payment are refunded"
    ),
    "DepositPayment.Started": lambda d, _: (
        f"Card deposit for lot {d['lot_id']} started through {d['gateway']} ({d['provider_payment_id']})"
    ),
    "Demand.QuestionAsked": lambda d, _: f"Question {d['number']} asked on proposal {d['proposal_id']}",
    "Demand.QuestionAnswered": lambda d, _: f"Answer {d['number']} given on proposal {d['proposal_id']}",
    "Demand.SentBackForClarification": lambda d, _: f"Demand sent back for clarification: {d['reason']}",
    "Demand.Resubmitted": lambda d, _: "Demand clarified and resubmitted",
    "Demand.DevelopmentContractDrafted": lambda d, _: (
        f"Development contract {d['contract_id']} drafted on the awarded proposal {d['proposal_id']}"
    ),
    "PaymentReview.Recorded": lambda d, _: (
        f"Payment evaluated against {len(d['outcomes'])} programme rule(s):"
        f" {sum(1 for o in d['outcomes'] if o.get('chosen'))} claim(s) raised"
    ),
}
#: The event types the log knows by name (offered as choices on the audit page).
KNOWN_EVENT_TYPES = tuple(SUMMARIES)
KNOWN_AGGREGATE_TYPES = tuple(dict.fromkeys(AGGREGATE_KINDS.get(a, a) for a in (t.split(".")[0] for t in SUMMARIES)))


def summarise(event_type: str, data: dict[str, Any], names: dict[str, str]) -> str:
    """The event's one-line summary; a generic one for event types without their own."""
    summary = SUMMARIES.get(event_type)
    if summary is not None:
        try:
            return summary(data, names)
        except (KeyError, TypeError, AttributeError):  # an older or newer shape of the event
            pass
    aggregate, _, name = event_type.partition(".")
    return f"{aggregate} {_words(name)}".strip()


def concerned_organisations(aggregate_type: str, aggregate_id: str, data: dict[str, Any]) -> list[str]:
    """Organisations an event names: itself, an ``…organisation_id`` field, or a patent's owners."""
    found: list[str] = [aggregate_id] if aggregate_type == "Organisation" else []
    for key, value in data.items():
        if key.endswith("organisation_id") and isinstance(value, str):
            found.append(value)
        elif key.endswith("organisation_ids") and isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
        elif key == "owners" and isinstance(value, list):
            found.extend(o["organisation_id"] for o in value if isinstance(o, dict) and o.get("organisation_id"))
    return found


def actor_of(event_type: str, aggregate_id: str, data: dict[str, Any]) -> str | None:
    """The event's ``by``; a self sign-up (no ``by``) is the user's own act."""
    by = data.get("by")
    if by is None and event_type == "User.SignedUp":
        return aggregate_id
    return by if isinstance(by, str) else None


class PostgresAuditLogView(PostgresReadModelView):
    """Writes ``audit_log_events``: every event of the log, as the auditor reads it."""

    name = "audit_log"
    tables = ("audit_log_events", "audit_reads")
    topics: ClassVar[frozenset[str]] = frozenset()  # all topics: see ``process``

    def process(self, records: Sequence[EventRecord], tracking: Tracking, after: int | None = None,
                prepared: Any = None) -> None:
        with self.datastore.transaction(commit=True) as curs:
            if after is not None:
                self.claim(curs, tracking.application_name, after)
            if records:
                self.apply(curs, records)
            self._insert_tracking(curs, tracking)

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        orgs, numbers = self._load(curs, records)
        rows: list[tuple[Any, ...]] = []
        for r in records:
            aggregate_type, event_type = event_type_of(r.topic)
            data = clean({k: v for k, v in r.data.items() if k not in _META_FIELDS})
            named = concerned_organisations(aggregate_type, r.originator_id, data)
            concerned = list(dict.fromkeys([*orgs.get(r.originator_id, []), *named]))
            orgs[r.originator_id] = concerned
            if event_type == "Patent.Registered":
                numbers[r.originator_id] = data.get("publication_number") or data.get("application_number") or ""
            rows.append((
                r.position, r.originator_id, aggregate_type, r.version, event_type,
                actor_of(event_type, r.originator_id, data), concerned, r.timestamp,
                summarise(event_type, data, numbers), json_text(data),
            ))
        # One COPY per page: about ten times faster than an executemany of INSERTs.
        with curs.copy(COPY_SQL) as copy:
            for row in rows:
                copy.write_row(row)
        reads = [
            (r.position, plain(r.data["reader_id"]), r.data["reader_roles"], plain(r.data["aggregate_id"]),
             r.data["aggregate_type"], r.data["page"], r.data["shown_version"], r.data["as_of"], r.timestamp)
            for r in records if r.topic == READ_RECORDED
        ]
        if reads:
            curs.executemany(INSERT_READ_SQL, reads)

    @staticmethod
    def _load(
        curs: Cursor[DictRow], records: Sequence[EventRecord]
    ) -> tuple[dict[str, list[str]], dict[str, str]]:
        """What the page's rows need from earlier pages: organisations per aggregate, patent numbers."""
        continuing = sorted({r.originator_id for r in records if r.version > 1})
        orgs: dict[str, list[str]] = {}
        if continuing:
            curs.execute(LATEST_ORGS_SQL, (continuing,))
            orgs = {str(row["aggregate_id"]): [str(o) for o in row["organisation_ids"]] for row in curs.fetchall()}
        patents = sorted({str(plain(r.data["patent_id"])) for r in records
                          if r.topic in NAMING_A_PATENT and "patent_id" in r.data})
        numbers: dict[str, str] = {}
        if patents:
            curs.execute(PATENT_NUMBERS_SQL, (patents,))
            numbers = {str(row["aggregate_id"]): row["number"] for row in curs.fetchall()}
        return orgs, numbers
