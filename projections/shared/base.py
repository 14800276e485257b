"""The base of every read model: a tracking recorder whose view rows and position commit together."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor, DataError, errors, sql
from psycopg.rows import DictRow

from projections.shared.records import EventRecord


class PostgresReadModelView(PostgresTrackingRecorder, ABC):
    """A read model in PostgreSQL, written exactly once per event.

    ``process`` writes the changes for a whole page of events and the new tracking position in
    one transaction, so a crash leaves either both or neither; a page is never applied twice
    because the tracking insert refuses to move backwards.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    #: Tables the view reads or writes that are not rebuilt from the log (users' own state kept beside it):
    #: a reset keeps them, and the rebuild check gives its scratch view a copy of them without comparing them.
    side_tables: ClassVar[tuple[str, ...]] = ()
    topics: ClassVar[frozenset[str]]

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name=f"{self.name}_tracking")

    def follows(self, topic: str) -> bool:
        """Whether this read model applies events of ``topic`` (one without topics follows every event)."""
        return not self.topics or topic in self.topics

    def process(self, records: Sequence[EventRecord], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # A read model can always be rebuilt from the log, and its tracking row commits with it,
            # so it need not wait for the WAL flush: a crash loses at most a page that is replayed.
            curs.execute("SET LOCAL synchronous_commit = off")
            relevant = [r for r in records if r.topic in self.topics]
            if relevant:
                self.apply(curs, relevant)
            self._insert_tracking(curs, tracking)

    @abstractmethod
    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        """Write the view changes for ``records`` (all of this view's topics, in log order)."""

    def reset(self) -> None:
        """Empty the view and forget its position, so that it is replayed from the start."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(sql.Identifier(t) for t in self.tables))
            )
            curs.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(self.tracking_table_name)))
            # Keep the library's migration marker, or it would rename the table on next start.
            self._insert_tracking(curs, Tracking(self.table_migration_identifier, 1))

    def position(self, application_name: str) -> int:
        return self.max_tracking_id(application_name) or 0


def fetch_rows(
    curs: Cursor[DictRow], table: str, column: str, ids: Sequence[Any], columns: Sequence[str]
) -> list[DictRow]:
    """The rows of ``table`` whose ``column`` is one of ``ids``, with just ``columns``."""
    if not ids:
        return []
    query = sql.SQL("SELECT {} FROM {} WHERE {} = ANY(%s)").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(table), sql.Identifier(column)
    )
    curs.execute(query, (list(ids),))
    return curs.fetchall()


def staging_table(table: str) -> str:
    """The name of ``table``'s staging table (a temporary table of the connection)."""
    return f"{table}_page"


@dataclass(frozen=True)
class Staging:
    """A connection's temporary table that receives a page's final rows for ``table`` by ``COPY``.

    A view folds a page of events in Python to the final state of each row it touches, copies those
    rows here, and writes ``table`` with one ``INSERT … SELECT … ON CONFLICT`` (or ``UPDATE … FROM``):
    a statement per table per page instead of one per event or row, and ``COPY`` is the cheapest way
    to send rows (no JSON to build and parse, no bound parameters). The table empties at every commit
    and lives on the connection (``pg_temp`` is searched first, whatever the ``search_path``).
    """

    table: str
    columns: tuple[tuple[str, str], ...]  # (name, SQL type)

    @property
    def name(self) -> str:
        return staging_table(self.table)

    def copy(self, curs: Cursor[DictRow], rows: Iterable[Sequence[Any]]) -> None:
        """Copy ``rows`` (values in ``columns``' order) into the staging table (once per transaction)."""
        name = sql.Identifier(self.name)
        curs.execute("SET LOCAL client_min_messages = warning")  # no notice that the table exists
        curs.execute(sql.SQL("CREATE TEMPORARY TABLE IF NOT EXISTS {} ({}) ON COMMIT DELETE ROWS").format(
            name, sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                                     for c, t in self.columns)))
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            name, sql.SQL(", ").join(sql.Identifier(c) for c, _ in self.columns))
        arrays = [i for i, (_, kind) in enumerate(self.columns) if kind.endswith("[]")]
        try:
            with curs.copy(statement) as copy:
                for row in rows:
                    values = list(row)
                    for i in arrays:
                        if values[i] is not None:
                            values[i] = array_literal(values[i])
                    copy.write_row(values)
        except errors.CharacterNotInRepertoire as exc:
            if "0x00" not in str(exc):
                raise
            # Said as psycopg says it of a bound parameter (COPY leaves the check to the server).
            raise DataError(f"PostgreSQL text fields cannot contain NUL (0x00) bytes ({self.table})") from exc


def array_literal(values: Iterable[Any]) -> str:
    """``values`` as a PostgreSQL array literal, every element quoted (psycopg's list dumper, written in
    Python, cost a rebuild more than all its search tokens)."""
    items = [str(v) for v in values]
    if not items:
        return "{}"
    text = '","'.join(items)
    if "\\" in text or '"' in text:
        text = '","'.join(item.replace("\\", "\\\\").replace('"', '\\"') for item in items)
    return '{"' + text + '"}'
