"""Sealed bids (密封报价) with commit–reveal: the commitment's exact bytes and the rule that picks winner and price.

**The commitment.** Before the commit deadline a bidder sends only ``commitment``, the SHA-256 digest (64 lowercase
hex digits) of the ASCII bytes of::

    sealed-bid:v1:<lot id>:<bidder number>:<amount>:<salt>

- ``<lot id>``: the lot's UUID, lowercase, hyphenated (36 characters, as ``str(uuid)``);
- ``<bidder number>``: the bidder's number in the session, decimal, no leading zeros;
- ``<amount>``: the bid in fen, decimal, no sign, no leading zeros (``0`` is ``0``);
- ``<salt>``: 32 to 128 lowercase hex digits (the page draws 32 random bytes, 64 digits), kept by the bidder.

Example: lot ``6f1c…``, bidder 3, 1 234 500 fen, salt ``00…ff`` hashes
``b"sealed-bid:v1:6f1c…:3:1234500:00…ff"``. The lot id and bidder number bind the commitment to its lot and
bidder, so a commitment copied from another bidder (or lot) can never be revealed by the copier. The amount never
reaches the server before the reveal: the page computes the digest in the browser (SubtleCrypto), an API client
computes it itself (:func:`commitment_of` is the reference).

**The reveal.** After the commit deadline and before the reveal window ends, the bidder sends amount and salt; the
server recomputes the digest and refuses a mismatch (nothing recorded). A commitment not revealed by the end of the
reveal window forfeits the bidder's deposit.

**The result** (:func:`sealed_result`). A revealed bid is *valid* when it is at least the starting price (and at
most the money limit); the increment plays no part in a sealed lot. The valid bids are ranked by amount, highest
first; equal amounts rank by commitment order, the earlier commitment first. The first of them wins if it is at or
above the reserve. The price is

- first price: the winner's own bid;
- second price: the highest of (the second-ranked valid bid, the reserve, the starting price) — with one valid bid
  only, the reserve or, if none was set (0), the starting price. A tie at the top therefore prices at the tied
  amount. The price never exceeds the winner's bid (every term is at most it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import TypeVar

#: The prefix of every commitment's preimage (its version: a later encoding would get another).
PREFIX = "sealed-bid:v1"
SALT_PATTERN = re.compile(r"^[0-9a-f]{32,128}$")
COMMITMENT_PATTERN = re.compile(r"^[0-9a-f]{64}$")
B = TypeVar("B")


class LotFormat(StrEnum):
    """How a lot is sold: timed ascending bids, or sealed bids priced at the winner's own bid or the second."""

    TIMED = "timed"
    FIRST_PRICE = "sealed_first_price"
    SECOND_PRICE = "sealed_second_price"


def preimage(lot_id: object, bidder_number: int, amount: int, salt: str) -> bytes:
    """The exact bytes a commitment hashes (see the module's text)."""
    return f"{PREFIX}:{lot_id}:{int(bidder_number)}:{int(amount)}:{salt}".encode("ascii")


def commitment_of(lot_id: object, bidder_number: int, amount: int, salt: str) -> str:
    return hashlib.sha256(preimage(lot_id, bidder_number, amount, salt)).hexdigest()


def sealed_result(bids: Sequence[tuple[int, B, int]], *, start: int, reserve: int, second_price: bool,
                  most: int) -> tuple[B | None, int | None]:
    """``bids``: (commitment order, bidder, amount) of every revealed bid. The winner and price, or (None, None)."""
    valid = sorted(((-amount, order, bidder) for order, bidder, amount in bids if start <= amount <= most))
    if not valid or -valid[0][0] < reserve:
        return None, None
    top, _, winner = valid[0]
    if not second_price:
        return winner, -top
    second = -valid[1][0] if len(valid) > 1 else 0
    return winner, max(second, reserve, start)
