-- Who may hold a patent's registration (issue 9): co-owners' confirmations, withdrawn
-- registrations, and ownership claims decided by a platform admin.
--
-- Rows of patents registered before this change take the defaults: registration active, no
-- co-owner awaiting confirmation (their owners were accepted under the old rules), registrant
-- unknown. A rebuild from their events yields the same values.
ALTER TABLE catalogue_patents
    ADD COLUMN registration_status        text NOT NULL DEFAULT 'active',  -- active | withdrawn
    ADD COLUMN registrant_organisation_id uuid,
    ADD COLUMN unconfirmed_owner_ids      uuid[] NOT NULL DEFAULT '{}';
CREATE INDEX catalogue_patents_unconfirmed_idx ON catalogue_patents USING gin (unconfirmed_owner_ids);

CREATE TABLE catalogue_ownership_claims (
    id                        uuid PRIMARY KEY,
    patent_id                 uuid NOT NULL,
    registration              integer NOT NULL,
    claimant_organisation_id  uuid NOT NULL,
    evidence                  text NOT NULL,
    reference                 text NOT NULL,
    status                    text NOT NULL,               -- filed | upheld | dismissed
    filed_by                  uuid NOT NULL,
    filed_at                  timestamptz NOT NULL,
    decided_by                uuid,
    decided_at                timestamptz,
    decision_reason           text NOT NULL DEFAULT '',
    version                   integer NOT NULL
);
CREATE INDEX catalogue_ownership_claims_status_idx ON catalogue_ownership_claims (status, filed_at, id);
CREATE INDEX catalogue_ownership_claims_patent_idx ON catalogue_ownership_claims (patent_id);
