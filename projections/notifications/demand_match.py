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
from projections.demand.matching_rules import DemandFacts, score
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


class Facts:
    """The page's facts (``FactsPage``), written when the page ends or before a query reads them, and the open
    demands a published listing is scored against, read once per page and kept as the page's events change them."""

    def __init__(self, ctx: Context) -> None:
        self.curs = ctx.curs
        self.page = FactsPage(self.curs, PREFIX)
        self.page.prefetch(ctx.records)
        self.open: dict[str, tuple[str, str, frozenset[str], DemandFacts]] | None = None  # id -> owner, visibility
        self.verified: dict[str, bool] = {}  # organisation -> verified (the accounts read model, at the page's end)

    def flush(self) -> None:
        self.page.write_facts()
        self.page = FactsPage(self.curs, PREFIX)

    def fold(self, r: EventRecord) -> None:
        self.page.fold(r)
        if self.open is None:
            return
        if r.topic.endswith(":Demand.ProposalAwarded"):
            self.open.pop(r.originator_id, None)
        elif r.topic.endswith(":Demand.Posted") and r.originator_id in self.page.demands:
            row = self.page.demands[r.originator_id]
            self.open[r.originator_id] = (row[1], row[3], frozenset(row[8]), demand_facts(
                {"ipc_codes": row[7], "key_text": row[9], "full_text": row[10], "key_tokens": row[11],
                 "full_tokens": row[12], "budget_min": row[13], "budget_max": row[14], "wants": row[15]}))

    def open_demands(self) -> dict[str, tuple[str, str, frozenset[str], DemandFacts]]:
        if self.open is None:
            self.curs.execute(f"SELECT organisation_id::text AS organisation_id, visibility, subclasses, {DEMAND_FACTS}"  # noqa: S608
                              " FROM notification_match_demands WHERE status = 'open'")
            self.open = {str(d["id"]): (d["organisation_id"], d["visibility"], frozenset(d["subclasses"]),
                                        demand_facts(dict(d)))
                         for d in self.curs.fetchall() if str(d["id"]) not in self.page.awarded}
        return self.open

    def is_verified(self, organisation: str) -> bool:
        if organisation not in self.verified:
            self.curs.execute("SELECT verified FROM accounts_organisations WHERE id = %s", (organisation,))
            row = self.curs.fetchone()
            self.verified[organisation] = row is not None and row["verified"] is True
        return self.verified[organisation]


def facts(ctx: Context) -> Facts:
    found: Facts = ctx.state("demand_match", Facts)
    return found


@REGISTRY.on(Patent, "Registered", "Reregistered", later=ADDED)
@REGISTRY.on(Listing, "Drafted", "Revised", "Published", "Withdrawn", "Suspended", "Resumed", "Closed", later=ADDED)
@REGISTRY.on(Demand, "Posted", "ProposalAwarded", later=ADDED)
def matched(ctx: Context, r: EventRecord) -> Iterable[Notice]:
    """Fold the event into the page's facts; a posted demand or a published listing is scored at once, against
    the facts as this event leaves them (written first when the query reads the table)."""
    page = facts(ctx)
    page.fold(r)
    if r.topic.endswith(":Demand.Posted"):
        page.flush()
        yield from demand_posted(ctx, r)
    elif r.topic.endswith(":Listing.Published"):
        yield from listing_published(page, r)


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


def listing_published(page: Facts, r: EventRecord) -> Iterable[Notice]:
    """The open demands of other organisations that the listing's organisation may see and that share an IPC
    subclass or a term with it (``DEMANDS``' conditions, over the page's open demands), ranked by score."""
    demands = page.open_demands()
    if not demands:
        return
    found = page.page.listing_row(r.originator_id)
    if found is None:
        return
    row, listing = found
    owner, subclasses, key, full = str(row[2]), set(listing.subclasses), listing.key_tokens, listing.full_tokens
    scored = [(score(demand, listing)[0], demand_id, org) for demand_id, (org, visibility, demand_subclasses, demand)
              in demands.items()
              if org != owner and (visibility == "public" or page.is_verified(owner))
              and (not subclasses.isdisjoint(demand_subclasses) or not demand.full_tokens.isdisjoint(key)
                   or not demand.key_tokens.isdisjoint(full))]
    best: dict[str, str] = {}  # organisation -> its best-ranked demand
    for _, demand_id, org in ranked(scored):
        best.setdefault(org, demand_id)
    for org, demand_id in sorted(best.items()):
        yield Notice(KIND, "demand_match.listing", f"/demands/{demand_id}", row[4], row[5], organisations=(org,))
