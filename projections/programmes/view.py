"""Programmes read model, writing side: ``programmes`` and ``programme_claims`` (migration 0022), and the
voucher book: ``programme_vouchers`` and ``programme_voucher_redemptions`` (migration 0023) with the
providers' bonuses ``programme_voucher_bonuses`` (migration 0019).

Every value derives from the events alone (times are event timestamps), so a rebuild reproduces
identical rows. The payee's bank account of a submitted claim is not projected: the officer reads it
from the claim's record when paying.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.programmes.claim import Claim
from domain.programmes.programme import Programme
from domain.programmes.voucher import Voucher
from domain.programmes.voucher_application import VoucherApplication
from projections.deals.view import handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.rows import json_text
from projections.shared.topics import event_topics

Handler = Callable[[Cursor[DictRow], EventRecord], None]


class PostgresProgrammesView(PostgresReadModelView):
    name = "programmes"
    tables = ("programmes", "programme_claims", "programme_vouchers", "programme_voucher_redemptions",
              "programme_voucher_applications", "programme_voucher_bonuses")
    topics = frozenset(
        event_topics(Programme, "Drafted", "RulesRevised", "Opened", "Closed", "BudgetCommitted", "Disbursed",
                     "BudgetReleased", "Recovered", "VoucherCommitted", "VoucherSettled", "VoucherReleased",
                     "VoucherRecovered", "ProviderBonusPaid", "ProviderBonusRecoveryRaised",
                     "ProviderBonusRecovered")
        | event_topics(Claim, "Raised", "Submitted", "Approved", "Rejected", "Disbursed", "Withdrawn",
                       "RecoveryRaised", "PartRecoveryRaised", "Recovered")
        | event_topics(Voucher, "Issued", "Redeemed", "Settled", "RedemptionReturned", "RecoveryRaised", "Recovered",
                       "Expired")
        | event_topics(VoucherApplication, "Applied", "Issued", "Refused")
    )

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        handlers = self._handlers()
        for r in records:
            handler = handlers.get(handler_key(r.topic))
            if handler is not None:
                handler(curs, r)

    def _handlers(self) -> dict[tuple[str, str], Handler]:
        return {
            ("Programme", "Drafted"): self._drafted,
            ("Programme", "RulesRevised"): self._rules_revised,
            ("Programme", "Opened"): lambda c, r: self._status(c, r, "open"),
            ("Programme", "Closed"): lambda c, r: self._status(c, r, "closed"),
            ("Programme", "BudgetCommitted"): lambda c, r: self._budget(c, r, committed=1),
            ("Programme", "Disbursed"): lambda c, r: self._budget(c, r, committed=-1, disbursed=1),
            ("Programme", "BudgetReleased"): lambda c, r: self._budget(c, r, committed=-1),
            ("Programme", "Recovered"): lambda c, r: self._budget(c, r, disbursed=-1),
            ("Programme", "VoucherCommitted"): lambda c, r: self._budget(c, r, committed=1),
            ("Programme", "VoucherSettled"): lambda c, r: self._budget(c, r, committed=-1, disbursed=1),
            ("Programme", "VoucherReleased"): lambda c, r: self._budget(c, r, committed=-1),
            ("Programme", "VoucherRecovered"): lambda c, r: self._budget(c, r, disbursed=-1),
            ("Programme", "ProviderBonusPaid"): self._bonus_paid,
            ("Programme", "ProviderBonusRecoveryRaised"): lambda c, r: self._bonus_status(c, r, "recovery_due"),
            ("Programme", "ProviderBonusRecovered"): self._bonus_recovered,
            ("Voucher", "Issued"): self._issued,
            ("Voucher", "Redeemed"): self._redeemed,
            ("Voucher", "Settled"): self._settled,
            ("Voucher", "RedemptionReturned"): self._returned,
            ("Voucher", "RecoveryRaised"): lambda c, r: self._redemption(c, r, "recovery_due"),
            ("Voucher", "Recovered"): self._recovered,
            ("Voucher", "Expired"): self._expired,
            ("VoucherApplication", "Applied"): self._applied,
            ("VoucherApplication", "Issued"): lambda c, r: self._decided(c, r, "issued"),
            ("VoucherApplication", "Refused"): lambda c, r: self._decided(c, r, "refused"),
            ("Claim", "Raised"): self._raised,
            ("Claim", "Submitted"): self._submitted,
            ("Claim", "Approved"): self._approved,
            ("Claim", "Rejected"): lambda c, r: self._claim_status(c, r, "rejected", reason=True, decided=True),
            ("Claim", "Disbursed"): self._claim_paid,
            ("Claim", "Withdrawn"): lambda c, r: self._claim_status(c, r, "withdrawn", reason=True),
            ("Claim", "RecoveryRaised"): self._recovery_raised,
            ("Claim", "PartRecoveryRaised"): self._part_recovery_raised,
            ("Claim", "Recovered"): self._claim_recovered,
        }

    # --- programmes -------------------------------------------------------------------------------
    @staticmethod
    def _drafted(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO programmes (id, organisation_id, kind, name_zh, name_en, source, budget, starts_on, ends_on,"
            " status, rules, rules_versions, drafted_at, updated_at, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'draft', %s::jsonb, %s::jsonb, %s, %s, %s)",
            (r.originator_id, d["organisation_id"], d["kind"], d["name_zh"], d["name_en"], d.get("source", ""),
             d["budget"], d["starts_on"], d["ends_on"], json_text(d["rules"]),
             json_text([{"effective_from": d["starts_on"], "rules": d["rules"]}]), r.timestamp, r.timestamp,
             r.version),
        )

    @staticmethod
    def _rules_revised(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "UPDATE programmes SET rules = %s::jsonb, rules_versions = rules_versions || %s::jsonb,"
            " updated_at = %s, version = %s WHERE id = %s",
            (json_text(d["rules"]), json_text([{"effective_from": d["effective_from"], "rules": d["rules"]}]),
             r.timestamp, r.version, r.originator_id),
        )

    @staticmethod
    def _status(curs: Cursor[DictRow], r: EventRecord, status: str) -> None:
        curs.execute("UPDATE programmes SET status = %s, updated_at = %s, version = %s WHERE id = %s",
                     (status, r.timestamp, r.version, r.originator_id))

    @staticmethod
    def _budget(curs: Cursor[DictRow], r: EventRecord, *, committed: int = 0, disbursed: int = 0) -> None:
        amount = int(r.data["amount"])
        curs.execute(
            "UPDATE programmes SET committed = committed + %s, disbursed = disbursed + %s, updated_at = %s,"
            " version = %s WHERE id = %s",
            (committed * amount, disbursed * amount, r.timestamp, r.version, r.originator_id),
        )

    # --- provider bonuses ---------------------------------------------------------------------------
    def _bonus_paid(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        self._budget(curs, r, disbursed=1)
        curs.execute(
            "INSERT INTO programme_voucher_bonuses (programme_id, obligation_id, voucher_id, provider_organisation_id,"
            " year, redeemed, rate_bp, computed, amount, capped_by, cap_per_year, status, bank_reference, paid_at,"
            " updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'paid', %s, %s, %s)"
            " ON CONFLICT (programme_id, obligation_id) DO NOTHING",
            (r.originator_id, d["obligation_id"], d["voucher_id"], d["provider_organisation_id"], d["year"],
             d["redeemed"], d["rate_bp"], d["computed"], d["amount"], d.get("capped_by", ""), d.get("cap_per_year"),
             d.get("bank_reference", ""), d.get("at") or r.timestamp, r.timestamp),
        )

    @staticmethod
    def _bonus_status(curs: Cursor[DictRow], r: EventRecord, status: str) -> None:
        d = plain(r.data)
        curs.execute(
            "UPDATE programme_voucher_bonuses SET status = %s, reason = CASE WHEN %s <> '' THEN %s ELSE reason END,"
            " bank_reference = CASE WHEN %s <> '' THEN %s ELSE bank_reference END, updated_at = %s"
            " WHERE programme_id = %s AND obligation_id = %s",
            (status, d.get("reason", ""), d.get("reason", ""), d.get("bank_reference", ""),
             d.get("bank_reference", ""), r.timestamp, r.originator_id, d["obligation_id"]),
        )

    def _bonus_recovered(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        self._budget(curs, r, disbursed=-1)
        self._bonus_status(curs, r, "recovered")

    # --- claims -----------------------------------------------------------------------------------
    @staticmethod
    def _raised(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO programme_claims (id, programme_id, rules_version, obligation_id, contract_id,"
            " beneficiary_id, side, year, paid_amount, amount, steps, requires_registration, status, raised_at,"
            " updated_at, version, basis)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, 'raised', %s, %s, %s, %s::jsonb)",
            (r.originator_id, d["programme_id"], d["rules_version"], d["obligation_id"], d["contract_id"],
             d["beneficiary_id"], d["side"], d["year"], d["paid_amount"], d["amount"], json_text(d["steps"]),
             d.get("requires_registration", True), r.timestamp, r.timestamp, r.version,
             json_text(d.get("basis") or [])),
        )

    @staticmethod
    def _submitted(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE programme_claims SET status = 'submitted', registration_number = %s, submitted_at = %s,"
            " updated_at = %s, version = %s WHERE id = %s",
            (r.data.get("registration_number", ""), r.timestamp, r.timestamp, r.version, r.originator_id),
        )

    @staticmethod
    def _approved(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "UPDATE programme_claims SET status = 'approved', approved_amount = %s, steps = steps || %s::jsonb,"
            " decided_at = %s, updated_at = %s, version = %s WHERE id = %s",
            (d["amount"], json_text(d.get("steps", [])), r.timestamp, r.timestamp, r.version, r.originator_id),
        )

    @staticmethod
    def _claim_paid(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute(
            "UPDATE programme_claims SET status = 'paid', disbursement_reference = %s, paid_at = %s,"
            " updated_at = %s, version = %s WHERE id = %s",
            (r.data.get("bank_reference", ""), r.data.get("at") or r.timestamp, r.timestamp, r.version,
             r.originator_id),
        )

    @staticmethod
    def _claim_status(curs: Cursor[DictRow], r: EventRecord, status: str, *, reason: bool = False,
                      decided: bool = False) -> None:
        curs.execute(
            "UPDATE programme_claims SET status = %s,"
            " reason = CASE WHEN %s THEN %s ELSE reason END,"
            " decided_at = CASE WHEN %s THEN %s::timestamptz ELSE decided_at END,"
            " updated_at = %s, version = %s WHERE id = %s",
            (status, reason, r.data.get("reason", ""), decided, r.timestamp, r.timestamp, r.version,
             r.originator_id),
        )

    def _recovery_raised(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        self._claim_status(curs, r, "recovery_due", reason=True)
        curs.execute("UPDATE programme_claims SET owed_back = approved_amount WHERE id = %s", (r.originator_id,))

    def _part_recovery_raised(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        self._claim_status(curs, r, "recovery_due", reason=True)
        curs.execute(
            "UPDATE programme_claims SET owed_back = owed_back + %s,"
            " parts_owed = parts_owed || jsonb_build_object(%s::text, %s::bigint) WHERE id = %s",
            (d["amount"], str(d["obligation_id"]), d["amount"], r.originator_id),
        )

    @staticmethod
    def _claim_recovered(curs: Cursor[DictRow], r: EventRecord) -> None:
        """What was outstanding is repaid (stored before amounts: the whole award); repaid in full: ``recovered``,
        otherwise an agency's claim is ``paid`` again for the rest."""
        amount = int(r.data.get("amount") or 0)
        curs.execute(
            "UPDATE programme_claims SET repaid = CASE WHEN %s > 0 THEN repaid + %s"
            " ELSE greatest(owed_back, approved_amount) END,"
            " status = CASE WHEN %s > 0 AND repaid + %s < approved_amount THEN 'paid' ELSE 'recovered' END,"
            " updated_at = %s, version = %s WHERE id = %s",
            (amount, amount, amount, amount, r.timestamp, r.version, r.originator_id),
        )

    # --- innovation vouchers ------------------------------------------------------------------------
    @staticmethod
    def _issued(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO programme_vouchers (id, programme_id, organisation_id, face_value, remaining, share_bp,"
            " cap_per_use, redemption_model, services, valid_until, status, batch_key, application_reference,"
            " issued_at, updated_at, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, 'active', %s, %s, %s, %s, %s)",
            (r.originator_id, d["programme_id"], d["organisation_id"], d["face_value"], d["face_value"],
             d["share_bp"], d.get("cap_per_use"), d["redemption_model"], json_text(d["services"]), d["valid_until"],
             d["batch_key"], d.get("application_reference", ""), r.timestamp, r.timestamp, r.version),
        )

    @staticmethod
    def _voucher(curs: Cursor[DictRow], r: EventRecord, assignments: str, params: tuple[object, ...]) -> None:
        curs.execute(
            f"UPDATE programme_vouchers SET {assignments}, updated_at = %s, version = %s WHERE id = %s",  # noqa: S608
            (*params, r.timestamp, r.version, r.originator_id),
        )

    def _redeemed(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        amount = int(d["amount"])
        self._voucher(curs, r, "remaining = remaining - %s, owed = owed + %s", (amount, amount))
        curs.execute(
            "INSERT INTO programme_voucher_redemptions (voucher_id, obligation_id, programme_id, contract_id,"
            " payer_organisation_id, payee_organisation_id, cost, amount, redemption_model, status, redeemed_at,"
            " updated_at)"
            " SELECT id, %s, programme_id, %s, organisation_id, %s, %s, %s, %s, 'owed', %s, %s"
            " FROM programme_vouchers WHERE id = %s"
            " ON CONFLICT (voucher_id, obligation_id) DO UPDATE SET cost = EXCLUDED.cost, amount = EXCLUDED.amount,"
            " status = 'owed', bank_reference = '', reason = '', redeemed_at = EXCLUDED.redeemed_at,"
            " settled_at = NULL, updated_at = EXCLUDED.updated_at",
            (d["obligation_id"], d["contract_id"], d["payee_organisation_id"], d["cost"], amount,
             d.get("redemption_model", "provider"), r.timestamp, r.timestamp, r.originator_id),
        )

    @staticmethod
    def _redemption(curs: Cursor[DictRow], r: EventRecord, status: str, extra: str = "",
                    params: tuple[object, ...] = ()) -> None:
        curs.execute(
            f"UPDATE programme_voucher_redemptions SET status = %s{extra}, updated_at = %s"  # noqa: S608
            " WHERE voucher_id = %s AND obligation_id = %s",
            (status, *params, r.timestamp, r.originator_id, plain(r.data)["obligation_id"]),
        )

    def _settled(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        amount = int(d["amount"])
        self._voucher(curs, r, "owed = owed - %s, settled = settled + %s", (amount, amount))
        self._redemption(curs, r, "settled", ", bank_reference = %s, settled_at = %s",
                         (d.get("bank_reference", ""), d.get("at") or r.timestamp))

    def _returned(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        amount = int(d["amount"])
        if d.get("to_voucher"):
            self._voucher(curs, r, "owed = owed - %s, remaining = remaining + %s", (amount, amount))
        else:
            self._voucher(curs, r, "owed = owed - %s, returned = returned + %s", (amount, amount))
        self._redemption(curs, r, "returned", ", reason = %s", (d.get("reason", ""),))

    def _recovered(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        amount = int(d["amount"])
        self._voucher(curs, r, "settled = settled - %s, returned = returned + %s", (amount, amount))
        self._redemption(curs, r, "recovered", ", bank_reference = %s", (d.get("bank_reference", ""),))

    def _expired(self, curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        self._voucher(curs, r, "status = 'expired', remaining = 0, returned = returned + %s, expired_at = %s",
                      (int(d["returned"]), r.timestamp))

    # --- voucher applications -----------------------------------------------------------------------
    @staticmethod
    def _applied(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        curs.execute(
            "INSERT INTO programme_voucher_applications (id, programme_id, organisation_id, amount, services,"
            " purpose, status, applied_by, applied_at, updated_at, version)"
            " VALUES (%s, %s, %s, %s, %s::jsonb, %s, 'applied', %s, %s, %s, %s)",
            (r.originator_id, d["programme_id"], d["organisation_id"], d["amount"], json_text(d["services"]),
             d.get("purpose", ""), d["by"], r.timestamp, r.timestamp, r.version),
        )

    @staticmethod
    def _decided(curs: Cursor[DictRow], r: EventRecord, status: str) -> None:
        d = plain(r.data)
        curs.execute(
            "UPDATE programme_voucher_applications SET status = %s, voucher_id = %s, reason = %s, decided_at = %s,"
            " updated_at = %s, version = %s WHERE id = %s",
            (status, d.get("voucher_id"), d.get("reason", ""), r.timestamp, r.timestamp, r.version,
             r.originator_id),
        )
