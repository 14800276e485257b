-- Issue 11, the catalogue's half-there pages:
--
-- * a patent's chain of title (assignments in force, their registration with CNIPA, a reversal
--   after a refund) and its licence register (reserved with the contract's draft, active once in
--   force, ended), so a buyer can check both before offering, and a licensee sees what it holds;
-- * whether a patent is under negotiation (open deals, reserved for a sale);
-- * the search vectors now hold every patent's application and publication numbers as lexemes
--   (``projections.shared.search.number_lexemes``), so ``201710451976.4``, ``CN201710451976.4``,
--   ``2017104519764`` and ``CN107123456B`` find their listing.
--
-- All of it derives from events already stored, so the catalogue read model is emptied here and
-- its position forgotten: the projection runner replays it from the start (``marketplace
-- migrate`` then ``serve`` or ``run-projections``), as ``marketplace rebuild catalogue`` would.
ALTER TABLE catalogue_patents
    ADD COLUMN open_deal_ids  uuid[] NOT NULL DEFAULT '{}',
    ADD COLUMN sale_reserved  boolean NOT NULL DEFAULT false;

CREATE TABLE catalogue_ownership_history (
    patent_id               uuid NOT NULL,
    version                 integer NOT NULL,           -- the patent's version of the transfer
    contract_id             uuid NOT NULL,
    from_owners             jsonb NOT NULL,
    to_owners               jsonb NOT NULL,
    transferred_at          timestamptz NOT NULL,
    registration_reference  text NOT NULL DEFAULT '',   -- 著录项目变更, entered by a party
    registered_at           timestamptz,
    reverted_at             timestamptz,
    revert_reason           text NOT NULL DEFAULT '',
    PRIMARY KEY (patent_id, version)
);
CREATE INDEX catalogue_ownership_history_contract_idx ON catalogue_ownership_history (contract_id);

CREATE TABLE catalogue_licences (
    contract_id               uuid PRIMARY KEY,
    patent_id                 uuid NOT NULL,
    licensee_organisation_id  uuid NOT NULL,
    kind                      text NOT NULL,            -- exclusive_licence | sole_licence | non_exclusive_licence
    field_of_use              text NOT NULL,            -- '' = every field
    territory                 text NOT NULL,            -- '' = everywhere
    starts_on                 date NOT NULL,
    ends_on                   date NOT NULL,            -- the first day it no longer runs
    status                    text NOT NULL,            -- granted (reserved) | active | ended
    granted_at                timestamptz NOT NULL,
    activated_at              timestamptz,
    ended_at                  timestamptz,
    end_reason                text NOT NULL DEFAULT ''
);
CREATE INDEX catalogue_licences_patent_idx ON catalogue_licences (patent_id, granted_at);
CREATE INDEX catalogue_licences_licensee_idx ON catalogue_licences (licensee_organisation_id, granted_at);

-- Replay the catalogue from the start (its tables, including the two above, fill from the events).
TRUNCATE catalogue_patents, catalogue_status_history, catalogue_listings, catalogue_listing_facets,
    catalogue_ownership_claims, catalogue_ownership_history, catalogue_licences;
DO $$
BEGIN
    IF to_regclass('catalogue_tracking') IS NOT NULL THEN
        DELETE FROM catalogue_tracking WHERE application_name <> '__migration__';
    END IF;
    IF to_regclass('read_model_health') IS NOT NULL THEN
        DELETE FROM read_model_health WHERE view_name = 'catalogue';
    END IF;
END $$;
