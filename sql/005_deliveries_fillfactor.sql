-- 005_deliveries_fillfactor: room in each page of deliveries for a claim to update its row in place.
--
-- A claim sets only columns no index covers (locked_by, locked_until, attempts, updated_at), so PostgreSQL can write
-- the new row version into the same page without touching the table's indexes (a HOT update) when the page has room.
-- With the default fillfactor of 100 new rows fill pages completely and every claim adds an entry to each of the six
-- indexes. Applies to pages written from now on; existing pages gain room as vacuum frees them.
--
-- Since this version a claim no longer moves next_attempt_at to the lease's end (as 003 describes): it skips rows whose
-- lease (locked_until) is still running, and a dead dispatcher's rows become due again when their lease ends.
ALTER TABLE deliveries SET (fillfactor = 80);
