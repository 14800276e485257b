-- Agency performance subsidies (issue 14, seed task 9): an agency's claim for a year records its basis, every
-- payment on the deals it brokered that it claimed (counted or not, and why). Empty on the claims of paid deals.
ALTER TABLE programme_claims ADD COLUMN basis jsonb NOT NULL DEFAULT '[]'::jsonb;
