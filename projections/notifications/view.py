"""Inbox read model, writing side: ``notification_items`` per user and event, and the e-mail outbox rows.

Each event is turned into notices by the rules registered in ``REGISTRY`` (``rules`` for the deals, payments,
programmes and demand trades, ``watch`` for saved searches and follows, ``demand_match`` for the organisations
a new demand or listing matches). An organisation's notice goes to its
members active at the time the event is applied (read from the accounts read model, which applies each page
first), but not to the member who acted. An item and its outbox row are written with the tracking position
in one transaction, so each event notifies each user once, across restarts.

What the view rebuilds from the log (``tables``): the items, what it remembers of parties and listings, and
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
from projections.notifications.registry import REGISTRY, Context, Notice, value
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord

MEMBERS = ("SELECT id::text AS id FROM accounts_user_records WHERE organisation_id = ANY(%s::uuid[])"
           " AND active AND NOT erased ORDER BY 1")
ACTIVE = "SELECT id::text AS id FROM accounts_user_records WHERE id = ANY(%s::uuid[]) AND active AND NOT erased"
INSERT_ITEMS = (
    "INSERT INTO notification_items (user_id, position, seq, kind, event, title_zh, title_en, link, created_at,"
    " read_at) SELECT u, %(position)s, %(seq)s, %(kind)s, %(event)s, %(zh)s, %(en)s, %(link)s, %(at)s,"
    " (SELECT r.read_at FROM notification_reads r WHERE r.user_id = u AND r.position = %(position)s"
    " AND r.seq = %(seq)s) FROM unnest(%(users)s::uuid[]) u ON CONFLICT DO NOTHING"
)
#: The first 08:00 Beijing time strictly after ``%(at)s``: a notice at 00:30 goes out at 08:00 that morning, one at
#: 08:00 or later the next morning. (Truncating the Beijing day of ``at - 8 h`` and adding 32 hours gives that.)
NEXT_DIGEST_AT = ("(date_trunc('day', (%(at)s::timestamptz AT TIME ZONE 'Asia/Shanghai') - interval '8 hours')"
                  " + interval '32 hours') AT TIME ZONE 'Asia/Shanghai'")
#: Immediately: due at the event; daily digest: due at the next 08:00 Beijing time; off: no row.
INSERT_OUTBOX = (
    "INSERT INTO notification_outbox (user_id, position, seq, kind, digest, due_at)"  # noqa: S608 - constants only
    " SELECT u, %(position)s, %(seq)s, %(kind)s, coalesce(p.mode, 'immediately') = 'digest',"
    " CASE WHEN coalesce(p.mode, 'immediately') = 'digest' THEN " + NEXT_DIGEST_AT + " ELSE %(at)s END"
    " FROM unnest(%(users)s::uuid[]) u LEFT JOIN notification_preferences p ON p.user_id = u AND p.kind = %(kind)s"
    " WHERE coalesce(p.mode, 'immediately') <> 'off' ON CONFLICT DO NOTHING"
)


class PostgresNotificationsView(PostgresReadModelView):
    name = "notifications"
    tables = ("notification_items", "notification_parties", "notification_listings", "notification_searches",
              "notification_follows", "notification_match_patents", "notification_match_listings",
              "notification_match_demands")
    side_tables = ("notification_reads", "notification_preferences", "notification_languages", "notification_outbox")
    topics = REGISTRY.topics

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        ctx = Context(curs)
        for r in records:
            actor = value(r, "by")
            notices = REGISTRY.notices(ctx, r)
            told: set[tuple[str, str]] = set()  # (user, link)
            for seq, notice in enumerate([n for n in notices if not n.unless_told]
                                         + [n for n in notices if n.unless_told]):
                users = [u for u in self._recipients(curs, notice)
                         if u != actor and not (notice.unless_told and (u, notice.link) in told)]
                told.update((u, notice.link) for u in users)
                if users:
                    self._write(curs, r, seq, notice, users)

    @staticmethod
    def _recipients(curs: Cursor[DictRow], notice: Notice) -> list[str]:
        found: list[str] = []
        if notice.organisations:
            curs.execute(MEMBERS, (list(notice.organisations),))
            found += [row["id"] for row in curs.fetchall()]
        if notice.users:
            curs.execute(ACTIVE, (list(notice.users),))
            found += [row["id"] for row in curs.fetchall()]
        return sorted(set(found))

    @staticmethod
    def _write(curs: Cursor[DictRow], r: EventRecord, seq: int, n: Notice, users: list[str]) -> None:
        args = {"position": r.position, "seq": seq, "kind": n.kind, "event": n.event, "zh": n.title_zh,
                "en": n.title_en, "link": n.link, "at": r.timestamp, "users": users}
        curs.execute(INSERT_ITEMS, args)
        curs.execute(INSERT_OUTBOX, args)
