"""A technology demand (企业出题) and the sealed proposals (协同攻关) that answer it, in one record.

A member of a verified enterprise posts the demand: what it needs (title and description in Chinese and/or
English, the problem, the current solution, the target figures), its technical field (IPC), keywords, a
budget range in fen, the proposal deadline (a date, Beijing time: proposals are taken until the end of that
day), what it wants (licence or purchase of existing results, commissioned or joint development) and who
may see it (anyone, or verified organisations only).

Members of universities and research institutes each submit one proposal per organisation. A proposal is
**sealed**: its event records the SHA-256 of its canonical encoding (``proposal_digest``) with the content;
the read model withholds the content from the enterprise until the deadline has passed (the content is
stored in clear in the event log: the platform itself could read it; it is not encrypted). After the
deadline the enterprise shortlists proposals, awards one, and gives every other proposal a decision with a
reason from a fixed list plus free text. Everything is an event: who proposed what and when is replayable.
Authors are named by user id only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id

BEIJING = ZoneInfo("Asia/Shanghai")
#: Texts of a demand or proposal: a page, not a book.
TEXT_LIMIT = 5000
TITLE_LIMIT = 200
KEYWORDS_LIMIT = 20
MILESTONES_LIMIT = 20
LISTINGS_LIMIT = 10
PROPOSALS_LIMIT = 200
#: A budget or price above a hundred billion yuan is a typing error (fen).
MONEY_LIMIT = 10_000_000_000_000
#: Questions and answers on one proposal (a thread, not a chat room).
THREAD_LIMIT = 100
#: A question, an answer or a reason for sending a demand back.
NOTE_LIMIT = 2000
#: How far ahead a proposal deadline may be.
DEADLINE_HORIZON_DAYS = 366


class Want(StrEnum):
    LICENCE = "licence"  # 许可使用现有成果
    PURCHASE = "purchase"  # 购买（转让）现有成果
    COMMISSIONED = "commissioned"  # 委托开发
    JOINT = "joint"  # 合作开发


#: Wants an award answers with an offer on a linked listing.
EXISTING_RESULTS = (Want.LICENCE.value, Want.PURCHASE.value)


class Visibility(StrEnum):
    PUBLIC = "public"
    VERIFIED = "verified"  # verified organisations only


class DemandStatus(StrEnum):
    OPEN = "open"  # taking proposals until the deadline
    AWARDED = "awarded"
    CLARIFYING = "clarifying"  # sent back for clarification: takes no proposals until the enterprise resubmits


class DeclineReason(StrEnum):
    TOO_EARLY = "too_early"
    BENEFIT_UNCLEAR = "benefit_unclear"
    DESCRIPTION_UNCLEAR = "description_unclear"
    PRICE = "price"
    FIT = "fit"
    OTHER = "other"


class ProposalState(StrEnum):
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    DECLINED = "declined"


def demand_proposal_id(demand_id: UUID, organisation_id: UUID) -> UUID:
    """One proposal per demand and proposing organisation."""
    return natural_id("demand-proposal", f"{demand_id}:{organisation_id}")


def closes_at(deadline: date) -> datetime:
    """The instant proposals stop: the end of the deadline's day in Beijing."""
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=BEIJING)


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise ValidationError(f"{field}: write a few words", field=field, code="required")
    if len(text) > limit:
        raise ValidationError(f"{field}: at most {limit} characters", field=field, code="too_long", most=limit)
    return text


def _money(value: int, field: str) -> int:
    if not 0 <= value <= MONEY_LIMIT:
        raise ValidationError(f"{field}: between 0 and {MONEY_LIMIT} fen", field=field, code="demand.money",
                              most=MONEY_LIMIT)
    return value


def _choice(value: str, values: type[StrEnum], field: str) -> str:
    try:
        return values(value).value
    except ValueError:
        raise ValidationError(f"{field}: must be one of {', '.join(v.value for v in values)}", field=field,
                              code="choice") from None


