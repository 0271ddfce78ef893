-- Real-time fan-out. PostgreSQL gets NOTIFY triggers here; SQLite serves
-- one process, whose gateway polls the new rows' ids instead (writers are
-- serialized, so ids appear in order and polling by id misses none).
-- Kept as a migration so both folders list the same versions.
SELECT 1;
