-- Technology development contracts (技术开发合同, issue 13): they stand on no patent or listing, and their
-- milestones are delivered by the developer before the client accepts them; a demand's proposal names the
-- development contract its award drafted.
ALTER TABLE deal_contracts ALTER COLUMN listing_id DROP NOT NULL;
ALTER TABLE deal_contracts ALTER COLUMN patent_id DROP NOT NULL;
ALTER TABLE deal_contracts ADD COLUMN milestones_delivered text[] NOT NULL DEFAULT '{}';
ALTER TABLE demand_proposals ADD COLUMN contract_id uuid;
