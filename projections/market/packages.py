"""Achievement packages read model, writing side (科技成果包, migration 0036): packages, editions, followers.

Every value derives from the events alone (times are event timestamps, or the instant the worker recorded), so
a rebuild reproduces identical rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.market.package import Package, PackageFollow
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topic

DRAFTED = event_topic(Package, "Drafted")
REVISED = event_topic(Package, "Revised")
SCHEDULED = event_topic(Package, "Scheduled")
UNSCHEDULED = event_topic(Package, "Unscheduled")
PUBLISHED = event_topic(Package, "EditionPublished")
FOLLOWED = event_topic(PackageFollow, "Followed")
REFOLLOWED = event_topic(PackageFollow, "Refollowed")
UNFOLLOWED = event_topic(PackageFollow, "Unfollowed")
SEEN = event_topic(PackageFollow, "EditionSeen")


class PostgresPackagesView(PostgresReadModelView):
    name = "market_packages"
    tables = ("market_packages", "market_package_editions", "market_package_followers")
    topics = frozenset({DRAFTED, REVISED, SCHEDULED, UNSCHEDULED, PUBLISHED, FOLLOWED, REFOLLOWED, UNFOLLOWED,
                        SEEN})

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        for r in records:
            d = plain(r.data)
            if r.topic in (DRAFTED, REVISED):
                values = {"id": r.originator_id, "at": r.timestamp, "v": r.version, "tz": d["title_zh"],
                          "te": d["title_en"], "dz": d["description_zh"], "de": d["description_en"],
                          "ind": d["industry"], "ids": d["listing_ids"], "org": d.get("organisation_id")}
                if r.topic == DRAFTED:
                    curs.execute(
                        "INSERT INTO market_packages (id, organisation_id, title_zh, title_en, description_zh,"
                        " description_en, industry, listing_ids, drafted_at, updated_at, version) VALUES (%(id)s,"
                        " %(org)s, %(tz)s, %(te)s, %(dz)s, %(de)s, %(ind)s, %(ids)s::uuid[], %(at)s, %(at)s, %(v)s)"
                        " ON CONFLICT (id) DO NOTHING", values)
                else:
                    curs.execute(
                        "UPDATE market_packages SET title_zh = %(tz)s, title_en = %(te)s, description_zh = %(dz)s,"
                        " description_en = %(de)s, industry = %(ind)s, listing_ids = %(ids)s::uuid[],"
                        " updated_at = %(at)s, version = %(v)s WHERE id = %(id)s", values)
            elif r.topic in (SCHEDULED, UNSCHEDULED):
                curs.execute("UPDATE market_packages SET publish_on = %s, updated_at = %s, version = %s WHERE id = %s",
                             (d.get("publish_on"), r.timestamp, r.version, r.originator_id))
            elif r.topic == PUBLISHED:
                curs.execute(
                    "INSERT INTO market_package_editions (package_id, number, title_zh, title_en, description_zh,"
                    " description_en, industry, listing_ids, added, dropped, publish_on, published_at) VALUES"
                    " (%s, %s, %s, %s, %s, %s, %s, %s::uuid[], %s::uuid[], %s::uuid[], %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (r.originator_id, d["number"], d["title_zh"], d["title_en"], d["description_zh"],
                     d["description_en"], d["industry"], d["listing_ids"], d["added"], d["dropped"],
                     d["publish_on"], d["at"]))
                curs.execute(
                    "UPDATE market_packages SET publish_on = NULL, edition = %s, published_at = %s, updated_at = %s,"
                    " version = %s WHERE id = %s", (d["number"], d["at"], r.timestamp, r.version, r.originator_id))
            elif r.topic == FOLLOWED:
                curs.execute(
                    "INSERT INTO market_package_followers (id, package_id, user_id, following, seen_edition,"
                    " followed_at) VALUES (%s, %s, %s, true, %s, %s) ON CONFLICT DO NOTHING",
                    (r.originator_id, d["package_id"], d["user_id"], d["seen_edition"], r.timestamp))
            elif r.topic == REFOLLOWED:
                curs.execute("UPDATE market_package_followers SET following = true, seen_edition = %s,"
                             " followed_at = %s WHERE id = %s", (d["seen_edition"], r.timestamp, r.originator_id))
            elif r.topic == UNFOLLOWED:
                curs.execute("UPDATE market_package_followers SET following = false WHERE id = %s",
                             (r.originator_id,))
            elif r.topic == SEEN:
                curs.execute("UPDATE market_package_followers SET seen_edition = greatest(seen_edition, %s)"
                             " WHERE id = %s", (d["edition"], r.originator_id))
