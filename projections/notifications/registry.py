"""The registry of notification rules: per event topic, a function that says who is told what.

A trade adds its own event kinds by registering rules (``REGISTRY.on(Aggregate, "Event")``) and the
words of each notice kind (``REGISTRY.words``); the inbox view follows every registered topic. A rule
reads only its event and what the view remembered of earlier events (``Context``), never the clock, so a
rebuild of the inbox gives the same notices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topic

#: The kinds a user chooses e-mail for (immediately, daily digest, off), in the order the settings show them.
KINDS = ("offer", "contract", "payment", "claim", "enquiry", "demand", "demand_match", "search", "follow", "package",
         "auction", "broker")
KIND_WORDS = {
    "offer": ("报价与还价", "Offers and counter-offers"),
    "contract": ("合同、公示与异议", "Contracts, public notices and objections"),
    "payment": ("付款与退款", "Payments and refunds"),
    "claim": ("补助申领", "Programme claims"),
    "enquiry": ("咨询", "Enquiries"),
    "demand": ("需求与方案", "Demands and proposals"),
    "demand_match": ("与您匹配的新需求和新挂牌", "New demands and listings that match yours"),
    "search": ("保存的搜索", "Saved searches"),
    "follow": ("关注的挂牌", "Followed listings"),
    "package": ("关注的成果包", "Followed achievement packages"),
    "auction": ("拍卖：同意、出价、保证金与结果", "Auctions: consent, bids, deposits and results"),
    "broker": ("经纪委托与居间介绍", "Broker mandates and introductions"),
}


@dataclass(frozen=True)
class Notice:
    """What one event tells some organisations' members (or some users): ``event`` names the words shown."""

    kind: str
    event: str
    link: str
    title_zh: str = ""
    title_en: str = ""
    organisations: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    #: Leave out the users another notice of the same event already tells, with the same link (a demand's
    #: match notice and a saved search's notice of the same demand make one item). Such notices come after
    #: the others of their event, whatever the order their rules registered in.
    unless_told: bool = False


class Context:
    """What a rule may read: the parties the view remembered of each aggregate, listing titles, and members.

    One context serves a page of events, applied one after another: what a rule remembers or forgets is kept
    in memory and written when the page ends (``flush``), so a rule reads the parties as its event leaves
    them without a round trip per event. Listing and demand titles are the catalogue's and the demand
    read model's rows, which the runner writes for the whole page before this view: they are read once per
    page. Rule modules keep their own page state with ``state`` (flushed in the order first asked for)."""

    def __init__(self, curs: Cursor[DictRow], records: Sequence[EventRecord] = ()) -> None:
        self.curs = curs
        self.records = records  # the page, for page states that read what its events need at once
        self._parties: dict[str, set[tuple[str, str]]] = {}  # aggregate -> {(role, organisation)} now
        self._stored: dict[str, set[tuple[str, str]]] = {}  # aggregate -> the rows the table holds
        self._titles: dict[tuple[str, str], tuple[str, str]] = {}
        self._states: dict[str, PageState] = {}

    # --- page state -----------------------------------------------------------------------------------
    def state(self, key: str, make: Callable[[Context], PageState]) -> Any:
        """The page state a rule module keeps under ``key`` (made by ``make`` on first use)."""
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = make(self)
        return found

    def prefetch(self, aggregate_ids: Iterable[str]) -> None:
        """Read the parties of ``aggregate_ids`` in one round trip (those not read yet)."""
        wanted = sorted({a for a in map(canonical, aggregate_ids) if a not in self._parties})
        if not wanted:
            return
        self.curs.execute("SELECT aggregate_id::text AS a, role, organisation_id::text AS o"
                          " FROM notification_parties WHERE aggregate_id = ANY(%s::uuid[])", (wanted,))
        found: dict[str, set[tuple[str, str]]] = {a: set() for a in wanted}
        for row in self.curs.fetchall():
            found[row["a"]].add((row["role"], row["o"]))
        for a, rows in found.items():
            self._stored[a] = rows
            self._parties[a] = set(rows)

    def flush(self) -> None:
        """Write what the page's rules remembered and forgot, then each module's page state."""
        added, removed = [], []
        for a, now in self._parties.items():
            stored = self._stored[a]
            added += [(a, role, o) for role, o in sorted(now - stored)]
            removed += [(a, role, o) for role, o in sorted(stored - now)]
            self._stored[a] = set(now)
        if removed:
            self.curs.execute("DELETE FROM notification_parties p USING unnest(%s::uuid[], %s::text[], %s::uuid[])"
                              " AS t(a, r, o) WHERE p.aggregate_id = t.a AND p.role = t.r AND p.organisation_id = t.o",
                              ([x[0] for x in removed], [x[1] for x in removed], [x[2] for x in removed]))
        if added:
            self.curs.execute("INSERT INTO notification_parties (aggregate_id, role, organisation_id)"
                              " SELECT * FROM unnest(%s::uuid[], %s::text[], %s::uuid[]) ON CONFLICT DO NOTHING",
                              ([x[0] for x in added], [x[1] for x in added], [x[2] for x in added]))
        for state in self._states.values():
            state.flush()

    # --- parties --------------------------------------------------------------------------------------
    def _of(self, aggregate_id: str) -> set[tuple[str, str]]:
        key = canonical(aggregate_id)
        found = self._parties.get(key)
        if found is None:
            self.prefetch((key,))
            found = self._parties[key]
        return found

    def remember(self, aggregate_id: str, role: str, *organisations: str | None) -> None:
        for organisation in organisations:
            if organisation:
                self._of(aggregate_id).add((role, canonical(organisation)))

    def forget(self, aggregate_id: str, role: str, *organisations: str | None) -> None:
        """Forget ``organisations`` (or users) in ``role`` of the aggregate; all of that role when none is given."""
        rows = self._of(aggregate_id)
        if not organisations:
            rows.difference_update([x for x in rows if x[0] == role])
        for organisation in organisations:
            if organisation:
                rows.discard((role, canonical(organisation)))

    def parties(self, aggregate_id: str, *roles: str) -> tuple[str, ...]:
        return tuple(sorted({o for role, o in self._of(aggregate_id) if role in roles}))

    # --- titles ---------------------------------------------------------------------------------------
    def listing_title(self, listing_id: str) -> tuple[str, str]:
        return self._title("catalogue_listings", listing_id)

    def demand_title(self, demand_id: str) -> tuple[str, str]:
        return self._title("demand_demands", demand_id)

    def _title(self, table: str, row_id: str) -> tuple[str, str]:
        key = (table, row_id)
        if key not in self._titles:
            self.curs.execute(f"SELECT title_zh, title_en FROM {table} WHERE id = %s", (row_id,))  # noqa: S608
            row = self.curs.fetchone()
            self._titles[key] = (row["title_zh"], row["title_en"]) if row else ("", "")
        return self._titles[key]


