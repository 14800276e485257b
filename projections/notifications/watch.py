"""Saved searches and follows as notice rules: a newly published listing or demand that matches a user's
saved search, and a price or status change of a listing the user follows.

A listing search matches with the very conditions of the listing index (``projections.catalogue.queries``),
run against the catalogue's row of the new listing (the catalogue read model applies each page of events
before this one); a demand search with those of the demand index, visibility included.

The searches and follows themselves are events (``domain.notifications.watching``): this view keeps them
in ``notification_searches`` and ``notification_follows`` as it meets them in the log, so a listing is
matched against the searches saved before it in the log and not deleted yet. An inbox rebuilt from the log,
or catching up late, gives the same notices, and tells nobody of the past.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from domain.catalogue.listing import Listing
from domain.demand.demand import Demand
from domain.notifications.watching import Follow, SavedSearches
from projections.catalogue.queries import _FILTERS, _QUERY
from projections.demand.demands_queries import NARROW, WHERE
from projections.notifications.registry import REGISTRY, Context, Notice, value
from projections.shared.records import EventRecord, plain
from projections.shared.search import query_parts
from projections.shared.topics import event_topics

REGISTRY.say(
    search_listing=("新挂牌符合您保存的搜索", "A new listing matches your saved search"),
    search_demand=("新需求符合您保存的搜索", "A new demand matches your saved search"),
    follow_price=("关注的挂牌价格变动", "Price changed on a listing you follow"),
    follow_status=("关注的挂牌状态变动", "Status changed on a listing you follow"),
)

_LISTING_ARGS = {1: "s.q_latin", 2: "s.q_cjk", 3: "s.f_section", 4: "s.f_class", 5: "s.f_deal_type",
                 6: "s.f_price_min", 7: "s.f_price_max", 8: "s.f_maturity"}
_DEMAND_ARGS = {1: "o.id", 2: "coalesce(o.verified, false)", 3: "s.words", 4: "s.field", 5: "s.want"}


def _bind(text: str, names: dict[int, str]) -> str:
    """The index's SQL with its ``$n`` parameters replaced by the saved search's columns."""
    return re.sub(r"\$(\d+)", lambda m: names[int(m.group(1))], text)


LISTING_MATCHES = (
    "SELECT DISTINCT s.user_id::text AS user_id FROM notification_searches s"  # noqa: S608 - fixed text
    f" CROSS JOIN catalogue_listings l CROSS JOIN LATERAL (SELECT {_bind(_QUERY, _LISTING_ARGS)} AS query) q"
    f" WHERE s.scope = 'listings' AND l.id = %(id)s"
    f" AND {_bind(_FILTERS, _LISTING_ARGS).replace('search @@', 'l.search @@')} ORDER BY 1"
)
DEMAND_MATCHES = (
    "SELECT DISTINCT s.user_id::text AS user_id FROM notification_searches s"  # noqa: S608 - fixed text
    " JOIN accounts_user_records u ON u.id = s.user_id LEFT JOIN accounts_organisations o"
    " ON o.id = u.organisation_id CROSS JOIN demand_demands d"
    f" {_bind(WHERE, _DEMAND_ARGS).replace('%', '%%')}{_bind(NARROW, _DEMAND_ARGS)}"
    " AND s.scope = 'demands' AND d.id = %(id)s ORDER BY 1"
)


LISTING_TOPICS = event_topics(Listing, "Drafted", "Revised", "Published", "Withdrawn", "Suspended", "Resumed", "Closed")


class Watched:
    """The page's view of what is watched: the listings' owner, price and status (``notification_listings``,
    read in one round trip for the page's listings and written when the page ends), their followers, and
    whether any listing search is saved (none: a published listing asks nothing)."""

    def __init__(self, ctx: Context) -> None:
        self.curs = ctx.curs
        self.listings: dict[str, list[object] | None] = {}  # listing -> [organisation, mode, price, status]
        self.changed: set[str] = set()
        self.followers: dict[str, set[str]] = {}  # listing -> following users (read for the page's listings)
        self.listing_searches: bool | None = None
        self.load(r.originator_id for r in ctx.records if r.topic in LISTING_TOPICS)

    def load(self, listing_ids: Iterable[str]) -> None:
        wanted = sorted({i for i in listing_ids if i not in self.listings})
        if not wanted:
            return
        self.curs.execute("SELECT listing_id::text AS id, organisation_id::text AS o, price_mode, asking_price, status"
                          " FROM notification_listings WHERE listing_id = ANY(%s::uuid[])", (wanted,))
        self.listings.update((i, None) for i in wanted)
        for row in self.curs.fetchall():
            self.listings[row["id"]] = [row["o"], row["price_mode"], row["asking_price"], row["status"]]
        self.curs.execute("SELECT listing_id::text AS id, user_id::text AS u FROM notification_follows"
                          " WHERE listing_id = ANY(%s::uuid[])", (wanted,))
        self.followers.update((i, set()) for i in wanted)
        for row in self.curs.fetchall():
            self.followers[row["id"]].add(row["u"])

    def listing(self, listing_id: str) -> list[object] | None:
        if listing_id not in self.listings:
            self.load((listing_id,))
        return self.listings[listing_id]

    def drafted(self, listing_id: str, organisation: str, mode: str, price: object) -> None:
        if self.listing(listing_id) is None:  # ON CONFLICT DO NOTHING: a listing drafted twice keeps its first row
            self.listings[listing_id] = [organisation, mode, price, "draft"]
            self.changed.add(listing_id)

    def update(self, listing_id: str, **values: object) -> None:
        known = self.listing(listing_id)
        if known is not None:  # an UPDATE of a listing not drafted changes nothing
            for name, found in values.items():
                known[("price_mode", "asking_price", "status").index(name) + 1] = found
            self.changed.add(listing_id)

    def following(self, listing_id: str) -> tuple[str, ...]:
        if listing_id not in self.followers:
            self.load((listing_id,))
        return tuple(sorted(self.followers.get(listing_id, ())))

    def followed(self, user: str, listing_id: str, on: bool) -> None:
        if listing_id in self.followers:
            (self.followers[listing_id].add if on else self.followers[listing_id].discard)(user)

    def any_listing_search(self) -> bool:
        if self.listing_searches is None:
            self.curs.execute("SELECT EXISTS (SELECT 1 FROM notification_searches WHERE scope = 'listings') AS e")
            row = self.curs.fetchone()
            self.listing_searches = bool(row and row["e"])
        return self.listing_searches

    def flush(self) -> None:
        rows = [(i, *known) for i in sorted(self.changed) if (known := self.listings[i]) is not None]
        self.changed.clear()
        if rows:
            self.curs.execute(
                "INSERT INTO notification_listings (listing_id, organisation_id, price_mode, asking_price, status)"
                " SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::text[], %s::bigint[], %s::text[])"
                " ON CONFLICT (listing_id) DO UPDATE SET price_mode = EXCLUDED.price_mode,"
                " asking_price = EXCLUDED.asking_price, status = EXCLUDED.status",
                [list(c) for c in zip(*rows, strict=True)])


def watched(ctx: Context) -> Watched:
    found: Watched = ctx.state("watch", Watched)
    return found


def _price(terms: dict[str, object]) -> tuple[str, object]:
    return str(terms.get("price_mode", "")), terms.get("asking_price")


def _told(ctx: Context, kind: str, event: str, listing: str, users: tuple[str, ...]) -> Iterable[Notice]:
    """A notice about ``listing`` for ``users`` (none, and no title is read: most listings have no watcher)."""
    if users:
        zh, en = ctx.listing_title(listing)
        yield Notice(kind, event, f"/listings/{listing}", zh, en, users=users)


@REGISTRY.on(Listing, "Drafted", "Revised", "Published", "Withdrawn", "Suspended", "Resumed", "Closed")
def listing_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    name = r.topic.rsplit(".", 1)[1]
    listing = r.originator_id
    page = watched(ctx)
    if name == "Drafted":
        mode, price = _price(plain(r.data["terms"]))
        page.drafted(listing, value(r, "organisation_id"), mode, price)
        return
    known = page.listing(listing)
    if name == "Revised":
        mode, price = _price(plain(r.data["terms"]))
        before = None if known is None else (known[1], known[2], known[3])
        page.update(listing, price_mode=mode, asking_price=price)
        if before is not None and before[2] == "published" and (before[0], before[1]) != (mode, price):
            yield from _told(ctx, "follow", "follow.price", listing, page.following(listing))
        return
    status = {"Published": "published", "Withdrawn": "withdrawn", "Suspended": "suspended", "Closed": "closed",
              "Resumed": value(r, "status")}[name]
    page.update(listing, status=status)
    if name == "Published":
        if page.any_listing_search():
            ctx.curs.execute(LISTING_MATCHES, {"id": listing})
            yield from _told(ctx, "search", "search.listing", listing,
                             tuple(row["user_id"] for row in ctx.curs.fetchall()))
    else:
        yield from _told(ctx, "follow", "follow.status", listing, page.following(listing))


@REGISTRY.on(Demand, "Posted")
def demand_posted(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    ctx.curs.execute(DEMAND_MATCHES, {"id": r.originator_id})
    users = tuple(row["user_id"] for row in ctx.curs.fetchall())
    if users:
        zh, en = ctx.demand_title(r.originator_id)
        yield Notice("search", "search.demand", f"/demands/{r.originator_id}", zh, en, users=users)


# --- what the users watch: kept from their own events --------------------------------------------------

SAVE_SEARCH = (
    "INSERT INTO notification_searches (id, user_id, scope, q, q_latin, q_cjk, f_section, f_class, f_deal_type,"
    " f_price_min, f_price_max, f_maturity, field, want, words, saved_at) VALUES (%(id)s, %(user)s, %(scope)s,"
    " %(q)s, %(latin)s, %(cjk)s, %(section)s, %(class)s, %(deal_type)s, %(min)s, %(max)s, %(maturity)s,"
    " %(field)s, %(want)s, %(words)s, %(at)s) ON CONFLICT (id) DO NOTHING"
)


def _text(r: EventRecord, name: str) -> str | None:
    found = plain(r.data.get(name))
    return None if found is None else str(found)


@REGISTRY.on(SavedSearches, "Saved", "Deleted")
def search_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """Keep the user's saved search as the index's matching needs it (its words split as the index splits)."""
    if r.topic.endswith(".Deleted"):  # the page may still think a listing search stands: it asks the table
        ctx.curs.execute("DELETE FROM notification_searches WHERE id = %s", (value(r, "search_id"),))
        return ()
    if value(r, "scope") == "listings":
        watched(ctx).listing_searches = True
    q = value(r, "q")
    latin, cjk = query_parts(q)
    words = [w for w in q.casefold().split() if w][:10]
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    ctx.curs.execute(SAVE_SEARCH, {
        "id": value(r, "search_id"), "user": value(r, "user_id"), "scope": value(r, "scope"), "q": q,
        "latin": latin, "cjk": cjk, "section": _text(r, "ipc_section"), "class": _text(r, "ipc_class"),
        "deal_type": _text(r, "deal_type"), "min": plain(r.data.get("price_min")),
        "max": plain(r.data.get("price_max")), "maturity": _text(r, "maturity"), "field": value(r, "field"),
        "want": value(r, "want"), "words": escaped, "at": r.timestamp})
    return ()


@REGISTRY.on(Follow, "Followed", "Refollowed", "Unfollowed")
def follow_event(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    user, listing = value(r, "user_id"), value(r, "listing_id")
    watched(ctx).followed(user, listing, not r.topic.endswith(".Unfollowed"))
    if r.topic.endswith(".Unfollowed"):
        ctx.curs.execute("DELETE FROM notification_follows WHERE user_id = %s AND listing_id = %s", (user, listing))
    else:
        ctx.curs.execute("INSERT INTO notification_follows (user_id, listing_id, followed_at) VALUES (%s, %s, %s)"
                         " ON CONFLICT DO NOTHING", (user, listing, r.timestamp))
    return ()
