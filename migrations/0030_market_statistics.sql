-- Technology-market statistics (技术市场统计, issue 14): one row per contract, written by the market statistics
-- read model from the events alone (the contract's draft and coming into force, its registration record, the
-- patent's IPC codes and the organisations' kind and region), so that a rebuild reproduces identical rows.
-- The figures (count, amount, technology income by period, field, region, type...) are grouped at reading.
CREATE TABLE market_stat_organisations (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL,
    region_code  text NOT NULL               -- GB/T 2260 province code (350000) from the region text, or ''
);
CREATE TABLE market_stat_patents (
    id           uuid PRIMARY KEY,
    ipc_section  text NOT NULL,              -- 'A'..'H', or '' when the patent names no IPC code
    ipc_class    text NOT NULL               -- 'A01' ...
);
CREATE TABLE market_stat_contracts (
    contract_id          uuid PRIMARY KEY,
    patent_id            uuid NOT NULL,
    deal_kind            text NOT NULL,      -- assignment | exclusive_licence | sole_licence | non_exclusive_licence
    amount               bigint NOT NULL,    -- the contract price, fen
    currency             text NOT NULL,
    ipc_section          text NOT NULL,
    ipc_class            text NOT NULL,
    seller_kind          text NOT NULL,
    seller_region        text NOT NULL,      -- the organisation's province code, or ''
    buyer_region         text NOT NULL,
    drafted_at           timestamptz NOT NULL,
    in_force_at          timestamptz,        -- counted from then
    registration_status  text NOT NULL DEFAULT 'none',  -- none | prepared | registered
    contract_type        text NOT NULL DEFAULT '',      -- the JJ-001 type once the record is prepared
    technology_income    bigint,             -- fen, from the registration record
    record_seller_region text NOT NULL DEFAULT '',      -- the record's GB/T 2260 codes (province level)
    record_buyer_region  text NOT NULL DEFAULT '',
    registration_id      uuid,               -- the ContractRegistration aggregate
    updated_at           timestamptz NOT NULL
);
CREATE INDEX market_stat_contracts_in_force_idx ON market_stat_contracts (in_force_at) WHERE in_force_at IS NOT NULL;
