"""Demand alerts as notice rules: a newly posted technology demand tells the organisations whose published
listings answer it well, and a newly published listing tells the enterprises whose open demands it answers
well — without anyone saving a search.

"Well" is the matching read model's rule (``projections.demand.matching_rules.score``): the listings ranked in
the demand's first ``TOP`` with at least ``LEAST`` points (a listing's demands alike, ranked by the same score).
Each organisation is told once per event, whatever the number of its listings that rank; the link opens the
demand, whose page shows the ranked matches with their reasons. A demand for verified organisations only tells
no unverified one, and nobody is told of their own demand or listing.

The facts matched on are this view's own copy (``notification_match_*``, the columns of ``matching_*``), folded
from the patent, listing and demand events by the matching read model's own code (``FactsPage``) as the inbox
meets them in the log: the demand is scored against the listings as they stood at that point of the log,
however far the matching read model has got, so a rebuild of the inbox alone tells the same organisations.
A member already told of the demand by a saved search is not told twice (``Notice.unless_told``).
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.demand.demand import Demand
from projections.demand.matching import DEMAND_FACTS, LISTING_FACTS, FactsPage, demand_facts, listing_facts
from projections.demand.matching_rules import score
from projections.notifications.registry import REGISTRY, Context, Notice
from projections.shared.records import EventRecord

KIND = "demand_match"
PREFIX = "notification_match"
#: An organisation is told when one of its listings ranks among the demand's first TOP with LEAST points or more
#: (thousandths: e.g. the same IPC group, or half the terms shared each way).
TOP = 5
LEAST = 3000

REGISTRY.words.update({
    "demand_match.demand": ("新需求与您的挂牌匹配", "A new demand matches your listings"),
    "demand_match.listing": ("新挂牌与您的需求匹配", "A new listing matches your demand"),
})

#: Published listings that may answer the demand (the rules' ``candidate``, through the GIN indexes), of other
#: organisations that may see it: a verified-only demand is seen by verified organisations only.
LISTINGS = (
    f"SELECT l.organisation_id::text AS organisation_id, {', '.join('l.' + c for c in LISTING_FACTS.split(', '))}"  # noqa: S608
    " FROM notification_match_listings l LEFT JOIN accounts_organisations o ON o.id = l.organisation_id"
    " WHERE l.status = 'published' AND l.organisation_id <> %(owner)s"
    " AND (%(visibility)s = 'public' OR coalesce(o.verified, false))"
    " AND (l.subclasses && %(subclasses)s OR l.full_tokens && %(key)s OR l.key_tokens && %(full)s)"
)
#: Open (not awarded) demands of other organisations that the listing's organisation may see. Whether a demand's
#: deadline has passed is not asked: no event marks it, and an event's stored time is not the platform's clock.
DEMANDS = (
    f"SELECT d.organisation_id::text AS organisation_id, {', '.join('d.' + c for c in DEMAND_FACTS.split(', '))}"  # noqa: S608
    " FROM notification_match_demands d WHERE d.status = 'open'"
    " AND d.organisation_id <> %(owner)s AND (d.visibility = 'public'"
    " OR (SELECT o.verified FROM accounts_organisations o WHERE o.id = %(owner)s) IS TRUE)"
    " AND (d.subclasses && %(subclasses)s OR d.full_tokens && %(key)s OR d.key_tokens && %(full)s)"
)


def ranked(scored: Iterable[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The first ``TOP`` of (points, id, organisation) by points then id, those with ``LEAST`` points or more."""
    return [s for s in sorted(scored, key=lambda s: (-s[0], s[1]))[:TOP] if s[0] >= LEAST]


#: Added on 2026-12-05, after notices of these events were stored: its notices are numbered after theirs.
ADDED = 1


@REGISTRY.on(Patent, "Registered", "Reregistered", later=ADDED)
@REGISTRY.on(Listing, "Drafted", "Revised", "Published", "Withdrawn", "Suspended", "Resumed", "Closed", later=ADDED)
@REGISTRY.on(Demand, "Posted", "ProposalAwarded", later=ADDED)
def matched(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    page = FactsPage(ctx.curs, PREFIX)
    page.fold(r)
    page.write_facts()
    if r.topic.endswith(":Demand.Posted"):
        yield from demand_posted(ctx, r)
    elif r.topic.endswith(":Listing.Published"):
        yield from listing_published(ctx, r)


def demand_posted(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    ctx.curs.execute(f"SELECT organisation_id::text AS organisation_id, visibility, title_zh, title_en, {DEMAND_FACTS}"  # noqa: S608
                     " FROM notification_match_demands WHERE id = %s", (r.originator_id,))
    row = ctx.curs.fetchone()
    if row is None:
        return
    demand = demand_facts(dict(row))
    ctx.curs.execute(LISTINGS, {"owner": row["organisation_id"], "visibility": row["visibility"],
                                "subclasses": list(demand.subclasses), "key": sorted(demand.key_tokens),
                                "full": sorted(demand.full_tokens)})
    scored = [(score(demand, listing_facts(dict(x)))[0], str(x["id"]), x["organisation_id"])
              for x in ctx.curs.fetchall()]
    organisations = tuple(sorted({org for _, _, org in ranked(scored)}))
    if organisations:
        yield Notice(KIND, "demand_match.demand", f"/demands/{r.originator_id}", row["title_zh"], row["title_en"],
                     organisations=organisations, unless_told=True)


def listing_published(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    ctx.curs.execute(f"SELECT organisation_id::text AS organisation_id, title_zh, title_en, {LISTING_FACTS}"  # noqa: S608
                     " FROM notification_match_listings WHERE id = %s", (r.originator_id,))
    row = ctx.curs.fetchone()
    if row is None:
        return
    listing = listing_facts(dict(row))
    ctx.curs.execute(DEMANDS, {"owner": row["organisation_id"], "subclasses": list(listing.subclasses),
                               "key": sorted(listing.key_tokens), "full": sorted(listing.full_tokens)})
    scored = [(score(demand_facts(dict(d)), listing)[0], str(d["id"]), d["organisation_id"])
              for d in ctx.curs.fetchall()]
    best: dict[str, str] = {}  # organisation -> its best-ranked demand
    for _, demand_id, org in ranked(scored):
        best.setdefault(org, demand_id)
    for org, demand_id in sorted(best.items()):
        yield Notice(KIND, "demand_match.listing", f"/demands/{demand_id}", row["title_zh"], row["title_en"],
                     organisations=(org,))
