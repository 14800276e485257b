"""A listing's materials (资料): PDF or image files its seller attaches, public or confidential.

The files themselves are kept outside the event log, content-addressed by their SHA-256 (the
application's material store); an event records the hash, the name, the type, the size and who may
read it — never the bytes. A confidential material is released only to enquirers who accepted the
listing's confidentiality terms (保密条款) in force, whose text is part of this record and named by its
own SHA-256. The type is read from the file's first bytes (its magic number), not from its name or the
type a browser claims, and the name's extension must agree with it.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, NotFoundError, ValidationError
from domain.shared.ids import natural_id

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
NAME_LIMIT = 120
TERMS_LIMIT = 20_000
#: Materials on one listing at once.
MATERIALS_LIMIT = 30

#: Media types accepted, by the extensions a name of that type may have.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/webp": (".webp",),
}

DEFAULT_TERMS = (
    "保密条款\n"
    "一、接收方仅为评估是否与卖方就本挂牌专利达成交易而使用卖方提供的保密资料，不得用于其他目的。\n"
    "二、未经卖方书面同意，接收方不得向第三方披露保密资料，但为上述目的需要知悉的本单位人员除外，"
    "且该等人员应承担同等保密义务。\n"
    "三、保密义务自接受本条款之日起三年内有效；已公开或接收方独立获得的信息除外。\n"
    "四、平台记录接受本条款的时间和每次读取保密资料的时间。\n\n"
    "Confidentiality terms\n"
    "1. The recipient uses the seller's confidential materials only to decide whether to deal with the seller "
    "over the listed patent, and for no other purpose.\n"
    "2. The recipient discloses them to no third party without the seller's written consent, except to its own "
    "staff who need them for that purpose and are bound alike.\n"
    "3. These duties last three years from acceptance; information that is public or that the recipient obtained "
    "independently is excluded.\n"
    "4. The marketplace records when these terms were accepted and each read of a confidential material."
)


class Access(StrEnum):
    PUBLIC = "public"
    CONFIDENTIAL = "confidential"


def materials_id(listing_id: UUID) -> UUID:
    return natural_id("listing-materials", str(listing_id))


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def terms_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sniff(content: bytes) -> str | None:
    """The media type the file's first bytes announce, among those accepted; ``None`` for any other."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def material_name(value: str) -> str:
    """A file's name as shown: one line, no folders, 1 to ``NAME_LIMIT`` characters."""
    name = value.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise ValidationError("name: give the file's name", field="name", code="required")
    if len(name) > NAME_LIMIT:
        raise ValidationError(f"name: at most {NAME_LIMIT} characters", field="name", code="too_long",
                              most=NAME_LIMIT)
    return name


def check_file(name: str, content: bytes) -> tuple[str, str]:
    """The name as recorded and the media type of a file a seller attaches, or a refusal naming the rule."""
    shown = material_name(name)
    if not content:
        raise ValidationError("content: the file is empty", field="content", code="material.empty")
    if len(content) > MAX_MATERIAL_BYTES:
        raise ValidationError(f"content: a file is at most {MAX_MATERIAL_BYTES // (1024 * 1024)} MB",
                              field="content", code="material.too_large", most_mb=MAX_MATERIAL_BYTES // (1024 * 1024))
    media_type = sniff(content)
    if media_type is None:
        raise ValidationError("content: only PDF files and images (PNG, JPEG, WebP) are accepted; this file is "
                              "neither", field="content", code="material.type")
    if media_type == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise ValidationError("content: the PDF file is cut short (no end-of-file marker)", field="content",
                              code="material.truncated")
    if not shown.lower().endswith(EXTENSIONS[media_type]):
        raise ValidationError(f"name: the file is {media_type}; its name must end in "
                              f"{' or '.join(EXTENSIONS[media_type])}", field="name", code="material.extension",
                              extensions=" / ".join(EXTENSIONS[media_type]))
    return shown, media_type


def terms_text(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError("text: write the confidentiality terms", field="text", code="required")
    if len(text) > TERMS_LIMIT:
        raise ValidationError(f"text: at most {TERMS_LIMIT} characters", field="text", code="too_long",
                              most=TERMS_LIMIT)
    return text


class ListingMaterials(Aggregate):
    """The materials a seller attached to one listing, and the confidentiality terms that release the
    confidential ones."""

    class Opened(Aggregate.Created):
        listing_id: UUID
        seller_organisation_id: UUID
        terms_text: str
        terms_sha256: str
        by: UUID

    @staticmethod
    def create_id(listing_id: UUID, **_: object) -> UUID:
        return materials_id(listing_id)

    @event(Opened)
    def __init__(self, listing_id: UUID, seller_organisation_id: UUID, terms_text: str, terms_sha256: str,
                 by: UUID) -> None:
        self.listing_id = listing_id
        self.seller_organisation_id = seller_organisation_id
        self.terms = terms_text
        self.terms_sha256 = terms_sha256
        self.materials: dict[str, dict[str, Any]] = {}  # sha256 -> name, media_type, size, access

    @classmethod
    def open(cls, *, listing_id: UUID, seller_organisation_id: UUID, by: UUID) -> ListingMaterials:
        return cls(listing_id=listing_id, seller_organisation_id=seller_organisation_id, terms_text=DEFAULT_TERMS,
                   terms_sha256=terms_digest(DEFAULT_TERMS), by=by)

    def attach(self, *, by: UUID, sha256: str, name: str, media_type: str, size: int, access: str) -> bool:
        """Record a checked file; ``False`` (nothing recorded) when the same file is attached already as given."""
        try:
            level = Access(access)
        except ValueError:
            raise ValidationError("access: must be public or confidential", field="access", code="choice") from None
        found = self.materials.get(sha256)
        if found is not None and found["name"] == name and found["access"] == level.value:
            return False
        if found is None and len(self.materials) >= MATERIALS_LIMIT:
            raise ConflictError(f"listing_id: a listing holds at most {MATERIALS_LIMIT} materials; remove one first",
                                field="listing_id", code="material.too_many", most=MATERIALS_LIMIT)
        self._attached(by=by, sha256=sha256, name=name, media_type=media_type, size=size, access=level.value)
        return True

    @event("Attached")
    def _attached(self, by: UUID, sha256: str, name: str, media_type: str, size: int, access: str) -> None:
        self.materials[sha256] = {"name": name, "media_type": media_type, "size": size, "access": access}

    def get(self, sha256: str) -> dict[str, Any]:
        found = self.materials.get(sha256)
        if found is None:
            raise NotFoundError(f"sha256: no material {sha256[:16]} on this listing", field="sha256",
                                code="not_found")
        return found

    def remove(self, *, by: UUID, sha256: str) -> None:
        self.get(sha256)
        self._removed(by=by, sha256=sha256)

    @event("Removed")
    def _removed(self, by: UUID, sha256: str) -> None:
        self.materials.pop(sha256, None)

    def set_terms(self, *, by: UUID, text: str) -> bool:
        """New confidentiality terms; earlier acceptances no longer release anything until accepted again."""
        terms = terms_text(text)
        if terms == self.terms:
            return False
        self._terms_set(by=by, terms_text=terms, terms_sha256=terms_digest(terms))
        return True

    @event("TermsSet")
    def _terms_set(self, by: UUID, terms_text: str, terms_sha256: str) -> None:
        self.terms = terms_text
        self.terms_sha256 = terms_sha256
