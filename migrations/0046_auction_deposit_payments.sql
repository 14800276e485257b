-- Auction deposits and the winner's payment (issue 15, attacker review): a second payment of a deposit already paid
-- (a card after a bank transfer, a bank receipt after the card, two card payments) is refunded at once through its
-- own gateway, or owed and retried by the deadline worker; one row per such payment. A payment obligation the
-- platform pays from money it holds (an auction winner's deposit) says so: the payer is not asked to pay it.
-- Written by the auctions and deals read models from the events alone; nothing recorded before needs filling.
CREATE TABLE auction_second_payments (
    lot_id               uuid NOT NULL,
    gateway              text NOT NULL,
    provider_payment_id  text NOT NULL,
    organisation_id      uuid NOT NULL,
    amount               bigint NOT NULL,
    status               text NOT NULL,          -- received | refunded | refund_owed
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (lot_id, gateway, provider_payment_id)
);
CREATE INDEX auction_second_payments_owed_idx ON auction_second_payments (status) WHERE status <> 'refunded';

ALTER TABLE deal_obligations ADD COLUMN paid_from text;  -- 'auction_deposit'; NULL: the payer pays it
