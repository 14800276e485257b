-- Brokers and transfer agencies (技术经纪人, 技术转移机构; issue 14): the register of accredited brokers, the
-- mandates (委托) sellers give agencies for listings, and brokers' introductions of buyers. Written by the
-- brokers read model from the events alone; performance figures are read from these and the deals tables.
CREATE TABLE market_brokers (
    id                  uuid PRIMARY KEY,            -- the BrokerAccreditation aggregate
    user_id             uuid NOT NULL UNIQUE,
    organisation_id     uuid NOT NULL,
    credential_number   text NOT NULL,
    accredited_on       date NOT NULL,
    expires_on          date NOT NULL,
    revoked_on          date,
    revocation_reason   text NOT NULL DEFAULT '',
    accredited_at       timestamptz NOT NULL,
    version             integer NOT NULL
);
CREATE INDEX market_brokers_organisation_idx ON market_brokers (organisation_id);

CREATE TABLE market_mandates (
    id                      uuid PRIMARY KEY,        -- the Mandate aggregate (one per listing and agency)
    listing_id              uuid NOT NULL,
    seller_organisation_id  uuid NOT NULL,
    agency_id               uuid NOT NULL,
    commission              integer NOT NULL,        -- basis points of each payment the seller receives
    starts_on               date NOT NULL,
    ends_on                 date NOT NULL,
    may_act                 boolean NOT NULL,
    ended_on                date,
    end_reason              text NOT NULL DEFAULT '',
    given_at                timestamptz NOT NULL,
    version                 integer NOT NULL
);
CREATE INDEX market_mandates_listing_idx ON market_mandates (listing_id);
CREATE INDEX market_mandates_agency_idx ON market_mandates (agency_id);

CREATE TABLE market_introductions (
    id                      uuid PRIMARY KEY,        -- the Introduction aggregate (one per listing and buyer)
    listing_id              uuid NOT NULL,
    buyer_organisation_id   uuid NOT NULL,
    mandate_id              uuid NOT NULL,
    agency_id               uuid NOT NULL,
    broker_user_id          uuid NOT NULL,
    introduced_on           date NOT NULL,
    introduced_at           timestamptz NOT NULL,
    note                    text NOT NULL DEFAULT '',
    status                  text NOT NULL,           -- awaiting | confirmed | declined
    answered_at             timestamptz,
    version                 integer NOT NULL
);
CREATE INDEX market_introductions_broker_idx ON market_introductions (broker_user_id, status);
CREATE INDEX market_introductions_buyer_idx ON market_introductions (buyer_organisation_id, status);
CREATE INDEX market_introductions_agency_idx ON market_introductions (agency_id);
