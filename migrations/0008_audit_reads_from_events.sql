-- Reads of confidential records become events (AuditRead.Recorded, hash-chained with the rest of
-- the log); audit_reads is now a table of the audit_log read model, written by its projection and
-- rebuilt with it. Rows written directly before this migration are kept, read-only, beside it.
ALTER TABLE audit_reads RENAME TO audit_reads_before_events;
ALTER INDEX audit_reads_aggregate_idx RENAME TO audit_reads_before_events_aggregate_idx;
ALTER INDEX audit_reads_reader_idx RENAME TO audit_reads_before_events_reader_idx;

CREATE TABLE audit_reads (
    position        bigint PRIMARY KEY,              -- the AuditRead.Recorded event's notification id
    reader_id       uuid NOT NULL,
    reader_roles    text[] NOT NULL,
    aggregate_id    uuid NOT NULL,
    aggregate_type  text NOT NULL,
    page            text NOT NULL,
    version         integer,
    as_of           timestamptz,
    read_at         timestamptz NOT NULL
);
CREATE INDEX audit_reads_aggregate_idx ON audit_reads (aggregate_id, read_at DESC);
CREATE INDEX audit_reads_reader_idx ON audit_reads (reader_id, read_at DESC);
