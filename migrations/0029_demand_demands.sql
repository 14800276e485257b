-- Demand (issue 13, "Technology demands and proposals"): technology demands (企业出题) posted by enterprises
-- and the sealed proposals (协同攻关) that answer them, with the enterprise's decisions. Written by the
-- demands read model from the events alone. A proposal's content is kept here from its submission; the
-- queries withhold it from the enterprise until the demand's deadline has passed (closes_at).
CREATE TABLE demand_demands (
    id                uuid PRIMARY KEY,
    organisation_id   uuid NOT NULL,
    posted_by         uuid NOT NULL,
    title_zh          text NOT NULL,
    title_en          text NOT NULL,
    description_zh    text NOT NULL,
    description_en    text NOT NULL,
    problem           text NOT NULL,
    current_solution  text NOT NULL,
    targets           text NOT NULL,
    ipc_codes         text[] NOT NULL,
    ipc_classes       text[] NOT NULL,                 -- the codes' four-character subclasses (facet)
    keywords          text[] NOT NULL,
    budget_min        bigint NOT NULL,                 -- fen
    budget_max        bigint NOT NULL,
    deadline          date NOT NULL,                   -- Beijing
    closes_at         timestamptz NOT NULL,            -- the end of the deadline's day in Beijing
    wants             text[] NOT NULL,
    visibility        text NOT NULL,                   -- public | verified
    status            text NOT NULL,                   -- open | awarded
    proposals         integer NOT NULL DEFAULT 0,
    decided           integer NOT NULL DEFAULT 0,      -- proposals answered with a reason, or awarded
    first_proposal_at timestamptz,
    posted_at         timestamptz NOT NULL,
    search            text NOT NULL,                   -- lower-cased words for the search box
    version           integer NOT NULL
);
CREATE INDEX demand_demands_org_idx ON demand_demands (organisation_id, posted_at);
CREATE INDEX demand_demands_posted_idx ON demand_demands (posted_at);

CREATE TABLE demand_proposals (
    id               uuid PRIMARY KEY,
    demand_id        uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    submitted_by     uuid NOT NULL,
    sha256           text NOT NULL,
    content          jsonb NOT NULL,                   -- sealed until the demand's closes_at
    want             text NOT NULL,
    state            text NOT NULL,                    -- submitted | shortlisted | awarded | declined
    reason           text NOT NULL DEFAULT '',
    reason_text      text NOT NULL DEFAULT '',
    offer_id         uuid,
    submitted_at     timestamptz NOT NULL,
    decided_at       timestamptz,
    position         bigint NOT NULL
);
CREATE INDEX demand_proposals_demand_idx ON demand_proposals (demand_id, submitted_at);
CREATE INDEX demand_proposals_org_idx ON demand_proposals (organisation_id, submitted_at);
