"""Recompute a lot's result from its events alone (an audit export): every bid checked against the rules, the
soft close replayed, the winner and price recomputed and compared with the recorded hammer.

Standard library only: ``marketplace auction verify ID --export FILE`` feeds it the lot's events decoded from an
export, whose hash chain ``marketplace audit verify --export FILE`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.auctions.lot import SOFT_CLOSE


@dataclass
class Verdict:
    """What the replay found: ``ok`` when every bid kept the rules and the recorded result is the recomputed one."""

    bids: int = 0
    winner: str | None = None
    price: int | None = None
    recorded_outcome: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.recorded_outcome is not None


def verify_lot(events: list[tuple[str, dict[str, Any]]]) -> Verdict:
    """``events``: the lot's events in version order as (event name, plain data: ids and times as text)."""
    verdict = Verdict()
    terms: dict[str, Any] = {}
    received: set[str] = set()
    current: int | None = None
    leader: str | None = None
    closes: datetime | None = None
    for name, d in events:
        if name == "Proposed":
            terms = d
            closes = datetime.fromisoformat(d["closes_at"])
        elif name == "DepositReceived":
            received.add(str(d["organisation_id"]))
        elif name == "BidPlaced":
            verdict.bids += 1
            current, leader, closes = _check_bid(verdict, terms, received, d, current, leader, closes)
        elif name == "Closed":
            verdict.recorded_outcome = str(d["outcome"])
            _check_close(verdict, terms, d, current, leader, closes)
    if not terms:
        verdict.problems.append("no Lot.Proposed event: not a lot")
    elif verdict.recorded_outcome is None:
        verdict.problems.append("the lot is not closed")
    return verdict


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
    recorded = (str(d["winner_organisation_id"]) if d.get("winner_organisation_id") else None, d.get("price"))
    if str(d["outcome"]).startswith("not_contracted:"):
        if not sold:
            verdict.problems.append("recorded as not contracted, but no bid met the reserve")
        return
    if recorded != (verdict.winner, verdict.price):
        verdict.problems.append(f"recorded winner and price {recorded}, recomputed {(verdict.winner, verdict.price)}")
