-- Online applications for innovation vouchers (issue 12): written by the programmes read model from the
-- VoucherApplication events alone.
CREATE TABLE programme_voucher_applications (
    id               uuid PRIMARY KEY,
    programme_id     uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    amount           bigint NOT NULL,
    services         jsonb NOT NULL,
    purpose          text NOT NULL DEFAULT '',
    status           text NOT NULL,               -- applied | issued | refused
    voucher_id       uuid,
    reason           text NOT NULL DEFAULT '',
    applied_by       uuid NOT NULL,
    applied_at       timestamptz NOT NULL,
    decided_at       timestamptz,
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL
);
CREATE INDEX programme_voucher_applications_programme_idx ON programme_voucher_applications (programme_id, status);
CREATE INDEX programme_voucher_applications_org_idx ON programme_voucher_applications (organisation_id);
