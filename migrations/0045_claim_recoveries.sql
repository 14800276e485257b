-- Recoveries by amount (agency subsidies, issue 14): what a claim's beneficiary owes back and has repaid, and an
-- agency claim's parts owed back by refunded payment ({obligation_id: amount}). A claim owed back before this was
-- owed its whole approved award.
ALTER TABLE programme_claims ADD COLUMN owed_back bigint NOT NULL DEFAULT 0;
ALTER TABLE programme_claims ADD COLUMN repaid bigint NOT NULL DEFAULT 0;
ALTER TABLE programme_claims ADD COLUMN parts_owed jsonb NOT NULL DEFAULT '{}'::jsonb;
UPDATE programme_claims SET owed_back = approved_amount WHERE status IN ('recovery_due', 'recovered');
UPDATE programme_claims SET repaid = approved_amount WHERE status = 'recovered';
