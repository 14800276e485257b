-- Issue 11, the money of deals: the inventors' share a contract was drafted under (the seller
-- institution's rule that day; empty for contracts drafted before it was recorded, and for sellers
-- that are not institutions), each institution's rules as set over time, and the minimum annual
-- royalties charged when a licence year ended without the report that closes it.
ALTER TABLE deal_contracts ADD COLUMN inventor_share integer;

CREATE TABLE deal_benefit_rules (
    organisation_id uuid NOT NULL,
    version         integer NOT NULL,
    inventor_share  integer NOT NULL,
    set_by          uuid,
    set_at          timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, version)
);

CREATE TABLE deal_minimum_royalties (
    contract_id     uuid NOT NULL,
    year_end        date NOT NULL,
    amount          bigint NOT NULL,
    obligation_id   uuid,
    fell_due_at     timestamptz NOT NULL,
    PRIMARY KEY (contract_id, year_end)
);

-- What a royalty report was credited with from the minimum royalty charged for its year (0 before).
ALTER TABLE deal_royalty_reports ADD COLUMN credit bigint NOT NULL DEFAULT 0;
