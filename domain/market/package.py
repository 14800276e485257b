"""Achievement packages (科技成果包发布推广制度, seed task 15): a curated, versioned set of published listings.

A programme officer's department or a transfer agency curates a package around an industry (e.g.
"新能源电池成果包 2027 第一期"): its titles and descriptions, the industry, and the listings it presents. The
curator works on the next edition (the working set) and schedules it for a date; the deadline worker publishes
it on that date (Beijing), as one ``EditionPublished`` event carrying the whole set and what changed since
the previous edition. Published editions are never changed: a change is a new edition. Because an edition's
event carries the whole set, a publication racing the curator's edit gives one consistent edition — the set
as it stood before the edit or after it, never a mix — and the losing save fails on the aggregate's version.

A follower (a logged-in user) follows a package in an aggregate of its own (:class:`PackageFollow`, its id
derived from the package and the user), so following never clashes with the curator's saves; it records the
edition the follower has seen, and a newer edition is news for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError, ValidationError
from domain.shared.ids import natural_id

#: The most listings one edition presents.
MAX_LISTINGS = 100


def follow_id(package_id: UUID, user_id: UUID) -> UUID:
    """One follow per package and user."""
    return natural_id("package-follow", f"{package_id}:{user_id}")


def changes(previous: Sequence[UUID], current: Sequence[UUID]) -> tuple[list[UUID], list[UUID]]:
    """(added, dropped) from ``previous`` to ``current``, each in its set's order."""
    before, after = set(previous), set(current)
    return [x for x in current if x not in before], [x for x in previous if x not in after]


def _set(listing_ids: Sequence[UUID]) -> list[UUID]:
    unique = list(dict.fromkeys(listing_ids))
    if len(unique) > MAX_LISTINGS:
        raise ValidationError(f"listing_ids: a package presents at most {MAX_LISTINGS} listings",
                              field="listing_ids", code="package.too_many", limit=MAX_LISTINGS)
    return unique


def _texts(title_zh: str, title_en: str) -> None:
    if not (title_zh.strip() or title_en.strip()):
        raise ValidationError("title_zh: give the package a title in Chinese or English", field="title_zh",
                              code="package.title")


