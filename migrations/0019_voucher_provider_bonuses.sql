-- Innovation vouchers' provider bonuses (issue 12, 厦门火炬高新区 创新券): under provider redemption (通兑)
-- the programme pays the provider a bonus on the voucher value it redeems, with the settlement. One row per
-- settled redemption that earned one (also when a cap left nothing), written from the programme's events.
-- A table of its own (not columns on programme_voucher_redemptions): this migration's number is lower than
-- the one that creates the voucher book, so a new database applies it first.
CREATE TABLE programme_voucher_bonuses (
    programme_id              uuid NOT NULL,
    obligation_id             uuid NOT NULL,
    voucher_id                uuid NOT NULL,
    provider_organisation_id  uuid NOT NULL,
    year                      integer NOT NULL,          -- the settlement's calendar year (Beijing)
    redeemed                  bigint NOT NULL,           -- the voucher part settled, the bonus's base
    rate_bp                   integer NOT NULL,
    computed                  bigint NOT NULL,           -- redeemed × rate
    amount                    bigint NOT NULL,           -- paid: within the yearly cap and the budget
    capped_by                 text NOT NULL DEFAULT '',  -- '' | year_cap | budget
    cap_per_year              bigint,
    status                    text NOT NULL,             -- paid | recovery_due | recovered
    bank_reference            text NOT NULL DEFAULT '',
    reason                    text NOT NULL DEFAULT '',
    paid_at                   timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    PRIMARY KEY (programme_id, obligation_id)
);
CREATE INDEX programme_voucher_bonuses_provider_idx ON programme_voucher_bonuses (provider_organisation_id, year);
