-- Technology development contracts in the market statistics (issues 13 and 14): a development contract stands on
-- no patent, so its statistics row has none; the statistics read model now follows development contracts and is
-- replayed from the start so that those drafted before count too (its tables fill from the events alone).
ALTER TABLE market_stat_contracts ALTER COLUMN patent_id DROP NOT NULL;

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
