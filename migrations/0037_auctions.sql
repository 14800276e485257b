-- Auctions (issue 15): sessions (拍卖会), lots with their current state, bidders, deposits and the bid log.
-- Written by the auctions read model from the events alone. Organisations stand as bidder numbers in
-- auction_bids; the page shows the log publicly only once the lot is closed.
CREATE TABLE auction_sessions (
    id            uuid PRIMARY KEY,
    title_zh      text NOT NULL,
    title_en      text NOT NULL,
    deposit_rate  integer NOT NULL,             -- basis points of a lot's starting price
    scheduled_at  timestamptz NOT NULL
);

CREATE TABLE auction_bidders (
    session_id       uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    bidder_number    integer NOT NULL,
    registered_at    timestamptz NOT NULL,
    PRIMARY KEY (session_id, organisation_id)
);

CREATE TABLE auction_lots (
    id                      uuid PRIMARY KEY,
    session_id              uuid NOT NULL,
    listing_id              uuid NOT NULL,
    patent_id               uuid NOT NULL,
    seller_organisation_id  uuid NOT NULL,
    kind                    text NOT NULL,     -- assignment | exclusive_licence
    currency                text NOT NULL,
    start_price             bigint NOT NULL,   -- fen
    reserve                 bigint NOT NULL,
    reserve_shown           boolean NOT NULL,
    increment               bigint NOT NULL,
    deposit                 bigint NOT NULL,
    opens_at                timestamptz NOT NULL,
    closes_at               timestamptz NOT NULL,  -- moved by soft-close extensions
    status                  text NOT NULL,     -- proposed | ready | sold | unsold
    current_price           bigint,
    leader_number           integer,
    bids                    integer NOT NULL DEFAULT 0,
    outcome                 text,              -- sold | reserve_not_met | no_bids | not_contracted:<code>
    winner_organisation_id  uuid,
    price                   bigint,
    contract_id             uuid,
    closed_at               timestamptz,
    deposit_paid_in         boolean NOT NULL DEFAULT false,  -- the winner's deposit paid its instalment
    version                 integer NOT NULL
);
CREATE INDEX auction_lots_session_idx ON auction_lots (session_id);
CREATE INDEX auction_lots_closing_idx ON auction_lots (status, closes_at);

CREATE TABLE auction_deposits (
    lot_id           uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    bidder_number    integer NOT NULL,
    amount           bigint NOT NULL,
    reference        text NOT NULL,
    gateway          text NOT NULL,
    status           text NOT NULL,            -- pending | received | refunded | applied
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (lot_id, organisation_id)
);

CREATE TABLE auction_bids (
    lot_id         uuid NOT NULL,
    seq            integer NOT NULL,
    bidder_number  integer NOT NULL,
    amount         bigint NOT NULL,
    placed_at      timestamptz NOT NULL,       -- the server's time recorded in the event
    closes_at      timestamptz NOT NULL,       -- the lot's end after this bid
    PRIMARY KEY (lot_id, seq)
);
