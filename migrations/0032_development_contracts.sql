-- Technology development contracts (技术开发合同, issue 13): they stand on no patent or listing, and their
-- milestones are delivered by the developer before the client accepts them; a demand's proposal names the
-- development contract its award drafted.
ALTER TABLE deal_contracts ALTER COLUMN listing_id DROP NOT NULL;
ALTER TABLE deal_contracts ALTER COLUMN patent_id DROP NOT NULL;
ALTER TABLE deal_contracts ADD COLUMN milestones_delivered text[] NOT NULL DEFAULT '{}';
ALTER TABLE demand_proposals ADD COLUMN contract_id uuid;
-- Questions and clarification (issue 13): a demand sent back for clarification keeps the reason until its
-- enterprise resubmits it; each proposal has a thread of the enterprise's questions and the proposer's answers.
ALTER TABLE demand_demands ADD COLUMN clarify_reason text NOT NULL DEFAULT '';
CREATE TABLE demand_questions (
    proposal_id  uuid NOT NULL,
    number       integer NOT NULL,                -- 1, 2, ... in the thread
    demand_id    uuid NOT NULL,
    kind         text NOT NULL,                   -- question | answer
    text         text NOT NULL,
    by_user      uuid,
    at           timestamptz NOT NULL,
    PRIMARY KEY (proposal_id, number)
);
