-- A payment's source of funds (issue 12): the buyer declares before paying whether the money is its own
-- (own, 自有资金), fiscal science-programme money (fiscal_programme) or government procurement
-- (government_procurement); programmes that exclude fiscally funded deals read it. Obligations recorded
-- before the declaration existed are the buyer's own funds.
ALTER TABLE deal_obligations ADD COLUMN funds_source text NOT NULL DEFAULT 'own';
