-- Signed assessments (issue 11): the SHA-256 of each assessment's rendered report, the valuer's
-- signature of record (who, when) and the agency's countersignature (who, when).
--
-- Rows of assessments recorded before signing existed take the defaults (no digest, not signed);
-- a rebuild from their events yields the same values.
ALTER TABLE valuation_assessments
    ADD COLUMN report_sha256     text NOT NULL DEFAULT '',
    ADD COLUMN signed_by         uuid,
    ADD COLUMN signed_at         timestamptz,
    ADD COLUMN countersigned_by  uuid,
    ADD COLUMN countersigned_at  timestamptz;