class PageState(Protocol):
    """A rule module's state for one page of events: written by ``flush`` when the page ends."""

    def flush(self) -> None: ...


def canonical(text: str) -> str:
    """A uuid as PostgreSQL writes it back (the parties are uuids); other text as it is (the write refuses it)."""
    try:
        return str(UUID(text))
    except ValueError:
        return text


Rule = Callable[[Context, EventRecord], Iterable[Notice]]


@dataclass
class Registry:
    """Rules by stored topic, and the words (zh, en) of each notice's ``event``."""

    rules: dict[str, list[Rule]] = field(default_factory=dict)
    words: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Each rule's ``later`` (see ``on``).
    later: dict[Rule, int] = field(default_factory=dict)

    def on(self, aggregate: type, *events: str, later: int = 0) -> Callable[[Rule], Rule]:
        """Register the decorated rule for ``aggregate``'s events named ``events``.

        An event's notices are numbered (``seq``) in the order of its rules, and the numbers key what users read and
        the e-mail outbox, which a replay of the inbox keeps: a rule added after notices of its events were stored
        registers with a higher ``later``, so its notices come after theirs whatever the order modules are imported
        in, and the stored notices keep their numbers."""

        def register(rule: Rule) -> Rule:
            self.later[rule] = later
            for name in events:
                found = self.rules.setdefault(event_topic(aggregate, name), [])
                found.append(rule)
                found.sort(key=lambda r: self.later[r])  # stable: import order within one ``later``
            return rule

        return register

    def say(self, **words: tuple[str, str]) -> None:
        """The words of notice events (``offer_received=("收到报价", "Offer received")``)."""
        for key, text in words.items():
            self.words[key.replace("_", ".", 1)] = text

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self.rules)

    def notices(self, ctx: Context, record: EventRecord) -> list[Notice]:
        return [n for rule in self.rules.get(record.topic, ()) for n in rule(ctx, record)]


REGISTRY = Registry()


def value(record: EventRecord, name: str) -> str:
    """A field of the event as a plain string ('' when absent or null)."""
    found = plain(record.data.get(name))
    return "" if found is None else str(found)
