-- Auctions after the hammer (issue 15): the session's term within which a lot's winner signs and pays (else it
-- forfeits its deposit), each sold lot's deadline, and where a realised price came from (an auction's hammer
-- price or a negotiated/posted contract) in the valuation records. Rebuild the auctions and valuation read models
-- after migrating (`marketplace rebuild auctions`, `marketplace rebuild valuation`) to fill them for events recorded before.
ALTER TABLE auction_sessions ADD COLUMN settle_days integer NOT NULL DEFAULT 10;
ALTER TABLE auction_lots ADD COLUMN settle_by timestamptz;     -- sold lots: the winner signs and pays by then
CREATE INDEX auction_lots_settle_idx ON auction_lots (status, settle_by);

-- source: 'auction' (a lot's hammer price, no public notice), 'open_licence' (posted terms taken up) or
-- 'negotiated' (an offer agreed).
ALTER TABLE valuation_contracts ADD COLUMN source text NOT NULL DEFAULT 'negotiated';
ALTER TABLE valuation_market_prices ADD COLUMN source text NOT NULL DEFAULT 'negotiated';
