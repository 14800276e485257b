-- A command's save that does not hold the events table's lock through its commit's WAL flush (issue 16).
--
-- 0048's and 0052's functions run in the call's own transaction: the EXCLUSIVE lock that orders the notification ids
-- as the commits is taken, the events inserted, and the lock released at COMMIT, after the server has flushed the
-- commit's WAL to disk. Every other save waits for that flush: with eight writers, 83 % of their busy backends'
-- samples waited for the lock, and the WAL flushes of concurrent saves were never grouped.
--
-- This procedure does the same work (0052's check of a read set when one is given, NULL otherwise), then commits
-- the save with synchronous_commit off: the commit record is written (the lock released, the events visible to
-- readers, in the same order as before) without waiting for the disk. A second transaction of the same call then
-- writes one WAL record (setval of a sequence) and commits with the session's synchronous_commit (on): that flush
-- covers every WAL record before it, the save's commit included, so the call returns only once the save is on disk,
-- as before. Concurrent saves now share their flushes.
--
-- What changes: between its commit and the flush (one flush's time, longer when many saves queue for it) a save's
-- events can be read by others before they are on disk. If the server crashed in that moment the save would be
-- lost, unanswered, as a save cut off before its commit is. Anything the database keeps of what was read from it (a
-- read model's rows and position, another command's events) is written to the WAL after the save's commit, so it is
-- lost with it: the database never keeps a consequence without its cause. Outside the database that does not hold:
-- a page shown, an e-mail sent, a payment made on what such a save wrote, or a position the open-data feed handed
-- out (after a crash the ids of lost events can be given again), may rest on a save a crash then loses. A process's
-- aggregate cache is looked after: it notices the crash on its next connection (migration 0054), forgets what it
-- held, and refuses a command that read before (marketplace/platform/server_restarts.py). And under the lock this
-- procedure refuses (SQLSTATE MKS02) an event whose aggregate does not have the version before it, so a copy that
-- includes a lost event can never leave a gap in a history, which could no longer be replayed.
--
-- What does not change: the order of notification ids, the read-set check (MKS01) and the version clash are decided
-- under the lock in the first transaction, and a refusal rolls it back with nothing written. If the second
-- transaction fails after the first committed (a cancel, a timeout), the call fails although the save stands: the
-- recorder, finding its versions taken when it calls again, recognises its own events and answers with them. The
-- flush's sequence is named with its schema, so no temporary namesake takes its place.
--
-- A procedure that commits must be CALLed outside a transaction block: the recorder calls it on its pool's
-- autocommit connections. The notification ids come back in the INOUT parameter, in the order of the events.

CREATE SEQUENCE IF NOT EXISTS public.marketplace_save_flush;

CREATE OR REPLACE PROCEDURE marketplace_save_events(
    originator_ids uuid[], originator_versions bigint[], topics text[], states bytea[], lock_timeout text,
    read_ids uuid[] DEFAULT NULL, read_versions bigint[] DEFAULT NULL, INOUT notification_ids bigint[] DEFAULT NULL
) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('lock_timeout', lock_timeout, true);
    PERFORM set_config('synchronous_commit', 'off', true);
    LOCK TABLE marketplace_events IN EXCLUSIVE MODE;
    FOR i IN 1 .. coalesce(array_length(read_ids, 1), 0) LOOP
        PERFORM FROM marketplace_events e
            WHERE e.originator_id = read_ids[i] AND e.originator_version > read_versions[i];
        IF FOUND THEN
            RAISE EXCEPTION 'marketplace_save_events: an aggregate the command read was changed meanwhile'
                USING ERRCODE = 'MKS01';
        END IF;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(originator_ids, 1), 0) LOOP
        -- The version a save's first event of an aggregate follows must be stored (a worker's cached copy may
        -- rest on an event a crash lost): one probe of the primary key per aggregate.
        CONTINUE WHEN originator_versions[i] = 1 OR (i > 1 AND originator_ids[i - 1] = originator_ids[i]
                                                      AND originator_versions[i - 1] = originator_versions[i] - 1);
        PERFORM FROM marketplace_events e
            WHERE e.originator_id = originator_ids[i] AND e.originator_version = originator_versions[i] - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'marketplace_save_events: version % of % does not follow a stored version',
                originator_versions[i], originator_ids[i] USING ERRCODE = 'MKS02';
        END IF;
    END LOOP;
    NOTIFY marketplace_events;
    WITH inserted AS (
        INSERT INTO marketplace_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(originator_ids, originator_versions, topics, states)
        RETURNING notification_id
    ) SELECT array_agg(notification_id ORDER BY notification_id) INTO notification_ids FROM inserted;
    COMMIT;
    PERFORM set_config('lock_timeout', lock_timeout, true);
    PERFORM setval('public.marketplace_save_flush', 1);
END
$$;
