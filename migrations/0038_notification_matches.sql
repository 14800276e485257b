-- Demand alerts (issue 13, "both sides must hear about each other"): the inbox read model keeps its own copy
-- of the facts a demand and a listing are matched on (projections/notifications/demand_match.py), with the
-- columns and indexes of the matching read model's (0034), written from the patent, listing and demand
-- events it applies itself: a newly posted demand is scored against the published listings as they stood
-- at that point of the log, however far the matching read model has got, so a rebuild of the inbox alone
-- tells the same organisations.
CREATE TABLE notification_match_patents (LIKE matching_patents INCLUDING ALL);
CREATE TABLE notification_match_listings (LIKE matching_listings INCLUDING ALL);
CREATE TABLE notification_match_demands (LIKE matching_demands INCLUDING ALL);

-- Replay the inbox from the start, so that its copy of the facts fills from the events and it stands where a
-- rebuild from the log would (``marketplace audit rebuild-check``). What users read, chose and were sent is
-- kept (``side_tables``): a replayed item takes its ``read_at`` from ``notification_reads``, the outbox's key
-- refuses a second row for a notice already written, and the sender skips the rows of notices older than two
-- days — the match notices of demands and listings posted long before are inbox items only.
TRUNCATE notification_items, notification_parties, notification_listings, notification_searches,
    notification_follows;
DO $$
BEGIN
    IF to_regclass('notifications_tracking') IS NOT NULL THEN
        DELETE FROM notifications_tracking WHERE application_name <> '__migration__';
    END IF;
    IF to_regclass('read_model_health') IS NOT NULL THEN
        DELETE FROM read_model_health WHERE view_name = 'notifications';
    END IF;
END $$;
