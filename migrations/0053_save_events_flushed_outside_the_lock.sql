-- A command's save that does not hold the events table's lock through its commit's WAL flush (issue 16).
--
-- 0048/0052's functions run in the call's own transaction: the EXCLUSIVE lock that orders the notification ids as
-- the commits is taken, the events inserted, and the lock released at COMMIT, after the server has flushed the
-- commit's WAL to disk. Every other save waits for that flush: with eight writers, 83 % of their busy backends'
-- samples waited for the lock and the WAL flushes of concurrent saves were never grouped.
--
-- These procedures do the same work, then commit the save with synchronous_commit off: the commit record is
-- written (the lock is released, the events are visible to readers, in the same order as before) without waiting
-- for the disk. A second transaction of the same call then writes one WAL record (setval of a sequence) and commits
-- with the session's synchronous_commit (on): that flush covers every WAL record before it, the save's commit
-- included, so the call returns only once the save is on disk, as before. Concurrent saves now flush together.
--
-- What changes: between its commit and the flush (one WAL flush's time, longer when many saves queue for it) a
-- save's events can
-- be read by others before they are on disk. If the server crashed in that moment the save would be lost, as an
-- unanswered save is lost today, and its command would not have been answered; anything durable written after a
-- reader read those events (a read model's rows and position, another command's events) is written to the WAL
-- after the save's commit and flushed with it or after it, so the database never keeps a consequence without its
-- cause. What does not change: the order of notification ids, the read-set check (0052) and the version clash are
-- decided under the lock in the first transaction, and a refusal rolls it back with nothing written.
--
-- Readers outside the database are not covered by that: a page, an e-mail sent or a payment made on what such a
-- save wrote, or a position the open-data feed handed out (after a crash the ids of lost events can be given
-- again), may rest on a save a crash then loses. A process's aggregate cache is: the recorder notices a restarted
-- server on its next connection, empties the cache, and refuses a save decided before (see PersonalDataRecorder).
--
-- If the second transaction fails (a cancel, a timeout) after the first committed, the call fails although the
-- save stands: the recorder, finding its version taken when it saves again, recognises its own events and answers
-- with them. The flush's sequence is named with its schema, so no temporary namesake takes its place.
--
-- Under the lock, each procedure also refuses (SQLSTATE MKS02) an event whose aggregate does not have the version
-- before it: a worker deciding on a copy that includes a lost event would otherwise leave a gap in the history,
-- which could no longer be replayed.
--
-- A procedure that commits must be CALLed outside a transaction block: the recorder calls it on its pool's
-- autocommit connections. The notification ids come back in the INOUT parameter, in the order of the events.

CREATE SEQUENCE IF NOT EXISTS public.marketplace_save_flush;

CREATE OR REPLACE PROCEDURE marketplace_save_events(
    originator_ids uuid[], originator_versions bigint[], topics text[], states bytea[], lock_timeout text,
    INOUT notification_ids bigint[] DEFAULT NULL
) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('lock_timeout', lock_timeout, true);
    PERFORM set_config('synchronous_commit', 'off', true);
    LOCK TABLE marketplace_events IN EXCLUSIVE MODE;
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

CREATE OR REPLACE PROCEDURE marketplace_save_events_checked(
    originator_ids uuid[], originator_versions bigint[], topics text[], states bytea[], lock_timeout text,
    read_ids uuid[], read_versions bigint[], INOUT notification_ids bigint[] DEFAULT NULL
) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('lock_timeout', lock_timeout, true);
    PERFORM set_config('synchronous_commit', 'off', true);
    LOCK TABLE marketplace_events IN EXCLUSIVE MODE;
    FOR i IN 1 .. coalesce(array_length(read_ids, 1), 0) LOOP
        PERFORM FROM marketplace_events e
            WHERE e.originator_id = read_ids[i] AND e.originator_version > read_versions[i];
        IF FOUND THEN
            RAISE EXCEPTION 'marketplace_save_events_checked: an aggregate the command read was changed meanwhile'
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