class Package(Aggregate):
    """A curated package of listings and its published editions (each immutable)."""

    class Drafted(Aggregate.Created):
        organisation_id: UUID
        title_zh: str
        title_en: str
        description_zh: str
        description_en: str
        industry: str
        listing_ids: list[UUID]
        by: UUID

    @event(Drafted)
    def __init__(self, id: UUID, organisation_id: UUID, title_zh: str, title_en: str, description_zh: str,
                 description_en: str, industry: str, listing_ids: list[UUID], by: UUID) -> None:
        self.organisation_id = organisation_id
        self.title_zh, self.title_en = title_zh, title_en
        self.description_zh, self.description_en = description_zh, description_en
        self.industry = industry
        self.listing_ids = list(listing_ids)
        self.publish_on: date | None = None
        #: Published editions, oldest first: each a dict of number, listing ids, added, dropped, texts, time.
        self.editions: list[dict[str, Any]] = []

    @classmethod
    def draft(cls, *, organisation_id: UUID, title_zh: str, title_en: str, description_zh: str = "",
              description_en: str = "", industry: str = "", listing_ids: Sequence[UUID] = (), by: UUID,
              package_id: UUID | None = None) -> Package:
        _texts(title_zh, title_en)
        return cls(id=package_id or uuid4(), organisation_id=organisation_id, title_zh=title_zh, title_en=title_en,
                   description_zh=description_zh, description_en=description_en, industry=industry,
                   listing_ids=_set(listing_ids), by=by)

    # --- reading -------------------------------------------------------------------------------
    @property
    def edition(self) -> int:
        """The number of the latest published edition (0: none yet)."""
        return len(self.editions)

    @property
    def published_ids(self) -> list[UUID]:
        return list(self.editions[-1]["listing_ids"]) if self.editions else []

    def content(self) -> dict[str, Any]:
        return {"title_zh": self.title_zh, "title_en": self.title_en, "description_zh": self.description_zh,
                "description_en": self.description_en, "industry": self.industry,
                "listing_ids": list(self.listing_ids)}

    # --- the curator's work on the next edition ----------------------------------------------------
    def revise(self, *, title_zh: str, title_en: str, description_zh: str, description_en: str, industry: str,
               listing_ids: Sequence[UUID], by: UUID) -> bool:
        """Replace the next edition's content (the same content again changes nothing)."""
        _texts(title_zh, title_en)
        ids = _set(listing_ids)
        content = {"title_zh": title_zh, "title_en": title_en, "description_zh": description_zh,
                   "description_en": description_en, "industry": industry, "listing_ids": ids}
        if content == self.content():
            return False
        self._revised(title_zh=title_zh, title_en=title_en, description_zh=description_zh,
                      description_en=description_en, industry=industry, listing_ids=ids, by=by)
        return True

    @event("Revised")
    def _revised(self, title_zh: str, title_en: str, description_zh: str, description_en: str, industry: str,
                 listing_ids: list[UUID], by: UUID) -> None:
        self.title_zh, self.title_en = title_zh, title_en
        self.description_zh, self.description_en = description_zh, description_en
        self.industry = industry
        self.listing_ids = list(listing_ids)

    def schedule(self, publish_on: date, *, today: date, by: UUID) -> bool:
        """Schedule the next edition for ``publish_on`` (today or later); the same date again changes nothing."""
        if publish_on < today:
            raise ValidationError("publish_on: the publication date is today or later", field="publish_on",
                                  code="package.date_past")
        if not self.listing_ids:
            raise ConflictError("listing_ids: an edition presents at least one listing", field="listing_ids",
                                code="package.empty")
        if self.publish_on == publish_on:
            return False
        self._scheduled(publish_on=publish_on.isoformat(), by=by)
        return True

    @event("Scheduled")
    def _scheduled(self, publish_on: str, by: UUID) -> None:
        self.publish_on = date.fromisoformat(publish_on)

    def unschedule(self, *, by: UUID) -> bool:
        if self.publish_on is None:
            return False
        self._unscheduled(by=by)
        return True

    @event("Unscheduled")
    def _unscheduled(self, by: UUID) -> None:
        self.publish_on = None

    # --- publication (the deadline worker) ---------------------------------------------------------
    def due(self, today: date) -> bool:
        return self.publish_on is not None and self.publish_on <= today

    def publish_due(self, *, today: date, at: str) -> bool:
        """Publish the scheduled edition if its date has come (Beijing ``today``); returns whether it did.
        The edition carries the whole set and the texts as they stand, and what changed since the last one."""
        if not self.due(today):
            return False
        if not self.listing_ids:  # every listing dropped meanwhile: nothing to present, the schedule stands
            return False
        added, dropped = changes(self.published_ids, self.listing_ids)
        self._edition_published(number=self.edition + 1, listing_ids=list(self.listing_ids), added=added,
                                dropped=dropped, title_zh=self.title_zh, title_en=self.title_en,
                                description_zh=self.description_zh, description_en=self.description_en,
                                industry=self.industry, publish_on=str(self.publish_on), at=at)
        return True

    @event("EditionPublished")
    def _edition_published(self, number: int, listing_ids: list[UUID], added: list[UUID], dropped: list[UUID],
                           title_zh: str, title_en: str, description_zh: str, description_en: str, industry: str,
                           publish_on: str, at: str) -> None:
        self.editions.append({"number": number, "listing_ids": list(listing_ids), "added": list(added),
                              "dropped": list(dropped), "at": at})
        self.publish_on = None


class PackageFollow(Aggregate):
    """A user following a package: told of each edition published after the one it has seen."""

    class Followed(Aggregate.Created):
        package_id: UUID
        user_id: UUID
        seen_edition: int

    @staticmethod
    def create_id(package_id: UUID, user_id: UUID, **_: object) -> UUID:
        return follow_id(package_id, user_id)

    @event(Followed)
    def __init__(self, package_id: UUID, user_id: UUID, seen_edition: int) -> None:
        self.package_id = package_id
        self.user_id = user_id
        self.seen_edition = seen_edition
        self.following = True

    def follow_again(self, seen_edition: int) -> bool:
        if self.following:
            return False
        self._refollowed(seen_edition=seen_edition)
        return True

    @event("Refollowed")
    def _refollowed(self, seen_edition: int) -> None:
        self.following = True
        self.seen_edition = seen_edition

    def unfollow(self) -> bool:
        if not self.following:
            return False
        self._unfollowed()
        return True

    @event("Unfollowed")
    def _unfollowed(self) -> None:
        self.following = False

    def see(self, edition: int) -> bool:
        """The follower has read edition ``edition`` (a later one than seen, or nothing changes)."""
        if edition <= self.seen_edition:
            return False
        self._seen(edition=edition)
        return True

    @event("EditionSeen")
    def _seen(self, edition: int) -> None:
        self.seen_edition = edition
