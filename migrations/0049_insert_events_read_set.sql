-- A command's save that also checks what the command read (issue 16): a command that found every aggregate it
-- reads in its worker's cache decides on those copies without reading the event store first, and passes the ids
-- and versions it read (read_ids, read_versions; version 0: an aggregate it found had no events) to this save.
-- After the table lock, no other save can commit, so if no event exists beyond those versions, the command decided
-- on the state the database has at its commit; otherwise nothing is written and the call fails with SQLSTATE
-- MKS01 (the recorder's StaleReadError): the command drops those copies and runs again on what it reads afresh.
-- A written aggregate clashing with another save still fails the unique index, as in 0048. 0048's function stays,
-- for saves without a read set; this one is 0048's with the check between the lock and the NOTIFY.

CREATE OR REPLACE FUNCTION marketplace_insert_events_checked(
    originator_ids uuid[], originator_versions bigint[], topics text[], states bytea[], lock_timeout text,
    read_ids uuid[], read_versions bigint[]
) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('lock_timeout', lock_timeout, true);
    LOCK TABLE marketplace_events IN EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM unnest(read_ids, read_versions) AS r(id, version)
               JOIN marketplace_events e ON e.originator_id = r.id AND e.originator_version > r.version) THEN
        RAISE EXCEPTION 'marketplace_insert_events_checked: an aggregate the command read was changed meanwhile'
            USING ERRCODE = 'MKS01';
    END IF;
    NOTIFY marketplace_events;
    RETURN QUERY
        INSERT INTO marketplace_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(originator_ids, originator_versions, topics, states)
        RETURNING notification_id;
END
$$;
