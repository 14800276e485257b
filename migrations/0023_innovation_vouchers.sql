-- Innovation vouchers (issue 12): vouchers issued to enterprises under a programme, their redemptions on
-- payments, and the voucher part recorded on a payment obligation. Written from the events alone.
CREATE TABLE programme_vouchers (
    id                     uuid PRIMARY KEY,
    programme_id           uuid NOT NULL,
    organisation_id        uuid NOT NULL,
    face_value             bigint NOT NULL,
    remaining              bigint NOT NULL,           -- still to spend (0 once expired)
    owed                   bigint NOT NULL DEFAULT 0, -- redeemed, not yet paid out by the programme
    settled                bigint NOT NULL DEFAULT 0, -- paid out (to the seller, or reimbursed to the buyer)
    returned               bigint NOT NULL DEFAULT 0, -- back in the budget (expiry, refunds after the date, recoveries)
    share_bp               integer NOT NULL,
    cap_per_use            bigint,
    redemption_model       text NOT NULL,             -- provider (通兑) | reimbursement (通用)
    services               jsonb NOT NULL,
    valid_until            date NOT NULL,
    status                 text NOT NULL,             -- active | expired
    batch_key              text NOT NULL,
    application_reference  text NOT NULL DEFAULT '',
    issued_at              timestamptz NOT NULL,
    expired_at             timestamptz,
    updated_at             timestamptz NOT NULL,
    version                integer NOT NULL
);
CREATE INDEX programme_vouchers_programme_idx ON programme_vouchers (programme_id, issued_at);
CREATE INDEX programme_vouchers_holder_idx ON programme_vouchers (organisation_id, valid_until);
CREATE INDEX programme_vouchers_due_idx ON programme_vouchers (valid_until) WHERE status = 'active';

CREATE TABLE programme_voucher_redemptions (
    voucher_id             uuid NOT NULL,
    obligation_id          uuid NOT NULL,
    programme_id           uuid NOT NULL,
    contract_id            uuid NOT NULL,
    payer_organisation_id  uuid NOT NULL,
    payee_organisation_id  uuid NOT NULL,
    cost                   bigint NOT NULL,           -- the whole payment
    amount                 bigint NOT NULL,           -- the voucher part
    redemption_model       text NOT NULL,
    status                 text NOT NULL,             -- owed | settled | returned | recovery_due | recovered
    bank_reference         text NOT NULL DEFAULT '',
    reason                 text NOT NULL DEFAULT '',
    redeemed_at            timestamptz NOT NULL,
    settled_at             timestamptz,
    updated_at             timestamptz NOT NULL,
    PRIMARY KEY (voucher_id, obligation_id)
);
CREATE INDEX programme_voucher_redemptions_programme_idx ON programme_voucher_redemptions (programme_id, status);

ALTER TABLE deal_obligations
    ADD COLUMN voucher_id uuid,
    ADD COLUMN voucher_amount bigint NOT NULL DEFAULT 0,
    ADD COLUMN voucher_model text NOT NULL DEFAULT '';
