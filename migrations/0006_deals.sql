-- Read models of deals (issue 3): offers and their thread, contracts with signatures and notice
-- objections, payment obligations, benefit shares and royalty reports. Written only by
-- projections/deals_view.py; every value derives from the events, so a rebuild yields the same rows.

CREATE TABLE deal_offers (
    id                      uuid PRIMARY KEY,
    listing_id              uuid NOT NULL,
    patent_id               uuid NOT NULL,
    buyer_organisation_id   uuid NOT NULL,
    seller_organisation_id  uuid NOT NULL,
    broker_organisation_id  uuid,
    broker_commission       integer NOT NULL DEFAULT 0,
    kind                    text NOT NULL,
    terms                   jsonb NOT NULL,
    price_amount            bigint NOT NULL,
    currency                text NOT NULL,
    listed_price            bigint,
    status                  text NOT NULL,
    awaiting                text,
    rounds                  integer NOT NULL,
    expires_at              timestamptz NOT NULL,
    made_at                 timestamptz NOT NULL,
    made_by                 uuid,
    closed_at               timestamptz,
    contract_id             uuid,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL
);
CREATE INDEX deal_offers_buyer_idx ON deal_offers (buyer_organisation_id, made_at DESC);
CREATE INDEX deal_offers_seller_idx ON deal_offers (seller_organisation_id, made_at DESC);
CREATE INDEX deal_offers_open_expiry_idx ON deal_offers (expires_at) WHERE status = 'open';

CREATE TABLE deal_offer_events (
    offer_id    uuid NOT NULL,
    version     integer NOT NULL,
    event_type  text NOT NULL,
    side        text,
    terms       jsonb,
    expires_at  timestamptz,
    reason      text NOT NULL DEFAULT '',
    by_user     uuid,
    at          timestamptz NOT NULL,
    PRIMARY KEY (offer_id, version)
);

CREATE TABLE deal_contracts (
    id                      uuid PRIMARY KEY,
    contract_type           text NOT NULL,
    offer_id                uuid,
    listing_id              uuid NOT NULL,
    patent_id               uuid NOT NULL,
    seller_organisation_id  uuid NOT NULL,
    buyer_organisation_id   uuid NOT NULL,
    broker_organisation_id  uuid,
    broker_commission       integer NOT NULL DEFAULT 0,
    kind                    text NOT NULL,
    terms                   jsonb NOT NULL,
    price_amount            bigint NOT NULL,
    currency                text NOT NULL,
    text_zh                 text NOT NULL,
    text_en                 text NOT NULL,
    text_sha256             text NOT NULL,
    notice_ends_at          timestamptz,
    consents_required       uuid[] NOT NULL,
    consents_given          uuid[] NOT NULL,
    objections_open         integer NOT NULL DEFAULT 0,
    objections_upheld       integer NOT NULL DEFAULT 0,
    signed_by               uuid[] NOT NULL,
    status                  text NOT NULL,
    in_force_at             timestamptz,
    registration_reference  text,
    milestones_reached      text[] NOT NULL,
    ownership_transferred   boolean NOT NULL DEFAULT false,
    listing_closed          boolean NOT NULL DEFAULT false,
    terminated_reason       text,
    drafted_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL
);
CREATE INDEX deal_contracts_seller_idx ON deal_contracts (seller_organisation_id, drafted_at DESC);
CREATE INDEX deal_contracts_buyer_idx ON deal_contracts (buyer_organisation_id, drafted_at DESC);
CREATE INDEX deal_contracts_notice_idx ON deal_contracts (notice_ends_at) WHERE notice_ends_at IS NOT NULL;
CREATE INDEX deal_contracts_offer_idx ON deal_contracts (offer_id);

CREATE TABLE deal_signatures (
    contract_id     uuid NOT NULL,
    organisation_id uuid NOT NULL,
    by_user         uuid,
    signed_at       timestamptz NOT NULL,
    text_sha256     text NOT NULL,
    PRIMARY KEY (contract_id, organisation_id)
);

CREATE TABLE deal_objections (
    id          uuid PRIMARY KEY,
    contract_id uuid NOT NULL,
    text        text NOT NULL,
    by_user     uuid,
    filed_at    timestamptz NOT NULL,
    status      text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    decided_by  uuid,
    decided_at  timestamptz
);
CREATE INDEX deal_objections_contract_idx ON deal_objections (contract_id, filed_at);

CREATE TABLE deal_obligations (
    id                      uuid PRIMARY KEY,
    contract_id             uuid NOT NULL,
    payer_organisation_id   uuid NOT NULL,
    payee_organisation_id   uuid NOT NULL,
    amount                  bigint NOT NULL,
    currency                text NOT NULL,
    purpose                 text NOT NULL,
    due_on                  date,
    reference               text NOT NULL,
    status                  text NOT NULL,
    gateway                 text,
    provider_payment_id     text,
    paid_amount             bigint,
    paid_at                 timestamptz,
    provider_refund_id      text,
    refunded_amount         bigint,
    refund_reason           text,
    refunded_at             timestamptz,
    fell_due_at             timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL
);
CREATE INDEX deal_obligations_contract_idx ON deal_obligations (contract_id, fell_due_at);
CREATE INDEX deal_obligations_payer_idx ON deal_obligations (payer_organisation_id, status);
CREATE INDEX deal_obligations_payee_idx ON deal_obligations (payee_organisation_id, status);

CREATE TABLE deal_benefit_shares (
    obligation_id   uuid NOT NULL,
    seq             integer NOT NULL,
    contract_id     uuid NOT NULL,
    recipient       text NOT NULL,
    name            text NOT NULL,
    organisation_id uuid,
    amount          bigint NOT NULL,
    currency        text NOT NULL,
    reversed        boolean NOT NULL DEFAULT false,
    paid_at         timestamptz NOT NULL,
    PRIMARY KEY (obligation_id, seq)
);
CREATE INDEX deal_benefit_shares_org_idx ON deal_benefit_shares (organisation_id);
CREATE INDEX deal_benefit_shares_contract_idx ON deal_benefit_shares (contract_id);

CREATE TABLE deal_royalty_reports (
    contract_id     uuid NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    net_sales       bigint NOT NULL,
    royalty         bigint NOT NULL,
    top_up          bigint NOT NULL,
    obligation_id   uuid,
    by_user         uuid,
    reported_at     timestamptz NOT NULL,
    PRIMARY KEY (contract_id, period_end)
);
