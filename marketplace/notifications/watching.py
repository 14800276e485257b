"""Saved searches and follows as commands: what a user watches is recorded as events (``domain.notifications``),
so that the inbox, which matches each new listing or demand against them, is rebuilt identically from the log.

Any active user may save searches and follow published listings for itself; nobody acts for another
user. A double submit records one effect: a search is named by the id its form chose, following
twice is one follow. Two saves at once on one user's searches write the same next version of its
``SavedSearches``: the second one conflicts and is tried again on the new state, so the limit holds.
"""

from __future__ import annotations

from uuid import UUID

from domain.catalogue.listing import Listing, ListingStatus
from domain.notifications.watching import Follow, SavedSearches, follow_id, searches_id
from domain.shared.errors import ConcurrentModificationError, ConflictError, NotFoundError
from marketplace.notifications import commands as nc
from marketplace.platform.app_base import MarketplaceBase

ATTEMPTS = 5


class Watching:
    """Saved searches and followed listings (the notifications trade's commands)."""

    def __init__(self, store: MarketplaceBase) -> None:
        self.store = store

    def _head(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    def save_search(self, cmd: nc.SaveSearch, *, actor_id: UUID | None) -> int:
        """Save the user's search; the log position (the head when nothing changed)."""
        user = self.store.actor(actor_id)
        criteria = {name: getattr(cmd, name) for name in ("q", "ipc_section", "ipc_class", "deal_type", "price_min",
                                                          "price_max", "maturity", "field", "want")}
        for _ in range(ATTEMPTS):
            key = searches_id(user.id)
            searches = (self.store.load(SavedSearches, key, "search_id") if self.store.exists(key)
                        else SavedSearches(user_id=user.id))
            if not searches.save(cmd.search_id, cmd.scope, criteria):
                return self._head()
            try:
                return self.store.commit(searches)
            except ConcurrentModificationError:  # saved at once in another tab: again, on the new state
                continue
        raise ConflictError("search_id: your searches are being changed right now; try again", field="search_id",
                            code="search.busy")

    def delete_search(self, cmd: nc.DeleteSearch, *, actor_id: UUID | None) -> int:
        user = self.store.actor(actor_id)
        for _ in range(ATTEMPTS):
            key = searches_id(user.id)
            if not self.store.exists(key):
                return self._head()
            searches = self.store.load(SavedSearches, key, "search_id")
            if not searches.delete(cmd.search_id):
                return self._head()
            try:
                return self.store.commit(searches)
            except ConcurrentModificationError:
                continue
        raise ConflictError("search_id: your searches are being changed right now; try again", field="search_id",
                            code="search.busy")

    def _visible(self, listing_id: UUID, organisation_id: UUID | None) -> None:
        """A listing one may follow: any but another organisation's draft (which is no one else's business)."""
        listing = self.store.load(Listing, listing_id, "listing_id")
        if listing.status == ListingStatus.DRAFT.value and listing.organisation_id != organisation_id:
            raise NotFoundError(f"listing_id: no listing with id {listing_id}", field="listing_id", code="not_found")

    def follow_listing(self, cmd: nc.FollowListing, *, actor_id: UUID | None) -> int:
        """Follow (or stop following) a listing; another organisation's draft cannot be followed (not found);
        stopping is always possible."""
        user = self.store.actor(actor_id)
        for _ in range(ATTEMPTS):
            key = follow_id(user.id, cmd.listing_id)
            if self.store.exists(key):
                follow = self.store.load(Follow, key, "listing_id")
                if cmd.on == follow.on:
                    return self._head()
                if cmd.on:
                    self._visible(cmd.listing_id, user.organisation_id)
                follow.set(cmd.on)
            elif not cmd.on:
                return self._head()
            else:
                self._visible(cmd.listing_id, user.organisation_id)
                follow = Follow(user_id=user.id, listing_id=cmd.listing_id)
            try:
                return self.store.commit(follow)
            except ConcurrentModificationError:  # the same follow from another tab: again, on the new state
                continue
        raise ConflictError("listing_id: this follow is being changed right now; try again", field="listing_id",
                            code="follow.busy")
