"""Demand command structs (msgspec, frozen): enquiries, answers, confidentiality terms and materials.

A message's ``message_id`` is chosen by the form (or API client) that sends it, so that sending the
same message twice records it once; without one, the application picks a new id.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.demand.enquiry import MESSAGE_LIMIT, EnquiryKind
from domain.demand.materials import MAX_MATERIAL_BYTES, Access
from marketplace.deals.commands import TermsInput
from marketplace.platform.command import Command, ShortText, Text, one_of
from marketplace.platform.command_text import LINES, LINES_RULE

#: A question, a request for materials or an answer: a few words.
Message = Annotated[str, msgspec.Meta(max_length=MESSAGE_LIMIT, extra=LINES, description=LINES_RULE)]
Sha256 = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$", description="a SHA-256 digest, 64 hex digits")]


class AskEnquiry(Command, frozen=True, kw_only=True):
    """A member of a verified organisation other than the seller asks about a listing (咨询) or requests its
    materials (索取资料); asking again continues the organisation's thread on that listing."""

    listing_id: UUID
    kind: Annotated[str, one_of(EnquiryKind)] = EnquiryKind.QUESTION.value
    text: Message
    message_id: UUID | None = None


class AnswerEnquiry(Command, frozen=True, kw_only=True):
    """A member of the seller organisation answers the thread."""

    enquiry_id: UUID
    text: Message
    message_id: UUID | None = None


class MarkEnquiryRead(Command, frozen=True, kw_only=True):
    """The enquirer has read the seller's answers so far."""

    enquiry_id: UUID


class AcceptConfidentiality(Command, frozen=True, kw_only=True):
    """The enquirer accepts the listing's confidentiality terms it was shown (named by their SHA-256)."""

    enquiry_id: UUID
    terms_sha256: Sha256


class MakeOfferFromEnquiry(TermsInput, frozen=True, kw_only=True):
    """The enquirer turns the thread into an offer on the listing (the offer's id is recorded on the thread)."""

    enquiry_id: UUID


class AttachMaterial(Command, frozen=True, kw_only=True):
    """A member of the seller organisation attaches a PDF or an image to its listing (``content``: the file's
    bytes, base64 in JSON; at most 10 MB)."""

    listing_id: UUID
    name: ShortText
    access: Annotated[str, one_of(Access)] = Access.PUBLIC.value
    #: Its size is checked by the domain (a refusal naming the limit); the request's own limit bounds it before.
    content: Annotated[bytes, msgspec.Meta(description=f"the file's bytes, base64 in JSON; at most "
                                                       f"{MAX_MATERIAL_BYTES // (1024 * 1024)} MB")]


class RemoveMaterial(Command, frozen=True, kw_only=True):
    listing_id: UUID
    sha256: Sha256


class SetConfidentialityTerms(Command, frozen=True, kw_only=True):
    """The seller's confidentiality terms (保密条款) for the listing's confidential materials."""

    listing_id: UUID
    text: Text


class ReadMaterial(Command, frozen=True, kw_only=True):
    """Someone reads (downloads) a material: public ones anyone may read; confidential ones the seller's
    members and enquirers who accepted the terms in force, each such enquirer's read recorded."""

    listing_id: UUID
    sha256: Sha256
