-- Read models of the foundation: accounts and the catalogue (patents and listing pages).
-- Written only by the projection runners; read by the web through asyncpg.

CREATE TABLE accounts_organisations (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    kind            text NOT NULL,
    region          text NOT NULL DEFAULT '',
    verified        boolean NOT NULL,
    registered_at   timestamptz NOT NULL,
    verified_at     timestamptz,
    version         integer NOT NULL
);
CREATE INDEX accounts_organisations_kind_idx ON accounts_organisations (kind);
CREATE INDEX accounts_organisations_pending_idx ON accounts_organisations (registered_at) WHERE NOT verified;

CREATE TABLE accounts_users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    display_name    text NOT NULL,
    organisation_id uuid NOT NULL,
    roles           text[] NOT NULL,
    signed_up_at    timestamptz NOT NULL,
    version         integer NOT NULL
);
CREATE INDEX accounts_users_organisation_idx ON accounts_users (organisation_id);

CREATE TABLE catalogue_patents (
    id                  uuid PRIMARY KEY,
    number_key          text NOT NULL,
    jurisdiction        text NOT NULL,
    application_number  text,
    publication_number  text,
    patent_type         text NOT NULL,
    title_zh            text NOT NULL,
    title_en            text NOT NULL,
    abstract_zh         text NOT NULL,
    abstract_en         text NOT NULL,
    ipc_codes           text[] NOT NULL,
    filing_date         date,
    publication_date    date,
    grant_date          date,
    expiry_date         date,
    legal_status        text NOT NULL,
    owners              jsonb NOT NULL,
    owner_ids           uuid[] NOT NULL,
    inventors           jsonb NOT NULL,
    public_funding      jsonb,
    source              text NOT NULL,
    active_listing_id   uuid,
    registered_at       timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL,
    search              tsvector NOT NULL
);
CREATE INDEX catalogue_patents_search_idx ON catalogue_patents USING gin (search);
CREATE INDEX catalogue_patents_owner_ids_idx ON catalogue_patents USING gin (owner_ids);
CREATE INDEX catalogue_patents_jurisdiction_idx ON catalogue_patents (jurisdiction);
CREATE INDEX catalogue_patents_registered_idx ON catalogue_patents (registered_at DESC, id);

CREATE TABLE catalogue_status_history (
    patent_id       uuid NOT NULL,
    version         integer NOT NULL,
    legal_status    text NOT NULL,
    effective_date  date,
    reason          text NOT NULL,
    by_user         uuid,
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (patent_id, version)
);

CREATE TABLE catalogue_listings (
    id                  uuid PRIMARY KEY,
    patent_id           uuid NOT NULL,
    organisation_id     uuid NOT NULL,
    organisation_name   text NOT NULL,
    status              text NOT NULL,
    deal_types          text[] NOT NULL,
    price_mode          text NOT NULL,
    asking_price        bigint,
    price_amount        bigint,
    currency            text NOT NULL,
    open_licence        jsonb,
    maturity            text NOT NULL,
    trl                 integer,
    advantages          text NOT NULL,
    applications        text NOT NULL,
    keywords            text[] NOT NULL,
    title_zh            text NOT NULL,
    title_en            text NOT NULL,
    jurisdiction        text NOT NULL,
    patent_number       text NOT NULL,
    patent_type         text NOT NULL,
    legal_status        text NOT NULL,
    ipc_codes           text[] NOT NULL,
    ipc_sections        text[] NOT NULL,
    ipc_classes         text[] NOT NULL,
    drafted_at          timestamptz NOT NULL,
    published_at        timestamptz,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL,
    search              tsvector NOT NULL
);
CREATE INDEX catalogue_listings_search_idx ON catalogue_listings USING gin (search);
CREATE INDEX catalogue_listings_status_published_idx ON catalogue_listings (status, published_at DESC, id);
CREATE INDEX catalogue_listings_patent_idx ON catalogue_listings (patent_id);
CREATE INDEX catalogue_listings_organisation_idx ON catalogue_listings (organisation_id, updated_at DESC);
CREATE INDEX catalogue_listings_deal_types_idx ON catalogue_listings USING gin (deal_types);
CREATE INDEX catalogue_listings_ipc_classes_idx ON catalogue_listings USING gin (ipc_classes);
