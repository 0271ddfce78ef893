-- One index per list order, holding the whole ORDER BY with the id last,
-- so that a page, first or after a cursor, is an index seek and reads no
-- row it does not return (issue 21). The topic orders already have theirs
-- (2026-11-25-000004_forum).

-- Top-level replies by votes: best score (upvotes - downvotes) first, then
-- oldest. The key is the score's opposite, a generated column, so that it
-- runs ascending like the rest of the key and one row comparison
-- `(vote_rank, created_at, id) > (…)` seeks past a cursor on both backends
-- (computed on write: PostgreSQL has no virtual generated columns).
ALTER TABLE forum_replies ADD COLUMN vote_rank INTEGER NOT NULL GENERATED ALWAYS AS (downvotes - upvotes) STORED;
CREATE INDEX forum_replies_topic_votes_idx ON forum_replies (topic_id, depth, vote_rank, created_at, id);

-- The reports queue: open (or resolved) oldest or latest first, and every
-- report latest first.
DROP INDEX forum_reports_forum_status_created_idx;
CREATE INDEX forum_reports_forum_status_created_idx ON forum_reports (forum_id, status, created_at, id);
CREATE INDEX forum_reports_forum_created_idx ON forum_reports (forum_id, created_at, id);
