-- A payment's source of funds (issue 12): the buyer declares before paying whether the money is its own
-- (own, 自有资金), fiscal science-programme money (fiscal_programme) or government procurement
-- (government_procurement); programmes that exclude fiscally funded deals read it. Obligations recorded
-- before the declaration existed are the buyer's own funds.
ALTER TABLE deal_obligations ADD COLUMN funds_source text NOT NULL DEFAULT 'own';

-- Related parties (关联方) as programme officers recorded them: one row per pair of organisations, written by
-- the related-parties read model from the RelatedParties events alone (the latest state, reason, who and when).
CREATE TABLE programme_related_parties (
    id                  uuid PRIMARY KEY,    -- the RelatedParties record (derived from the two organisation ids)
    organisation_id     uuid NOT NULL,       -- the two organisations, in the record's order
    related_id          uuid NOT NULL,
    related             boolean NOT NULL,    -- false once withdrawn
    reason              text NOT NULL,       -- the latest reason (of the marking, or of the withdrawal)
    by_user             uuid NOT NULL,       -- who recorded the latest change
    marked_at           timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL
);
CREATE INDEX programme_related_parties_updated_idx ON programme_related_parties (updated_at DESC);
