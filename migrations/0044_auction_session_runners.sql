-- Auction sessions run by a transfer agency (技术转移机构): the agency's id; null for the platform's own sessions
-- (every session scheduled before agencies could run them). Filled by the auctions read model from
-- AuctionSession.Scheduled (a rebuild yields the same rows).
ALTER TABLE auction_sessions ADD COLUMN organisation_id uuid;
CREATE INDEX auction_sessions_organisation_idx ON auction_sessions (organisation_id);
