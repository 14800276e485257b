-- Technology-market statistics by region (issue 14): a party's region now counts under its Fujian city (设区市,
-- 350200 for 厦门; 平潭 350128 under 福州 350100) instead of the province 350000 for every Fujian party; other
-- provinces still count whole (310000). The region codes the read model keeps are derived from events already
-- stored (the organisations' region texts, the registration records' codes), so the market statistics read
-- model is emptied here and its position forgotten: the projection runner replays it from the start, as
-- ``marketplace rebuild market_statistics`` would.
TRUNCATE market_stat_organisations, market_stat_patents, market_stat_contracts;
DO $$
BEGIN
    IF to_regclass('market_statistics_tracking') IS NOT NULL THEN
        DELETE FROM market_statistics_tracking WHERE application_name <> '__migration__';
    END IF;
    IF to_regclass('read_model_health') IS NOT NULL THEN
        DELETE FROM read_model_health WHERE view_name = 'market_statistics';
    END IF;
END $$;
