-- Time-limited conversion of fiscally funded results (issue 12, 限时转化): a flag per funded patent and
-- conversion programme, raised by the deadline worker, answered by the owner, opened by the officer.
-- Written by the conversions read model from the events alone.
CREATE TABLE conversions (
    id                  uuid PRIMARY KEY,
    patent_id           uuid NOT NULL,
    programme_id        uuid NOT NULL,
    organisation_id     uuid NOT NULL,            -- the programme's department
    owner_ids           uuid[] NOT NULL,
    funding             jsonb NOT NULL,           -- {funder, programme, project_reference, end_date}
    deadline            date NOT NULL,
    warn_from           date NOT NULL,
    status              text NOT NULL,            -- due | overdue | paused | opened | converted
    legal_basis         text NOT NULL,
    answer_kind         text NOT NULL DEFAULT '', -- plan | deal_in_progress
    answer_text         text NOT NULL DEFAULT '',
    answer_reference    text NOT NULL DEFAULT '',
    answered_at         timestamptz,
    resume_reason       text NOT NULL DEFAULT '',
    opened_mode         text NOT NULL DEFAULT '', -- open_licence | designated
    opened_legal_basis  text NOT NULL DEFAULT '',
    opened_reason       text NOT NULL DEFAULT '',
    opened_terms        jsonb,
    listing_id          uuid,
    licensee_ids        uuid[] NOT NULL DEFAULT '{}',
    opened_at           timestamptz,
    overdue_since       date,
    converted_contract_id uuid,
    converted_at        timestamptz,
    flagged_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer NOT NULL
);
CREATE INDEX conversions_patent_idx ON conversions (patent_id);
CREATE INDEX conversions_status_idx ON conversions (status, deadline);
CREATE INDEX conversions_department_idx ON conversions (organisation_id, status, deadline);
CREATE INDEX conversions_owner_idx ON conversions USING gin (owner_ids);
