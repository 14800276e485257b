-- Valuation records (read model "valuation"): valuers' accreditations, assessments, and the market
-- facts they are compared with (offers, contract prices paid, open-licence terms), per patent and field.
-- Written only by projections/valuation_view.py; read by projections/valuation_queries.py.

CREATE TABLE valuation_accreditations (
    user_id             uuid PRIMARY KEY,
    accreditation_id    uuid NOT NULL,
    organisation_id     uuid NOT NULL,
    credential_number   text NOT NULL,
    accredited_on       date,
    expires_on          date NOT NULL,
    revoked_on          date,
    revocation_reason   text NOT NULL DEFAULT '',
    accredited_at       timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL
);
CREATE INDEX valuation_accreditations_organisation_idx ON valuation_accreditations (organisation_id);

CREATE TABLE valuation_assessments (
    id                  uuid PRIMARY KEY,
    patent_id           uuid NOT NULL,
    valuer_id           uuid NOT NULL,
    organisation_id     uuid NOT NULL,
    purpose             text NOT NULL,
    basis_date          date NOT NULL,
    method              text NOT NULL,
    inputs              jsonb NOT NULL,
    value               numeric NOT NULL,
    low                 numeric NOT NULL,
    high                numeric NOT NULL,
    unit                text NOT NULL,
    assumptions         text NOT NULL,
    report_reference    text NOT NULL,
    steps               jsonb NOT NULL,
    supersedes          uuid,
    status              text NOT NULL,      -- current, superseded, withdrawn
    superseded_by       uuid,
    withdrawn_reason    text,
    recorded_at         timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL
);
CREATE INDEX valuation_assessments_patent_idx ON valuation_assessments (patent_id, recorded_at);
CREATE INDEX valuation_assessments_valuer_idx ON valuation_assessments (valuer_id, recorded_at);

-- Patent → its IPC main groups (H01M 10/00), subclasses (H01M) and classes (H01), from Patent.Registered.
CREATE TABLE valuation_patent_fields (
    patent_id           uuid PRIMARY KEY,
    patent_number       text NOT NULL,
    title_zh            text NOT NULL,
    title_en            text NOT NULL,
    ipc_codes           text[] NOT NULL,
    main_groups         text[] NOT NULL,
    subclasses          text[] NOT NULL,
    classes             text[] NOT NULL
);
CREATE INDEX valuation_patent_fields_main_groups_idx ON valuation_patent_fields USING gin (main_groups);
CREATE INDEX valuation_patent_fields_subclasses_idx ON valuation_patent_fields USING gin (subclasses);
CREATE INDEX valuation_patent_fields_classes_idx ON valuation_patent_fields USING gin (classes);

-- Contracts as drafted (price and kind), and which payment obligation is whose upfront payment.
CREATE TABLE valuation_contracts (
    contract_id         uuid PRIMARY KEY,
    patent_id           uuid NOT NULL,
    deal_type           text NOT NULL,
    price               bigint NOT NULL,    -- minor units (fen)
    currency            text NOT NULL,
    drafted_at          timestamptz NOT NULL
);
CREATE TABLE valuation_obligations (
    obligation_id       uuid PRIMARY KEY,
    contract_id         uuid NOT NULL,
    purpose             text NOT NULL
);

-- Contract prices realised: a row once the contract's upfront obligation is paid.
CREATE TABLE valuation_market_prices (
    contract_id         uuid PRIMARY KEY,
    patent_id           uuid NOT NULL,
    deal_type           text NOT NULL,
    price               bigint NOT NULL,    -- minor units (fen)
    currency            text NOT NULL,
    drafted_at          timestamptz NOT NULL,
    paid_at             timestamptz NOT NULL,
    year                integer NOT NULL,
    refunded            boolean NOT NULL DEFAULT false
);
CREATE INDEX valuation_market_prices_patent_idx ON valuation_market_prices (patent_id);

-- Offers made and countered on each patent (each round a row).
CREATE TABLE valuation_offers (
    offer_id            uuid NOT NULL,
    version             integer NOT NULL,
    patent_id           uuid NOT NULL,
    side                text NOT NULL,      -- buyer, seller
    deal_type           text NOT NULL,
    price               bigint NOT NULL,
    currency            text NOT NULL,
    offered_at          timestamptz NOT NULL,
    PRIMARY KEY (offer_id, version)
);
CREATE INDEX valuation_offers_patent_idx ON valuation_offers (patent_id, offered_at);

-- Every listing's patent and status; the posted open-licence terms where it has them.
CREATE TABLE valuation_open_licences (
    listing_id          uuid PRIMARY KEY,
    patent_id           uuid NOT NULL,
    status              text NOT NULL,
    fee                 bigint,             -- null: the listing offers no open licence
    currency            text,
    royalty_rate        integer,
    term_years          integer,
    offered             boolean NOT NULL DEFAULT true,  -- false while an exclusive/sole licence took it off
    updated_at          timestamptz NOT NULL
);
CREATE INDEX valuation_open_licences_patent_idx ON valuation_open_licences (patent_id);
