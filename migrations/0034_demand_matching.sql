-- Demand (issue 13, "Matching, explained"): each open technology demand's ranked published listings with the
-- reasons, kept by the matching read model (projections/demand/matching.py) as demands and listings change.
-- The read model keeps its own copy of the facts it matches on (from the patent, listing and demand events),
-- so that a rebuild from the log alone writes identical rows; pages read the precomputed matches.
CREATE TABLE matching_patents (
    id              uuid PRIMARY KEY,
    title_zh        text NOT NULL,
    title_en        text NOT NULL,
    abstract        text NOT NULL,                -- both languages' abstracts
    ipc_codes       text[] NOT NULL
);

CREATE TABLE matching_listings (
    id              uuid PRIMARY KEY,
    patent_id       uuid NOT NULL,
    organisation_id uuid NOT NULL,
    status          text NOT NULL,                -- the listing's: only published ones are matched
    title_zh        text NOT NULL,
    title_en        text NOT NULL,
    ipc_codes       text[] NOT NULL,
    subclasses      text[] NOT NULL,
    key_text        text NOT NULL,                -- titles and keywords
    full_text       text NOT NULL,                -- abstracts, advantages, applications
    key_tokens      text[] NOT NULL,
    full_tokens     text[] NOT NULL,
    price           bigint,                       -- fen, CNY; NULL when negotiable
    maturity        text NOT NULL,
    terms           jsonb NOT NULL                -- the listing's terms, to refresh its facts from its patent's
);
CREATE INDEX matching_listings_subclasses_idx ON matching_listings USING gin (subclasses) WHERE status = 'published';
CREATE INDEX matching_listings_key_idx ON matching_listings USING gin (key_tokens) WHERE status = 'published';
CREATE INDEX matching_listings_full_idx ON matching_listings USING gin (full_tokens) WHERE status = 'published';
CREATE INDEX matching_listings_patent_idx ON matching_listings (patent_id);

CREATE TABLE matching_demands (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    status          text NOT NULL,                -- open | awarded: only open ones are matched
    visibility      text NOT NULL,                -- public | verified
    title_zh        text NOT NULL,
    title_en        text NOT NULL,
    closes_at       timestamptz NOT NULL,
    ipc_codes       text[] NOT NULL,
    subclasses      text[] NOT NULL,
    key_text        text NOT NULL,
    full_text       text NOT NULL,
    key_tokens      text[] NOT NULL,
    full_tokens     text[] NOT NULL,
    budget_min      bigint NOT NULL,
    budget_max      bigint NOT NULL,
    wants           text[] NOT NULL
);
CREATE INDEX matching_demands_subclasses_idx ON matching_demands USING gin (subclasses) WHERE status = 'open';
CREATE INDEX matching_demands_key_idx ON matching_demands USING gin (key_tokens) WHERE status = 'open';
CREATE INDEX matching_demands_full_idx ON matching_demands USING gin (full_tokens) WHERE status = 'open';

CREATE TABLE matching_matches (
    demand_id       uuid NOT NULL,
    listing_id      uuid NOT NULL,
    score           integer NOT NULL,             -- thousandths (projections/demand/matching_rules.py)
    reasons         jsonb NOT NULL,               -- [{"kind": ..., "values": [...]}]
    PRIMARY KEY (demand_id, listing_id)
);
CREATE INDEX matching_matches_demand_idx ON matching_matches (demand_id, score DESC, listing_id);
CREATE INDEX matching_matches_listing_idx ON matching_matches (listing_id, score DESC, demand_id);
