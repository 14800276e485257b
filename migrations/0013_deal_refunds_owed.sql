-- One patent, one sale (issue 9): money received for a contract that can no longer take effect is
-- owed back (PaymentObligation.RefundOwed) and waits on the platform admin's refund queue until
-- refunded. Stores written before hold no such event: the columns stay empty, as a rebuild leaves them.
ALTER TABLE deal_obligations ADD COLUMN refund_owed_reason text;
ALTER TABLE deal_obligations ADD COLUMN refund_owed_at timestamptz;
CREATE INDEX deal_obligations_refunds_owed_idx ON deal_obligations (refund_owed_at)
    WHERE refund_owed_reason IS NOT NULL AND status = 'paid';
-- Who objected to a public notice (NoticeObjectionFiled.organisation_id; empty for objections filed before).
ALTER TABLE deal_objections ADD COLUMN organisation_id uuid;
