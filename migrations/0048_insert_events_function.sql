-- A command's save as one statement (issue 16): the table lock, the NOTIFY and the INSERT of the events in one
-- function call, in the call's own transaction (the pool's connections are in autocommit), so the save is one
-- round trip and one statement for the server to parse, bind and run, instead of BEGIN, SET LOCAL, LOCK TABLE,
-- NOTIFY, INSERT and COMMIT. The same statements as eventsourcing's own transaction, in the same order: the
-- EXCLUSIVE lock still orders the notification ids as the commits (readers never pass over a gap filled later),
-- and a version already taken still fails the unique index and rolls the whole call back. The recorder
-- (marketplace.accounts.personal_data.PersonalDataRecorder) calls it for a save without personal-data changes,
-- and uses its pipelined transaction where this function does not exist yet. The table marketplace_events is
-- created by the event store itself; PL/pgSQL resolves it when the function runs.

CREATE OR REPLACE FUNCTION marketplace_insert_events(
    originator_ids uuid[], originator_versions bigint[], topics text[], states bytea[], lock_timeout text
) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('lock_timeout', lock_timeout, true);
    LOCK TABLE marketplace_events IN EXCLUSIVE MODE;
    NOTIFY marketplace_events;
    RETURN QUERY
        INSERT INTO marketplace_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(originator_ids, originator_versions, topics, states)
        RETURNING notification_id;
END
$$;
