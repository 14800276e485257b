"""Recompute a lot's result from its events alone (an audit export): every bid checked against the rules, the
soft close replayed, the winner and price recomputed and compared with the recorded hammer. For a sealed lot:
every commitment made in the commit window by a bidder whose deposit was received, every reveal in the reveal
window and matching its commitment (``domain.auctions.sealed``), every unrevealed commitment forfeited at the
close, and the winner and price recomputed by the first- or second-price rule.

Standard library only: ``marketplace auction verify ID --export FILE`` feeds it the lot's events decoded from an
export, whose hash chain ``marketplace audit verify --export FILE`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.auctions.lot import BIDS_LIMIT, MONEY_LIMIT, SOFT_CLOSE, proxy_answer
from domain.auctions.sealed import COMMITMENT_PATTERN, LotFormat, commitment_of, sealed_result


@dataclass
class Verdict:
    """What the replay found: ``ok`` when every bid kept the rules and the recorded result is the recomputed one."""

    bids: int = 0
    winner: str | None = None
    price: int | None = None
    recorded_outcome: str | None = None
    problems: list[str] = field(default_factory=list)
    #: sealed lots: commitments, reveals and forfeits counted in the events
    commitments: int = 0
    reveals: int = 0
    forfeits: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.recorded_outcome is not None


def verify_lot(events: list[tuple[str, dict[str, Any]]], lot_id: str | None = None) -> Verdict:
    """``events``: the lot's events in version order as (event name, plain data: ids and times as text); ``lot_id``
    (the events' originator) is needed to check a sealed lot's reveals."""
    if events and events[0][0] == "Proposed" and events[0][1].get("auction_format", "timed") != "timed":
        return verify_sealed_lot(events, lot_id)
    verdict = Verdict()
    replay = _Timed(verdict)
    for name, d in events:
        if name == "Proposed":
            replay.terms = d
            replay.closes = datetime.fromisoformat(d["closes_at"])
            continue
        if not (name == "BidPlaced" and d.get("proxy")):
            replay.answers_done()
        if name == "DepositReceived":
            replay.received.add(str(d["organisation_id"]))
        elif name == "ProxySet":
            replay.proxy_set(d)
        elif name == "BidPlaced":
            verdict.bids += 1
            replay.bid(d)
        elif name == "Closed":
            verdict.recorded_outcome = str(d["outcome"])
            _check_close(verdict, replay.terms, d, replay.current, replay.leader, replay.closes)
    replay.answers_done()
    if not replay.terms:
        verdict.problems.append("no Lot.Proposed event: not a lot")
    elif verdict.recorded_outcome is None:
        verdict.problems.append("the lot is not closed")
    return verdict


class _Timed:
    """A timed lot replayed event by event: the bids, the proxies' maxima (``ProxySet``) and the bids they owe.

    A proxy bid (``proxy: true``) is placed by the system for a bidder's maximum: each must be exactly the next
    answer :func:`~domain.auctions.lot.proxy_answer` gives from the maxima set so far, and once a bid or a maximum
    has been answered (the next event is not a proxy bid) no answer may be left owing."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.terms: dict[str, Any] = {}
        self.received: set[str] = set()
        self.current: int | None = None
        self.leader: str | None = None
        self.closes: datetime | None = None
        self.count = 0
        self.proxies: dict[str, dict[str, int]] = {}

    def _answer(self) -> tuple[str, int] | None:
        if not self.terms or self.count >= BIDS_LIMIT:
            return None
        return proxy_answer(leader=self.leader, current=self.current, start=int(self.terms["start_price"]),
                            increment=int(self.terms["increment"]), proxies=self.proxies)

    def answers_done(self) -> None:
        owed = self._answer()
        if owed is not None:
            self.verdict.problems.append(f"after bid {self.verdict.bids}: the proxy rule bids {owed[1]} for "
                                         f"{owed[0]}, and no such proxy bid follows")
            self.proxies.clear()  # one report, not one per later event

    def proxy_set(self, d: dict[str, Any]) -> None:
        org, maximum = str(d["organisation_id"]), int(d["maximum"])
        start, step = int(self.terms["start_price"]), int(self.terms["increment"])
        held = self.proxies.get(org)
        least = start if self.current is None else self.current + step
        floor = (held["maximum"] if held else (self.current or 0)) + 1 if self.leader == org else least
        if org not in self.received:
            self.verdict.problems.append(f"a proxy maximum of {org}: the bidder's deposit was not received")
        if maximum < floor or (maximum - start) % step or maximum > MONEY_LIMIT:
            self.verdict.problems.append(f"a proxy maximum of {org}: {maximum} breaks the amount rule (at least "
                                         f"{floor}, steps of {step})")
        self.proxies[org] = {"maximum": maximum, "order": len(self.proxies) + self.count}

    def bid(self, d: dict[str, Any]) -> None:
        verdict, terms = self.verdict, self.terms
        n, org, amount = verdict.bids, str(d["organisation_id"]), int(d["amount"])
        if d.get("proxy"):
            due = self._answer()
            if due is None:
                verdict.problems.append(f"bid {n}: a proxy bid no proxy maximum (ProxySet) owes")
            elif due != (org, amount):
                verdict.problems.append(f"bid {n}: a proxy bid of {amount} for {org}; the proxy maxima set give "
                                        f"{due[1]} for {due[0]}")
        elif any(o != org and p["maximum"] == amount for o, p in self.proxies.items()):
            verdict.problems.append(f"bid {n}: {amount} equals an earlier proxy maximum, which holds")
        self.current, self.leader, self.closes = _check_bid(verdict, terms, self.received, d, self.current,
                                                            self.leader, self.closes)
        self.count += 1


def _check_bid(verdict: Verdict, terms: dict[str, Any], received: set[str], d: dict[str, Any], current: int | None,
               leader: str | None, closes: datetime | None) -> tuple[int, str, datetime | None]:
    n, org, amount = verdict.bids, str(d["organisation_id"]), int(d["amount"])
    at = datetime.fromisoformat(d["at"])
    start, step = int(terms["start_price"]), int(terms["increment"])
    least = start if current is None else current + step
    if org not in received:
        verdict.problems.append(f"bid {n}: the bidder's deposit was not received")
    if amount < least or (amount - start) % step:
        verdict.problems.append(f"bid {n}: {amount} breaks the amount rule (at least {least}, steps of {step})")
    if org == leader and not d.get("proxy"):
        verdict.problems.append(f"bid {n}: the leader outbid itself")
    if closes is not None and not datetime.fromisoformat(terms["opens_at"]) <= at < closes:
        verdict.problems.append(f"bid {n}: placed at {d['at']}, outside the window (closing {closes.isoformat()})")
    expected = closes + SOFT_CLOSE if closes is not None and closes - at <= SOFT_CLOSE else closes
    recorded = datetime.fromisoformat(d["closes_at"])
    if expected != recorded:
        verdict.problems.append(f"bid {n}: the end after it should be {expected}, the record says {recorded}")
    return amount, org, recorded


def _check_close(verdict: Verdict, terms: dict[str, Any], d: dict[str, Any], current: int | None,
                 leader: str | None, closes: datetime | None) -> None:
    if closes is not None and datetime.fromisoformat(d["at"]) < closes:
        verdict.problems.append(f"closed at {d['at']}, before the end {closes.isoformat()}")
    sold = current is not None and current >= int(terms["reserve"])
    verdict.winner, verdict.price = (leader, current) if sold else (None, None)
    _compare(verdict, d, sold)


def verify_sealed_lot(events: list[tuple[str, dict[str, Any]]], lot_id: str | None) -> Verdict:
    verdict = Verdict()
    terms = events[0][1]
    opens, closes = datetime.fromisoformat(terms["opens_at"]), datetime.fromisoformat(terms["closes_at"])
    reveal_closes = datetime.fromisoformat(terms["reveal_closes_at"])
    received: set[str] = set()
    committed: dict[str, dict[str, Any]] = {}
    forfeited: set[str] = set()
    for name, d in events[1:]:
        org = str(d.get("organisation_id"))
        if name == "DepositReceived":
            received.add(org)
        elif name == "BidPlaced":
            verdict.problems.append("a sealed lot took an open bid")
        elif name == "BidCommitted":
            verdict.commitments += 1
            at = datetime.fromisoformat(d["at"])
            if org not in received:
                verdict.problems.append(f"commitment {verdict.commitments}: the bidder's deposit was not received")
            if not opens <= at < closes:
                verdict.problems.append(f"commitment {verdict.commitments}: made at {d['at']}, outside the commit "
                                        "window")
            if org in committed:
                verdict.problems.append(f"commitment {verdict.commitments}: the bidder committed twice")
            if not COMMITMENT_PATTERN.match(str(d["commitment"])):
                verdict.problems.append(f"commitment {verdict.commitments}: not a SHA-256 digest")
            committed.setdefault(org, {"order": len(committed), "number": int(d["bidder_number"]),
                                       "commitment": str(d["commitment"])})
        elif name == "BidRevealed":
            verdict.reveals += 1
            _check_reveal(verdict, lot_id, committed.get(org), d, closes, reveal_closes)
        elif name == "CommitmentForfeited":
            verdict.forfeits += 1
            if org not in committed or "amount" in committed[org]:
                verdict.problems.append(f"bidder {d['bidder_number']}'s deposit forfeited, but it revealed its bid "
                                        "or never committed")
            forfeited.add(org)
        elif name == "Closed":
            verdict.recorded_outcome = str(d["outcome"])
            if datetime.fromisoformat(d["at"]) < reveal_closes:
                verdict.problems.append(f"closed at {d['at']}, before the reveal window ended")
            unrevealed = {org for org, c in committed.items() if "amount" not in c}
            if unrevealed != forfeited:
                verdict.problems.append("the forfeited deposits are not those of the unrevealed commitments")
            bids = [(int(c["order"]), org, int(c["amount"])) for org, c in committed.items() if "amount" in c]
            winner, price = sealed_result(bids, start=int(terms["start_price"]), reserve=int(terms["reserve"]),
                                          second_price=terms["auction_format"] == LotFormat.SECOND_PRICE.value,
                                          most=MONEY_LIMIT)
            verdict.winner, verdict.price = winner, price
            _compare(verdict, d, winner is not None)
    verdict.bids = verdict.reveals
    if verdict.recorded_outcome is None:
        verdict.problems.append("the lot is not closed")
    return verdict


def _check_reveal(verdict: Verdict, lot_id: str | None, held: dict[str, Any] | None, d: dict[str, Any],
                  closes: datetime, reveal_closes: datetime) -> None:
    n, at = verdict.reveals, datetime.fromisoformat(d["at"])
    if held is None or "amount" in held:
        verdict.problems.append(f"reveal {n}: no commitment to open, or opened twice")
        return
    if not closes <= at < reveal_closes:
        verdict.problems.append(f"reveal {n}: made at {d['at']}, outside the reveal window")
    if lot_id is None:
        verdict.problems.append(f"reveal {n}: the lot id is needed to check it")
    elif commitment_of(lot_id, held["number"], int(d["amount"]), str(d["salt"])) != held["commitment"]:
        verdict.problems.append(f"reveal {n}: amount and salt do not give the committed digest")
    held["amount"] = int(d["amount"])


def _compare(verdict: Verdict, d: dict[str, Any], sold: bool) -> None:
    """The close's recorded winner and price against those recomputed (a lot not contracted needs a sale)."""
    recorded = (str(d["winner_organisation_id"]) if d.get("winner_organisation_id") else None, d.get("price"))
    if str(d["outcome"]).startswith("not_contracted:"):
        if not sold:
            verdict.problems.append("recorded as not contracted, but no bid met the reserve")
        return
    if recorded != (verdict.winner, verdict.price):
        verdict.problems.append(f"recorded winner and price {recorded}, recomputed {(verdict.winner, verdict.price)}")
