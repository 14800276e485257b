"""Inbox read model, writing side: ``notification_items`` per user and event, and the e-mail outbox rows.

Each event is turned into notices by the rules registered in ``REGISTRY`` (``rules`` for the deals, payments,
programmes and demand trades, ``watch`` for saved searches and follows, ``demand_match`` for the organisations
a new demand or listing matches). An organisation's notice goes to the members it had at that event, active
then (``members``: the inbox's own copy, folded from the users' events as it meets them, so live, paged and
rebuilt inboxes agree), but not to the member who acted. An item and its outbox row are written with the
tracking position in one transaction, so each event notifies each user once, across restarts.

The events of a page are applied one after another, each rule reading the state its event leaves, but the
round trips are per page: what the rules remember is kept in memory and written when the page ends
(``Context.flush``), and the items and outbox rows of the page are inserted in one statement each.

What the view rebuilds from the log (``tables``): the items, what it remembers of parties, members and listings, and
the saved searches and follows, which are events of the users (``domain.notifications.watching``), so a
search deleted later still matched the listings published while it stood, in a rebuild as live.

What it does not rebuild (``side_tables``): the users' own state, kept as plain rows because it concerns one
user's reading and mail, not a trade — what each user read (``notification_reads``, from which a rebuilt
item takes its ``read_at``), the e-mail choices (per kind and language, read when an outbox row is written)
and the outbox itself. The outbox stays written here, in the transaction of the tracking row: moving it
out would need a second tracking position to keep "one e-mail per notice across a killed worker". A reset
keeps these tables (a replay does not send again: the outbox's key refuses a second row, and the sender
skips stale rows); the rebuild check (``marketplace.audit.rebuild_check``) gives the scratch view a copy of
them and does not compare them.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from projections.notifications import demand_match, more_rules, rules, sealed_rules, watch  # noqa: F401 - rules
from projections.notifications.members import members
from projections.notifications.registry import REGISTRY, Context, value
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord

#: The items of a page, one row per user and notice: ``read_at`` from what the user read (a replayed item).
INSERT_ITEMS = (
    "INSERT INTO notification_items (user_id, position, seq, kind, event, title_zh, title_en, link, created_at,"
    " read_at) SELECT t.u, t.p, t.s, t.k, t.e, t.zh, t.en, t.l, t.at, (SELECT r.read_at FROM notification_reads r"
    " WHERE r.user_id = t.u AND r.position = t.p AND r.seq = t.s) FROM unnest(%s::uuid[], %s::bigint[], %s::int[],"
    " %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[]) WITH ORDINALITY"
    " AS t(u, p, s, k, e, zh, en, l, at, n) ORDER BY t.n ON CONFLICT DO NOTHING"
)
#: The first 08:00 Beijing time strictly after ``%(at)s``: a notice at 00:30 goes out at 08:00 that morning, one at
#: 08:00 or later the next morning. (Truncating the Beijing day of ``at - 8 h`` and adding 32 hours gives that.)
NEXT_DIGEST_AT = ("(date_trunc('day', (%(at)s::timestamptz AT TIME ZONE 'Asia/Shanghai') - interval '8 hours')"
                  " + interval '32 hours') AT TIME ZONE 'Asia/Shanghai'")
#: Immediately: due at the event; daily digest: due at the next 08:00 Beijing time; off: no row.
INSERT_OUTBOX = (
    "INSERT INTO notification_outbox (user_id, position, seq, kind, digest, due_at)"  # noqa: S608 - constants only
    " SELECT t.u, t.p, t.s, t.k, coalesce(m.mode, 'immediately') = 'digest',"
    " CASE WHEN coalesce(m.mode, 'immediately') = 'digest' THEN " + NEXT_DIGEST_AT.replace("%(at)s", "t.at")
    + " ELSE t.at END"
    " FROM unnest(%s::uuid[], %s::bigint[], %s::int[], %s::text[], %s::timestamptz[]) WITH ORDINALITY"
    " AS t(u, p, s, k, at, n) LEFT JOIN notification_preferences m ON m.user_id = t.u AND m.kind = t.k"
    " WHERE coalesce(m.mode, 'immediately') <> 'off' ORDER BY t.n ON CONFLICT DO NOTHING"
)


class PostgresNotificationsView(PostgresReadModelView):
    name = "notifications"
    tables = ("notification_items", "notification_parties", "notification_listings", "notification_searches",
              "notification_follows", "notification_members", "notification_match_patents",
              "notification_match_listings", "notification_match_demands")
    side_tables = ("notification_reads", "notification_preferences", "notification_languages", "notification_outbox")
    topics = REGISTRY.topics

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        """Each event in turn: its notices, told to the members the organisations have at that event; the page's
        items and outbox rows, and what the rules remembered, are written when the page ends."""
        ctx = Context(curs, records)
        people = members(ctx)
        items: list[tuple[str, int, int, str, str, str, str, str, str]] = []
        for r in records:
            notices = REGISTRY.notices(ctx, r)
            if not notices:
                continue
            actor = value(r, "by")
            told: set[tuple[str, str]] = set()  # (user, link)
            for seq, notice in enumerate([n for n in notices if not n.unless_told]
                                         + [n for n in notices if n.unless_told]):
                found = set(people.members(notice.organisations)) if notice.organisations else set()
                if notice.users:
                    found.update(people.active_users(notice.users))
                users = [u for u in sorted(found)
                         if u != actor and not (notice.unless_told and (u, notice.link) in told)]
                told.update((u, notice.link) for u in users)
                items += [(u, r.position, seq, notice.kind, notice.event, notice.title_zh, notice.title_en,
                           notice.link, r.timestamp) for u in users]
        ctx.flush()
        if items:
            columns = list(zip(*items, strict=True))
            curs.execute(INSERT_ITEMS, [list(c) for c in columns])
            curs.execute(INSERT_OUTBOX, [list(columns[i]) for i in (0, 1, 2, 3, 8)])
