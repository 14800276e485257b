-- Sealed-bid lots (issue 15): a lot's format and reveal window, and each bidder's commitment (a SHA-256 digest;
-- the amount and salt only once revealed). Lots recorded before have the format 'timed'. Written by the auctions
-- read model from the events alone; commitments and amounts are shown publicly only once the lot is closed.
ALTER TABLE auction_lots
    ADD COLUMN auction_format    text NOT NULL DEFAULT 'timed',  -- timed | sealed_first_price | sealed_second_price
    ADD COLUMN reveal_closes_at  timestamptz,                    -- a sealed lot's end of reveal (closes_at: commit deadline)
    ADD COLUMN commitments       integer NOT NULL DEFAULT 0,
    ADD COLUMN reveals           integer NOT NULL DEFAULT 0,
    ADD COLUMN reminded          integer NOT NULL DEFAULT 0;     -- reveal reminders sent (stage 1, 2)

CREATE TABLE auction_commitments (
    lot_id           uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    seq              integer NOT NULL,          -- commitment order (ties go to the earlier)
    bidder_number    integer NOT NULL,
    commitment       text NOT NULL,             -- SHA-256 hex of sealed-bid:v1:<lot>:<number>:<amount>:<salt>
    committed_at     timestamptz NOT NULL,
    amount           bigint,                    -- fen, once revealed
    salt             text,
    revealed_at      timestamptz,
    forfeited        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (lot_id, organisation_id)
);
