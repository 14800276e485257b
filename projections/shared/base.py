"""The base of every read model: a tracking recorder whose view rows and position commit together."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from projections.shared.records import EventRecord

#: What the view's :meth:`PostgresReadModelView.prepare` computed for the page being applied (see ``prepared``).
_PREPARED: ContextVar[Any] = ContextVar("prepared", default=None)


class PositionMovedError(IntegrityError):
    """A read model's position is not where the writer thought: another worker applied those events."""


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

    def process(self, records: Sequence[EventRecord], tracking: Tracking, after: int | None = None,
                prepared: Any = None) -> None:
        """Apply ``records`` and move the position to ``tracking``, in one transaction.

        ``after``: the position these records follow; if the tracking row says otherwise (another
        worker moved it meanwhile), :class:`PositionMovedError` and nothing is written (see :meth:`claim`).
        ``prepared``: what :meth:`prepare` computed for these records beforehand (or ``None``); it spares
        work only, and the page claims its position as any other.
        """
        with self._page(tracking, after) as curs:
            relevant = [r for r in records if r.topic in self.topics]
            if relevant:
                token = _PREPARED.set(prepared)
                try:
                    self.apply(curs, relevant)
                finally:
                    _PREPARED.reset(token)

    @contextmanager
    def _page(self, tracking: Tracking, after: int | None) -> Iterator[Cursor[DictRow]]:
        """A page's transaction: its position claimed first (``after``, if given), moved to ``tracking`` last."""
        with self.datastore.transaction(commit=True) as curs:
            # A read model can always be rebuilt from the log, and its tracking row commits with it,
            # so it need not wait for the WAL flush: a crash loses at most a page that is replayed.
            curs.execute("SET LOCAL synchronous_commit = off")
            if after is not None:
                self.claim(curs, tracking.application_name, after)
            yield curs
            self._insert_tracking(curs, tracking)

    def claim(self, curs: Cursor[DictRow], application_name: str, after: int) -> None:
        """Lock the tracking row until the transaction ends and check that it still says ``after``.

        The row lock makes two writers of this read model take turns; the second then finds the
        position moved and applies nothing. So even a worker that lost its lease without knowing
        it (its lease connection cut, a holder killed while its COMMIT was in flight), or a
        ``run-projections --once`` next to the workers, never applies an event twice.
        """
        select = sql.SQL("SELECT notification_id FROM {} WHERE application_name = %s FOR UPDATE").format(
            sql.Identifier(self.datastore.schema, self.tracking_table_name))
        row = curs.execute(select, (application_name,), prepare=True).fetchone()
        if row is None:  # no position yet: create it at 0, or wait for the writer that is creating it
            curs.execute(sql.SQL("INSERT INTO {} VALUES (%s, 0) ON CONFLICT DO NOTHING").format(
                sql.Identifier(self.datastore.schema, self.tracking_table_name)), (application_name,))
            row = curs.execute(select, (application_name,)).fetchone()
        position = row["notification_id"] if row is not None else 0
        if position != after:
            raise PositionMovedError(f"{self.name}: position {position}, not {after}: another worker moved it")

    @abstractmethod
    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        """Write the view changes for ``records`` (all of this view's topics, in log order)."""

    def prepare(self, records: Sequence[EventRecord]) -> Any:
        """Work on a page that needs no database and no earlier page, done ahead in the runner's reading
        thread during a bulk catch-up (while the server writes the page before); ``None``: nothing to do.
        :meth:`apply` finds it in :meth:`prepared`; it must only spare work there, never change what is written
        (it may be missing, or cover more records than those applied: a page is halved to find a bad event)."""
        return None

    @staticmethod
    def prepared() -> Any:
        """In :meth:`apply`: what :meth:`prepare` computed for the page (``None`` if nothing)."""
        return _PREPARED.get()

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


Writes = TypeVar("Writes")
Carry = TypeVar("Carry")


class FoldingView(PostgresReadModelView, Generic[Writes, Carry]):
    """A read model whose page is folded in Python to writes that read nothing back (:meth:`fold`), then sent
    (:meth:`write`). A bulk catch-up (``BatchProjectionRunner``) folds the next page while the server writes
    this one: the next fold reads the rows this page touched from its ``carry``, not from the tables, which
    hold them only once this page commits. Everything else the fold reads was committed before. The bulk path
    calls :meth:`fold` and :meth:`write` (through :meth:`fold_page` and :meth:`write_page`), never :meth:`apply`
    or :meth:`process`; it holds three connections of the pool at once (the page read ahead, the fold's reads,
    the page being written)."""

    @abstractmethod
    def fold(self, curs: Cursor[DictRow], records: Sequence[EventRecord],
             carry: Carry | None = None) -> tuple[Writes, Carry]:
        """The writes of ``records`` (this view's topics, in log order) and every row they read or wrote (the
        next page's ``carry``). It may read the tables through ``curs``; it must not write them."""

    @abstractmethod
    def write(self, curs: Cursor[DictRow], writes: Writes) -> None:
        """Send what :meth:`fold` computed."""

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        self.write(curs, self.fold(curs, records)[0])

    def fold_page(self, records: Sequence[EventRecord], carry: Carry | None,
                  prepared: Any = None) -> tuple[Writes, Carry] | None:
        """:meth:`fold` of the records of this view's topics among ``records``, in a read-only transaction of its
        own; ``None`` when none is of them (the page moves the position only)."""
        relevant = [r for r in records if r.topic in self.topics]
        if not relevant:
            return None
        token = _PREPARED.set(prepared)
        try:
            with self.datastore.transaction(commit=False) as curs:
                return self.fold(curs, relevant, carry)
        finally:
            _PREPARED.reset(token)

    def write_page(self, writes: Writes | None, tracking: Tracking, after: int) -> None:
        """Send ``writes`` (:meth:`fold_page`'s, ``None``: nothing) and move the position from ``after`` to
        ``tracking``, in one transaction, as :meth:`process` does."""
        with self._page(tracking, after) as curs:
            if writes is not None:
                self.write(curs, writes)


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


def array_literal(values: Iterable[Any]) -> str:
    """``values`` as a PostgreSQL array literal, every element quoted (for arrays of arrays, which
    ``unnest`` cannot take: each row's array is sent as one text and cast back)."""
    items = [str(v) for v in values]
    if not items:
        return "{}"
    text = '","'.join(items)
    if "\\" in text or '"' in text:
        text = '","'.join(item.replace("\\", "\\\\").replace('"', '\\"') for item in items)
    return '{"' + text + '"}'
