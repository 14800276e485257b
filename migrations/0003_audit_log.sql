-- Audit: the global event log (a read model, rebuilt from the event store like any other) and the
-- record of auditors' reads of confidential records (written by the web; not a read model).

CREATE TABLE audit_log_events (
    position            bigint PRIMARY KEY,          -- notification id in the event store
    aggregate_id        uuid NOT NULL,
    aggregate_type      text NOT NULL,               -- e.g. Listing
    version             integer NOT NULL,
    event_type          text NOT NULL,               -- e.g. Listing.Published
    actor               uuid,                        -- the event's "by"; NULL when nobody is named
    organisation_ids    uuid[] NOT NULL,             -- the organisations the event concerns
    recorded_at         timestamptz NOT NULL,        -- the event's own timestamp
    summary             text NOT NULL,               -- one readable line (English)
    data                jsonb NOT NULL               -- the event payload, secrets redacted
);
CREATE UNIQUE INDEX audit_log_events_aggregate_idx ON audit_log_events (aggregate_id, version);
CREATE INDEX audit_log_events_type_idx ON audit_log_events (aggregate_type, position DESC);
CREATE INDEX audit_log_events_event_type_idx ON audit_log_events (event_type, position DESC);
CREATE INDEX audit_log_events_actor_idx ON audit_log_events (actor, position DESC);
CREATE INDEX audit_log_events_recorded_idx ON audit_log_events (recorded_at, position);
CREATE INDEX audit_log_events_organisations_idx ON audit_log_events USING gin (organisation_ids);

CREATE TABLE audit_reads (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reader_id       uuid NOT NULL,
    reader_roles    text[] NOT NULL,
    aggregate_id    uuid NOT NULL,
    aggregate_type  text NOT NULL,
    page            text NOT NULL,                   -- what was opened: method, path and query
    version         integer,                         -- the version shown, when one was asked for
    as_of           timestamptz,                     -- the instant shown, when one was asked for
    read_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_reads_aggregate_idx ON audit_reads (aggregate_id, read_at DESC);
CREATE INDEX audit_reads_reader_idx ON audit_reads (reader_id, read_at DESC);
