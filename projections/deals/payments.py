"""Deals read model, payments: payment obligations falling due, paid (with their benefit shares) and refunded."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow

from projections.shared.records import EventRecord, plain


def share_rows(shares: Any) -> list[dict[str, Any]]:
    """The benefit-sharing split carried by ``Paid`` as rows: recipient kind, name, organisation, amount.

    Accepts a list of share dicts (``recipient``/``kind``/``party``, ``name``, ``organisation_id``,
    ``amount``) or a mapping of recipient to amount.
    """
    if isinstance(shares, dict):
        inner = shares.get("shares")
        if isinstance(inner, list):
            return share_rows(inner)
        items = [{"recipient": k, "amount": v} for k, v in shares.items() if isinstance(v, int)]
        return share_rows(items)
    rows = []
    for share in shares or []:
        recipient = str(share.get("recipient") or share.get("kind") or share.get("party") or share.get("role") or "")
        rows.append(
            {
                "recipient": recipient,
                "name": str(share.get("name") or share.get("inventor") or ""),
                "organisation_id": share.get("organisation_id"),
                "amount": int(share.get("amount") or 0),
            }
        )
    return rows


def fell_due(curs: Cursor[DictRow], r: EventRecord) -> None:
    """A payment obligation falls due: its row, status ``due``."""
    d = plain(r.data)
    curs.execute(
        "INSERT INTO deal_obligations (id, contract_id, payer_organisation_id, payee_organisation_id, amount,"
        " currency, purpose, due_on, reference, status, fell_due_at, updated_at, version, paid_from)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'due', %s, %s, %s, %s)",
        (
            r.originator_id,
            d["contract_id"],
            d["payer_organisation_id"],
            d["payee_organisation_id"],
            d["amount"],
            d.get("currency") or "CNY",
            d.get("purpose", ""),
            d.get("due_on"),
            d.get("reference", ""),
            r.timestamp,
            r.timestamp,
            r.version,
            d.get("paid_from") or None,
        ),
    )


def _obligation(curs: Cursor[DictRow], r: EventRecord, assignments: str, params: tuple[Any, ...]) -> None:
    curs.execute(
        f"UPDATE deal_obligations SET {assignments}, updated_at = %s, version = %s WHERE id = %s",  # noqa: S608
        (*params, r.timestamp, r.version, r.originator_id),
    )


def payment_started(curs: Cursor[DictRow], r: EventRecord) -> None:
    """A payment is started at a gateway: ``pending``."""
    d = plain(r.data)
    _obligation(
        curs,
        r,
        "status = 'pending', gateway = %s, provider_payment_id = %s",
        (d.get("gateway"), d.get("provider_payment_id")),
    )


def paid(curs: Cursor[DictRow], r: EventRecord) -> None:
    """The obligation is paid: ``paid``, and its benefit shares recorded."""
    d = plain(r.data)
    at = d.get("at") or r.timestamp
    _obligation(
        curs,
        r,
        "status = 'paid', gateway = %s, provider_payment_id = coalesce(%s, provider_payment_id),"
        " paid_amount = %s, paid_at = %s",
        (d.get("gateway"), d.get("provider_payment_id"), d.get("amount"), at),
    )
    curs.execute("SELECT contract_id, currency FROM deal_obligations WHERE id = %s", (r.originator_id,))
    row = curs.fetchone()
    if row is None:
        return
    for seq, share in enumerate(share_rows(d.get("shares"))):
        curs.execute(
            "INSERT INTO deal_benefit_shares (obligation_id, seq, contract_id, recipient, name, organisation_id,"
            " amount, currency, paid_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                r.originator_id,
                seq,
                row["contract_id"],
                share["recipient"],
                share["name"],
                share["organisation_id"],
                share["amount"],
                row["currency"],
                at,
            ),
        )


def refunded(curs: Cursor[DictRow], r: EventRecord) -> None:
    """The payment is refunded: ``refunded``, and its benefit shares reversed."""
    d = plain(r.data)
    _obligation(
        curs,
        r,
        "status = 'refunded', provider_refund_id = %s, refunded_amount = %s, refund_reason = %s, refunded_at = %s",
        (d.get("provider_refund_id"), d.get("amount"), d.get("reason", ""), d.get("at") or r.timestamp),
    )
    curs.execute("UPDATE deal_benefit_shares SET reversed = true WHERE obligation_id = %s", (r.originator_id,))


def refund_owed(curs: Cursor[DictRow], r: EventRecord) -> None:
    """Money received for a contract that can no longer take effect: on the refund queue until refunded."""
    d = plain(r.data)
    _obligation(
        curs, r, "refund_owed_reason = %s, refund_owed_at = %s", (d.get("reason", ""), d.get("at") or r.timestamp)
    )


def voucher_applied(curs: Cursor[DictRow], r: EventRecord) -> None:
    """An innovation voucher pays part of the payment (通兑: the payer pays the rest) or reimburses it (通用)."""
    d = plain(r.data)
    # ``updated_at`` stays: a pending bank transfer's row keeps when the payer started it (the admin's queue).
    curs.execute(
        "UPDATE deal_obligations SET voucher_id = %s, voucher_amount = %s, voucher_model = %s, version = %s"
        " WHERE id = %s",
        (d["voucher_id"], d["amount"], d.get("model", ""), r.version, r.originator_id),
    )


def funds_declared(curs: Cursor[DictRow], r: EventRecord) -> None:
    """The buyer declared where the money comes from (own funds, fiscal programme money, procurement)."""
    d = plain(r.data)
    curs.execute("UPDATE deal_obligations SET funds_source = %s, version = %s WHERE id = %s",
                 (d.get("source", "own"), r.version, r.originator_id))
