-- Lots their owner declined (issue 15): the owner's reason and when, shown to the session's runner. Filled by the
-- auctions read model from Lot.Declined (status 'declined'; a rebuild yields the same rows). No lot was declined
-- before this migration: nothing to fill.
ALTER TABLE auction_lots
    ADD COLUMN decline_reason  text,
    ADD COLUMN declined_at     timestamptz;
