"""Achievement-package command structs (科技成果包, msgspec, frozen): the curator's and the follower's."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.market.package import MAX_LISTINGS
from marketplace.platform.command import Command, RequestKey, ShortText, Text

ListingIds = Annotated[list[UUID], msgspec.Meta(max_length=MAX_LISTINGS)]


class DraftPackage(Command, frozen=True, kw_only=True):
    """A programme officer or a transfer agency's member drafts a package (``package_id``: an idempotency key
    chosen by the form, so a double submit drafts one; the answer gives the package's id)."""

    title_zh: ShortText = ""
    title_en: ShortText = ""
    description_zh: Text = ""
    description_en: Text = ""
    industry: ShortText = ""
    listing_ids: ListingIds = msgspec.field(default_factory=list)
    package_id: RequestKey | None = None


class RevisePackage(Command, frozen=True, kw_only=True):
    """The curator organisation's member replaces the next edition's content (published editions stay)."""

    package_id: UUID
    title_zh: ShortText = ""
    title_en: ShortText = ""
    description_zh: Text = ""
    description_en: Text = ""
    industry: ShortText = ""
    listing_ids: ListingIds = msgspec.field(default_factory=list)


class SchedulePackage(Command, frozen=True, kw_only=True):
    """Schedule the next edition for a day (Beijing); the deadline worker publishes it on that day."""

    package_id: UUID
    publish_on: date


class UnschedulePackage(Command, frozen=True, kw_only=True):
    package_id: UUID


class PublishDuePackage(Command, frozen=True, kw_only=True):
    """The deadline worker's: publish the package's scheduled edition if its day has come."""

    package_id: UUID


class FollowPackage(Command, frozen=True, kw_only=True):
    package_id: UUID


class UnfollowPackage(Command, frozen=True, kw_only=True):
    package_id: UUID


class SeePackageEdition(Command, frozen=True, kw_only=True):
    """The follower has read the package's latest edition (its news leaves the to-do)."""

    package_id: UUID
