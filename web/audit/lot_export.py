"""A closed lot's public export (``GET /api/lots/{id}/export.jsonl``): its events exactly as stored, each with its
chain hash and the hash before it, so that anyone — not only an auditor holding the full export — recomputes the
result with ``marketplace auction verify`` or ``docs/verify_auction.py``.

Only the events the result needs, and only after the close (before it, a proxy maximum or a revealed sealed amount
would let others bid against it). The events name bidders by organisation id (a UUID, not personal data) and bidder
number, never by name; they cannot be cut down further without breaking their hashes. The export is not anchored:
the chain links each event to the one before it in the whole log, whose bytes (other records) are not in it, so it
cannot reach a published daily root. An auditor's full export, which does, holds the same lines.
"""

from __future__ import annotations

import binascii
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException

from domain.audit.chain import GENESIS
from marketplace.audit.chain import ExportLine, state_timestamp
from projections.audit.chain import AuditChainQueries
from web.state import WebState

JSONL_TYPE = "application/x-ndjson; charset=utf-8"
#: The lot's events a verifier reads; deposit starts, refunds, refunds owed and payments in stay out. A received
#: deposit's event carries its gateway's payment id (a card payment's id, or the bank transfer's reference the
#: platform recorded): in the hashed bytes, it cannot be cut out.
PUBLIC_LOT_EVENTS = ("Lot.Proposed", "Lot.DepositReceived", "Lot.ProxySet", "Lot.BidPlaced", "Lot.BidCommitted",
                     "Lot.BidRevealed", "Lot.CommitmentForfeited", "Lot.Closed")


class LotExportLine(ExportLine):
    """An export line (docs/AUDIT_CHAIN.md: the chain's own ``ExportLine``, its hash always recorded here) and
    ``previous``: the chain hash of the event before it in the log."""

    hash: str
    previous: str


_encoder = msgspec.json.Encoder()


def export_lines(rows: list[Any]) -> bytes:
    return b"".join(_encoder.encode(LotExportLine(
        int(r["position"]), r["originator_id"], int(r["version"]), r["topic"], state_timestamp(bytes(r["state"])),
        binascii.b2a_base64(bytes(r["state"]), newline=False).decode("ascii"), r["hash"],
        r["previous"] or GENESIS.hex())) + b"\n" for r in rows)


class LotExportController(Controller):
    """Anyone may download a closed lot's export: the issue's "anyone can check its result"."""

    @get("/api/lots/{lot_id:uuid}/export.jsonl", tags=["auctions"], media_type=JSONL_TYPE,
         summary="A closed lot's events as stored, with their chain hashes (JSON Lines, public after the close)",
         description="One line per event the result needs: position, originator_id, version, topic, timestamp, "
                     "state_b64, hash and previous (the chain hash before it). Check it with `marketplace auction "
                     "verify LOT --export FILE` or docs/verify_auction.py. 404 until the lot has closed and its "
                     "close is chained.")
    async def export(self, lot_id: UUID, web: WebState) -> Response[bytes]:
        rows = await AuditChainQueries(web.pool).chained_events(lot_id, PUBLIC_LOT_EVENTS)
        closed = any(r["topic"].endswith(":Lot.Closed") for r in rows)
        if not closed or any(r["hash"] is None for r in rows):
            raise NotFoundException(f"lot_id: no closed lot {lot_id} whose events are chained yet (the export is "
                                    "published once the lot has closed)")
        return Response(export_lines(rows), media_type=JSONL_TYPE, headers={
            "Content-Disposition": f'attachment; filename="lot-{lot_id}.jsonl"', "Cache-Control": "no-store"})