def check_demand(*, title_zh: str, title_en: str, description_zh: str, description_en: str, problem: str,
                 current_solution: str, targets: str, keywords: list[str], budget_min: int, budget_max: int,
                 deadline: date, today: date, wants: list[str], visibility: str) -> dict[str, Any]:
    """The demand as recorded, or a refusal naming the first field at fault."""
    titles = {"title_zh": _text(title_zh, "title_zh", TITLE_LIMIT), "title_en": _text(title_en, "title_en",
                                                                                     TITLE_LIMIT)}
    if not any(titles.values()):
        raise ValidationError("title_zh: give a title in Chinese or English", field="title_zh",
                              code="demand.title_missing")
    descriptions = {"description_zh": _text(description_zh, "description_zh", TEXT_LIMIT),
                    "description_en": _text(description_en, "description_en", TEXT_LIMIT)}
    if not any(descriptions.values()):
        raise ValidationError("description_zh: describe the need in Chinese or English", field="description_zh",
                              code="demand.description_missing")
    words = [w.strip() for w in keywords if w.strip()]
    if len(words) > KEYWORDS_LIMIT or any(len(w) > 50 for w in words):
        raise ValidationError(f"keywords: at most {KEYWORDS_LIMIT} keywords of 50 characters", field="keywords",
                              code="too_long", most=KEYWORDS_LIMIT)
    low, high = _money(budget_min, "budget_min"), _money(budget_max, "budget_max")
    if low > high:
        raise ValidationError("budget_max: the budget's upper end must not be below its lower end",
                              field="budget_max", code="demand.budget_range")
    if deadline <= today or deadline > today + timedelta(days=DEADLINE_HORIZON_DAYS):
        raise ValidationError(f"deadline: a day after today and within {DEADLINE_HORIZON_DAYS} days",
                              field="deadline", code="demand.deadline", most=DEADLINE_HORIZON_DAYS)
    chosen = sorted({_choice(w, Want, "wants") for w in wants})
    if not chosen:
        raise ValidationError("wants: choose what you want (licence, purchase, commissioned or joint development)",
                              field="wants", code="required")
    return {**titles, **descriptions, "problem": _text(problem, "problem", TEXT_LIMIT, required=True),
            "current_solution": _text(current_solution, "current_solution", TEXT_LIMIT),
            "targets": _text(targets, "targets", TEXT_LIMIT, required=True),
            "keywords": list(dict.fromkeys(words)), "budget_min": low, "budget_max": high,
            "deadline": deadline.isoformat(), "wants": chosen,
            "visibility": _choice(visibility, Visibility, "visibility")}


def check_proposal(*, approach: str, team: str, listing_ids: list[UUID], price: int, want: str,
                   milestones: list[dict[str, Any]], wants: list[str]) -> dict[str, Any]:
    """A proposal's content as recorded (JSON-ready: ids and dates as text), or a refusal."""
    kind = _choice(want, Want, "want")
    if kind not in wants:
        raise ValidationError("want: the demand does not ask for this", field="want", code="demand.want_not_asked")
    ids = list(dict.fromkeys(str(i) for i in listing_ids))
    if len(ids) > LISTINGS_LIMIT:
        raise ValidationError(f"listing_ids: at most {LISTINGS_LIMIT} listings", field="listing_ids",
                              code="too_long", most=LISTINGS_LIMIT)
    if kind in EXISTING_RESULTS and not ids:
        raise ValidationError("listing_ids: a licence or purchase proposal names the listing it offers",
                              field="listing_ids", code="demand.listing_needed")
    if len(milestones) > MILESTONES_LIMIT:
        raise ValidationError(f"milestones: at most {MILESTONES_LIMIT}", field="milestones", code="too_long",
                              most=MILESTONES_LIMIT)
    steps: list[dict[str, Any]] = []
    for m in milestones:
        steps.append({"title": _text(str(m["title"]), "milestones", TITLE_LIMIT, required=True),
                      "due": date.fromisoformat(str(m["due"])).isoformat(),
                      "amount": _money(int(m["amount"]), "milestones")})
    if sum(int(s["amount"]) for s in steps) > price:
        raise ValidationError("milestones: their amounts add up to more than the price", field="milestones",
                              code="demand.milestones_over_price")
    return {"approach": _text(approach, "approach", TEXT_LIMIT, required=True),
            "team": _text(team, "team", TEXT_LIMIT), "listing_ids": ids, "price": _money(price, "price"),
            "want": kind, "milestones": steps}


