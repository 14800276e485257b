-- Technology-contract registration (技术合同认定登记, issue 14): each signed contract's registration record
-- (表 JJ-001 fields) as its seller prepared it, and the registry's 16-digit number once assigned. Written by
-- the market read model from the events alone.
CREATE TABLE market_tech_registrations (
    contract_id             uuid PRIMARY KEY,
    id                      uuid NOT NULL,               -- the ContractRegistration aggregate
    seller_organisation_id  uuid NOT NULL,
    buyer_organisation_id   uuid NOT NULL,
    deal_kind               text NOT NULL,
    contract_price          bigint NOT NULL,
    record                  jsonb NOT NULL,              -- the JJ-001 fields (domain.market.jj001)
    status                  text NOT NULL,               -- prepared | registered
    number                  text NOT NULL DEFAULT '',
    prepared_by             uuid NOT NULL,
    prepared_at             timestamptz NOT NULL,
    number_recorded_by      uuid,
    number_recorded_at      timestamptz,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL
);
CREATE INDEX market_tech_registrations_seller_idx ON market_tech_registrations (seller_organisation_id, status);
