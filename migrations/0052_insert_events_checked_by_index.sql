-- The save's check of what a command read (migration 0049) probes the log's index once per aggregate read (issue 16).
-- 0049 joined the read set to the log in one query, whose plan depends on the planner's figures for the log: on a
-- log that grew since it was last analysed (a bulk import, a young store), the session's plan hashed the whole log
-- for every save, under the table lock every writer waits for (with about 10,000 events not yet analysed a save
-- took 1.16 ms instead of 0.41 ms, and more as the log grew). Each probe here is an equality on the primary key's
-- leading column with a range on its second, which reads the index whatever the figures say. The refusal and
-- everything else is 0049's.

CREATE OR REPLACE FUNCTION marketplace_insert_events_checked(
    originator_ids uuid[], originator_versions bigint[], topics text[], states bytea[], lock_timeout text,
    read_ids uuid[], read_versions bigint[]
) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('lock_timeout', lock_timeout, true);
    LOCK TABLE marketplace_events IN EXCLUSIVE MODE;
    FOR i IN 1 .. coalesce(array_length(read_ids, 1), 0) LOOP
        PERFORM FROM marketplace_events e
            WHERE e.originator_id = read_ids[i] AND e.originator_version > read_versions[i];
        IF FOUND THEN
            RAISE EXCEPTION 'marketplace_insert_events_checked: an aggregate the command read was changed meanwhile'
                USING ERRCODE = 'MKS01';
        END IF;
    END LOOP;
    NOTIFY marketplace_events;
    RETURN QUERY
        INSERT INTO marketplace_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(originator_ids, originator_versions, topics, states)
        RETURNING notification_id;
END
$$;