def proposal_digest(demand_id: UUID, organisation_id: UUID, content: dict[str, Any]) -> str:
    """SHA-256 of the proposal's canonical encoding: JSON, keys sorted, no spaces, UTF-8, of the demand id, the
    proposing organisation's id and the content. Anyone holding the content can recompute it."""
    canonical = json.dumps({"demand_id": str(demand_id), "organisation_id": str(organisation_id),
                            "content": content}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Demand(Aggregate):
    """A technology demand and the proposals it received, with the enterprise's decisions on them."""

    class Posted(Aggregate.Created):
        organisation_id: UUID
        by: UUID
        ipc_codes: list[str]
        details: dict[str, Any]

    @event(Posted)
    def __init__(self, id: UUID, organisation_id: UUID, by: UUID, ipc_codes: list[str],
                 details: dict[str, Any]) -> None:
        self.organisation_id = organisation_id
        self.ipc_codes = ipc_codes
        self.fields = details
        self.status = DemandStatus.OPEN.value
        #: by proposal id: organisation, state, sha256, content, reason.
        self.proposals: dict[UUID, dict[str, Any]] = {}

    @classmethod
    def post(cls, *, demand_id: UUID, organisation_id: UUID, by: UUID, ipc_codes: list[str],
             fields: dict[str, Any]) -> Demand:
        return cls(id=demand_id, organisation_id=organisation_id, by=by, ipc_codes=ipc_codes, details=fields)

    # --- reading -----------------------------------------------------------------------------------
    @property
    def deadline(self) -> date:
        return date.fromisoformat(self.fields["deadline"])

    def closed(self, now: datetime) -> bool:
        return now >= closes_at(self.deadline)

    @property
    def wants(self) -> list[str]:
        return list(self.fields["wants"])

    def proposal(self, proposal_id: UUID) -> dict[str, Any]:
        found = self.proposals.get(proposal_id)
        if found is None:
            raise ValidationError("proposal_id: no such proposal on this demand", field="proposal_id",
                                  code="not_found")
        return found

    def _owner(self, organisation_id: UUID) -> None:
        if organisation_id != self.organisation_id:
            raise PermissionDeniedError("demand_id: only the enterprise that posted the demand decides on it",
                                        field="demand_id", code="demand.not_owner")

    def _after_deadline(self, now: datetime) -> None:
        if not self.closed(now):
            raise ConflictError("demand_id: proposals are sealed until the deadline has passed",
                                field="demand_id", code="demand.sealed", deadline=self.fields["deadline"])

    # --- proposals ---------------------------------------------------------------------------------
    def submit(self, *, organisation_id: UUID, by: UUID, content: dict[str, Any], now: datetime) -> bool:
        """Record a sealed proposal; ``False`` (nothing recorded) when this very proposal is recorded already."""
        if organisation_id == self.organisation_id:
            raise PermissionDeniedError("demand_id: an organisation does not answer its own demand",
                                        field="demand_id", code="demand.own")
        if self.status == DemandStatus.CLARIFYING.value:
            raise ConflictError("demand_id: the demand was sent back for clarification; it takes no proposals until "
                                "the enterprise resubmits it", field="demand_id", code="demand.clarifying")
        if self.closed(now) or self.status != DemandStatus.OPEN.value:
            raise ConflictError("demand_id: the proposal deadline has passed", field="demand_id",
                                code="demand.closed", deadline=self.fields["deadline"])
        pid = demand_proposal_id(self.id, organisation_id)
        sha = proposal_digest(self.id, organisation_id, content)
        existing = self.proposals.get(pid)
        if existing is not None:
            if existing["sha256"] == sha:
                return False
            raise ConflictError("demand_id: your organisation has proposed on this demand already",
                                field="demand_id", code="demand.proposed_already")
        if len(self.proposals) >= PROPOSALS_LIMIT:
            raise ConflictError("demand_id: this demand has all the proposals it takes", field="demand_id",
                                code="demand.full", most=PROPOSALS_LIMIT)
        self._submitted(proposal_id=pid, organisation_id=organisation_id, by=by, sha256=sha, content=content)
        return True

    @event("ProposalSubmitted")
    def _submitted(self, proposal_id: UUID, organisation_id: UUID, by: UUID, sha256: str,
                   content: dict[str, Any]) -> None:
        self.proposals[proposal_id] = {"organisation_id": organisation_id, "by": by, "sha256": sha256,
                                       "content": content, "state": ProposalState.SUBMITTED.value}

    def shortlist(self, *, organisation_id: UUID, by: UUID, proposal_id: UUID, now: datetime) -> bool:
        self._owner(organisation_id)
        self._after_deadline(now)
        found = self.proposal(proposal_id)
        if found["state"] == ProposalState.SHORTLISTED.value:
            return False
        if found["state"] != ProposalState.SUBMITTED.value:
            raise ConflictError("proposal_id: this proposal is decided already", field="proposal_id",
                                code="demand.decided")
        self._shortlisted(proposal_id=proposal_id, by=by)
        return True

    @event("ProposalShortlisted")
    def _shortlisted(self, proposal_id: UUID, by: UUID) -> None:
        self.proposals[proposal_id]["state"] = ProposalState.SHORTLISTED.value

    def award(self, *, organisation_id: UUID, by: UUID, proposal_id: UUID, now: datetime) -> bool:
        """Award one proposal; ``False`` when this very proposal was awarded already (a double submit)."""
        self._owner(organisation_id)
        self._after_deadline(now)
        found = self.proposal(proposal_id)
        if found["state"] == ProposalState.AWARDED.value:
            return False
        if self.status == DemandStatus.AWARDED.value:
            raise ConflictError("demand_id: another proposal was awarded already", field="demand_id",
                                code="demand.awarded")
        if self.status == DemandStatus.CLARIFYING.value:
            raise ConflictError("demand_id: the demand was sent back for clarification", field="demand_id",
                                code="demand.clarifying")
        if found["state"] == ProposalState.DECLINED.value:
            raise ConflictError("proposal_id: this proposal is decided already", field="proposal_id",
                                code="demand.decided")
        self._awarded(proposal_id=proposal_id, by=by)
        return True

    @event("ProposalAwarded")
    def _awarded(self, proposal_id: UUID, by: UUID) -> None:
        self.proposals[proposal_id]["state"] = ProposalState.AWARDED.value
        self.status = DemandStatus.AWARDED.value

    def decline(self, *, organisation_id: UUID, by: UUID, proposal_id: UUID, reason: str, text: str,
                now: datetime) -> bool:
        """A decision with a reason; ``False`` when the same decision is recorded already."""
        self._owner(organisation_id)
        self._after_deadline(now)
        found = self.proposal(proposal_id)
        why = _choice(reason, DeclineReason, "reason")
        note = _text(text, "text", 2000, required=why == DeclineReason.OTHER.value)
        if found["state"] == ProposalState.DECLINED.value and found.get("reason") == why:
            return False
        if found["state"] in (ProposalState.DECLINED.value, ProposalState.AWARDED.value):
            raise ConflictError("proposal_id: this proposal is decided already", field="proposal_id",
                                code="demand.decided")
        self._declined(proposal_id=proposal_id, by=by, reason=why, text=note)
        return True

    @event("ProposalDeclined")
    def _declined(self, proposal_id: UUID, by: UUID, reason: str, text: str) -> None:
        self.proposals[proposal_id]["state"] = ProposalState.DECLINED.value
        self.proposals[proposal_id]["reason"] = reason

    def contract_drafted(self, *, by: UUID, proposal_id: UUID, contract_id: UUID) -> None:
        """The award of a development proposal drafted its technology development contract (saved together)."""
        self._contract_drafted(by=by, proposal_id=proposal_id, contract_id=contract_id)

    @event("DevelopmentContractDrafted")
    def _contract_drafted(self, by: UUID, proposal_id: UUID, contract_id: UUID) -> None:
        self.proposals[proposal_id]["contract_id"] = contract_id

    def offer_made(self, *, by: UUID, proposal_id: UUID, offer_id: UUID) -> None:
        self._offer_made(by=by, proposal_id=proposal_id, offer_id=offer_id)

    @event("OfferMade")
    def _offer_made(self, by: UUID, proposal_id: UUID, offer_id: UUID) -> None:
        self.proposals[proposal_id]["offer_id"] = offer_id

    # --- questions on a proposal (the enterprise asks, the proposer answers) --------------------------
    def thread(self, proposal_id: UUID) -> list[dict[str, Any]]:
        return list(self.proposal(proposal_id).get("thread", []))

    def ask(self, *, organisation_id: UUID, by: UUID, proposal_id: UUID, text: str, now: datetime) -> bool:
        """The enterprise asks the proposer a question, once it may read the proposal (after the deadline: the
        sealed content rules stay). ``False`` when the same question is the thread's last entry (a double
        submit)."""
        self._owner(organisation_id)
        self._after_deadline(now)
        thread = self.thread(proposal_id)
        question = _text(text, "text", NOTE_LIMIT, required=True)
        if thread and thread[-1]["kind"] == "question" and thread[-1]["text"] == question:
            return False
        if len(thread) >= THREAD_LIMIT:
            raise ConflictError("proposal_id: this thread is full", field="proposal_id", code="demand.thread_full",
                                most=THREAD_LIMIT)
        self._question_asked(proposal_id=proposal_id, number=len(thread) + 1, text=question, by=by)
        return True

    @event("QuestionAsked")
    def _question_asked(self, proposal_id: UUID, number: int, text: str, by: UUID) -> None:
        self.proposals[proposal_id].setdefault("thread", []).append({"kind": "question", "number": number,
                                                                     "text": text})

    def answer(self, *, organisation_id: UUID, by: UUID, proposal_id: UUID, text: str) -> bool:
        """The proposing organisation answers the thread's open question; ``False`` for the same answer again."""
        found = self.proposal(proposal_id)
        if found["organisation_id"] != organisation_id:
            raise PermissionDeniedError("proposal_id: only the proposing organisation answers its questions",
                                        field="proposal_id", code="demand.not_proposer")
        thread = self.thread(proposal_id)
        reply = _text(text, "text", NOTE_LIMIT, required=True)
        if thread and thread[-1]["kind"] == "answer" and thread[-1]["text"] == reply:
            return False
        if not thread or thread[-1]["kind"] != "question":
            raise ConflictError("proposal_id: no question awaits an answer", field="proposal_id",
                                code="demand.no_question")
        self._question_answered(proposal_id=proposal_id, number=len(thread) + 1, text=reply, by=by)
        return True

    @event("QuestionAnswered")
    def _question_answered(self, proposal_id: UUID, number: int, text: str, by: UUID) -> None:
        self.proposals[proposal_id].setdefault("thread", []).append({"kind": "answer", "number": number,
                                                                     "text": text})

    # --- clarification (a vague demand sent back by the platform) --------------------------------------
    def send_back(self, *, by: UUID, reason: str) -> bool:
        """Send an open demand back for clarification (the application checks who may); ``False`` when it is
        sent back already with this reason."""
        why = _text(reason, "reason", NOTE_LIMIT, required=True)
        if self.status == DemandStatus.CLARIFYING.value:
            if self.__dict__.get("clarify_reason") == why:
                return False
            raise ConflictError("demand_id: the demand awaits its enterprise's clarification already",
                                field="demand_id", code="demand.clarifying")
        if self.status != DemandStatus.OPEN.value:
            raise ConflictError("demand_id: an awarded demand is not sent back", field="demand_id",
                                code="demand.not_open")
        self._sent_back(reason=why, by=by)
        return True

    @event("SentBackForClarification")
    def _sent_back(self, reason: str, by: UUID) -> None:
        self.status = DemandStatus.CLARIFYING.value
        self.clarify_reason = reason

    def resubmit(self, *, organisation_id: UUID, by: UUID, fields: dict[str, Any]) -> bool:
        """The enterprise resubmits the demand it clarified (``fields``: ``check_demand``'s answer); it takes
        proposals again. ``False`` when it was resubmitted already with these very fields."""
        self._owner(organisation_id)
        if self.status != DemandStatus.CLARIFYING.value:
            if fields == self.fields and self.__dict__.get("clarify_reason") is not None:
                return False
            raise ConflictError("demand_id: only a demand sent back for clarification is resubmitted",
                                field="demand_id", code="demand.not_sent_back")
        self._resubmitted(details=fields, by=by)
        return True

    @event("Resubmitted")
    def _resubmitted(self, details: dict[str, Any], by: UUID) -> None:
        self.fields = details
        self.status = DemandStatus.OPEN.value
