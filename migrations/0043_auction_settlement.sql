-- Auctions after the hammer (issue 15): the session's term within which a lot's winner signs and pays (else it
-- forfeits its deposit), each sold lot's deadline, and where a realised price came from (an auction's hammer
-- price or a negotiated/posted contract) in the valuation records. Rows written before are filled here as the read
-- models would write them from the events (a rebuild gives the same rows).
ALTER TABLE auction_sessions ADD COLUMN settle_days integer NOT NULL DEFAULT 10;
ALTER TABLE auction_lots ADD COLUMN settle_by timestamptz;     -- sold lots: the winner signs and pays by then
CREATE INDEX auction_lots_settle_idx ON auction_lots (status, settle_by);
-- Lots sold before: the default term, to the end of the Beijing day 10 days after the close's.
UPDATE auction_lots
   SET settle_by = (date_trunc('day', closed_at AT TIME ZONE 'Asia/Shanghai') + interval '11 days')
                   AT TIME ZONE 'Asia/Shanghai'
 WHERE winner_organisation_id IS NOT NULL AND closed_at IS NOT NULL AND settle_by IS NULL;

-- source: 'auction' (a lot's hammer price, no public notice), 'open_licence' (posted terms taken up) or
-- 'negotiated' (an offer agreed).
ALTER TABLE valuation_contracts ADD COLUMN source text NOT NULL DEFAULT 'negotiated';
ALTER TABLE valuation_market_prices ADD COLUMN source text NOT NULL DEFAULT 'negotiated';
UPDATE valuation_contracts SET source = 'open_licence' WHERE deal_type = 'open_licence';
UPDATE valuation_contracts SET source = 'auction'
 WHERE contract_id IN (SELECT contract_id FROM auction_lots WHERE contract_id IS NOT NULL);
UPDATE valuation_market_prices p SET source = c.source FROM valuation_contracts c WHERE c.contract_id = p.contract_id;
