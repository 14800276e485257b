-- The inbox tells an organisation's notice to the members it had at the event (issue 16): it keeps its own
-- copy of who belongs to which organisation and whether the account is active (and not erased), folded from
-- the users' events as it meets them in the log (projections/notifications/members.py). Before, it read the
-- accounts read model as it stood when a page was applied, so a member who joined later was told of earlier
-- events by a rebuild (and by a page holding both events) and not by the live inbox.
CREATE TABLE notification_members (
    user_id         uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    active          boolean NOT NULL
);
CREATE INDEX notification_members_organisation_idx ON notification_members (organisation_id) WHERE active;

-- Replay the inbox from the start, so that the copy fills from the events and the inbox stands where a rebuild
-- from the log would (as 0038): what users read, chose and were sent is kept (``side_tables``); a replayed
-- item takes its ``read_at`` from ``notification_reads``, the outbox's key refuses a second row for a notice
-- already written, and the sender skips the rows of notices older than two days.
TRUNCATE notification_items, notification_parties, notification_listings, notification_searches,
    notification_follows, notification_match_patents, notification_match_listings, notification_match_demands;
DO $$
BEGIN
    IF to_regclass('notifications_tracking') IS NOT NULL THEN
        DELETE FROM notifications_tracking WHERE application_name <> '__migration__';
    END IF;
    IF to_regclass('read_model_health') IS NOT NULL THEN
        DELETE FROM read_model_health WHERE view_name = 'notifications';
    END IF;
END $$;
