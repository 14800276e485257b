"""An enquiry (咨询 / 索取资料): one thread per listing and enquiring organisation, before any offer.

A member of a verified organisation other than the seller asks a question or requests materials in a
few words; the seller's members answer; the thread goes on. Each message carries an id chosen by the
form that sent it, so a double submit records it once. The enquirer's reading of the answers, its
acceptance of the listing's confidentiality terms and each confidential material it reads are events
too; the thread can become an offer with one click (the offer's id is recorded on the thread).
Messages name their authors by user id only: no personal data in the payloads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, PermissionDeniedError, ValidationError
from domain.shared.ids import natural_id

#: A few words: a question or a request for materials, not a document.
MESSAGE_LIMIT = 2000
#: Messages in one thread (a conversation, not a mailbox).
THREAD_LIMIT = 200


class EnquiryKind(StrEnum):
    QUESTION = "question"  # 咨询
    MATERIALS = "materials"  # 索取资料


class Side(StrEnum):
    ENQUIRER = "enquirer"
    SELLER = "seller"


def enquiry_id(listing_id: UUID, enquirer_organisation_id: UUID) -> UUID:
    """One thread per listing and enquiring organisation: asking again continues it."""
    return natural_id("enquiry", f"{listing_id}:{enquirer_organisation_id}")


def message_text(value: str, field: str = "text") -> str:
    """A message as recorded: trimmed, not empty, at most ``MESSAGE_LIMIT`` characters."""
    text = value.strip()
    if not text:
        raise ValidationError(f"{field}: write a few words", field=field, code="required")
    if len(text) > MESSAGE_LIMIT:
        raise ValidationError(f"{field}: at most {MESSAGE_LIMIT} characters", field=field, code="too_long",
                              most=MESSAGE_LIMIT)
    return text


def enquiry_kind(value: str) -> EnquiryKind:
    try:
        return EnquiryKind(value)
    except ValueError:
        raise ValidationError("kind: must be question or materials", field="kind", code="choice") from None


class Enquiry(Aggregate):
    """A thread of questions and answers about one listing between its seller and one enquiring organisation."""

    class Opened(Aggregate.Created):
        listing_id: UUID
        patent_id: UUID
        seller_organisation_id: UUID
        enquirer_organisation_id: UUID
        kind: str
        text: str
        message_id: UUID
        by: UUID

    @staticmethod
    def create_id(listing_id: UUID, enquirer_organisation_id: UUID, **_: object) -> UUID:
        return enquiry_id(listing_id, enquirer_organisation_id)

    @event(Opened)
    def __init__(self, listing_id: UUID, patent_id: UUID, seller_organisation_id: UUID,
                 enquirer_organisation_id: UUID, kind: str, text: str, message_id: UUID, by: UUID) -> None:
        self.listing_id = listing_id
        self.patent_id = patent_id
        self.seller_organisation_id = seller_organisation_id
        self.enquirer_organisation_id = enquirer_organisation_id
        self.messages: list[dict[str, Any]] = []
        self.read_by_enquirer = 0  # messages the enquirer has seen
        self.accepted_terms = ""  # SHA-256 of the confidentiality terms the enquirer accepted
        self.offer_ids: list[UUID] = []
        self._add(Side.ENQUIRER, kind, text, message_id, by)

    @classmethod
    def open(cls, *, listing_id: UUID, patent_id: UUID, seller_organisation_id: UUID,
             enquirer_organisation_id: UUID, kind: str, text: str, message_id: UUID, by: UUID) -> Enquiry:
        if enquirer_organisation_id == seller_organisation_id:
            raise PermissionDeniedError("listing_id: an organisation does not enquire about its own listing",
                                        field="listing_id", code="enquiry.own_listing")
        return cls(listing_id=listing_id, patent_id=patent_id, seller_organisation_id=seller_organisation_id,
                   enquirer_organisation_id=enquirer_organisation_id, kind=enquiry_kind(kind).value,
                   text=message_text(text), message_id=message_id, by=by)

    def _add(self, side: Side, kind: str, text: str, message_id: UUID, by: UUID) -> None:
        self.messages.append({"id": message_id, "side": side.value, "kind": kind, "text": text, "by": by})
        if side is Side.ENQUIRER:
            self.read_by_enquirer = len(self.messages)  # who writes has read what came before

    # --- reading the thread -------------------------------------------------------------------------
    def side_of(self, organisation_id: UUID) -> Side | None:
        if organisation_id == self.enquirer_organisation_id:
            return Side.ENQUIRER
        if organisation_id == self.seller_organisation_id:
            return Side.SELLER
        return None

    def has_message(self, message_id: UUID) -> bool:
        return any(m["id"] == message_id for m in self.messages)

    @property
    def unread_by_enquirer(self) -> int:
        return sum(1 for m in self.messages[self.read_by_enquirer:] if m["side"] == Side.SELLER.value)

    def _room(self) -> None:
        if len(self.messages) >= THREAD_LIMIT:
            raise ConflictError(f"enquiry_id: a thread holds at most {THREAD_LIMIT} messages; make an offer or "
                                "start talking directly", field="enquiry_id", code="enquiry.full", most=THREAD_LIMIT)

    # --- commands -----------------------------------------------------------------------------------
    def ask(self, *, by: UUID, kind: str, text: str, message_id: UUID) -> bool:
        """The enquirer writes again; ``False`` (nothing recorded) when this message is recorded already."""
        if self.has_message(message_id):
            return False
        self._room()
        self._asked(by=by, kind=enquiry_kind(kind).value, text=message_text(text), message_id=message_id)
        return True

    @event("Asked")
    def _asked(self, by: UUID, kind: str, text: str, message_id: UUID) -> None:
        self._add(Side.ENQUIRER, kind, text, message_id, by)

    def answer(self, *, by: UUID, text: str, message_id: UUID) -> bool:
        """The seller answers; ``False`` (nothing recorded) when this message is recorded already."""
        if self.has_message(message_id):
            return False
        self._room()
        self._answered(by=by, text=message_text(text), message_id=message_id)
        return True

    @event("Answered")
    def _answered(self, by: UUID, text: str, message_id: UUID) -> None:
        self._add(Side.SELLER, EnquiryKind.QUESTION.value, text, message_id, by)

    def mark_read(self, *, by: UUID) -> bool:
        """The enquirer has read the answers so far; ``False`` (nothing recorded) when none was unread."""
        if not self.unread_by_enquirer:
            return False
        self._read(by=by, count=len(self.messages))
        return True

    @event("AnswersRead")
    def _read(self, by: UUID, count: int) -> None:
        self.read_by_enquirer = count

    def accept_terms(self, *, by: UUID, terms_sha256: str, current_sha256: str) -> bool:
        """The enquirer accepts the listing's confidentiality terms it was shown (``terms_sha256``), which must
        be the terms in force; ``False`` (nothing recorded) when it accepted these very terms already."""
        if terms_sha256 != current_sha256:
            raise ConflictError("terms_sha256: the confidentiality terms changed since they were shown; read them "
                                "again", field="terms_sha256", code="enquiry.terms_changed")
        if self.accepted_terms == terms_sha256:
            return False
        self._terms_accepted(by=by, terms_sha256=terms_sha256)
        return True

    @event("TermsAccepted")
    def _terms_accepted(self, by: UUID, terms_sha256: str) -> None:
        self.accepted_terms = terms_sha256

    def record_material_read(self, *, by: UUID, sha256: str) -> None:
        """The enquirer read a confidential material released to it (every read is recorded)."""
        self._material_read(by=by, sha256=sha256)

    @event("MaterialRead")
    def _material_read(self, by: UUID, sha256: str) -> None:
        pass

    def offer_made(self, *, by: UUID, offer_id: UUID) -> None:
        self._offer_made(by=by, offer_id=offer_id)

    @event("OfferMade")
    def _offer_made(self, by: UUID, offer_id: UUID) -> None:
        self.offer_ids.append(offer_id)
