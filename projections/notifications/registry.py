"""The registry of notification rules: per event topic, a function that says who is told what.

A trade adds its own event kinds by registering rules (``REGISTRY.on(Aggregate, "Event")``) and the
words of each notice kind (``REGISTRY.words``); the inbox view follows every registered topic. A rule
reads only its event and what the view remembered of earlier events (``Context``), never the clock, so a
rebuild of the inbox gives the same notices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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
    """What a rule may read: the parties the view remembered of each aggregate, and listing titles."""

    def __init__(self, curs: Cursor[DictRow]) -> None:
        self.curs = curs

    def remember(self, aggregate_id: str, role: str, *organisations: str | None) -> None:
        for organisation in organisations:
            if organisation:
                self.curs.execute(
                    "INSERT INTO notification_parties (aggregate_id, role, organisation_id) VALUES (%s, %s, %s)"
                    " ON CONFLICT DO NOTHING", (aggregate_id, role, organisation))

    def forget(self, aggregate_id: str, role: str, *organisations: str | None) -> None:
        """Forget ``organisations`` (or users) in ``role`` of the aggregate; all of that role when none is given."""
        if not organisations:
            self.curs.execute("DELETE FROM notification_parties WHERE aggregate_id = %s AND role = %s",
                              (aggregate_id, role))
        for organisation in organisations:
            if organisation:
                self.curs.execute("DELETE FROM notification_parties WHERE aggregate_id = %s AND role = %s"
                                  " AND organisation_id = %s", (aggregate_id, role, organisation))

    def parties(self, aggregate_id: str, *roles: str) -> tuple[str, ...]:
        self.curs.execute("SELECT DISTINCT organisation_id::text AS o FROM notification_parties"
                          " WHERE aggregate_id = %s AND role = ANY(%s) ORDER BY 1", (aggregate_id, list(roles)))
        return tuple(r["o"] for r in self.curs.fetchall())

    def listing_title(self, listing_id: str) -> tuple[str, str]:
        self.curs.execute("SELECT title_zh, title_en FROM catalogue_listings WHERE id = %s", (listing_id,))
        row = self.curs.fetchone()
        return (row["title_zh"], row["title_en"]) if row else ("", "")

    def demand_title(self, demand_id: str) -> tuple[str, str]:
        self.curs.execute("SELECT title_zh, title_en FROM demand_demands WHERE id = %s", (demand_id,))
        row = self.curs.fetchone()
        return (row["title_zh"], row["title_en"]) if row else ("", "")


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
