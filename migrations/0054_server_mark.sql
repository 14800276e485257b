-- A mark that a crash of the database server wipes out (issue 16, migration 0053).
--
-- A save's events can be read a moment before they are on disk (0053); a crash then loses them. A process that read
-- them keeps them in its aggregate cache and must learn that the server lost something. pg_postmaster_start_time()
-- does not tell: when one server process crashes (killed, out of memory) the postmaster resets shared memory and
-- runs crash recovery without starting again, and the WAL not yet written is lost all the same. An UNLOGGED table
-- is emptied by every crash recovery, that one included, and is empty on a promoted standby or a restored backup,
-- while a clean shutdown (which writes all WAL first, so nothing is lost) keeps it. Its one row holds a random
-- token: each new connection of a process's event-store pool reads it (making it if missing), and a token other
-- than the one the process saw before means the server lost whatever was not on disk
-- (marketplace/platform/server_restarts.py).

CREATE UNLOGGED TABLE IF NOT EXISTS marketplace_server_mark (
    id smallint PRIMARY KEY CHECK (id = 1),
    token uuid NOT NULL
);
