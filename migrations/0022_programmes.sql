-- Programmes (issue 12): subsidies, rewards and vouchers run by programme officers, and the claims
-- paid deals raise on them. Written by the programmes read model from the events alone.
CREATE TABLE programmes (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL,
    kind             text NOT NULL,                -- purchase_subsidy | transfer_reward | innovation_voucher
    name_zh          text NOT NULL,
    name_en          text NOT NULL,
    source           text NOT NULL DEFAULT '',
    budget           bigint NOT NULL,
    committed        bigint NOT NULL DEFAULT 0,    -- approved, not yet disbursed
    disbursed        bigint NOT NULL DEFAULT 0,
    starts_on        date NOT NULL,
    ends_on          date NOT NULL,
    status           text NOT NULL,                -- draft | open | closed
    rules            jsonb NOT NULL,               -- the latest version
    rules_versions   jsonb NOT NULL,               -- [{effective_from, rules}], oldest first
    drafted_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL
);
CREATE INDEX programmes_organisation_idx ON programmes (organisation_id, drafted_at);

CREATE TABLE programme_claims (
    id                     uuid PRIMARY KEY,
    programme_id           uuid NOT NULL,
    rules_version          integer NOT NULL,
    obligation_id          uuid NOT NULL,
    contract_id            uuid NOT NULL,
    beneficiary_id         uuid NOT NULL,
    side                   text NOT NULL,          -- buyer | seller
    year                   integer NOT NULL,
    paid_amount            bigint NOT NULL,
    amount                 bigint NOT NULL,        -- the award the rules gave
    approved_amount        bigint NOT NULL DEFAULT 0,
    steps                  jsonb NOT NULL,
    requires_registration  boolean NOT NULL,
    status                 text NOT NULL,          -- raised | submitted | approved | rejected | paid | withdrawn | recovery_due | recovered
    registration_number    text NOT NULL DEFAULT '',
    reason                 text NOT NULL DEFAULT '',
    disbursement_reference text NOT NULL DEFAULT '',
    raised_at              timestamptz NOT NULL,
    submitted_at           timestamptz,
    decided_at             timestamptz,
    paid_at                timestamptz,
    updated_at             timestamptz NOT NULL,
    version                integer NOT NULL
);
CREATE INDEX programme_claims_programme_idx ON programme_claims (programme_id, status, raised_at);
CREATE INDEX programme_claims_beneficiary_idx ON programme_claims (beneficiary_id, raised_at);

-- What the platform or a programme officer verified an organisation to be (soe, tech_sme, maker).
ALTER TABLE accounts_organisations ADD COLUMN flags text[] NOT NULL DEFAULT '{}';
