"""What a user watches, recorded as events so that the inbox is a pure function of the event log.

``SavedSearches`` holds one user's saved searches (a listing or demand search: its words and facets).
It is one aggregate per user (id from the user id), so the limit of ``SEARCHES_LIMIT`` searches holds
under concurrent saves: two saves at once write the same next version and the second one conflicts
and is retried on the new state. A search is named by an id the form chooses, so saving twice records
one search, and a search once deleted is not brought back by a late double submit.

``Follow`` is one user following one listing (id from both ids): followed, unfollowed, followed again.

The events carry the user's id and the search's words, never an e-mail address or a name.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import ConflictError
from domain.shared.ids import natural_id

#: Saved searches per user: each newly published listing or demand is matched against every saved search.
SEARCHES_LIMIT = 50
SCOPES = ("listings", "demands")


def searches_id(user_id: UUID) -> UUID:
    return natural_id("saved-searches", str(user_id))


def follow_id(user_id: UUID, listing_id: UUID) -> UUID:
    return natural_id("follow", f"{user_id}/{listing_id}")


class SavedSearches(Aggregate):
    """One user's saved searches: the live ones by id (with their scope), and the ids deleted."""

    class Opened(Aggregate.Created):
        user_id: UUID

    @staticmethod
    def create_id(user_id: UUID, **_: object) -> UUID:
        return searches_id(user_id)

    @event(Opened)
    def __init__(self, user_id: UUID) -> None:
        self.user_id = user_id
        self.live: dict[UUID, str] = {}
        self.deleted: set[UUID] = set()

    def save(self, search_id: UUID, scope: str, criteria: dict[str, Any]) -> bool:
        """Save the search (``criteria``: q, ipc_section, ipc_class, deal_type, price_min, price_max, maturity,
        field, want); whether anything changed (a double submit, or a search deleted meanwhile: nothing)."""
        if search_id in self.live or search_id in self.deleted:
            return False
        if len(self.live) >= SEARCHES_LIMIT:
            raise ConflictError(f"search_id: a user keeps at most {SEARCHES_LIMIT} saved searches; delete one first",
                                field="search_id", code="search.limit", limit=SEARCHES_LIMIT)
        self._saved(user_id=self.user_id, search_id=search_id, scope=scope, **criteria)
        return True

    @event("Saved")
    def _saved(self, user_id: UUID, search_id: UUID, scope: str, q: str = "", ipc_section: str | None = None,
               ipc_class: str | None = None, deal_type: str | None = None, price_min: int | None = None,
               price_max: int | None = None, maturity: str | None = None, field: str = "", want: str = "") -> None:
        self.live[search_id] = scope

    def delete(self, search_id: UUID) -> bool:
        """Delete one of the user's searches; whether it was there."""
        if search_id not in self.live:
            return False
        self._deleted(user_id=self.user_id, search_id=search_id)
        return True

    @event("Deleted")
    def _deleted(self, user_id: UUID, search_id: UUID) -> None:
        del self.live[search_id]
        self.deleted.add(search_id)


class Follow(Aggregate):
    """One user following one listing: news of its price and status changes while ``on``. Each event names
    the user and the listing, so that the inbox reads them without remembering the follow's id."""

    class Followed(Aggregate.Created):
        user_id: UUID
        listing_id: UUID

    @staticmethod
    def create_id(user_id: UUID, listing_id: UUID, **_: object) -> UUID:
        return follow_id(user_id, listing_id)

    @event(Followed)
    def __init__(self, user_id: UUID, listing_id: UUID) -> None:
        self.user_id = user_id
        self.listing_id = listing_id
        self.on = True

    def set(self, on: bool) -> bool:
        """Follow or stop following; whether it changed (following twice is one follow)."""
        if on == self.on:
            return False
        if on:
            self._refollowed(user_id=self.user_id, listing_id=self.listing_id)
        else:
            self._unfollowed(user_id=self.user_id, listing_id=self.listing_id)
        return True

    @event("Refollowed")
    def _refollowed(self, user_id: UUID, listing_id: UUID) -> None:
        self.on = True

    @event("Unfollowed")
    def _unfollowed(self, user_id: UUID, listing_id: UUID) -> None:
        self.on = False
