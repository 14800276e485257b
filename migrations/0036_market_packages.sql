-- Achievement packages (科技成果包, issue 14): each package's next edition as its curator works on it, its
-- published editions (immutable, with what changed since the previous one) and its followers. Written by the
-- market packages read model from the events alone.
CREATE TABLE market_packages (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL,          -- the curator organisation
    title_zh         text NOT NULL,          -- the next edition's texts (a published edition keeps its own)
    title_en         text NOT NULL,
    description_zh   text NOT NULL,
    description_en   text NOT NULL,
    industry         text NOT NULL,
    listing_ids      uuid[] NOT NULL,        -- the next edition's set
    publish_on       date,                   -- scheduled for this day (Beijing), or NULL
    edition          integer NOT NULL DEFAULT 0,   -- the latest published edition (0: none yet)
    published_at     timestamptz,            -- when the latest edition was published
    drafted_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL
);
CREATE INDEX market_packages_due_idx ON market_packages (publish_on) WHERE publish_on IS NOT NULL;
CREATE INDEX market_packages_organisation_idx ON market_packages (organisation_id);
CREATE TABLE market_package_editions (
    package_id       uuid NOT NULL,
    number           integer NOT NULL,
    title_zh         text NOT NULL,
    title_en         text NOT NULL,
    description_zh   text NOT NULL,
    description_en   text NOT NULL,
    industry         text NOT NULL,
    listing_ids      uuid[] NOT NULL,
    added            uuid[] NOT NULL,        -- since the previous edition
    dropped          uuid[] NOT NULL,
    publish_on       date NOT NULL,
    published_at     timestamptz NOT NULL,
    PRIMARY KEY (package_id, number)
);
CREATE TABLE market_package_followers (
    id               uuid PRIMARY KEY,       -- the PackageFollow aggregate
    package_id       uuid NOT NULL,
    user_id          uuid NOT NULL,
    following        boolean NOT NULL,
    seen_edition     integer NOT NULL,
    followed_at      timestamptz NOT NULL,
    UNIQUE (package_id, user_id)
);
CREATE INDEX market_package_followers_user_idx ON market_package_followers (user_id) WHERE following;
